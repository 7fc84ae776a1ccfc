"""What the plugin retries: transient failures (no answer, 429, 5xx) and
nothing else (pylmod.openedx.plugin.failures)."""
import pytest
import requests

pytest.importorskip('django', reason='the plugin needs the openedx extra')

from pylmod.exceptions import (  # noqa: E402
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodHTTPError,
)
from pylmod.openedx.errors import (  # noqa: E402
    OpenEdxAuthError,
    OpenEdxConfigError,
    OpenEdxHTTPError,
    OpenEdxThrottled,
)
from pylmod.openedx.plugin.failures import (  # noqa: E402
    TransientFailure,
    headline,
    is_transient,
    retry_after,
)


def answer(status):
    response = requests.Response()
    response.status_code = status
    return response


def chunked(*failures):
    """The error of a chunked Open edX write: the first failure, with all
    of them in ``failures``."""
    error = failures[0] if isinstance(failures[0], OpenEdxHTTPError) else (
        OpenEdxHTTPError('POST program_enrollments: failed'))
    error.failures = [(['key{0}'.format(number)], failure)
                      for number, failure in enumerate(failures)]
    return error


@pytest.mark.parametrize('error, transient', [
    (requests.ConnectionError('connection reset'), True),
    (requests.ConnectTimeout('connect timeout'), True),
    (requests.ReadTimeout('read timeout'), True),
    (requests.exceptions.ChunkedEncodingError('cut short'), True),
    (requests.exceptions.SSLError('certificate verify failed'), False),
    (OpenEdxHTTPError('GET grades: HTTP 503', answer(503)), True),
    (OpenEdxHTTPError('GET grades: HTTP 502', answer(502)), True),
    (OpenEdxThrottled('GET grades: HTTP 429', answer(429), 120.0), True),
    (OpenEdxHTTPError('GET grades: HTTP 404', answer(404)), False),
    (OpenEdxHTTPError('POST: HTTP 413', answer(413)), False),
    (OpenEdxAuthError('token: HTTP 401', answer(401)), False),
    (OpenEdxAuthError('token: HTTP 503', answer(503)), True),
    (PyLmodHTTPError('LMod answered HTTP 504', answer(504)), True),
    (PyLmodBadResponse('a proxy page', answer(502), '<html>'), True),
    (PyLmodBadResponse('not JSON', answer(200), '<html>'), False),
    (OpenEdxConfigError('no assignment named final'), False),
    (PyLmodCertificateError('cannot read', '/x.pem'), False),
    (requests.HTTPError('no response'), False),
    (ValueError('a bug'), False),
    (chunked(requests.ConnectionError('reset'),
             OpenEdxHTTPError('HTTP 503', answer(503))), True),
    (chunked(OpenEdxHTTPError('HTTP 503', answer(503)),
             OpenEdxHTTPError('HTTP 400', answer(400))), False),
])
def test_what_is_transient(error, transient):
    assert is_transient(error) is transient


def test_the_wait_a_throttled_write_asked_for():
    throttled = OpenEdxThrottled('HTTP 429', answer(429), 90.0)
    assert retry_after(throttled) == 90.0
    assert retry_after(chunked(requests.ConnectionError('x'),
                               throttled)) == 90.0
    assert retry_after(requests.ConnectionError('x')) is None


def test_a_transient_failure_crosses_celery_as_plain_data():
    error = OpenEdxHTTPError('POST: learner ada@example.edu', answer(503))
    failure = TransientFailure(headline(error), 2.0)
    assert failure.args == ('OpenEdxHTTPError (HTTP 503)', 2.0)
    assert str(failure) == 'OpenEdxHTTPError (HTTP 503)'
    assert headline(requests.ConnectionError('x')) == 'ConnectionError'
