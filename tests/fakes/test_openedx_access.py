"""The fake Open edX's rules about who asks and how much: token schemes,
staff-only calls, the mobile API's ``IsUserInUrl``, a learner's program
views, page sizes, and the faults a test injects."""
import threading

import pytest
import requests

from pylmod.openedx.endpoints import ENDPOINTS
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
    OpenEdxServer,
)

FORBIDDEN = {'detail': 'You do not have permission to perform this action.'}


@pytest.fixture
def fake():
    fake = FakeOpenEdx.demo()
    fake.add_client('reader', 'reader-secret', staff=False)
    fake.add_account('ada', 'ada@example.com', 'Ada Lovelace')
    fake.add_account('bob', 'bob@example.com', 'Bob')
    return fake


@pytest.fixture
def server(fake):
    with OpenEdxServer(fake) as running:
        yield running


def _session(authorization):
    session = requests.Session()
    session.headers['Authorization'] = authorization
    return session


def _token(server, client_id, secret, token_type=None):
    form = {'grant_type': 'client_credentials', 'client_id': client_id,
            'client_secret': secret}
    if token_type:
        form['token_type'] = token_type
    answer = requests.post(server.url + '/oauth2/access_token', data=form,
                           timeout=10)
    assert answer.status_code == 200
    return answer.json()


def _url(server, endpoint, **ids):
    return server.url + ENDPOINTS[endpoint].format(**ids)


def test_token_types_and_their_schemes(server, fake):
    jwt = _token(server, fake.CLIENT_ID, fake.CLIENT_SECRET, 'jwt')
    bearer = _token(server, fake.CLIENT_ID, fake.CLIENT_SECRET)
    assert (jwt['token_type'], bearer['token_type']) == ('JWT', 'Bearer')
    assert jwt['access_token'].count('.') == 2
    assert bearer['access_token'].count('.') == 0
    url = _url(server, 'program_enrollments', program_uuid=DEMO_PROGRAM_UUID)
    for authorization, status in (
            ('JWT ' + jwt['access_token'], 200),
            ('Bearer ' + bearer['access_token'], 200),
            ('Bearer ' + jwt['access_token'], 401),
            ('JWT ' + bearer['access_token'], 401),
            ('JWT', 401)):
        assert _session(authorization).get(url, timeout=10).status_code \
            == status, authorization
    fake.revoke_tokens()
    assert _session('JWT ' + jwt['access_token']).get(
        url, timeout=10).status_code == 401


def test_program_apis_and_bulk_enroll_need_staff(server, fake):
    reader = _session('JWT ' + _token(server, 'reader', 'reader-secret',
                                      'jwt')['access_token'])
    learner = _session('JWT ' + fake.learner_token('ada'))
    for session in (reader, learner):
        for method, endpoint, body in (
                ('GET', 'program_enrollments', None),
                ('POST', 'program_enrollments', [{}]),
                ('GET', 'program_course_grades', None)):
            answer = session.request(method, _url(
                server, endpoint, program_uuid=DEMO_PROGRAM_UUID,
                course_id=DEMO_COURSE_KEY), json=body, timeout=10)
            assert (answer.status_code, answer.json()) == (403, FORBIDDEN)
        bulk = session.post(_url(server, 'bulk_enroll'), json={
            'action': 'enroll', 'courses': DEMO_COURSE_KEY,
            'identifiers': 'ada@example.com'}, timeout=10)
        assert bulk.status_code == 403
    assert fake.course_enrollments(DEMO_COURSE_KEY) == {}


@pytest.mark.parametrize('body, errors', [
    ({'action': 'enroll', 'courses': 'not-a-key',
      'identifiers': 'a@example.com'},
     {'courses': ['Course key not valid: not-a-key']}),
    ({'action': 'enroll', 'courses': DEMO_COURSE_KEY, 'cohorts': 'a,b',
      'identifiers': 'a@example.com'},
     {'non_field_errors': ['If provided, the cohorts and courses should '
                           'have equal number of items.']}),
    ({'action': 'drop', 'courses': DEMO_COURSE_KEY},
     {'action': ['"drop" is not a valid choice.'],
      'identifiers': ['This field is required.']}),
    ({'action': 'enroll', 'courses': DEMO_COURSE_KEY, 'identifiers': 'a',
      'email_students': 'maybe'},
     {'email_students': ['Must be a valid boolean.']}),
])
def test_bulk_enroll_400s_are_drf_field_errors(server, fake, body, errors):
    staff = server.client().session
    answer = staff.post(_url(server, 'bulk_enroll'), json=body, timeout=10)
    assert (answer.status_code, answer.json()) == (400, errors)


