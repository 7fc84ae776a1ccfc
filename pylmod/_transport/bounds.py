"""What bounds a call: its deadline, and the size of its answer.

A client's calls all have the same :class:`Limits` (each attempt's
timeouts, the deadline of a whole call, the largest answer).  Each call
runs within a :class:`CallBounds` made from them (its own deadline, counted
from its start), carried in a :class:`contextvars.ContextVar`
(:func:`bounded`, :func:`current_bounds`), so each thread has its own.
:func:`send_bounded` makes a request within them: each attempt's timeouts
are cut to the time left (:class:`DeadlineTimeout`) and the body is read in
counted chunks (:func:`read_body`).  The adapters
(:mod:`pylmod._transport.adapters`) keep every socket read within the
deadline; the retry policy (:mod:`pylmod._transport.retry`) gives up rather
than wait past it.
"""
# Nothing here knows an endpoint: the LMod clients and the Open edX bridge
# both send through send_bounded.
from __future__ import annotations

import contextlib
import contextvars
import io
import time
from typing import Any, Callable, Iterator, Optional, Tuple, Union

import requests
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.timeout import Timeout

from pylmod.exceptions import PyLmodResponseTooLarge, PyLmodTimeout

#: The deadline of a call when none is given, in read timeouts: a server
#: that never answers costs three attempts.
DEADLINE_FACTOR = 3

#: The largest answer accepted by default, in bytes, counted after
#: decompression (256 MiB; the students of a 100,000-student gradebook are
#: about 46 MB).
MAX_RESPONSE_BYTES = 256 * 1024 * 1024

#: A timeout as requests takes it: seconds, or a ``(connect, read)`` pair.
Timeouts = Union[float, Tuple[Optional[float], Optional[float]]]


# Not a dataclass: importing dataclasses would add a quarter to what
# `import pylmod` takes beyond `import requests` (tests/test_layout.py).
class Limits:
    """The limits of every call of a client (frozen, like httpx's
    ``Timeout``).

    Args:
        timeout: each attempt's timeouts: seconds, or a ``(connect, read)``
            pair.
        deadline: seconds a whole call may take, retries and waits included
            (``None``: :data:`DEADLINE_FACTOR` read timeouts).
        max_response_bytes: the largest answer, counted after
            decompression (default :data:`MAX_RESPONSE_BYTES`).

    Raises:
        ValueError: no deadline is given and there is no read timeout to
            derive one from.

    Attributes:
        connect_timeout (float): as given (``None``: none).
        read_timeout (float): as given (``None``: none).
        deadline (float): the deadline of each call.
        max_response_bytes (int): as given.

    Example:
        >>> Limits((10, 200)).deadline
        600.0
        >>> Limits(60, deadline=90).timeout
        (60.0, 60.0)
    """

    __slots__ = ('connect_timeout', 'read_timeout', 'deadline',
                 'max_response_bytes')

    connect_timeout: Optional[float]
    read_timeout: Optional[float]
    deadline: float
    max_response_bytes: int

    def __init__(self, timeout: Timeouts, *,
                 deadline: Optional[float] = None,
                 max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        connect, read = (timeout if isinstance(timeout, tuple)
                         else (timeout, timeout))
        connect, read = (None if value is None else float(value)
                         for value in (connect, read))
        if deadline is None:
            if not read:
                raise ValueError(
                    'a call needs a deadline: give deadline=, or a read '
                    'timeout to take {0} times (got timeout={1!r})'.format(
                        DEADLINE_FACTOR, timeout))
            deadline = DEADLINE_FACTOR * read
        for name, value in (('connect_timeout', connect),
                            ('read_timeout', read),
                            ('deadline', float(deadline)),
                            ('max_response_bytes', int(max_response_bytes))):
            object.__setattr__(self, name, value)

    @property
    def timeout(self) -> Tuple[Optional[float], Optional[float]]:
        """The ``(connect, read)`` timeouts of each attempt, as requests
        takes them."""
        return self.connect_timeout, self.read_timeout

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError('Limits are frozen: make new ones')

    def __delattr__(self, name: str) -> None:
        raise AttributeError('Limits are frozen: make new ones')

    def __reduce__(self) -> Any:
        return (_rebuild, (self.timeout, self.deadline,
                           self.max_response_bytes))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Limits):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return ('Limits(timeout=({0!r}, {1!r}), deadline={2!r}, '
                'max_response_bytes={3!r})'.format(*self._values()))

    def _values(self) -> Tuple[Any, ...]:
        return (self.connect_timeout, self.read_timeout, self.deadline,
                self.max_response_bytes)


