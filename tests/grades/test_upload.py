"""Tests of the spreadsheet2gradebook pipeline (pylmod.grades; pylmod.upload
and pylmod.spreadsheet, its pylmod 2.0 paths, keep their names).

Parsing and classification are plain unit tests; uploads run against LMod
answers registered with ``responses`` (see the ``mocked_gradebook``
fixture), and the report says what became of every grade.
"""
import csv
import dataclasses
import importlib
import io
import json
import logging
import math
import shutil
from pathlib import Path

import pytest
import requests

import pylmod.grades.assignments as assignments_module
from pylmod.exceptions import (
    PyLmodAssignmentNotConfirmed,
    PyLmodCSVError,
    PyLmodFailedAssignmentCreation,
)
from pylmod.grades import (
    CONFIRMED,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    GradeLedger,
    GradeOutcome,
    GradeUpload,
    UploadReport,
    classify_multigrade_response,
    guess_delimiter,
    merge_multigrade_responses,
    open_grade_csv,
    parse_grade,
)

ROOT = 'https://learning-modules-test.mit.edu:8443/service/gradebook/'
GRADEBOOK_ID = 1293808
MULTIGRADES = ROOT + 'multiGrades/{0}'.format(GRADEBOOK_ID)
DATA_DIR = Path(__file__).parents[1] / 'data'
TWO_ASSIGNMENTS = DATA_DIR / 'grades_two_assignments.csv'
CSV_HEADER = 'External email,midterm1,AB Assignment 01\n'

#: The names pylmod 2.0.0 exported from pylmod.upload and pylmod.spreadsheet.
UPLOAD_2_0_NAMES = (
    'ALTERNATE_EMAIL_FIELD', 'AMBIGUOUS_ERRORS', 'CONFIRMED',
    'CONFIRMED_STATUS', 'CREATED_DUE_DATE', 'CREATE_ATTEMPTS',
    'DEFAULT_BATCH_SIZE', 'DEFAULT_EMAIL_FIELD', 'DRY_RUN', 'FAILED',
    'GradeLedger', 'GradeOutcome', 'GradeUpload', 'NON_ASSIGNMENT_FIELDS',
    'NOT_SENT', 'STATUSES', 'SkippedCell', 'UNCONFIRMED', 'UploadReport',
    'check_batch_size', 'classify_multigrade_response', 'csv_read_error',
    'guess_delimiter', 'header_columns', 'index_assignments',
    'index_students', 'merge_multigrade_responses', 'numbered_rows',
    'open_grade_csv', 'parse_grade')
SPREADSHEET_2_0_NAMES = (
    'ALTERNATE_EMAIL_FIELD', 'DEFAULT_EMAIL_FIELD', 'DELIMITERS',
    'NON_ASSIGNMENT_FIELDS', 'csv_read_error', 'guess_delimiter',
    'header_columns', 'numbered_rows', 'open_grade_csv', 'parse_grade')


@pytest.mark.parametrize('path, names', [
    ('pylmod.upload', UPLOAD_2_0_NAMES),
    ('pylmod.spreadsheet', SPREADSHEET_2_0_NAMES),
])
def test_the_names_of_pylmod_2_0_import_from_its_paths(path, names):
    module = importlib.import_module(path)
    assert sorted(module.__all__) == sorted(names)
    for name in names:
        value = getattr(module, name)
        if callable(value):  # the very function or class of pylmod.grades
            assert value.__module__.startswith('pylmod.grades.'), name
            home = importlib.import_module(value.__module__)
            assert getattr(home, name) is value


def grade(student_id, assignment_id, value):
    return {'studentId': student_id, 'assignmentId': assignment_id,
            'numericGradeValue': value, 'mode': 2, 'isGradeApproved': False}


@pytest.fixture
def lmod(lmod_mock, lmod_payload):
    """``lmod_mock`` answering the assignments and students lookups."""
    lmod_mock.get(ROOT + 'assignments/{0}'.format(GRADEBOOK_ID),
                  json=lmod_payload('assignments_response'))
    lmod_mock.get(ROOT + 'students/{0}'.format(GRADEBOOK_ID),
                  json=lmod_payload('students_response'))
    return lmod_mock


def sent_grades(lmod_mock):
    """The grade arrays of the multiGrades requests made, in order."""
    return [json.loads(call.request.body) for call in lmod_mock.calls
            if call.request.url == MULTIGRADES]


def upload(gradebook, csv_file, **options):
    report = UploadReport()
    result = gradebook.spreadsheet2gradebook(str(csv_file), report=report,
                                             **options)
    return result, report


# Cells ---------------------------------------------------------------------

@pytest.mark.parametrize('cell, expected', [
    ('', (None, 'empty')),
    ('   ', (None, 'empty')),
    (None, (None, 'empty')),
    ('0', (0.0, '')),
    (' 7.5 ', (7.5, '')),
    ('1e2', (100.0, '')),
    (3, (3.0, '')),
    ('nan', (None, 'not a finite number')),
    ('inf', (None, 'not a finite number')),
    ('-Infinity', (None, 'not a finite number')),
    ('absent', (None, 'not a number')),
])
def test_parse_grade(cell, expected):
    assert parse_grade(cell) == expected


def test_parse_grade_returns_a_float():
    number, _ = parse_grade('4')
    assert isinstance(number, float) and math.isfinite(number)


