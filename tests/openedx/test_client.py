"""OpenEdxClient and the OAuth sessions, against the fake Open edX."""
import subprocess
import sys

import pytest
import requests
import responses

from pylmod._transport import BODY_START_LENGTH
from pylmod.exceptions import PyLmodBadResponse
from pylmod.openedx.auth import ClientCredentialsSession, oauth_session
from pylmod.openedx.client import OpenEdxClient
from pylmod.openedx.endpoints import ENDPOINTS
from pylmod.openedx.errors import OpenEdxAuthError, OpenEdxHTTPError
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
    OpenEdxServer,
)

LMS_URL = 'https://lms.example.edu'


@pytest.fixture
def fake():
    return FakeOpenEdx.demo()


@pytest.fixture
def server(fake):
    with OpenEdxServer(fake) as running:
        yield running


@pytest.fixture
def client(server):
    return server.client(page_size=4)


def _api_requests(server):
    return [request for request in server.requests
            if request.path.startswith('/api/')]


def test_grades_follow_next_over_pages(client, server, fake):
    for number in range(10):
        fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                       'learner{0}'.format(number), number / 10, 'B')
    fake.set_grade_error(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, 'broken',
                         'Timeout while calculating grade')
    records = client.get_program_course_grades(DEMO_PROGRAM_UUID,
                                               DEMO_COURSE_KEY)
    assert [record['student_key'] for record in records] == [
        'learner{0}'.format(number) for number in range(10)] + ['broken']
    assert records[-1]['error'] == 'Timeout while calculating grade'
    pages = server.requests_to('program_course_grades')
    assert len(pages) == 3
    assert pages[0].params == {'page_size': '4'}
    assert 'cursor' in pages[1].params


def test_no_grades_is_an_empty_list(client):
    assert client.get_program_course_grades(DEMO_PROGRAM_UUID,
                                            DEMO_COURSE_KEY) == []


def test_missing_program_raises_with_the_status(client):
    with pytest.raises(OpenEdxHTTPError) as raised:
        client.get_program_enrollments('no-such-program')
    assert raised.value.status_code == 404
    assert 'program not found' in str(raised.value)


def test_writes_are_chunked_by_25_with_per_learner_results(client, server,
                                                           fake):
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'learner7')
    items = [{'student_key': 'learner{0}'.format(number),
              'status': 'enrolled', 'curriculum_uuid': DEMO_CURRICULUM_UUID}
             for number in range(60)]
    results = client.write_program_enrollments(DEMO_PROGRAM_UUID, items)
    assert [result.key for result in results] == [
        item['student_key'] for item in items]
    failed = [(result.key, result.result, result.http_status)
              for result in results if not result.ok]
    assert failed == [('learner7', 'conflict', 207)]
    posts = server.requests_to('program_enrollments', 'POST')
    assert sorted(len(request.body) for request in posts) == [10, 25, 25]
    assert len(fake.program_enrollments(DEMO_PROGRAM_UUID)) == 60


def test_a_422_chunk_is_results_not_an_error(client, fake):
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'only')
    results = client.write_program_enrollments(
        DEMO_PROGRAM_UUID, [{'student_key': 'only', 'status': 'bogus',
                             'curriculum_uuid': DEMO_CURRICULUM_UUID}])
    assert [(result.result, result.ok, result.http_status)
            for result in results] == [('invalid-status', False, 422)]


def _course_items(fake, count):
    items = [{'student_key': 'learner{0}'.format(number), 'status': 'active'}
             for number in range(count)]
    for item in items:
        fake.enroll_in_program(DEMO_PROGRAM_UUID, item['student_key'])
    return items, [item['student_key'] for item in items]


def test_a_failing_chunk_says_what_was_written(server, fake):
    """One at a time: after the failing chunk nothing more is sent."""
    client = server.client(workers=1)
    items, keys = _course_items(fake, 30)
    fake.fail_next(1, 500, path_prefix='/api/program_enrollments/')
    with pytest.raises(OpenEdxHTTPError) as raised:
        client.write_program_course_enrollments(
            DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, items, 'PUT')
    error = raised.value
    assert error.status_code == 500
    assert error.learner_results == [] and error.unsent == keys
    assert [failed for failed, _ in error.failures] == [keys[:25]]
    assert error.requests_sent == 1


