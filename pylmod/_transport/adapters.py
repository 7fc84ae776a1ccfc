"""The adapters of pylmod's sessions: every answer read within the bounds
of its call (:class:`DeadlineAdapter`), and the client certificate presented
from the client's own SSL context (:class:`CertificateAdapter`).
"""
from __future__ import annotations

import http.client
import io
import socket
import ssl
from typing import Any, Optional

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import (
    pool_classes_by_scheme as DEFAULT_POOL_CLASSES,  # noqa: N812
)

from pylmod._transport.bounds import (
    current_bounds,
    deadline_timeout,
    read_body,
)


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
        bounds = current_bounds()
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
    of a call in progress (:func:`~pylmod._transport.bounds.bounded`)
    within its bounds: each attempt's timeouts cut to the time left
    (:class:`~pylmod._transport.bounds.DeadlineTimeout`), the answer read
    through a :class:`DeadlineReader` (no read waits past the deadline) and
    in counted chunks (:func:`~pylmod._transport.bounds.read_body`),
    whatever the caller asked for (``stream=True`` included).  Outside a
    call it sends as an ``HTTPAdapter`` does.
    """

    # pylmod's adapters are all of this class: the LMod clients'
    # (CertificateAdapter) and the Open edX bridge's (retry_adapter).

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



# requests would give urllib3 the paths of the session's ``cert``, and urllib3
# would load them into a new SSL context for every connection (OpenSSL asking
# for the password of an encrypted key on the terminal).  This adapter gives
# urllib3 the client's own context (loaded once, never prompting) and ignores
# ``cert``.  It overrides no ``send`` of its own, so that libraries mocking
# ``HTTPAdapter.send`` (``responses``) still see every request.
class CertificateAdapter(DeadlineAdapter):
    """A :class:`DeadlineAdapter` whose TLS connections present the client
    certificate of one SSL context (see
    :attr:`pylmod._transport.certificate.ClientCertificate.context`),
    whatever the session's ``cert`` says.

    Args:
        ssl_context: the context (``None``: no client certificate).
        kwargs: as for :class:`~requests.adapters.HTTPAdapter`
            (``max_retries``).
    """

    def __init__(self, ssl_context: Optional[ssl.SSLContext] = None,
                 **kwargs: Any) -> None:
        self.ssl_context = ssl_context
        super().__init__(**kwargs)

    def _with_context(self, pool_kwargs: Any) -> Any:
        context = getattr(self, 'ssl_context', None)  # None when unpickled
        if context is not None:
            pool_kwargs['ssl_context'] = context
        return pool_kwargs

    def init_poolmanager(self, connections: int, maxsize: int,
                         block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block,
                                 **self._with_context(pool_kwargs))

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        return super().proxy_manager_for(
            proxy, **self._with_context(proxy_kwargs))

    def build_connection_pool_key_attributes(
            self, request: requests.PreparedRequest, verify: Any,
            cert: Any = None) -> Any:
        """requests 2.32.2+: the pool of a request, with this adapter's
        context and without ``cert``."""
        build = super().build_connection_pool_key_attributes
        host_params, pool_kwargs = build(request, verify, None)
        return host_params, self._with_context(pool_kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any,
                    cert: Any) -> None:
        """Set the server verification of a pool, ignoring ``cert``."""
        super().cert_verify(conn, url, verify, None)
