"""The CPU work of an upload in instructions, which a shared machine's load
does not change (not part of the test suite).

Usage::

    PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no \\
        --cachegrind-out-file=/dev/null python benchmarks/instructions.py \\
        --students 20000 --input path
    # the same with --setup-only: what is not the upload

Run it twice, with and without ``--setup-only``, and subtract the ``I refs``
valgrind prints: the difference is the work from the grades to the
``multiGrades`` array (what ``upload_client.py --cpu-only`` times), with
the students and assignments in memory and no request made.  ``--src DIR``
imports pylmod from another checkout (e.g. ``main``), to compare two
versions back to back.
"""
import argparse
import csv
import io
import os
import sys
import tempfile

ASSIGNMENTS = ['Homework {0}'.format(number) for number in range(1, 6)]
NON_ASSIGNMENT_FIELDS = ['ID', 'Username', 'Full Name', 'edX email',
                         'External email']


class MemoryGradebook:
    """The methods of a GradeBook an upload calls, answered from memory;
    ``multi_grade`` keeps nothing."""

    def __init__(self, students: int) -> None:
        self.students = [{'studentId': 100000 + index,
                          'accountEmail': 'student{0}@example.edu'.format(
                              index)}
                         for index in range(students)]
        self.assignments = [{'assignmentId': 6000001 + index, 'name': name}
                            for index, name in enumerate(ASSIGNMENTS)]

    def get_students(self, *args, **kwargs):
        return self.students

    def get_assignments(self, *args, **kwargs):
        return self.assignments

    def multi_grade(self, grades, *args, **kwargs):
        return {'status': 1, 'message': '',
                'data': {'numFailures': 0, 'results': []}}


def write_csv(students: int, path: str) -> None:
    """The grades of benchmarks/run.py: five assignments per student."""
    with open(path, 'w', newline='', encoding='utf-8') as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(['External email'] + ASSIGNMENTS)
        for index in range(students):
            writer.writerow(['student{0}@example.edu'.format(index)] + [
                round((index * 7 + column * 3) % 101 / 10, 1)
                for column in range(len(ASSIGNMENTS))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--students', type=int, default=20000)
    parser.add_argument('--input', choices=('path', 'dictreader', 'list'),
                        default='path')
    parser.add_argument('--setup-only', action='store_true')
    parser.add_argument('--src', help='import pylmod from this checkout')
    options = parser.parse_args()
    if options.src:
        sys.path.insert(0, os.path.abspath(options.src))
    from pylmod.grades import upload_csv, upload_rows
    try:
        from pylmod.grades import UploadOptions
    except ImportError:  # before the options object (--src of an older one)
        UploadOptions = None
    work = tempfile.mkdtemp(prefix='pylmod-instructions-')
    path = os.path.join(work, 'grades.csv')
    write_csv(options.students, path)
    gradebook = MemoryGradebook(options.students)
    with open(path, newline='', encoding='utf-8') as csv_file:
        text = csv_file.read()
    rows = (list(csv.DictReader(io.StringIO(text)))
            if options.input == 'list' else None)

    def upload(rows, email_field, non_assignment_fields, **kwargs):
        if UploadOptions is not None:
            return upload_rows(gradebook, rows, UploadOptions(
                email_field=email_field,
                non_assignment_fields=non_assignment_fields, **kwargs))
        return upload_rows(gradebook, rows, email_field,
                           non_assignment_fields, **kwargs)

    if options.setup_only:
        return
    if options.input == 'path' and UploadOptions is not None:
        upload_csv(gradebook, path, UploadOptions())
    elif options.input == 'path':
        upload_csv(upload, path)
    elif options.input == 'dictreader':
        with open(path, newline='', encoding='utf-8') as csv_file:
            upload(csv.DictReader(csv_file), 'External email',
                   NON_ASSIGNMENT_FIELDS)
    else:
        upload(rows, 'External email', NON_ASSIGNMENT_FIELDS)


if __name__ == '__main__':
    main()
