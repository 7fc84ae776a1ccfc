"""A spreadsheet never changes the gradebook by accident.

Uploads to the fake LMod (mutual TLS, the demo course) of files as
instructors' spreadsheets come: each case of the fuzzing that found them
(issue 14) is a test here, checked against what the fake stores.  What the
library reads is in tests/grades/test_upload.py; the property-based tests
are in tests/grades/test_spreadsheet_properties.py.
"""
import codecs
import csv
import decimal
import io

import pytest
import requests

from pylmod import GradeBook
from pylmod.exceptions import (
    PyLmodCSVError,
    PyLmodDuplicateAssignment,
    PyLmodTooManyNewAssignments,
)
from pylmod.grades import (
    ALREADY_CONFIRMED,
    CONFIRMED,
    MAX_NEW_ASSIGNMENTS,
    NOT_SENT,
    UNCONFIRMED,
    BatchSender,
    UploadReport,
    check_header,
    parse_grade,
)
from pylmod.testing import DEMO_GRADEBOOK_ID, DEMO_GRADEBOOK_UUID

JEANNE, STELLAR1, MOLLY = 1143, 1144, 1145
MIDTERM = 16708850
HEADER = 'External email,Full Name,HW1,HW2\n'


class Snapshot:
    """What the fake holds of the demo gradebook, to compare with later."""

    def __init__(self, fake):
        self.fake = fake
        self.grades = fake.stored_grades(DEMO_GRADEBOOK_ID)
        self.assignments = fake.assignments(DEMO_GRADEBOOK_ID)

    def unchanged(self):
        return (self.fake.stored_grades(DEMO_GRADEBOOK_ID) == self.grades
                and self.fake.assignments(DEMO_GRADEBOOK_ID)
                == self.assignments)

    def new_grades(self):
        """``(student, assignment name) -> value`` stored since."""
        names = {assignment['assignmentId']: assignment['name'] for
                 assignment in self.fake.assignments(DEMO_GRADEBOOK_ID)}
        return {(student, names[assignment]): value for
                (student, assignment), value in
                self.fake.stored_grades(DEMO_GRADEBOOK_ID).items()
                if self.grades.get((student, assignment)) != value}

    def new_assignments(self):
        before = {assignment['assignmentId']
                  for assignment in self.assignments}
        return [assignment['name'] for assignment
                in self.fake.assignments(DEMO_GRADEBOOK_ID)
                if assignment['assignmentId'] not in before]


@pytest.fixture
def before(lmod_fake):
    return Snapshot(lmod_fake)


def upload(gradebook, text, tmp_path, name='grades.csv', **options):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding='utf-8')
    report = UploadReport()
    gradebook.spreadsheet2gradebook(str(path), report=report, **options)
    return report


def failed_upload(gradebook, text, tmp_path, error=PyLmodCSVError,
                  **options):
    with pytest.raises(error) as raised:
        upload(gradebook, text, tmp_path, **options)
    return raised.value


# -- rows whose cells do not line up with the header ------------------------

def test_a_comma_in_a_name_sends_nothing_of_that_row(gradebook, before,
                                                     tmp_path):
    # 1.0.x and pylmod 2.0 sent HW1=3 and HW2=55, shifted: the file means
    # 55 and 66.
    report = upload(gradebook, HEADER
                    + 'stellar.test2@gmail.com,Doe, 3,55,66\n'
                    'stellar.test1@gmail.com,Test,1,2\n', tmp_path,
                    max_new_assignments=2)
    assert before.new_grades() == {(STELLAR1, 'HW1'): 1.0,
                                   (STELLAR1, 'HW2'): 2.0}
    reason = 'row has 5 cells, the header 4: not sent'
    assert [(cell.line, cell.column, cell.value, cell.reason, cell.email)
            for cell in report.skipped_cells] == [
        (2, column, value, reason, 'stellar.test2@gmail.com')
        for column, value in (('External email', 'stellar.test2@gmail.com'),
                              ('Full Name', 'Doe'), ('HW1', ' 3'),
                              ('HW2', '55'), ('', '66'))]


