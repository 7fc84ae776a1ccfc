"""pylmod.exceptions: what callers catch, and what crosses processes."""
import pickle

import pytest

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
