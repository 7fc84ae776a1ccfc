"""Tests of the grade pipeline (pylmod.grades)."""
