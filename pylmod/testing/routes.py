"""Routing of the fake LMod: the rows of :data:`pylmod.endpoints.ENDPOINTS`
turned into regular expressions over the request path.

A path template such as ``students/{gradebookId}/section/{sectionId}``
becomes a pattern with one named group per ``{name}``.  A template with a
query string (``courseguide/course?uuid={uuid}``, where the real service
takes the uuid inside the path string) takes those names from the query
parameters instead.
"""
import re
from typing import Any, Dict, NamedTuple, Optional, Tuple

from pylmod.endpoints import Endpoint

#: The body LMod answers an error with, as in ``error_response`` of the
#: examples: ``{"status": -1, "message": ...}``.
ERROR_STATUS = -1

_PLACEHOLDER = re.compile(r'\{(\w+)\}')


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


class FakeRequest(NamedTuple):
    """A request as a fake LMod handler sees it.

    Attributes:
        method: the HTTP verb.
        path: the path relative to the server root, without the query.
        params: the query parameters (last value of each).
        body: the decoded JSON body, or ``None``.
        ids: the ``{names}`` of the endpoint's path template, as strings.
    """

    method: str
    path: str
    params: Dict[str, str]
    body: Any
    ids: Dict[str, str]


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


def template_pattern(service: str, template: str) -> 're.Pattern[str]':
    """Return the regular expression of a path template of ``service``.

    Example:
        >>> template_pattern('gradebook', 'staff/{gradebookId}').pattern
        'service/gradebook/staff/(?P<gradebookId>[^/]+)'
    """
    parts = _PLACEHOLDER.split(template)
    # split() alternates literal text and placeholder names.
    regex = ''.join(
        '(?P<{0}>[^/]+)'.format(part) if index % 2 else re.escape(part)
        for index, part in enumerate(parts))
    return re.compile('service/{0}/{1}'.format(re.escape(service), regex))


def compile_route(endpoint: Endpoint) -> Route:
    """Turn an endpoint row into a :class:`Route`."""
    path, _, query = endpoint.path.partition('?')
    query_ids = []
    for pair in filter(None, query.split('&')):
        param, _, value = pair.partition('=')
        name = _PLACEHOLDER.fullmatch(value)
        if name is None:
            raise ValueError('Endpoint {0!r}: query {1!r} is not '
                             '"param={{name}}"'.format(endpoint.name, pair))
        query_ids.append((name.group(1), param))
    return Route(endpoint, template_pattern(endpoint.service, path),
                 tuple(query_ids))
