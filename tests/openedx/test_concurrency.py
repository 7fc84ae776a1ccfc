"""Concurrent writes and what the bridge repeats: 429 with Retry-After,
ambiguous failures, tokens renewed once for all threads, page sizes."""
import warnings

import pytest

from pylmod.openedx.auth import ClientCredentialsSession, oauth_session
from pylmod.openedx.client import OpenEdxClient
from pylmod.openedx.errors import OpenEdxHTTPError, OpenEdxThrottled
from pylmod.openedx.pool import send_chunks
from pylmod.openedx.retry import OpenEdxRetry
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
)


def _items(count, start=0):
    return [{'student_key': 'learner{0}'.format(number), 'status': 'enrolled',
             'curriculum_uuid': DEMO_CURRICULUM_UUID}
            for number in range(start, start + count)]


@pytest.fixture
def retrying(openedx):
    """A client over :func:`oauth_session` (with the retry adapter)."""
    def build(workers=4):
        session = oauth_session(openedx.url, openedx.fake.CLIENT_ID,
                                openedx.fake.CLIENT_SECRET,
                                use_edx_client=False, workers=workers)
        return OpenEdxClient(session, openedx.url, workers=workers)
    return build


def _posted_keys(openedx):
    return [item['student_key'] for request in openedx.requests_to(
        'program_enrollments', 'POST') for item in request.body]


def test_results_keep_input_order_when_answers_do_not(openedx):
    """The first chunk is answered last; results are in input order."""
    openedx.fake.delay_next(1, 0.3, method='POST')
    client = openedx.client(workers=4)
    results = client.write_program_enrollments(DEMO_PROGRAM_UUID,
                                               _items(100))
    assert [result.key for result in results] == [
        item['student_key'] for item in _items(100)]
    assert all(result.ok for result in results)
    assert sorted(_posted_keys(openedx)) == sorted(
        item['student_key'] for item in _items(100))


def test_a_throttled_write_is_sent_again_after_retry_after(openedx,
                                                           retrying):
    openedx.fake.fail_next(1, 429, method='POST', retry_after=1)
    results = retrying().write_program_enrollments(DEMO_PROGRAM_UUID,
                                                   _items(3))
    assert [result.result for result in results] == ['enrolled'] * 3
    posts = openedx.requests_to('program_enrollments', 'POST')
    assert len(posts) == 2   # the throttled one wrote nothing
    assert openedx.fake.program_enrollments(DEMO_PROGRAM_UUID) == {
        item['student_key']: 'enrolled' for item in _items(3)}


def test_a_retry_after_longer_than_allowed_is_a_clear_error(openedx,
                                                            retrying):
    openedx.fake.fail_next(1, 429, method='POST', retry_after=3600)
    with pytest.raises(OpenEdxThrottled) as raised:
        retrying(workers=1).write_program_enrollments(DEMO_PROGRAM_UUID,
                                                      _items(30))
    error = raised.value
    assert (error.status_code, error.retry_after) == (429, 3600)
    assert 'wait 3600 s (Retry-After), longer than the {0:g} s'.format(
        OpenEdxRetry.retry_after_cap) in str(error)
    assert error.unsent == [item['student_key'] for item in _items(30)]
    assert len(openedx.requests_to('program_enrollments', 'POST')) == 1


def test_throttled_after_every_retry(openedx, retrying):
    openedx.fake.fail_next(10, 429, path_prefix='/api/bulk_enroll/',
                           retry_after=0)
    with pytest.raises(OpenEdxThrottled, match='after the retries'):
        retrying().bulk_enroll(['a@example.com'], [DEMO_COURSE_KEY])
    assert len(openedx.requests_to('bulk_enroll')) == 4  # 1 + 3 retries


@pytest.mark.parametrize('method', ['POST', 'PATCH', 'PUT'])
def test_a_write_whose_answer_was_lost_is_not_sent_again(openedx, retrying,
                                                         method):
    """Open edX wrote the learners and the connection dropped: the bridge
    does not know, reports them unsent, and never writes them twice."""
    fake = openedx.fake
    if method == 'PATCH':
        for item in _items(3):
            fake.enroll_in_program(DEMO_PROGRAM_UUID, item['student_key'],
                                   'canceled')
    fake.drop_next(1, method=method)
    with pytest.raises(OpenEdxHTTPError) as raised:
        retrying().write_program_enrollments(DEMO_PROGRAM_UUID, _items(3),
                                             method)
    assert raised.value.status_code is None
    assert [keys for keys, _ in raised.value.failures] == [
        [item['student_key'] for item in _items(3)]]
    assert len(openedx.requests_to('program_enrollments', method)) == 1
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {
        item['student_key']: 'enrolled' for item in _items(3)}


def test_a_read_whose_answer_was_lost_is_read_again(openedx, retrying):
    openedx.fake.drop_next(1, method='GET')
    assert retrying().get_program_enrollments(DEMO_PROGRAM_UUID) == []
    assert len(openedx.requests_to('program_enrollments', 'GET')) == 2


def test_the_token_is_renewed_once_for_all_threads(openedx):
    client = openedx.client(workers=8)
    client.get_program_enrollments(DEMO_PROGRAM_UUID)
    openedx.fake.revoke_tokens()
    client.write_program_enrollments(DEMO_PROGRAM_UUID, _items(200))
    assert isinstance(client.session, ClientCredentialsSession)
    assert client.session.tokens_fetched == 2
    assert len(openedx.fake.program_enrollments(DEMO_PROGRAM_UUID)) == 200


def test_the_connection_pool_holds_the_workers(openedx):
    session = oauth_session(openedx.url, 'id', 'secret',
                            use_edx_client=False, workers=16)
    assert session.get_adapter(openedx.url)._pool_maxsize == 16
    with pytest.raises(ValueError, match='workers'):
        OpenEdxClient(session, openedx.url, workers=0)


def test_reading_everything_asks_for_the_largest_page(openedx):
    for number in range(1500):
        openedx.fake.enroll_in_program(DEMO_PROGRAM_UUID,
                                       'k{0}'.format(number))
    client = openedx.client()
    assert len(client.get_program_enrollments(DEMO_PROGRAM_UUID)) == 1500
    pages = openedx.requests_to('program_enrollments', 'GET')
    assert [request.params.get('page_size') for request in pages] == [
        '1000', '1000']
    assert len(openedx.client(page_size=500).get_program_enrollments(
        DEMO_PROGRAM_UUID)) == 1500


def test_items_naming_external_user_key_are_renamed(openedx):
    client = openedx.client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        results = client.write_program_enrollments(DEMO_PROGRAM_UUID, [
            {'external_user_key': 'old', 'status': 'enrolled',
             'curriculum_uuid': DEMO_CURRICULUM_UUID}])
    assert [(result.key, result.ok) for result in results] == [('old', True)]
    assert [warning.category for warning in caught] == [DeprecationWarning]
    assert caught[0].filename == __file__
    posted = openedx.requests_to('program_enrollments', 'POST')[0].body
    assert posted == [{'student_key': 'old', 'status': 'enrolled',
                       'curriculum_uuid': DEMO_CURRICULUM_UUID}]


def test_send_chunks_raises_a_bug_after_the_chunks_in_flight():
    seen = []

    def send(chunk):
        seen.append(chunk[0])
        if chunk[0] == 2:
            raise KeyError('a bug')
        return chunk[0]

    with pytest.raises(KeyError):
        send_chunks(send, [[1], [2], [3], [4], [5]], 2, (ValueError,))
    assert 5 not in seen
