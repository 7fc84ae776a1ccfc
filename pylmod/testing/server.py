"""Serve a :class:`~pylmod.testing.FakeLmod` over HTTPS with client
certificates, as LMod does.

:class:`LmodServer` runs a :class:`http.server.ThreadingHTTPServer` on
``127.0.0.1`` (an ephemeral port by default) in a background thread.  The
TLS layer requires a client certificate signed by the test CA, or by a CA
or trusted as given (``client_cas``, ``trusted_certs``; see
:mod:`pylmod.testing.trust`): a client without one, or with one from
another CA, fails the handshake.  A certificate the TLS layer accepted that
is not on the server's allow-list gets HTTP 403 with an LMod error body.
Every request is logged in :attr:`LmodServer.requests`, and faults can be
injected for the next requests (:meth:`~LmodServer.fail_next`,
:meth:`~LmodServer.delay_next`, :meth:`~LmodServer.drop_next`,
:meth:`~LmodServer.non_json_next`, :meth:`~LmodServer.answer_next`,
:meth:`~LmodServer.redirect_next`, :meth:`~LmodServer.drip_next`,
:meth:`~LmodServer.huge_next`, :meth:`~LmodServer.late_commit_next`; see
:mod:`pylmod.testing.lmod_faults`).
"""
import json
import logging
import os
import re
import shutil
import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterable, List, Optional, Set
from urllib.parse import parse_qs, unquote, urlsplit

from pylmod.testing.fake import FakeLmod
from pylmod.testing.faults import FaultQueue
from pylmod.testing.lmod_faults import LmodFaults, serve_fault
from pylmod.testing.routes import error_body
from pylmod.testing.trust import (
    allow_list,
    issuer_entries,
    peer_identity,
    server_context,
    trusted_entries,
)
from pylmod.testing.wire import LoggedRequest, lower_case_headers

log = logging.getLogger(__name__)

#: Seconds an idle keep-alive connection stays open.
CONNECTION_TIMEOUT = 30.0
#: Seconds a refused connection is read from before it is closed.
LINGER_SECONDS = 1.0

_SERVICE_ROOT = re.compile(r'service/[^/]+/')

class _RequestHandler(BaseHTTPRequestHandler):
    """Reads one HTTP request, asks the :class:`LmodServer` what to do."""

    protocol_version = 'HTTP/1.1'
    server_version = 'FakeLMod/2.0'
    # Headers and body go out in two writes: with Nagle's algorithm the
    # body would wait for the client's delayed ACK of the headers (about
    # 40 ms per request on Linux).
    disable_nagle_algorithm = True
    timeout = CONNECTION_TIMEOUT
    server: '_TLSServer'

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self.server.lmod._serve(self)

    do_POST = do_DELETE = do_PUT = do_GET

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug('fake LMod %s: ' + format, self.client_address, *args)

    def client_identity(self) -> Set[str]:
        """The allow-list entries the client certificate matches."""
        return peer_identity(self.connection,  # type: ignore[arg-type]
                             with_issuer=bool(self.server.lmod.client_cas))

    def read_request(self) -> LoggedRequest:
        """Parse the request line, query and body."""
        split = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(
            split.query, keep_blank_values=True).items()}
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        body: Any = None
        if raw:
            text = raw.decode('utf-8', 'replace')
            try:
                body = json.loads(text)
            except ValueError:
                body = text
        return LoggedRequest(self.command, unquote(split.path).strip('/'),
                             params, body, lower_case_headers(self.headers))

    def answer(self, status: int, body: Any, content_type: str =
               'application/json', headers: Optional[Dict[str, str]] = None
               ) -> None:
        """Send a complete response."""
        payload = (body if isinstance(body, bytes)
                   else json.dumps(body).encode('utf-8'))
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _shut_down(connection: ssl.SSLSocket) -> None:
    """End a connection's reads and writes (its thread then closes it)."""
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _linger(connection: ssl.SSLSocket) -> None:
    """Close a connection whose handshake failed so that the client reads
    the alert saying why.

    A TLS 1.3 client sends its request before it learns that its
    certificate was refused; closing with that request unread would reset
    the connection, and the client could lose the alert.  So end our side
    and read what it sends (for at most :data:`LINGER_SECONDS`) first.
    """
    try:
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(LINGER_SECONDS)
        while connection.recv(65536):
            pass
    except OSError:
        pass
    finally:
        connection.close()


