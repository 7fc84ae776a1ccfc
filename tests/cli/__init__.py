"""Tests of the ``pylmod`` command (pylmod.cli)."""
