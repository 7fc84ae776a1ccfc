"""Grade sync end to end: fake Open edX -> pylmod.openedx -> fake LMod."""
import json

import pytest

from pylmod import GradeBook
from pylmod.openedx.errors import OpenEdxConfigError
from pylmod.openedx.grades import OVERALL_GRADE, load_mapping_csv, push_grades
from pylmod.testing import DEMO_GRADEBOOK_ID, DEMO_GRADEBOOK_UUID
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_PROGRAM_UUID,
)

FINAL = 'final'             # 100 points, no grades in the demo gradebook
FINAL_ID = 16708880
MIDTERM_ID = 16708850       # graded for the first 200 demo students


@pytest.fixture
def client(openedx):
    return openedx.client(page_size=7)


@pytest.fixture
def students(lmod_fake):
    """The demo students by email."""
    return {student['accountEmail']: student['studentId']
            for student in lmod_fake.students(DEMO_GRADEBOOK_ID)}


def _seed_grades(openedx, emails, start=0.0):
    percents = {}
    for number, email in enumerate(emails):
        percent = round(start + (number % 20) / 20, 2)
        percents[email] = percent
        openedx.fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, email,
                               percent, 'ABCDF'[number % 5])
    return percents


def _push(client, gradebook, **options):
    return push_grades(client, gradebook, DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                       options.pop('assignment', FINAL), **options)


def _multigrade_requests(lmod_server):
    return [request for request in lmod_server.requests
            if 'multiGrades' in request.path]


def test_grades_go_from_open_edx_to_lmod(client, gradebook, openedx,
                                         lmod_server, lmod_fake, students):
    emails = sorted(students)[:40]
    percents = _seed_grades(openedx, emails)
    report = _push(client, gradebook)
    assert report.ok and report.error is None
    assert report.records_read == 40
    assert report.counts()['confirmed'] == 40
    assert len(openedx.requests_to('program_course_grades')) == 6  # 7/page
    stored = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    for email in emails:
        assert stored[(students[email], FINAL_ID)] == pytest.approx(
            percents[email] * 100)
    record = report.records[0]
    assert record.grade == {'studentId': record.student_id,
                            'assignmentId': FINAL_ID,
                            'numericGradeValue': record.value, 'mode': 2,
                            'isGradeApproved': False}
    json.dumps(report.as_dict())  # a Celery task can return it


def test_errors_unknown_keys_and_mixed_pages_are_reported(
        client, gradebook, openedx, lmod_fake, students):
    fake = openedx.fake
    emails = sorted(students)[:10]
    _seed_grades(openedx, emails)
    for number in range(8):  # two pages of errors only: 422 from Open edX
        fake.set_grade_error(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                             'broken{0}'.format(number), 'Timeout')
    fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                   'nobody@example.com', 0.9, 'A')
    report = _push(client, gradebook)
    statuses = [request for request in openedx.requests
                if request.path.endswith('/grades/')]
    assert len(statuses) == 3
    by_key = {record.student_key: record for record in report.records}
    assert len(by_key) == report.records_read == 19
    assert by_key['broken3'].status == 'skipped'
    assert by_key['broken3'].reason == (
        'Open edX could not load the grade: Timeout')
    assert by_key['nobody@example.com'].reason == (
        'no LMod student has this email')
    assert report.counts() == {'confirmed': 10, 'failed': 0,
                               'unconfirmed': 0, 'not sent': 0,
                               'dry run': 0, 'skipped': 9}
    assert report.ok  # skipped on purpose is not a failure
    graded = {key[0] for key in lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
              if key[1] == FINAL_ID}
    assert graded == {students[email] for email in emails}


def test_letter_grades_become_overall_grades(client, gradebook, openedx,
                                             students):
    emails = sorted(students)[:3]
    _seed_grades(openedx, emails)
    openedx.fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                           sorted(students)[3], 0.5, None)
    report = _push(client, gradebook, letter_grades=True)
    letters = {record.student_key: record.value for record in report.records
               if record.assignment == OVERALL_GRADE
               and record.status == 'confirmed'}
    assert letters == {emails[0]: 'A', emails[1]: 'B', emails[2]: 'C'}
    skipped = report.with_status('skipped')
    assert [(record.assignment, record.reason) for record in skipped] == [
        (OVERALL_GRADE, 'Open edX has no letter grade')]
    held = {student['accountEmail']: student.get('overallGradeInformation')
            for student in gradebook.get_students(include_grade_info=True)}
    assert held[emails[1]] == {'letterGradeValue': 'B'}


def test_dry_run_sends_nothing(client, gradebook, openedx, lmod_server,
                               lmod_fake, students):
    _seed_grades(openedx, sorted(students)[:12])
    before = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    report = _push(client, gradebook, dry_run=True, letter_grades=True)
    assert report.counts()['dry run'] == 24
    assert report.requests_sent == 0
    assert _multigrade_requests(lmod_server) == []
    assert lmod_fake.stored_grades(DEMO_GRADEBOOK_ID) == before


def test_rerun_with_unchanged_grades_sends_nothing_new(
        client, gradebook, openedx, lmod_server, students):
    emails = sorted(students)[:30]
    _seed_grades(openedx, emails)
    first = _push(client, gradebook, letter_grades=True, batch_size=25)
    assert first.counts()['confirmed'] == 60
    assert first.requests_sent == 3
    sent_before = len(_multigrade_requests(lmod_server))
    second = _push(client, gradebook, letter_grades=True)
    assert second.counts()['skipped'] == 60
    assert {record.reason for record in second.records} == {
        'unchanged: LMod already holds this grade'}
    assert len(_multigrade_requests(lmod_server)) == sent_before
    openedx.fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, emails[4],
                           0.33, 'A')
    third = _push(client, gradebook, letter_grades=True)
    sent = [(record.student_key, record.assignment, record.value)
            for record in third.with_status('confirmed')]
    assert sent == [(emails[4], FINAL, 33.0), (emails[4], OVERALL_GRADE, 'A')]
    last = _multigrade_requests(lmod_server)[-1]
    assert len(last.body) == 2


