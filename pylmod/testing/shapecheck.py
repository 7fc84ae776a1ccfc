"""Check a payload against a shape of :mod:`pylmod.shapes`.

The shapes are :class:`typing.TypedDict` classes, which Python does not
check at run time; :func:`shape_problems` does, so the test suite can hold
the fake LMod's answers and the example payloads in ``tests/data`` to the
one definition, and a project can check its own mocks of LMod the same way.

Example:
    >>> from pylmod.shapes import GroupMember
    >>> shape_problems({'email': 'a@mit.edu'}, GroupMember)
    ["$: missing 'roleType'"]
"""
import functools
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

_REPR_LENGTH = 60


def shape_problems(value: Any, shape: Any, exact: bool = False) -> List[str]:
    """Return what keeps ``value`` from having ``shape`` (none: ``[]``).

    Args:
        value: decoded JSON.
        shape: a :class:`~typing.TypedDict` of :mod:`pylmod.shapes`, or a
            type built from them (``List[Student]``, ``Dict[str, ...]``,
            ``Optional[...]``).
        exact: also report keys a shape does not declare.  LMod may send
            more than its documentation shows, so this is for payloads
            whose every key is known (the fake LMod's records).

    Returns:
        list: one message per problem, each starting with the path of the
        value in JSONPath style, e.g. ``$.data[2].studentId``.
    """
    return list(_problems(value, shape, '$', exact))


def check_shape(value: Any, shape: Any, exact: bool = False) -> None:
    """Raise :class:`ValueError` listing the problems of ``value`` (see
    :func:`shape_problems`), if it does not have ``shape``."""
    problems = shape_problems(value, shape, exact)
    if problems:
        raise ValueError('not a {0}: {1}'.format(
            _name(shape), '; '.join(problems)))


def _problems(value: Any, expected: Any, where: str,
              exact: bool) -> Iterator[str]:
    origin = get_origin(expected)
    if expected is Any:
        return
    if origin is Union:
        yield from _union_problems(value, get_args(expected), where, exact)
    elif _is_typed_dict(expected):
        yield from _dict_problems(value, expected, where, exact)
    elif origin is list:
        if not isinstance(value, list):
            yield _mismatch(where, expected, value)
            return
        for index, item in enumerate(value):
            yield from _problems(item, get_args(expected)[0],
                                 '{0}[{1}]'.format(where, index), exact)
    elif origin is dict:
        if not isinstance(value, dict):
            yield _mismatch(where, expected, value)
            return
        for key, item in value.items():
            yield from _problems(item, get_args(expected)[1],
                                 '{0}.{1}'.format(where, key), exact)
    elif not _is_instance(value, expected):
        yield _mismatch(where, expected, value)


def _union_problems(value: Any, options: Any, where: str,
                    exact: bool) -> Iterator[str]:
    """``Optional[X]`` reports what is wrong with the value as an ``X``."""
    found = [list(_problems(value, option, where, exact))
             for option in options]
    if all(found):
        others = [problems for option, problems in zip(options, found)
                  if option is not type(None)]
        yield from (others[0] if len(others) == 1 else [
            _mismatch(where, Union[tuple(options)], value)])


def _dict_problems(value: Any, shape: Any, where: str,
                   exact: bool) -> Iterator[str]:
    if not isinstance(value, dict):
        yield _mismatch(where, shape, value)
        return
    hints = _hints(shape)
    for key in sorted(shape.__required_keys__ - set(value)):
        yield '{0}: missing {1!r}'.format(where, key)
    for key, item in value.items():
        if key in hints:
            yield from _problems(item, hints[key],
                                 '{0}.{1}'.format(where, key), exact)
        elif exact:
            yield '{0}: {1!r} is not a key of {2}'.format(
                where, key, shape.__name__)


def _is_instance(value: Any, expected: Any) -> bool:
    if expected is type(None):
        return value is None
    if isinstance(value, bool):  # JSON true is no number
        return expected is bool
    if expected is float:
        return isinstance(value, (int, float))
    return isinstance(value, expected)


def _is_typed_dict(expected: Any) -> bool:
    # typing.is_typeddict() is Python 3.10+.
    return isinstance(expected, type) and issubclass(expected, dict) and \
        hasattr(expected, '__required_keys__')


@functools.lru_cache(maxsize=None)
def _hints(shape: Any) -> Dict[str, Any]:
    return get_type_hints(shape)


def _name(expected: Any) -> str:
    """``List[Student]``, ``Optional[str]`` ... (``typing``'s own names
    vary across Python versions)."""
    origin, args = get_origin(expected), get_args(expected)
    names = [_name(arg) for arg in args if arg is not type(None)]
    if origin is Union:
        if len(names) < len(args) and len(names) == 1:
            return 'Optional[{0}]'.format(names[0])
        return 'Union[{0}]'.format(', '.join(
            _name(arg) for arg in args))
    if origin in (list, dict):
        return '{0}[{1}]'.format(origin.__name__.capitalize(),
                                 ', '.join(names))
    if expected is type(None):
        return 'None'
    return getattr(expected, '__name__', None) or str(expected).replace(
        'typing.', '')


def _mismatch(where: str, expected: Any, value: Any) -> str:
    text = repr(value)
    if len(text) > _REPR_LENGTH:
        text = text[:_REPR_LENGTH - 3] + '...'
    return '{0}: expected {1}, got {2}'.format(where, _name(expected), text)
