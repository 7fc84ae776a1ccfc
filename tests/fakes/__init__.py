"""Tests of the fakes (pylmod.testing): the fake LMod and the fake Open edX."""