def _rebuild(timeout: Timeouts, deadline: float,
             max_response_bytes: int) -> Limits:
    return Limits(timeout, deadline=deadline,
                  max_response_bytes=max_response_bytes)


#: Bytes read from the socket at a time.  A gzip chunk inflates at most
#: about 1000 times: one chunk never holds more than about 16 MB.
CHUNK_SIZE = 16 * 1024
#: The shortest timeout given to an attempt (urllib3 refuses 0).
SHORTEST_TIMEOUT = 0.001


class CallBounds:
    """The bounds of one call: a deadline and a largest answer.

    Args:
        seconds: the whole call's time, from now.
        max_bytes: the largest answer body, counted after decompression.
        what: the call, for the messages, e.g.
            ``'LMod: GET https://.../students/1'``.

    Attributes:
        seconds: as given.
        max_bytes: as given.
        what: as given.
        deadline: when the call must end (:func:`time.monotonic`).
        gave_up: why the retry policy stopped before the deadline came
            (a ``Retry-After`` longer than the time left, a wait that would
            pass it), or ``''``.
    """

    __slots__ = ('seconds', 'max_bytes', 'what', 'started', 'deadline',
                 'gave_up')

    def __init__(self, seconds: float, max_bytes: int,
                 what: str = '') -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.what = what
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.gave_up = ''

    def left(self) -> float:
        """Seconds left before the deadline (negative once it passed)."""
        return self.deadline - time.monotonic()

    def elapsed(self) -> float:
        """Seconds since the call started."""
        return time.monotonic() - self.started

    def timeout_error(self, what: str, cause: str = '') -> PyLmodTimeout:
        """The error of a call that timed out: its deadline came, or an
        attempt that may not be repeated waited for an answer in vain.

        Args:
            what: the call, e.g. ``'LMod: GET https://.../students/1'``.
            cause: what was happening, e.g. the last error.
        """
        if self.gave_up or self.left() <= 0:
            why = 'no complete answer within the deadline of {0:g} s'.format(
                self.seconds)
        else:
            why = 'no answer in time after {0:.1f} s'.format(self.elapsed())
        return PyLmodTimeout(
            '{0}: {1} ({2}); a larger deadline (or timeout) gives the server '
            'more time'.format(what, why, '; '.join(
                part for part in (self.gave_up, cause) if part)
                or 'time is up'), deadline=self.seconds)


_CURRENT: contextvars.ContextVar[Optional[CallBounds]] = (
    contextvars.ContextVar('pylmod_call_bounds', default=None))


def current_bounds() -> Optional[CallBounds]:
    """The bounds of the call in progress in this thread (``None``: none)."""
    return _CURRENT.get()


@contextlib.contextmanager
def bounded(bounds: CallBounds) -> Iterator[CallBounds]:
    """Make ``bounds`` those of the call in progress, for the ``with``."""
    token = _CURRENT.set(bounds)
    try:
        yield bounds
    finally:
        _CURRENT.reset(token)


class DeadlineTimeout(Timeout):
    """The ``timeout`` of a request: connect and read timeouts, each at most
    the time left before the deadline when an attempt starts.

    urllib3 clones the timeout of a request for every attempt (retries
    included); the clone is cut to the time left.

    Args:
        connect: the connect timeout, seconds.
        read: the read timeout, seconds.
        bounds: the bounds of the call.
    """

    def __init__(self, connect: Optional[float], read: Optional[float],
                 bounds: CallBounds) -> None:
        super().__init__(connect=connect, read=read)
        self.limits = (connect, read)
        self.bounds = bounds

    def clone(self) -> Timeout:
        """A plain :class:`~urllib3.util.timeout.Timeout` for one attempt:
        ``min(connect, time left)`` and ``min(read, time left)``."""
        left = max(self.bounds.left(), SHORTEST_TIMEOUT)
        connect, read = (left if limit is None else min(limit, left)
                         for limit in self.limits)
        return Timeout(connect=connect, read=read)


def deadline_timeout(timeout: Any, bounds: CallBounds) -> Timeout:
    """The :class:`DeadlineTimeout` of a request's ``timeout`` (seconds, a
    ``(connect, read)`` pair, a urllib3 ``Timeout`` or ``None``) within
    ``bounds``."""
    if isinstance(timeout, DeadlineTimeout) and timeout.bounds is bounds:
        return timeout
    if isinstance(timeout, Timeout):
        connect, read = (value if isinstance(value, (int, float)) else None
                         for value in (timeout.connect_timeout,
                                       timeout.read_timeout))
    else:
        connect, read = timeout if isinstance(timeout, tuple) else (
            timeout, timeout)
    return DeadlineTimeout(connect, read, bounds)


