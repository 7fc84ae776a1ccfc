"""The Open edX bridge trusts nothing the network says either: a write is
confirmed only for the learners its answer accounts for, a write follows no
redirect, every call has a deadline and wrong shapes are named — against
the fake Open edX misbehaving."""
import time
from typing import Any, Iterator

import pytest
from requests.adapters import HTTPAdapter

from pylmod.exceptions import (
    PyLmodResponseTooLarge,
    PyLmodTimeout,
    PyLmodUnexpectedAnswer,
)
from pylmod.grades import CONFIRMED, UNCONFIRMED
from pylmod.openedx.auth import oauth_session
from pylmod.openedx.client import OpenEdxClient
from pylmod.openedx.errors import OpenEdxThrottled
from pylmod.openedx.grades import push_grades
from pylmod.openedx.report import SKIPPED
from pylmod.openedx.roster import RosterEntry, sync_roster
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
    OpenEdxServer,
)

ROSTER = [RosterEntry('learner{0}@example.edu'.format(number))
          for number in range(30)]
ENROLLMENTS = '/api/program_enrollments/v1/programs/{0}/enrollments/'.format(
    DEMO_PROGRAM_UUID)
#: How long a stalled answer takes, and the read timeout a deadline must
#: cut short: a call that took this long waited for the server instead of
#: ending at its deadline (each deadline here is half a second).
STALL = 20


@pytest.fixture
def other_openedx() -> Iterator[OpenEdxServer]:
    with OpenEdxServer(FakeOpenEdx.demo()) as server:
        yield server


def bounded_client(openedx: Any, **options: Any) -> OpenEdxClient:
    """A client over the bridge's own session (its retry adapter reads
    every answer within the deadline)."""
    fake = openedx.fake
    session = oauth_session(openedx.url, fake.CLIENT_ID, fake.CLIENT_SECRET,
                            use_edx_client=False)
    return OpenEdxClient(session, openedx.url, **options)


def sync(client: OpenEdxClient) -> Any:
    return sync_roster(client, ROSTER, program_uuid=DEMO_PROGRAM_UUID,
                       curriculum_uuid=DEMO_CURRICULUM_UUID)


def check_report_against_the_fake(report: Any, fake: FakeOpenEdx) -> None:
    enrolled = fake.program_enrollments(DEMO_PROGRAM_UUID)
    for change in report.changes:
        if change.status == CONFIRMED:
            assert enrolled.get(change.key) == 'enrolled'


@pytest.mark.parametrize('answer, status, processed', [
    ({}, 200, False),
    ([], 200, True),
    ({'learner0@example.edu': 'enrolled'}, 207, True),
    ({'someone.else@example.edu': 'enrolled'}, 200, False),
    ('enrolled', 200, True),
])
def test_learners_a_write_answer_does_not_name_are_unconfirmed(
        openedx: Any, answer: Any, status: int, processed: bool) -> None:
    openedx.fake.answer_next(2, answer, status, path_prefix=ENROLLMENTS,
                             method='POST', after_processing=processed)
    report = sync(openedx.client())
    named = {key for key in (answer if isinstance(answer, dict) else ())
             if key in {entry.email for entry in ROSTER}}
    assert {change.key for change in report.changes
            if change.status == CONFIRMED} == named
    unconfirmed = [change for change in report.changes
                   if change.status == UNCONFIRMED]
    assert len(unconfirmed) == len(ROSTER) - len(named)
    assert all('without a result for this learner' in change.reason
               for change in unconfirmed)
    assert not report.ok
    check_report_against_the_fake(report, openedx.fake)


def test_a_write_follows_no_redirect(openedx: Any,
                                     other_openedx: OpenEdxServer) -> None:
    openedx.fake.answer_next(
        5, {'detail': 'moved'}, 307, path_prefix=ENROLLMENTS, method='POST',
        headers={'Location': other_openedx.url + ENROLLMENTS})
    report = sync(openedx.client(workers=1))
    assert not [change for change in report.changes
                if change.status == CONFIRMED]
    assert 'follows no redirect' in str(report.error)
    assert other_openedx.url in str(report.error)
    assert other_openedx.requests == []
    assert openedx.fake.program_enrollments(DEMO_PROGRAM_UUID) == {}