@pytest.mark.parametrize('rows, short_rows_known', [
    pytest.param(lambda text: csv.DictReader(io.StringIO(text)), True,
                 id='csv.DictReader'),
    pytest.param(lambda text: type('Reader', (csv.DictReader,), {})(
        io.StringIO(text)), True, id='DictReader subclass'),
    pytest.param(lambda text: csv.DictReader(io.StringIO(text), restval=''),
                 True, id='DictReader with restval'),
    # In a list, None is an empty cell, as 1.0.x callers write one: a short
    # row is not known as such there.
    pytest.param(lambda text: list(csv.DictReader(io.StringIO(text))),
                 False, id='list of dicts'),
])
def test_rows_of_the_wrong_width_are_not_sent_whatever_the_reader(
        gradebook, before, rows, short_rows_known):
    text = (HEADER + 'stellar.test2@gmail.com,"Parker, Molly",5,6\n'
            'stellar.test1@gmail.com,Test, Stellar,7,8\n'   # one too many
            'jeannechiang@gmail.com,Chiang,9\n')             # one too few
    report = UploadReport()
    gradebook._spreadsheet2gradebook_multi(
        rows(text), 'External email', ['External email', 'Full Name'],
        report=report, max_new_assignments=2)
    sent = {(MOLLY, 'HW1'): 5.0, (MOLLY, 'HW2'): 6.0}
    rejected = {(3, 'row has 5 cells, the header 4: not sent'): [
        'stellar.test1@gmail.com', 'Test', ' Stellar', '7', '8']}
    if short_rows_known:
        rejected[(4, 'row has 3 cells, the header 4: not sent')] = [
            'jeannechiang@gmail.com', 'Chiang', '9']
    else:
        sent[(JEANNE, 'HW1')] = 9.0
    assert before.new_grades() == sent
    assert {key: [cell.value for cell in report.skipped_cells
                  if (cell.line, cell.reason) == key]
            for key in rejected} == rejected
    assert len(report.skipped_cells) == sum(map(len, rejected.values())) + (
        0 if short_rows_known else 1)  # the empty HW2 of the list's row


def test_none_in_rows_given_as_dictionaries_is_an_empty_cell(gradebook,
                                                             before):
    # As 1.0.x callers write rows; surplus cells (key None) are not sent.
    report = UploadReport()
    gradebook._spreadsheet2gradebook_multi(
        [{'External email': 'stellar.test2@gmail.com', 'midterm1': None,
          'final': 3},
         {'External email': 'stellar.test1@gmail.com', 'midterm1': 4,
          'final': decimal.Decimal('5.5'), None: ['surplus']}],
        'External email', ['External email'], report=report)
    assert before.new_grades() == {(MOLLY, 'final'): 3.0}
    assert [(cell.line, cell.column, cell.reason)
            for cell in report.skipped_cells] == [
        (2, 'midterm1', 'empty')] + [
        (3, column, 'row has 4 cells, the header 3: not sent')
        for column in ('External email', 'midterm1', 'final', '')]


# -- the header -------------------------------------------------------------

def test_a_repeated_column_name_changes_nothing(gradebook, before, tmp_path):
    # 1.0.x sent 7 and dropped 5 without a word.
    error = failed_upload(gradebook, 'External email,HW1,HW1,Brand New\n'
                          'stellar.test2@gmail.com,5,7,1\n', tmp_path)
    assert "line 1: column 2 (B) and column 3 (C) are both named 'HW1'" in (
        str(error))
    assert before.unchanged()


def test_a_trailing_delimiter_creates_no_unnamed_assignment(
        gradebook, before, tmp_path):
    report = upload(gradebook, 'External email,HW1,HW2,\n'
                    'stellar.test2@gmail.com,5,6,\n'
                    'stellar.test1@gmail.com,7,8\n'
                    'jeannechiang@gmail.com,9,10,oops\n', tmp_path,
                    max_new_assignments=2)
    assert before.new_assignments() == ['HW1', 'HW2']
    assert before.new_grades() == {
        (MOLLY, 'HW1'): 5.0, (MOLLY, 'HW2'): 6.0, (STELLAR1, 'HW1'): 7.0,
        (STELLAR1, 'HW2'): 8.0, (JEANNE, 'HW1'): 9.0, (JEANNE, 'HW2'): 10.0}
    assert [(cell.line, cell.column, cell.value, cell.reason)
            for cell in report.skipped_cells] == [
        (4, '', 'oops', 'the column has no name in the header')]


