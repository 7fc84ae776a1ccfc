"""The fake Open edX server answers as the edx-platform docs describe."""
import pytest
import requests

from pylmod.openedx.endpoints import ENDPOINTS
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
    OpenEdxServer,
)

GRADES = ENDPOINTS['program_course_grades'].format(
    program_uuid=DEMO_PROGRAM_UUID, course_id=DEMO_COURSE_KEY)
ENROLLMENTS = ENDPOINTS['program_enrollments'].format(
    program_uuid=DEMO_PROGRAM_UUID)
BULK = ENDPOINTS['bulk_enroll'].path


@pytest.fixture
def fake():
    return FakeOpenEdx.demo()


@pytest.fixture
def server(fake):
    with OpenEdxServer(fake) as running:
        yield running


@pytest.fixture
def http(server, fake):
    """A plain session carrying a token fetched by hand."""
    answer = requests.post(server.url + '/oauth2/access_token', data={
        'grant_type': 'client_credentials', 'client_id': fake.CLIENT_ID,
        'client_secret': fake.CLIENT_SECRET, 'token_type': 'jwt'}, timeout=10)
    assert answer.status_code == 200
    session = requests.Session()
    session.headers['Authorization'] = 'JWT ' + answer.json()['access_token']
    yield session
    session.close()


def test_token_endpoint_issues_jwt_looking_tokens(server, fake):
    answer = requests.post(server.url + '/oauth2/access_token', data={
        'grant_type': 'client_credentials', 'client_id': fake.CLIENT_ID,
        'client_secret': fake.CLIENT_SECRET, 'token_type': 'jwt'}, timeout=10)
    body = answer.json()
    assert answer.status_code == 200
    assert body['token_type'] == 'JWT' and body['expires_in'] == 3600
    assert body['access_token'].count('.') == 2
    logged = server.requests_to('access_token')[0]
    assert logged.body['client_secret'] == '***'


@pytest.mark.parametrize('form, status', [
    ({'client_secret': 'wrong'}, 401),
    ({'client_id': 'nobody'}, 401),
    ({'grant_type': 'password'}, 400),
])
def test_token_endpoint_refuses_bad_requests(server, fake, form, status):
    data = {'grant_type': 'client_credentials', 'client_id': fake.CLIENT_ID,
            'client_secret': fake.CLIENT_SECRET, 'token_type': 'jwt'}
    data.update(form)
    answer = requests.post(server.url + '/oauth2/access_token', data=data,
                           timeout=10)
    assert answer.status_code == status


def test_api_needs_a_jwt(server):
    assert requests.get(server.url + GRADES, timeout=10).status_code == 401
    assert requests.get(server.url + GRADES, timeout=10, headers={
        'Authorization': 'JWT not-a-token'}).status_code == 401


def test_grades_204_200_207_422_per_page(server, fake, http):
    assert http.get(server.url + GRADES, timeout=10).status_code == 204
    for number in range(3):
        fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                       'ok{0}@example.com'.format(number), 0.5, 'C')
    fake.set_grade_error(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, 'e1', 'boom')
    fake.set_grade_error(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, 'e2', 'boom')
    statuses, keys = [], []
    url, params = server.url + GRADES, {'page_size': 2}
    while url:
        answer = http.get(url, params=params, timeout=10)
        statuses.append(answer.status_code)
        keys += [record['student_key'] for record in answer.json()['results']]
        url, params = answer.json()['next'], None
    assert statuses == [200, 207, 422]
    assert keys == ['ok0@example.com', 'ok1@example.com', 'ok2@example.com',
                    'e1', 'e2']
    page = http.get(server.url + GRADES, timeout=10).json()
    assert page['next'] is None and page['previous'] is None
    assert len(page['results']) == 5


def test_unknown_program_or_course_is_404(server, http):
    bad_program = ENDPOINTS['program_enrollments'].format(program_uuid='nope')
    assert http.get(server.url + bad_program, timeout=10).status_code == 404
    bad_course = ENDPOINTS['program_course_grades'].format(
        program_uuid=DEMO_PROGRAM_UUID, course_id='course-v1:X+Y+Z')
    assert http.get(server.url + bad_course, timeout=10).status_code == 404


def _learners(count, status='enrolled', start=0):
    return [{'student_key': 'learner{0}'.format(number),
             'status': status, 'curriculum_uuid': DEMO_CURRICULUM_UUID}
            for number in range(start, start + count)]


