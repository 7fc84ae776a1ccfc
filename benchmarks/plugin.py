"""Benchmark of the Open edX plugin's fan-out on real Celery worker
processes (not part of the test suite).

::

    python benchmarks/plugin.py                  # 50 links x 1,000 learners
    python benchmarks/plugin.py --links 2 --learners 30 --processes 1

For each number of worker processes (default 1, then 4):

1. a fake LMod (mutual TLS) and a fake Open edX, each in a process of its
   own with a threading server, seeded with ``--links`` courses of
   ``--learners`` learners (``tests/plugin_project/courses.py``), answering
   every request ``--latency`` seconds late (the fakes' ``delay`` fault,
   which waits outside their locks, so concurrent requests wait together);
2. a new SQLite database for the stand-in LMS (``tests/plugin_project``,
   which lists the plugin only through edx-django-utils' discovery),
   ``django-admin migrate``, and one link per course (grade push and
   program roster sync);
3. a ``redis-server`` of its own (a free loopback port, a temporary
   directory: Debian's ``redis-server`` package) as broker and result
   backend, and ``celery -A plugin_project.celery_app worker --concurrency
   N`` (prefork: N processes) on it;
4. the fan-out (:func:`pylmod.openedx.plugin.tasks.fan_out`, every link's
   two flows as one group), timed from sending to the last result; then
   the same again, which must send nothing;
5. the fakes' final state and every stored report are kept.

It checks that the runs with 1 and 4 processes end identically (reports
and both fakes' state), that the second fan-out sent nothing, and that 4
processes are at least 3x faster than 1.  See docs/performance.rst for
recorded numbers.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TESTS = os.path.join(REPO, 'tests')
sys.path.insert(0, TESTS)

from plugin_project import courses  # noqa: E402

# -- the fakes, each in a process of its own -------------------------------

def serve(kind: str, links: int, learners: int, latency: float,
          cert_dir: str) -> None:
    """Serve a seeded fake until SIGTERM, then print its state (``--serve``).
    """
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    if kind == 'lmod':
        from pylmod.testing import FakeLmod, LmodServer
        fake: Any = FakeLmod(courses.lmod_seed(links, learners))
        server: Any = LmodServer(fake, cert_dir=cert_dir)
        server.delay_next(10 ** 9, latency)
    else:
        from pylmod.testing.fake_openedx import FakeOpenEdx, OpenEdxServer
        fake = FakeOpenEdx.demo()
        courses.seed_openedx(fake, links, learners)
        server = OpenEdxServer(fake)
        fake.delay_next(10 ** 9, latency, path_prefix='/api/')
    with server:
        ready = ({'url': server.url, 'client_cert': server.client_cert,
                  'ca_cert': server.ca_cert} if kind == 'lmod' else
                 {'url': server.url, 'client_id': fake.CLIENT_ID,
                  'client_secret': fake.CLIENT_SECRET})
        print(json.dumps(ready), flush=True)
        stopped.wait()
    print(json.dumps(state(kind, fake, links)), flush=True)


def state(kind: str, fake: Any, links: int) -> Dict[str, Any]:
    """What a fake holds at the end: the grades of each gradebook, or the
    program enrollments of each program."""
    if kind == 'lmod':
        return {str(course.gradebook_id): sorted(
            [student, assignment, points] for (student, assignment), points
            in fake.stored_grades(course.gradebook_id).items())
            for course in courses.courses(links)}
    return {course.program_uuid: fake.program_enrollments(
        course.program_uuid) for course in courses.courses(links)}


class Fake:
    """``benchmarks/plugin.py --serve KIND`` in a process of its own."""

    def __init__(self, kind: str, options: argparse.Namespace,
                 cert_dir: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, '--serve', kind, '--links',
             str(options.links), '--learners', str(options.learners),
             '--latency', str(options.latency), '--work', cert_dir],
            stdout=subprocess.PIPE, text=True, cwd=REPO)
        self.ready: Dict[str, Any] = json.loads(
            self.process.stdout.readline())

    def stop(self) -> Dict[str, Any]:
        """Stop it; return its final state."""
        self.process.terminate()
        final = json.loads(self.process.stdout.readline())
        self.process.wait(timeout=60)
        return final


# -- the broker ------------------------------------------------------------

def start_redis(folder: str) -> Any:
    """A redis-server on a free loopback port; returns ``(process, url)``.
    """
    path = shutil.which('redis-server')
    if path is None:
        sys.exit('redis-server is not installed (apt-get install -y '
                 'redis-server)')
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    os.makedirs(folder, exist_ok=True)
    process = subprocess.Popen(
        [path, '--port', str(port), '--bind', '127.0.0.1', '--dir', folder,
         '--save', '', '--appendonly', 'no', '--logfile',
         os.path.join(folder, 'redis.log')])
    import redis
    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            return process, 'redis://127.0.0.1:{0}/0'.format(port)
        except redis.exceptions.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('redis-server did not start; see '
                                   + folder)
            time.sleep(0.05)


# -- the stand-in LMS and its worker --------------------------------------

def environment(work: str, lmod: Fake, openedx: Fake,
                redis_url: str) -> Dict[str, str]:
    """The stand-in LMS's environment: its database, broker and
    ``PYLMOD_OPENEDX`` (the fakes)."""
    plugin = {
        'LMS_URL': openedx.ready['url'],
        'CLIENT_ID': openedx.ready['client_id'],
        'CLIENT_SECRET': openedx.ready['client_secret'],
        'LMOD_URL': lmod.ready['url'],
        'LMOD_CERT': lmod.ready['client_cert'],
        'LMOD_VERIFY': lmod.ready['ca_cert'],
    }
    return dict(os.environ, PYTHONPATH=TESTS,
                DJANGO_SETTINGS_MODULE='plugin_project.settings',
                PLUGIN_PROJECT_DB=os.path.join(work, 'lms.sqlite3'),
                PLUGIN_PROJECT_REDIS=redis_url,
                PLUGIN_PROJECT_PYLMOD_OPENEDX=json.dumps(plugin))


def start_worker(env: Dict[str, str], processes: int, log: str
                 ) -> subprocess.Popen:
    """A Celery worker of ``processes`` processes; returns once ready."""
    worker = subprocess.Popen(
        [sys.executable, '-m', 'celery', '-A', 'plugin_project.celery_app',
         'worker', '--pool', 'prefork', '--concurrency', str(processes),
         '-O', 'fair', '--without-gossip', '--without-mingle',
         '--without-heartbeat', '--loglevel', 'INFO', '--logfile', log],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=open(log + '.stderr', 'w'))  # e.g. Celery's warning to root
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError('the worker exited; see ' + log)
        if os.path.exists(log) and ' ready.' in open(log).read():
            return worker
        time.sleep(0.2)
    raise RuntimeError('the worker did not start; see ' + log)


def setup_django(env: Dict[str, str]) -> None:
    """This process as the stand-in LMS (the sender of the fan-out)."""
    os.environ.update({key: env[key] for key in (
        'DJANGO_SETTINGS_MODULE', 'PLUGIN_PROJECT_DB',
        'PLUGIN_PROJECT_REDIS', 'PLUGIN_PROJECT_PYLMOD_OPENEDX')})
    import django
    django.setup()
    from plugin_project.celery_app import app
    app.set_current()


def fan_out_seconds() -> float:
    """Send the fan-out, wait for every run; return the seconds it took."""
    from pylmod.openedx.plugin.tasks import fan_out
    started = time.perf_counter()
    result = fan_out(trigger='benchmark')
    summaries = result.get(timeout=3600, interval=0.1)
    seconds = time.perf_counter() - started
    assert all(summary['status'] == 'ok' for summary in summaries), [
        summary for summary in summaries if summary['status'] != 'ok']
    return seconds


def reports() -> List[Dict[str, Any]]:
    """Every stored report, as compared between runs."""
    from pylmod.openedx.plugin.models import RunReport
    return [{'link': report.link.name, 'flow': report.flow,
             'status': report.status, 'counts': report.counts,
             'requests_sent': report.requests_sent,
             'problems': report.problems}
            for report in RunReport.objects.order_by(
                'link__name', 'flow', 'started')]


def one_run(options: argparse.Namespace, processes: int) -> Dict[str, Any]:
    """Everything of one number of worker processes, from scratch (in a
    process of its own: Django is set up once per process)."""
    work = tempfile.mkdtemp(prefix='pylmod-plugin-bench-', dir=options.work)
    lmod = Fake('lmod', options, os.path.join(work, 'certs'))
    openedx = Fake('openedx', options, work)
    redis_server, redis_url = start_redis(os.path.join(work, 'redis'))
    env = environment(work, lmod, openedx, redis_url)
    subprocess.run([sys.executable, '-m', 'django', 'migrate', '-v', '0'],
                   env=env, cwd=REPO, check=True)
    # Several worker processes write reports at once: with a write-ahead
    # log, readers do not wait for a writer (the setting stays in the file).
    with sqlite3.connect(env['PLUGIN_PROJECT_DB']) as database:
        database.execute('PRAGMA journal_mode=WAL')
    setup_django(env)
    from pylmod.openedx.plugin.models import GradebookLink, RunReport
    for course in courses.courses(options.links):
        GradebookLink.objects.create(**courses.link_fields(course))
    worker = start_worker(env, processes, os.path.join(work, 'worker.log'))
    try:
        seconds = fan_out_seconds()
        first = reports()
        again = fan_out_seconds()
    finally:
        worker.terminate()
        worker.wait(timeout=120)
        redis_server.terminate()
        redis_server.wait(timeout=60)
    later = RunReport.objects.order_by('pk')[len(first):]
    return {'processes': processes, 'seconds': seconds,
            'again_seconds': again,
            'sent_again': sum(report.requests_sent for report in later),
            'reports': first, 'lmod': lmod.stop(), 'openedx': openedx.stop()}


def run_in_process(options: argparse.Namespace,
                   processes: int) -> Dict[str, Any]:
    """:func:`one_run` in a new interpreter; its result."""
    completed = subprocess.run(
        [sys.executable, __file__, '--run', str(processes), '--links',
         str(options.links), '--learners', str(options.learners),
         '--latency', str(options.latency), '--work', options.work],
        cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def check(runs: List[Dict[str, Any]]) -> None:
    """The benchmark's conditions (see the module docstring)."""
    first = runs[0]
    for run in runs[1:]:
        for part in ('reports', 'lmod', 'openedx'):
            assert run[part] == first[part], '{0} differ'.format(part)
    assert all(run['sent_again'] == 0 for run in runs), 'sent again'
    by_count = {run['processes']: run for run in runs}
    if 1 in by_count and 4 in by_count:
        speedup = by_count[1]['seconds'] / by_count[4]['seconds']
        assert speedup >= 3, '4 processes only {0:.1f}x faster'.format(
            speedup)
    print('checked: identical reports and fakes; nothing sent again; '
          'with 1 and 4 processes: 4 >= 3x faster than 1')


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--links', type=int, default=50)
    parser.add_argument('--learners', type=int, default=1000)
    parser.add_argument('--latency', type=float, default=0.05,
                        help='seconds each request to a fake is answered '
                             'late')
    parser.add_argument('--processes', default='1,4',
                        help='worker processes of each run')
    parser.add_argument('--work', help='working directory (default: temp)')
    parser.add_argument('--json', help='also write the results there')
    parser.add_argument('--serve', help=argparse.SUPPRESS)
    parser.add_argument('--run', type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(options.serve, options.links, options.learners,
              options.latency, options.work)
        return
    if options.run:
        print(json.dumps(one_run(options, options.run)))
        return
    options.work = options.work or tempfile.mkdtemp(
        prefix='pylmod-plugin-bench-')
    print('{0} links x {1} learners, {2:g} ms a request'.format(
        options.links, options.learners, options.latency * 1000))
    runs = [run_in_process(options, int(count))
            for count in options.processes.split(',')]
    line = '{0:>10} {1:>9} {2:>9} {3:>14} {4:>11}'
    print(line.format('processes', 'seconds', 'speed-up', 'again seconds',
                      'sent again'))
    for run in runs:
        print(line.format(run['processes'], '{0:.1f}'.format(run['seconds']),
                          '{0:.1f}x'.format(runs[0]['seconds']
                                            / run['seconds']),
                          '{0:.1f}'.format(run['again_seconds']),
                          run['sent_again']))
    check(runs)
    if options.json:
        with open(options.json, 'w', encoding='utf-8') as results:
            json.dump([{key: value for key, value in run.items()
                        if key in ('processes', 'seconds', 'again_seconds',
                                   'sent_again')} for run in runs],
                      results, indent=1)


if __name__ == '__main__':
    main()