@pytest.mark.parametrize('header, delimiter', [
    ('External email,midterm1\n', ','),
    ('External email;midterm1\n', ';'),
    ('External email\tmidterm1\n', '\t'),
    ('External email;midterm1,final\n', ','),
    ('External email\n', ','),
    ('"Name, Full";External email;midterm1\n', ';'),
    ('', ','),
    (None, ','),
])
def test_guess_delimiter(header, delimiter):
    assert guess_delimiter(header) == delimiter


# Reading files -------------------------------------------------------------

def test_open_grade_csv_strips_byte_order_mark(tmp_path):
    path = tmp_path / 'bom.csv'
    path.write_bytes(b'\xef\xbb\xbf' + TWO_ASSIGNMENTS.read_bytes())
    with open_grade_csv(str(path)) as rows:
        assert rows.fieldnames[0] == 'External email'
        assert next(rows)['midterm1'] == '88'


def test_open_grade_csv_guesses_semicolons(tmp_path):
    path = tmp_path / 'semicolons.csv'
    path.write_text(TWO_ASSIGNMENTS.read_text().replace(',', ';'))
    with open_grade_csv(str(path)) as rows:
        assert rows.fieldnames == ['External email', 'midterm1',
                                   'AB Assignment 01']
        assert next(rows)['AB Assignment 01'] == '1.0'


def test_open_grade_csv_takes_a_file_object_and_a_delimiter():
    text = io.StringIO('External email|midterm1\nx@y.z|3\n')
    with open_grade_csv(text, delimiter='|') as rows:
        assert list(rows) == [{'External email': 'x@y.z', 'midterm1': '3'}]


@pytest.mark.parametrize('bad_line', [1, 2, 4])
def test_non_utf8_bytes_name_the_file_and_line(mocked_gradebook, lmod,
                                               tmp_path, bad_line):
    lines = TWO_ASSIGNMENTS.read_bytes().splitlines(keepends=True)
    lines[bad_line - 1] = lines[bad_line - 1].replace(b'e', b'\xe9', 1)
    path = tmp_path / 'latin1.csv'
    path.write_bytes(b''.join(lines))
    lmod.assert_all_requests_are_fired = False
    with pytest.raises(PyLmodCSVError) as raised:
        mocked_gradebook.spreadsheet2gradebook(str(path))
    assert isinstance(raised.value, ValueError)
    message = str(raised.value)
    assert str(path) in message
    assert 'line {0} is not valid UTF-8'.format(bad_line) in message
    assert sent_grades(lmod) == []


def test_non_utf8_bytes_deep_in_a_file_stop_the_upload_with_its_report(
        mocked_gradebook, lmod, tmp_path):
    # Far beyond the first block the text layer decodes: the upload has
    # started when the bad bytes are met.
    rows = [b'stellar.test2@gmail.com,1,2\n'] * 5000
    path = tmp_path / 'late_latin1.csv'
    path.write_bytes(CSV_HEADER.encode() + b''.join(rows)
                     + b'benfranklin@mit.edu,\xe9,3\n')
    with pytest.raises(PyLmodCSVError) as raised:
        mocked_gradebook.spreadsheet2gradebook(str(path))
    assert 'line 5002 is not valid UTF-8' in str(raised.value)
    report = raised.value.upload_report
    assert report.error is raised.value
    assert 0 < report.rows_read < 5001
    assert report.status_counts()[NOT_SENT] == 2
    assert sent_grades(lmod) == []


def test_missing_email_column_lists_the_columns(mocked_gradebook, lmod,
                                                tmp_path):
    path = tmp_path / 'no_email.csv'
    path.write_text('Email,midterm1\nstellar.test2@gmail.com,3\n')
    with pytest.raises(PyLmodCSVError) as raised:
        mocked_gradebook.spreadsheet2gradebook(str(path))
    message = str(raised.value)
    assert "'External email'" in message
    assert "'Email', 'midterm1'" in message
    assert 'email_field=' in message
    assert sent_grades(lmod) == []


def test_documented_external_email_spelling_is_accepted(mocked_gradebook,
                                                        lmod, lmod_payload,
                                                        tmp_path):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    path = tmp_path / 'underscore.csv'
    path.write_text('External_email,midterm1\nstellar.test2@gmail.com,3\n')
    mocked_gradebook.spreadsheet2gradebook(str(path))
    assert sent_grades(lmod) == [[grade(1145, 16708850, 3.0)]]


def test_email_field_names_the_email_column(mocked_gradebook, lmod,
                                            lmod_payload, tmp_path):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    path = tmp_path / 'mail.csv'
    path.write_text('Mail,External email,midterm1\n'
                    'stellar.test2@gmail.com,ignored,3\n')
    mocked_gradebook.spreadsheet2gradebook(str(path), email_field='Mail')
    assert sent_grades(lmod) == [[grade(1145, 16708850, 3.0)]]


# What the report says ------------------------------------------------------

def test_report_of_a_clean_upload(mocked_gradebook, lmod, lmod_payload):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    (response, _), report = upload(mocked_gradebook, TWO_ASSIGNMENTS)
    assert response == lmod_payload('multigrade_all_stored_response')
    assert report.ok
    assert report.rows_read == 4
    assert report.unknown_emails == [(5, 'nobody@example.com')]
    assert [(cell.line, cell.column, cell.reason)
            for cell in report.skipped_cells] == [(4, 'midterm1', 'empty')]
    assert len(report.with_status(CONFIRMED)) == 5
    assert report.requests_sent == 1
    # Assignments and students are fetched once, grades sent in one request.
    assert [call.request.method for call in lmod.calls] == [
        'GET', 'GET', 'POST']