@pytest.mark.parametrize('header, message', [
    ('External email,HW1, ,HW2', "line 1, column 3 (C): the header cell is "
                                 "empty"),
    (',External email,HW1', 'line 1, column 1 (A): the header cell is empty'),
])
def test_an_unnamed_column_between_named_ones_changes_nothing(
        gradebook, before, tmp_path, header, message):
    error = failed_upload(gradebook, header + '\n'
                          'stellar.test2@gmail.com,5,6,7\n', tmp_path)
    assert message in str(error)
    assert before.unchanged()


def test_check_header_counts_the_named_columns():
    assert check_header(['External email', 'HW1', '', ' ']) == 2
    for empty in ([], ['', ' ']):
        with pytest.raises(PyLmodCSVError,
                           match='line 1: the header names no column'):
            check_header(empty)
    with pytest.raises(PyLmodCSVError,
                       match=r'column 1 \(A\) and column 27 \(AA\)'):
        check_header(['c{0}'.format(number) for number in range(26)]
                     + ['c0'])


# -- the whole file is read before any change -----------------------------

def test_bad_bytes_at_the_end_change_nothing(gradebook, before, tmp_path):
    # pylmod 2.0 named the line, after "Brand New Column" was created.
    rows = b''.join(b'stellar.test2@gmail.com,1,2\n' for _ in range(2998))
    error = failed_upload(
        gradebook, b'External email,midterm1,Brand New Column\n' + rows
        + b'stellar.test1@gmail.com,\xe9,3\n', tmp_path)
    assert str(error).startswith(
        str(tmp_path / 'grades.csv') + ': line 3000 is not valid UTF-8')
    assert 'encoding=' in str(error)
    assert before.unchanged()
    assert error.upload_report.status_counts()[NOT_SENT] == 2


def test_a_csv_syntax_error_at_the_end_changes_nothing(gradebook, before,
                                                        tmp_path):
    error = failed_upload(gradebook, 'External email,Brand New\n'
                          'stellar.test2@gmail.com,1\n'
                          'stellar.test1@gmail.com,"' + 'x' * 200000
                          + '"\n', tmp_path)
    assert 'line 3: field larger than field limit' in str(error)
    assert before.unchanged()


@pytest.mark.parametrize('given_as', ['path', 'dictreader'])
def test_a_csv_syntax_error_in_the_header_changes_nothing(
        gradebook, before, tmp_path, given_as):
    # Python < 3.11 also refuses a NUL byte there; a bare csv.Error came out.
    text = '"' + 'x' * 200000 + '",External email\nstellar.test2@gmail.com\n'
    if given_as == 'path':
        error = failed_upload(gradebook, text, tmp_path)
    else:
        with pytest.raises(PyLmodCSVError) as raised:
            gradebook._spreadsheet2gradebook_multi(
                csv.DictReader(io.StringIO(text)), 'External email', [])
        error = raised.value
    assert 'line 1: field larger than field limit' in str(error)
    assert before.unchanged()


def test_the_max_points_of_a_new_assignment_come_from_the_first_known_row(
        gradebook, before, lmod_fake, tmp_path):
    upload(gradebook, 'External email,max,norm,Quiz 9\n'
           'nobody@example.com,50,0,1\n'
           'stellar.test2@gmail.com,10,0,\n'
           'stellar.test1@gmail.com,20,0,7\n', tmp_path,
           use_max_points_column=True, max_points_column='max',
           normalize_column='norm')
    [quiz] = [assignment for assignment in lmod_fake.assignments(
        DEMO_GRADEBOOK_ID) if assignment['name'] == 'Quiz 9']
    assert quiz['maxPointsTotal'] == 10.0
    assert before.new_grades() == {(STELLAR1, 'Quiz 9'): 7.0}


# -- creating assignments ---------------------------------------------------

def test_more_new_assignments_than_allowed_change_nothing(gradebook, before,
                                                          tmp_path):
    names = ['Quiz {0}'.format(number) for number in range(25)]
    text = ('External email,' + ','.join(names) + '\n'
            'stellar.test2@gmail.com,' + ','.join(['1'] * 25) + '\n')
    error = failed_upload(gradebook, text, tmp_path,
                          PyLmodTooManyNewAssignments)
    assert error.names == names and error.limit == MAX_NEW_ASSIGNMENTS == 20
    assert ("the file would create 25 new assignments, more than the 20 "
            "allowed: 'Quiz 0', 'Quiz 1'") in str(error)
    assert "'Quiz 19' and 5 more; nothing was created or sent" in str(error)
    assert 'max_new_assignments=25' in str(error)
    assert before.unchanged()
    upload(gradebook, text, tmp_path, max_new_assignments=25)
    assert before.new_assignments() == names


