"""Authenticated sessions for Open edX: OAuth2 client credentials, JWT.

Open edX service clients get a JWT by client credentials
(``POST /oauth2/access_token`` with ``grant_type=client_credentials`` and
``token_type=jwt``) and send it as ``Authorization: JWT <token>``.

* With the ``openedx`` extra installed (``pip install pylmod[openedx]``),
  :func:`oauth_session` returns ``edx_rest_api_client.client.OAuthAPIClient``,
  the session Open edX plugins already use.  It caches the token with
  ``edx_django_utils``' ``TieredCache``, which needs Django settings with a
  cache: inside Open edX they exist; elsewhere :func:`configure_django_cache`
  configures a minimal local-memory cache (and no telemetry backend), and
  only when Django settings are not configured yet (it never changes a
  configured project).
* Without the extra, :class:`ClientCredentialsSession` does the same flow
  with ``requests`` alone: it fetches the token on first use, refreshes it
  before it expires, and once more when a request answers 401.

Both may be shared by the threads of a concurrent write: the connection
pool is sized for them (``workers``), and :class:`ClientCredentialsSession`
fetches and renews its token under a lock, once for all threads.
"""
import logging
import threading
import time
from typing import Any, Dict, Optional, Tuple

import requests

from pylmod._transport import (
    CallBounds,
    body_start,
    current_bounds,
    read_body,
    user_agent,
)
from pylmod.openedx.endpoints import ENDPOINTS
from pylmod.openedx.errors import OpenEdxAuthError
from pylmod.openedx.pool import DEFAULT_WORKERS, check_workers

# retry_adapter is re-exported: it lived here before pylmod.openedx.retry.
from pylmod.openedx.retry import DEFAULT_POOL_SIZE
from pylmod.openedx.retry import retry_adapter as retry_adapter

log = logging.getLogger(__name__)

#: Seconds before its expiry at which a token is renewed.
EXPIRY_MARGIN = 5.0
#: Seconds to wait for the token endpoint: (connect, read).
TOKEN_TIMEOUT = (5.0, 30.0)
#: The largest answer of the token endpoint accepted, in bytes.
TOKEN_MAX_BYTES = 1024 * 1024
#: The cache :func:`configure_django_cache` sets up.
LOCAL_DJANGO_CACHES = {
    'default': {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache',
        'LOCATION': 'pylmod-openedx',
    },
}


def token_url(base_url: str) -> str:
    """Return the OAuth token URL of an LMS root."""
    return base_url.rstrip('/') + ENDPOINTS['access_token'].path


class ClientCredentialsSession(requests.Session):
    """A :class:`requests.Session` that authenticates with an Open edX JWT
    obtained by OAuth2 client credentials.

    The token is fetched on the first request, renewed
    ``expiry_margin`` seconds before ``expires_in`` runs out, and
    renewed once more when a request answers 401 with a token that was not
    fresh.  The secret is never logged nor shown in ``repr``.

    Args:
        base_url: the LMS root, e.g. ``https://lms.example.edu``.
        client_id: the OAuth application's client id.
        client_secret: its secret.
        token_timeout: timeout of the token request.
        expiry_margin: seconds before its expiry at which a token is
            renewed.

    Raises:
        OpenEdxAuthError: (on a request) the token endpoint refused the
            credentials or did not answer a token.

    Example:

    .. code-block:: python

        session = ClientCredentialsSession(LMS_URL, CLIENT_ID, SECRET)
        session.get(LMS_URL + '/api/...').json()
    """

    def __init__(self, base_url: str, client_id: str, client_secret: str,
                 token_timeout: Any = TOKEN_TIMEOUT,
                 expiry_margin: float = EXPIRY_MARGIN) -> None:
        super().__init__()
        self.expiry_margin = expiry_margin
        self.token_url = token_url(base_url)
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_timeout = token_timeout
        self._token: Optional[str] = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        #: Tokens fetched so far (for logs and tests).
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        return '<ClientCredentialsSession client_id={0!r} {1}>'.format(
            self.client_id, self.token_url)

    def fetch_token(self) -> str:
        """``POST /oauth2/access_token``: get a new JWT and keep it.

        Returns:
            str: the access token.

        Raises:
            OpenEdxAuthError: the endpoint did not answer 200 with an
                ``access_token``.
        """
        data = {
            'grant_type': 'client_credentials',
            'client_id': self.client_id,
            'client_secret': self._client_secret,
            'token_type': 'jwt',
        }
        started = time.monotonic()
        what = 'OAuth token for client {0!r} at {1}'.format(
            self.client_id, self.token_url)
        # Within the deadline of the call that needs the token, if any; the
        # answer is read with a size limit, as every other.
        bounds = current_bounds() or CallBounds(
            3 * TOKEN_TIMEOUT[1], TOKEN_MAX_BYTES)
        response = super().request('POST', self.token_url, data=data,
                                   timeout=self.token_timeout, stream=True,
                                   allow_redirects=False)
        read_body(response, bounds, what)
        if response.status_code != 200:
            raise OpenEdxAuthError.from_response(what, response)
        try:
            body = response.json()
            token = str(body['access_token'])
            expires_in = float(body.get('expires_in') or 0)
        except (ValueError, KeyError, TypeError):
            raise OpenEdxAuthError(
                '{0}: the answer is not a token: {1!r}'.format(
                    what, body_start(response)),
                response=response)
        self._token, self._expires_at = token, started + expires_in
        self.tokens_fetched += 1
        log.info('Got an Open edX token for client %s (expires in %ss)',
                 self.client_id, expires_in)
        return token

    def _current_token(self) -> Tuple[str, bool]:
        with self._lock:
            if (self._token is None
                    or time.monotonic() >= self._expires_at
                    - self.expiry_margin):
                return self.fetch_token(), True
            return self._token, False

    def _renewed_token(self, refused: str) -> str:
        """A token other than ``refused``: the one another thread fetched
        meanwhile, or a new one."""
        with self._lock:
            if self._token is not None and self._token != refused:
                return self._token
            return self.fetch_token()

    def request(self, method: str, url: Any, *args: Any,  # type: ignore[override]
                **kwargs: Any) -> requests.Response:
        """Send a request with ``Authorization: JWT <token>``; renew the
        token and send once more if the answer is 401."""
        token, fresh = self._current_token()
        headers: Dict[str, str] = dict(kwargs.get('headers') or {})
        headers['Authorization'] = 'JWT ' + token
        kwargs['headers'] = headers
        response = super().request(method, url, *args, **kwargs)
        if response.status_code == 401 and not fresh:
            # A 401 is answered before the view runs: sending again is safe.
            log.info('Open edX answered 401: renewing the token')
            response.close()  # (a streamed answer holds its connection)
            token = self._renewed_token(token)
            headers['Authorization'] = 'JWT ' + token
            response = super().request(method, url, *args, **kwargs)
        return response


