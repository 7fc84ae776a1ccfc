"""The fake LMod server: mutual TLS, the allow-list, the request log and
fault injection, seen by plain ``requests`` and by pylmod clients.

The ``lmod_server``, ``lmod_certificates`` and ``gradebook`` fixtures come
from the pylmod pytest plugin (:mod:`pylmod.testing.plugin`).
"""
import concurrent.futures
import os
import socket
import ssl

import pytest
import requests

from pylmod import GradeBook
from pylmod.exceptions import PyLmodBadResponse, PyLmodUnexpectedData
from pylmod.testing import (
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
    LmodServer,
    LoggedRequest,
    TestCertificates,
    certificate_fingerprint,
)

OPTIONS = 'service/gradebook/gradebook/options/1293808'
MULTI_GRADES = 'service/gradebook/multiGrades/1293808'
GRADE = {'studentId': 1145, 'assignmentId': 16708880,
         'numericGradeValue': 42.0, 'mode': 2, 'isGradeApproved': False}


@pytest.fixture
def session(lmod_server):
    """A plain requests session with the allowed client certificate."""
    with requests.Session() as plain:
        plain.cert = lmod_server.client_cert
        plain.verify = lmod_server.ca_cert
        yield plain


def get(server, session, path, **kwargs):
    return session.get(server.url + path, verify=server.ca_cert, **kwargs)


def post_grades(server, session, grades):
    return session.post(server.url + MULTI_GRADES, json=grades,
                        verify=server.ca_cert)


def test_serves_https_on_an_ephemeral_local_port(lmod_server, session):
    assert lmod_server.url.startswith('https://127.0.0.1:')
    assert lmod_server.port != 0
    response = get(lmod_server, session, OPTIONS)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json()['data']['gradebookId'] == DEMO_GRADEBOOK_ID


def test_request_log(lmod_server, session):
    get(lmod_server, session, 'service/gradebook/assignments/1293808',
        params={'includeMaxPoints': 'true'})
    post_grades(lmod_server, session, [GRADE])
    assert lmod_server.requests == [
        LoggedRequest('GET', 'service/gradebook/assignments/1293808',
                      {'includeMaxPoints': 'true'}, None),
        LoggedRequest('POST', MULTI_GRADES, {}, [GRADE]),
    ]


def test_unknown_id_is_an_lmod_error(lmod_server, session):
    response = get(lmod_server, session,
                   'service/gradebook/gradebook/options/1')
    assert response.status_code == 404
    assert response.json() == {
        'status': -1, 'message': 'No gradebook with gradebookId 1'}


# -- who may call -----------------------------------------------------------

def refused(server, cert):
    """Try a request with ``cert``; return the exception raised."""
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(server.url + OPTIONS, cert=cert, verify=server.ca_cert,
                     timeout=30)
    return raised.value


def test_client_without_certificate_is_refused(lmod_certificates):
    with LmodServer(certificates=lmod_certificates) as server:
        refused(server, None)
    # stop() waited for the server's side of the handshake.
    assert server.requests == []
    assert 'certificate' in ' '.join(server.refused).lower()


def test_certificate_from_another_ca_is_refused(lmod_certificates,
                                                tmp_path):
    other_ca = TestCertificates(str(tmp_path / 'other'))
    with LmodServer(certificates=lmod_certificates) as server:
        refused(server, other_ca.client_cert)
    assert server.requests == []
    assert 'certificate' in ' '.join(server.refused).lower()


def test_ca_valid_certificate_not_on_the_allow_list_gets_403(lmod_server):
    stranger = lmod_server.certificates.issue_client_cert('stranger')
    response = requests.get(lmod_server.url + OPTIONS, cert=stranger,
                            verify=lmod_server.ca_cert)
    assert response.status_code == 403
    assert response.json()['status'] == -1
    assert 'CN=stranger' in response.json()['message']
    with pytest.raises(PyLmodUnexpectedData):
        GradeBook(stranger, lmod_server.url, gbuuid=DEMO_GRADEBOOK_UUID,
                  verify=lmod_server.ca_cert)
    assert lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)


def test_allow_list_by_subject_or_fingerprint(lmod_certificates):
    colleague = lmod_certificates.issue_client_cert('colleague')
    fingerprint = certificate_fingerprint(colleague)
    colon_separated = ':'.join(fingerprint[i:i + 2]
                               for i in range(0, 64, 2)).upper()
    for entries, allowed in (
            (['CN=colleague'], {colleague}),
            ([colon_separated], {colleague}),
            (['CN=colleague', lmod_certificates.client_fingerprint],
             {colleague, lmod_certificates.client_cert})):
        with LmodServer(allowed_clients=entries,
                        certificates=lmod_certificates) as server:
            for cert in (colleague, lmod_certificates.client_cert):
                status = requests.get(server.url + OPTIONS, cert=cert,
                                      verify=server.ca_cert).status_code
                assert status == (200 if cert in allowed else 403), entries


def test_allow_list_entries_are_checked(lmod_certificates):
    with pytest.raises(ValueError, match='fingerprints'):
        LmodServer(allowed_clients=['colleague'],
                   certificates=lmod_certificates)