def test_a_failing_chunk_in_a_pool_stops_new_chunks(server, fake):
    """Two in flight: one fails, the other is answered and reported, the
    third chunk never starts; every learner is sent at most once."""
    client = server.client(workers=2)
    items, keys = _course_items(fake, 60)
    fake.fail_next(1, 500, path_prefix='/api/program_enrollments/')
    fake.delay_next(1, 0.3, path_prefix='/api/program_enrollments/')
    with pytest.raises(OpenEdxHTTPError) as raised:
        client.write_program_course_enrollments(
            DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, items, 'PUT')
    error = raised.value
    answered = [result.key for result in error.learner_results]
    (failed, failure), = error.failures
    assert failure is error and error.status_code == 500
    assert {tuple(answered), tuple(failed)} == {tuple(keys[:25]),
                                                tuple(keys[25:50])}
    assert error.unsent == [key for key in keys if key not in answered]
    assert error.requests_sent == 2
    sent = [item['student_key'] for request in server.requests_to(
        'program_course_enrollments', 'PUT') for item in request.body]
    assert sorted(sent) == sorted(keys[:50])
    assert fake.program_course_enrollments(
        DEMO_PROGRAM_UUID, DEMO_COURSE_KEY) == {key: 'active'
                                                for key in answered}


def test_bulk_enroll_chunks_and_tags_results_with_the_course(client, server,
                                                             fake):
    emails = ['learner{0}@example.com'.format(number) for number in range(7)]
    results = client.bulk_enroll(emails, [DEMO_COURSE_KEY], chunk_size=3)
    assert [result['identifier'] for result in results] == emails
    assert {result['course'] for result in results} == {DEMO_COURSE_KEY}
    assert len(server.requests_to('bulk_enroll')) == 3
    with pytest.raises(ValueError):
        client.bulk_enroll(emails, [DEMO_COURSE_KEY], cohorts=['a', 'b'])


def test_bulk_enroll_400_is_an_error(client):
    with pytest.raises(OpenEdxHTTPError) as raised:
        client.bulk_enroll(['a@example.com'], ['course-v1:No+Such+Course'])
    assert raised.value.status_code == 400
    assert raised.value.unsent == ['a@example.com']


@pytest.fixture
def retrying_client(server, fake):
    """A client over :func:`oauth_session`, with its retry adapter."""
    return OpenEdxClient(oauth_session(server.url, fake.CLIENT_ID,
                                       fake.CLIENT_SECRET,
                                       use_edx_client=False), server.url)


def test_a_read_is_retried_after_a_503(retrying_client, server, fake):
    fake.fail_next(1, 503, path_prefix='/api/program_enrollments/')
    assert retrying_client.get_program_enrollments(DEMO_PROGRAM_UUID) == []
    assert len(server.requests_to('program_enrollments', 'GET')) == 2


def test_a_write_is_not_repeated_after_a_503(retrying_client, server, fake):
    fake.fail_next(1, 503, path_prefix='/api/program_enrollments/',
                   method='POST')
    with pytest.raises(OpenEdxHTTPError) as raised:
        retrying_client.write_program_enrollments(DEMO_PROGRAM_UUID, [
            {'student_key': 'learner1', 'status': 'enrolled',
             'curriculum_uuid': DEMO_CURRICULUM_UUID}])
    assert raised.value.status_code == 503
    assert len(server.requests_to('program_enrollments', 'POST')) == 1
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {}


def test_a_page_that_is_not_json_is_a_bad_response():
    page = '<html>' + 'Proxy error. ' * 40 + '</html>'
    client = OpenEdxClient(requests.Session(), LMS_URL)
    with responses.RequestsMock() as mock:
        mock.get(LMS_URL + ENDPOINTS['program_enrollments'].format(
            program_uuid='p'), body=page)
        with pytest.raises(PyLmodBadResponse) as raised:
            client.get_program_enrollments('p')
    assert isinstance(raised.value, ValueError)
    assert raised.value.status_code == 200
    assert raised.value.body_start == page[:BODY_START_LENGTH]
    assert 'Open edX answered HTTP 200' in str(raised.value)
    assert page not in str(raised.value)


def test_jwt_is_fetched_once_and_sent(client, server, fake):
    client.get_program_enrollments(DEMO_PROGRAM_UUID)
    client.get_program_enrollments(DEMO_PROGRAM_UUID)
    token_requests = server.requests_to('access_token')
    assert len(token_requests) == 1
    assert token_requests[0].body['grant_type'] == 'client_credentials'
    assert token_requests[0].body['token_type'] == 'jwt'
    authorizations = {request.headers['authorization']
                      for request in _api_requests(server)}
    assert len(authorizations) == 1
    assert authorizations.pop().startswith('JWT ')


def test_token_renewed_after_a_401(client, server, fake):
    client.get_program_enrollments(DEMO_PROGRAM_UUID)
    fake.revoke_tokens()
    client.get_program_enrollments(DEMO_PROGRAM_UUID)
    assert fake.tokens_issued == 2
    assert [request.path for request in server.requests][-3:] == [
        server.requests[1].path, '/oauth2/access_token',
        server.requests[1].path]


