"""What bounds a call: its deadline, and the size of its answer.

The transport (:mod:`pylmod.base`) makes every call within a
:class:`CallBounds`: a deadline for the whole call (connecting, every retry,
the waits between them, ``Retry-After``, the headers and the body of the
answer) and a limit on the size of the answer.  They are enforced here, at
three places:

* each attempt's connect and read timeouts are at most the time left
  (:class:`DeadlineTimeout`, given to requests as its ``timeout``);
* every read from the socket waits at most the time left, so that a server
  dripping its headers or its body a byte at a time cannot keep a call
  past its deadline: the connections of a :class:`DeadlineAdapter` read
  their answers through :class:`DeadlineReader`;
* the body is read in chunks, counted after decompression
  (:func:`read_body`, by the adapter): past the limit the call stops with
  :class:`~pylmod.exceptions.PyLmodResponseTooLarge`, holding at most the
  limit and one chunk.

The retry policy (:class:`pylmod.retry_policy.LmodRetry`) reads the bounds
of the call in progress (:func:`current_bounds`) to give up rather than
wait past the deadline.  The bounds of a call are carried in a
:class:`contextvars.ContextVar`: each thread (each worker of a concurrent
Open edX write) has its own.  Nothing here knows an endpoint.
"""
from __future__ import annotations

import contextlib
import contextvars
import http.client
import io
import socket
import time
from typing import Any, Callable, Iterator, Optional

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError
from urllib3.poolmanager import (
    pool_classes_by_scheme as DEFAULT_POOL_CLASSES,  # noqa: N812
)
from urllib3.util.timeout import Timeout

from pylmod.exceptions import PyLmodResponseTooLarge, PyLmodTimeout

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


class DeadlineReader(io.RawIOBase):
    """The reading end of a socket, for an answer: every read waits at most
    the time left before the deadline of the call in progress (and at most
    the socket's own timeout).  Without a call in progress it reads as the
    socket would.

    Args:
        raw: the socket's raw reader (a :class:`socket.SocketIO`).
        sock: the socket, whose timeout is set for each read.
    """

    def __init__(self, raw: Any, sock: Any) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return int(self._raw.fileno())

    def readinto(self, buffer: Any) -> Optional[int]:
        bounds = _CURRENT.get()
        if bounds is None:
            return self._raw.readinto(buffer)  # type: ignore[no-any-return]
        left = bounds.left()
        if left <= 0:
            raise socket.timeout('the deadline of the call has passed')
        own = self._sock.gettimeout()
        self._sock.settimeout(left if own is None else min(own, left))
        try:
            return self._raw.readinto(buffer)  # type: ignore[no-any-return]
        finally:
            self._sock.settimeout(own)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineHTTPResponse(http.client.HTTPResponse):
    """http.client's response, reading through a :class:`DeadlineReader`
    (headers and body alike)."""

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        if (isinstance(self.fp, io.BufferedReader)
                and callable(getattr(sock, 'gettimeout', None))
                and callable(getattr(sock, 'settimeout', None))):
            self.fp = io.BufferedReader(
                DeadlineReader(self.fp.detach(), sock))


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineHTTPResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineHTTPResponse


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection  # type: ignore[assignment]


#: The connection pools of a :class:`DeadlineAdapter`, by scheme.
POOL_CLASSES = {'http': _HTTPConnectionPool, 'https': _HTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` that keeps the requests
    of a call in progress (:func:`bounded`) within its bounds: each
    attempt's timeouts cut to the time left (:class:`DeadlineTimeout`), the
    answer read through a :class:`DeadlineReader` (no read waits past the
    deadline) and in counted chunks (:func:`read_body`), whatever the
    caller asked for (``stream=True`` included).  Outside a call it sends
    as an ``HTTPAdapter`` does.

    pylmod's adapters are all of this class (the LMod client's, and the
    Open edX bridge's :func:`pylmod.openedx.retry.retry_adapter`).
    """

    def send(self, request: requests.PreparedRequest,  # type: ignore[override]
             stream: bool = False, timeout: Any = None,
             **kwargs: Any) -> requests.Response:
        """Send ``request`` as ``HTTPAdapter.send`` does; within a call in
        progress, with its timeouts cut to the time left and its answer
        read within the call's bounds (see the class)."""
        bounds = current_bounds()
        if bounds is None:
            return super().send(request, stream=stream, timeout=timeout,
                                **kwargs)
        limits: Any = deadline_timeout(timeout, bounds)  # (requests takes it)
        response = super().send(request, stream=True, timeout=limits,
                                **kwargs)
        read_body(response, bounds, bounds.what or '{0} {1}'.format(
            request.method, request.url))
        return response

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_deadline_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_deadline_pools(manager)
        return manager


def _use_deadline_pools(manager: Any) -> None:
    """Give a pool manager the pools of :data:`POOL_CLASSES`, unless it has
    pools of its own (a SOCKS proxy's, which then read as they do)."""
    if manager.pool_classes_by_scheme == DEFAULT_POOL_CLASSES:
        manager.pool_classes_by_scheme = dict(POOL_CLASSES)


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
