"""Benchmarks of the Open edX bridge against the fake Open edX with a
per-request latency (not part of the test suite).

One command runs everything and prints a table::

    python benchmarks/openedx.py                      # 10,000 learners, 50 ms
    python benchmarks/openedx.py --learners 2000 --latency 0.02

(a) **roster sync**: ``sync_roster`` of 10,000 LMod learners into an Open
    edX program that holds 500 of them canceled: one read (the largest page
    the API accepts) and 400 writes of 25 learners (380 POST creating, 20
    PATCH re-enrolling), with 1, 4 and 8 workers;
(b) **grade push**: ``push_grades`` of 10,000 Open edX program course
    grades into an LMod assignment (a fake LMod over mutual TLS, seeded
    with the 10,000 students): reads of 1,000 grades a page, one after the
    other as cursor pagination requires, then ``multiGrades``.

Each run gets a fresh fake Open edX (in a process of its own, answering
every API request ``--latency`` seconds late with the fake's ``delay``
fault, which waits outside its lock so concurrent requests wait together)
and, for (b), a fresh fake LMod.  The floor of a run is the requests it
needs times the latency, the writes divided by the workers (reads are
sequential): what no client can beat.  The benchmark checks the reports of
the runs are identical, and that the roster sync at 8 workers is at least
5x faster than at 1 and within 1.5x of its floor.  See
docs/performance.rst for recorded numbers.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional

from run import GRADEBOOK_ID, GRADEBOOK_UUID, FakeServerProcess

from pylmod import GradeBook
from pylmod.openedx.auth import oauth_session
from pylmod.openedx.client import OpenEdxClient
from pylmod.openedx.endpoints import (
    MAX_LEARNERS_PER_WRITE,
    UNBOUNDED_PAGE_SIZE,
)
from pylmod.openedx.grades import push_grades
from pylmod.openedx.roster import RosterEntry, sync_roster
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
    OpenEdxServer,
)

HERE = os.path.dirname(os.path.abspath(__file__))
#: Learners of the program already there, canceled (re-enrolled by PATCH).
CANCELED = 500
ASSIGNMENT = 'Final'


def email(index: int) -> str:
    """The email (and Open edX key) of learner ``index``."""
    return 'student{0}@example.edu'.format(index)


def serve(learners: int, latency: float) -> None:
    """Serve a seeded fake Open edX until SIGTERM (``--serve``)."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    fake = FakeOpenEdx.demo()
    for index in range(min(CANCELED, learners)):
        fake.enroll_in_program(DEMO_PROGRAM_UUID, email(index), 'canceled')
    for index in range(learners):
        fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, email(index),
                       (index % 101) / 100, 'ABCDF'[index % 5])
    fake.delay_next(10 ** 9, latency, path_prefix='/api/')
    with OpenEdxServer(fake) as server:
        print(json.dumps({'url': server.url}), flush=True)
        stopped.wait()


