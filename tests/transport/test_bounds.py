"""Every call ends within its deadline and reads a bounded answer; no
redirect is followed (pylmod._transport, pylmod.base), against the fake LMod
misbehaving over mutual TLS.

The deadlines here are fractions of a second, so the suite waits little; the
tests assert outcomes (which error, which message, how many requests), and
of the time a call took only that it did not sit out a stall (``STALL``,
far longer than any deadline), never how close it came to its deadline.
"""
import socket
import time
from typing import Any, Callable, Iterator

import pytest
import requests
from urllib3.util.timeout import Timeout

from pylmod import GradeBook
from pylmod._transport import (
    MAX_RESPONSE_BYTES,
    CallBounds,
    CertificateAdapter,
    DeadlineAdapter,
    deadline_timeout,
    read_body,
)

# Not on the wing's face: pieces the tests check from their own modules.
from pylmod._transport.adapters import POOL_CLASSES
from pylmod._transport.bounds import CHUNK_SIZE, DeadlineTimeout
from pylmod.base import Base
from pylmod.exceptions import (
    PyLmodException,
    PyLmodHTTPError,
    PyLmodRedirected,
    PyLmodResponseTooLarge,
    PyLmodTimeout,
)
from pylmod.openedx.retry import retry_adapter
from pylmod.testing import DEMO_GRADEBOOK_ID, DEMO_GRADEBOOK_UUID, FakeLmod
from pylmod.testing.server import LmodServer

#: The read (and connect) timeout of the deadline tests: their deadline,
#: three times it by default, is under a second.
TIMEOUT = 0.25
#: The read timeout of the other tests (whose calls must not time out:
#: a huge answer takes its time).
ROOMY = 2
#: Seconds between the bytes of a dripping answer: well within the read
#: timeout, so that only the deadline ends the call.
DRIP = TIMEOUT / 5
#: How long a fault stalls (or a deadline that must not come): a call that
#: took this long waited for the server instead of ending.
STALL = 30
ASSIGNMENTS = 'assignments/'


@pytest.fixture
def other_server(lmod_certificates: Any) -> Iterator[LmodServer]:
    """Another fake LMod, on another port: "another host" for redirects."""
    with LmodServer(FakeLmod.demo(), certificates=lmod_certificates) as other:
        yield other


def bound_gradebook(server: LmodServer, **options: Any) -> GradeBook:
    options.setdefault('timeout', ROOMY)
    return GradeBook(server.client_cert, server.url, DEMO_GRADEBOOK_UUID,
                     verify=server.ca_cert, **options)


def timed(call: Callable[[], Any]) -> Any:
    """``(exception raised, seconds)`` of a call that must raise."""
    started = time.monotonic()
    with pytest.raises(PyLmodException) as raised:
        call()
    return raised.value, time.monotonic() - started


# Deadlines ---------------------------------------------------------------

@pytest.mark.parametrize('fault', [
    'drip headers', 'drip body', 'never answers'])
def test_a_slow_server_costs_at_most_the_deadline(lmod_server: Any,
                                                  fault: str) -> None:
    gradebook = bound_gradebook(lmod_server, timeout=TIMEOUT)
    assert gradebook.limits.deadline == 3 * TIMEOUT  # the documented default
    if fault == 'never answers':
        lmod_server.delay_next(20, 2 * STALL, path_prefix=ASSIGNMENTS)
    else:
        # 2000 bytes or more, each DRIP apart: a minute and more.
        lmod_server.drip_next(20, fault.split()[1], DRIP,
                              path_prefix=ASSIGNMENTS)
    error, seconds = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodTimeout)
    # What 1.0.x raised for a timeout (retried, or not): both.
    assert isinstance(error, requests.Timeout)
    assert isinstance(error, requests.ConnectionError)
    assert error.deadline == 3 * TIMEOUT
    assert 'within the deadline of 0.75 s' in str(error)
    assert 'GET {0}'.format(lmod_server.url) in str(error)
    assert seconds < STALL