def test_program_enrollment_writes(server, fake, http):
    url = server.url + ENROLLMENTS
    assert http.post(url, json=_learners(26), timeout=10).status_code == 413
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {}
    created = http.post(url, json=_learners(2), timeout=10)
    assert created.status_code == 200
    assert created.json() == {'learner0': 'enrolled', 'learner1': 'enrolled'}
    mixed = http.post(url, json=_learners(3), timeout=10)
    assert mixed.status_code == 207
    assert mixed.json() == {'learner0': 'conflict', 'learner1': 'conflict',
                            'learner2': 'enrolled'}
    patched = http.patch(url, json=[
        {'student_key': 'learner0', 'status': 'canceled'},
        {'student_key': 'ghost', 'status': 'canceled'},
        {'student_key': 'learner1', 'status': 'graduated'}],
        timeout=10)
    assert patched.status_code == 207
    assert patched.json() == {'learner0': 'canceled',
                              'ghost': 'not-in-program',
                              'learner1': 'invalid-status'}
    duplicated = http.put(url, json=_learners(1) + _learners(1), timeout=10)
    assert duplicated.status_code == 422
    assert duplicated.json() == {'learner0': 'duplicated'}
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {
        'learner0': 'canceled', 'learner1': 'enrolled',
        'learner2': 'enrolled'}


@pytest.mark.parametrize('verb, item, errors', [
    ('POST', {'student_key': 'x', 'status': 'enrolled'},
     {'curriculum_uuid': ['This field is required.']}),
    ('PUT', {'student_key': 'x', 'status': 'enrolled',
             'curriculum_uuid': 'c1'},
     {'curriculum_uuid': ['Must be a valid UUID.']}),
    ('PATCH', {'student_key': '', 'status': 'enrolled'},
     {'student_key': ['This field may not be blank.']}),
    ('PATCH', {'student_key': None, 'status': 'enrolled'},
     {'student_key': ['This field may not be null.']}),
    ('PATCH', {'student_key': 'x'}, {'status': ['This field is required.']}),
    ('PATCH', {'student_key': ['x'], 'status': 'enrolled'},
     {'student_key': ['Not a valid string.']}),
])
def test_program_enrollment_field_errors_are_drf_400s(server, fake, http,
                                                      verb, item, errors):
    """A bad item is answered 400 with the serializer's field errors, and
    nothing of the request is written."""
    body = _learners(1, start=5) + [item]
    answer = http.request(verb, server.url + ENROLLMENTS, json=body,
                          timeout=10)
    assert (answer.status_code, answer.json()) == (400, errors)
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {}


@pytest.mark.parametrize('strict', [True, False])
def test_external_user_key_is_refused_as_edx_platform_does(strict):
    """The docs' example bodies name the learner ``external_user_key`` (the
    model field); the request serializers require ``student_key``."""
    fake = FakeOpenEdx.demo(strict=strict)
    with OpenEdxServer(fake) as server:
        session = server.client().session
        url = server.url + ENROLLMENTS
        answer = session.post(url, json=[{
            'external_user_key': '123', 'status': 'enrolled',
            'curriculum_uuid': DEMO_CURRICULUM_UUID}], timeout=10)
        extra = session.patch(url, json=[{
            'student_key': '123', 'status': 'enrolled', 'notes': 'x'}],
            timeout=10)
    assert answer.status_code == 400
    assert answer.json()['student_key'] == ['This field is required.']
    assert ('external_user_key' in answer.json()) is strict
    if strict:
        assert extra.status_code == 400
        assert extra.json() == {'notes': [
            'Unknown field: Open edX would ignore it (strict fake).']}
    else:  # DRF ignores what the serializer does not declare
        assert (extra.status_code, extra.json()) == (
            422, {'123': 'not-in-program'})
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {}


def test_program_course_enrollment_needs_program_enrollment(server, fake,
                                                            http):
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'inside')
    url = server.url + ENDPOINTS['program_course_enrollments'].format(
        program_uuid=DEMO_PROGRAM_UUID, course_id=DEMO_COURSE_KEY)
    answer = http.post(url, json=[
        {'student_key': 'inside', 'status': 'active'},
        {'student_key': 'outside', 'status': 'active'}], timeout=10)
    assert answer.status_code == 207
    assert answer.json() == {'inside': 'active', 'outside': 'not-in-program'}
    listed = http.get(url, timeout=10).json()['results']
    assert [(record['student_key'], record['status']) for record in listed] \
        == [('inside', 'active')]


