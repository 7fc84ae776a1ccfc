"""One timed spreadsheet upload, run in its own process.

Usage: python upload_client.py URL CERT GRADEBOOK_UUID CSV [--cpu-only]
       [--input path|dictreader|list]

Works with pylmod 2 and with PyLmod 1.0.2 (the server's CA comes from the
REQUESTS_CA_BUNDLE environment variable, which both honour).  Prints one JSON
line: seconds end to end (constructor, reads, CSV, multiGrades; the import
of pylmod is left out, as the floor leaves out that of requests) and the
peak resident memory of this process.

With ``--cpu-only`` the students and assignments are fetched first, untimed,
and ``multi_grade`` only keeps the grade array: what is timed (in CPU
seconds) is the work between the CSV file and the request, which 1.0.x did in
time proportional to rows x students.

``--input`` says how the grades are given, each way 1.0.x accepted:
``path`` (the default) is ``spreadsheet2gradebook(CSV)``; ``dictreader`` and
``list`` call ``_spreadsheet2gradebook_multi(rows, 'External email',
NON_ASSIGNMENT_FIELDS)``, as 1.0.x callers with rows of their own do, with a
``csv.DictReader`` over the open file, or with a list of row dictionaries
read before the clock starts.
"""
import csv
import json
import sys
import time

from measure import peak_rss_mb

#: The columns 1.0.x never took for assignments (its NON_ASSIGNMENT_FIELDS).
NON_ASSIGNMENT_FIELDS = ['ID', 'Username', 'Full Name', 'edX email',
                         'External email']
INPUTS = ('path', 'dictreader', 'list')


def option(name: str, default: str) -> str:
    """The value of ``--name VALUE`` on the command line."""
    arguments = sys.argv[5:]
    if name in arguments:
        return arguments[arguments.index(name) + 1]
    return default


def main() -> None:
    url, cert, gradebook_uuid, csv_path = sys.argv[1:5]
    cpu_only = '--cpu-only' in sys.argv[5:]
    given_as = option('--input', 'path')
    if given_as not in INPUTS:
        raise SystemExit('--input must be one of {0}'.format(INPUTS))
    csv_file = open(csv_path, newline='', encoding='utf-8')
    rows = list(csv.DictReader(csv_file)) if given_as == 'list' else None
    # Importing is (d), measured on its own; the floor does not count
    # importing requests either.
    from pylmod import GradeBook
    started = time.perf_counter()
    gradebook = GradeBook(cert, url, gradebook_uuid)
    if cpu_only:
        students = gradebook.get_students()
        assignments = gradebook.get_assignments()
        # Modules an upload needs are imported before the clock starts, as
        # 1.0.2 imported everything with ``import pylmod``: the import is not
        # the work measured here.
        try:
            import pylmod.upload  # noqa: F401 - pylmod 2.0 imported it lazily
        except ImportError:
            pass
        sent = []
        gradebook.get_students = lambda *args, **kwargs: students
        gradebook.get_assignments = lambda *args, **kwargs: assignments
        gradebook.multi_grade = lambda grades, *args, **kwargs: (
            sent.extend(grades) or {'status': 1, 'message': '',
                                    'data': {'numFailures': 0,
                                             'results': []}})
        started = time.process_time()
    if given_as == 'path':
        response, _ = gradebook.spreadsheet2gradebook(csv_path)
    else:
        response, _ = gradebook._spreadsheet2gradebook_multi(
            rows if rows is not None else csv.DictReader(csv_file),
            'External email', NON_ASSIGNMENT_FIELDS)
    seconds = (time.process_time() if cpu_only
               else time.perf_counter()) - started
    print(json.dumps({
        'seconds': seconds,
        'peak_rss_mb': peak_rss_mb(),
        'num_failures': (response.get('data') or {}).get('numFailures'),
        'input': given_as,
    }))
    csv_file.close()


if __name__ == '__main__':
    main()