def test_a_server_that_never_takes_the_connection(
        lmod_certificates: Any) -> None:
    # It listens, so the connection is made, but never reads: every TLS
    # handshake waits in vain.
    listener = socket.create_server(('127.0.0.1', 0))
    try:
        base = Base(lmod_certificates.client_cert,
                    'https://127.0.0.1:{0}/'.format(
                        listener.getsockname()[1]),
                    verify=lmod_certificates.ca_cert, timeout=TIMEOUT)
        error, seconds = timed(lambda: base.get('things'))
    finally:
        listener.close()
    assert isinstance(error, PyLmodTimeout)
    assert isinstance(error, requests.Timeout)
    assert 'within the deadline of 0.75 s' in str(error)
    assert seconds < STALL


def test_retry_after_longer_than_the_deadline_ends_the_call_at_once(
        lmod_server: Any) -> None:
    # A long deadline, so that sitting it out would show.
    gradebook = bound_gradebook(lmod_server, timeout=TIMEOUT,
                                deadline=STALL)
    lmod_server.fail_next(20, 503, retry_after=3600, path_prefix=ASSIGNMENTS)
    error, seconds = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodHTTPError)
    assert error.retry_after == 3600 and error.status_code == 503
    assert 'the server asked to wait 3600 s (Retry-After)' in str(error)
    assert seconds < STALL
    assert len([request for request in lmod_server.requests
                if '/assignments/' in request.path]) == 1


def test_retry_after_waits_only_while_the_deadline_allows(
        lmod_server: Any) -> None:
    # Retry-After counts whole seconds: 1 s fits in the deadline (1.9 s)
    # once, not twice (after the first wait, less than 0.9 s is left).
    gradebook = bound_gradebook(lmod_server, timeout=TIMEOUT, deadline=1.9)
    lmod_server.fail_next(20, 503, retry_after=1, path_prefix=ASSIGNMENTS)
    error, seconds = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodHTTPError)
    assert 'asked to wait 1 s (Retry-After)' in str(error)
    assert 'the deadline of 1.9 s leaves' in str(error)
    assert 1 <= seconds < STALL  # it waited as asked, once
    assert len([request for request in lmod_server.requests
                if '/assignments/' in request.path]) == 2


def test_the_deadline_can_be_set(lmod_server: Any) -> None:
    gradebook = bound_gradebook(lmod_server, timeout=0.1, deadline=0.3)
    assert gradebook.limits.deadline == 0.3
    lmod_server.delay_next(20, 2 * STALL, path_prefix=ASSIGNMENTS)
    error, seconds = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodTimeout) and error.deadline == 0.3
    assert 'within the deadline of 0.3 s' in str(error)
    assert seconds < STALL


def test_a_create_that_times_out_is_not_sent_again(lmod_server: Any) -> None:
    # The deadline is far: the read timeout, not the deadline, ends it.
    gradebook = bound_gradebook(lmod_server, timeout=TIMEOUT,
                                deadline=STALL)
    lmod_server.delay_next(1, 2 * STALL, path_prefix='assignment')
    error, seconds = timed(lambda: gradebook.create_assignment(
        'Quiz 9', 'Qui9', 1.0, 10.0, '12-15-2013'))
    assert isinstance(error, PyLmodTimeout)
    assert 'no answer in time' in str(error)
    assert [request.method for request in lmod_server.requests
            if request.path.endswith('/assignment')] == ['POST']


def test_a_grade_post_that_times_out_is_sent_again(lmod_server: Any) -> None:
    # Grades set values: sending them again is safe.  The second attempt
    # has a read timeout of its own (0.5 s) and the deadline is far.
    gradebook = bound_gradebook(lmod_server, timeout=0.5, deadline=STALL)
    student = lmod_server.fake.students(DEMO_GRADEBOOK_ID)[0]
    assignment = lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)[0]
    lmod_server.delay_next(1, 2 * STALL, path_prefix='multiGrades/')
    answer = gradebook.multi_grade([{
        'studentId': student['studentId'],
        'assignmentId': assignment['assignmentId'],
        'numericGradeValue': 3.0, 'mode': 2, 'isGradeApproved': False}])
    assert answer['data']['numFailures'] == 0
    assert answer.http_status == 200
    assert len([request for request in lmod_server.requests
                if '/multiGrades/' in request.path]) == 2


