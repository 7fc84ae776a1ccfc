"""Tests of the package surface: names, version, cheap import."""
import importlib.metadata
import json
import re
import subprocess
import sys

import pylmod
import pylmod.gradebook
from pylmod.exceptions import (
    PyLmodException,
    PyLmodFailedAssignmentCreation,
    PyLmodNoSuchSection,
    PyLmodUnexpectedData,
)

#: semver.org's regular expression.
SEMVER = re.compile(
    r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)'
    r'(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)'
    r'(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?'
    r'(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$')

#: Run in a fresh interpreter: forbid the network, import pylmod, read the
#: version, and print what got imported.
IMPORT_PROBE = '''
import json, socket, sys

def no_network(*args, **kwargs):
    raise AssertionError('network used at import: %r' % (args,))

socket.socket.connect = no_network
socket.create_connection = no_network
socket.getaddrinfo = no_network
import pylmod
imported_at_import = sorted(sys.modules)
version_read_at_import = '__version__' in vars(pylmod)
version = pylmod.__version__
print(json.dumps({'modules': imported_at_import,
                  'version_read_at_import': version_read_at_import,
                  'after_version': sorted(sys.modules),
                  'version': version}))
'''


def test_public_names():
    assert pylmod.__all__ == ['GradeBook', 'Membership']
    assert pylmod.GradeBook is pylmod.gradebook.GradeBook
    assert pylmod.Membership.__module__ == 'pylmod.membership'
    assert pylmod.gradebook.DEFAULT_MAX_POINTS == 1.0


def test_version_is_semver_from_installed_metadata():
    assert SEMVER.match(pylmod.__version__)
    assert pylmod.__version__ == importlib.metadata.version('pylmod')


def test_exceptions_derive_from_pylmod_exception():
    assert issubclass(PyLmodException, Exception)
    for error in (PyLmodUnexpectedData, PyLmodFailedAssignmentCreation,
                  PyLmodNoSuchSection):
        assert issubclass(error, PyLmodException)


def test_import_is_cheap_and_offline():
    result = subprocess.run(
        [sys.executable, '-c', IMPORT_PROBE], capture_output=True,
        text=True, check=True)
    probe = json.loads(result.stdout)
    assert SEMVER.match(probe['version'])
    assert probe['version_read_at_import'] is False
    for module in ('pylmod.testing', 'pylmod.cli', 'pylmod.openedx',
                   'pkg_resources'):
        assert module not in probe['modules']
        assert module not in probe['after_version']
    assert 'pylmod.gradebook' in probe['modules']