def test_existing_lmod_grades_are_compared_too(client, gradebook, openedx,
                                               lmod_fake, students):
    """The demo midterm grades are in LMod already: sending the same
    values is skipped, a different one is sent."""
    held = {key[0]: value for key, value in
            lmod_fake.stored_grades(DEMO_GRADEBOOK_ID).items()
            if key[1] == MIDTERM_ID}
    by_id = {student_id: email for email, student_id in students.items()}
    same, other = sorted(held)[:2]
    fake = openedx.fake
    fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, by_id[same],
                   held[same] / 100)
    fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, by_id[other],
                   (held[other] + 1) / 100)
    report = _push(client, gradebook, assignment='midterm1')
    outcome = {record.student_id: record.status for record in report.records}
    assert outcome == {same: 'skipped', other: 'confirmed'}


def test_mapping_file_and_callable(client, gradebook, openedx, lmod_fake,
                                   students, tmp_path):
    emails = sorted(students)[:3]
    fake = openedx.fake
    for number in range(len(emails)):
        fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                       'key-{0}'.format(number), 0.8)
    mapping = tmp_path / 'mapping.csv'
    mapping.write_text('student_key,email,note\nkey-0,{0},x\n'
                       'key-1,{1},\n'.format(emails[0], emails[1].upper()),
                       encoding='utf-8')
    report = _push(client, gradebook, mapping=str(mapping))
    assert [(record.student_key, record.status, record.reason)
            for record in report.records] == [
        ('key-0', 'confirmed', ''), ('key-1', 'confirmed', ''),
        ('key-2', 'skipped', 'the mapping has no email for this student_key')]
    report = _push(client, gradebook,
                   mapping=lambda key: emails[int(key[-1])])
    assert report.counts()['confirmed'] == 1  # key-2; the others unchanged
    stored = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert all(stored[(students[email], FINAL_ID)] == 80.0
               for email in emails)


@pytest.mark.parametrize('text, message', [
    ('key,email\na,b@example.com\n', 'line 1: the header needs'),
    ('student_key,email\na,\n', 'line 2: column email is empty'),
    ('student_key,email\na,b@x.org\n,c@x.org\n',
     'line 3: column student_key is empty'),
    ('student_key,email\na,not-an-email\n', 'line 2: column email: expected'),
    ('student_key,email\na,b@x.org\na,c@x.org\n',
     "line 3: student_key 'a' is already mapped to another email on line 2"),
])
def test_bad_mapping_rows_are_clear_errors(tmp_path, text, message):
    path = tmp_path / 'bad.csv'
    path.write_text(text, encoding='utf-8')
    with pytest.raises(OpenEdxConfigError) as raised:
        load_mapping_csv(path)
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)


def test_lmod_partial_failure_is_reported(client, gradebook, openedx,
                                          lmod_fake, students):
    emails = sorted(students)[:5]
    _seed_grades(openedx, emails)
    dropped = students[emails[2]]

    def drop_mid_sync(key):
        # The student leaves the LMod class between the read of the roster
        # and the write of the grades: LMod refuses that grade.
        if key == emails[2]:
            lmod_fake._gradebook(DEMO_GRADEBOOK_ID).students.pop(dropped)
        return key

    report = _push(client, gradebook, mapping=drop_mid_sync)
    failed = report.with_status('failed')
    assert [(record.student_key, record.student_id) for record in failed] == [
        (emails[2], dropped)]
    assert 'No student with studentId' in failed[0].reason
    assert report.counts()['confirmed'] == 4
    assert not report.ok


def test_lmod_transport_failure_stops_and_reports(openedx, client, lmod_server,
                                                  students):
    gradebook = GradeBook(lmod_server.client_cert, lmod_server.url,
                          gbuuid=DEMO_GRADEBOOK_UUID,
                          verify=lmod_server.ca_cert, retries=0)
    _seed_grades(openedx, sorted(students)[:25])
    lmod_server.fail_next(1, 503, path_prefix='multiGrades/')
    report = _push(client, gradebook, batch_size=10)
    assert report.counts()['unconfirmed'] == 10
    assert report.counts()['not sent'] == 15
    assert report.error.startswith('multiGrades failed: PyLmodHTTPError')
    assert report.requests_sent == 1
    assert not report.ok and not report.as_dict()['ok']


def test_missing_assignment_is_a_config_error(client, gradebook, openedx,
                                              lmod_server):
    with pytest.raises(OpenEdxConfigError) as raised:
        _push(client, gradebook, assignment='no such assignment')
    assert "no assignment named 'no such assignment'" in str(raised.value)
    assert openedx.requests == [] and _multigrade_requests(lmod_server) == []


def test_an_excused_grade_in_lmod_is_not_taken_for_the_points(
        client, gradebook, openedx, lmod_fake, students):
    # pylmod.grades.stored: an excused grade (specialGradeValue) holds no
    # number, so the push sends the Open edX grade over it.
    email = sorted(students)[0]
    gradebook.multi_grade([{'studentId': students[email],
                            'assignmentId': FINAL_ID, 'mode': 2,
                            'specialGradeValue': 'x'}])
    openedx.fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, email, 0.5)
    report = _push(client, gradebook)
    assert [(record.student_key, record.status) for record in report.records
            ] == [(email, 'confirmed')]
    assert lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)[
        (students[email], FINAL_ID)] == 50.0