class OpenEdxProcess:
    """The fake Open edX of one run, in a process of its own."""

    def __init__(self, learners: int, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, '--serve', '--learners',
             str(learners), '--latency', str(latency)],
            stdout=subprocess.PIPE, text=True, cwd=HERE)
        self.url: str = json.loads(self.process.stdout.readline())['url']

    def client(self, workers: int) -> OpenEdxClient:
        """A client as the command line builds it."""
        session = oauth_session(self.url, FakeOpenEdx.CLIENT_ID,
                                FakeOpenEdx.CLIENT_SECRET,
                                use_edx_client=False, workers=workers)
        return OpenEdxClient(session, self.url, workers=workers)

    def __enter__(self) -> 'OpenEdxProcess':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def roster_run(learners: int, latency: float, workers: int) -> Dict[str, Any]:
    """(a) one roster sync; its seconds, floor and report."""
    roster = [RosterEntry(email(index)) for index in range(learners)]
    with OpenEdxProcess(learners, latency) as openedx:
        client = openedx.client(workers)
        started = time.perf_counter()
        report = sync_roster(client, roster, program_uuid=DEMO_PROGRAM_UUID,
                             curriculum_uuid=DEMO_CURRICULUM_UUID)
        seconds = time.perf_counter() - started
    reads = -(-min(CANCELED, learners) // UNBOUNDED_PAGE_SIZE)
    writes = report.requests_sent
    assert report.ok, report.error
    return {'seconds': seconds, 'reads': reads, 'writes': writes,
            'floor': (reads + writes / workers) * latency,
            'report': report.as_dict()}


def lmod_seed(learners: int, directory: str) -> str:
    """The fake LMod's seed: the learners and the assignment."""
    path = os.path.join(directory, 'seed-{0}.json'.format(learners))
    seed = {'gradebooks': [{
        'gradebookId': GRADEBOOK_ID, 'uuid': GRADEBOOK_UUID,
        'assignments': [{'assignmentId': 7000001, 'name': ASSIGNMENT,
                         'maxPointsTotal': 100.0}],
        'students': [{'studentId': 200000 + index,
                      'accountEmail': email(index),
                      'displayName': 'Student {0}'.format(index)}
                     for index in range(learners)]}]}
    with open(path, 'w', encoding='utf-8') as seed_file:
        json.dump(seed, seed_file)
    return path


def grade_run(learners: int, latency: float, workers: int,
              seed_path: str, cert_dir: str) -> Dict[str, Any]:
    """(b) one grade push; its seconds, floor and report."""
    with FakeServerProcess(seed_path, cert_dir) as lmod, \
            OpenEdxProcess(learners, latency) as openedx:
        gradebook = GradeBook((lmod.client_cert), lmod.url,
                              gbuuid=GRADEBOOK_UUID, verify=lmod.ca_cert)
        client = openedx.client(workers)
        started = time.perf_counter()
        report = push_grades(client, gradebook, DEMO_PROGRAM_UUID,
                             DEMO_COURSE_KEY, ASSIGNMENT)
        seconds = time.perf_counter() - started
    reads = -(-learners // UNBOUNDED_PAGE_SIZE)
    assert report.ok, report.error
    return {'seconds': seconds, 'reads': reads, 'writes': 0,
            'floor': reads * latency, 'report': report.as_dict()}


def print_rows(title: str, rows: List[Dict[str, Any]]) -> None:
    """One line per number of workers: seconds, floor, requests, speed-up."""
    print('\n' + title)
    line = '{0:>8} {1:>9} {2:>9} {3:>10} {4:>10} {5:>9}'
    print(line.format('workers', 'seconds', 'floor', 'time/floor',
                      'requests', 'speed-up'))
    for row in rows:
        print(line.format(
            row['workers'], '{0:.2f}'.format(row['seconds']),
            '{0:.2f}'.format(row['floor']),
            '{0:.2f}x'.format(row['seconds'] / row['floor']),
            row['reads'] + row['writes'],
            '{0:.1f}x'.format(rows[0]['seconds'] / row['seconds'])))


def check(roster: List[Dict[str, Any]], grades: List[Dict[str, Any]]) -> None:
    """The benchmark's own conditions (see the module docstring)."""
    for name, rows in (('roster sync', roster), ('grade push', grades)):
        assert all(row['report'] == rows[0]['report'] for row in rows), \
            '{0}: the reports differ between runs'.format(name)
    by_workers = {row['workers']: row for row in roster}
    if 1 in by_workers and 8 in by_workers:
        eight = by_workers[8]
        speedup = by_workers[1]['seconds'] / eight['seconds']
        assert speedup >= 5, 'roster sync: 8 workers only {0:.1f}x'.format(
            speedup)
        assert eight['seconds'] <= 1.5 * eight['floor'], \
            'roster sync at 8 workers: {0:.2f}x the floor'.format(
                eight['seconds'] / eight['floor'])
    print('\nchecked: identical reports; roster sync at 8 workers >= 5x '
          'faster than at 1 and within 1.5x of its floor')


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--learners', type=int, default=10000)
    parser.add_argument('--latency', type=float, default=0.05,
                        help='seconds each API request is answered late')
    parser.add_argument('--workers', default='1,4,8')
    parser.add_argument('--work', help='working directory (default: temp)')
    parser.add_argument('--json', help='also write the results there')
    parser.add_argument('--serve', action='store_true',
                        help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.serve:
        serve(options.learners, options.latency)
        return
    workers = [int(count) for count in options.workers.split(',')]
    work = options.work or tempfile.mkdtemp(prefix='pylmod-openedx-bench-')
    print('{0} learners, {1:g} ms a request, {2} learners a write'.format(
        options.learners, options.latency * 1000, MAX_LEARNERS_PER_WRITE))
    roster = [dict(roster_run(options.learners, options.latency, count),
                   workers=count) for count in workers]
    print_rows('(a) roster sync', roster)
    seed_path = lmod_seed(options.learners, work)
    grades = [dict(grade_run(options.learners, options.latency, count,
                             seed_path, os.path.join(work, 'certs')),
                   workers=count) for count in workers]
    print_rows('(b) grade push', grades)
    check(roster, grades)
    if options.json:
        with open(options.json, 'w', encoding='utf-8') as results:
            json.dump({'roster': roster, 'grades': grades}, results, indent=1,
                      default=str)


if __name__ == '__main__':
    main()