def test_cells_that_are_not_numbers_are_skipped_and_reported(
        mocked_gradebook, lmod, lmod_payload):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook, DATA_DIR / 'grades_not_numbers.csv')
    assert sent_grades(lmod) == [[grade(1146, 16708851, 0.75)]]
    assert [(cell.line, cell.column, cell.value, cell.reason)
            for cell in report.skipped_cells] == [
        (2, 'midterm1', 'nan', 'not a finite number'),
        (2, 'AB Assignment 01', 'inf', 'not a finite number'),
        (3, 'midterm1', 'absent', 'not a number'),
    ]


def test_duplicate_student_rows_last_wins_and_reported(mocked_gradebook,
                                                       lmod, lmod_payload):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook,
                       DATA_DIR / 'grades_duplicate_student.csv')
    assert sent_grades(lmod) == [[grade(1145, 16708850, 70.0),
                                  grade(1146, 16708850, 60.0)]]
    assert report.duplicates == [(4, 2, 'midterm1')]
    assert [outcome.line for outcome in report.grades] == [4, 3]


def test_failures_in_the_response_are_reported(mocked_gradebook, lmod,
                                               lmod_payload):
    lmod.post(MULTIGRADES,
              json=lmod_payload('multigrade_one_failure_response'))
    (response, _), report = upload(mocked_gradebook, TWO_ASSIGNMENTS)
    assert response['data']['numFailures'] == 1
    failed = report.with_status(FAILED)
    assert [(outcome.line, outcome.assignment, outcome.message)
            for outcome in failed] == [
        (3, 'midterm1', 'grade is not editable')]
    assert len(report.with_status(CONFIRMED)) == 4
    assert not report.ok


def test_dry_run_sends_nothing(mocked_gradebook, lmod, tmp_path):
    path = tmp_path / 'new.csv'
    path.write_text('External email,midterm1,Quiz 7\n'
                    'stellar.test2@gmail.com,3,4\n')
    (response, _), report = upload(mocked_gradebook, path, dry_run=True)
    assert [call.request.method for call in lmod.calls] == ['GET', 'GET']
    assert report.created_assignments == {'Quiz 7': None}
    assert [outcome.status for outcome in report.grades] == [DRY_RUN] * 2
    assert response['data']['numFailures'] == 0


def test_dry_run_with_several_new_assignments_keeps_every_grade(
        mocked_gradebook, lmod, tmp_path):
    # Assignments still to create have no id in a dry run: their grades
    # must not be taken for duplicates of one another.
    path = tmp_path / 'new.csv'
    path.write_text('External email,Quiz 7,Quiz 8\n'
                    'stellar.test2@gmail.com,3,4\n')
    _, report = upload(mocked_gradebook, path, dry_run=True)
    assert report.created_assignments == {'Quiz 7': None, 'Quiz 8': None}
    assert [(outcome.assignment, outcome.grade['numericGradeValue'])
            for outcome in report.grades] == [('Quiz 7', 3.0), ('Quiz 8', 4.0)]
    assert report.duplicates == []


# classify / merge ------------------------------------------------------------

GRADES = [grade(1145, 16708850, 1.0), grade(1146, 16708850, 0.5),
          grade(1147, 16708850, 0.25)]


def test_classify_all_stored(lmod_payload):
    assert classify_multigrade_response(
        GRADES, lmod_payload('multigrade_all_stored_response')) == [
        (CONFIRMED, '')] * 3


def test_classify_identified_failure(lmod_payload):
    assert classify_multigrade_response(
        GRADES, lmod_payload('multigrade_one_failure_response')) == [
        (CONFIRMED, ''), (FAILED, 'grade is not editable'), (CONFIRMED, '')]


def test_classify_unidentified_failures_leave_the_rest_unconfirmed():
    outcomes = classify_multigrade_response(GRADES, {
        'status': 1, 'data': {'numFailures': 2, 'results': [
            dict(GRADES[0], message='locked')]}})
    assert outcomes[0] == (FAILED, 'locked')
    assert [status for status, _ in outcomes[1:]] == [UNCONFIRMED] * 2
    assert 'reported 2 failures and identified 1' in outcomes[1][1]


def test_classify_failed_request(lmod_payload):
    assert classify_multigrade_response(
        GRADES, lmod_payload('error_response')) == [
        (FAILED, 'details about the error')] * 3


@pytest.mark.parametrize('response', [
    {'status': -1, 'message': 'gradebook locked', 'data': {}},
    {'status': -1, 'message': 'gradebook locked',
     'data': {'numFailures': 0, 'results': []}},
])
def test_classify_failing_status_with_empty_data(response):
    assert classify_multigrade_response(GRADES, response) == [
        (FAILED, 'gradebook locked')] * 3


def test_classify_failing_status_beside_identified_failures():
    outcomes = classify_multigrade_response(GRADES, {
        'status': -1, 'message': 'partly stored', 'data': {
            'numFailures': 1, 'results': [dict(GRADES[1], message='no')]}})
    assert outcomes[1] == (FAILED, 'no')
    assert [status for status, _ in outcomes] == [
        UNCONFIRMED, FAILED, UNCONFIRMED]