def test_certificates_written_to_a_chosen_directory(tmp_path):
    with LmodServer(cert_dir=str(tmp_path)) as server:
        assert server.client_cert == str(tmp_path / 'pylmod-test-client.pem')
        assert server.ca_cert == str(tmp_path / 'ca.pem')
        text = (tmp_path / 'pylmod-test-client.pem').read_text()
        assert 'PRIVATE KEY' in text and 'BEGIN CERTIFICATE' in text
        gradebook = GradeBook(server.client_cert, server.url,
                              gbuuid=DEMO_GRADEBOOK_UUID,
                              verify=server.ca_cert)
        assert gradebook.gradebook_id == DEMO_GRADEBOOK_ID
    assert (tmp_path / 'ca.pem').exists()  # the user's directory stays


def test_concurrent_clients_share_one_state(lmod_server, gradebook):
    def grade(student_id):
        return gradebook.set_grade(16708880, student_id, student_id % 50)
    student_ids = range(1143, 1143 + 40)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(grade, student_ids))
    assert all(answer['status'] == 1 for answer in answers)
    stored = lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert {sid: stored[(sid, 16708880)] for sid in student_ids} == {
        sid: float(sid % 50) for sid in student_ids}


# -- fault injection --------------------------------------------------------

def test_fail_next_with_retry_after(lmod_server, session):
    lmod_server.fail_next(1, status=503, retry_after=0)
    failed = post_grades(lmod_server, session, [GRADE])
    assert failed.status_code == 503
    assert failed.headers['Retry-After'] == '0'
    assert failed.json()['status'] == -1
    assert (1145, 16708880) not in lmod_server.fake.stored_grades(
        DEMO_GRADEBOOK_ID)  # not processed
    assert post_grades(lmod_server, session, [GRADE]).status_code == 200


def test_fail_next_is_retried_by_the_client(lmod_server, gradebook):
    lmod_server.requests.clear()
    lmod_server.fail_next(2, status=503, retry_after=0)
    assert gradebook.multi_grade([GRADE])['data']['numFailures'] == 0
    assert [r.path for r in lmod_server.requests] == [MULTI_GRADES] * 3
    assert lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)[
        (1145, 16708880)] == 42.0


def test_fail_next_500_reaches_the_caller(lmod_server, gradebook):
    lmod_server.fail_next(1, status=500)
    answer = gradebook.delete_assignment(16708880)
    assert answer == {'status': -1, 'message': 'injected failure: HTTP 500'}
    assert len(lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)) == 4


def test_faults_apply_only_to_their_path_prefix(lmod_server, session):
    lmod_server.fail_next(1, status=500, path_prefix='multiGrades/')
    assert get(lmod_server, session, OPTIONS).status_code == 200
    assert post_grades(lmod_server, session, [GRADE]).status_code == 500
    assert post_grades(lmod_server, session, [GRADE]).status_code == 200


def test_delay_next_processes_then_answers_late(lmod_certificates):
    with LmodServer(certificates=lmod_certificates) as server:
        impatient = GradeBook(server.client_cert, server.url,
                              verify=server.ca_cert, timeout=0.2, retries=0)
        server.delay_next(1, 1.0, path_prefix='multiGrades/')
        with pytest.raises(requests.ConnectionError):
            impatient.multi_grade([GRADE], gradebook_id=DEMO_GRADEBOOK_ID)
    # It timed out, yet LMod carried it out (stop() waited for it).
    assert server.fake.stored_grades(DEMO_GRADEBOOK_ID)[
        (1145, 16708880)] == 42.0


def test_delay_next_answers(lmod_server, gradebook):
    lmod_server.delay_next(1, 0.1)
    assert gradebook.get_options(DEMO_GRADEBOOK_ID)['gradebookId'] == (
        DEMO_GRADEBOOK_ID)


@pytest.mark.parametrize('after_processing', [False, True])
def test_drop_next_closes_the_connection(lmod_server, session,
                                         after_processing):
    lmod_server.drop_next(1, after_processing=after_processing)
    with pytest.raises(requests.ConnectionError):
        post_grades(lmod_server, session, [GRADE])
    stored = lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert ((1145, 16708880) in stored) is after_processing
    assert lmod_server.requests[-1].body == [GRADE]


def test_drop_next_is_retried_by_the_client(lmod_server, gradebook):
    lmod_server.requests.clear()
    lmod_server.drop_next(1)
    assert gradebook.get_options(DEMO_GRADEBOOK_ID)['gradebookId'] == (
        DEMO_GRADEBOOK_ID)
    assert [r.path for r in lmod_server.requests] == [OPTIONS] * 2


def test_non_json_next(lmod_server, session, gradebook):
    lmod_server.non_json_next(1)
    response = get(lmod_server, session, OPTIONS)
    assert response.status_code == 502
    assert response.headers['Content-Type'] == 'text/html'
    assert response.text == '<html>Bad gateway</html>'
    lmod_server.non_json_next(1, status=200, body='<html>Login</html>')
    with pytest.raises(PyLmodBadResponse, match='Login'):
        gradebook.get_options(DEMO_GRADEBOOK_ID)


