"""Exceptions of the Open edX bridge.

They are :class:`pylmod.exceptions.PyLmodException` subclasses; the HTTP ones
are also :class:`requests.HTTPError`, so callers that already catch that
keep working.
"""
from typing import Any, List, Optional, Tuple

import requests

# BODY_START_LENGTH is re-exported: pylmod 2.0.0 had it here.
from pylmod._transport import BODY_START_LENGTH as BODY_START_LENGTH
from pylmod._transport import body_start
from pylmod.exceptions import PyLmodException


class OpenEdxError(PyLmodException):
    """Something went wrong talking to Open edX or syncing with it."""


class OpenEdxHTTPError(OpenEdxError, requests.HTTPError):
    """Open edX answered with a status the call cannot go on with.

    Attributes:
        status_code (int): the HTTP status (``None`` without a response).
        response (requests.Response): the response.
        learner_results (list): for a chunked write, what Open edX answered
            for the learners of the chunks that were answered (a
            :class:`~pylmod.openedx.client.LearnerResult` each, or a
            ``bulk_enroll`` result dict), in input order.
        unsent (list): for a chunked write, the keys of the learners without
            an answer, in input order: those of :attr:`failures` (their
            outcome is unknown, or Open edX refused the request) and those
            never sent (a write stops starting chunks after a failure).
        failures (list): for a chunked write, ``(keys, error)`` of each
            chunk that was sent and failed, in input order; this error is
            the first one's.
        requests_sent (int): for a chunked write, the requests made
            (answered or failed).
    """

    def __init__(self, message: str,
                 response: Optional[requests.Response] = None) -> None:
        super().__init__(message, response=response)
        self.status_code = None if response is None else response.status_code
        self.learner_results: List[Any] = []
        self.unsent: List[str] = []
        self.failures: List[Tuple[List[str], BaseException]] = []
        self.requests_sent = 0

    @classmethod
    def from_response(cls, what: str, response: requests.Response
                      ) -> 'OpenEdxHTTPError':
        """Build the error for an unexpected ``response`` to ``what``."""
        return cls('{0}: Open edX answered HTTP {1} {2}: {3}'.format(
            what, response.status_code, response.reason or '',
            body_start(response).strip()), response=response)


class OpenEdxThrottled(OpenEdxHTTPError):
    """Open edX answered 429 Too Many Requests, and the bridge stopped
    asking: it still did after the retries, or its ``Retry-After`` asked
    for longer than the bridge waits (see :mod:`pylmod.openedx.retry`).
    Nothing was written by the throttled request.

    Attributes:
        retry_after (float): the seconds Open edX asked to wait (``None``
            without a ``Retry-After`` it could read).
    """

    def __init__(self, message: str,
                 response: Optional[requests.Response] = None,
                 retry_after: Optional[float] = None) -> None:
        super().__init__(message, response)
        self.retry_after = retry_after


class OpenEdxAuthError(OpenEdxHTTPError):
    """The OAuth token endpoint refused the client credentials (or answered
    something that is not a token).  The message names the client id and
    the URL, never the secret."""


class OpenEdxConfigError(OpenEdxError, ValueError):
    """The sync was asked for something the data cannot give: an assignment
    the gradebook does not have, a mapping file with a bad row, a curriculum
    that cannot be chosen.  The message says what and where."""
