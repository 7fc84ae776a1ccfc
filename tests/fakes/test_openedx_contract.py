"""Contract tests: the edx-platform documentation's own example requests
and answers (tests/data/openedx/doc_examples.json), replayed against the
fake Open edX over HTTP.

Where an example cannot hold as written, the test says why: the Create
example body names the learner ``external_user_key`` (the model field),
which the request serializers refuse, and its 200 answer gives statuses
other than those its request asked for.
"""
import json
from pathlib import Path

import pytest
import requests

from pylmod.openedx.endpoints import ENDPOINTS
from pylmod.testing.fake_openedx import FakeOpenEdx, OpenEdxServer

EXAMPLES = json.loads((Path(__file__).parents[1] / 'data' / 'openedx' /
                       'doc_examples.json').read_text('utf-8'))
PROGRAM = '00000000-1111-2222-3333-444444444444'
OTHER_PROGRAM = '00000000-1111-2222-3333-444444444445'
CURRICULUM = '2d7de549-b09e-4e50-835d-4c5c5080c566'
COURSE = 'course-v1:edX+AnimalsX+Aardvarks'


@pytest.fixture
def fake():
    fake = FakeOpenEdx.demo()
    fake.add_program(PROGRAM, CURRICULUM, courses=[COURSE], slug='deadbeef')
    fake.add_program(OTHER_PROGRAM, CURRICULUM, slug='undead-cattle')
    return fake


@pytest.fixture
def server(fake):
    with OpenEdxServer(fake) as running:
        yield running


@pytest.fixture
def staff(server):
    """A plain session with the service user's (staff) JWT."""
    return server.client().session


def _url(server, endpoint, **ids):
    return server.url + ENDPOINTS[endpoint].format(**ids)


def _seed_list(fake, example, course=None):
    for record in example['response']['results']:
        fake.enroll_in_program(PROGRAM, record['student_key'], 'enrolled',
                               record['curriculum_uuid'])
        if record['account_exists']:
            fake.users.add(record['student_key'])
        if course:
            fake.enroll_in_program_course(PROGRAM, course,
                                          record['student_key'],
                                          record['status'])
        else:
            fake.enroll_in_program(PROGRAM, record['student_key'],
                                   record['status'],
                                   record['curriculum_uuid'])


def test_program_enrollments_list(fake, server, staff):
    example = EXAMPLES['program_enrollments_list']
    _seed_list(fake, example)
    answer = staff.get(_url(server, 'program_enrollments',
                            program_uuid=PROGRAM), timeout=10)
    assert answer.status_code == 200
    assert answer.json()['results'] == example['response']['results']
    assert answer.json()['next'] is None


def test_program_course_enrollments_list(fake, server, staff):
    example = EXAMPLES['program_course_enrollments_list']
    _seed_list(fake, example, course=COURSE)
    answer = staff.get(_url(server, 'program_course_enrollments',
                            program_uuid=PROGRAM, course_id=COURSE),
                       timeout=10)
    assert answer.status_code == 200
    assert answer.json()['results'] == example['response']['results']


def test_program_course_grades_207(fake, server, staff):
    example = EXAMPLES['program_course_grades']
    grades = fake.programs[PROGRAM].courses[COURSE].grades
    for record in example['response']['results']:
        grades[record['student_key']] = dict(record)
    answer = staff.get(_url(server, 'program_course_grades',
                            program_uuid=PROGRAM, course_id=COURSE),
                       timeout=10)
    assert answer.status_code == example['status']
    assert answer.json()['results'] == example['response']['results']


def _renamed(items):
    """The example items as the serializers accept them."""
    return [{('student_key' if name == 'external_user_key' else name): value
             for name, value in item.items()} for item in items]


def test_program_enrollment_create(fake, server, staff):
    example = EXAMPLES['program_enrollments_create']
    url = _url(server, 'program_enrollments', program_uuid=PROGRAM)
    as_documented = staff.post(url, json=example['request'], timeout=10)
    assert as_documented.status_code == 400
    assert as_documented.json()['student_key'] == ['This field is required.']
    answer = staff.post(url, json=_renamed(example['request']), timeout=10)
    assert answer.status_code == 200
    # The documented 200 answer has the same learners; its statuses are
    # not those the example request writes, which the answer echoes.
    assert set(answer.json()) == set(example['response_200'])
    assert answer.json() == {item['external_user_key']: item['status']
                             for item in example['request']}