def test_mobile_api_answers_only_the_user_in_the_url(server, fake):
    fake.enroll_learner(DEMO_COURSE_KEY, 'ada@example.com', 'verified')
    ada = _session('JWT ' + fake.learner_token('ada'))
    ada_bearer = _session('Bearer ' + fake.learner_token('ada', 'Bearer'))
    bob = _session('JWT ' + fake.learner_token('bob'))
    staff = server.client().session
    for endpoint in ('mobile_user', 'mobile_course_enrollments',
                     'mobile_course_status'):
        url = _url(server, endpoint, version='v1', username='ada',
                   course_id=DEMO_COURSE_KEY)
        assert ada.get(url, timeout=10).status_code == 200
        assert ada_bearer.get(url, timeout=10).status_code == 200
        # IsUserInUrl compares usernames without case.
        assert ada.get(url.replace('/ada', '/ADA'),
                       timeout=10).status_code == 200
        for other in (bob, staff):
            answer = other.get(url, timeout=10)
            assert (answer.status_code, answer.json()) == (403, FORBIDDEN)
    assert ada.get(_url(server, 'mobile_user', version='v9', username='ada'),
                   timeout=10).status_code == 404
    enrollments = ada.get(_url(server, 'mobile_course_enrollments',
                               version='v0.5', username='ada'),
                          timeout=10).json()
    assert [(row['mode'], row['is_active'], row['certificate'],
             'audit_access_expires' in row) for row in enrollments] == [
        ('verified', True, {}, False)]
    assert ada.get(_url(server, 'mobile_course_enrollments', version='v1',
                        username='ada'), params={'org': 'Other'},
                   timeout=10).json() == []


def test_course_status_patch(server, fake):
    fake.add_course('course-v1:MITx+8.01x+2026')
    fake.enroll_learner(DEMO_COURSE_KEY, 'ada@example.com')
    ada = _session('JWT ' + fake.learner_token('ada'))
    url = _url(server, 'mobile_course_status', version='v1', username='ada',
               course_id=DEMO_COURSE_KEY)
    block = 'block-v1:MITx+6.002x+2026_Spring+type@sequential+block@week1'
    later = 'block-v1:MITx+6.002x+2026_Spring+type@sequential+block@week2'
    answer = ada.patch(url, json={'last_visited_module_id': block,
                                  'modification_date': '2026-03-02T10:00:00Z'},
                       timeout=10)
    assert answer.status_code == 200
    assert answer.json()['last_visited_module_id'] == block
    older = ada.patch(url, json={'last_visited_module_id': later,
                                 'modification_date': '2026-03-01T10:00:00'},
                      timeout=10)
    assert older.json()['last_visited_block_id'] == block
    for body, code in (
            ({'last_visited_module_id': 'block-v1:X+Y+Z+type@x+block@y'},
             'invalid-module-id'),
            ({'last_visited_module_id': later, 'modification_date': 'soon'},
             'invalid-modification-date')):
        refused = ada.patch(url, json=body, timeout=10)
        assert refused.status_code == 400
        assert refused.json()['errors']['code'] == code
    assert ada.get(url.replace('6.002x+2026_Spring', '8.01x+2026'),
                   timeout=10).status_code == 404


def test_learner_program_views(server, fake):
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'ada@example.com')
    fake.enroll_in_program_course(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                                  'ada@example.com')
    ada = _session('JWT ' + fake.learner_token('ada'))
    bob = _session('JWT ' + fake.learner_token('bob'))
    staff = server.client().session
    overview = _url(server, 'program_overview',
                    program_uuid=DEMO_PROGRAM_UUID)
    runs = ada.get(overview, timeout=10).json()['course_runs']
    assert [run['course_run_id'] for run in runs] == [DEMO_COURSE_KEY]
    assert bob.get(overview, timeout=10).status_code == 403
    courses = _url(server, 'user_program_course_enrollments', username='ada',
                   program_uuid=DEMO_PROGRAM_UUID)
    assert ada.get(courses, timeout=10).status_code == 200
    assert staff.get(courses, timeout=10).status_code == 200
    assert bob.get(courses, timeout=10).status_code == 403
    assert staff.get(courses.replace('/ada/', '/nobody/'),
                     timeout=10).status_code == 404
    readable = _url(server, 'read_only_programs')
    assert ada.get(readable, timeout=10).json() == [
        {'uuid': DEMO_PROGRAM_UUID, 'slug': DEMO_PROGRAM_UUID}]
    assert bob.get(readable, timeout=10).json() == []