def test_a_wide_header_creates_only_the_columns_with_grades(
        gradebook, before, tmp_path):
    # pylmod 2.0 created an assignment per column: 19,875 before it was
    # stopped.
    names = ['C{0}'.format(number) for number in range(100000)]
    cells = [''] * 100000
    cells[7], cells[99999] = '1', '2'
    report = upload(gradebook, 'External email,' + ','.join(names) + '\n'
                    'stellar.test2@gmail.com,' + ','.join(cells) + '\n',
                    tmp_path)
    assert before.new_assignments() == ['C7', 'C99999']
    assert before.new_grades() == {(MOLLY, 'C7'): 1.0, (MOLLY, 'C99999'): 2.0}
    assert len(report.columns_without_grades) == 99998
    assert list(report.created_assignments) == ['C7', 'C99999']


def test_a_column_without_grades_gets_no_assignment(gradebook, before,
                                                    tmp_path):
    report = upload(gradebook, 'External email,Notes,midterm1\n'
                    'stellar.test2@gmail.com,,5\n', tmp_path,
                    max_new_assignments=0)
    assert before.new_assignments() == []
    assert report.columns_without_grades == ['Notes']
    assert before.new_grades() == {(MOLLY, 'midterm1'): 5.0}


def test_a_name_two_assignments_share_changes_nothing(gradebook, lmod_fake,
                                                      tmp_path):
    first = gradebook.create_assignment('Problem Set 1', 'PS1', 1.0, 10.0,
                                        '12-15-2026')['data']['assignmentId']
    second = gradebook.create_assignment('Problem Set 1', 'PS1', 1.0, 10.0,
                                         '12-15-2026')['data']['assignmentId']
    before = Snapshot(lmod_fake)
    error = failed_upload(gradebook, 'External email,midterm1,Problem Set 1\n'
                          'stellar.test2@gmail.com,5,6\n', tmp_path,
                          PyLmodDuplicateAssignment)
    assert error.assignment_ids == [first, second]
    assert ("the gradebook has 2 assignments named 'Problem Set 1' (ids {0}, "
            "{1})".format(first, second)) in str(error)
    assert before.unchanged()
    # A file without that column is not concerned.
    upload(gradebook, 'External email,midterm1\n'
           'stellar.test2@gmail.com,5\n', tmp_path)
    assert before.new_grades() == {(MOLLY, 'midterm1'): 5.0}


# -- numbers ----------------------------------------------------------------

@pytest.mark.parametrize('cell, number', [
    ('7', 7.0), (' -0.5 ', -0.5), ('.5', 0.5), ('+3.', 3.0), ('1e2', 100.0),
    ('1E-1', 0.1), ('007', 7.0), ('\u00a07.5\u00a0', 7.5), (3, 3.0),
    (2.5, 2.5), (decimal.Decimal('1.25'), 1.25),
])
def test_numbers_as_a_spreadsheet_writes_them(cell, number):
    assert parse_grade(cell) == (number, '')


@pytest.mark.parametrize('cell, reason', [
    ('1_0', "not a number (a spreadsheet number has no '_')"),
    ('１２', 'not a number (digits other than 0-9)'),
    ('\u0661\u0662', 'not a number (digits other than 0-9)'),
    ('0x1A', 'not a number'),
    ('1 234', 'not a number'),
    ('50%', 'not a number'),
    ('inf', 'not a finite number'),
    ('-Infinity', 'not a finite number'),
    ('nan', 'not a finite number'),
    ('1e999', 'not a finite number'),
    (float('nan'), 'not a finite number'),
    (True, 'not a number'),
    (b'1', 'not a number'),
    ('1,5', 'not a number (a decimal comma is read only in files delimited '
            'by ";" or tabs; write 1.5)'),
])
def test_what_float_reads_and_a_spreadsheet_does_not_mean(cell, reason):
    assert parse_grade(cell) == (None, reason)


@pytest.mark.parametrize('cell, expected', [
    ('1,5', (1.5, '')), (',5', (0.5, '')), ('-2,25', (-2.25, '')),
    ('1.5', (1.5, '')),
    ('1.234,5', (None, 'not a number (a comma is a decimal point only '
                       'between digits, once; no thousands separators)')),
    ('1,234.5', (None, 'not a number (a comma is a decimal point only '
                       'between digits, once; no thousands separators)')),
])
def test_decimal_commas(cell, expected):
    assert parse_grade(cell, decimal_comma=True) == expected


