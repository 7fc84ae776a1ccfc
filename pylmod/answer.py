"""An answer of LMod: its decoded body, where it came from, and what reading
a body of the wrong shape raises.

The transport (:meth:`pylmod.base.Base.rest_action`) returns the decoded
body as the server sent it, whatever the HTTP status (LMod reports failure
in the body, and 1.0.x callers read it there).  A JSON object comes back as
an :class:`AnswerDict`, a list as an :class:`AnswerList`: equal to the plain
``dict`` or ``list`` (and one, for ``isinstance``), with two attributes
saying where it came from, ``http_status`` and ``call``.  That is how the
HTTP status reaches what decides whether grades were stored
(:func:`pylmod.grades.classify_multigrade_response`) without changing what
:meth:`pylmod.GradeBook.multi_grade` returns.

The clients read their answers inside :func:`reading`: a key that is
missing, a ``null``, a list where an object was expected becomes a
:class:`~pylmod.exceptions.PyLmodUnexpectedAnswer` naming the call, what was
wrong and LMod's ``message`` — and still the ``KeyError``, ``TypeError``,
``IndexError`` or ``AttributeError`` PyLmod 1.0.x raised there
(:func:`unexpected_answer`).
"""
from __future__ import annotations

import contextlib
import reprlib
from typing import Any, Dict, Iterator, Mapping, Optional, Type

from pylmod.exceptions import (
    PyLmodAnswerAttributeError,
    PyLmodAnswerIndexError,
    PyLmodAnswerKeyError,
    PyLmodAnswerTypeError,
    PyLmodUnexpectedAnswer,
)

#: The errors of reading a body of the wrong shape, and what each becomes.
SHAPE_ERRORS: Dict[Type[Exception], Type[PyLmodUnexpectedAnswer]] = {
    KeyError: PyLmodAnswerKeyError,
    IndexError: PyLmodAnswerIndexError,
    TypeError: PyLmodAnswerTypeError,
    AttributeError: PyLmodAnswerAttributeError,
}

_SHORT = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlist = _SHORT.maxdict = 4
_SHORT.maxlevel = 3


class AnswerDict(dict):  # type: ignore[type-arg]
    """A JSON object as the server answered it, with its origin.

    Attributes:
        http_status (int): the HTTP status of the answer.
        call (str): the request, e.g.
            ``'POST https://.../service/gradebook/multiGrades/1293808'``.
    """

    http_status: Optional[int] = None
    call: str = ''


class AnswerList(list):  # type: ignore[type-arg]
    """A JSON list as the server answered it, with its origin (see
    :class:`AnswerDict`)."""

    http_status: Optional[int] = None
    call: str = ''


def with_origin(body: Any, http_status: int, call: str) -> Any:
    """Return ``body`` as an :class:`AnswerDict` or :class:`AnswerList`
    (other JSON values as they are), remembering its status and call.

    Example:
        >>> answer = with_origin({'status': 1}, 200, 'GET https://x/y')
        >>> answer == {'status': 1}, answer.http_status
        (True, 200)
    """
    if isinstance(body, dict):
        answer: Any = AnswerDict(body)
    elif isinstance(body, list):
        answer = AnswerList(body)
    else:
        return body
    answer.http_status = http_status
    answer.call = call
    return answer


def json_kind(value: Any) -> str:
    """What kind of JSON value ``value`` is, for a message: ``'an
    object'``, ``'a list'``, ``'null'``, ``'a str'`` …"""
    if isinstance(value, Mapping):
        return 'an object'
    if isinstance(value, list):
        return 'a list'
    return 'null' if value is None else 'a ' + type(value).__name__


def http_status_of(body: Any) -> Optional[int]:
    """The HTTP status of an answer (``None``: unknown, e.g. the body of a
    stand-in gradebook in a test)."""
    return getattr(body, 'http_status', None)


def server_message(body: Any) -> str:
    """The ``message`` (or ``error``) of a failure body, ``''`` when none."""
    if isinstance(body, Mapping):
        for key in ('message', 'error'):
            if body.get(key):
                return str(body[key])[:200]
    return ''


def _problem(err: BaseException) -> str:
    if isinstance(err, KeyError):
        return 'has no {0!r}'.format(err.args[0] if err.args else '')
    if isinstance(err, IndexError):
        return 'holds a list shorter than expected'
    return 'is not of the shape expected ({0})'.format(err)


def unexpected_answer(body: Any, err: BaseException, call: str = '',
                      service: str = 'LMod') -> PyLmodUnexpectedAnswer:
    """Return the error of reading ``body`` and failing with ``err``.

    Args:
        body: the decoded answer.
        err: the ``KeyError``, ``TypeError``, ``IndexError`` or
            ``AttributeError`` reading it raised.
        call: what was called, e.g. ``'GradeBook.get_options'``.
        service: whose answer it is, for the message.

    Returns:
        PyLmodUnexpectedAnswer: of the subclass that is also ``type(err)``'s
        kind (a :class:`~pylmod.exceptions.PyLmodAnswerKeyError` for a
        ``KeyError`` ...).
    """
    error_class = next((mapped for kind, mapped in SHAPE_ERRORS.items()
                        if isinstance(err, kind)), PyLmodAnswerTypeError)
    origin = ', '.join(str(part) for part in (
        getattr(body, 'call', ''), 'HTTP {0}'.format(http_status_of(body))
        if http_status_of(body) is not None else '') if part)
    name = call + (' ({0})'.format(origin) if call and origin else origin)
    problem = _problem(err)
    message = server_message(body)
    return error_class(
        "{0}'s answer to {1} {2}{3}; the answer was {4}".format(
            service, name or 'a call', problem,
            ' ({0} said: {1})'.format(service, message) if message else '',
            _SHORT.repr(body)),
        call=name, problem=problem, lmod_message=message,
        http_status=http_status_of(body))


@contextlib.contextmanager
def reading(body: Any, call: str = '',
            service: str = 'LMod') -> Iterator[Any]:
    """Read ``body`` in the ``with``: a ``KeyError``, ``TypeError``,
    ``IndexError`` or ``AttributeError`` raised there becomes
    :func:`unexpected_answer`.

    Keep the ``with`` to the reading of the answer: an error of other code
    inside it would be blamed on the answer.

    Example:

    .. code-block:: python

        with reading(body, 'GradeBook.get_options'):
            return body['data']
    """
    try:
        yield body
    except tuple(SHAPE_ERRORS) as err:
        raise unexpected_answer(body, err, call, service) from err
