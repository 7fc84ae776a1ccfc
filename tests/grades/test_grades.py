"""Tests of pylmod.grades: the pieces the upload, the export and the Open edX
grade push share, used without a GradeBook."""
import pickle

import pytest
import requests

from pylmod.exceptions import PyLmodCSVError, PyLmodMissingColumn
from pylmod.grades import (
    CONFIRMED,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    BatchSender,
    GradeUpload,
    UploadOptions,
    UploadReport,
    multigrade_entry,
    read_stored_grades,
    upload_rows,
)

ALL_STORED = {'status': 1, 'message': '',
              'data': {'numFailures': 0, 'results': []}}


class MemoryGradebook:
    """A gradebook that is not a pylmod.GradeBook: only the methods of the
    pylmod.grades.Gradebook protocol, answering from memory."""

    def __init__(self):
        self.students = [{'accountEmail': 'ada@example.edu', 'studentId': 1},
                         {'accountEmail': 'bob@example.edu', 'studentId': 2}]
        self.assignments = [{'name': 'Quiz 1', 'assignmentId': 10}]
        self.created = []
        self.sent = []

    def get_assignments(self):
        return list(self.assignments)

    def get_students(self):
        return self.students

    def create_assignment(self, name, short_name, weight, max_points,
                          due_date_str):
        assignment_id = 10 + len(self.assignments)
        self.created.append((name, max_points))
        self.assignments.append({'name': name,
                                 'assignmentId': assignment_id})
        return {'data': {'assignmentId': assignment_id}}

    def get_assignment_by_name(self, assignment_name):
        for assignment in self.assignments:
            if assignment['name'] == assignment_name:
                return assignment['assignmentId'], assignment
        return None, None

    def multi_grade(self, grade_array):
        self.sent.append(list(grade_array))
        return ALL_STORED


ROWS = [{'External email': 'Ada@example.edu', 'Quiz 1': '7', 'Quiz 2': '3',
         'max': '20', 'normalize': '0'},
        {'External email': 'bob@example.edu', 'Quiz 1': '', 'Quiz 2': '4',
         'max': '20', 'normalize': '0'}]


# An upload driven by any object with the Gradebook methods -----------------

def test_an_upload_takes_any_gradebook_like_object():
    gradebook = MemoryGradebook()
    report = UploadReport()
    response, seconds = upload_rows(gradebook, ROWS, UploadOptions(
        non_assignment_fields=('max', 'normalize'),
        use_max_points_column=True, max_points_column='max',
        normalize_column='normalize', batch_size=2), report=report)
    assert gradebook.created == [('Quiz 2', 20.0)]
    assert gradebook.sent == [
        [multigrade_entry(1, 10, 7.0), multigrade_entry(1, 11, 3.0)],
        [multigrade_entry(2, 11, 4.0)]]
    assert response['data'] == {'numFailures': 0, 'results': []}
    assert seconds >= 0
    assert report.ok and report.requests_sent == 2
    assert report.created_assignments == {'Quiz 2': 11}
    assert [(cell.line, cell.column) for cell in report.skipped_cells] == [
        (3, 'Quiz 1')]


def test_dry_run_is_given_once_to_the_upload():
    gradebook = MemoryGradebook()
    upload = GradeUpload.with_options(gradebook, UploadOptions(
        non_assignment_fields=('max', 'normalize'), dry_run=True))
    upload.read(ROWS)
    upload.send()
    assert gradebook.created == [] and gradebook.sent == []
    assert upload.report.created_assignments == {'Quiz 2': None}
    assert upload.report.status_counts()[DRY_RUN] == 3
    assert upload.report.response['message'] == 'dry run: not sent'


def test_the_uploads_entries_are_those_of_multigrade_entry():
    # The upload writes its entries inline (a call per grade would cost a
    # tenth of its time): they must stay what multigrade_entry builds, keys
    # in the same order.
    gradebook = MemoryGradebook()
    upload_rows(gradebook, ROWS[:1], UploadOptions(
        non_assignment_fields=['max', 'normalize'], approve_grades=True))
    sent = gradebook.sent[0][0]
    expected = multigrade_entry(1, 10, 7.0, approved=True)
    assert sent == expected and list(sent) == list(expected)


def test_multigrade_entry_of_an_overall_grade():
    assert multigrade_entry(5, None, 'A', overall=True) == {
        'studentId': 5, 'assignmentId': None, 'letterGradeValue': 'A',
        'mode': 1, 'isGradeApproved': False}


# A missing email column ------------------------------------------------------

def test_a_missing_email_column_names_the_column_and_the_header():
    with pytest.raises(PyLmodMissingColumn) as raised:
        upload_rows(MemoryGradebook(), [{'Email': 'a@b.c', 'Quiz 1': '1'}],
                    UploadOptions(non_assignment_fields=()))
    error = raised.value
    assert isinstance(error, PyLmodCSVError) and isinstance(error, ValueError)
    assert error.column == 'External email'
    assert error.columns == ['Email', 'Quiz 1']
    assert str(error) == (
        "line 2: no 'External email' column with the students' emails; the "
        "columns are 'Email', 'Quiz 1'. Pass email_field= to name the email "
        "column.")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.column, copy.columns) == (
        PyLmodMissingColumn, str(error), error.column, error.columns)


