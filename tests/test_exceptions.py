"""pylmod.exceptions: what callers catch, and what crosses processes."""
import pickle

import pytest
import requests

from pylmod.base import Base
from pylmod.exceptions import (
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodHTTPBadResponse,
    PyLmodHTTPError,
)

MOCKED_URLBASE = 'https://learning-modules-test.mit.edu:8443/'


def _raised(call):
    with pytest.raises(Exception) as raised:
        call()
    return raised.value


def _round_trip(error):
    """Pickle and unpickle, as multiprocessing and task queues (Celery with
    the pickle serializer) do with an exception raised in a worker."""
    return pickle.loads(pickle.dumps(error))


def test_certificate_error_survives_pickling(tmp_path):
    missing = str(tmp_path / 'nope.pem')
    error = _raised(lambda: Base(missing, MOCKED_URLBASE))
    assert isinstance(error, PyLmodCertificateError)
    copy = _round_trip(error)
    assert type(copy) is PyLmodCertificateError
    assert copy.path == missing
    assert str(copy) == str(error)


@pytest.mark.parametrize('status, expected_type', [
    (200, PyLmodBadResponse),
    (502, PyLmodHTTPBadResponse),
    (503, PyLmodHTTPError),
])
def test_response_errors_survive_pickling(cert_path, lmod_mock, status,
                                          expected_type):
    body = ('{"status": -1, "message": "busy"}' if status == 503
            else '<html>Bad gateway</html>')
    lmod_mock.get(MOCKED_URLBASE + 'things', body=body, status=status)
    base = Base(cert_path, MOCKED_URLBASE, retries=0)
    error = _raised(lambda: base.get('things'))
    assert type(error) is expected_type
    copy = _round_trip(error)
    assert type(copy) is expected_type
    assert str(copy) == str(error)
    assert copy.status_code == status
    assert copy.response.status_code == status
    assert getattr(copy, 'body_start', None) == getattr(
        error, 'body_start', None)


@pytest.mark.skipif(not hasattr(requests.exceptions, 'InvalidJSONError'),
                    reason='requests < 2.27 raises a plain ValueError')
def test_bad_response_is_caught_as_requests_raised_it(cert_path, lmod_mock):
    # With requests >= 2.27, 1.0.x let response.json()'s error through: an
    # InvalidJSONError, so also a RequestException.
    lmod_mock.get(MOCKED_URLBASE + 'things', body='<html>oops</html>')
    base = Base(cert_path, MOCKED_URLBASE)
    error = _raised(lambda: base.get('things'))
    assert isinstance(error, PyLmodBadResponse)
    assert isinstance(error, ValueError)
    assert isinstance(error, requests.exceptions.InvalidJSONError)
    assert isinstance(error, requests.RequestException)
    assert error.request is error.response.request
