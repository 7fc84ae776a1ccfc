"""The state of the fake Open edX and its answers, without HTTP.

:class:`FakeOpenEdx` holds programs, courses, accounts and tokens, and
:meth:`FakeOpenEdx.respond` answers one request as a :class:`Reply`; the
HTTP server in :mod:`pylmod.testing.fake_openedx.server` only decodes,
encodes, waits and drops.  Requests are routed with
:data:`pylmod.openedx.endpoints.ENDPOINTS`
(:mod:`~pylmod.testing.fake_openedx.routes`); who asks is told by the token
(:mod:`~pylmod.testing.fake_openedx.tokens`); the program calls are answered
by :mod:`~pylmod.testing.fake_openedx.programs`, ``bulk_enroll`` by
:mod:`~pylmod.testing.fake_openedx.bulk_enroll` and the mobile users API by
:mod:`~pylmod.testing.fake_openedx.mobile`, all by the rules of
:mod:`~pylmod.testing.fake_openedx.rules`.
"""
import threading
from typing import Any, Dict, NamedTuple, Optional
from urllib.parse import unquote

from pylmod.testing.fake_openedx.bulk_enroll import answer_bulk_enroll
from pylmod.testing.fake_openedx.mobile import answer_mobile_call
from pylmod.testing.fake_openedx.programs import Site, answer_program_call
from pylmod.testing.fake_openedx.records import (
    Account,
    Call,
    CourseRun,
    Program,
)
from pylmod.testing.fake_openedx.routes import match_endpoint
from pylmod.testing.fake_openedx.rules import Answer
from pylmod.testing.fake_openedx.seeding import Seeding
from pylmod.testing.fake_openedx.tokens import (
    BEARER,
    JWT,
    Identity,
    TokenStore,
)
from pylmod.testing.faults import Fault, FaultQueue

DEMO_PROGRAM_UUID = '11111111-2222-3333-4444-555555555555'
DEMO_CURRICULUM_UUID = '66666666-7777-8888-9999-000000000000'
DEMO_COURSE_KEY = 'course-v1:MITx+6.002x+2026_Spring'


class Reply(NamedTuple):
    """The fake's answer to one request.

    Attributes:
        status: the HTTP status.
        body: the JSON-able body, or ``None`` for none.
        headers: extra response headers (``Retry-After``).
        delay: seconds the server waits before answering (a ``delay``
            fault), without holding the fake's lock.
        drop: the server closes the connection instead of answering (a
            ``drop`` fault; the request was processed).
    """

    status: int
    body: Any
    headers: Dict[str, str] = {}
    delay: float = 0.0
    drop: bool = False