def test_bulk_enroll_result_shape_and_errors(server, fake, http):
    fake.users.add('known@example.com')
    url = server.url + BULK
    answer = http.post(url, json={
        'action': 'enroll', 'auto_enroll': True, 'email_students': False,
        'courses': DEMO_COURSE_KEY, 'cohorts': 'r01',
        'identifiers': 'known@example.com,new@example.com,not an email'},
        timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body['action'] == 'enroll' and body['auto_enroll'] is True
    results = body['courses'][DEMO_COURSE_KEY]['results']
    assert results[0] == {
        'identifier': 'known@example.com',
        'before': {'user': True, 'enrollment': False, 'allowed': False,
                   'auto_enroll': False, 'cohort': None},
        'after': {'user': True, 'enrollment': True, 'allowed': False,
                  'auto_enroll': False, 'cohort': 'r01'}}
    assert results[1]['after']['allowed'] is True
    assert results[2] == {'identifier': 'not an email',
                          'invalidIdentifier': True}
    assert fake.course_enrollments(DEMO_COURSE_KEY) == {
        'known@example.com': 'r01', 'new@example.com': 'r01'}
    for body in ({'action': 'enroll', 'courses': 'not-a-key',
                  'identifiers': 'a@example.com'},
                 {'action': 'enroll', 'courses': DEMO_COURSE_KEY,
                  'cohorts': 'a,b', 'identifiers': 'a@example.com'}):
        assert http.post(url, json=body, timeout=10).status_code == 400


def test_fail_next_and_seed(fake):
    seeded = FakeOpenEdx({
        'clients': {'c': 's'}, 'users': ['a@example.com'],
        'courses': {DEMO_COURSE_KEY: {'enrolled': ['a@example.com']}},
        'programs': {'p': {'curriculum_uuid': 'c1',
                           'enrollments': [{'student_key': 'k'}],
                           'courses': {DEMO_COURSE_KEY: {
                               'grades': [{'student_key': 'k',
                                           'percent': 0.5}],
                               'enrollments': [{'student_key': 'k'}]}}}}})
    assert seeded.program_enrollments('p') == {'k': 'enrolled'}
    assert seeded.program_course_enrollments('p', DEMO_COURSE_KEY) == {
        'k': 'active'}
    assert seeded.course_enrollments(DEMO_COURSE_KEY) == {
        'a@example.com': None}
    with OpenEdxServer(seeded) as server:
        token = requests.post(server.url + '/oauth2/access_token', data={
            'grant_type': 'client_credentials', 'client_id': 'c',
            'client_secret': 's', 'token_type': 'jwt'},
            timeout=10).json()['access_token']
        headers = {'Authorization': 'JWT ' + token}
        url = server.url + ENDPOINTS['program_course_grades'].format(
            program_uuid='p', course_id=DEMO_COURSE_KEY)
        seeded.fail_next(1, 503, path_prefix='/api/program_enrollments/')
        assert requests.get(url, headers=headers,
                            timeout=10).status_code == 503
        assert requests.get(url, headers=headers,
                            timeout=10).status_code == 200


def test_fail_next_counts_only_the_requests_it_names(fake):
    """Injected failures share the fake LMod's fault queue: a count of 0
    injects nothing, ``method`` narrows a failure to one verb."""
    token = fake.handle('POST', '/oauth2/access_token', {}, {
        'grant_type': 'client_credentials', 'client_id': fake.CLIENT_ID,
        'client_secret': fake.CLIENT_SECRET, 'token_type': 'jwt'}, {},
        'http://testserver')[1]['access_token']

    def status(method, body=None):
        return fake.handle(method, ENROLLMENTS, {}, body, {
            'authorization': 'JWT ' + token}, 'http://testserver')[0]

    fake.fail_next(0)
    fake.fail_next(1, 500, method='POST')
    assert status('GET') == 200
    assert status('POST', _learners(1)) == 500
    assert status('POST', _learners(1)) == 200
    with pytest.raises(ValueError, match='count'):
        fake.fail_next(-1)
