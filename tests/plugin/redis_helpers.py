"""A real Redis server and real Celery worker processes for the plugin's
tests on the engine it runs on (``test_plugin_redis.py``).

* :func:`start_redis`: a ``redis-server`` on a free loopback port, in a
  temporary directory, no persistence; stopped by the caller.
* :class:`Worker`: ``celery -A plugin_project.celery_app worker --pool
  prefork`` in a process group of its own (to kill it whole), on that
  Redis, the test's database and ``PYLMOD_OPENEDX``.

Redis's delivery timings are made short (:data:`BROKER_OPTIONS`): a
message whose worker died comes back after 3 s, swept every second.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
REPO = os.path.dirname(TESTS)

#: The broker's transport options of the tests (production: see
#: ``tests/plugin_project/tutor_pylmod.py``).
BROKER_OPTIONS = {'visibility_timeout': 3, 'unacked_restore_interval': 1,
                  'unacked_restore_throttle': 1}


def kombu_version():
    """The installed kombu's (major, minor)."""
    import kombu
    return tuple(int(part) for part in kombu.__version__.split('.')[:2])


def sweep_seconds():
    """At most how long kombu takes, past the visibility timeout, to give
    a lost worker's messages back: ``unacked_restore_interval`` x
    ``unacked_restore_throttle`` from kombu 5.7; before, fixed (a restore
    every tenth call of a 10 s timer)."""
    if kombu_version() >= (5, 7):
        return (BROKER_OPTIONS['unacked_restore_interval']
                * BROKER_OPTIONS['unacked_restore_throttle'])
    return 10 * 10


def redis_server_path():
    """``redis-server``'s path; fail (under CI) or skip without it."""
    path = shutil.which('redis-server')
    if path is None:
        reason = ('redis-server is not installed: the plugin tests on a real '
                  'broker need it (apt-get install -y redis-server)')
        if os.environ.get('CI'):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def free_port():
    """A loopback TCP port nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def start_redis(folder):
    """Start a redis-server in ``folder``; return ``(process, url)``."""
    port = free_port()
    process = subprocess.Popen(
        [redis_server_path(), '--port', str(port), '--bind', '127.0.0.1',
         '--dir', folder, '--save', '', '--appendonly', 'no',
         '--logfile', os.path.join(folder, 'redis.log')],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = 'redis://127.0.0.1:{0}/0'.format(port)
    import redis
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            return process, url
        except redis.exceptions.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail('redis-server did not start; see ' + folder)
            time.sleep(0.05)


def stop(process):
    """Stop a process (SIGTERM, then SIGKILL)."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Worker:
    """A Celery worker of ``processes`` prefork processes, ready."""

    def __init__(self, folder, name, redis_url, database, plugin,
                 processes=4):
        self.log = os.path.join(folder, name + '.log')
        env = dict(os.environ, PYTHONPATH=TESTS,
                   DJANGO_SETTINGS_MODULE='plugin_project.settings',
                   PLUGIN_PROJECT_DB=database, PLUGIN_PROJECT_REDIS=redis_url,
                   PLUGIN_PROJECT_BROKER_OPTIONS=json.dumps(BROKER_OPTIONS),
                   PLUGIN_PROJECT_PYLMOD_OPENEDX=json.dumps(plugin))
        with open(self.log + '.stderr', 'w') as stderr:
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'celery', '-A',
                 'plugin_project.celery_app', 'worker', '--pool', 'prefork',
                 '--concurrency', str(processes), '-n',
                 name + '@%h', '-O', 'fair', '--without-gossip',
                 '--without-mingle', '--without-heartbeat', '--loglevel',
                 'INFO', '--logfile', self.log],
                env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr,
                start_new_session=True)  # a process group of its own
        deadline = time.monotonic() + 60
        while not self._ready():
            if self.process.poll() is not None or (
                    time.monotonic() > deadline):
                self.kill()
                pytest.fail('the worker did not start: {0}'.format(
                    self.text()[-2000:]))
            time.sleep(0.1)

    def _ready(self):
        return os.path.exists(self.log) and ' ready.' in self.text()

    def text(self):
        """Its log so far."""
        try:
            with open(self.log, encoding='utf-8') as log:
                return log.read()
        except OSError:
            return ''

    def kill(self):
        """SIGKILL its whole process group (the worker and its pool), as
        the OOM killer or a lost machine would."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self):
        """A warm shutdown (SIGTERM); a kill if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
