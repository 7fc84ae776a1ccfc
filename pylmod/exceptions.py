"""Exceptions raised by pylmod.

Every exception pylmod raises on purpose is a :class:`PyLmodException`.
Where PyLmod 1.0.x raised a standard exception that callers already catch,
the new class subclasses that one too (right column), so old ``except``
clauses keep working::

    PyLmodException
    ├── PyLmodUnexpectedData
    │   ├── PyLmodUnexpectedAnswer
    │   │   ├── PyLmodAnswerKeyError           KeyError
    │   │   ├── PyLmodAnswerTypeError          TypeError
    │   │   ├── PyLmodAnswerIndexError         IndexError
    │   │   └── PyLmodAnswerAttributeError     AttributeError
    │   ├── PyLmodNoSuchCourse                 IndexError
    │   └── PyLmodNotAuthorized                requests.HTTPError, KeyError,
    │                                          ValueError
    ├── PyLmodBadResponse                      ValueError (and requests'
    │   └── PyLmodHTTPBadResponse              InvalidJSONError)
    ├── PyLmodHTTPError                        requests.HTTPError
    │   └── PyLmodHTTPBadResponse
    ├── PyLmodTimeout                          requests.Timeout,
    │                                          requests.ConnectionError
    ├── PyLmodResponseTooLarge                 requests.RequestException
    ├── PyLmodRedirected                       requests.TooManyRedirects
    ├── PyLmodTLSError                         requests SSLError
    ├── PyLmodCertificateError                 requests SSLError
    │   └── PyLmodCertificatePasswordError
    ├── PyLmodMissingId                        ValueError
    ├── PyLmodInsecureURL                      ValueError
    ├── PyLmodCSVError                         ValueError
    │   ├── PyLmodMissingColumn
    │   ├── PyLmodTooManyNewAssignments
    │   └── PyLmodNearMissAssignment
    ├── PyLmodDuplicateAssignment              ValueError
    ├── PyLmodNoSuchSection
    ├── PyLmodFailedAssignmentCreation
    │   └── PyLmodAssignmentNotConfirmed       requests.RequestException
    ├── PyLmodPlanChanged
    ├── PyLmodSnapshotError                    ValueError
    │   └── PyLmodSnapshotMismatch
    └── OpenEdxError (pylmod.openedx.errors)
    PyLmodCertificateWarning                   UserWarning

The classes below come in that order, by family: what an answer held, how
a call failed, the client certificate, the caller's arguments, the grade
spreadsheets, safe uploads (plans and snapshots).  Every one survives
pickling with its attributes.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Type

import requests


class PyLmodException(Exception):
    """Base exception class for pylmod."""

    # One __reduce__ for every subclass: an exception is rebuilt from its
    # args and attributes without calling __init__ (whose arguments differ
    # from class to class), so that it crosses process boundaries
    # (multiprocessing, Celery's pickle serializer) like the built-in ones.
    def __reduce__(self) -> Tuple[Any, ...]:
        return _rebuilt, (type(self), self.args), self.__dict__


def _rebuilt(cls: Type[BaseException],
             args: Tuple[Any, ...]) -> BaseException:
    """An exception of class ``cls`` with ``args``, its ``__init__`` not
    called (pickle then restores its attributes)."""
    # Python accepts only the __new__ of the built-in base that lays out the
    # instance (OSError's for a requests exception, not ValueError's): the
    # built-in base with the largest instances.
    builtin = max((base for base in cls.__mro__
                   if not base.__flags__ & _HEAP_TYPE),
                  key=lambda base: base.__basicsize__)
    error: BaseException = builtin.__new__(cls, *args)
    error.args = args
    return error


#: ``type.__flags__`` of a class defined in Python (not built in).
_HEAP_TYPE = 1 << 9


# --- What an answer held -----------------------------------------------------


class PyLmodUnexpectedData(PyLmodException):
    """The data returned for the API wasn't as expected."""