def _too_large(what: str, bounds: CallBounds,
               received: int) -> PyLmodResponseTooLarge:
    return PyLmodResponseTooLarge(
        '{0}: the answer is larger than the {1} bytes pylmod accepts (read '
        '{2} bytes, decompressed); a larger max_response_bytes accepts '
        'it'.format(what, bounds.max_bytes, received),
        limit=bounds.max_bytes, received=received)


def read_body(response: requests.Response, bounds: CallBounds,
              what: str) -> bytes:
    """Read the body of a streamed response within the bounds of its call,
    and keep it as the response's content.

    Args:
        response: a response to a request made with ``stream=True``.
        bounds: the bounds of the call.
        what: the call, for the messages.

    Raises:
        PyLmodResponseTooLarge: the body (decompressed) is larger than
            ``bounds.max_bytes``; the connection is closed.
        PyLmodTimeout: the deadline came before the body ended.
        requests.RequestException: the connection failed while reading.

    Returns:
        bytes: the body (also ``response.content``).
    """
    if isinstance(response._content, bytes):
        # Read already (a stand-in's, or by a DeadlineAdapter).
        if len(response._content) > bounds.max_bytes:
            raise _too_large(what, bounds, len(response._content))
        return response._content
    length = response.headers.get('Content-Length', '')
    if length.isdigit() and int(length) > bounds.max_bytes:
        response.close()
        raise _too_large(what, bounds, 0)
    # A BytesIO hands its buffer over (getvalue() copies nothing): an answer
    # near the limit is held once, not twice as a join of chunks would.
    buffer = io.BytesIO()
    received = 0
    complete = False
    try:
        for chunk in response.iter_content(CHUNK_SIZE):
            received += len(chunk)
            if received > bounds.max_bytes:
                raise _too_large(what, bounds, received)
            buffer.write(chunk)
        complete = True
    except PyLmodResponseTooLarge:
        raise
    except requests.RequestException as err:
        if bounds.left() <= 0 or timed_out(err):
            raise bounds.timeout_error(
                what, 'the body of the answer came too slowly') from err
        raise
    finally:
        if not complete and response.raw is not None:
            response.close()
    body = buffer.getvalue()
    # What requests keeps once it has read a body: later reads of
    # .content, .text, .json() and iter_content() use it.
    response._content = body
    response._content_consumed = True  # type: ignore[attr-defined]
    return body


def timed_out(err: BaseException) -> bool:
    """``err`` is requests' error of a read that timed out: a
    ``ReadTimeout``, or a ``ConnectionError`` of retries that ended so."""
    if isinstance(err, requests.exceptions.ReadTimeout):
        return True
    inner = err.args[0] if err.args else None
    return isinstance(inner, ReadTimeoutError) or isinstance(
        getattr(inner, 'reason', None), ReadTimeoutError)


def send_bounded(send: Callable[..., requests.Response], url: str,
                 bounds: CallBounds, timeout: Any, **kwargs: Any
                 ) -> requests.Response:
    """Make a request within ``bounds``: ``send(url, timeout=timeout,
    **kwargs)`` with ``bounds`` those of the call in progress, so that a
    :class:`DeadlineAdapter` keeps it within them.

    Args:
        send: sends the request, e.g. ``session.get`` or
            ``functools.partial(session.request, 'POST')``.
        url: the URL.
        bounds: the bounds of the call.
        timeout: ``(connect, read)`` seconds for each attempt (each cut to
            the time left).
        kwargs: the other arguments of ``send``.

    Raises:
        PyLmodTimeout: the deadline came first (also a
            ``requests.Timeout`` and a ``requests.ConnectionError``).
        PyLmodResponseTooLarge: the answer is too large.
        requests.RequestException: the request failed otherwise.

    Returns:
        requests.Response: with its body read (a stand-in returned by
        ``send``, such as a test's mock, as it is).
    """
    with bounded(bounds):
        try:
            response = send(url, timeout=timeout, **kwargs)
            if isinstance(response, requests.Response):
                # Read by a DeadlineAdapter already, or streamed by another
                # adapter (``stream=True``): read within the bounds here.
                read_body(response, bounds, bounds.what)
        except (PyLmodResponseTooLarge, PyLmodTimeout):
            raise
        except requests.RequestException as err:
            if bounds.gave_up or bounds.left() <= 0 or timed_out(err):
                raise bounds.timeout_error(bounds.what, str(err)) from err
            raise
    return response
