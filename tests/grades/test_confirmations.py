"""No grade is reported confirmed that LMod did not store: uploads against a
fake LMod that answers ``multiGrades`` wrongly (pylmod.grades.answers,
pylmod.cli.output).

Each case runs the upload twice, through the library and through
``pylmod upload``, and checks the fake's stored grades against the report:
every grade reported confirmed is stored with its value, no grade reported
not sent is stored, and the command exits non-zero whenever a grade is not
confirmed.
"""
import csv
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from pylmod import GradeBook
from pylmod.cli import main
from pylmod.exceptions import PyLmodException
from pylmod.grades import (
    CONFIRMED,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    UploadReport,
)
from pylmod.testing import DEMO_GRADEBOOK_ID, DEMO_GRADEBOOK_UUID, FakeLmod
from pylmod.testing.server import LmodServer

STUDENTS = 5
#: Ungraded in the demo gradebook: what the fake holds for it came from the
#: upload under test.
ASSIGNMENT = 'final'
GRADES = 'multiGrades/'


@pytest.fixture
def other_server(lmod_certificates: Any) -> Iterator[LmodServer]:
    with LmodServer(FakeLmod.demo(), certificates=lmod_certificates) as other:
        yield other


@pytest.fixture
def grades_csv(tmp_path: Any, lmod_fake: FakeLmod) -> str:
    path = tmp_path / 'grades.csv'
    with open(path, 'w', newline='', encoding='utf-8') as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(['External email', ASSIGNMENT])
        for index, student in enumerate(
                lmod_fake.students(DEMO_GRADEBOOK_ID)[:STUDENTS]):
            writer.writerow([student['accountEmail'], index + 0.5])
    return str(path)


def stored(fake: FakeLmod) -> Dict[Tuple[int, int], Any]:
    """What the fake holds for the assignment of the upload."""
    ids = {assignment['assignmentId'] for assignment
           in fake.assignments(DEMO_GRADEBOOK_ID)
           if assignment['name'] == ASSIGNMENT}
    return {key: value for key, value
            in fake.stored_grades(DEMO_GRADEBOOK_ID).items()
            if key[1] in ids}


def with_status(report: UploadReport, *statuses: str
                ) -> Dict[Tuple[int, int], Any]:
    return {(grade.grade['studentId'], grade.grade['assignmentId']):
            grade.grade['numericGradeValue']
            for grade in report.grades if grade.status in statuses}


def check_report_against_the_fake(report: UploadReport,
                                  fake: FakeLmod) -> None:
    held = stored(fake)
    confirmed = with_status(report, CONFIRMED)
    assert {key: held.get(key) for key in confirmed} == confirmed
    assert not set(with_status(report, NOT_SENT)) & set(held)
    assert set(held) <= set(with_status(report, CONFIRMED, UNCONFIRMED))


def upload(server: LmodServer, grades_csv: str,
           **options: Any) -> UploadReport:
    gradebook = GradeBook(server.client_cert, server.url, DEMO_GRADEBOOK_UUID,
                          verify=server.ca_cert, **options)
    report = UploadReport()
    try:
        gradebook.spreadsheet2gradebook(grades_csv, report=report)
    except PyLmodException as err:
        assert report.error is err
    return report


def pylmod_upload(server: LmodServer, grades_csv: str,
                  *options: str, send_all: bool = False) -> int:
    return main(['--url', server.url, '--cert', server.client_cert,
                 '--ca-bundle', server.ca_cert, '--gradebook',
                 DEMO_GRADEBOOK_UUID, *options, 'upload', grades_csv]
                + (['--send-all'] if send_all else []))


#: ``(answer, HTTP status, carried out first, the status every grade gets,
#: a word of the reason)``.
WRONG_ANSWERS: List[Tuple[Any, int, bool, str, str]] = [
    ({'error': 'database unavailable'}, 500, False, UNCONFIRMED,
     'HTTP 500: database unavailable'),
    ({'error': 'database unavailable'}, 500, True, UNCONFIRMED,
     'HTTP 500: database unavailable'),
    ({}, 200, False, UNCONFIRMED, 'without its success shape'),
    ([], 200, False, UNCONFIRMED, 'answered a list'),
    ({'data': None}, 200, False, UNCONFIRMED, 'without its success shape'),
    ({'status': 1, 'message': 'ok'}, 200, True, UNCONFIRMED, 'no data'),
    ({'status': -1, 'message': 'gradebook locked'}, 200, False, FAILED,
     'gradebook locked'),
    ({'status': -1, 'message': 'no such assignment'}, 404, False, FAILED,
     'HTTP 404: no such assignment'),
    ({'status': 1, 'data': {'results': [{'grade': 'lost'}]}}, 200, True,
     UNCONFIRMED, 'name no grade sent'),
    ({'status': 1, 'data': {'numFailures': 1, 'results': [
        {'studentId': 'someone', 'assignmentId': 'else'}]}}, 200, True,
     UNCONFIRMED, 'name no grade sent'),
    ({'status': 1, 'data': {'results': []}}, 200, True, UNCONFIRMED,
     'did not say how many grades failed'),
    ({'status': '1', 'data': {'numFailures': 'two', 'results': []}}, 200,
     True, UNCONFIRMED, 'did not say how many grades failed'),
]


