"""Exceptions raised by pylmod.

Every exception pylmod raises on purpose is a :class:`PyLmodException`.  Where
PyLmod 1.0.x raised a standard exception that callers already catch
(``ValueError`` for a body that is not JSON, ``requests.HTTPError`` style
errors), the new class subclasses that one too, so old ``except`` clauses keep
working.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import requests


class PyLmodException(Exception):
    """Base exception class for pylmod."""


class PyLmodUnexpectedData(PyLmodException):
    """The data returned for the API wasn't as expected."""


class PyLmodFailedAssignmentCreation(PyLmodException):
    """Failed to create assignment."""


class PyLmodNoSuchSection(PyLmodException):
    """Failed to find the specified section."""


class PyLmodNoSuchCourse(PyLmodUnexpectedData, IndexError):
    """The course guide has no course with the uuid asked for (its list of
    docs is empty).

    It is also an ``IndexError``, what PyLmod 1.0.x raised here.
    """


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

    def __reduce__(self) -> Tuple[Any, ...]:
        # Pickled with its arguments, so that it crosses process boundaries
        # (multiprocessing, task queues) like the built-in exceptions.
        return type(self), (str(self), self.path), self.__dict__


class PyLmodCertificatePasswordError(PyLmodCertificateError):
    """The private key (or the PKCS#12 file) is encrypted and no password
    was given, or the password given does not decrypt it.

    pylmod never asks for a password on the terminal; the ``pylmod``
    command does, when it runs on one and was given none.
    """


class PyLmodCertificateWarning(UserWarning):
    """The client certificate expires soon (see
    :data:`pylmod.certificate.EXPIRY_WARNING_DAYS`)."""


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

    def __reduce__(self) -> Tuple[Any, ...]:
        # See PyLmodCertificateError.__reduce__.
        return (type(self), (str(self), self.side, self.reason,
                             self.diagnosis), self.__dict__)


#: :attr:`PyLmodTLSError.side`: LMod did not accept the client certificate.
CLIENT_REFUSED = 'client certificate refused'
#: :attr:`PyLmodTLSError.side`: this machine does not trust the server.
SERVER_UNTRUSTED = 'server certificate not trusted'
#: :attr:`PyLmodTLSError.side`: the failure says neither.
UNKNOWN_SIDE = ''


class PyLmodMissingId(PyLmodException, ValueError):
    """A call needs an id that was given neither to the method nor to the
    constructor (a gradebook id, a group uuid, a course id).

    The message says which argument to pass.
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

    def __reduce__(self) -> Tuple[Any, ...]:
        # See PyLmodCertificateError.__reduce__.
        return (type(self), (str(self), self.response, self.body_start),
                self.__dict__)


class PyLmodHTTPError(PyLmodException, requests.HTTPError):
    """The service kept answering with a retryable error status (429, 502,
    503, 504) until the retries ran out, or answered so to a request that
    must not be repeated.

    Attributes:
        status_code (int): the HTTP status of the last response.
        response (requests.Response): the last response.
    """

    def __init__(self, message: str,
                 response: Optional[requests.Response] = None) -> None:
        super().__init__(message, response=response)
        self.status_code = None if response is None else response.status_code


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


class PyLmodCSVError(PyLmodException, ValueError):
    """A grade spreadsheet cannot be read as asked.

    The message names the file (when known), the line and the column.
    """


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

    def __reduce__(self) -> Tuple[Any, ...]:
        # See PyLmodCertificateError.__reduce__.
        return (type(self), (str(self), self.response, self.certificate),
                self.__dict__)


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

    def __reduce__(self) -> Tuple[Any, ...]:
        # See PyLmodCertificateError.__reduce__.
        return (type(self), (str(self), self.column, self.columns),
                self.__dict__)


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

    def __reduce__(self) -> Tuple[Any, ...]:
        # See PyLmodCertificateError.__reduce__.
        return (type(self), (str(self), self.names, self.limit),
                self.__dict__)


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

    def __reduce__(self) -> Tuple[Any, ...]:
        # See PyLmodCertificateError.__reduce__.
        return (type(self), (str(self), self.name, self.assignment_ids),
                self.__dict__)