# Size limits -------------------------------------------------------------

def test_a_huge_answer_is_refused_at_the_limit(lmod_server: Any) -> None:
    gradebook = bound_gradebook(lmod_server)
    lmod_server.huge_next(1, MAX_RESPONSE_BYTES + 64 * 1024 * 1024,
                          path_prefix=ASSIGNMENTS)
    error, _ = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodResponseTooLarge)
    assert isinstance(error, requests.RequestException)
    assert error.limit == MAX_RESPONSE_BYTES
    # Read up to the limit and one chunk more, no further.
    assert error.limit < error.received <= error.limit + CHUNK_SIZE
    assert 'larger than the {0} bytes'.format(error.limit) in str(error)


def test_a_caller_streaming_the_answer_gets_it_bounded_too(
        lmod_server: Any) -> None:
    gradebook = bound_gradebook(lmod_server, max_response_bytes=1000)
    lmod_server.huge_next(1, 64 * 1024, path_prefix=ASSIGNMENTS)
    url = gradebook.urlbase + 'assignments/{0}'.format(DEMO_GRADEBOOK_ID)
    error, _ = timed(lambda: gradebook.rest_action(
        gradebook._session.get, url, stream=True))
    assert isinstance(error, PyLmodResponseTooLarge) and error.limit == 1000


def test_a_gzip_bomb_is_refused_once_inflated(lmod_server: Any) -> None:
    # Inflating a quarter of a gigabyte takes seconds: not the deadline's
    # test.
    gradebook = bound_gradebook(lmod_server, timeout=30)
    lmod_server.huge_next(1, 1024 ** 3, gzip=True, path_prefix=ASSIGNMENTS)
    error, _ = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodResponseTooLarge)
    # Counted after decompression; one chunk inflates ~1000 times at most.
    assert error.limit < error.received <= error.limit + 1100 * CHUNK_SIZE


def test_an_announced_size_over_the_limit_is_refused_unread(
        lmod_server: Any) -> None:
    gradebook = bound_gradebook(lmod_server)
    lmod_server.huge_next(1, 2 * 1024 ** 3, content_length=True,
                          path_prefix=ASSIGNMENTS)
    error, _ = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodResponseTooLarge)
    assert error.received == 0


def test_the_limit_can_be_set(lmod_server: Any) -> None:
    small = bound_gradebook(lmod_server, max_response_bytes=1000)
    error, _ = timed(small.get_students)
    assert isinstance(error, PyLmodResponseTooLarge) and error.limit == 1000
    assert bound_gradebook(lmod_server).get_students()


def test_the_default_limit_is_far_above_a_large_class() -> None:
    # The students of 100,000 students are about 46 MB in the fake's shape;
    # measured here on 10,000.
    fake = FakeLmod.demo()
    fake.add_generated_students(10000)
    answer = fake.handle('GET', 'service/gradebook/students/{0}'.format(
        DEMO_GRADEBOOK_ID))[1]
    hundred_thousand = 10 * len(repr(answer))
    assert MAX_RESPONSE_BYTES > 5 * hundred_thousand


# Redirects ---------------------------------------------------------------

def test_a_redirect_to_another_host_is_not_followed(
        lmod_server: Any, other_server: LmodServer) -> None:
    gradebook = bound_gradebook(lmod_server)
    lmod_server.redirect_next(1, other_server.url, path_prefix=ASSIGNMENTS)
    error, _ = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodRedirected)
    assert isinstance(error, requests.TooManyRedirects)
    assert error.status_code == 302
    assert error.location.startswith(other_server.url)
    assert error.url.startswith(lmod_server.url)
    assert lmod_server.url in str(error) and other_server.url in str(error)
    assert other_server.requests == [] and other_server.refused == []