class PyLmodUnexpectedAnswer(PyLmodUnexpectedData):
    """An answer does not have the shape the call reads: a key is missing,
    a value is ``null``, a list where an object was expected …

    The message names the call and what was missing or unexpected, and
    carries the server's ``message`` when it sent one (LMod's failure shape
    is ``{"status": -1, "message": ...}``).  Each instance is also the
    built-in exception PyLmod 1.0.x raised on that path (see
    :func:`pylmod.answer.unexpected_answer`): a :class:`PyLmodAnswerKeyError`
    is a ``KeyError``, a :class:`PyLmodAnswerTypeError` a ``TypeError`` …

    Attributes:
        call (str): the call whose answer it is, e.g.
            ``'GET https://.../service/gradebook/options/1293808'``.
        problem (str): what was missing or unexpected.
        lmod_message (str): the server's ``message`` (``''``: none).
        http_status (int): the HTTP status of the answer (``None``:
            unknown).
    """

    def __init__(self, message: str, call: str = '', problem: str = '',
                 lmod_message: str = '',
                 http_status: Optional[int] = None) -> None:
        super().__init__(message)
        self.call = call
        self.problem = problem
        self.lmod_message = lmod_message
        self.http_status = http_status

    def __str__(self) -> str:
        # KeyError would quote the message.
        return str(self.args[0]) if self.args else ''


class PyLmodAnswerKeyError(PyLmodUnexpectedAnswer, KeyError):
    """An answer lacks a key the call reads (1.0.x: ``KeyError``)."""


class PyLmodAnswerTypeError(PyLmodUnexpectedAnswer, TypeError):
    """An answer holds a value of another type than the call reads: a list
    for an object, ``null`` (1.0.x: ``TypeError``)."""


class PyLmodAnswerIndexError(PyLmodUnexpectedAnswer, IndexError):
    """An answer's list is shorter than the call reads (1.0.x:
    ``IndexError``)."""


class PyLmodAnswerAttributeError(PyLmodUnexpectedAnswer, AttributeError):
    """An answer holds a value without what the call uses (a ``null``
    email, a list where sections by type were expected; 1.0.x:
    ``AttributeError``)."""


class PyLmodNoSuchCourse(PyLmodUnexpectedData, IndexError):
    """The course guide has no course with the uuid asked for (its list of
    docs is empty).

    It is also an ``IndexError``, what PyLmod 1.0.x raised here.
    """


#: What ``requests`` (2.27 and later) raises for a body that is not JSON is
#: also a ``requests.RequestException``; so is pylmod's, where it exists.
_INVALID_JSON_BASES: Tuple[type, ...] = tuple(
    base for base in (getattr(requests.exceptions, 'InvalidJSONError', None),)
    if base is not None)


class PyLmodBadResponse(
        PyLmodException, ValueError,
        *_INVALID_JSON_BASES):  # type: ignore[misc]
    """The service answered with a body that is not JSON.

    Typically an HTML error page from a proxy.  It is a ``ValueError`` because
    PyLmod 1.0.x raised ``ValueError`` here (what ``response.json()``
    raised), and, with requests 2.27 or later, a
    ``requests.exceptions.InvalidJSONError`` (a ``RequestException``) as
    that was too.

    Attributes:
        status_code (int): the HTTP status of the response.
        body_start (str): the first characters of the body.
        response (requests.Response): the response itself.
    """

    def __init__(self, message: str, response: requests.Response,
                 body_start: str) -> None:
        super().__init__(message)
        self.response = response
        self.request = getattr(response, 'request', None)
        self.status_code = response.status_code
        self.body_start = body_start


# --- How a call failed -------------------------------------------------------