# The one batch-sending routine ----------------------------------------------

GRADES = [multigrade_entry(student, 10, 1.0) for student in range(5)]


def test_batch_sender_sends_in_batches_and_classifies():
    sent = []

    def multi_grade(batch):
        sent.append(batch)
        if len(sent) == 2:
            return {'status': 1, 'data': {'numFailures': 1, 'results': [
                dict(batch[0], message='locked')]}}
        return ALL_STORED

    sender = BatchSender(multi_grade, batch_size=2)
    sender.send(GRADES)
    assert [len(batch) for batch in sent] == [2, 2, 1]
    assert sender.requests_sent == 3 and sender.error is None
    assert [status for status, _ in sender.statuses] == [
        CONFIRMED, CONFIRMED, FAILED, CONFIRMED, CONFIRMED]
    assert sender.response()['data']['numFailures'] == 1


def test_batch_sender_stops_at_a_failed_request():
    calls = []

    def multi_grade(batch):
        calls.append(batch)
        if len(calls) == 2:
            raise requests.ConnectionError('reset')
        return ALL_STORED

    sender = BatchSender(multi_grade, batch_size=2,
                         describe_error=lambda err: 'lost: {0}'.format(err))
    with pytest.raises(requests.ConnectionError):
        sender.send(GRADES)
    # Batch 1 confirmed, batch 2 (in flight) unconfirmed, batch 3 not sent.
    assert sender.statuses == [(CONFIRMED, '')] * 2 + [
        (UNCONFIRMED, 'lost: reset')] * 2
    assert sender.requests_sent == 2 and sender.in_flight == 2
    assert isinstance(sender.error, requests.ConnectionError)
    assert len(calls) == 2


def test_batch_sender_dry_run_and_empty_sends():
    nothing = BatchSender(lambda batch: pytest.fail('sent'), dry_run=True)
    nothing.send(GRADES)
    assert nothing.statuses == [(DRY_RUN, '')] * 5
    assert nothing.requests_sent == 0
    empty = []
    sender = BatchSender(lambda batch: empty.append(batch) or ALL_STORED)
    sender.send([])
    assert empty == [] and sender.response() == {}
    sender.send([], at_least_one=True)  # what 1.0.x did
    assert empty == [[]] and sender.requests_sent == 1


@pytest.mark.parametrize('batch_size', [0, -3])
def test_batch_sender_needs_a_positive_batch_size(batch_size):
    with pytest.raises(ValueError, match='batch_size must be at least 1'):
        BatchSender(lambda batch: ALL_STORED, batch_size)


def test_an_upload_stopped_by_a_request_reports_the_rest_not_sent():
    gradebook = MemoryGradebook()
    gradebook.multi_grade = lambda batch: (_ for _ in ()).throw(
        requests.ReadTimeout('slow'))
    report = UploadReport()
    with pytest.raises(requests.ReadTimeout) as raised:
        upload_rows(gradebook, ROWS, UploadOptions(
            non_assignment_fields=('max', 'normalize'), batch_size=2),
            report=report)
    assert raised.value.upload_report is report
    assert [(grade.status, grade.message) for grade in report.grades] == [
        (UNCONFIRMED, 'slow')] * 2 + [
        (NOT_SENT, 'not sent: an earlier request failed')]


# Stored grades ---------------------------------------------------------------

STUDENT = {
    'studentAssignmentInfo': [
        {'assignmentId': 7, 'numericGradeValue': 0.5, 'letterGradeValue': None,
         'specialGradeValue': None},
        # Excused: no number, whatever numericGradeValue says.
        {'assignmentId': 8, 'numericGradeValue': 3.0,
         'specialGradeValue': 'x'},
        {'assignmentId': 9, 'numericGradeValue': None,
         'letterGradeValue': 'B'},
        {'assignmentId': None, 'numericGradeValue': 1.0},
        'not an entry',
    ],
    'overallGradeInformation': {'letterGradeValue': 'A'},
}


def test_stored_grades_of_a_student():
    stored = read_stored_grades(STUDENT)
    assert stored.numbers() == {7: 0.5, 8: None, 9: None}
    assert stored.by_assignment[8].special == 'x'
    assert stored.by_assignment[8].numeric == 3.0
    assert stored.by_assignment[9].letter == 'B'
    assert stored.overall_letter == 'A'


@pytest.mark.parametrize('student', [
    {}, {'studentAssignmentInfo': None, 'overallGradeInformation': None},
    {'overallGradeInformation': {'letterGradeValue': ''}}])
def test_a_student_without_stored_grades(student):
    stored = read_stored_grades(student)
    assert stored.numbers() == {} and stored.overall_letter is None


def test_export_and_grade_push_read_stored_grades_alike():
    from pylmod.cli.export import stored_grades
    from pylmod.openedx.grades import OVERALL_GRADE, held_grades
    assert stored_grades(STUDENT) == {7: 0.5, 8: None, 9: None}
    assert held_grades(STUDENT) == {7: 0.5, 8: None, 9: None,
                                    OVERALL_GRADE: 'A'}
