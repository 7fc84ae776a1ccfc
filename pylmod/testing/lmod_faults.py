"""The faults of the fake LMod: how a test queues them, and how each is
answered.

:class:`LmodFaults` holds the methods of :class:`~pylmod.testing.LmodServer`
that queue a fault for the next requests (``fail_next``, ``delay_next``,
``drop_next``, ``non_json_next``, ``answer_next``, ``redirect_next``,
``drip_next``, ``huge_next``, ``late_commit_next``, ``hold_next``), and
:func:`serve_fault` answers a request the way its fault says: a server that
misbehaves as the network may, so that the tests see what the client does
then.  Huge bodies are generated while they are sent, never held.
"""
import json
import logging
import struct
import threading
import urllib.parse
import zlib
from typing import Any, Callable, Dict, Iterator, Optional, Protocol

from pylmod.testing.faults import Fault, FaultQueue
from pylmod.testing.routes import error_body
from pylmod.testing.wire import LoggedRequest

log = logging.getLogger(__name__)

#: Bytes a ``huge`` body is written in.
HUGE_PIECE = 64 * 1024
#: The header that makes a dripped header block long enough to outlast any
#: deadline of a test.
DRIP_PADDING = 'X-Padding', 'x' * 2000


class LmodFaults:
    """The fault injection of :class:`~pylmod.testing.LmodServer`.

    Each method queues a fault for the next ``count`` requests whose path,
    relative to the service root, starts with ``path_prefix`` (any request
    when ``None``; e.g. ``'multiGrades/'``).
    """

    _faults: FaultQueue

    def fail_next(self, count: int, status: int = 503,
                  retry_after: Optional[float] = None,
                  path_prefix: Optional[str] = None) -> None:
        """Answer with ``status`` and an LMod error body, without processing
        (with ``Retry-After: <retry_after>`` when given)."""
        self._faults.add(Fault('fail', count, path_prefix, status=status,
                               retry_after=retry_after))

    def delay_next(self, count: int, seconds: float,
                   path_prefix: Optional[str] = None) -> None:
        """Process, then answer ``seconds`` late (a client with a shorter
        timeout gives up on a request that was carried out).  ``stop()``
        answers pending delayed requests at once."""
        self._faults.add(Fault('delay', count, path_prefix, seconds=seconds))

    def drop_next(self, count: int, path_prefix: Optional[str] = None,
                  after_processing: bool = False) -> None:
        """Close the connection without answering; with
        ``after_processing`` the request is carried out first (the client
        cannot know it was)."""
        self._faults.add(Fault('drop', count, path_prefix,
                               after_processing=after_processing))

    def non_json_next(self, count: int, status: int = 502,
                      body: str = '<html>Bad gateway</html>',
                      path_prefix: Optional[str] = None) -> None:
        """Answer a body that is not JSON (``text/html``), as a proxy in
        front of LMod may."""
        self._faults.add(Fault('non_json', count, path_prefix, status=status,
                               body=body))

    def answer_next(self, count: int, answer: Any, status: int = 200,
                    path_prefix: Optional[str] = None,
                    after_processing: bool = False,
                    headers: Optional[Dict[str, str]] = None) -> None:
        """Answer ``status`` with the JSON ``answer`` (any shape: ``[]``,
        ``{}``, ``{"data": null}``, ``{"error": ...}``) and ``headers``;
        with ``after_processing`` the request is carried out first (a
        server that stored the grades and then answered 500)."""
        self._faults.add(Fault('answer', count, path_prefix, status=status,
                               answer=answer, headers=dict(headers or {}),
                               after_processing=after_processing))

    def redirect_next(self, count: int, location: str, status: int = 302,
                      path_prefix: Optional[str] = None) -> None:
        """Answer with a redirect to ``location`` + the request's path and
        query (``location`` is e.g. another server's root, or an
        ``http://`` URL), without processing."""
        self._faults.add(Fault('answer', count, path_prefix, status=status,
                               answer={'status': -1, 'message': 'moved'},
                               headers={'Location': location}))

    def drip_next(self, count: int, where: str = 'body',
                  seconds: float = 0.5,
                  path_prefix: Optional[str] = None) -> None:
        """Process, then send the answer one byte every ``seconds``: its
        headers (``where='headers'``, padded to last minutes) or its body
        (padded likewise).  It stops when the client goes or the server
        stops."""
        if where not in ('headers', 'body'):
            raise ValueError("where must be 'headers' or 'body'")
        self._faults.add(Fault('drip', count, path_prefix, seconds=seconds,
                               where=where))

    def huge_next(self, count: int, size: int, gzip: bool = False,
                  content_length: bool = False,
                  path_prefix: Optional[str] = None) -> None:
        """Answer 200 with a body of ``size`` bytes, generated as it is
        sent (chunked; with ``content_length``, announced in
        ``Content-Length``).  With ``gzip`` the body is sent gzipped
        (``Content-Encoding: gzip``): ``size`` bytes once inflated, about
        a thousandth of that on the wire."""
        self._faults.add(Fault('huge', count, path_prefix, size=size,
                               gzip=gzip, content_length=content_length))

    def late_commit_next(self, count: int, seconds: float,
                         path_prefix: Optional[str] = None) -> None:
        """Hold the request ``seconds``, then carry it out and answer (a
        client with a shorter timeout has given up by then: it did not see
        the commit)."""
        self._faults.add(Fault('late_commit', count, path_prefix,
                               seconds=seconds))

    def hold_next(self, count: int, release: threading.Event,
                  path_prefix: Optional[str] = None) -> None:
        """Hold the request (it is in ``requests`` already, not carried
        out) until ``release`` is set, then carry it out and answer: a test
        looks at the world while a request is in flight.  ``stop()``
        releases it too."""
        self._faults.add(Fault('hold', count, path_prefix, release=release))

    def clear_faults(self) -> None:
        """Forget the faults not yet applied."""
        self._faults.clear()