class PyLmodHTTPError(PyLmodException, requests.HTTPError):
    """The service kept answering with a retryable error status (429, 502,
    503, 504) until the retries ran out, or answered so to a request that
    must not be repeated.

    Attributes:
        status_code (int): the HTTP status of the last response.
        response (requests.Response): the last response.
    """

    def __init__(self, message: str,
                 response: Optional[requests.Response] = None,
                 retry_after: Optional[float] = None) -> None:
        super().__init__(message, response=response)
        self.status_code = None if response is None else response.status_code
        #: The seconds a ``Retry-After`` header asked to wait, when the
        #: deadline of the call left less (``None``: not why it stopped).
        self.retry_after = retry_after


class PyLmodHTTPBadResponse(  # type: ignore[misc]
        PyLmodHTTPError, PyLmodBadResponse):
    """A retryable error status (429, 502, 503, 504) outlived the retries
    and its body is not JSON: typically a proxy's HTML error page.

    It is both a :class:`PyLmodHTTPError` (a ``requests.HTTPError``) and a
    :class:`PyLmodBadResponse` (a ``ValueError``, what PyLmod 1.0.x raised
    for such a page), with ``status_code``, ``body_start`` and ``response``.
    """

    def __init__(self, message: str, response: requests.Response,
                 body_start: str) -> None:
        requests.HTTPError.__init__(self, message, response=response)
        self.status_code = response.status_code
        self.body_start = body_start


class PyLmodNotAuthorized(PyLmodUnexpectedData, requests.HTTPError,
                          KeyError, ValueError):
    """LMod refused the client certificate for what was asked (HTTP 403,
    or 401): the certificate is not authorized for that gradebook or course.

    The message names the certificate (its CN and file), the request and
    LMod's own message, and says whom to ask.  It carries ``status_code``
    and ``response`` like :class:`PyLmodHTTPError`.

    PyLmod 1.0.x returned the refusal's body, and the caller then failed
    on it: ``get_gradebook_id`` (and ``GradeBook(gbuuid=...)``) and the
    membership lookups raised :class:`PyLmodUnexpectedData`, most methods
    ``KeyError: 'data'``, and an HTML page a ``ValueError``.  This
    exception is each of those, and a ``requests.HTTPError``, so every
    ``except`` clause written for 1.0.x still catches it.

    Attributes:
        status_code (int): 403 (or 401).
        response (requests.Response): the refusal.
        certificate (str): the certificate, e.g.
            ``'CN=my-app (/home/me/lmod.pem)'``.
    """

    def __init__(self, message: str,
                 response: Optional[requests.Response] = None,
                 certificate: str = '') -> None:
        super().__init__(message, response=response)
        self.status_code = None if response is None else response.status_code
        self.certificate = certificate

    def __str__(self) -> str:
        # KeyError would quote the message.
        return str(self.args[0]) if self.args else ''


class PyLmodTimeout(PyLmodException, requests.exceptions.ConnectionError,
                    requests.exceptions.Timeout):
    """A call did not end within its deadline (see
    :attr:`pylmod.base.Base.limits`): connecting, the retries, the waits
    between them and reading the answer together took longer, or a
    ``Retry-After`` (or the wait before another attempt) would have passed
    it.

    It is a ``requests.Timeout`` and a ``requests.ConnectionError``: PyLmod
    1.0.x raised the one for a request that timed out and the other once
    its retries were exhausted.

    Attributes:
        deadline (float): the deadline of the call, in seconds.
    """

    def __init__(self, message: str, deadline: Optional[float] = None,
                 request: Any = None) -> None:
        super().__init__(message, request=request)
        self.deadline = deadline


class PyLmodResponseTooLarge(PyLmodException, requests.RequestException):
    """An answer was larger than the client accepts (see
    :attr:`pylmod.base.Base.limits`), counted after
    decompression; pylmod stopped reading it and closed the connection.

    It is a ``requests.RequestException``: what a failed read of an answer
    is (for a grade upload, the grades of that request are unconfirmed).

    Attributes:
        limit (int): the largest answer accepted, in bytes.
        received (int): the bytes read before stopping (0: the
            ``Content-Length`` said it was too large).
    """

    def __init__(self, message: str, limit: int = 0,
                 received: int = 0) -> None:
        super().__init__(message)
        self.limit = limit
        self.received = received


