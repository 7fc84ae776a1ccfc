"""What both fake servers share about requests: the log record and the
routing of path templates.

The fake LMod (:mod:`pylmod.testing.server`) and the fake Open edX
(:mod:`pylmod.testing.fake_openedx.server`) log every request as a
:class:`LoggedRequest`, and both route by the path templates of their
endpoint table, turned into regular expressions by
:func:`template_pattern`.
"""
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Dict

_PLACEHOLDER = re.compile(r'\{(\w+)\}')


@dataclass(frozen=True)
class LoggedRequest:
    """A request a fake server received (``server.requests``).

    Attributes:
        method: the HTTP verb.
        path: the request path without the query.  The fake LMod gives it
            relative to the server root and unquoted
            (``'service/gradebook/multiGrades/1293808'``), the fake Open edX
            as sent (``'/api/bulk_enroll/v1/bulk_enroll/'``).
        params: the query parameters (last value of each), as strings.
        body: the decoded body: JSON, a form as a dict (Open edX token
            requests, with the client secret masked), the text of a body
            that is neither, or ``None`` without a body.
        headers: the request headers, names in lower case.  Not compared:
            two logged requests are equal when the rest is.
    """

    method: str
    path: str
    params: Dict[str, str]
    body: Any
    headers: Dict[str, str] = field(default_factory=dict, compare=False,
                                    repr=False)


def lower_case_headers(headers: 'Message[str, str]') -> Dict[str, str]:
    """Return request headers as a dict, names in lower case."""
    return {name.lower(): value for name, value in headers.items()}


def template_pattern(template: str) -> 're.Pattern[str]':
    """Return the regular expression of a path template.

    The literal text is matched as is and each ``{name}`` becomes a group of
    that name matching one path segment.  Match it with ``fullmatch``.

    Example:
        >>> template_pattern('service/gradebook/staff/{gradebookId}').pattern
        'service/gradebook/staff/(?P<gradebookId>[^/]+)'
    """
    parts = _PLACEHOLDER.split(template)
    # split() alternates literal text and placeholder names.
    return re.compile(''.join(
        '(?P<{0}>[^/]+)'.format(part) if index % 2 else re.escape(part)
        for index, part in enumerate(parts)))


def placeholder_name(text: str) -> str:
    """Return ``name`` if ``text`` is exactly ``{name}``, else ``''``."""
    found = _PLACEHOLDER.fullmatch(text)
    return found.group(1) if found else ''