class _Server(Protocol):
    """What a fault needs of the server (an :class:`LmodServer`)."""

    _stopping: threading.Event

    def _process(self, request: LoggedRequest) -> Any:
        """Carry a request out; return ``(status, body)``."""


class _Handler(Protocol):
    """What a fault needs of the request handler (the server's)."""

    wfile: Any
    close_connection: bool

    def send_response(self, code: int, message: Optional[str] = None
                      ) -> None:
        """Start a response (see :mod:`http.server`)."""

    def send_header(self, keyword: str, value: str) -> None:
        """Send a header."""

    def end_headers(self) -> None:
        """End the headers."""

    def answer(self, status: int, body: Any, content_type: str = ...,
               headers: Optional[Dict[str, str]] = None) -> None:
        """Send a complete response."""


def _payload(answer: Any) -> bytes:
    return answer if isinstance(answer, bytes) else json.dumps(
        answer).encode('utf-8')


def _write(handler: _Handler, data: bytes) -> bool:
    """Write and flush; False once the client is gone."""
    try:
        handler.wfile.write(data)
        handler.wfile.flush()
    except OSError:
        handler.close_connection = True
        return False
    return True


def _drip(server: _Server, handler: _Handler, data: bytes,
          seconds: float) -> None:
    for index in range(len(data)):
        if server._stopping.wait(seconds) or not _write(
                handler, data[index:index + 1]):
            handler.close_connection = True
            return


def _serve_drip(server: _Server, handler: _Handler,
                request: LoggedRequest, fault: Fault) -> None:
    status, answer = server._process(request)
    body = _payload(answer)
    if fault.where == 'body':
        body += b' ' * 4000  # JSON allows the white space
    head = ['HTTP/1.1 {0} Dripping'.format(status),
            'Content-Type: application/json',
            'Content-Length: {0}'.format(len(body))]
    if fault.where == 'headers':
        head.append('{0}: {1}'.format(*DRIP_PADDING))
    head_bytes = ('\r\n'.join(head) + '\r\n\r\n').encode('ascii')
    if fault.where == 'headers':
        _drip(server, handler, head_bytes + body, fault.seconds)
    elif _write(handler, head_bytes):
        _drip(server, handler, body, fault.seconds)


