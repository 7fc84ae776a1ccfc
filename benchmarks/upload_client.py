"""One timed spreadsheet upload, run in its own process.

Usage: python upload_client.py URL CERT GRADEBOOK_UUID CSV

Works with pylmod 2 and with PyLmod 1.0.2 (the server's CA comes from the
REQUESTS_CA_BUNDLE environment variable, which both honour).  Prints one JSON
line: seconds end to end (constructor, reads, CSV, multiGrades) and the peak
resident memory of this process.
"""
import json
import resource
import sys
import time


def main() -> None:
    url, cert, gradebook_uuid, csv_path = sys.argv[1:5]
    started = time.perf_counter()
    from pylmod import GradeBook
    gradebook = GradeBook(cert, url, gradebook_uuid)
    response, _ = gradebook.spreadsheet2gradebook(csv_path)
    seconds = time.perf_counter() - started
    failures = (response.get('data') or {}).get('numFailures')
    print(json.dumps({
        'seconds': seconds,
        'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'num_failures': failures,
    }))


if __name__ == '__main__':
    main()