class _TLSServer(ThreadingHTTPServer):
    """Does the TLS handshake in the connection's thread, so a slow or
    refused client never blocks the others."""

    # Connection threads are joined by server_close(), so that when stop()
    # returns every request (and refused handshake) has been accounted for.
    daemon_threads = False
    block_on_close = True

    def __init__(self, lmod: 'LmodServer', port: int,
                 context: ssl.SSLContext) -> None:
        self.lmod = lmod
        self.context = context
        super().__init__((lmod.host, port), _RequestHandler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(CONNECTION_TIMEOUT)
        try:
            connection = self.context.wrap_socket(
                request, server_side=True, do_handshake_on_connect=False)
        except OSError as err:
            self.lmod._refuse(client_address, err)
            return
        try:
            connection.do_handshake()
        except (ssl.SSLError, OSError) as err:
            self.lmod._refuse(client_address, err)
            _linger(connection)
            return
        self.lmod._track(connection, open_=True)
        try:
            self.RequestHandlerClass(
                connection, client_address, self)  # type: ignore[arg-type]
        finally:
            self.lmod._track(connection, open_=False)
            connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug('fake LMod: error serving %s', client_address,
                  exc_info=True)


class LmodServer(LmodFaults):
    """A :class:`~pylmod.testing.FakeLmod` served over mutual TLS.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`).

    Args:
        fake: the fake to serve (default: :meth:`FakeLmod.demo`).
        cert_dir: where to write the certificates (default: a temporary
            directory removed by :meth:`stop`).  Ignored with
            ``certificates``.
        port: the port; 0 picks a free one.
        allowed_clients: SHA-256 fingerprints or ``'CN=<name>'`` subjects of
            the client certificates that may call the service (default:
            :attr:`client_cert` only).  Others signed by the test CA get 403.
        certificates: reuse a :class:`~pylmod.testing.TestCertificates`
            (the pytest plugin makes one per session), or any object with
            its ``ca_cert``, ``server_cert``, ``client_cert`` and
            ``client_fingerprint``.
        client_cas: CA certificate files (PEM) whose client certificates
            are trusted and may call the service: your own CA.
        trusted_certs: client certificate files (PEM; a key in the file is
            ignored) trusted as they are, without their CA, and allowed:
            e.g. your LMod certificate, to try pylmod with it.

    Attributes:
        fake (FakeLmod): the state served.
        url (str): ``'https://127.0.0.1:<port>/'``, a client's ``urlbase``.
        client_cert (str): a combined PEM on the allow-list.
        ca_cert (str): the CA bundle, a client's ``verify=``.
        certificates (TestCertificates): the certificate material.
        requests (list): a :class:`LoggedRequest` per request received.
        refused (list): why each refused TLS handshake failed.
        client_cas (list): the ``client_cas`` given.
        trusted_certs (list): the ``trusted_certs`` given.

    Example:
        >>> with LmodServer(FakeLmod.demo()) as server:  # doctest: +SKIP
        ...     gradebook = GradeBook(server.client_cert, server.url,
        ...                           gbuuid=DEMO_GRADEBOOK_UUID,
        ...                           verify=server.ca_cert)
    """

    host = '127.0.0.1'

    def __init__(self, fake: Optional[FakeLmod] = None,
                 cert_dir: Optional[str] = None, port: int = 0,
                 allowed_clients: Optional[Iterable[str]] = None,
                 certificates: Any = None, *,
                 client_cas: Iterable[str] = (),
                 trusted_certs: Iterable[str] = ()) -> None:
        self.fake = fake if fake is not None else FakeLmod.demo()
        self._temporary_dir: Optional[str] = None
        if certificates is None:
            from pylmod.testing.certs import TestCertificates
            if cert_dir is None:
                cert_dir = self._temporary_dir = tempfile.mkdtemp(
                    prefix='fake-lmod-')
            certificates = TestCertificates(cert_dir)
        self.certificates = certificates
        self.client_cert: str = certificates.client_cert
        self.ca_cert: str = certificates.ca_cert
        self.client_cas = [os.path.abspath(path) for path in client_cas]
        self.trusted_certs = [os.path.abspath(path) for path in trusted_certs]
        self._allowed = allow_list(
            [certificates.client_fingerprint] if allowed_clients is None
            else allowed_clients)
        self._allowed |= trusted_entries(self.trusted_certs)
        self._allowed |= issuer_entries(self.client_cas)
        self._port = port
        self.requests: List[LoggedRequest] = []
        self.refused: List[str] = []
        self._faults = FaultQueue()
        self._connections: Set[ssl.SSLSocket] = set()
        self._connections_lock = threading.Lock()
        self._httpd: Optional[_TLSServer] = None
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None

    # -- life cycle ----------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        return server_context(self.certificates.server_cert,
                              self.certificates.ca_cert, self.client_cas,
                              self.trusted_certs)

    def start(self) -> 'LmodServer':
        """Start serving in a background thread; return ``self``."""
        self._stopping.clear()
        try:
            self._httpd = _TLSServer(self, self._port, self._ssl_context())
        except BaseException:
            self.stop()  # a context manager's __exit__ would not run
            raise
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name='fake-lmod',
            kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()
        log.info('fake LMod serving on %s', self.url)
        return self

    def stop(self) -> None:
        """Stop serving, close open connections, wait for the requests in
        progress, remove temporary files."""
        if self._httpd is not None:
            self._stopping.set()
            self._httpd.shutdown()
            if self._thread is not None:
                self._thread.join()
            # Idle keep-alive connections would keep their threads waiting
            # (and _track closes those that open from now on).
            with self._connections_lock:
                for connection in self._connections:
                    _shut_down(connection)
            self._httpd.server_close()
            self._httpd = None
        if self._temporary_dir is not None:
            shutil.rmtree(self._temporary_dir, ignore_errors=True)
            self._temporary_dir = None

    def __enter__(self) -> 'LmodServer':
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port served (after :meth:`start`)."""
        if self._httpd is None:
            raise RuntimeError('the fake LMod server is not running')
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """``'https://127.0.0.1:<port>/'``."""
        return 'https://{0}:{1}/'.format(self.host, self.port)

    # -- serving -------------------------------------------------------------

    def _track(self, connection: ssl.SSLSocket, open_: bool) -> None:
        with self._connections_lock:
            if not open_:
                self._connections.discard(connection)
                return
            self._connections.add(connection)
            if self._stopping.is_set():
                # Its handshake ended after stop() closed the connections:
                # it would keep stop() waiting for a first request.
                _shut_down(connection)

    def _refuse(self, client_address: Any, err: BaseException) -> None:
        reason = '{0}: {1}'.format(type(err).__name__, err)
        self.refused.append(reason)
        log.info('fake LMod: TLS handshake with %s refused (%s)',
                 client_address, reason)

    def _serve(self, handler: _RequestHandler) -> None:
        request = handler.read_request()
        self.requests.append(request)
        identity = handler.client_identity()
        if not identity & self._allowed:
            log.info('fake LMod: client %s is not on the allow-list',
                     sorted(identity))
            handler.answer(403, error_body(
                'Forbidden: the client certificate {0} is not authorized '
                'for this service'.format(
                    ', '.join(sorted(i for i in identity
                                     if i.startswith('CN='))) or '')))
            return
        fault = self._faults.take(_SERVICE_ROOT.sub('', request.path, 1),
                                 request.method)
        if fault is None:
            handler.answer(*self._process(request))
        else:
            serve_fault(self, handler, request, fault)

    def _process(self, request: LoggedRequest) -> Any:
        return self.fake.handle(request.method, request.path, request.params,
                                request.body)
