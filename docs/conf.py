"""Sphinx configuration for pylmod."""
import os
import sys

sys.path.insert(0, os.path.abspath('..'))

project = 'pylmod'
author = 'MIT Office of Digital Learning and the pylmod contributors'
copyright = '2014-2026, ' + author  # noqa: A001 - Sphinx's name
release = '2.0.0'
version = '2.0'

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
    'sphinx.ext.intersphinx',
    'sphinx.ext.viewcode',
]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
intersphinx_mapping = {}
nitpicky = False
exclude_patterns = ['_build']
html_theme = 'alabaster'
suppress_warnings = ['ref.python']
