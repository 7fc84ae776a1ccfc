"""Tests of the Open edX bridge (pylmod.openedx)."""
