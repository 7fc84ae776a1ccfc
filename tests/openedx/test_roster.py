"""Roster sync end to end: fake LMod roster -> pylmod.openedx -> fake Open
edX enrollments."""
import json

import pytest

from pylmod.openedx.errors import OpenEdxConfigError
from pylmod.openedx.roster import RosterEntry, lmod_roster, sync_roster
from pylmod.testing.demo import DEMO_STUDENT_COUNT
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
    OpenEdxServer,
)


@pytest.fixture
def client(openedx):
    return openedx.client(page_size=50)


@pytest.fixture
def roster(gradebook):
    return lmod_roster(gradebook)


def _writes(openedx, endpoint):
    return [request for request in openedx.requests_to(endpoint)
            if request.method != 'GET']


def test_program_roster_dry_run_then_sync(client, openedx, roster):
    dry = sync_roster(client, roster, program_uuid=DEMO_PROGRAM_UUID,
                      curriculum_uuid=DEMO_CURRICULUM_UUID, dry_run=True)
    assert len(dry.to_add) == DEMO_STUDENT_COUNT
    assert dry.counts()['dry run'] == DEMO_STUDENT_COUNT
    assert _writes(openedx, 'program_enrollments') == []
    report = sync_roster(client, roster, program_uuid=DEMO_PROGRAM_UUID,
                         curriculum_uuid=DEMO_CURRICULUM_UUID)
    assert report.ok and report.counts()['confirmed'] == DEMO_STUDENT_COUNT
    posts = _writes(openedx, 'program_enrollments')
    assert [len(request.body) for request in posts] == [25] * 12
    assert report.requests_sent == 12
    enrolled = openedx.fake.program_enrollments(DEMO_PROGRAM_UUID)
    assert set(enrolled) == {entry.email.lower() for entry in roster}
    assert set(enrolled.values()) == {'enrolled'}
    again = sync_roster(client, roster, program_uuid=DEMO_PROGRAM_UUID)
    assert len(again.unchanged) == DEMO_STUDENT_COUNT
    assert again.changes == [] and again.requests_sent == 0


def test_roster_change_is_mirrored_and_removal_only_when_asked(
        client, openedx, roster):
    fake = openedx.fake
    current = [entry.email.lower() for entry in roster[:3]]
    for key in current:
        fake.enroll_in_program(DEMO_PROGRAM_UUID, key)
    fake.enroll_in_program(DEMO_PROGRAM_UUID, current[1], 'canceled')
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'gone@example.com')
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'ended@example.com', 'ended')
    new_roster = roster[:2] + [RosterEntry('New.Student@Example.com')]
    kept = sync_roster(client, new_roster, program_uuid=DEMO_PROGRAM_UUID)
    assert kept.to_add == ['new.student@example.com', current[1]]
    assert kept.to_remove == [current[2], 'gone@example.com']
    assert kept.unchanged == [current[0]]
    assert [(change.key, change.action, change.status, change.result)
            for change in kept.changes] == [
        ('new.student@example.com', 'enroll', 'confirmed', 'enrolled'),
        (current[1], 'reactivate', 'confirmed', 'enrolled'),
        (current[2], 'unenroll', 'skipped', ''),
        ('gone@example.com', 'unenroll', 'skipped', '')]
    new = _writes(openedx, 'program_enrollments')[0]
    assert new.body == [{'curriculum_uuid': DEMO_CURRICULUM_UUID,
                         'status': 'enrolled',
                         'student_key': 'new.student@example.com'}]
    assert fake.program_enrollments(DEMO_PROGRAM_UUID)[
        'gone@example.com'] == 'enrolled'
    removed = sync_roster(client, new_roster, program_uuid=DEMO_PROGRAM_UUID,
                          unenroll_missing=True)
    assert [(change.key, change.status, change.result)
            for change in removed.changes] == [
        (current[2], 'confirmed', 'canceled'),
        ('gone@example.com', 'confirmed', 'canceled')]
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {
        current[0]: 'enrolled', current[1]: 'enrolled',
        current[2]: 'canceled', 'gone@example.com': 'canceled',
        'ended@example.com': 'ended', 'new.student@example.com': 'enrolled'}


def test_program_course_roster_reports_mixed_results(client, openedx,
                                                     roster):
    fake = openedx.fake
    in_program = [entry.email.lower() for entry in roster[:40]]
    for key in in_program:
        fake.enroll_in_program(DEMO_PROGRAM_UUID, key)
    report = sync_roster(client, roster[:60], program_uuid=DEMO_PROGRAM_UUID,
                         course_key=DEMO_COURSE_KEY)
    assert report.target == 'program course'
    assert report.counts()['confirmed'] == 40
    failed = report.with_status('failed')
    assert len(failed) == 20
    assert {(change.result, change.reason) for change in failed} == {
        ('not-in-program', "Open edX answered 'not-in-program'")}
    assert not report.ok
    assert set(fake.program_course_enrollments(
        DEMO_PROGRAM_UUID, DEMO_COURSE_KEY)) == set(in_program)
    posts = _writes(openedx, 'program_course_enrollments')
    assert max(len(request.body) for request in posts) <= 25