@pytest.mark.parametrize('target', ['other host', 'http'])
def test_a_307_on_grades_is_not_followed(lmod_server: Any,
                                         other_server: LmodServer,
                                         target: str) -> None:
    gradebook = bound_gradebook(lmod_server)
    location = (other_server.url if target == 'other host'
                else 'http://127.0.0.1:{0}/'.format(other_server.port))
    lmod_server.redirect_next(1, location, status=307,
                              path_prefix='multiGrades/')
    error, _ = timed(lambda: gradebook.multi_grade([{'studentId': 1}]))
    assert isinstance(error, PyLmodRedirected) and error.status_code == 307
    assert error.location.startswith(location)
    assert other_server.requests == [] and other_server.refused == []


def test_a_redirect_of_a_delete_is_not_followed(
        lmod_server: Any, other_server: LmodServer) -> None:
    gradebook = bound_gradebook(lmod_server)
    lmod_server.redirect_next(1, other_server.url, status=308,
                              path_prefix='assignment/')
    error, _ = timed(lambda: gradebook.delete_assignment(1))
    assert isinstance(error, PyLmodRedirected)
    assert other_server.requests == []


def test_the_client_certificate_goes_to_the_configured_host_only(
        lmod_server: Any, other_server: LmodServer) -> None:
    gradebook = bound_gradebook(lmod_server)
    session = gradebook._session
    own = session.get_adapter(lmod_server.url + 'service/gradebook/x')
    other = session.get_adapter(other_server.url + 'service/gradebook/x')
    assert isinstance(own, CertificateAdapter) and own.ssl_context is not None
    assert isinstance(other, CertificateAdapter) and other.ssl_context is None
    # Even through the session itself, the other host gets no certificate
    # (so it refuses the handshake).
    with pytest.raises(requests.exceptions.SSLError):
        session.get(other_server.url + 'service/gradebook/gradebook',
                    verify=other_server.ca_cert, timeout=ROOMY)
    assert other_server.requests == []


def test_every_pool_of_the_adapters_reads_within_the_deadline() -> None:
    adapter = CertificateAdapter()
    assert adapter.poolmanager.pool_classes_by_scheme == POOL_CLASSES
    proxied = adapter.proxy_manager_for('http://proxy.example:3128')
    assert proxied.pool_classes_by_scheme == POOL_CLASSES
    assert isinstance(retry_adapter(), DeadlineAdapter)


def test_a_body_that_stalls_past_the_read_timeout(lmod_server: Any) -> None:
    # Each pause (a minute) is longer than the read timeout: the call ends
    # at the first one, before its deadline (half a minute): "no answer in
    # time", not "within the deadline".
    gradebook = bound_gradebook(lmod_server, timeout=0.1, deadline=STALL)
    lmod_server.drip_next(1, 'body', 2 * STALL, path_prefix=ASSIGNMENTS)
    error, seconds = timed(gradebook.get_assignments)
    assert isinstance(error, PyLmodTimeout)
    assert 'no answer in time' in str(error)
    assert seconds < STALL


# Pieces ------------------------------------------------------------------

def test_every_timeout_is_cut_to_the_time_left() -> None:
    bounds = CallBounds(2, 1000)
    for given in (100, (100, 100), Timeout(connect=100, read=100), None,
                  DeadlineTimeout(100, 100, CallBounds(100, 1000))):
        attempt = deadline_timeout(given, bounds).clone()
        assert attempt.connect_timeout <= 2 and attempt.read_timeout <= 2
    own = DeadlineTimeout(1, 1, bounds)
    assert deadline_timeout(own, bounds) is own


def test_an_answer_read_already_is_checked_not_read_again() -> None:
    response = requests.Response()
    response._content = b'{"status": 1}'
    assert read_body(response, CallBounds(2, 100), 'test') == b'{"status": 1}'
    with pytest.raises(PyLmodResponseTooLarge):
        read_body(response, CallBounds(2, 5), 'test')