def test_token_renewed_when_it_expires(server, fake):
    # Tokens live 60 s and are renewed 60 s early: every request renews.
    fake.token_lifetime = 60
    session = ClientCredentialsSession(server.url, fake.CLIENT_ID,
                                       fake.CLIENT_SECRET, expiry_margin=60)
    client = OpenEdxClient(session, server.url)
    for _ in range(3):
        client.get_program_enrollments(DEMO_PROGRAM_UUID)
    assert session.tokens_fetched == 3


def test_bad_secret_is_a_clear_error(server, fake):
    session = oauth_session(server.url, fake.CLIENT_ID, 'wrong-secret',
                            use_edx_client=False)
    client = OpenEdxClient(session, server.url)
    with pytest.raises(OpenEdxAuthError) as raised:
        client.get_program_enrollments(DEMO_PROGRAM_UUID)
    message = str(raised.value)
    assert raised.value.status_code == 401
    assert fake.CLIENT_ID in message and 'invalid_client' in message
    assert 'wrong-secret' not in message and 'wrong-secret' not in repr(
        session)
    assert _api_requests(server) == []


def test_edx_rest_api_client_session(server, fake):
    pytest.importorskip('edx_rest_api_client')
    session = oauth_session(server.url, fake.CLIENT_ID, fake.CLIENT_SECRET,
                            use_edx_client=True)
    assert type(session).__name__ == 'OAuthAPIClient'
    fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, 'k', 0.5)
    client = OpenEdxClient(session, server.url)
    records = client.get_program_course_grades(DEMO_PROGRAM_UUID,
                                               DEMO_COURSE_KEY)
    assert [record['student_key'] for record in records] == ['k']
    api = _api_requests(server)
    assert api[0].headers['authorization'].startswith('JWT ')
    bad = oauth_session(server.url, 'unknown-client', 'x',
                        use_edx_client=True)
    with pytest.raises(OpenEdxAuthError) as raised:
        OpenEdxClient(bad, server.url).get_program_enrollments(
            DEMO_PROGRAM_UUID)
    assert raised.value.status_code == 401


def test_importing_the_bridge_loads_neither_django_nor_edx_client():
    """Nor Celery: the plugin's package loads them only when Django loads
    its modules."""
    code = ('import sys, pylmod, pylmod.openedx, pylmod.openedx.plugin, '
            'pylmod.cli.openedx_commands; '
            'print(sorted({name.split(".")[0] for name in sys.modules} & '
            '{"django", "edx_rest_api_client", "edx_django_utils", '
            '"celery", "kombu"}))')
    output = subprocess.run([sys.executable, '-c', code], check=True,
                            capture_output=True, text=True).stdout
    assert output.strip() == '[]'


def test_learner_calls_with_the_learners_own_token(server, fake):
    from pylmod.openedx.learner import learner_record, learner_session
    fake.add_account('ada', 'ada@example.com', 'Ada Lovelace')
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'ada@example.com')
    fake.enroll_learner(DEMO_COURSE_KEY, 'ada@example.com', 'verified')
    learner = OpenEdxClient(learner_session(fake.learner_token('ada')),
                            server.url)
    assert learner.get_mobile_user('ada')['email'] == 'ada@example.com'
    assert [run['course_run_id'] for run in learner.get_program_overview(
        DEMO_PROGRAM_UUID)['course_runs']] == [DEMO_COURSE_KEY]
    assert [run['course_run_id'] for run in
            learner.get_user_program_course_enrollments(
                'ada', DEMO_PROGRAM_UUID)] == [DEMO_COURSE_KEY]
    assert learner.get_readable_programs()[0]['uuid'] == DEMO_PROGRAM_UUID
    block = 'block-v1:MITx+6.002x+2026_Spring+type@vertical+block@v1'
    assert learner.set_course_status('ada', DEMO_COURSE_KEY, block)[
        'last_visited_module_id'] == block
    root = 'block-v1:MITx+6.002x+2026_Spring+type@course+block@course'
    assert learner.get_course_status('ada', DEMO_COURSE_KEY, 'v0.5') == {
        'last_visited_module_id': block,
        'last_visited_module_path': [block, root]}
    record = learner_record(learner, 'ada')
    assert [(row.course_id, row.mode, row.certificate_url)
            for row in record.enrollments] == [
        (DEMO_COURSE_KEY, 'verified', None)]
    assert record.lmod is None and record.lmod_note == 'no gradebook given'
    with pytest.raises(OpenEdxHTTPError) as raised:
        learner.get_mobile_course_enrollments('someone-else')
    assert raised.value.status_code == 403
    with pytest.raises(ValueError):
        learner_session('two words')
