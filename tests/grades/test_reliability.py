"""No lost grades: uploads against the fake LMod with injected faults.

Every test uploads a real CSV file over mutual TLS to the fake LMod
(``lmod_server`` from ``pylmod.testing``), with faults injected just before
a chosen request, and checks that what the fake stored is exactly what the
:class:`~pylmod.grades.UploadReport` says: confirmed grades are stored,
grades never sent are not, and only grades reported "unconfirmed" may be
either.
"""
import csv
from collections import Counter
from typing import Any, Callable, Dict, List, Tuple

import pytest
import requests

import pylmod.grades.assignments as assignments_module
from pylmod import GradeBook
from pylmod.exceptions import (
    PyLmodAssignmentNotConfirmed,
    PyLmodBadResponse,
    PyLmodHTTPError,
)
from pylmod.grades import (
    CONFIRMED,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    UploadReport,
)
from pylmod.testing.demo import (
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
)

#: Demo assignments that have no grades yet: whatever the fake holds for
#: them after a test came from that test's upload.
UNGRADED_ASSIGNMENTS = ('AB Assignment 02', 'final')
STUDENTS = 60
BATCH_SIZE = 40  # 120 grades: three multiGrades requests


class ScriptedGradeBook(GradeBook):
    """A GradeBook that runs an action just before its n-th call of a
    method, so that a fault hits the second ``multiGrades`` request and not
    the first."""

    def __init__(self, *args: Any,
                 before: Dict[Tuple[str, int], Callable[[], None]],
                 **kwargs: Any) -> None:
        self.before = before
        self.calls: Counter = Counter()
        super().__init__(*args, **kwargs)

    def _run_before(self, name: str) -> None:
        self.calls[name] += 1
        action = self.before.get((name, self.calls[name]))
        if action is not None:
            action()

    def multi_grade(self, grade_array: Any, gradebook_id: Any = '') -> dict:
        self._run_before('multi_grade')
        return super().multi_grade(grade_array, gradebook_id)

    def create_assignment(self, *args: Any, **kwargs: Any) -> dict:
        self._run_before('create_assignment')
        return super().create_assignment(*args, **kwargs)


@pytest.fixture
def grades_csv(tmp_path: Any, lmod_fake: Any) -> str:
    """A CSV of the first STUDENTS demo students, two ungraded columns."""
    students = lmod_fake.students(DEMO_GRADEBOOK_ID)[:STUDENTS]
    path = tmp_path / 'grades.csv'
    with open(path, 'w', newline='', encoding='utf-8') as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(['External email'] + list(UNGRADED_ASSIGNMENTS))
        for index, student in enumerate(students):
            writer.writerow([student['accountEmail'], index + 0.5,
                             index + 100.25])
    return str(path)


def make_gradebook(server: Any, before: Any = None,
                   **options: Any) -> ScriptedGradeBook:
    return ScriptedGradeBook(server.client_cert, server.url,
                             DEMO_GRADEBOOK_UUID, verify=server.ca_cert,
                             before=before or {}, **options)


def uploaded_grades(fake: Any) -> Dict[Tuple[int, int], float]:
    """What the fake holds for the ungraded assignments."""
    ids = {assignment['assignmentId'] for assignment
           in fake.assignments(DEMO_GRADEBOOK_ID)
           if assignment['name'] in UNGRADED_ASSIGNMENTS}
    return {key: value for key, value
            in fake.stored_grades(DEMO_GRADEBOOK_ID).items()
            if key[1] in ids}


def outcomes(report: UploadReport, *statuses: str
             ) -> Dict[Tuple[int, int], float]:
    return {(grade.grade['studentId'], grade.grade['assignmentId']):
            grade.grade['numericGradeValue']
            for grade in report.grades if grade.status in statuses}


def multigrade_requests(server: Any) -> List[Any]:
    return [request for request in server.requests
            if '/multiGrades/' in request.path]


def upload(gradebook: GradeBook, grades_csv: str,
           report: UploadReport) -> Tuple[dict, float]:
    return gradebook.spreadsheet2gradebook(
        grades_csv, batch_size=BATCH_SIZE, report=report)


def test_without_faults_everything_is_confirmed_in_three_requests(
        lmod_server: Any, grades_csv: str) -> None:
    report = UploadReport()
    response, _ = upload(make_gradebook(lmod_server), grades_csv, report)
    assert len(report.grades) == 2 * STUDENTS
    assert report.ok and report.requests_sent == 3
    assert response['data'] == {'numFailures': 0, 'results': []}
    assert uploaded_grades(lmod_server.fake) == outcomes(report, CONFIRMED)


