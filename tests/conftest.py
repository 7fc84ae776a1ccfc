"""Shared fixtures of the test suite."""
import importlib.util
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import responses
from responses import matchers

from pylmod.gradebook import GradeBook

DATA_DIR = Path(__file__).parent / 'data'
#: What the Open edX plugin's tests need (the ``openedx`` and ``test``
#: extras install them).
PLUGIN_DEPENDENCIES = ('django', 'edx_django_utils', 'celery',
                       'pytest_django')
#: The LMod of the request-level tests (``responses`` answers for it).
MOCKED_URLBASE = 'https://learning-modules-test.mit.edu:8443/'


@pytest.fixture
def cert_path(tmp_path):
    """The path of a readable (dummy) client certificate file.

    Enough for request-level tests: the certificate is only checked for
    readability at construction, ``responses`` never opens it.
    """
    path = tmp_path / 'client.pem'
    path.write_text('-----BEGIN CERTIFICATE-----\n'
                    '-----END CERTIFICATE-----\n')
    return str(path)


@pytest.fixture
def lmod_mock():
    """A ``responses`` mock of LMod; every registered call must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def lmod_payload():
    """Return a loader of the JSON payloads in ``tests/data``."""
    def load(name):
        with open(DATA_DIR / '{0}.json'.format(name), encoding='utf-8') as f:
            return json.load(f)
    return load


@pytest.fixture
def mocked_gradebook(cert_path, lmod_mock, lmod_payload):
    """A GradeBook of ``lmod_mock`` built with ``gbuuid`` (as most callers
    do), so bound to gradebook 1293808; the lookup call is forgotten."""
    gbuuid = 'STELLAR:/project/mitxdemosite'
    lmod_mock.get(MOCKED_URLBASE + 'service/gradebook/gradebook',
                  match=[matchers.query_param_matcher({'uuid': gbuuid})],
                  json=lmod_payload('gradebook_by_uuid_response'))
    gradebook = GradeBook(cert_path, MOCKED_URLBASE, gbuuid=gbuuid)
    lmod_mock.calls.reset()
    return gradebook


@pytest.fixture(autouse=True)
def snapshots_in_a_temporary_data_home(monkeypatch, tmp_path_factory):
    """The snapshots ``pylmod upload`` writes go to a temporary XDG data
    home, never the user's (subprocesses inherit it)."""
    monkeypatch.setenv('XDG_DATA_HOME', str(tmp_path_factory.mktemp('data')))


@pytest.fixture
def no_user_settings(monkeypatch, tmp_path):
    """No ``PYLMOD_*`` variable and an empty home of mode 0700 (what the
    command asks of a config directory): no user config is read.  Returns
    the home; its config directory is ``home / '.config'``."""
    for name in list(os.environ):
        if name.startswith('PYLMOD_'):
            monkeypatch.delenv(name)
    home = tmp_path / 'home'
    home.mkdir(mode=0o700)
    monkeypatch.setenv('HOME', str(home))
    monkeypatch.setenv('XDG_CONFIG_HOME', str(home / '.config'))
    # Where an upload stopped without --report keeps its report.
    monkeypatch.setenv('XDG_DATA_HOME', str(home / '.local' / 'share'))
    return home


@pytest.fixture
def openedx_fake():
    """The demo state of the fake Open edX, fresh for each test."""
    from pylmod.testing.fake_openedx import FakeOpenEdx
    return FakeOpenEdx.demo()


def forget_edx_client_tokens():
    """edx-rest-api-client caches its token by LMS URL in Django's cache: a
    fake started on a port an earlier one used must not be sent that one's
    token (a 401 then)."""
    try:
        from django.conf import settings
        from edx_django_utils.cache import TieredCache
    except ImportError:
        return
    if settings.configured:
        TieredCache.dangerous_clear_all_tiers()


@pytest.fixture
def openedx(openedx_fake):
    """A running fake Open edX over ``openedx_fake``."""
    from pylmod.testing.fake_openedx import OpenEdxServer
    with OpenEdxServer(openedx_fake) as server:
        forget_edx_client_tokens()
        yield server


class Terminal:
    """A command running on a new pseudo-terminal of its own: its stdin,
    stdout and stderr, and its controlling terminal (``/dev/tty``, where
    OpenSSL and :func:`getpass.getpass` prompt).

    Attributes:
        process: the :class:`subprocess.Popen`.
        output: what it wrote so far.
    """

    # setsid() then opening the terminal makes it the controlling one.
    LAUNCHER = ('import os, sys; os.setsid(); '
                'os.close(os.open(os.ttyname(0), os.O_RDWR)); '
                'os.execv(sys.argv[1], sys.argv[1:])')

    def __init__(self, argv):
        self._master, slave = os.openpty()
        self.process = subprocess.Popen(
            [sys.executable, '-c', self.LAUNCHER, *map(str, argv)],
            stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        self.output = b''

    def read_until(self, wanted, seconds=60):
        """Read until ``wanted`` (bytes) was written, the command ended, or
        ``seconds`` passed; return all the output."""
        deadline = time.monotonic() + seconds
        while wanted not in self.output and time.monotonic() < deadline:
            ready, _, _ = select.select([self._master], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 4096)
            except OSError:  # EIO: the command has ended
                break
            if not chunk:
                break
            self.output += chunk
        return self.output

    def type(self, text):
        os.write(self._master, text.encode('utf-8'))

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self._master)


@pytest.fixture
def terminal():
    """Start commands on terminals of their own (closed after the test)."""
    started = []

    def start(argv):
        started.append(Terminal(argv))
        return started[-1]
    yield start
    for each in started:
        each.close()


def _importable(name):
    """Whether a module can be imported, without importing it.

    A module imported already counts, whatever its ``__spec__``: celery 5.2
    replaces itself in ``sys.modules`` by a lazy module whose ``__spec__``
    is None, and ``find_spec`` raises ``ValueError`` on that.
    """
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def plugin_dependencies_missing():
    """The plugin's test dependencies that cannot be imported."""
    return [name for name in PLUGIN_DEPENDENCIES if not _importable(name)]


def pytest_configure(config):
    """With the plugin's dependencies installed, load the stand-in LMS
    (``tests/plugin_project``) as the session's Django settings, so that
    pytest-django sets Django up for the tests under ``tests/plugin``.
    Without them those tests skip, saying what is missing."""
    if plugin_dependencies_missing():
        return
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'plugin_project.settings')
    from django.conf import settings
    settings.INSTALLED_APPS  # noqa: B018 - loads them, for pytest-django
