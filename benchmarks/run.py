"""Benchmarks of pylmod's spreadsheet upload (not part of the test suite).

One command runs everything and prints a table::

    python benchmarks/run.py                     # 1k to 100k students
    python benchmarks/run.py --sizes 1000,20000  # chosen sizes
    python benchmarks/run.py --no-legacy         # skip PyLmod 1.0.2
    python benchmarks/run.py --inputs path,dictreader,list  # (e) per input

For each size, each client runs in its own process against a fake LMod
(``pylmod.testing``, mutual TLS) of its own, in another process, freshly
seeded with that many students and five assignments:

(a) ``spreadsheet2gradebook`` of pylmod (this checkout) end to end: reads,
    CSV, ``multiGrades`` (the import is left out: it is (d));
(b) the same with PyLmod 1.0.2 installed from PyPI into a separate
    virtualenv (up to ``--legacy-max`` students: its cost grows with
    rows x students);
(c) the floor: ``json.dumps`` of the same grades and one raw ``requests``
    POST to ``multiGrades``;
(e) for (a) and (b), the CPU seconds from the CSV file to the grade array,
    with the students and assignments already fetched (``--cpu-only`` of
    ``upload_client.py``): the cost 1.0.x spent before any network I/O.
    ``--inputs`` measures it for each way 1.0.x accepted grades: ``path``
    (``spreadsheet2gradebook``), and ``dictreader`` and ``list`` (a
    ``csv.DictReader`` or a list of row dictionaries given to
    ``_spreadsheet2gradebook_multi``).

Each client runs three times, each time against a fresh server; the fastest
run counts.

Then (d) the time of ``import pylmod`` against ``import requests`` (median
of fresh interpreters).  Seconds are wall-clock; memory is the peak resident
size of the client process.  See docs/performance.rst for recorded numbers.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import venv
from typing import Any, Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GRADEBOOK_ID = 5000000
GRADEBOOK_UUID = 'STELLAR:/project/benchmark'
ASSIGNMENTS = ['Homework {0}'.format(number) for number in range(1, 6)]
LEGACY_VERSION = '1.0.2'
#: How many times each client is run; the fastest run counts (on a shared
#: machine one run varies by tens of percent).
RUNS = 3


def make_inputs(students: int, directory: str) -> Dict[str, str]:
    """Write the seed, the CSV and the floor's grade array for a size."""
    assignments = [{'assignmentId': 6000001 + index, 'name': name,
                    'maxPointsTotal': 10.0}
                   for index, name in enumerate(ASSIGNMENTS)]
    student_seeds = [{'studentId': 100000 + index,
                      'accountEmail': 'student{0}@example.edu'.format(index),
                      'displayName': 'Student {0}'.format(index)}
                     for index in range(students)]
    seed = {'gradebooks': [{'gradebookId': GRADEBOOK_ID,
                            'uuid': GRADEBOOK_UUID,
                            'assignments': assignments,
                            'students': student_seeds}]}
    paths = {name: os.path.join(directory, name)
             for name in ('seed.json', 'grades.csv', 'grades.json')}
    with open(paths['seed.json'], 'w', encoding='utf-8') as seed_file:
        json.dump(seed, seed_file)
    grades = []
    with open(paths['grades.csv'], 'w', newline='',
              encoding='utf-8') as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(['External email'] + ASSIGNMENTS)
        for index, student in enumerate(student_seeds):
            values = [round((index * 7 + column * 3) % 101 / 10, 1)
                      for column in range(len(ASSIGNMENTS))]
            writer.writerow([student['accountEmail']] + values)
            grades.extend(
                {'studentId': student['studentId'],
                 'assignmentId': assignment['assignmentId'],
                 'numericGradeValue': value, 'mode': 2,
                 'isGradeApproved': False}
                for assignment, value in zip(assignments, values))
    with open(paths['grades.json'], 'w', encoding='utf-8') as grades_file:
        json.dump(grades, grades_file)
    return paths