def test_503_burst_with_retry_after_is_retried(
        lmod_server: Any, grades_csv: str) -> None:
    gradebook = make_gradebook(lmod_server, before={
        ('multi_grade', 2): lambda: lmod_server.fail_next(
            2, 503, retry_after=1, path_prefix='multiGrades/')})
    report = UploadReport()
    upload(gradebook, grades_csv, report)
    assert report.ok
    assert uploaded_grades(lmod_server.fake) == outcomes(report, CONFIRMED)
    assert len(multigrade_requests(lmod_server)) == 3 + 2


def test_503_outlasting_the_retries_stops_without_resending(
        lmod_server: Any, grades_csv: str) -> None:
    gradebook = make_gradebook(lmod_server, retries=1, before={
        ('multi_grade', 2): lambda: lmod_server.fail_next(
            5, 503, path_prefix='multiGrades/')})
    report = UploadReport()
    with pytest.raises(PyLmodHTTPError) as raised:
        upload(gradebook, grades_csv, report)
    assert raised.value.status_code == 503
    assert raised.value.upload_report is report
    counts = report.summary()
    assert (counts[CONFIRMED], counts[UNCONFIRMED], counts[NOT_SENT]) == (
        BATCH_SIZE, BATCH_SIZE, BATCH_SIZE)
    # A 503 is not processed: exactly the confirmed grades are stored.
    assert uploaded_grades(lmod_server.fake) == outcomes(report, CONFIRMED)
    # Batch 1 once, batch 2 twice (one retry), batch 3 never.
    assert len(multigrade_requests(lmod_server)) == 3


@pytest.mark.parametrize('after_processing', [False, True])
def test_dropped_connection_is_retried(
        lmod_server: Any, grades_csv: str, after_processing: bool) -> None:
    gradebook = make_gradebook(lmod_server, before={
        ('multi_grade', 2): lambda: lmod_server.drop_next(
            1, path_prefix='multiGrades/',
            after_processing=after_processing)})
    report = UploadReport()
    upload(gradebook, grades_csv, report)
    assert report.ok
    assert uploaded_grades(lmod_server.fake) == outcomes(report, CONFIRMED)
    assert len(multigrade_requests(lmod_server)) == 4


def test_slow_response_beyond_the_read_timeout_is_retried(
        lmod_server: Any, grades_csv: str) -> None:
    gradebook = make_gradebook(lmod_server, timeout=0.5, before={
        ('multi_grade', 2): lambda: lmod_server.delay_next(
            1, 1.5, path_prefix='multiGrades/')})
    report = UploadReport()
    upload(gradebook, grades_csv, report)
    assert report.ok
    assert uploaded_grades(lmod_server.fake) == outcomes(report, CONFIRMED)


def test_slow_response_without_retries_is_reported_unconfirmed(
        lmod_server: Any, grades_csv: str) -> None:
    gradebook = make_gradebook(lmod_server, timeout=0.5, retries=0, before={
        ('multi_grade', 2): lambda: lmod_server.delay_next(
            1, 1.5, path_prefix='multiGrades/')})
    report = UploadReport()
    with pytest.raises(requests.ConnectionError):
        upload(gradebook, grades_csv, report)
    stored = uploaded_grades(lmod_server.fake)
    confirmed = outcomes(report, CONFIRMED)
    unconfirmed = outcomes(report, UNCONFIRMED)
    assert len(confirmed) == len(unconfirmed) == BATCH_SIZE
    # The slow request was carried out: stored, yet honestly unconfirmed.
    assert stored == {**confirmed, **unconfirmed}
    assert not set(outcomes(report, NOT_SENT)) & set(stored)


@pytest.mark.parametrize('status, error', [
    (502, None),                 # a gateway page: retried, then fine
    (200, PyLmodBadResponse),    # a 200 that is not JSON: not retried
])
def test_non_json_body(lmod_server: Any, grades_csv: str, status: int,
                       error: Any) -> None:
    gradebook = make_gradebook(lmod_server, before={
        ('multi_grade', 2): lambda: lmod_server.non_json_next(
            1, status=status, path_prefix='multiGrades/')})
    report = UploadReport()
    if error is None:
        upload(gradebook, grades_csv, report)
        assert report.ok
    else:
        with pytest.raises(error):
            upload(gradebook, grades_csv, report)
        assert report.summary()[UNCONFIRMED] == BATCH_SIZE
        assert report.summary()[NOT_SENT] == BATCH_SIZE
    stored = uploaded_grades(lmod_server.fake)
    assert set(outcomes(report, CONFIRMED)) <= set(stored)
    assert not set(outcomes(report, NOT_SENT)) & set(stored)
    assert stored == {**outcomes(report, CONFIRMED),
                      **{key: value for key, value
                         in outcomes(report, UNCONFIRMED).items()
                         if key in stored}}


