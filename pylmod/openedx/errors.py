"""Exceptions of the Open edX bridge.

They are :class:`pylmod.exceptions.PyLmodException` subclasses; the HTTP ones
are also :class:`requests.HTTPError`, so callers that already catch that
keep working.
"""
from typing import Any, List, Optional

import requests

# BODY_START_LENGTH is re-exported: it lived here before pylmod.base held
# the one copy.
from pylmod.base import BODY_START_LENGTH as BODY_START_LENGTH
from pylmod.base import body_start
from pylmod.exceptions import PyLmodException


class OpenEdxError(PyLmodException):
    """Something went wrong talking to Open edX or syncing with it."""


class OpenEdxHTTPError(OpenEdxError, requests.HTTPError):
    """Open edX answered with a status the call cannot go on with.

    Attributes:
        status_code (int): the HTTP status (``None`` without a response).
        response (requests.Response): the response.
        learner_results (list): for a chunked write, the
            :class:`~pylmod.openedx.client.LearnerResult` of the chunks
            written before this one.
        unsent (list): for a chunked write, the keys of the learners of
            this chunk and the later ones (their outcome is unknown or they
            were not sent).
    """

    def __init__(self, message: str,
                 response: Optional[requests.Response] = None) -> None:
        super().__init__(message, response=response)
        self.status_code = None if response is None else response.status_code
        self.learner_results: List[Any] = []
        self.unsent: List[str] = []

    @classmethod
    def from_response(cls, what: str, response: requests.Response
                      ) -> 'OpenEdxHTTPError':
        """Build the error for an unexpected ``response`` to ``what``."""
        return cls('{0}: Open edX answered HTTP {1} {2}: {3}'.format(
            what, response.status_code, response.reason or '',
            body_start(response).strip()), response=response)


class OpenEdxAuthError(OpenEdxHTTPError):
    """The OAuth token endpoint refused the client credentials (or answered
    something that is not a token).  The message names the client id and
    the URL, never the secret."""


class OpenEdxConfigError(OpenEdxError, ValueError):
    """The sync was asked for something the data cannot give: an assignment
    the gradebook does not have, a mapping file with a bad row, a curriculum
    that cannot be chosen.  The message says what and where."""