def _huge_pieces(size: int, gzip: bool) -> Iterator[bytes]:
    """The pieces of a huge body, made as they are asked for.

    Gzipped, each piece of white space is compressed once, with a full
    flush (which resets the compressor, so that the same bytes can be sent
    again): a gigabyte once inflated costs the server next to nothing.
    """
    piece = b' ' * HUGE_PIECE
    if not gzip:
        for start in range(0, size, HUGE_PIECE):
            yield piece[:min(HUGE_PIECE, size - start)]
        return
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)
    yield b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff'  # gzip header
    crc, count = 0, max(size // HUGE_PIECE, 1)
    for _ in range(count):
        crc = zlib.crc32(piece, crc)
        yield block
    yield compressor.flush() + struct.pack(
        '<II', crc, (count * HUGE_PIECE) & 0xffffffff)


def _serve_huge(server: _Server, handler: _Handler,
                request: LoggedRequest, fault: Fault) -> None:
    handler.send_response(200)
    handler.send_header('Content-Type', 'application/json')
    if fault.gzip:
        handler.send_header('Content-Encoding', 'gzip')
    chunked = not fault.content_length or fault.gzip
    if chunked:
        handler.send_header('Transfer-Encoding', 'chunked')
    else:
        handler.send_header('Content-Length', str(fault.size))
    handler.end_headers()
    for piece in _huge_pieces(fault.size, fault.gzip):
        data = (b'%x\r\n%s\r\n' % (len(piece), piece)) if chunked else piece
        if server._stopping.is_set() or not _write(handler, data):
            handler.close_connection = True
            return
    if chunked:
        _write(handler, b'0\r\n\r\n')


def _serve_answer(server: _Server, handler: _Handler,
                  request: LoggedRequest, fault: Fault) -> None:
    if fault.after_processing:
        server._process(request)
    headers = dict(fault.headers or {})
    if 'Location' in headers:
        query = urllib.parse.urlencode(request.params)
        headers['Location'] += request.path + ('?' + query if query else '')
    handler.answer(fault.status, fault.answer, headers=headers)


def _serve_fail(server: _Server, handler: _Handler,
                request: LoggedRequest, fault: Fault) -> None:
    headers = ({} if fault.retry_after is None else
               {'Retry-After': '{0:g}'.format(fault.retry_after)})
    handler.answer(fault.status, error_body(
        'injected failure: HTTP {0}'.format(fault.status)), headers=headers)


def _serve_delay(server: _Server, handler: _Handler,
                 request: LoggedRequest, fault: Fault) -> None:
    answer = server._process(request)
    # Cut short by stop(): the request has been carried out already.
    server._stopping.wait(fault.seconds)
    handler.answer(*answer)


def _serve_late_commit(server: _Server, handler: _Handler,
                       request: LoggedRequest, fault: Fault) -> None:
    server._stopping.wait(fault.seconds)
    answer = server._process(request)
    log.info('fake LMod: committed %s %s late', request.method, request.path)
    try:
        handler.answer(*answer)
    except OSError:  # the client has gone: it did not see the commit
        handler.close_connection = True


def _serve_hold(server: _Server, handler: _Handler,
                request: LoggedRequest, fault: Fault) -> None:
    while not (fault.release.wait(0.05) or server._stopping.is_set()):
        pass
    _serve_late_commit(server, handler, request, fault)


def _serve_drop(server: _Server, handler: _Handler,
                request: LoggedRequest, fault: Fault) -> None:
    if fault.after_processing:
        server._process(request)
    handler.close_connection = True


def _serve_non_json(server: _Server, handler: _Handler,
                    request: LoggedRequest, fault: Fault) -> None:
    handler.answer(fault.status, fault.body.encode('utf-8'),
                   content_type='text/html')


_SERVE: Dict[str, Callable[..., None]] = {
    'fail': _serve_fail, 'delay': _serve_delay, 'drop': _serve_drop,
    'non_json': _serve_non_json, 'answer': _serve_answer,
    'drip': _serve_drip, 'huge': _serve_huge,
    'late_commit': _serve_late_commit, 'hold': _serve_hold,
}


def serve_fault(server: _Server, handler: _Handler,
                request: LoggedRequest, fault: Fault) -> None:
    """Answer ``request`` as ``fault`` says."""
    _SERVE[fault.kind](server, handler, request, fault)