def test_partial_multigrade_failures_are_reported(
        lmod_server: Any, grades_csv: str) -> None:
    # A student who left the class between the read and the write: LMod
    # refuses the grades naming them and stores the others.
    class LeavingStudentGradeBook(ScriptedGradeBook):
        def get_students(self, *args: Any, **kwargs: Any) -> List[dict]:
            students = super().get_students(*args, **kwargs)
            return students + [{'accountEmail': 'gone@example.edu',
                                'studentId': 999999}]

    with open(grades_csv, 'a', newline='', encoding='utf-8') as csv_file:
        csv.writer(csv_file).writerow(['gone@example.edu', 1, 2])
    gradebook = LeavingStudentGradeBook(
        lmod_server.client_cert, lmod_server.url, DEMO_GRADEBOOK_UUID,
        verify=lmod_server.ca_cert, before={})
    report = UploadReport()
    response, _ = upload(gradebook, grades_csv, report)
    failed = report.with_status(FAILED)
    assert {grade.email for grade in failed} == {'gone@example.edu'}
    assert len(failed) == 2 and all('999999' in grade.message
                                    for grade in failed)
    assert response['data']['numFailures'] == 2
    assert len(response['data']['results']) == 2
    assert uploaded_grades(lmod_server.fake) == outcomes(report, CONFIRMED)
    assert len(outcomes(report, CONFIRMED)) == 2 * STUDENTS


def check_quiz_created_once(lmod_server: Any, tmp_path: Any,
                            timeout: float,
                            before_create: Callable[[], None]) -> None:
    """Upload a grade of a new assignment, 'Quiz 9', with ``before_create``
    run before its create request: one assignment is made, once, and the
    grade is stored and confirmed."""
    student = lmod_server.fake.students(DEMO_GRADEBOOK_ID)[0]
    path = tmp_path / 'quiz.csv'
    path.write_text('External email,Quiz 9\n{0},7\n'.format(
        student['accountEmail']), encoding='utf-8')
    gradebook = make_gradebook(lmod_server, timeout=timeout, before={
        ('create_assignment', 1): before_create})
    report = UploadReport()
    gradebook.spreadsheet2gradebook(str(path), report=report)
    quizzes = [assignment for assignment
               in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)
               if assignment['name'] == 'Quiz 9']
    assert len(quizzes) == 1
    assert report.created_assignments == {
        'Quiz 9': quizzes[0]['assignmentId']}
    assert gradebook.calls['create_assignment'] == 1
    assert report.ok
    assert lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)[
        (student['studentId'], quizzes[0]['assignmentId'])] == 7.0


@pytest.mark.parametrize('fault', ['drop', 'delay'])
def test_assignment_created_once_after_an_ambiguous_failure(
        lmod_server: Any, tmp_path: Any, fault: str) -> None:
    def inject() -> None:
        if fault == 'drop':
            lmod_server.drop_next(1, path_prefix='assignment',
                                  after_processing=True)
        else:
            lmod_server.delay_next(1, 1.5, path_prefix='assignment')

    check_quiz_created_once(lmod_server, tmp_path, timeout=0.5,
                            before_create=inject)



def test_a_late_commit_makes_one_assignment(lmod_server: Any,
                                            tmp_path: Any) -> None:
    # LMod commits the create 1.5 s after the request; the client gives up
    # after 1 s, then finds the assignment instead of creating another.
    check_quiz_created_once(
        lmod_server, tmp_path, timeout=1,
        before_create=lambda: lmod_server.late_commit_next(
            1, 1.5, path_prefix='assignment'))


def test_a_create_never_committed_is_reported_not_guessed(
        lmod_server: Any, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(assignments_module, 'LATE_COMMIT_WAITS', (0.1, 0.1))
    student = lmod_server.fake.students(DEMO_GRADEBOOK_ID)[0]
    path = tmp_path / 'quiz.csv'
    path.write_text('External email,Quiz 9\n{0},7\n'.format(
        student['accountEmail']), encoding='utf-8')
    gradebook = make_gradebook(lmod_server, before={
        ('create_assignment', 1): lambda: lmod_server.answer_next(
            1, {'error': 'database unavailable'}, 500,
            path_prefix='assignment')})
    report = UploadReport()
    with pytest.raises(PyLmodAssignmentNotConfirmed) as raised:
        gradebook.spreadsheet2gradebook(str(path), report=report)
    assert 'HTTP 500: database unavailable' in str(raised.value)
    assert gradebook.calls['create_assignment'] == 1
    assert not [assignment for assignment
                in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)
                if assignment['name'] == 'Quiz 9']
    assert report.error is raised.value
    assert multigrade_requests(lmod_server) == []
