"""Which failures are worth another try, and the exception that asks for it.

A failure is **transient** when trying again later can succeed and the
service cannot have refused the request for what it is:

* the connection failed, timed out or was dropped (not a TLS or
  certificate error: those do not heal by waiting);
* Open edX or LMod answered 429 (throttled) or a 5xx (including a proxy's
  HTML error page), still so after the in-request retries of
  :mod:`pylmod.openedx.retry` and :class:`pylmod.base.Base`;
* a chunked Open edX write stopped by such failures only.

Everything else — a refused credential (401), a forbidden call (403), an
unknown program (404), a bad request (400, 413), a missing assignment, a
bad setting, a certificate that cannot be read — is not: retrying would
fail the same way, so the run is stored as failed at once.

Being transient is not enough to retry: the run must also be safe to run
again (see :func:`pylmod.openedx.plugin.runs.rerun_is_safe`) and within
its deadline (:mod:`pylmod.openedx.plugin.tasks`).
"""
from typing import Optional

import requests

from pylmod.exceptions import PyLmodBadResponse
from pylmod.openedx.errors import OpenEdxHTTPError, OpenEdxThrottled

#: The status of a throttled request.
TOO_MANY_REQUESTS = 429

#: Exceptions of a request that never got a complete answer.
_NO_ANSWER = (requests.ConnectionError, requests.Timeout,
              requests.exceptions.ChunkedEncodingError)


class TransientFailure(Exception):
    """A run met a transient failure and may be tried again: the Celery
    tasks retry on it (``autoretry_for``).

    Args:
        message: what failed (:func:`headline`: the exception's type and
            HTTP status; the message is in the run's report).
        retry_after: seconds the service asked to wait (a 429's
            ``Retry-After``), if it did.
    """

    def __init__(self, message: str, retry_after: Optional[float] = None):
        super().__init__(message, retry_after)
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


def status_of(error: BaseException) -> Optional[int]:
    """The HTTP status an exception carries (``None``: no answer)."""
    status = getattr(error, 'status_code', None)
    if status is None:
        response = getattr(error, 'response', None)
        status = getattr(response, 'status_code', None)
    return status if isinstance(status, int) else None


def _one_is_transient(error: BaseException) -> bool:
    if isinstance(error, requests.exceptions.SSLError):
        return False
    if isinstance(error, _NO_ANSWER):
        return True
    if isinstance(error, (requests.HTTPError, PyLmodBadResponse)):
        status = status_of(error)
        return status is not None and (
            status == TOO_MANY_REQUESTS or 500 <= status <= 599)
    return False


def is_transient(error: BaseException) -> bool:
    """Whether trying again later can succeed (see the module docstring).

    Args:
        error: what a run raised, or what stopped its writes.  A chunked
            Open edX write's error is transient when each failed chunk's is
            (its ``failures``; the error may be the first of them).

    Example:
        >>> is_transient(requests.ConnectionError('reset by peer'))
        True
        >>> is_transient(requests.exceptions.SSLError('bad certificate'))
        False
    """
    failures = getattr(error, 'failures', None)
    if isinstance(error, OpenEdxHTTPError) and failures:
        return all(_one_is_transient(failure) for _, failure in failures)
    return _one_is_transient(error)


def retry_after(error: BaseException) -> Optional[float]:
    """The seconds a throttled service asked to wait, if it did."""
    failures = getattr(error, 'failures', None) or []
    for candidate in [error] + [failure for _, failure in failures]:
        if isinstance(candidate, OpenEdxThrottled) and (
                candidate.retry_after is not None):
            return candidate.retry_after
    return None


def headline(error: BaseException) -> str:
    """The type of an exception and its HTTP status, if any: what can be
    logged above DEBUG (a message may quote a learner)."""
    status = status_of(error)
    return type(error).__name__ + (
        ' (HTTP {0})'.format(status) if status is not None else '')


def describe(error: BaseException) -> str:
    """``Type: message`` of an exception, for a report."""
    return '{0}: {1}'.format(type(error).__name__, error)
