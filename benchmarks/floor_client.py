"""The floor of an upload: encode the grades and POST them once.

Usage: python floor_client.py URL CERT GRADEBOOK_ID GRADES_JSON

GRADES_JSON holds the grade array pylmod would send.  Timed: ``json.dumps``
of the array and one raw ``requests`` POST to ``multiGrades``; nothing else.
"""
import json
import sys
import time

import requests
from measure import peak_rss_mb


def main() -> None:
    url, cert, gradebook_id, grades_path = sys.argv[1:5]
    with open(grades_path, encoding='utf-8') as grades_file:
        grades = json.load(grades_file)
    session = requests.Session()
    session.cert = cert
    started = time.perf_counter()
    body = json.dumps(grades)
    response = session.post(
        '{0}service/gradebook/multiGrades/{1}'.format(url, gradebook_id),
        data=body, headers={'content-type': 'application/json'}, timeout=600)
    response.json()
    seconds = time.perf_counter() - started
    print(json.dumps({
        'seconds': seconds,
        'peak_rss_mb': peak_rss_mb(),
        'status': response.status_code,
    }))


if __name__ == '__main__':
    main()