@pytest.mark.parametrize('num_failures', ['2', 'two'])
def test_classify_counts_failures_given_as_text(num_failures):
    outcomes = classify_multigrade_response(GRADES, {
        'status': 1, 'data': {'numFailures': num_failures, 'results': []}})
    assert [status for status, _ in outcomes] == [UNCONFIRMED] * 3


@pytest.mark.parametrize('response', [None, [], 'OK'])
def test_classify_unexpected_response(response):
    assert [status for status, _ in classify_multigrade_response(
        GRADES, response)] == [UNCONFIRMED] * 3


def test_merge_sums_failures_and_concatenates_results():
    first = {'status': 1, 'message': 'ok', 'data': {
        'numFailures': 1, 'results': [{'studentId': 1}]}}
    second = {'status': -1, 'message': 'partly', 'data': {
        'numFailures': 2, 'results': [{'studentId': 2}, {'studentId': 3}]}}
    assert merge_multigrade_responses([first, second]) == {
        'status': -1, 'message': 'partly', 'data': {
            'numFailures': 3, 'results': [
                {'studentId': 1}, {'studentId': 2}, {'studentId': 3}]}}
    assert merge_multigrade_responses([first]) is first


# Batches -------------------------------------------------------------------

def test_default_batch_size_makes_one_request(mocked_gradebook, lmod,
                                              lmod_payload):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    upload(mocked_gradebook, TWO_ASSIGNMENTS)
    assert [len(grades) for grades in sent_grades(lmod)] == [5]


def test_batches_split_and_merge(mocked_gradebook, lmod, lmod_payload):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    lmod.post(MULTIGRADES,
              json=lmod_payload('multigrade_one_failure_response'))
    lmod.post(MULTIGRADES,
              json=lmod_payload('multigrade_one_failure_response'))
    (response, _), report = upload(mocked_gradebook, TWO_ASSIGNMENTS,
                                   batch_size=2)
    batches = sent_grades(lmod)
    assert [len(grades) for grades in batches] == [2, 2, 1]
    assert sum(batches, []) == [
        grade(1145, 16708850, 88.0), grade(1145, 16708851, 1.0),
        grade(1146, 16708850, 72.5), grade(1146, 16708851, 0.5),
        grade(1147, 16708851, 0.25)]
    failure = lmod_payload('multigrade_one_failure_response')['data']
    assert response['data']['numFailures'] == 2
    assert response['data']['results'] == failure['results'] * 2
    assert report.requests_sent == 3
    # The failure (student 1146, midterm1) is in batch 2 only.
    assert [outcome.status for outcome in report.grades] == [
        CONFIRMED, CONFIRMED, FAILED, CONFIRMED, UNCONFIRMED]


@pytest.mark.parametrize('batch_size', [0, -1])
def test_batch_size_must_be_positive(mocked_gradebook, lmod_mock,
                                     batch_size):
    # Said before any request: not after reading the students.
    with pytest.raises(ValueError, match='batch_size must be at least 1'):
        upload(mocked_gradebook, TWO_ASSIGNMENTS, batch_size=batch_size)
    assert len(lmod_mock.calls) == 0


def test_failing_batch_stops_the_upload(mocked_gradebook, lmod,
                                        lmod_payload):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    lmod.post(MULTIGRADES, body=requests.ConnectionError('connection reset'))
    with pytest.raises(requests.ConnectionError) as raised:
        upload(mocked_gradebook, TWO_ASSIGNMENTS, batch_size=2)
    report = raised.value.upload_report
    assert report.error is raised.value
    assert [outcome.status for outcome in report.grades] == [
        CONFIRMED, CONFIRMED, UNCONFIRMED, UNCONFIRMED, NOT_SENT]
    assert 'connection reset' in report.grades[2].message
    assert 'earlier request failed' in report.grades[4].message
    assert report.requests_sent == 2
    # Batch 1 was not sent again, batch 3 not at all.
    assert [len(grades) for grades in sent_grades(lmod)] == [2, 2]


# Assignments created on the way ----------------------------------------------

NEW_ASSIGNMENT_CSV = DATA_DIR / 'grades_new_assignment.csv'


def created_assignments_response(lmod_payload):
    """The assignments once 'Quiz 7' (id 18490492) exists."""
    response = lmod_payload('assignments_response')
    response['data'].append(dict(response['data'][0], name='Quiz 7',
                                 assignmentId=18490492))
    return response


def create_calls(lmod_mock):
    return [call for call in lmod_mock.calls
            if call.request.url == ROOT + 'assignment']


def test_creation_timeout_looks_the_assignment_up(mocked_gradebook, lmod,
                                                  lmod_payload):
    lmod.post(ROOT + 'assignment', body=requests.ReadTimeout('read timeout'))
    lmod.get(ROOT + 'assignments/{0}'.format(GRADEBOOK_ID),
             json=created_assignments_response(lmod_payload))
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook, NEW_ASSIGNMENT_CSV)
    assert len(create_calls(lmod)) == 1
    assert report.created_assignments == {'Quiz 7': 18490492}
    assert sent_grades(lmod) == [[grade(1145, 18490492, 8.0),
                                  grade(1146, 18490492, 9.0)]]