def test_a_semicolon_file_reads_decimal_commas(gradebook, before, tmp_path):
    report = upload(gradebook, 'External email;midterm1;final\n'
                    'stellar.test2@gmail.com;71,5;1_0\n', tmp_path)
    assert before.new_grades() == {(MOLLY, 'midterm1'): 71.5}
    assert [(cell.value, cell.reason) for cell in report.skipped_cells] == [
        ('1_0', "not a number (a spreadsheet number has no '_')")]


def test_decimal_commas_by_how_the_rows_are_given(gradebook, before):
    # A DictReader says its delimiter; a list of dictionaries does not, so
    # a decimal comma there is reported, not read (found by the property
    # test on Python 3.9).
    text = 'External email;midterm1\nstellar.test2@gmail.com;71,5\n'
    report = UploadReport()
    gradebook._spreadsheet2gradebook_multi(
        list(csv.DictReader(io.StringIO(text), delimiter=';')),
        'External email', ['External email'], report=report)
    assert before.new_grades() == {}
    assert [(cell.value, cell.reason) for cell in report.skipped_cells] == [
        ('71,5', 'not a number (a decimal comma is read only in files '
                 'delimited by ";" or tabs; write 1.5)')]
    gradebook._spreadsheet2gradebook_multi(
        csv.DictReader(io.StringIO(text), delimiter=';'),
        'External email', ['External email'])
    assert before.new_grades() == {(MOLLY, 'midterm1'): 71.5}


# -- encodings and file objects ---------------------------------------------

LATIN1 = ('External email,Full Name,midterm1\n'
          'stellar.test2@gmail.com,Molly Parker,5\n'
          'stellar.test1@gmail.com,José Test,6\n')


def test_a_binary_file_object_is_decoded(gradebook, before):
    with pytest.raises(PyLmodCSVError) as raised:
        gradebook.spreadsheet2gradebook(io.BytesIO(LATIN1.encode('latin-1')))
    assert str(raised.value).startswith('line 3 is not valid UTF-8 (byte '
                                        '0xe9')
    assert before.unchanged()
    gradebook.spreadsheet2gradebook(
        io.BytesIO(codecs.BOM_UTF8 + LATIN1.encode('utf-8')))
    assert before.new_grades() == {(MOLLY, 'midterm1'): 5.0,
                                   (STELLAR1, 'midterm1'): 6.0}


def test_a_binary_file_in_another_encoding(gradebook, before, tmp_path):
    path = tmp_path / 'latin1.csv'
    path.write_bytes(LATIN1.encode('cp1252'))
    with open(path, 'rb') as binary:
        gradebook.spreadsheet2gradebook(binary, encoding='cp1252')
    assert before.new_grades() == {(MOLLY, 'midterm1'): 5.0,
                                   (STELLAR1, 'midterm1'): 6.0}


def test_a_path_in_another_encoding(gradebook, before, tmp_path):
    error = failed_upload(gradebook, LATIN1.encode('latin-1'), tmp_path)
    assert str(error).startswith('{0}: line 3 is not valid UTF-8'.format(
        tmp_path / 'grades.csv'))
    assert before.unchanged()
    upload(gradebook, LATIN1.encode('latin-1'), tmp_path, encoding='latin-1')
    assert before.new_grades() == {(MOLLY, 'midterm1'): 5.0,
                                   (STELLAR1, 'midterm1'): 6.0}


def test_a_text_file_opened_with_the_wrong_encoding_names_the_true_line(
        gradebook, before, tmp_path):
    path = tmp_path / 'late.csv'
    path.write_bytes(b'External email,midterm1\n'
                     + b'stellar.test2@gmail.com,5\n' * 5000
                     + b'stellar.test1@gmail.com,\xe96\n')
    with open(path, newline='', encoding='utf-8') as text:
        with pytest.raises(PyLmodCSVError) as raised:
            gradebook.spreadsheet2gradebook(text)
    assert str(raised.value).startswith(
        '{0}: line 5002 is not valid UTF-8'.format(path))
    assert before.unchanged()


def test_an_unknown_encoding(gradebook, before, tmp_path):
    error = failed_upload(gradebook, LATIN1, tmp_path, encoding='klingon')
    assert "unknown encoding 'klingon'" in str(error)
    assert before.unchanged()


# -- progress, interruptions and resuming -----------------------------------