@pytest.mark.parametrize('answer, status, processed, outcome, reason',
                         WRONG_ANSWERS)
def test_a_wrong_answer_confirms_nothing(lmod_server: Any, grades_csv: str,
                                         answer: Any, status: int,
                                         processed: bool, outcome: str,
                                         reason: str) -> None:
    lmod_server.answer_next(1, answer, status, path_prefix=GRADES,
                            after_processing=processed)
    report = upload(lmod_server, grades_csv)
    assert [grade.status for grade in report.grades] == [outcome] * STUDENTS
    assert all(reason in grade.message for grade in report.grades)
    check_report_against_the_fake(report, lmod_server.fake)
    assert bool(stored(lmod_server.fake)) == processed


@pytest.mark.parametrize('answer, status, processed, outcome, reason',
                         WRONG_ANSWERS)
def test_pylmod_upload_exits_non_zero(lmod_server: Any, grades_csv: str,
                                      no_user_settings: Any, capsys: Any,
                                      answer: Any, status: int,
                                      processed: bool, outcome: str,
                                      reason: str) -> None:
    lmod_server.answer_next(1, answer, status, path_prefix=GRADES,
                            after_processing=processed)
    assert pylmod_upload(lmod_server, grades_csv) == 1
    err = capsys.readouterr().err
    assert '{0}: '.format(outcome) in err and reason in err


def test_lmods_own_answer_confirms(lmod_server: Any, grades_csv: str,
                                   no_user_settings: Any) -> None:
    report = upload(lmod_server, grades_csv)
    assert [grade.status for grade in report.grades] == [CONFIRMED] * STUDENTS
    check_report_against_the_fake(report, lmod_server.fake)
    assert len(stored(lmod_server.fake)) == STUDENTS
    assert pylmod_upload(lmod_server, grades_csv) == 0


def test_a_redirected_upload_confirms_nothing_and_goes_nowhere(
        lmod_server: Any, other_server: LmodServer, grades_csv: str,
        no_user_settings: Any, capsys: Any) -> None:
    lmod_server.redirect_next(2, other_server.url, status=307,
                              path_prefix=GRADES)
    report = upload(lmod_server, grades_csv)
    assert [grade.status for grade in report.grades] == [
        UNCONFIRMED] * STUDENTS
    assert 'redirect to ' + other_server.url in report.grades[0].message
    check_report_against_the_fake(report, lmod_server.fake)
    assert stored(lmod_server.fake) == {}
    assert pylmod_upload(lmod_server, grades_csv) == 1
    assert 'follows no redirect' in capsys.readouterr().err
    assert other_server.requests == [] and other_server.refused == []
    assert stored(other_server.fake) == {}


def test_an_answer_dripping_past_the_deadline_is_unconfirmed(
        lmod_server: Any, grades_csv: str, no_user_settings: Any,
        capsys: Any) -> None:
    # A byte every 0.05 s: each within the read timeout (0.3 s), so only
    # the deadline (three read timeouts) ends the call.
    lmod_server.drip_next(10, 'body', 0.05, path_prefix=GRADES)
    report = upload(lmod_server, grades_csv, timeout=0.3)
    assert [grade.status for grade in report.grades] == [
        UNCONFIRMED] * STUDENTS
    assert 'deadline' in report.grades[0].message
    # The fake stored them (it drips after processing): unconfirmed is the
    # honest answer.
    check_report_against_the_fake(report, lmod_server.fake)
    lmod_server.drip_next(10, 'body', 0.05, path_prefix=GRADES)
    assert pylmod_upload(lmod_server, grades_csv, '--timeout', '0.3',
                         send_all=True) == 1
    assert 'within the deadline of 0.9 s' in capsys.readouterr().err


def test_an_answer_too_large_confirms_nothing(lmod_server: Any,
                                              grades_csv: str,
                                              no_user_settings: Any,
                                              capsys: Any) -> None:
    # The limit lets the students through, not the grades' answer.
    lmod_server.huge_next(1, 2000000, gzip=True, path_prefix=GRADES)
    report = upload(lmod_server, grades_csv, max_response_bytes=1000000)
    assert [grade.status for grade in report.grades] == [
        UNCONFIRMED] * STUDENTS
    assert 'larger than the 1000000 bytes' in report.grades[0].message
    check_report_against_the_fake(report, lmod_server.fake)
    lmod_server.huge_next(1, 2 * 1024 ** 3, content_length=True,
                          path_prefix=GRADES)
    assert pylmod_upload(lmod_server, grades_csv) == 1
    assert 'larger than the 268435456 bytes' in capsys.readouterr().err