def test_program_enrollment_create_207(fake, server, staff):
    example = EXAMPLES['program_enrollments_create']
    fake.enroll_in_program(PROGRAM, '456')
    items = _renamed(example['request'])
    items[2]['status'] = 'graduated'
    answer = staff.post(_url(server, 'program_enrollments',
                             program_uuid=PROGRAM),
                        json=[items[0]] + items, timeout=10)
    assert (answer.status_code, answer.json()) == (
        207, example['response_207'])


def test_program_enrollment_update_207(fake, server, staff):
    example = EXAMPLES['program_enrollments_update']
    fake.enroll_in_program(PROGRAM, 'abc')
    items = _renamed(example['request'])
    items[2]['status'] = 'graduated'
    answer = staff.patch(_url(server, 'program_enrollments',
                              program_uuid=PROGRAM),
                         json=[items[0]] + items, timeout=10)
    assert (answer.status_code, answer.json()) == (
        207, example['response_207'])
    too_many = [{'student_key': str(number), 'status': 'enrolled'}
                for number in range(26)]
    assert staff.patch(_url(server, 'program_enrollments',
                            program_uuid=PROGRAM), json=too_many,
                       timeout=10).status_code == 413


def test_bulk_enroll_example(fake, server, staff):
    request = EXAMPLES['bulk_enroll']['request']
    courses = request['courses'].split(',')
    for course in courses:
        fake.add_course(course)
    for email in request['identifiers'].split(','):
        fake.users.add(email)
    answer = staff.post(_url(server, 'bulk_enroll'), json=request,
                        timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert (body['action'], body['auto_enroll'], body['email_students']) == (
        'enroll', True, True)
    assert list(body['courses']) == courses
    for course in courses:
        results = body['courses'][course]['results']
        assert [result['identifier'] for result in results] == \
            request['identifiers'].split(',')
        for result in results:
            # "additional 'cohort' keys will be added to the 'before' and
            # 'after' states"
            assert result['before']['cohort'] is None
            assert result['after'] == {'user': True, 'enrollment': True,
                                       'allowed': False, 'auto_enroll': False,
                                       'cohort': 'cohortA'}


def test_user_program_course_enrollments(fake, server):
    example = EXAMPLES['user_program_course_enrollments']
    fake.add_account('ada', 'ada@example.com')
    fake.enroll_in_program(PROGRAM, 'ada@example.com')
    fake.enroll_in_program_course(PROGRAM, COURSE, 'ada@example.com')
    session = requests.Session()
    session.headers['Authorization'] = 'JWT ' + fake.learner_token('ada')
    answer = session.get(_url(server, 'user_program_course_enrollments',
                              username='ada', program_uuid=PROGRAM),
                         timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert (body['next'], body['previous']) == (None, None)
    documented = set().union(*example['response']['results'])
    assert [set(run) for run in body['results']] == [documented]
    assert body['results'][0]['course_run_id'] == COURSE


def test_read_only_programs(server, staff):
    answer = staff.get(_url(server, 'read_only_programs'), timeout=10)
    assert answer.status_code == 200
    documented = EXAMPLES['read_only_programs']['response']
    assert [program for program in answer.json()
            if program['uuid'] in (PROGRAM, OTHER_PROGRAM)] == documented


def test_mobile_shapes(fake, server):
    fake.add_account('ada', 'ada@example.com', 'Ada Lovelace')
    fake.add_course(COURSE)
    fake.enroll_learner(COURSE, 'ada@example.com', 'verified',
                        'https://lms.example.edu/certificates/1')
    session = requests.Session()
    session.headers['Authorization'] = 'JWT ' + fake.learner_token('ada')
    user = session.get(_url(server, 'mobile_user', version='v1',
                            username='ada'), timeout=10).json()
    assert list(user) == EXAMPLES['mobile_user']['fields']
    assert session.get(user['course_enrollments'],
                       timeout=10).status_code == 200
    example = EXAMPLES['mobile_course_enrollments']
    enrollments = session.get(_url(server, 'mobile_course_enrollments',
                                   version='v1', username='ada'),
                              timeout=10).json()
    assert [sorted(row) for row in enrollments] == [sorted(example['fields'])]
    assert sorted(enrollments[0]['course']) == sorted(example['course_fields'])
    status = session.get(_url(server, 'mobile_course_status', version='v1',
                              username='ada', course_id=COURSE),
                         timeout=10).json()
    assert sorted(status) == sorted(EXAMPLES['mobile_course_status']['fields'])
