"""The fake Open edX over HTTP: :class:`OpenEdxServer`.

Stdlib :mod:`http.server` on ``127.0.0.1`` (an ephemeral port by default),
one thread per connection, so concurrent requests are served together;
every request is logged (the client secret masked) and answered by
:meth:`FakeOpenEdx.respond
<pylmod.testing.fake_openedx.state.FakeOpenEdx.respond>`.  The wait of a
``delay`` fault happens here, outside the fake's lock, and a ``drop``
fault closes the connection without an answer.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, List, Optional
from urllib.parse import parse_qsl, urlsplit

from pylmod.openedx.endpoints import ENDPOINTS
from pylmod.testing.fake_openedx.routes import match_endpoint
from pylmod.testing.fake_openedx.state import FakeOpenEdx
from pylmod.testing.wire import LoggedRequest, lower_case_headers

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.openedx.client import OpenEdxClient


class _Handler(BaseHTTPRequestHandler):
    server: '_Server'
    protocol_version = 'HTTP/1.1'
    # Headers and body are two writes: without this the body waits for the
    # client's delayed ACK (about 40 ms per request on Linux).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the fake logs requests in :attr:`OpenEdxServer.requests`."""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        params = dict(parse_qsl(split.query))
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length).decode('utf-8') if length else ''
        body: Any = None
        if 'application/x-www-form-urlencoded' in self.headers.get(
                'Content-Type', ''):
            body = dict(parse_qsl(raw))
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        headers = lower_case_headers(self.headers)
        logged = dict(body, client_secret='***') if (
            isinstance(body, dict) and 'client_secret' in body) else body
        self.server.log.append(LoggedRequest(
            self.command, split.path, params, logged, headers))
        reply = self.server.fake.respond(
            self.command, split.path, params, body, headers,
            'http://{0}'.format(self.headers.get('Host')))
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        data = b'' if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if reply.body is not None:
            self.send_header('Content-Type', 'application/json')
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Concurrent clients (a bridge with 8 workers) connect at once.
    request_queue_size = 64

    def __init__(self, fake: FakeOpenEdx, port: int) -> None:
        super().__init__(('127.0.0.1', port), _Handler)
        self.fake = fake
        self.log: List[LoggedRequest] = []


class OpenEdxServer:
    """Run a :class:`FakeOpenEdx` on ``http://127.0.0.1:<port>`` in threads.

    Args:
        fake: the state to serve (``FakeOpenEdx.demo()`` by default).
        port: 0 for an ephemeral port.

    Attributes:
        url (str): the LMS root, e.g. ``http://127.0.0.1:40123``.
        requests (list): every :class:`LoggedRequest` received.
    """

    def __init__(self, fake: Optional[FakeOpenEdx] = None,
                 port: int = 0) -> None:
        self.fake = fake if fake is not None else FakeOpenEdx.demo()
        self._server = _Server(self.fake, port)
        self.url = 'http://127.0.0.1:{0}'.format(self._server.server_port)
        self._thread: Optional[threading.Thread] = None

    @property
    def requests(self) -> List[LoggedRequest]:
        """The requests received so far, in order."""
        return self._server.log

    def requests_to(self, endpoint: str,
                    method: Optional[str] = None) -> List[LoggedRequest]:
        """The logged requests to an endpoint row (and method)."""
        return [request for request in self.requests
                if match_endpoint(request.path)[0] is ENDPOINTS[endpoint]
                and method in (None, request.method)]

    def client(self, page_size: Optional[int] = None,
               client_id: Optional[str] = None,
               client_secret: Optional[str] = None,
               **options: Any) -> 'OpenEdxClient':
        """Return an :class:`~pylmod.openedx.client.OpenEdxClient` of this
        server, authenticated by client credentials (the fake's own by
        default) with a :class:`~pylmod.openedx.auth.ClientCredentialsSession`
        (no retry adapter: a test sees every answer).

        Args:
            page_size: the client's ``page_size``.
            client_id, client_secret: the OAuth application.
            options: other keyword arguments of the client (``workers``,
                ``write_chunk_size`` …).
        """
        from pylmod.openedx.auth import ClientCredentialsSession
        from pylmod.openedx.client import OpenEdxClient
        session = ClientCredentialsSession(
            self.url, client_id or self.fake.CLIENT_ID,
            client_secret or self.fake.CLIENT_SECRET)
        return OpenEdxClient(session, self.url, page_size=page_size,
                             **options)

    def start(self) -> 'OpenEdxServer':
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
            name='fake-openedx', daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> 'OpenEdxServer':
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