def student_rows(fake, count):
    return 'External email,AB Assignment 02,final\n' + ''.join(
        '{0},{1},{2}\n'.format(student['accountEmail'], index, index + 0.5)
        for index, student in enumerate(fake.students(DEMO_GRADEBOOK_ID)
                                        [:count]))


def test_progress_is_told_per_request(gradebook, lmod_fake, tmp_path):
    calls = []
    text = student_rows(lmod_fake, 10).replace(',0.5\n', ',x\n')
    upload(gradebook, text, tmp_path, batch_size=8,
           progress=lambda *counts: calls.append(counts))
    assert calls == [(0, 0, 19), (8, 8, 19), (16, 16, 19), (19, 19, 19)]


def test_progress_counts_what_lmod_confirmed(gradebook, lmod_fake, tmp_path):
    calls = []
    lmod_fake.add_gradebook({'gradebookId': 77, 'uuid': 'x', 'students': [],
                             'assignments': []})
    gradebook.spreadsheet2gradebook(
        io.StringIO(student_rows(lmod_fake, 3)), batch_size=4,
        progress=lambda *counts: calls.append(counts))
    assert calls[-1] == (6, 6, 6)


def test_resuming_sends_only_what_was_not_confirmed(
        lmod_fake, lmod_server, tmp_path):
    gradebook = GradeBook(lmod_server.client_cert, lmod_server.url,
                          DEMO_GRADEBOOK_UUID, verify=lmod_server.ca_cert,
                          retries=0)
    text = student_rows(lmod_fake, 10)
    requests_made = []
    send = gradebook.multi_grade

    def drop_the_second(grades):
        requests_made.append(len(grades))
        if len(requests_made) == 2:
            lmod_server.drop_next(1, path_prefix='multiGrades/')
        return send(grades)

    gradebook.multi_grade = drop_the_second
    stopped = UploadReport()
    with pytest.raises(requests.ConnectionError):
        gradebook.spreadsheet2gradebook(io.StringIO(text), batch_size=6,
                                        report=stopped)
    statuses = [grade.status for grade in stopped.grades]
    assert statuses == [CONFIRMED] * 6 + [UNCONFIRMED] * 6 + [NOT_SENT] * 8
    confirmed = stopped.confirmed_grades()
    assert len(confirmed) == 6
    # A value changed since is sent again.
    text = text.replace('jeannechiang@gmail.com,0,0.5',
                        'jeannechiang@gmail.com,0,9')
    lmod_server.requests.clear()
    resumed = UploadReport()
    gradebook.spreadsheet2gradebook(io.StringIO(text), batch_size=6,
                                    report=resumed, resume_from=stopped)
    sent = [(grade['studentId'], grade['numericGradeValue'])
            for request in lmod_server.requests
            if 'multiGrades' in request.path for grade in request.body]
    assert len(sent) == 15 and (JEANNE, 9.0) in sent
    assert [(grade.line, grade.assignment, grade.status)
            for grade in resumed.already_confirmed] == [
        (2, 'AB Assignment 02', ALREADY_CONFIRMED), (3, 'AB Assignment 02',
        ALREADY_CONFIRMED), (3, 'final', ALREADY_CONFIRMED),
        (4, 'AB Assignment 02', ALREADY_CONFIRMED), (4, 'final',
        ALREADY_CONFIRMED)]
    assert resumed.summary()[ALREADY_CONFIRMED] == 5
    assert resumed.ok
    stored = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    final = [assignment['assignmentId'] for assignment in
             lmod_fake.assignments(DEMO_GRADEBOOK_ID)
             if assignment['name'] == 'final'][0]
    assert stored[(JEANNE, final)] == 9.0
    assert len(resumed.confirmed_grades()) == 20


def test_an_interrupt_after_an_answer_keeps_each_status_once():
    # Ctrl-C may come once the answer is classified (here: in the progress
    # callback): the grades have their status, none is added twice.
    def interrupt(sent, confirmed, total):
        if sent:
            raise KeyboardInterrupt

    sender = BatchSender(lambda batch: {'status': 1, 'data': {
        'numFailures': 0, 'results': []}}, batch_size=2, progress=interrupt)
    with pytest.raises(KeyboardInterrupt):
        sender.send([{'studentId': n, 'assignmentId': 1} for n in range(5)])
    assert sender.statuses == [(CONFIRMED, '')] * 2
    assert sender.in_flight == 0