class PyLmodRedirected(PyLmodException,
                       requests.exceptions.TooManyRedirects):
    """The server answered with a redirect, and pylmod follows none: not
    from LMod (whatever the verb), not from Open edX on a write.  Grades
    and the client certificate go to the configured server only.

    It is a ``requests.TooManyRedirects`` (what requests raises when it may
    follow no more redirects), so a ``requests.RequestException``.

    Attributes:
        url (str): the URL asked.
        location (str): where the server redirected to.
        status_code (int): the redirect's status (301, 302, 307, 308 ...).
        response (requests.Response): the redirect.
    """

    def __init__(self, message: str, url: str = '', location: str = '',
                 response: Optional[requests.Response] = None) -> None:
        super().__init__(message, response=response)
        self.url = url
        self.location = location
        self.status_code = None if response is None else response.status_code


class PyLmodTLSError(PyLmodException, requests.exceptions.SSLError):
    """The TLS handshake with LMod failed, with a hint saying which side
    refused what.

    It is also the ``requests.exceptions.SSLError`` PyLmod 1.0.x raised.

    Attributes:
        side (str): :data:`CLIENT_REFUSED` (LMod did not accept the client
            certificate), :data:`SERVER_UNTRUSTED` (this machine does not
            trust LMod's server certificate) or :data:`UNKNOWN_SIDE`.
        reason (str): OpenSSL's reason, e.g. ``'TLSV1_ALERT_UNKNOWN_CA'``.
        diagnosis (str): what happened, the message without the advice.
    """

    def __init__(self, message: str, side: str = '', reason: str = '',
                 diagnosis: str = '', request: Any = None) -> None:
        super().__init__(message, request=request)
        self.side = side
        self.reason = reason
        self.diagnosis = diagnosis or message


#: :attr:`PyLmodTLSError.side`: LMod did not accept the client certificate.
CLIENT_REFUSED = 'client certificate refused'


#: :attr:`PyLmodTLSError.side`: this machine does not trust the server.
SERVER_UNTRUSTED = 'server certificate not trusted'


#: :attr:`PyLmodTLSError.side`: the failure says neither.
UNKNOWN_SIDE = ''


# --- The client certificate --------------------------------------------------


class PyLmodCertificateError(PyLmodException, requests.exceptions.SSLError):
    """The client certificate cannot be used.

    A file is missing or unreadable (checked when the client is made), or,
    when the certificate is first loaded (the first TLS handshake, before
    anything is sent): a file is not a certificate, lacks the certificate
    or its key, the key does not belong to the certificate, the certificate
    has expired, or the password is missing or wrong
    (:class:`PyLmodCertificatePasswordError`).  The message names the file,
    says what is wrong and what to do.

    It is also a ``requests.exceptions.SSLError`` (an ``OSError``): what
    PyLmod 1.0.x let through on the first request for a certificate it
    could not use (or requests' ``IOError`` for a missing file).

    Attributes:
        path (str): the file concerned (``''`` for an SSL context).
    """

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


class PyLmodCertificatePasswordError(PyLmodCertificateError):
    """The private key (or the PKCS#12 file) is encrypted and no password
    was given, or the password given does not decrypt it.

    pylmod never asks for a password on the terminal; the ``pylmod``
    command does, when it runs on one and was given none.
    """


class PyLmodCertificateWarning(UserWarning):
    """The client certificate expires soon (see
    :data:`pylmod._transport.certificate.EXPIRY_WARNING_DAYS`)."""


# --- The caller's arguments --------------------------------------------------


class PyLmodMissingId(PyLmodException, ValueError):
    """A call needs an id that was given neither to the method nor to the
    constructor (a gradebook id, a group uuid, a course id).

    The message says which argument to pass.
    """


