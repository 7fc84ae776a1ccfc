"""pylmod.exceptions: what callers catch, and what crosses processes."""
import pickle

import pytest
import requests

from pylmod import exceptions
from pylmod.base import Base
from pylmod.exceptions import (
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodHTTPBadResponse,
    PyLmodHTTPError,
)
from pylmod.openedx import errors as openedx_errors
from pylmod.openedx.errors import (
    OpenEdxAuthError,
    OpenEdxConfigError,
    OpenEdxError,
    OpenEdxHTTPError,
    OpenEdxThrottled,
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


def _response(status: int, body: bytes = b'<html>busy</html>'):
    """A real ``requests.Response`` (what the errors carry)."""
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.url = MOCKED_URLBASE + 'things'
    response.request = requests.Request('GET', response.url).prepare()
    return response


#: Each exception class of pylmod, made as pylmod makes it.
EXAMPLES = {
    exceptions.PyLmodException: lambda: exceptions.PyLmodException('boom'),
    exceptions.PyLmodUnexpectedData: lambda: exceptions.PyLmodUnexpectedData(
        'no data'),
    exceptions.PyLmodUnexpectedAnswer:
        lambda: exceptions.PyLmodUnexpectedAnswer(
            'odd', call='GET x', problem='no data', lmod_message='busy',
            http_status=200),
    exceptions.PyLmodAnswerKeyError: lambda: exceptions.PyLmodAnswerKeyError(
        'no key', call='GET x', problem="'data'"),
    exceptions.PyLmodAnswerTypeError:
        lambda: exceptions.PyLmodAnswerTypeError('a list', call='GET x'),
    exceptions.PyLmodAnswerIndexError:
        lambda: exceptions.PyLmodAnswerIndexError('short', call='GET x'),
    exceptions.PyLmodAnswerAttributeError:
        lambda: exceptions.PyLmodAnswerAttributeError('null', call='GET x'),
    exceptions.PyLmodNoSuchCourse: lambda: exceptions.PyLmodNoSuchCourse(
        'no course'),
    exceptions.PyLmodBadResponse: lambda: exceptions.PyLmodBadResponse(
        'not JSON', _response(200), '<html>'),
    exceptions.PyLmodHTTPError: lambda: exceptions.PyLmodHTTPError(
        'busy', response=_response(503), retry_after=30.0),
    exceptions.PyLmodHTTPBadResponse:
        lambda: exceptions.PyLmodHTTPBadResponse(
            'busy page', _response(502), '<html>'),
    exceptions.PyLmodNotAuthorized: lambda: exceptions.PyLmodNotAuthorized(
        'refused', response=_response(403), certificate='CN=app (a.pem)'),
    exceptions.PyLmodTimeout: lambda: exceptions.PyLmodTimeout(
        'too slow', deadline=6.0),
    exceptions.PyLmodResponseTooLarge:
        lambda: exceptions.PyLmodResponseTooLarge(
            'too large', limit=1000, received=1024),
    exceptions.PyLmodRedirected: lambda: exceptions.PyLmodRedirected(
        'moved', url='https://a/x', location='https://b/x',
        response=_response(302)),
    exceptions.PyLmodTLSError: lambda: exceptions.PyLmodTLSError(
        'refused', side=exceptions.CLIENT_REFUSED,
        reason='TLSV1_ALERT_UNKNOWN_CA', diagnosis='LMod refused it'),
    exceptions.PyLmodCertificateError:
        lambda: exceptions.PyLmodCertificateError('unreadable', '/a.pem'),
    exceptions.PyLmodCertificatePasswordError:
        lambda: exceptions.PyLmodCertificatePasswordError(
            'wrong password', '/a.key'),
    exceptions.PyLmodMissingId: lambda: exceptions.PyLmodMissingId(
        'pass gradebook_id'),
    exceptions.PyLmodInsecureURL: lambda: exceptions.PyLmodInsecureURL(
        'http://'),
    exceptions.PyLmodCSVError: lambda: exceptions.PyLmodCSVError(
        'line 3'),
    exceptions.PyLmodMissingColumn: lambda: exceptions.PyLmodMissingColumn(
        'no email column', 'email', ['name', 'Homework 1']),
    exceptions.PyLmodTooManyNewAssignments:
        lambda: exceptions.PyLmodTooManyNewAssignments(
            'too many', ['A', 'B'], 1),
    exceptions.PyLmodDuplicateAssignment:
        lambda: exceptions.PyLmodDuplicateAssignment(
            'two of them', 'Homework 1', [1, 2]),
    exceptions.PyLmodNoSuchSection: lambda: exceptions.PyLmodNoSuchSection(
        'no section'),
    exceptions.PyLmodFailedAssignmentCreation:
        lambda: exceptions.PyLmodFailedAssignmentCreation('not created'),
    exceptions.PyLmodAssignmentNotConfirmed:
        lambda: exceptions.PyLmodAssignmentNotConfirmed(
            'maybe created', name='Homework 1'),
    exceptions.PyLmodNearMissAssignment:
        lambda: exceptions.PyLmodNearMissAssignment(
            'did you mean', {'Midterm1': 'midterm1'}),
    exceptions.PyLmodPlanChanged: lambda: exceptions.PyLmodPlanChanged(
        'plan again', 3),
    exceptions.PyLmodSnapshotError: lambda: exceptions.PyLmodSnapshotError(
        'damaged'),
    exceptions.PyLmodSnapshotMismatch:
        lambda: exceptions.PyLmodSnapshotMismatch('another gradebook'),
    OpenEdxError: lambda: OpenEdxError('bridge'),
    OpenEdxHTTPError: lambda: OpenEdxHTTPError('refused',
                                               response=_response(400)),
    OpenEdxThrottled: lambda: OpenEdxThrottled(
        'slow down', response=_response(429), retry_after=60.0),
    OpenEdxAuthError: lambda: OpenEdxAuthError('no token',
                                               response=_response(401)),
    OpenEdxConfigError: lambda: OpenEdxConfigError('no LMS URL'),
}


def _exception_classes():
    found = set()
    for module in (exceptions, openedx_errors):
        for value in vars(module).values():
            if (isinstance(value, type)
                    and issubclass(value, exceptions.PyLmodException)):
                found.add(value)
    return found


def test_every_exception_class_has_an_example():
    assert _exception_classes() == set(EXAMPLES)


def _comparable(value):
    """Attributes compared after a round trip: a response by its status
    and body."""
    if isinstance(value, requests.Response):
        return value.status_code, value.content
    if isinstance(value, requests.PreparedRequest):
        return value.method, value.url
    return value


@pytest.mark.parametrize('cls', sorted(EXAMPLES, key=lambda c: c.__name__),
                         ids=lambda cls: cls.__name__)
def test_every_exception_survives_pickling(cls):
    error = EXAMPLES[cls]()
    assert type(error) is cls
    copy = _round_trip(error)
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert set(vars(copy)) == set(vars(error))
    for name, value in vars(error).items():
        assert _comparable(getattr(copy, name)) == _comparable(value), name