class FakeServerProcess:
    """``benchmarks/serve.py`` in its own process, so that the client's
    time and memory are its own."""

    def __init__(self, seed_path: str, cert_dir: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, 'serve.py'), seed_path,
             cert_dir], stdout=subprocess.PIPE, text=True, cwd=REPO)
        ready = json.loads(self.process.stdout.readline())
        self.url: str = ready['url']
        self.client_cert: str = ready['client_cert']
        self.ca_cert: str = ready['ca_cert']

    def __enter__(self) -> 'FakeServerProcess':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run_client(python: str, script: str, args: List[str],
               ca_cert: str) -> Dict[str, Any]:
    """Run a client script and return the JSON line it prints."""
    env = dict(os.environ, REQUESTS_CA_BUNDLE=ca_cert)
    env.pop('PYTHONPATH', None)
    completed = subprocess.run(
        [python, os.path.join(HERE, script)] + args, env=env,
        capture_output=True, text=True, cwd=HERE, check=False)
    if completed.returncode != 0:
        raise RuntimeError('{0} failed:\n{1}'.format(script, completed.stderr))
    return json.loads(completed.stdout.strip().splitlines()[-1])


def legacy_python(directory: str) -> str:
    """Return the python of a virtualenv holding PyLmod 1.0.2."""
    python = os.path.join(directory, 'bin', 'python')
    if not os.path.exists(python):
        venv.create(directory, with_pip=True)
        # 1.0.2 imports pkg_resources, gone from recent setuptools.
        subprocess.run([python, '-m', 'pip', 'install', '-q',
                        'pylmod=={0}'.format(LEGACY_VERSION),
                        'setuptools<81'], check=True)
    return python


def import_times(modules: List[str], runs: int = 30) -> Dict[str, float]:
    """Median seconds to import each module in a fresh interpreter; the
    modules take turns, so that a change in the machine's load hits all."""
    code = ('import time; started = time.perf_counter(); import {0}; '
            'print(time.perf_counter() - started)')
    samples: Dict[str, List[float]] = {module: [] for module in modules}
    for _ in range(runs):
        for module in modules:
            samples[module].append(float(subprocess.run(
                [sys.executable, '-c', code.format(module)],
                capture_output=True, text=True, check=True,
                cwd=HERE).stdout))
    return {module: statistics.median(values)
            for module, values in samples.items()}


def benchmark_size(students: int, work: str, legacy: Optional[str],
                   inputs: Sequence[str] = ('path',)) -> Dict[str, Any]:
    """Run (a), (b), (c) and (e) for one number of students; (e) for each
    of ``inputs`` (``pylmod_cpu`` and ``legacy_cpu`` are those of ``path``,
    ``pylmod_cpu_list`` and so on those of the others).

    Each client runs :data:`RUNS` times, the fastest run counting, each
    time against a fake LMod of its own, freshly seeded: a server that
    already holds the grades of an earlier run would store them faster
    (replacing instead of adding) and favour the later one.
    """
    directory = os.path.join(work, str(students))
    os.makedirs(directory, exist_ok=True)
    paths = make_inputs(students, directory)
    # Written back now, not while the first client is being timed.
    os.sync()
    row: Dict[str, Any] = {'students': students,
                           'grades': students * len(ASSIGNMENTS)}
    cert_dir = os.path.join(directory, 'certs')
    clients: List[Tuple[str, str, str, List[str]]] = [
        ('pylmod', sys.executable, 'upload_client.py', [])]
    if legacy:
        clients.append(('legacy', legacy, 'upload_client.py', []))
    clients.append(('floor', sys.executable, 'floor_client.py', []))
    for given_as in inputs:
        suffix = '' if given_as == 'path' else '_' + given_as
        options = ['--cpu-only', '--input', given_as]
        clients.append(('pylmod_cpu' + suffix, sys.executable,
                        'upload_client.py', options))
        if legacy:
            clients.append(('legacy_cpu' + suffix, legacy,
                            'upload_client.py', options))
    for name, python, script, options in clients:
        results = []
        for _ in range(RUNS):
            with FakeServerProcess(paths['seed.json'], cert_dir) as server:
                if script == 'floor_client.py':
                    args = [server.url, server.client_cert,
                            str(GRADEBOOK_ID), paths['grades.json']]
                else:
                    args = [server.url, server.client_cert, GRADEBOOK_UUID,
                            paths['grades.csv']]
                results.append(run_client(python, script, args + options,
                                          server.ca_cert))
        row[name] = min(results, key=lambda result: result['seconds'])
    return row


