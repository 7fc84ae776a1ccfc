"""HTTP messages as pylmod writes and reads them: the ``User-Agent`` of its
requests (:func:`user_agent`) and the JSON body of an answer
(:func:`decode_json`; error messages quote the start of a body,
:func:`body_start`).
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Type

import requests

from pylmod.exceptions import PyLmodBadResponse

log = logging.getLogger(__name__)

#: How many characters of a body an exception message quotes (a body that
#: is not JSON, an error page).
BODY_START_LENGTH = 200


@functools.lru_cache(maxsize=None)
def user_agent() -> str:
    """Return the ``User-Agent`` of pylmod's requests:
    ``pylmod/<version> python-requests/<version>``.

    The version is read from the installed metadata when the first client
    is made (not at ``import pylmod``), once.
    """
    from importlib import metadata  # here, so that importing pylmod is cheap
    try:
        version = metadata.version('pylmod')
    except metadata.PackageNotFoundError:
        version = 'unknown'
    return 'pylmod/{0} {1}'.format(version,
                                   requests.utils.default_user_agent())


def body_start(response: requests.Response) -> str:
    """Return the start of a response's body, as error messages quote it.

    Args:
        response: the response.

    Returns:
        str: its first :data:`BODY_START_LENGTH` characters.
    """
    return (response.text or '')[:BODY_START_LENGTH]


# The one place pylmod and its Open edX bridge decode a body.
def decode_json(response: requests.Response, what: str,
                error: Type[PyLmodBadResponse] = PyLmodBadResponse) -> Any:
    """Return the decoded JSON body of a response, or raise ``error``.

    A body that is not JSON (a proxy's HTML page) raises an exception that
    is also a ``ValueError`` (what PyLmod 1.0.x raised) and carries the
    status and the start of the body, never the whole body.

    Args:
        response: the response.
        what: who answered what, the start of the message, e.g.
            ``'LMod answered HTTP 200 to GET <url>'``.
        error: the class raised: :class:`PyLmodBadResponse` or a subclass
            (:class:`PyLmodHTTPBadResponse` for a retried status).

    Raises:
        PyLmodBadResponse: (or ``error``) the body is not JSON; the message
            is ``what`` followed by the start of the body.

    Returns:
        The decoded body.
    """
    try:
        return response.json()
    except ValueError as err:
        start = body_start(response)
        log.error('[PyLmod] %s, with a body that is not JSON', what)
        raise error('{0}, with a body that is not JSON, starting {1!r}'
                    .format(what, start), response, start) from err
