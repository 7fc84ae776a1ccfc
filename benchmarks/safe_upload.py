"""Benchmarks of safe uploads (not part of the test suite).

Usage::

    python benchmarks/safe_upload.py                  # the issue's sizes
    python benchmarks/safe_upload.py --unchanged 2000 --changed 10000

Against a fake LMod in another process (mutual TLS) that answers every
request 20 ms late (``--latency``), seeded with the students, five
assignments and the grades of the file (all of them, or all but
``--changed-share`` of them), each client runs in a process of its own:

(1) a re-upload of an unchanged file (``--unchanged`` students x 5):
    changes only (``pylmod upload``'s default: the stored grades read, a
    snapshot, nothing to send) against sending it all (1.0.x's
    ``spreadsheet2gradebook``);
(2) a file with 1 % of its grades changed (``--changed`` students x 5):
    changes only, ``--send-all`` (safeguards on: stored grades read, a
    snapshot, every cell sent), and 1.0.x's path (no safeguards);
(3) CPU, in this process, with students and assignments fetched before:
    the plan's own work (reading the stored grades from the students'
    grade info and comparing, :class:`pylmod.grades.plan.UploadPlan`)
    against the upload's (CSV to grade array, and the JSON of the
    ``multiGrades`` body; the network left out).

Each client runs three times, each time against a fresh server; the
fastest run counts.  See docs/performance.rst for recorded numbers.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List

from run import (
    ASSIGNMENTS,
    GRADEBOOK_UUID,
    HERE,
    REPO,
    RUNS,
    make_inputs,
)

MODES = ('changes', 'send-all', '1.0.x')


def seed_with_grades(paths: Dict[str, str], changed_share: float) -> None:
    """Give the seed the grades of the file, all but ``changed_share`` of
    them (those hold another value, so the file changes them)."""
    with open(paths['seed.json'], encoding='utf-8') as seed_file:
        seed = json.load(seed_file)
    with open(paths['grades.json'], encoding='utf-8') as grades_file:
        grades = json.load(grades_file)
    every = int(1 / changed_share) if changed_share else 0
    seed['gradebooks'][0]['grades'] = [
        {'studentId': grade['studentId'],
         'assignmentId': grade['assignmentId'],
         'numericGradeValue': grade['numericGradeValue'] + (
             0.5 if every and index % every == 0 else 0)}
        for index, grade in enumerate(grades)]
    with open(paths['seed.json'], 'w', encoding='utf-8') as seed_file:
        json.dump(seed, seed_file)


def serve(seed_path: str, cert_dir: str, latency: float) -> None:
    """The fake LMod, every answer ``latency`` seconds late."""
    import signal
    import threading

    from pylmod.testing import FakeLmod, LmodServer
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with LmodServer(FakeLmod.from_file(seed_path),
                    cert_dir=cert_dir) as server:
        server.delay_next(10 ** 9, latency)
        print(json.dumps({'url': server.url, 'client_cert':
                          server.client_cert, 'ca_cert': server.ca_cert}),
              flush=True)
        stopped.wait()


def client(url: str, cert: str, csv_path: str, mode: str) -> None:
    """One timed upload; prints seconds, grades sent and requests."""
    from pylmod import GradeBook
    from pylmod.grades import Safeguards, UploadReport
    snapshot = os.path.join(tempfile.mkdtemp(), 'snapshot.json')
    started = time.perf_counter()
    gradebook = GradeBook(cert, url, GRADEBOOK_UUID)
    report = UploadReport()
    safeguards = (None if mode == '1.0.x'
                  else Safeguards(mode == 'changes', snapshot))
    gradebook.spreadsheet2gradebook(csv_path, report=report,
                                    safeguards=safeguards)
    seconds = time.perf_counter() - started
    counts = report.status_counts()
    print(json.dumps({'seconds': seconds, 'sent': counts['confirmed'],
                      'requests': report.requests_sent}))


def timed(paths: Dict[str, str], mode: str, latency: float) -> Dict[str, Any]:
    """The fastest of :data:`RUNS` runs of a client, each against a fresh
    server."""
    best: Dict[str, Any] = {}
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as cert_dir:
            server = subprocess.Popen(
                [sys.executable, __file__, '--serve', paths['seed.json'],
                 cert_dir, str(latency)], stdout=subprocess.PIPE, text=True,
                cwd=REPO)
            try:
                ready = json.loads(server.stdout.readline())  # type: ignore
                env = dict(os.environ, REQUESTS_CA_BUNDLE=ready['ca_cert'])
                done = subprocess.run(
                    [sys.executable, __file__, '--client', ready['url'],
                     ready['client_cert'], paths['grades.csv'], mode],
                    env=env, capture_output=True, text=True, cwd=HERE,
                    check=True)
            finally:
                server.terminate()
                server.wait(timeout=60)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if not best or result['seconds'] < best['seconds']:
            best = result
    return best


def plan_cpu(paths: Dict[str, str], students: List[Any],
             assignments: List[Any]) -> Dict[str, float]:
    """CPU seconds of the plan's own work and of the upload's, in this
    process (no network)."""
    from pylmod.grades import GradeUpload
    from pylmod.grades.csvfile import NON_ASSIGNMENT_FIELDS, open_grade_csv
    from pylmod.grades.plan import UploadPlan
    from pylmod.grades.stored import stored_values

    class Offline:
        def get_students(self, **options: Any) -> List[Any]:
            return students

        def get_assignments(self) -> List[Any]:
            return assignments

        def multi_grade(self, grades: Any) -> Any:
            return {'status': 1, 'message': '',
                    'data': {'numFailures': 0, 'results': []}}

    upload = GradeUpload(Offline(), 'External email',  # type: ignore
                         NON_ASSIGNMENT_FIELDS)
    started = time.process_time()
    with open_grade_csv(paths['grades.csv']) as rows:
        upload.read(rows)
    # What sending costs the client besides the network: the request body.
    json.dumps(upload.ledger.grades)
    upload_seconds = time.process_time() - started
    started = time.process_time()
    UploadPlan(upload.ledger, stored_values(students),
               {assignment['assignmentId']: assignment['maxPointsTotal']
                for assignment in assignments})
    return {'upload CPU': upload_seconds,
            'plan CPU': time.process_time() - started}


def stored_students(paths: Dict[str, str]) -> Dict[str, List[Any]]:
    """The students with their grade info and the assignments, as LMod
    answers them (read from a fake LMod in this process, untimed)."""
    from pylmod import GradeBook
    from pylmod.testing import FakeLmod, LmodServer
    with LmodServer(FakeLmod.from_file(paths['seed.json'])) as server:
        gradebook = GradeBook(server.client_cert, server.url, GRADEBOOK_UUID,
                              verify=server.ca_cert)
        return {'students': gradebook.get_students(include_grade_info=True),
                'assignments': gradebook.get_assignments()}


def measure(unchanged: int, changed: int, share: float,
            latency: float) -> None:
    with tempfile.TemporaryDirectory() as work:
        os.makedirs(os.path.join(work, 'a'))
        paths = make_inputs(unchanged, os.path.join(work, 'a'))
        seed_with_grades(paths, 0.0)
        results = {mode: timed(paths, mode, latency)
                   for mode in ('changes', '1.0.x')}
        print('(1) unchanged re-upload, {0} x {1}: {2}'.format(
            unchanged, len(ASSIGNMENTS), json.dumps(results)))
        print('    changes only / send all: {0:.2f}'.format(
            results['changes']['seconds'] / results['1.0.x']['seconds']))
        os.makedirs(os.path.join(work, 'b'))
        paths = make_inputs(changed, os.path.join(work, 'b'))
        seed_with_grades(paths, share)
        results = {mode: timed(paths, mode, latency) for mode in MODES}
        print('(2) {0:g} % changed, {1} x {2}: {3}'.format(
            share * 100, changed, len(ASSIGNMENTS), json.dumps(results)))
        print('    changes only / --send-all: {0:.2f}; / 1.0.x path: '
              '{1:.2f}'.format(
                  results['changes']['seconds']
                  / results['send-all']['seconds'],
                  results['changes']['seconds']
                  / results['1.0.x']['seconds']))
        fetched = stored_students(paths)
        cpu = min((plan_cpu(paths, fetched['students'],
                            fetched['assignments']) for _ in range(RUNS)),
                  key=lambda each: each['plan CPU'])
        print('(3) CPU, {0} x {1}: {2}; plan / upload: {3:.2f}'.format(
            changed, len(ASSIGNMENTS), json.dumps(cpu),
            cpu['plan CPU'] / cpu['upload CPU']))


def main() -> None:
    if sys.argv[1:2] == ['--serve']:
        serve(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return
    if sys.argv[1:2] == ['--client']:
        client(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--unchanged', type=int, default=20000)
    parser.add_argument('--changed', type=int, default=100000)
    parser.add_argument('--changed-share', type=float, default=0.01)
    parser.add_argument('--latency', type=float, default=0.02)
    args = parser.parse_args()
    measure(args.unchanged, args.changed, args.changed_share, args.latency)


if __name__ == '__main__':
    main()