def test_creation_timeout_is_not_repeated_when_not_found(
        mocked_gradebook, lmod, lmod_payload, monkeypatch):
    # Looked for at once and after each wait (none here): never there.
    monkeypatch.setattr(assignments_module, 'LATE_COMMIT_WAITS', (0, 0, 0))
    lmod.post(ROOT + 'assignment', body=requests.ReadTimeout('read timeout'))
    with pytest.raises(PyLmodAssignmentNotConfirmed) as raised:
        upload(mocked_gradebook, NEW_ASSIGNMENT_CSV)
    assert isinstance(raised.value, PyLmodFailedAssignmentCreation)
    assert isinstance(raised.value, requests.RequestException)
    assert raised.value.name == 'Quiz 7'
    assert "'Quiz 7' ended without an answer (PyLmodTimeout" in str(
        raised.value)
    assert 'does not create it a second time' in str(raised.value)
    assert len(create_calls(lmod)) == 1
    lookups = [call for call in lmod.calls if call.request.url.startswith(
        ROOT + 'assignments/')]
    assert len(lookups) == 1 + 4  # the resolver's, then four lookups
    assert sent_grades(lmod) == []
    assert raised.value.upload_report.error is raised.value


def test_creation_5xx_is_an_unknown_outcome(mocked_gradebook, lmod,
                                            lmod_payload, monkeypatch):
    # A 500 to a create may come after the commit: look before anything.
    monkeypatch.setattr(assignments_module, 'LATE_COMMIT_WAITS', (0,))
    lmod.post(ROOT + 'assignment', status=500,
              json={'error': 'database unavailable'})
    lmod.get(ROOT + 'assignments/{0}'.format(GRADEBOOK_ID),
             json=lmod_payload('assignments_response'))
    lmod.get(ROOT + 'assignments/{0}'.format(GRADEBOOK_ID),
             json=created_assignments_response(lmod_payload))
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook, NEW_ASSIGNMENT_CSV)
    assert len(create_calls(lmod)) == 1
    assert report.created_assignments == {'Quiz 7': 18490492}
    assert report.ok


def test_upload_from_a_copied_file_object(mocked_gradebook, lmod,
                                          lmod_payload, tmp_path):
    # A caller's open file (with its own name) works like a path.
    path = tmp_path / 'copy.csv'
    shutil.copy(TWO_ASSIGNMENTS, path)
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    with open(path, newline='', encoding='utf-8') as csv_file:
        mocked_gradebook.spreadsheet2gradebook(csv_file)
    assert [len(grades) for grades in sent_grades(lmod)] == [5]


# Rows read as lists and rows given as dictionaries ---------------------------

# Every irregular row in one file: a blank line, a short row (its missing
# cell is empty), surplus cells, a cell that is not a number, an unknown
# email, and a student with three rows: the second one fills a column the
# first left empty, the third replaces both.
MESSY_CSV = (
    'External email,midterm1,AB Assignment 01\n'
    'stellar.test2@gmail.com,50,\n'             # line 2: Assignment 01 empty
    '\n'                                        # line 3: blank
    'benfranklin@mit.edu,60\n'                  # line 4: short row
    'JeanneChiang@gmail.com,70,7,surplus\n'     # line 5: surplus cell
    'nobody@example.com,1,2\n'                  # line 6: unknown email
    'Stellar.Test2@gmail.com,,5\n'              # line 7: fills Assignment 01
    'benfranklin@mit.edu,absent,6\n'            # line 8: not a number
    'stellar.test2@gmail.com,55,8\n'            # line 9: replaces both
)


def report_contents(report):
    return {
        'rows_read': report.rows_read,
        'grades': [(outcome.line, outcome.email, outcome.assignment,
                    outcome.grade, outcome.status, outcome.message)
                   for outcome in report.grades],
        'skipped': [(cell.line, cell.column, cell.value, cell.reason)
                    for cell in report.skipped_cells],
        'unknown': report.unknown_emails,
        'duplicates': report.duplicates,
        'summary': report.summary(),
    }


def test_irregular_rows_of_a_file(mocked_gradebook, lmod, lmod_payload,
                                  tmp_path):
    path = tmp_path / 'messy.csv'
    path.write_text(MESSY_CSV)
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook, path)
    # The short row (4) and the one with a surplus cell (5) are not sent:
    # their values may be shifted.
    assert sent_grades(lmod) == [[
        grade(1145, 16708850, 55.0), grade(1145, 16708851, 8.0),
        grade(1146, 16708851, 6.0)]]
    contents = report_contents(report)
    assert [(line, email, column, status) for line, email, column, _, status,
            _ in contents['grades']] == [
        (9, 'stellar.test2@gmail.com', 'midterm1', CONFIRMED),
        (9, 'stellar.test2@gmail.com', 'AB Assignment 01', CONFIRMED),
        (8, 'benfranklin@mit.edu', 'AB Assignment 01', CONFIRMED)]
    short = 'row has 2 cells, the header 3: not sent'
    long = 'row has 4 cells, the header 3: not sent'
    assert contents['skipped'] == [
        (2, 'AB Assignment 01', '', 'empty'),
        (4, 'External email', 'benfranklin@mit.edu', short),
        (4, 'midterm1', '60', short),
        (5, 'External email', 'JeanneChiang@gmail.com', long),
        (5, 'midterm1', '70', long),
        (5, 'AB Assignment 01', '7', long),
        (5, '', 'surplus', long),
        (7, 'midterm1', '', 'empty'),
        (8, 'midterm1', 'absent', 'not a number')]
    assert [cell.email for cell in report.skipped_cells] == [
        'stellar.test2@gmail.com', 'benfranklin@mit.edu',
        'benfranklin@mit.edu'] + ['JeanneChiang@gmail.com'] * 4 + [
        'Stellar.Test2@gmail.com', 'benfranklin@mit.edu']
    assert contents['unknown'] == [(6, 'nobody@example.com')]
    assert contents['duplicates'] == [(9, 2, 'midterm1'),
                                      (9, 7, 'AB Assignment 01')]
    assert contents['rows_read'] == 7
    assert contents['summary']['grades'] == 3
    assert contents['summary'][CONFIRMED] == 3


