"""Tests of pylmod.base: the transport (requests, retries, timeouts, errors).

Request shapes and status retries are checked with ``responses`` (it runs
the adapter's real :class:`urllib3.util.Retry`).  What ``responses`` cannot
show (a refused connection, a connection dropped after the request was
sent, a TLS failure, the sleeps urllib3 makes) is checked against a small
scripted HTTP server on 127.0.0.1.
"""
import collections
import doctest
import importlib.metadata
import json
import os
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests
import urllib3.util.retry as urllib3_retry
from urllib3.exceptions import ConnectTimeoutError

import pylmod._transport.certificate
import pylmod._transport.retry
import pylmod.answer
import pylmod.base
from pylmod._transport import (
    BODY_START_LENGTH,
    RETRY_STATUSES,
    LmodRetry,
    body_start,
    build_retry,
    decode_json,
    user_agent,
)
from pylmod.base import Base
from pylmod.exceptions import (
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodException,
    PyLmodHTTPBadResponse,
    PyLmodHTTPError,
)
from pylmod.gradebook import GradeBook
from pylmod.membership import Membership
from pylmod.openedx.retry import retry_adapter

URLBASE = 'https://learning-modules-test.mit.edu:8443/'
GRADEBOOK_ID = 1293808
GRADEBOOK_ROOT = URLBASE + 'service/gradebook/'


# A scripted HTTP server on 127.0.0.1 -------------------------------------

#: Scripted action: close the connection without answering.
DROP = 'drop'


class _ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode('utf-8') if length else None
        path = urlsplit(self.path).path.lstrip('/')
        self.server.received.append((self.command, path, body))
        action = self.server.next_action(path)
        if action == DROP:
            self.close_connection = True
            return
        status, headers, payload = action
        data = payload.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _answer


class ScriptedServer(ThreadingHTTPServer):
    """Answers each path from a script, then ``200 {"status": 1}``.

    Attributes:
        url: the server root, e.g. ``http://127.0.0.1:PORT/``.
        received: ``(method, path, body)`` of every request read.
        connections: number of connections accepted.
    """

    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _ScriptedHandler)
        self.url = 'http://127.0.0.1:{0}/'.format(self.server_address[1])
        self.received = []
        self.connections = 0
        self._script = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def script(self, path, *actions):
        """Queue actions for ``path`` (relative to the root): ``DROP`` or
        ``(status, headers, body)``."""
        self._script[path].extend(actions)

    def next_action(self, path):
        with self._lock:
            if self._script[path]:
                return self._script[path].popleft()
        return 200, {}, json.dumps({'status': 1, 'message': 'ok'})

    def process_request(self, request, client_address):
        self.connections += 1
        super().process_request(request, client_address)


@pytest.fixture
def scripted_server():
    server = ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


class _RecordingClock:
    """Stands in for the ``time`` module of urllib3's retry: records the
    sleeps instead of sleeping."""

    def __init__(self):
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture
def retry_sleeps(monkeypatch):
    """The list of the sleeps urllib3's Retry asks for (none is made)."""
    clock = _RecordingClock()
    monkeypatch.setattr(urllib3_retry, 'time', clock)
    return clock.sleeps


@pytest.fixture
def retry_attempts(monkeypatch):
    """The methods of the failed attempts counted by LmodRetry.increment
    (the last one, which gives up, included)."""
    methods = []
    increment = LmodRetry.increment

    def counting_increment(self, method=None, *args, **kwargs):
        methods.append(method)
        return increment(self, method, *args, **kwargs)
    monkeypatch.setattr(LmodRetry, 'increment', counting_increment)
    return methods