class FakeOpenEdx(Seeding):
    """The state of the fake Open edX, seedable from a dict or by methods
    (see :class:`~pylmod.testing.fake_openedx.seeding.Seeding`).

    Args:
        seed: the seed dict (see :class:`Seeding`).
        strict: answer 400 to fields the documented serializers do not
            declare (edx-platform ignores them); ``False`` answers as
            edx-platform does.

    Attributes:
        token_lifetime (int): ``expires_in`` of issued tokens, seconds.
        strict (bool): see above.
    """

    CLIENT_ID = 'pylmod-test-client'
    CLIENT_SECRET = 'pylmod-test-secret'

    def __init__(self, seed: Optional[Dict[str, Any]] = None,
                 strict: bool = True) -> None:
        self.lock = threading.RLock()
        self.strict = strict
        self.auth = TokenStore()
        self.users: set = set()
        self.accounts: Dict[str, Account] = {}
        self.programs: Dict[str, Program] = {}
        self.courses: Dict[str, CourseRun] = {}
        self._faults = FaultQueue()
        self.seed(seed or {})

    @classmethod
    def demo(cls, strict: bool = True) -> 'FakeOpenEdx':
        """A fake with one (staff) client, the demo program, its curriculum
        and the demo course (in the program and for bulk enrollment), no
        learners."""
        fake = cls({'clients': {cls.CLIENT_ID: cls.CLIENT_SECRET}},
                   strict=strict)
        fake.add_program(DEMO_PROGRAM_UUID, DEMO_CURRICULUM_UUID,
                         courses=[DEMO_COURSE_KEY])
        fake.add_course(DEMO_COURSE_KEY)
        return fake

    @property
    def clients(self) -> Dict[str, str]:
        """``{client_id: secret}`` of the OAuth applications."""
        return self.auth.clients

    @property
    def token_lifetime(self) -> int:
        """``expires_in`` of the tokens issued from now on, seconds."""
        return self.auth.lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: int) -> None:
        self.auth.lifetime = seconds

    @property
    def tokens_issued(self) -> int:
        """Tokens issued so far."""
        return self.auth.issued

    # Faults ---------------------------------------------------------------
    def fail_next(self, count: int, status: int = 503,
                  path_prefix: Optional[str] = None,
                  method: Optional[str] = None,
                  retry_after: Optional[float] = None) -> None:
        """Answer the next ``count`` API requests (whose path starts with
        ``path_prefix`` and whose verb is ``method``, if given) with
        ``status`` (and a ``Retry-After`` header, if given), doing
        nothing."""
        self._faults.add(Fault('fail', count, path_prefix, status=status,
                               method=method, retry_after=retry_after))

    def delay_next(self, count: int, seconds: float,
                   path_prefix: Optional[str] = None,
                   method: Optional[str] = None) -> None:
        """Process the next ``count`` API requests, then answer each
        ``seconds`` late: a per-request latency.  The wait holds no lock,
        so concurrent requests wait together."""
        self._faults.add(Fault('delay', count, path_prefix, seconds=seconds,
                               method=method))

    def drop_next(self, count: int, path_prefix: Optional[str] = None,
                  method: Optional[str] = None) -> None:
        """Process the next ``count`` API requests, then close the
        connection without answering: the client cannot know the
        outcome."""
        self._faults.add(Fault('drop', count, path_prefix, method=method,
                               after_processing=True))

    def answer_next(self, count: int, answer: Any, status: int = 200,
                    path_prefix: Optional[str] = None,
                    method: Optional[str] = None,
                    after_processing: bool = False,
                    headers: Optional[Dict[str, str]] = None) -> None:
        """Answer the next ``count`` API requests with ``status``, the JSON
        ``answer`` (any shape) and ``headers`` (``Location`` makes it a
        redirect); with ``after_processing`` each is carried out first."""
        self._faults.add(Fault('answer', count, path_prefix, status=status,
                               answer=answer, method=method,
                               headers=dict(headers or {}),
                               after_processing=after_processing))

    def revoke_tokens(self) -> None:
        """Forget every issued token (the next API call answers 401)."""
        self.auth.revoke_all()

    def learner_token(self, username: str, scheme: str = JWT) -> str:
        """Issue a token for the account ``username`` (as a learner's
        mobile app gets one), sent as ``JWT <token>`` (or, with
        ``scheme='Bearer'``, ``Bearer <token>``)."""
        account = self.accounts[username]
        return self.auth.issue(Identity(account.username, account.staff),
                               BEARER if scheme == BEARER else JWT
                               )['access_token']

    # Handling -------------------------------------------------------------
    def handle(self, method: str, path: str, params: Dict[str, str],
               body: Any, headers: Dict[str, str], base_url: str) -> Answer:
        """Answer one request: ``(status, JSON-able body or None)``,
        without waiting (see :meth:`respond`)."""
        reply = self.respond(method, path, params, body, headers, base_url)
        return reply.status, reply.body

    def respond(self, method: str, path: str, params: Dict[str, str],
                body: Any, headers: Dict[str, str], base_url: str) -> Reply:
        """Answer one request: route, authenticate, inject the next fault,
        answer."""
        endpoint, ids = match_endpoint(path)
        if endpoint is None:
            return Reply(404, {'detail': 'Not found.'})
        if method not in endpoint.methods:
            return Reply(405, {'detail': 'Method "{0}" not allowed.'.format(
                method)})
        if endpoint.name == 'access_token':
            return Reply(*self.auth.answer_token_request(
                body if isinstance(body, dict) else {}))
        identity = self.auth.identify(headers.get('authorization', ''))
        if identity is None:
            return Reply(401, {'detail': 'Invalid or missing token.'},
                         {'WWW-Authenticate': 'JWT realm="api"'})
        fault = self._faults.take(path, method)
        if fault is not None and fault.kind == 'fail':
            extra = ({} if fault.retry_after is None
                     else {'Retry-After': '{0:g}'.format(fault.retry_after)})
            return Reply(fault.status, {'detail': 'injected failure'}, extra)
        if fault is not None and fault.kind == 'answer' and (
                not fault.after_processing):
            return Reply(fault.status, fault.answer, fault.headers or {})
        ids = {name: unquote(value) for name, value in ids.items()}
        with self.lock:
            answer = self._answer(endpoint.name, method, ids, params, body,
                                  identity, base_url, path)
        if fault is not None and fault.kind == 'answer':
            return Reply(fault.status, fault.answer, fault.headers or {})
        return Reply(answer[0], answer[1],
                     delay=fault.seconds if fault and fault.kind == 'delay'
                     else 0.0,
                     drop=bool(fault and fault.kind == 'drop'))

    def _answer(self, name: str, method: str, ids: Dict[str, str],
                params: Dict[str, str], body: Any, identity: Identity,
                base_url: str, path: str) -> Answer:
        if name == 'bulk_enroll':
            return answer_bulk_enroll(self.courses, self.users, identity,
                                      body, self.strict)
        call = Call(name, method, ids, params, body, base_url + path,
                    identity, self.strict)
        if name.startswith('mobile_'):
            return answer_mobile_call(self.accounts, self.courses, call)
        return answer_program_call(
            Site(self.programs, self.courses, self.accounts, self.users),
            call)