def configure_django_cache() -> bool:
    """Give ``edx_rest_api_client`` the Django cache it needs, if there is
    none.

    ``OAuthAPIClient`` caches tokens in ``edx_django_utils``' ``TieredCache``,
    which reads Django settings.  Inside Open edX (or any configured Django
    project) nothing is changed.  Elsewhere, Django settings are configured
    with only :data:`LOCAL_DJANGO_CACHES` (a process-local memory cache).

    Returns:
        bool: True when this call configured the settings.
    """
    from django.conf import settings
    if settings.configured:
        return False
    # No telemetry backend: the default (New Relic) is not installed here.
    settings.configure(CACHES=LOCAL_DJANGO_CACHES, OPENEDX_TELEMETRY=[])
    log.info('Configured Django settings with a local-memory cache for '
             'edx_rest_api_client')
    return True


def edx_client_available() -> bool:
    """Return True when ``edx_rest_api_client`` can be imported."""
    try:
        import edx_rest_api_client.client  # noqa: F401
    except ImportError:
        return False
    return True


def oauth_session(base_url: str, client_id: str, client_secret: str, *,
                  use_edx_client: Optional[bool] = None,
                  retries: int = 3,
                  workers: int = DEFAULT_WORKERS) -> requests.Session:
    """Return a session authenticated to Open edX by client credentials.

    Args:
        base_url: the LMS root, e.g. ``https://lms.example.edu``.
        client_id: the OAuth application's client id.
        client_secret: its secret.
        use_edx_client: ``True``: use ``edx_rest_api_client`` (the
            ``openedx`` extra) or fail; ``False``: use
            :class:`ClientCredentialsSession`; ``None`` (default): the
            former when installed.
        retries: retries of a request (see :mod:`pylmod.openedx.retry`
            for what is repeated).
        workers: the threads that will share the session (the
            ``workers`` of :class:`~pylmod.openedx.client.OpenEdxClient`):
            the connection pool keeps at least that many connections.

    Raises:
        ImportError: ``use_edx_client=True`` without the extra.

    Returns:
        requests.Session: an ``OAuthAPIClient`` or a
        :class:`ClientCredentialsSession`, with a retry adapter mounted
        (TLS errors are not retried) and pylmod's ``User-Agent``.

    Example:

    .. code-block:: python

        session = oauth_session('https://lms.example.edu', 'pylmod-sync',
                                os.environ['PYLMOD_OPENEDX_CLIENT_SECRET'])
    """
    if use_edx_client is None:
        use_edx_client = edx_client_available()
    session: requests.Session
    if use_edx_client:
        try:
            from edx_rest_api_client.client import OAuthAPIClient
        except ImportError as err:
            raise ImportError(
                'edx_rest_api_client is not installed: pip install '
                '"pylmod[openedx]", or pass use_edx_client=False') from err
        configure_django_cache()
        session = OAuthAPIClient(base_url, client_id, client_secret)
    else:
        session = ClientCredentialsSession(base_url, client_id, client_secret)
    session.headers['User-Agent'] = user_agent()
    adapter = retry_adapter(
        retries, max(DEFAULT_POOL_SIZE, check_workers(workers)))
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session
