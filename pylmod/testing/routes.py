"""Routing of the fake LMod: the rows of :data:`pylmod.endpoints.ENDPOINTS`
turned into regular expressions over the request path.

A path template such as ``students/{gradebookId}/section/{sectionId}``
becomes a pattern with one named group per ``{name}``
(:func:`pylmod.testing.wire.template_pattern`, shared with the fake Open
edX).  A template with a
query string (``courseguide/course?uuid={uuid}``, where the real service
takes the uuid inside the path string) takes those names from the query
parameters instead.
"""
import re
from dataclasses import dataclass, field
from typing import Any, Dict, NamedTuple, Optional, Tuple

from pylmod.endpoints import Endpoint
from pylmod.testing.wire import (
    LoggedRequest,
    placeholder_name,
    template_pattern,
)

#: The body LMod answers an error with, as in ``error_response`` of the
#: examples: ``{"status": -1, "message": ...}``.
ERROR_STATUS = -1


class LmodError(Exception):
    """An error the fake LMod answers with an LMod-style body.

    Args:
        http_status: the HTTP status of the answer (404 for an unknown id,
            400 for a malformed request).
        message: the ``message`` of the body.
    """

    def __init__(self, http_status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.message = message

    def body(self) -> Dict[str, Any]:
        """Return ``{"status": -1, "message": ...}``."""
        return error_body(self.message)


def error_body(message: str) -> Dict[str, Any]:
    """Return an LMod error body: ``{"status": -1, "message": message}``."""
    return {'status': ERROR_STATUS, 'message': message}


@dataclass(frozen=True)
class FakeRequest(LoggedRequest):
    """A request as a fake LMod handler sees it: a :class:`LoggedRequest`
    (path relative to the server root, body decoded JSON or ``None``) with
    the ids of its route.

    Attributes:
        ids: the ``{names}`` of the endpoint's path template, as strings.
    """

    ids: Dict[str, str] = field(default_factory=dict)


class Route(NamedTuple):
    """One endpoint as the fake routes it.

    Attributes:
        endpoint: the row of :data:`pylmod.endpoints.ENDPOINTS`.
        pattern: matches the path relative to the server root.
        query_ids: ``(id name, query parameter)`` pairs taken from the query.
    """

    endpoint: Endpoint
    pattern: 're.Pattern[str]'
    query_ids: Tuple[Tuple[str, str], ...]

    def match(self, path: str, params: Dict[str, str]
              ) -> Optional[Dict[str, str]]:
        """Return the ids of ``path`` if it is this route's, else ``None``."""
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        ids = found.groupdict()
        for name, param in self.query_ids:
            if param not in params:
                return None
            ids[name] = params[param]
        return ids


def compile_route(endpoint: Endpoint) -> Route:
    """Turn an endpoint row into a :class:`Route`."""
    path, _, query = endpoint.path.partition('?')
    query_ids = []
    for pair in filter(None, query.split('&')):
        param, _, value = pair.partition('=')
        name = placeholder_name(value)
        if not name:
            raise ValueError('Endpoint {0!r}: query {1!r} is not '
                             '"param={{name}}"'.format(endpoint.name, pair))
        query_ids.append((name, param))
    return Route(endpoint, template_pattern(
        'service/{0}/{1}'.format(endpoint.service, path)), tuple(query_ids))
