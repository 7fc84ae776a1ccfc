"""Tests of the transport wing (pylmod._transport, pylmod.base)."""