def print_table(rows: List[Dict[str, Any]]) -> None:
    """Print the results side by side: end to end in seconds (peak MB),
    then the CPU seconds from CSV to grade array."""
    line = ('{0:>9} {1:>8} {2:>13} {3:>13} {4:>12} {5:>9} {6:>9} {7:>9} '
            '{8:>10} {9:>9}')
    print(line.format('students', 'grades', 'pylmod', '1.0.2', 'floor',
                      '1.0.2/new', 'new/floor', 'cpu new', 'cpu 1.0.2',
                      'cpu ratio'))
    for row in rows:
        new, floor = row['pylmod'], row['floor']
        legacy, legacy_cpu = row.get('legacy'), row.get('legacy_cpu')
        print(line.format(
            row['students'], row['grades'], _cell(new), _cell(legacy),
            _cell(floor),
            _ratio(legacy, new), _ratio(new, floor, '{0:.2f}x'),
            '{0:.3f}'.format(row['pylmod_cpu']['seconds']),
            '{0:.2f}'.format(legacy_cpu['seconds']) if legacy_cpu else '-',
            _ratio(legacy_cpu, row['pylmod_cpu'])))


def print_input_table(rows: List[Dict[str, Any]],
                      inputs: Sequence[str]) -> None:
    """Print (e), the CPU seconds from the grades to the array, for each
    way of giving the grades."""
    line = '{0:>11} {1:>9} {2:>9} {3:>10} {4:>9}'
    print(line.format('input', 'students', 'cpu new', 'cpu 1.0.2',
                      'cpu ratio'))
    for given_as in inputs:
        suffix = '' if given_as == 'path' else '_' + given_as
        for row in rows:
            new = row['pylmod_cpu' + suffix]
            legacy_cpu = row.get('legacy_cpu' + suffix)
            print(line.format(
                given_as, row['students'], '{0:.3f}'.format(new['seconds']),
                '{0:.2f}'.format(legacy_cpu['seconds']) if legacy_cpu
                else '-', _ratio(legacy_cpu, new)))


def _ratio(numerator: Optional[Dict[str, Any]],
           denominator: Dict[str, Any], template: str = '{0:.0f}x') -> str:
    if not numerator:
        return '-'
    return template.format(numerator['seconds'] / denominator['seconds'])


def _cell(result: Optional[Dict[str, Any]]) -> str:
    if not result:
        return '-'
    return '{0:.2f} ({1:.0f})'.format(result['seconds'],
                                      result['peak_rss_mb'])


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='1000,10000,20000,50000,100000',
                        help='comma-separated numbers of students')
    parser.add_argument('--legacy-max', type=int, default=20000,
                        help='largest size to run PyLmod 1.0.2 on')
    parser.add_argument('--no-legacy', action='store_true',
                        help='do not install and run PyLmod 1.0.2')
    parser.add_argument('--inputs', default='path',
                        help='comma-separated ways of giving the grades for '
                        '(e): path, dictreader, list (default: path)')
    parser.add_argument('--work', help='working directory (default: temp)')
    parser.add_argument('--json', help='also write the results there')
    options = parser.parse_args(argv)
    work = options.work or tempfile.mkdtemp(prefix='pylmod-bench-')
    legacy = None
    if not options.no_legacy:
        legacy = legacy_python(os.path.join(work, 'legacy-venv'))
    inputs = options.inputs.split(',')
    unknown = set(inputs) - {'path', 'dictreader', 'list'}
    if unknown:
        parser.error('unknown inputs: {0}'.format(', '.join(sorted(unknown))))
    rows = []
    for students in (int(size) for size in options.sizes.split(',')):
        rows.append(benchmark_size(
            students, work,
            legacy if students <= options.legacy_max else None, inputs))
        print_table(rows[-1:])
    print()
    print_table(rows)
    if inputs != ['path']:
        print()
        print_input_table(rows, inputs)
    imports = import_times(['requests', 'pylmod'])
    print('\nimport requests: {0:.1f} ms, import pylmod: {1:.1f} ms '
          '(+{2:.1f} ms)'.format(imports['requests'] * 1000,
                                 imports['pylmod'] * 1000,
                                 (imports['pylmod'] - imports['requests'])
                                 * 1000))
    if options.json:
        with open(options.json, 'w', encoding='utf-8') as results:
            json.dump({'sizes': rows, 'import_seconds': imports}, results,
                      indent=1)


if __name__ == '__main__':
    main()