@pytest.fixture
def closed_port():
    """A local port nothing listens on."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _status(status, body='{"status": -1, "message": "busy"}', **headers):
    return status, headers, body


# Construction and attributes ---------------------------------------------

def test_class_attributes_are_those_of_the_contract():
    assert Base.TIMEOUT == 200
    assert Base.RETRIES == 10
    assert Base.verbose is True
    assert Base.gradebookid is None


def test_constructor_appends_slash_and_keeps_cert(cert_path):
    base = Base(cert_path, URLBASE[:-1])
    assert base.urlbase == URLBASE
    assert base.cert == cert_path
    assert isinstance(base._session, requests.Session)
    assert base._session.cert == cert_path
    assert base._session.verify is True


def test_constructor_accepts_cert_key_pair_and_ca_bundle(tmp_path,
                                                         cert_path):
    key_path = tmp_path / 'client.key'
    key_path.write_text('key')
    base = Base((cert_path, str(key_path)), URLBASE,
                verify=str(tmp_path / 'ca.pem'))
    assert base._session.cert == (cert_path, str(key_path))
    assert base._session.verify == str(tmp_path / 'ca.pem')


def test_constructor_turns_a_path_object_into_a_string(tmp_path, cert_path):
    base = Base(tmp_path / 'client.pem', URLBASE)
    assert base._session.cert == cert_path


def test_data_to_json_leaves_strings_alone():
    assert Base._data_to_json({'b': 1, 'a': [1, 2]}) == '{"b": 1, "a": [1, 2]}'
    assert Base._data_to_json('{"a":1}') == '{"a":1}'


def test_url_format_joins_urlbase_and_service(cert_path):
    assert (Base(cert_path, URLBASE)._url_format('assignment')
            == URLBASE + 'assignment')


# Certificates --------------------------------------------------------------

def test_missing_certificate_is_reported_at_construction(tmp_path):
    missing = str(tmp_path / 'missing.pem')
    with pytest.raises(PyLmodCertificateError) as raised:
        Base(missing, URLBASE)
    assert isinstance(raised.value, PyLmodException)
    assert raised.value.path == missing
    assert missing in str(raised.value)


def test_certificate_directory_is_reported(tmp_path):
    with pytest.raises(PyLmodCertificateError) as raised:
        Base(str(tmp_path), URLBASE)
    assert raised.value.path == str(tmp_path)


def test_missing_key_of_a_pair_is_reported(tmp_path, cert_path):
    missing_key = str(tmp_path / 'client.key')
    with pytest.raises(PyLmodCertificateError) as raised:
        GradeBook((cert_path, missing_key), URLBASE)
    assert raised.value.path == missing_key
    assert missing_key in str(raised.value)


def test_unreadable_certificate_is_reported(monkeypatch, cert_path):
    os.chmod(cert_path, 0)
    if os.access(cert_path, os.R_OK):
        # Running as root, which reads anything: let open() refuse as it
        # would for anyone else.
        def refuse(path, *args, **kwargs):
            raise PermissionError(13, 'Permission denied', path)
        monkeypatch.setattr(pylmod._transport.certificate, 'open', refuse,
                            raising=False)
    with pytest.raises(PyLmodCertificateError) as raised:
        Base(cert_path, URLBASE)
    assert raised.value.path == cert_path
    assert 'Permission denied' in str(raised.value)


# Requests ------------------------------------------------------------------

def test_get_sends_params_and_returns_decoded_json(cert_path, lmod_mock):
    lmod_mock.get(URLBASE + 'things', json={'status': 1, 'data': [1, 2]})
    base = Base(cert_path, URLBASE)
    assert base.get('things', params={'a': 'x y'}) == {
        'status': 1, 'data': [1, 2]}
    assert lmod_mock.calls[0].request.url == URLBASE + 'things?a=x+y'


def test_get_without_params_sends_no_query(cert_path, lmod_mock):
    lmod_mock.get(URLBASE + 'things', json={})
    Base(cert_path, URLBASE).get('things')
    assert lmod_mock.calls[0].request.url == URLBASE + 'things'


def test_post_sends_dict_as_json_in_insertion_order(cert_path, lmod_mock):
    lmod_mock.post(URLBASE + 'things', json={'status': 1})
    data = {'z': 1, 'a': None, 'm': [True, 'x']}
    assert Base(cert_path, URLBASE).post('things', data) == {'status': 1}
    request = lmod_mock.calls[0].request
    assert request.body == '{"z": 1, "a": null, "m": [true, "x"]}'
    assert request.headers['content-type'] == 'application/json'


def test_post_sends_string_as_is(cert_path, lmod_mock):
    lmod_mock.post(URLBASE + 'things', json={'status': 1})
    Base(cert_path, URLBASE).post('things', '{"already":"json"}')
    assert lmod_mock.calls[0].request.body == '{"already":"json"}'


def test_delete_returns_decoded_json(cert_path, lmod_mock):
    lmod_mock.delete(URLBASE + 'things/1', json={'status': 1})
    assert Base(cert_path, URLBASE).delete('things/1') == {'status': 1}


def test_lmod_failure_body_is_returned_as_sent(cert_path, lmod_mock,
                                              lmod_payload):
    error = lmod_payload('error_response')
    lmod_mock.get(URLBASE + 'things', json=error)
    assert Base(cert_path, URLBASE).get('things') == error


def test_rest_action_accepts_session_methods(cert_path, lmod_mock):
    lmod_mock.post(URLBASE + 'things', json={'status': 1})
    base = Base(cert_path, URLBASE)
    assert base.rest_action(base._session.post, URLBASE + 'things',
                            data='{}') == {'status': 1}


def test_rest_action_calls_func_as_1_0_did(cert_path, lmod_mock):
    # Callers' tests check the call to a mocked session method: url,
    # timeout and their own arguments, nothing more.
    lmod_mock.get(URLBASE + 'things', json={'status': 1})
    base = Base(cert_path, URLBASE)
    func = mock.Mock(wraps=base._session.get)
    assert base.rest_action(func, URLBASE + 'things',
                            params={'a': 1}) == {'status': 1}
    func.assert_called_once_with(URLBASE + 'things', timeout=(10, 200),
                                 params={'a': 1})


# Timeouts ------------------------------------------------------------------

@pytest.mark.parametrize('timeout, expected', [
    (None, (10, 200)),
    (30, (10, 30)),
    (5, (5, 5)),
])
def test_timeout_is_a_connect_read_pair_from_timeout(cert_path, lmod_mock,
                                                     timeout, expected):
    lmod_mock.get(URLBASE + 'things', json={})
    base = Base(cert_path, URLBASE, timeout=timeout)
    assert base.timeout == expected
    base.get('things')
    # Each attempt gets these, cut to the time left before the deadline.
    sent = lmod_mock.calls[0].request.req_kwargs['timeout']
    assert sent.limits == expected
    assert (sent.clone().connect_timeout, sent.clone().read_timeout) == (
        expected)


def test_timeout_follows_a_subclass_timeout(cert_path):
    class SlowBase(Base):
        TIMEOUT = 600
    assert SlowBase(cert_path, URLBASE).timeout == (10, 600)


# Bodies that are not JSON --------------------------------------------------

@pytest.mark.parametrize('status', [200, 404, 500])
def test_non_json_body_raises_bad_response(cert_path, lmod_mock, status):
    page = '<html><body>' + 'Proxy error. ' * 40 + '</body></html>'
    lmod_mock.get(URLBASE + 'things', body=page, status=status)
    with pytest.raises(PyLmodBadResponse) as raised:
        Base(cert_path, URLBASE).get('things')
    error = raised.value
    assert isinstance(error, ValueError)
    assert isinstance(error, PyLmodException)
    assert error.status_code == status
    assert error.body_start == page[:BODY_START_LENGTH]
    assert str(status) in str(error)
    assert '<html><body>Proxy error.' in str(error)
    assert page not in str(error)


def test_proxy_error_page_after_retries_is_a_value_error(cert_path,
                                                        lmod_mock):
    # 1.0.x callers catch ValueError for a proxy's HTML error page; new ones
    # catch requests.HTTPError for a status that outlived the retries.
    lmod_mock.get(URLBASE + 'things', body='<html>Bad gateway</html>',
                  status=502)
    with pytest.raises(PyLmodBadResponse) as raised:
        Base(cert_path, URLBASE, retries=1).get('things')
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, PyLmodHTTPError)
    assert isinstance(raised.value, requests.HTTPError)
    assert raised.value.status_code == 502
    assert raised.value.body_start == '<html>Bad gateway</html>'
    assert len(lmod_mock.calls) == 2


def _response(status, text):
    response = requests.Response()
    response.status_code = status
    response._content = text.encode('utf-8')
    return response


@pytest.mark.parametrize('module', [pylmod._transport.retry, pylmod.answer])
def test_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted and not result.failed


def test_decode_json_returns_the_decoded_body():
    assert decode_json(_response(200, '{"status": 1}'), 'what') == {
        'status': 1}


@pytest.mark.parametrize('error', [PyLmodBadResponse, PyLmodHTTPBadResponse])
def test_decode_json_raises_what_it_is_asked_with_the_body_start(error):
    page = '<html>' + 'x' * 500
    with pytest.raises(error) as raised:
        decode_json(_response(502, page), 'Some server answered HTTP 502',
                    error)
    assert isinstance(raised.value, ValueError)
    assert raised.value.body_start == page[:BODY_START_LENGTH]
    assert str(raised.value).startswith('Some server answered HTTP 502, '
                                        'with a body that is not JSON')
    assert body_start(_response(200, page)) == page[:BODY_START_LENGTH]


# Retry policy --------------------------------------------------------------

def test_retry_policy_is_a_configured_urllib3_retry(cert_path):
    policy = Base(cert_path, URLBASE).retry_policy()
    assert isinstance(policy, urllib3_retry.Retry)
    assert policy.total == 10
    assert policy.other == 0
    assert set(policy.status_forcelist) == {429, 502, 503, 504}
    assert policy.respect_retry_after_header is True
    assert 'POST' in policy.allowed_methods
    assert 'GET' in policy.allowed_methods


def test_create_policy_does_not_repeat_posts(cert_path):
    policy = Base(cert_path, URLBASE).retry_policy(creates=True)
    assert 'POST' not in policy.allowed_methods
    assert policy.other == 0


def test_retries_option_applies_to_grade_posts_not_to_creates(cert_path,
                                                              lmod_mock):
    lmod_mock.post(GRADEBOOK_ROOT + 'multiGrades/1', status=503, json={})
    lmod_mock.post(GRADEBOOK_ROOT + 'assignment', status=503, json={})
    gradebook = GradeBook(cert_path, URLBASE, retries=3)
    with pytest.raises(PyLmodHTTPError):
        gradebook.multi_grade([], gradebook_id=1)
    assert len(lmod_mock.calls) == 4
    with pytest.raises(PyLmodHTTPError):
        gradebook.create_assignment('midterm1', 'mid1', 1.0, 100.0,
                                    '11-04-2013', gradebook_id=1)
    assert len(lmod_mock.calls) == 5


def test_build_retry_is_the_policy_of_both_libraries(cert_path):
    policy = build_retry(3, allowed_methods={'GET'}, backoff_factor=0.1)
    assert isinstance(policy, LmodRetry)
    assert (policy.total, policy.other) == (3, 0)
    assert policy.allowed_methods == frozenset({'GET'})
    assert policy.status_forcelist == RETRY_STATUSES
    assert policy.raise_on_status is False
    assert policy.respect_retry_after_header is True
    assert isinstance(Base(cert_path, URLBASE).retry_policy(), LmodRetry)
    assert isinstance(retry_adapter().max_retries, LmodRetry)


def test_backoff_is_capped(cert_path):
    policy = Base(cert_path, URLBASE).retry_policy()
    waits = []
    for _ in range(Base.RETRIES):
        policy = policy.increment(method='GET', url='/',
                                  error=ConnectTimeoutError())
        waits.append(policy.get_backoff_time())
    assert max(waits) == LmodRetry.backoff_cap
    assert all(wait <= LmodRetry.backoff_cap for wait in waits)
    # Uncapped, urllib3 would wait far longer after ten errors.
    assert urllib3_retry.Retry.get_backoff_time(policy) > 10
    assert sum(waits) <= Base.RETRIES * LmodRetry.backoff_cap


@pytest.mark.parametrize('status', [429, 502, 503, 504])
def test_retryable_status_is_retried_then_succeeds(cert_path, lmod_mock,
                                                   status):
    url = URLBASE + 'things'
    lmod_mock.get(url, status=status, json={'status': -1})
    lmod_mock.get(url, status=status, json={'status': -1})
    lmod_mock.get(url, json={'status': 1, 'data': 'ok'})
    assert Base(cert_path, URLBASE).get('things')['data'] == 'ok'
    assert len(lmod_mock.calls) == 3


def test_gives_up_after_retries_with_http_error(cert_path, lmod_mock):
    lmod_mock.get(URLBASE + 'things', status=503, json={'status': -1})
    with pytest.raises(PyLmodHTTPError) as raised:
        Base(cert_path, URLBASE, retries=3).get('things')
    assert raised.value.status_code == 503
    assert raised.value.response.status_code == 503
    assert isinstance(raised.value, requests.HTTPError)
    assert isinstance(raised.value, PyLmodException)
    assert not isinstance(raised.value, ValueError)
    assert len(lmod_mock.calls) == 4


def test_other_error_status_is_not_retried(cert_path, lmod_mock,
                                           lmod_payload):
    error = lmod_payload('error_response')
    lmod_mock.get(URLBASE + 'things', status=500, json=error)
    assert Base(cert_path, URLBASE).get('things') == error
    assert len(lmod_mock.calls) == 1


@pytest.mark.parametrize('method, path, call', [
    ('GET', 'assignments/{0}'.format(GRADEBOOK_ID),
     lambda gradebook: gradebook.get_assignments(GRADEBOOK_ID)),
    ('DELETE', 'assignment/16708850',
     lambda gradebook: gradebook.delete_assignment(16708850)),
])
def test_calls_sharing_the_create_prefix_are_retried(cert_path, lmod_mock,
                                                     method, path, call):
    # Both paths start with 'assignment', where the create policy is mounted.
    lmod_mock.add(method, GRADEBOOK_ROOT + path, status=503, json={})
    lmod_mock.add(method, GRADEBOOK_ROOT + path, json={'data': []})
    call(GradeBook(cert_path, URLBASE))
    assert len(lmod_mock.calls) == 2


def test_create_assignment_is_not_repeated_on_503(cert_path, lmod_mock):
    lmod_mock.post(GRADEBOOK_ROOT + 'assignment', status=503,
                   json={'status': -1})
    gradebook = GradeBook(cert_path, URLBASE)
    with pytest.raises(PyLmodHTTPError) as raised:
        gradebook.create_assignment('midterm1', 'mid1', 1.0, 100.0,
                                    '11-04-2013', gradebook_id=GRADEBOOK_ID)
    assert raised.value.status_code == 503
    assert len(lmod_mock.calls) == 1


@pytest.mark.parametrize('path, send', [
    ('grades/1293808',
     lambda gradebook: gradebook.set_grade(16708850, 1145, 0.5,
                                           gradebook_id=GRADEBOOK_ID)),
    ('multiGrades/1293808',
     lambda gradebook: gradebook.multi_grade([], gradebook_id=GRADEBOOK_ID)),
])
def test_grade_posts_are_retried_on_503(cert_path, lmod_mock, path, send):
    lmod_mock.post(GRADEBOOK_ROOT + path, status=503, json={})
    lmod_mock.post(GRADEBOOK_ROOT + path, json={'status': 1})
    assert send(GradeBook(cert_path, URLBASE)) == {'status': 1}
    assert len(lmod_mock.calls) == 2
    assert lmod_mock.calls[0].request.body == lmod_mock.calls[1].request.body


# Retries over real connections ---------------------------------------------

def test_retry_after_is_honoured(cert_path, scripted_server, retry_sleeps):
    scripted_server.script('things', _status(503, **{'Retry-After': '3'}))
    base = Base(cert_path, scripted_server.url, allow_http=True)
    assert base.get('things') == {'status': 1, 'message': 'ok'}
    assert retry_sleeps == [3]
    assert len(scripted_server.received) == 2


def test_retry_after_is_capped(cert_path, scripted_server, retry_sleeps):
    # 100 s is within the deadline (600 s): waited for, at most the cap.
    scripted_server.script('things', _status(429, **{'Retry-After': '100'}))
    Base(cert_path, scripted_server.url, allow_http=True).get('things')
    assert retry_sleeps == [LmodRetry.retry_after_cap]


def test_retry_after_beyond_the_deadline_ends_the_call_at_once(
        cert_path, scripted_server, retry_sleeps):
    scripted_server.script('things', _status(429, **{'Retry-After': '3600'}))
    base = Base(cert_path, scripted_server.url, allow_http=True)
    with pytest.raises(PyLmodHTTPError) as raised:
        base.get('things')
    assert raised.value.retry_after == 3600
    assert raised.value.status_code == 429
    assert 'asked to wait 3600 s (Retry-After)' in str(raised.value)
    assert 'deadline of 600 s' in str(raised.value)
    assert retry_sleeps == []
    assert len(scripted_server.received) == 1


def test_backoff_sleeps_stay_under_the_cap(cert_path, scripted_server,
                                           retry_sleeps):
    scripted_server.script('things', *[_status(503)] * 11)
    with pytest.raises(PyLmodHTTPError):
        Base(cert_path, scripted_server.url, allow_http=True).get('things')
    assert len(scripted_server.received) == 11
    assert retry_sleeps
    assert max(retry_sleeps) == LmodRetry.backoff_cap


def test_connection_error_is_retried_then_raised(cert_path, closed_port,
                                                 retry_attempts,
                                                 retry_sleeps):
    base = Base(cert_path, 'http://127.0.0.1:{0}/'.format(closed_port),
                retries=3, allow_http=True)
    with pytest.raises(requests.ConnectionError) as raised:
        base.get('things')
    assert 'Max retries exceeded with url' in str(raised.value)
    assert retry_attempts == ['GET'] * 4


def test_dropped_grade_post_is_retried(cert_path, scripted_server,
                                       retry_sleeps):
    path = 'service/gradebook/multiGrades/{0}'.format(GRADEBOOK_ID)
    scripted_server.script(path, DROP)
    gradebook = GradeBook(cert_path, scripted_server.url, allow_http=True)
    grades = [{'studentId': 1145, 'assignmentId': 16708850,
               'numericGradeValue': 0.5, 'mode': 2,
               'isGradeApproved': False}]
    assert gradebook.multi_grade(grades, gradebook_id=GRADEBOOK_ID) == {
        'status': 1, 'message': 'ok'}
    assert [request[1] for request in scripted_server.received] == [path] * 2


def test_dropped_create_is_not_repeated(cert_path, scripted_server,
                                        retry_sleeps):
    scripted_server.script('service/gradebook/assignment', DROP)
    gradebook = GradeBook(cert_path, scripted_server.url, allow_http=True)
    with pytest.raises(requests.ConnectionError):
        gradebook.create_assignment('midterm1', 'mid1', 1.0, 100.0,
                                    '11-04-2013', gradebook_id=GRADEBOOK_ID)
    assert len(scripted_server.received) == 1


def test_mount_policy_applies_under_its_prefix_only(cert_path,
                                                    scripted_server,
                                                    retry_sleeps):
    base = Base(cert_path, scripted_server.url, allow_http=True)
    base.mount_policy('once', build_retry(0, allowed_methods={'GET'},
                                          backoff_factor=0))
    for path in ('once', 'once/more', 'twice'):
        scripted_server.script(path, DROP)
    for path in ('once', 'once/more'):
        with pytest.raises(requests.ConnectionError):
            base.get(path)
    assert base.get('twice') == {'status': 1, 'message': 'ok'}
    assert [request[1] for request in scripted_server.received] == [
        'once', 'once/more', 'twice', 'twice']


def test_membership_repeats_its_reads(cert_path, scripted_server,
                                      retry_sleeps):
    # Membership creates nothing: none of its calls is left unrepeated.
    path = 'service/membership/courseguide/course/1/staff'
    staff = [{'displayName': 'Huey Duck', 'role': 'TA'}]
    scripted_server.script(path, DROP, (200, {}, json.dumps(
        {'response': {'docs': staff}})))
    membership = Membership(cert_path, scripted_server.url, allow_http=True)
    assert membership.get_course_guide_staff(1) == staff
    assert [request[1] for request in scripted_server.received] == [path] * 2


def test_a_subclass_create_policy_is_the_one_mounted(cert_path,
                                                     scripted_server,
                                                     retry_sleeps):
    class PatientGradeBook(GradeBook):
        def retry_policy(self, creates=False):
            # This caller's LMod deduplicates creates: repeat them too.
            return super().retry_policy(creates=False)
    scripted_server.script('service/gradebook/assignment', DROP)
    gradebook = PatientGradeBook(cert_path, scripted_server.url,
                                 allow_http=True)
    gradebook.create_assignment('midterm1', 'mid1', 1.0, 100.0,
                                '11-04-2013', gradebook_id=GRADEBOOK_ID)
    assert len(scripted_server.received) == 2


def test_create_is_retried_when_it_cannot_have_been_sent(
        cert_path, closed_port, retry_attempts, retry_sleeps):
    gradebook = GradeBook(cert_path,
                          'http://127.0.0.1:{0}/'.format(closed_port),
                          retries=2, allow_http=True)
    with pytest.raises(requests.ConnectionError):
        gradebook.create_assignment('midterm1', 'mid1', 1.0, 100.0,
                                    '11-04-2013', gradebook_id=GRADEBOOK_ID)
    assert retry_attempts == ['POST'] * 3


class HandshakeBreaker:
    """A local server on which every TLS handshake fails: it answers in
    plain text, or presents a certificate no client trusts.

    Attributes:
        url: ``https://127.0.0.1:PORT/``.
        connections: number of connections accepted.
    """

    def __init__(self, kind):
        self._kind = kind
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.url = 'https://127.0.0.1:{0}/'.format(
            self._listener.getsockname()[1])
        self.connections = 0
        self._context = None
        if kind == 'untrusted certificate':
            trustme = pytest.importorskip('trustme')
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            trustme.CA().issue_cert('127.0.0.1').configure_cert(self._context)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            with connection:
                try:
                    if self._context is None:
                        connection.sendall(b'HTTP/1.1 400 Bad Request\r\n\r\n')
                    else:
                        self._context.wrap_socket(connection, server_side=True)
                except (OSError, ssl.SSLError):
                    pass

    def close(self):
        # shutdown() wakes the accept() that close() alone would not.
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join()


@pytest.fixture(params=['plain text', 'untrusted certificate'])
def handshake_breaker(request):
    breaker = HandshakeBreaker(request.param)
    yield breaker
    breaker.close()


def test_tls_errors_are_not_retried(handshake_breaker, retry_sleeps):
    base = Base(None, handshake_breaker.url, retries=5)
    with pytest.raises(requests.exceptions.SSLError):
        base.get('things')
    assert handshake_breaker.connections == 1
    assert retry_sleeps == []


def test_openedx_sessions_do_not_retry_tls_errors(handshake_breaker,
                                                 retry_sleeps):
    with requests.Session() as session:
        session.mount('https://', retry_adapter(5))
        with pytest.raises(requests.exceptions.SSLError):
            session.get(handshake_breaker.url + 'api/things', timeout=10)
    assert handshake_breaker.connections == 1
    assert retry_sleeps == []


def test_openedx_sessions_say_who_they_are():
    from pylmod.openedx.auth import oauth_session
    session = oauth_session('https://lms.example.edu', 'id', 'secret',
                            use_edx_client=False)
    assert session.headers['User-Agent'] == user_agent()
    assert user_agent() == 'pylmod/{0} python-requests/{1}'.format(
        importlib.metadata.version('pylmod'), requests.__version__)


def test_a_host_name_that_does_not_resolve_is_not_retried(
        cert_path, monkeypatch, retry_attempts, retry_sleeps):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')
    # The resolver cannot be reached from a test: stand in for its answer.
    monkeypatch.setattr(socket, 'getaddrinfo', no_such_host)
    base = Base(cert_path, 'https://lmod.invalid/', retries=10)
    with pytest.raises(requests.ConnectionError) as raised:
        base.get('things')
    assert 'Max retries exceeded with url' in str(raised.value)
    assert len(retry_attempts) == 1
    assert retry_sleeps == []


def test_other_connection_errors_are_still_retried(
        cert_path, closed_port, retry_attempts, retry_sleeps):
    base = Base(cert_path, 'http://127.0.0.1:{0}/'.format(closed_port),
                retries=3, allow_http=True)
    with pytest.raises(requests.ConnectionError):
        base.get('things')
    assert len(retry_attempts) == 4
    assert not pylmod._transport.retry.is_name_resolution_failure(
        ConnectTimeoutError('slow'))
