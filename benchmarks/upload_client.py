"""One timed spreadsheet upload, run in its own process.

Usage: python upload_client.py URL CERT GRADEBOOK_UUID CSV [--cpu-only]

Works with pylmod 2 and with PyLmod 1.0.2 (the server's CA comes from the
REQUESTS_CA_BUNDLE environment variable, which both honour).  Prints one JSON
line: seconds end to end (constructor, reads, CSV, multiGrades; the import
of pylmod is left out, as the floor leaves out that of requests) and the
peak resident memory of this process.

With ``--cpu-only`` the students and assignments are fetched first, untimed,
and ``multi_grade`` only keeps the grade array: what is timed (in CPU
seconds) is the work between the CSV file and the request, which 1.0.x did in
time proportional to rows x students.
"""
import json
import sys
import time

from measure import peak_rss_mb


def main() -> None:
    url, cert, gradebook_uuid, csv_path = sys.argv[1:5]
    cpu_only = '--cpu-only' in sys.argv[5:]
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
            import pylmod.upload  # noqa: F401 - pylmod 2 imports it lazily
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
    response, _ = gradebook.spreadsheet2gradebook(csv_path)
    seconds = (time.process_time() if cpu_only
               else time.perf_counter()) - started
    print(json.dumps({
        'seconds': seconds,
        'peak_rss_mb': peak_rss_mb(),
        'num_failures': (response.get('data') or {}).get('numFailures'),
    }))


if __name__ == '__main__':
    main()