@pytest.mark.parametrize('rows, text', [
    # A list has no line numbers: rows are counted, so no blank line here;
    # and None is an empty cell there (as 1.0.x callers write one), so a
    # short row is not known as such: none here.
    pytest.param(lambda text: list(csv.DictReader(text)),
                 MESSY_CSV.replace('\n\n', '\n').replace(
                     'benfranklin@mit.edu,60\n', 'benfranklin@mit.edu,60,\n'),
                 id='list of dicts'),
    pytest.param(lambda text: type('Reader', (csv.DictReader,), {})(text),
                 MESSY_CSV, id='DictReader subclass'),
])
def test_rows_as_dictionaries_give_the_same_upload(
        mocked_gradebook, lmod, lmod_payload, tmp_path, rows, text):
    # _spreadsheet2gradebook_multi takes any rows of dictionaries (1.0.x
    # callers pass their own); a plain DictReader is read as lists.  Both
    # ways must send and report the same.
    path = tmp_path / 'messy.csv'
    path.write_text(text)
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, from_file = upload(mocked_gradebook, path)
    from_rows = UploadReport()
    mocked_gradebook._spreadsheet2gradebook_multi(
        rows(io.StringIO(text)), 'External email', ['External email'],
        report=from_rows)
    first, second = sent_grades(lmod)
    assert first == second
    assert report_contents(from_rows) == report_contents(from_file)


HUGE_CELL_ON_LINE_3 = (CSV_HEADER + 'stellar.test2@gmail.com,1,2\n'
                       'benfranklin@mit.edu,"' + 'x' * 200000 + '",3\n')


def test_csv_syntax_error_names_the_file_and_line(mocked_gradebook, lmod,
                                                   tmp_path):
    path = tmp_path / 'huge_cell.csv'
    path.write_text(HUGE_CELL_ON_LINE_3)
    with pytest.raises(PyLmodCSVError, match=r'huge_cell.csv: line 3: '
                       r'field larger than field limit'):
        upload(mocked_gradebook, path)
    assert sent_grades(lmod) == []


def test_csv_syntax_error_in_rows_as_dictionaries_names_the_line(
        mocked_gradebook, lmod):
    reader = type('Reader', (csv.DictReader,), {})(
        io.StringIO(HUGE_CELL_ON_LINE_3))
    with pytest.raises(PyLmodCSVError, match=r'^line 3: field larger'):
        mocked_gradebook._spreadsheet2gradebook_multi(
            reader, 'External email', ['External email'])


def test_report_grades_are_built_once_when_read(mocked_gradebook, lmod,
                                                lmod_payload):
    lmod.post(MULTIGRADES,
              json=lmod_payload('multigrade_one_failure_response'))
    _, report = upload(mocked_gradebook, TWO_ASSIGNMENTS)
    counts = report.status_counts()
    assert counts == {CONFIRMED: 4, FAILED: 1, UNCONFIRMED: 0, NOT_SENT: 0,
                      DRY_RUN: 0}
    grades = report.grades
    assert report.grades is grades
    assert {status: sum(1 for outcome in grades if outcome.status == status)
            for status in counts} == counts
    # Once built, the records are the report: a caller may annotate them.
    grades[0].status = NOT_SENT
    assert report.status_counts()[NOT_SENT] == 1


def test_a_repeated_header_name_stops_the_upload_before_any_change(
        mocked_gradebook, lmod, tmp_path):
    # Which of the two cells is the grade?  1.0.x (and csv.DictReader)
    # silently kept the last.
    path = tmp_path / 'repeated.csv'
    path.write_text('midterm1,External email,midterm1,Brand New\n'
                    '1,stellar.test2@gmail.com,2,3\n')
    with pytest.raises(PyLmodCSVError) as raised:
        upload(mocked_gradebook, path)
    assert str(raised.value).startswith(
        "{0}: line 1: column 1 (A) and column 3 (C) are both named "
        "'midterm1'".format(path))
    assert [call.request.method for call in lmod.calls] == ['GET', 'GET']