def test_new_program_enrollments_need_a_curriculum(client, roster):
    with pytest.raises(OpenEdxConfigError) as raised:
        sync_roster(client, roster[:2], program_uuid=DEMO_PROGRAM_UUID)
    assert 'pass curriculum_uuid' in str(raised.value)


def test_a_failed_write_stops_and_reports_the_rest(openedx, roster):
    client = openedx.client(workers=1)
    openedx.fake.fail_next(1, 500, method='POST')
    report = sync_roster(client, roster[:60], program_uuid=DEMO_PROGRAM_UUID,
                         curriculum_uuid=DEMO_CURRICULUM_UUID)
    counts = report.counts()
    assert (counts['failed'], counts['not sent']) == (25, 35)
    assert 'HTTP 500' in report.error and not report.ok
    assert report.requests_sent == 1
    assert openedx.fake.program_enrollments(DEMO_PROGRAM_UUID) == {}


def test_a_failed_write_in_a_pool_reports_every_learner_once(openedx,
                                                             roster):
    """Three chunks in flight at once, one answered 500: its learners are
    failed, the others confirmed, all in roster order."""
    client = openedx.client(workers=4)
    openedx.fake.fail_next(1, 500, method='POST')
    report = sync_roster(client, roster[:60], program_uuid=DEMO_PROGRAM_UUID,
                         curriculum_uuid=DEMO_CURRICULUM_UUID)
    counts = report.counts()
    assert counts['failed'] in (25, 10) and counts['not sent'] == 0
    assert counts['confirmed'] == 60 - counts['failed']
    assert [change.key for change in report.changes] == [
        entry.email.lower() for entry in roster[:60]]
    assert report.requests_sent == 3 and 'HTTP 500' in report.error
    assert set(openedx.fake.program_enrollments(DEMO_PROGRAM_UUID)) == {
        change.key for change in report.with_status('confirmed')}


def test_strict_program_sync_writes_student_key(roster):
    """Done when: against a fake that refuses any field edx-platform's
    serializers do not declare, a program roster sync writes
    ``student_key`` and succeeds."""
    fake = FakeOpenEdx.demo(strict=True)
    with OpenEdxServer(fake) as server:
        report = sync_roster(server.client(workers=8), roster,
                             program_uuid=DEMO_PROGRAM_UUID,
                             curriculum_uuid=DEMO_CURRICULUM_UUID)
        bodies = [request.body for request in
                  server.requests_to('program_enrollments', 'POST')]
    assert report.ok and report.counts()['confirmed'] == len(roster)
    assert {tuple(sorted(item)) for body in bodies for item in body} == {
        ('curriculum_uuid', 'status', 'student_key')}
    assert set(fake.program_enrollments(DEMO_PROGRAM_UUID)) == {
        entry.email.lower() for entry in roster}


def test_reports_are_the_same_one_at_a_time_and_in_a_pool(roster):
    reports = []
    for workers in (1, 8):
        fake = FakeOpenEdx.demo()
        for entry in roster[::3]:
            fake.enroll_in_program(DEMO_PROGRAM_UUID, entry.email.lower(),
                                   'canceled')
        fake.enroll_in_program(DEMO_PROGRAM_UUID, 'gone@example.com')
        with OpenEdxServer(fake) as server:
            reports.append(sync_roster(
                server.client(workers=workers), roster,
                program_uuid=DEMO_PROGRAM_UUID,
                curriculum_uuid=DEMO_CURRICULUM_UUID,
                unenroll_missing=True).as_dict())
    assert reports[0] == reports[1]
    assert reports[0]['ok'] and reports[0]['requests_sent'] > 3


def test_bulk_enroll_with_cohorts_from_sections(client, openedx, roster):
    fake = openedx.fake
    report = sync_roster(client, roster, course_key=DEMO_COURSE_KEY,
                         cohorts_from_sections=True)
    assert report.target == 'course' and report.ok
    assert report.counts()['confirmed'] == DEMO_STUDENT_COUNT
    enrolled = fake.course_enrollments(DEMO_COURSE_KEY)
    expected = {entry.email.lower(): (None if entry.section == 'Unassigned'
                                      else entry.section)
                for entry in roster}
    assert enrolled == expected
    bulk = openedx.requests_to('bulk_enroll')
    assert {request.body.get('cohorts') for request in bulk} == {
        None, 'r01', 'r02', 'r03', 'r04'}
    assert all(request.body['action'] == 'enroll' for request in bulk)
    assert {change.result for change in report.changes} == {'allowed'}


