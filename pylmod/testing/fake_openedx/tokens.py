"""Who is asking: the OAuth token endpoint and the tokens of the fake Open
edX.

``POST /oauth2/access_token`` with ``grant_type=client_credentials`` issues
a token for the OAuth application's service user: a JWT-looking token with
``token_type=jwt`` (sent back as ``Authorization: JWT <token>``), an opaque
one otherwise (``Authorization: Bearer <token>``), as the views' documented
``authentication_classes`` (``JwtAuthentication``, ``BearerAuthentication``)
accept them.  A token sent with the other scheme, unknown, revoked or
expired is answered 401.  Learners' tokens (for the mobile API) are issued
by :meth:`TokenStore.issue` directly: pylmod never asks for a learner's
password.
"""
import base64
import json
import threading
import time
import uuid
from typing import Any, Dict, NamedTuple, Optional

from pylmod.testing.fake_openedx.rules import Answer

JWT, BEARER = 'JWT', 'Bearer'


class Identity(NamedTuple):
    """The user a token belongs to.

    Attributes:
        username: the user's username (an OAuth application's service user
            is ``<client id>_service_user``).
        staff: a global staff user (``IsStaff``); the program APIs and
            ``bulk_enroll`` need one.
    """

    username: str
    staff: bool


class _Token(NamedTuple):
    identity: Identity
    scheme: str
    expires: float


def service_username(client_id: str) -> str:
    """The username of an OAuth application's service user."""
    return '{0}_service_user'.format(client_id)


class TokenStore:
    """The OAuth applications and the tokens issued; thread-safe.

    Attributes:
        clients: ``{client_id: secret}``.
        staff_clients: the client ids whose service user is staff.
        lifetime: ``expires_in`` of new tokens, seconds.
        issued: tokens issued so far.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: Dict[str, _Token] = {}
        self.clients: Dict[str, str] = {}
        self.staff_clients: set = set()
        self.lifetime = 3600
        self.issued = 0

    def add_client(self, client_id: str, secret: str,
                   staff: bool = True) -> None:
        """Register an OAuth application (client credentials grant)."""
        with self._lock:
            self.clients[client_id] = secret
            if staff:
                self.staff_clients.add(client_id)
            else:
                self.staff_clients.discard(client_id)

    def issue(self, identity: Identity, scheme: str = JWT) -> Dict[str, Any]:
        """Issue a token for ``identity``; return the token endpoint's
        answer (``access_token``, ``token_type``, ``expires_in``,
        ``scope``)."""
        if scheme == JWT:
            claims = {'preferred_username': identity.username,
                      'administrator': identity.staff,
                      'jti': uuid.uuid4().hex,
                      'exp': int(time.time()) + self.lifetime}
            token = '.'.join(_b64(part) for part in (
                {'alg': 'RS512', 'typ': 'JWT'}, claims,
                {'sig': uuid.uuid4().hex}))
        else:
            token = uuid.uuid4().hex[:30]
        with self._lock:
            self._tokens[token] = _Token(
                identity, scheme, time.monotonic() + self.lifetime)
            self.issued += 1
        return {'access_token': token, 'token_type': scheme,
                'expires_in': self.lifetime, 'scope': 'read write'}

    def answer_token_request(self, form: Dict[str, str]) -> Answer:
        """Answer ``POST /oauth2/access_token`` (a form): 400 for a grant
        other than client credentials or an unknown ``token_type``, 401 for
        a bad client id or secret."""
        if form.get('grant_type') != 'client_credentials':
            return 400, {'error': 'unsupported_grant_type'}
        client_id = form.get('client_id', '')
        if client_id not in self.clients or \
                self.clients[client_id] != form.get('client_secret'):
            return 401, {'error': 'invalid_client'}
        token_type = form.get('token_type', 'bearer').lower()
        if token_type not in ('jwt', 'bearer'):
            return 400, {'error': 'invalid_request',
                         'error_description': 'token_type: jwt or bearer'}
        identity = Identity(service_username(client_id),
                            client_id in self.staff_clients)
        return 200, self.issue(identity,
                               JWT if token_type == 'jwt' else BEARER)

    def identify(self, authorization: str) -> Optional[Identity]:
        """The identity of an ``Authorization`` header, or ``None`` (no
        header, an unknown or expired token, or the wrong scheme)."""
        scheme, _, token = authorization.partition(' ')
        with self._lock:
            found = self._tokens.get(token.strip())
        if found is None or found.scheme.lower() != scheme.lower() or \
                time.monotonic() >= found.expires:
            return None
        return found.identity

    def revoke_all(self) -> None:
        """Forget every token issued."""
        with self._lock:
            self._tokens.clear()


def _b64(part: Dict[str, Any]) -> str:
    raw = json.dumps(part, separators=(',', ':')).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode()