def test_grades_not_confirmed_are_logged_by_line_without_emails(
        mocked_gradebook, lmod, lmod_payload, caplog):
    # For callers who do not ask for a report (1.0.x code reading only the
    # response): a warning says which lines LMod did not confirm.
    lmod.post(MULTIGRADES,
              json=lmod_payload('multigrade_one_failure_response'))
    with caplog.at_level(logging.INFO, logger='pylmod'):
        mocked_gradebook.spreadsheet2gradebook(str(TWO_ASSIGNMENTS))
    above_debug = [record.getMessage() for record in caplog.records
                   if record.levelno > logging.DEBUG]
    assert ('LMod did not confirm 1 of 5 grades (lines 3): see the '
            "response's data.results or the upload report") in above_debug
    assert not [message for message in above_debug if '@' in message]


def test_a_clean_upload_warns_of_nothing(mocked_gradebook, lmod,
                                         lmod_payload, caplog):
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    with caplog.at_level(logging.WARNING, logger='pylmod'):
        mocked_gradebook.spreadsheet2gradebook(str(TWO_ASSIGNMENTS))
    # Only the row of an email no student has.
    assert [record.getMessage() for record in caplog.records] == [
        'Error in spreadsheet2gradebook: line 5 matches no student of the '
        'gradebook']


# What the first rows decide -------------------------------------------------

def test_assignments_are_created_from_the_first_row_of_a_student(
        mocked_gradebook, lmod, lmod_payload, tmp_path):
    # As in 1.0.x, a row matching no student (or without an email) creates
    # nothing and gives no max points.
    path = tmp_path / 'max_points.csv'
    path.write_text('External email,max_pts,normalize,Quiz 7\n'
                    'nobody@example.com,50,0,\n'
                    ',40,0,3\n'
                    'stellar.test2@gmail.com,10,0,7\n')
    lmod.post(ROOT + 'assignment',
              json=lmod_payload('create_assignment_response'))
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    upload(mocked_gradebook, path, use_max_points_column=True,
           max_points_column='max_pts', normalize_column='normalize')
    [created] = create_calls(lmod)
    assert json.loads(created.request.body)['maxPointsTotal'] == 10.0


@pytest.mark.parametrize('dry_run', [False, True])
def test_no_assignment_is_created_for_rows_of_no_student(
        mocked_gradebook, lmod, lmod_payload, tmp_path, dry_run):
    path = tmp_path / 'nobody.csv'
    path.write_text('External email,Quiz 7\nnobody@example.com,5\n')
    if not dry_run:
        lmod.post(MULTIGRADES,
                  json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook, path, dry_run=dry_run)
    assert create_calls(lmod) == []
    assert report.created_assignments == {}
    # The row is reported as an unknown email, not its cells.
    assert report.unknown_emails == [(2, 'nobody@example.com')]
    assert report.skipped_cells == []


def test_a_row_with_surplus_cells_is_not_sent_and_each_cell_reported(
        mocked_gradebook, lmod, lmod_payload, tmp_path):
    path = tmp_path / 'surplus.csv'
    path.write_text(CSV_HEADER + 'stellar.test2@gmail.com,,1,surplus\n'
                    'benfranklin@mit.edu,4,5\n')
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    _, report = upload(mocked_gradebook, path)
    assert sent_grades(lmod) == [[grade(1146, 16708850, 4.0),
                                  grade(1146, 16708851, 5.0)]]
    reason = 'row has 4 cells, the header 3: not sent'
    assert [(cell.column, cell.value, cell.reason, cell.email)
            for cell in report.skipped_cells] == [
        ('External email', 'stellar.test2@gmail.com', reason,
         'stellar.test2@gmail.com'),
        ('midterm1', '', reason, 'stellar.test2@gmail.com'),
        ('AB Assignment 01', '1', reason, 'stellar.test2@gmail.com'),
        ('', 'surplus', reason, 'stellar.test2@gmail.com')]


def test_rows_read_before_a_bad_line_are_counted(mocked_gradebook, lmod,
                                                 tmp_path):
    path = tmp_path / 'bad_line.csv'
    path.write_text(CSV_HEADER + 'stellar.test2@gmail.com,1,2\n'
                    'benfranklin@mit.edu,3,4\n'
                    'JeanneChiang@gmail.com,"' + 'x' * 200000 + '",5\n')
    report = UploadReport()
    with pytest.raises(PyLmodCSVError, match='line 4'):
        mocked_gradebook.spreadsheet2gradebook(str(path), report=report)
    assert report.rows_read == 2
    # Read, never sent: the report says so.
    assert report.status_counts()[NOT_SENT] == 4
    assert not report.ok


def test_a_report_given_to_two_uploads_adds_them_up(mocked_gradebook, lmod,
                                                    lmod_payload, tmp_path):
    first, second = tmp_path / 'first.csv', tmp_path / 'second.csv'
    first.write_text('External email,midterm1\nstellar.test2@gmail.com,1\n')
    second.write_text('External email,midterm1\nbenfranklin@mit.edu,2\n')
    lmod.post(MULTIGRADES, json=lmod_payload('multigrade_all_stored_response'))
    report = UploadReport()
    mocked_gradebook.spreadsheet2gradebook(str(first), report=report)
    assert [outcome.line for outcome in report.grades] == [2]
    mocked_gradebook.spreadsheet2gradebook(str(second), report=report)
    assert [(outcome.email, outcome.status) for outcome in report.grades] == [
        ('stellar.test2@gmail.com', CONFIRMED),
        ('benfranklin@mit.edu', CONFIRMED)]
    assert report.summary()['grades'] == 2
    assert report.rows_read == 2 and report.requests_sent == 2