@pytest.mark.parametrize('asked, size', [
    (None, 100), ('1000', 1000), ('0', 100), ('x', 100), ('-3', 100)])
def test_program_lists_honour_any_page_size(server, fake, asked, size):
    """``ProgramEnrollmentPagination`` has no ``max_page_size``."""
    for number in range(1200):
        fake.enroll_in_program(DEMO_PROGRAM_UUID, 'k{0}'.format(number))
    params = {'page_size': asked} if asked else {}
    page = server.client().session.get(
        _url(server, 'program_enrollments', program_uuid=DEMO_PROGRAM_UUID),
        params=params, timeout=10).json()
    assert len(page['results']) == size


def test_user_program_courses_page_size_is_cut_to_25(server, fake):
    courses = ['course-v1:MITx+C{0}+2026'.format(number)
               for number in range(30)]
    fake.add_program(DEMO_PROGRAM_UUID, '', courses=courses)
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'ada@example.com')
    for course in courses:
        fake.enroll_in_program_course(DEMO_PROGRAM_UUID, course,
                                      'ada@example.com')
    url = _url(server, 'user_program_course_enrollments', username='ada',
               program_uuid=DEMO_PROGRAM_UUID)
    ada = _session('JWT ' + fake.learner_token('ada'))
    assert len(ada.get(url, timeout=10).json()['results']) == 10
    page = ada.get(url, params={'page_size': 100}, timeout=10).json()
    assert len(page['results']) == 25 and page['next']


def test_429_carries_retry_after(server, fake):
    fake.fail_next(1, 429, retry_after=7)
    answer = server.client().session.get(_url(
        server, 'program_enrollments', program_uuid=DEMO_PROGRAM_UUID),
        timeout=10)
    assert (answer.status_code, answer.headers['Retry-After']) == (429, '7')


def test_drop_processes_then_closes_without_an_answer(server, fake):
    fake.drop_next(1, method='POST')
    session = server.client().session
    with pytest.raises(requests.ConnectionError):
        session.post(_url(server, 'program_enrollments',
                          program_uuid=DEMO_PROGRAM_UUID),
                     json=[{'student_key': 'k', 'status': 'enrolled',
                            'curriculum_uuid': fake.programs[
                                DEMO_PROGRAM_UUID].curriculum_uuid}],
                     timeout=10)
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {'k': 'enrolled'}


def test_a_delayed_answer_does_not_hold_up_other_requests(server, fake):
    """The wait of a ``delay`` fault holds no lock: a request sent while
    another waits is answered first."""
    session = _session('JWT ' + _token(server, fake.CLIENT_ID,
                                       fake.CLIENT_SECRET,
                                       'jwt')['access_token'])
    url = _url(server, 'program_enrollments', program_uuid=DEMO_PROGRAM_UUID)
    fake.delay_next(1, 2.0, method='GET')
    finished = []
    slow = threading.Thread(target=lambda: finished.append(
        ('slow', session.get(url, timeout=30).status_code)))
    slow.start()
    while not server.requests_to('program_enrollments'):
        threading.Event().wait(0.01)
    finished.append(('quick', session.get(url, timeout=30).status_code))
    slow.join()
    assert finished == [('quick', 200), ('slow', 200)]


def test_the_fake_takes_only_paths_from_the_client():
    """The fake routes by the client's path table and takes no other fact
    from ``pylmod.openedx`` (limits, statuses, page sizes are its own)."""
    import ast
    from pathlib import Path

    import pylmod.testing.fake_openedx as package
    facts = {'ok_results', 'max_page_size', 'largest_page_size', 'paginated'}
    for path in Path(package.__file__).parent.glob('*.py'):
        tree = ast.parse(path.read_text('utf-8'))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (
                    node.module or '').startswith('pylmod.openedx'):
                names = {alias.name for alias in node.names}
                allowed = ({'ENDPOINTS', 'OpenEdxEndpoint'}
                           if node.module == 'pylmod.openedx.endpoints'
                           else {'ClientCredentialsSession', 'OpenEdxClient'})
                assert names <= allowed, (path.name, node.module, names)
            assert not (isinstance(node, ast.Attribute)
                        and node.attr in facts), (path.name, node.attr)