class PyLmodInsecureURL(PyLmodException, ValueError):
    """The LMod URL is ``http://``: grades would travel in clear text and no
    client certificate would be presented.  Pass ``allow_http=True`` (the
    command: ``--allow-http``) for a test server that speaks plain HTTP."""


# --- Grade spreadsheets and assignments --------------------------------------


class PyLmodCSVError(PyLmodException, ValueError):
    """A grade spreadsheet cannot be read as asked.

    The message names the file (when known), the line and the column.
    """


class PyLmodMissingColumn(PyLmodCSVError):
    """A grade spreadsheet has no column with the students' emails.

    Attributes:
        column (str): the email column looked for.
        columns (list): the header of the spreadsheet.
    """

    def __init__(self, message: str, column: str,
                 columns: Sequence[Any]) -> None:
        super().__init__(message)
        self.column = column
        self.columns = list(columns)


class PyLmodTooManyNewAssignments(PyLmodCSVError):
    """A grade spreadsheet would create more new assignments than allowed
    (``max_new_assignments``); nothing was created or sent.

    Attributes:
        names (list): the assignments it would create, in header order.
        limit (int): the most allowed.
    """

    def __init__(self, message: str, names: Sequence[str],
                 limit: int) -> None:
        super().__init__(message)
        self.names = list(names)
        self.limit = limit


class PyLmodDuplicateAssignment(PyLmodException, ValueError):
    """The gradebook has several assignments of the name asked for, so the
    name does not say which one.

    Attributes:
        name (str): the name.
        assignment_ids (list): the ids of the assignments of that name.
    """

    def __init__(self, message: str, name: str,
                 assignment_ids: Sequence[Any]) -> None:
        super().__init__(message)
        self.name = name
        self.assignment_ids = list(assignment_ids)


class PyLmodNoSuchSection(PyLmodException):
    """Failed to find the specified section."""


class PyLmodFailedAssignmentCreation(PyLmodException):
    """Failed to create assignment."""


class PyLmodAssignmentNotConfirmed(PyLmodFailedAssignmentCreation,
                                   requests.RequestException):
    """Creating an assignment ended without an answer (a timeout, a dropped
    connection, a 5xx), and the assignment was not found when looked up
    again: it may or may not exist.  pylmod does not create it a second
    time (that could make two); look in the gradebook, then run again.

    It is a :class:`PyLmodFailedAssignmentCreation` and, as the error that
    ended the create was, a ``requests.RequestException``.

    Attributes:
        name (str): the assignment's name.
    """

    def __init__(self, message: str, name: str = '') -> None:
        super().__init__(message)
        self.name = name


class PyLmodNearMissAssignment(PyLmodCSVError):
    """A column names no assignment of the gradebook but one nearly (other
    capitals, spaces, or a small typo): an upload would create a new
    assignment by mistake.  Nothing was created or sent.

    Attributes:
        near_misses (dict): column -> the existing assignment it is near.
    """

    def __init__(self, message: str, near_misses: Dict[str, str]) -> None:
        super().__init__(message)
        self.near_misses = dict(near_misses)


# --- Safe uploads: plans and snapshots ---------------------------------------


class PyLmodPlanChanged(PyLmodException):
    """An upload given the plan its caller reviewed
    (``Safeguards(expected=plan)``) found LMod's grades changed since: it
    would send other changes than those reviewed.  Nothing was created or
    sent.

    Attributes:
        differences (int): grades planned otherwise now.
    """

    def __init__(self, message: str, differences: int) -> None:
        super().__init__(message)
        self.differences = differences


class PyLmodSnapshotError(PyLmodException, ValueError):
    """A snapshot of grades (see :mod:`pylmod.grades.snapshot`) cannot be
    written, or cannot be read as one: missing, damaged or edited by hand.
    Nothing was sent."""


class PyLmodSnapshotMismatch(PyLmodSnapshotError):
    """A snapshot is of another gradebook or another LMod than the one a
    rollback was asked to change; nothing was sent."""