def test_bulk_roster_change_with_the_enrolled_list(client, openedx, roster):
    fake = openedx.fake
    fake.add_course(DEMO_COURSE_KEY, enrolled=['left@example.com',
                                               roster[0].email])
    enrolled = list(fake.course_enrollments(DEMO_COURSE_KEY))
    dry = sync_roster(client, roster[:3], course_key=DEMO_COURSE_KEY,
                      enrolled=enrolled, unenroll_missing=True, dry_run=True)
    assert (dry.to_add, dry.to_remove, dry.unchanged) == (
        [entry.email.lower() for entry in roster[1:3]],
        ['left@example.com'], [roster[0].email.lower()])
    assert openedx.requests_to('bulk_enroll') == []
    kept = sync_roster(client, roster[:3], course_key=DEMO_COURSE_KEY,
                       enrolled=enrolled)
    assert kept.with_status('skipped')[0].key == 'left@example.com'
    assert 'left@example.com' in fake.course_enrollments(DEMO_COURSE_KEY)
    removed = sync_roster(client, roster[:3], course_key=DEMO_COURSE_KEY,
                          enrolled=fake.course_enrollments(DEMO_COURSE_KEY),
                          unenroll_missing=True)
    assert [(change.key, change.action, change.status, change.result)
            for change in removed.changes] == [
        ('left@example.com', 'unenroll', 'confirmed', 'unenrolled')]
    assert set(fake.course_enrollments(DEMO_COURSE_KEY)) == {
        entry.email.lower() for entry in roster[:3]} | {roster[0].email}
    with pytest.raises(OpenEdxConfigError):
        sync_roster(client, roster, course_key=DEMO_COURSE_KEY,
                    unenroll_missing=True)


def test_bulk_enroll_reports_invalid_identifiers(client, roster):
    report = sync_roster(client, [RosterEntry('not-an-email')],
                         course_key=DEMO_COURSE_KEY,
                         key_for=lambda entry: entry.email)
    assert [(change.status, change.result) for change in report.changes] == [
        ('failed', 'invalidIdentifier')]


def test_roster_from_a_membership_group(membership, client, openedx):
    students = lmod_roster(membership=membership)
    assert len(students) == DEMO_STUDENT_COUNT
    staff = lmod_roster(membership=membership, roles=('TA',))
    assert {entry.email for entry in staff} == {'hduck@mit.edu',
                                                'deduck@mit.edu'}
    report = sync_roster(client, staff + [RosterEntry('')],
                         course_key=DEMO_COURSE_KEY)
    assert report.roster_size == 3
    assert [change.status for change in report.changes].count(
        'skipped') == 1
    json.dumps(report.as_dict())


def test_dry_runs_record_what_would_be_asked(client, openedx, roster):
    program = sync_roster(client, roster[:2], program_uuid=DEMO_PROGRAM_UUID,
                          curriculum_uuid=DEMO_CURRICULUM_UUID, dry_run=True)
    assert [(change.action, change.status, change.result, change.cohort)
            for change in program.changes] == [
        ('enroll', 'dry run', 'enrolled', None)] * 2
    course = sync_roster(client, roster, course_key=DEMO_COURSE_KEY,
                         cohorts_from_sections=True, dry_run=True)
    assert {(change.key, change.status, change.result, change.cohort)
            for change in course.changes} == {
        (entry.email.lower(), 'dry run', '',
         None if entry.section == 'Unassigned' else entry.section)
        for entry in roster}
    assert openedx.requests_to('bulk_enroll') == []


def test_a_failed_bulk_enroll_stops_and_reports_the_rest(client, openedx,
                                                          roster):
    openedx.fake.fail_next(1, 500, path_prefix='/api/bulk_enroll/')
    report = sync_roster(client, roster, course_key=DEMO_COURSE_KEY,
                         cohorts_from_sections=True)
    # One bulk_enroll per cohort, in the order the roster first names them:
    # the first one failed, the others were not sent.
    def cohort(entry):
        return None if entry.section == 'Unassigned' else entry.section
    first = [entry.email.lower() for entry in roster
             if cohort(entry) == cohort(roster[0])]
    failed = report.with_status('failed')
    assert [change.key for change in failed] == first
    assert report.counts()['not sent'] == len(roster) - len(failed)
    assert 'HTTP 500' in report.error and not report.ok
    assert report.requests_sent == 1
    assert openedx.fake.course_enrollments(DEMO_COURSE_KEY) == {}