def test_upload_report_grades_can_be_given_and_set():
    outcome = GradeOutcome(2, 'a@example.com', 'midterm1',
                           grade(1, 2, 3.0), CONFIRMED)
    report = UploadReport(grades=[outcome])
    assert report.grades == [outcome] and report.ok
    report.grades = []
    assert report.summary()['grades'] == 0
    assert dataclasses.asdict(UploadReport(grades=[]))['grades'] == []
    assert UploadReport(grades=[outcome]) == UploadReport(grades=[outcome])


def test_an_interrupt_leaves_the_batch_in_flight_unconfirmed(
        mocked_gradebook, lmod, lmod_payload):
    def interrupted(request):
        raise KeyboardInterrupt

    lmod.add_callback('POST', MULTIGRADES, callback=interrupted)
    report = UploadReport()
    with pytest.raises(KeyboardInterrupt):
        mocked_gradebook.spreadsheet2gradebook(
            str(TWO_ASSIGNMENTS), report=report, batch_size=3)
    assert [outcome.status for outcome in report.grades] == [
        UNCONFIRMED] * 3 + [NOT_SENT] * 2
    assert report.error is not None


def test_merge_adds_failure_counts_given_as_text():
    merged = merge_multigrade_responses([
        {'status': 1, 'data': {'numFailures': '1', 'results': [{'a': 1}]}},
        {'status': 1, 'data': {'numFailures': '0', 'results': []}}])
    assert merged['data'] == {'numFailures': 1, 'results': [{'a': 1}]}


# The report read while, or after, an upload stops ---------------------------

class StubGradeBook:
    """What GradeUpload needs of a GradeBook, answering from memory; runs
    ``before_request(n)`` before the n-th multiGrades request."""

    def __init__(self, students=3, before_request=None):
        self.students = [{'accountEmail': 's{0}@example.edu'.format(number),
                          'studentId': number}
                         for number in range(students)]
        self.before_request = before_request or (lambda number: None)
        self.requests = 0

    def get_assignments(self):
        return [{'name': 'A', 'assignmentId': 10},
                {'name': 'B', 'assignmentId': 11}]

    def get_students(self):
        return self.students

    def multi_grade(self, grades):
        self.requests += 1
        self.before_request(self.requests)
        return {'status': 1, 'message': '',
                'data': {'numFailures': 0, 'results': []}}


def read_upload(gradebook, students=3):
    upload = GradeUpload(gradebook, 'External email', ['External email'])
    upload.read(csv.DictReader(io.StringIO('External email,A,B\n' + ''.join(
        's{0}@example.edu,{0},{0}\n'.format(number)
        for number in range(students)))))
    return upload


def test_a_report_read_before_the_grades_are_sent_is_not_kept():
    # Read between read() and send(), the records say "not sent"; read
    # after, they say what LMod answered (the early read is not kept).
    upload = read_upload(StubGradeBook())
    assert [outcome.status for outcome in upload.report.grades] == [
        NOT_SENT] * 6
    upload.send(batch_size=4)
    grades = upload.report.grades
    assert [outcome.status for outcome in grades] == [CONFIRMED] * 6
    assert upload.report.grades is grades  # built once the upload stopped
    assert upload.report.ok


def test_an_upload_stopped_while_reading_reports_what_it_read(
        mocked_gradebook, lmod, tmp_path):
    path = tmp_path / 'bad_line.csv'
    path.write_text(CSV_HEADER + 'stellar.test2@gmail.com,1,2\n'
                    'benfranklin@mit.edu,"' + 'x' * 200000 + '",5\n')
    report = UploadReport()
    with pytest.raises(PyLmodCSVError) as raised:
        mocked_gradebook.spreadsheet2gradebook(str(path), report=report)
    assert raised.value.upload_report is report
    assert report.error is raised.value
    grades = report.grades
    assert report.grades is grades  # built once: the upload has stopped
    assert [(outcome.line, outcome.status, outcome.message)
            for outcome in grades] == [
        (2, NOT_SENT, 'not sent: the upload stopped while reading '
         '(PyLmodCSVError)')] * 2


def test_an_upload_is_sent_once():
    upload = read_upload(StubGradeBook())
    upload.send()
    with pytest.raises(RuntimeError, match='stopped already'):
        upload.send()
    assert upload.report.summary()[CONFIRMED] == 6


def test_a_dictreader_has_read_every_line_after_the_upload():
    reader = csv.DictReader(io.StringIO(
        'External email,A\ns0@example.edu,1\n\ns1@example.edu,2\n'))
    upload = GradeUpload(StubGradeBook(), 'External email',
                         ['External email'])
    upload.read(reader)
    assert reader.line_num == 4


def test_warnings_of_unconfirmed_grades_build_no_records(
        mocked_gradebook, lmod, lmod_payload, monkeypatch, caplog):
    def no_records(ledger):
        raise AssertionError('records built')

    monkeypatch.setattr(GradeLedger, 'outcomes', no_records)
    lmod.post(MULTIGRADES,
              json=lmod_payload('multigrade_one_failure_response'))
    with caplog.at_level(logging.WARNING, logger='pylmod'):
        mocked_gradebook.spreadsheet2gradebook(str(TWO_ASSIGNMENTS))
    assert any('did not confirm 1 of 5 grades (lines 3)' in record.message
               for record in caplog.records)