def test_clear_faults(lmod_server, session):
    lmod_server.fail_next(5)
    lmod_server.clear_faults()
    assert get(lmod_server, session, OPTIONS).status_code == 200


def test_stopped_server_has_no_url(lmod_certificates):
    server = LmodServer(certificates=lmod_certificates)
    with pytest.raises(RuntimeError, match='not running'):
        server.url  # noqa: B018 - the property raises


def test_a_server_that_cannot_start_removes_its_temporary_certificates():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        server = LmodServer(port=taken.getsockname()[1])
        certificate_dir = server._temporary_dir
        assert os.path.isdir(certificate_dir)
        with pytest.raises(OSError):
            with server:
                pass  # pragma: no cover - the port is taken
    assert not os.path.exists(certificate_dir)


def test_a_connection_opened_while_stopping_is_closed_at_once(
        lmod_certificates):
    # stop() closes the connections open when it starts; one whose TLS
    # handshake ends after that is closed as soon as the server has it,
    # instead of keeping stop() waiting for its first request.
    server = LmodServer(certificates=lmod_certificates).start()
    try:
        server._stopping.set()  # what stop() does first
        context = ssl.create_default_context(cafile=server.ca_cert)
        context.load_cert_chain(server.client_cert)
        with socket.create_connection((server.host, server.port),
                                      timeout=20) as raw:
            with context.wrap_socket(raw,
                                     server_hostname=server.host) as tls:
                # End of stream, not the client's timeout: the server's
                # would have been 30 seconds.
                assert tls.recv(1) == b''
    finally:
        server.stop()


# The faults of a misbehaving network (pylmod.testing.lmod_faults) -----------

@pytest.mark.parametrize('processed', [False, True])
def test_answer_next_answers_any_shape(lmod_server, session, processed):
    lmod_server.answer_next(1, {'error': 'database unavailable'}, 500,
                            path_prefix='multiGrades/',
                            after_processing=processed)
    response = post_grades(lmod_server, session, [GRADE])
    assert response.status_code == 500
    assert response.json() == {'error': 'database unavailable'}
    stored = lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert ((1145, 16708880) in stored) is processed


def test_redirect_next_names_the_same_path_elsewhere(lmod_server, session):
    lmod_server.redirect_next(1, 'https://elsewhere.example/', status=307)
    response = get(lmod_server, session, OPTIONS, params={'a': 'b c'},
                   allow_redirects=False)
    assert response.status_code == 307
    assert response.headers['Location'] == (
        'https://elsewhere.example/' + OPTIONS + '?a=b+c')


@pytest.mark.parametrize('where', ['headers', 'body'])
def test_drip_next_sends_a_byte_at_a_time(lmod_server, where):
    lmod_server.drip_next(1, where, 0.05)
    context = ssl.create_default_context(cafile=lmod_server.ca_cert)
    context.load_cert_chain(lmod_server.client_cert)
    with socket.create_connection(('127.0.0.1', lmod_server.port)) as raw:
        with context.wrap_socket(raw, server_hostname='127.0.0.1') as tls:
            tls.sendall('GET /{0} HTTP/1.1\r\nHost: x\r\n\r\n'.format(
                OPTIONS).encode('ascii'))
            tls.settimeout(5)
            received = b''
            while b'\r\n\r\n' not in received and len(received) < 4000:
                if where == 'headers' and len(received) >= 20:
                    break
                chunk = tls.recv(4096)
                assert len(chunk) == 1 or where == 'body'
                received += chunk
    assert received.startswith(b'HTTP/1.1 200')
    if where == 'body':  # the headers came at once, the body does not
        assert received.endswith(b'\r\n\r\n')


@pytest.mark.parametrize('gzip, content_length', [
    (False, False), (False, True), (True, False)])
def test_huge_next_is_made_as_it_is_sent(lmod_server, session, gzip,
                                         content_length):
    size = 3 * 64 * 1024 + 5
    lmod_server.huge_next(1, size, gzip=gzip, content_length=content_length)
    response = get(lmod_server, session, OPTIONS)
    assert response.status_code == 200
    assert (response.headers.get('Content-Encoding') == 'gzip') is gzip
    body = response.content
    expected = (size // (64 * 1024)) * 64 * 1024 if gzip else size
    assert body == b' ' * expected


def test_late_commit_next_carries_the_request_out_late(lmod_certificates):
    with LmodServer(certificates=lmod_certificates) as server:
        impatient = GradeBook(server.client_cert, server.url,
                              verify=server.ca_cert, timeout=0.2, retries=0)
        server.late_commit_next(1, 0.6, path_prefix='multiGrades/')
        with pytest.raises(requests.Timeout):
            impatient.multi_grade([GRADE], gradebook_id=DEMO_GRADEBOOK_ID)
        assert (1145, 16708880) not in server.fake.stored_grades(
            DEMO_GRADEBOOK_ID)
    # Carried out after the client gave up (stop() waited for it).
    assert server.fake.stored_grades(DEMO_GRADEBOOK_ID)[
        (1145, 16708880)] == 42.0
