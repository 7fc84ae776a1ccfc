"""The test suite: a folder per part of the code (docs/layout.rst, "Tests")."""