def test_a_call_ends_within_its_deadline(openedx: Any) -> None:
    openedx.fake.delay_next(10, 2 * STALL, path_prefix=ENROLLMENTS,
                            method='GET')
    client = bounded_client(openedx, timeout=(0.25, 0.25), deadline=0.5)
    assert client.limits.deadline == 0.5
    started = time.monotonic()
    with pytest.raises(PyLmodTimeout) as raised:
        client.get_program_enrollments(DEMO_PROGRAM_UUID)
    assert time.monotonic() - started < STALL
    assert 'within the deadline of 0.5 s' in str(raised.value)


def plain_adapter_client(openedx: Any, **options: Any) -> OpenEdxClient:
    """A client over a session with requests' own adapters, as a plugin
    may pass its own."""
    client = bounded_client(openedx, **options)
    for prefix in ('http://', 'https://'):
        client.session.mount(prefix, HTTPAdapter())
    return client


def test_the_deadline_holds_on_any_session(openedx: Any) -> None:
    # The read timeout (STALL) is far beyond the deadline: the deadline
    # cuts it, or the call would wait for the stalled answer.
    openedx.fake.delay_next(1, 2 * STALL, path_prefix=ENROLLMENTS,
                            method='GET')
    client = plain_adapter_client(openedx, timeout=(1, STALL), deadline=0.5)
    started = time.monotonic()
    with pytest.raises(PyLmodTimeout):
        client.get_program_enrollments(DEMO_PROGRAM_UUID)
    assert time.monotonic() - started < STALL


def test_the_size_limit_holds_on_any_session(openedx: Any) -> None:
    client = plain_adapter_client(openedx, max_response_bytes=100)
    with pytest.raises(PyLmodResponseTooLarge):
        client.get_program_enrollments(DEMO_PROGRAM_UUID)


def test_the_default_deadline_follows_the_read_timeout(openedx: Any) -> None:
    assert openedx.client().limits.deadline == 180
    assert openedx.client(timeout=(1, 4)).limits.deadline == 12


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(
        openedx: Any) -> None:
    openedx.fake.fail_next(5, 429, path_prefix=ENROLLMENTS, method='GET',
                           retry_after=30)
    client = bounded_client(openedx, deadline=STALL)
    started = time.monotonic()
    with pytest.raises(OpenEdxThrottled) as raised:
        client.get_program_enrollments(DEMO_PROGRAM_UUID)
    assert time.monotonic() - started < STALL  # not waited till the deadline
    assert raised.value.retry_after == 30
    assert 'the deadline of {0} s leaves'.format(STALL) in str(raised.value)


def test_a_bulk_enroll_answer_of_the_wrong_shape_confirms_nobody(
        openedx: Any) -> None:
    openedx.fake.answer_next(1, [], path_prefix='/api/bulk_enroll/')
    report = sync_roster(openedx.client(), ROSTER[:3],
                         course_key=DEMO_COURSE_KEY)
    assert [change.status for change in report.changes] == [UNCONFIRMED] * 3
    assert "Open edX's answer to OpenEdxClient.bulk_enroll" in report.error


def test_a_learner_call_of_the_wrong_shape_is_named(openedx: Any) -> None:
    openedx.fake.answer_next(1, {'not': 'a list'},
                             path_prefix='/api/program_enrollments/v1/'
                                         'programs/enrollments/')
    with pytest.raises(PyLmodUnexpectedAnswer) as raised:
        openedx.client().get_readable_programs()
    assert isinstance(raised.value, TypeError)
    assert 'a JSON list was expected, not dict' in str(raised.value)


def test_grade_records_of_the_wrong_shape_are_skipped(
        openedx: Any, gradebook: Any) -> None:
    openedx.fake.answer_next(1, {'next': None, 'results': [
        'a string', {'student_key': 'nobody@example.edu', 'percent': 0.5}]},
        path_prefix='/api/program_enrollments/v1/programs/{0}/courses/'
                    .format(DEMO_PROGRAM_UUID))
    report = push_grades(openedx.client(), gradebook, DEMO_PROGRAM_UUID,
                         DEMO_COURSE_KEY, 'final')
    assert [record.status for record in report.records] == [SKIPPED] * 2
    assert 'not an object' in report.records[0].reason
