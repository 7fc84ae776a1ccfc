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


class PyLmodCertificateError(PyLmodException):
    """The client certificate (or its key) cannot be read.

    Attributes:
        path (str): the file that is missing or unreadable.
    """

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path

    def __reduce__(self) -> Tuple[Any, ...]:
        # Pickled with its arguments, so that it crosses process boundaries
        # (multiprocessing, task queues) like the built-in exceptions.
        return type(self), (str(self), self.path), self.__dict__


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
