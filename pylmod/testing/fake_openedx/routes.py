"""Routing of the fake Open edX: the rows of
:data:`pylmod.openedx.endpoints.ENDPOINTS` matched against request paths.

The client builds its URLs from the same rows, so a path template is written
once; only the routing lives here, the client library keeps the table.
"""
from typing import Dict, Optional, Tuple

from pylmod.openedx.endpoints import ENDPOINTS, OpenEdxEndpoint
from pylmod.testing.wire import template_pattern

_ROUTES = tuple((endpoint, template_pattern(endpoint.path))
                for endpoint in ENDPOINTS.values())


def match_endpoint(path: str) -> Tuple[Optional[OpenEdxEndpoint],
                                       Dict[str, str]]:
    """Return ``(endpoint, ids)`` of a request path, or ``(None, {})``.

    The ids are left percent-encoded; decode them with
    :func:`urllib.parse.unquote` (never ``unquote_plus``: ``+`` is part of a
    course key).

    Example:
        >>> match_endpoint('/api/bulk_enroll/v1/bulk_enroll/')[0].name
        'bulk_enroll'
    """
    for endpoint, pattern in _ROUTES:
        found = pattern.fullmatch(path)
        if found:
            return endpoint, found.groupdict()
    return None, {}
