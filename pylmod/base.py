"""Transport to the MIT Learning Modules (LMod) web service.

All network I/O of pylmod goes through :class:`Base`: one
:class:`requests.Session` per client, authenticated with the x.509 client
certificate, with retries configured once as a :class:`urllib3.util.Retry`
and mounted on the service URL.  The endpoint classes only build a path,
params or a body and shape the result; the transport knows no endpoint (a
client mounts a stricter policy on a path with :meth:`Base.mount_policy`).

Every call has a deadline and every answer a size limit
(:attr:`Base.limits`); no redirect is followed, so the client certificate
and the grades go to the configured server only; an ``http://`` URL is
refused unless the caller allows it.  The pieces that carry a call live in
the private package ``pylmod._transport`` (shared with the Open edX
bridge); the names pylmod 2.0.0 had here are still importable from here.
"""
from __future__ import annotations

import json
import logging
import os
import urllib.parse
from typing import Any, Callable, FrozenSet, Optional, Tuple, TypeVar, Union

import requests

# HTTPAdapter, BODY_START_LENGTH, LmodRetry and PyLmodBadResponse are not
# used here: pylmod 2.0.0 had them here, so they stay importable from here.
from requests.adapters import HTTPAdapter  # noqa: F401
from urllib3.util.retry import Retry

from pylmod._transport import (  # noqa: F401
    BODY_START_LENGTH,
    MAX_RESPONSE_BYTES,
    NOT_AUTHORIZED_STATUSES,
    RETRY_STATUSES,
    CallBounds,
    Certificate,
    CertificateAdapter,
    ClientCertificate,
    Limits,
    LmodRetry,
    Password,
    build_retry,
    decode_json,
    explain_ssl_error,
    not_authorized,
    redirected,
    retry_after_seconds,
    send_bounded,
    user_agent,
)
from pylmod.answer import with_origin
from pylmod.exceptions import (  # noqa: F401
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodHTTPBadResponse,
    PyLmodHTTPError,
    PyLmodInsecureURL,
)

log = logging.getLogger(__name__)

#: The production LMod service.
DEFAULT_URLBASE = 'https://learning-modules.mit.edu:8443/'

_BaseType = TypeVar('_BaseType', bound='Base')


def _session_cert(cert: Certificate) -> Any:
    """What 1.0.x put in ``_session.cert``: the path (or pair of paths) as
    given; ``None`` for what requests cannot take."""
    if isinstance(cert, (str, os.PathLike)):
        return os.fspath(cert)
    if (isinstance(cert, (tuple, list)) and len(cert) == 2
            and all(isinstance(path, (str, os.PathLike)) for path in cert)):
        return tuple(os.fspath(path) for path in cert)
    return None


def _check_scheme(server_root: str, allow_http: bool) -> None:
    """Refuse an ``http://`` LMod unless ``allow_http``.

    Raises:
        PyLmodInsecureURL: it is ``http://`` and not allowed.
    """
    if (urllib.parse.urlsplit(server_root).scheme.lower() == 'http'
            and not allow_http):
        raise PyLmodInsecureURL(
            'refusing the LMod URL {0}: over http:// the grades would travel '
            'in clear text and no client certificate would be presented. '
            'Use https://, or pass allow_http=True (pylmod: --allow-http) '
            'for a test server without TLS.'.format(server_root))


def check_certificate(cert: Certificate) -> None:
    """Fail early, and clearly, if a client certificate file cannot be read
    (all a client checks when it is made).

    Args:
        cert: a client certificate, as :class:`Base` takes it.

    Raises:
        PyLmodCertificateError: a file is missing or unreadable; the
            exception names it.
    """
    ClientCertificate.of(cert).check_readable()


class Base:
    """
    Base provides the transport for accessing the MIT Learning Modules (LMod).

    The Base class implements the functions that underlie the HTTP calls to
    the MIT Learning Modules (LMod) Web service.  It shouldn't be
    instantiated directly as it is inherited by the classes that
    implement the API.

    Requests are retried by the session's adapter, as configured by
    :meth:`retry_policy`: connection failures, read timeouts, dropped
    connections and the statuses in :attr:`RETRY_STATUSES` (honouring
    ``Retry-After``) are retried up to :attr:`RETRIES` times with a short,
    capped exponential backoff.  TLS and certificate errors are not retried.
    A client mounts a stricter policy where a request must not be repeated
    (:meth:`mount_policy`): the LMod clients do so for each POST that
    creates something (:attr:`pylmod.endpoints.Endpoint.creates`).

    Every call ends within its deadline, retries and waits included, and
    reads at most so many bytes of answer (:attr:`limits`).
    No redirect is followed: a 3xx raises
    :class:`~pylmod.exceptions.PyLmodRedirected`.  The client certificate is
    presented to the server of ``urlbase`` only.

    Attributes:
        cert (str): File path to the certificate used to
            authenticate access to LMod Web service (as given)
        urlbase (str): The URL of the LMod Web service. i.e.
            ``learning-modules.mit.edu`` or ``learning-modules-test.mit.edu``
            (the subclasses append their service path)
    """

    #: Read timeout, seconds: the longest wait for the server's next bytes
    #: (an answer to start, or to go on).
    TIMEOUT: float = 200

    #: Connect timeout, seconds (``TIMEOUT`` if that is smaller).
    CONNECT_TIMEOUT: float = 10

    #: Retries of one request, all causes together: connection and read
    #: errors and retried statuses (1.0.x: connection retries only).
    RETRIES: int = 10

    #: Statuses meaning "try again later": retried, honouring ``Retry-After``.
    #: One still there when the retries run out raises
    #: :class:`~pylmod.exceptions.PyLmodHTTPError`.
    RETRY_STATUSES: FrozenSet[int] = RETRY_STATUSES

    #: Retry ``n`` waits ``BACKOFF_FACTOR * 2 ** (n - 1)`` seconds, at most
    #: :attr:`LmodRetry.backoff_cap`.
    BACKOFF_FACTOR: float = 0.05

    #: The LMod service this class talks to (``'gradebook'``,
    #: ``'membership'``); its root is ``urlbase + 'service/<SERVICE>/'``.
    SERVICE: Optional[str] = None

    # What __init__ was given (a subclass whose __init__ skips Base's gets
    # the defaults).
    _deadline: Optional[float] = None
    _max_response_bytes: int = MAX_RESPONSE_BYTES

    verbose = True
    gradebookid = None

    def __init__(
            self,
            cert: Certificate,
            urlbase: str = DEFAULT_URLBASE,
            *,
            verify: Union[bool, str] = True,
            timeout: Optional[float] = None,
            retries: Optional[int] = None,
            cert_password: Password = None,
            deadline: Optional[float] = None,
            max_response_bytes: Optional[int] = None,
            allow_http: bool = False,
    ) -> None:
        """Initialize Base instance.

        Args:
            cert (str): the client certificate that authenticates to LMod
                (see :data:`pylmod._transport.certificate.Certificate`): the
                path of one PEM file holding the certificate and its private
                key, or of a PKCS#12 file (``.p12``, needs
                ``pylmod[pkcs12]``); a ``(certificate, key)`` pair of paths
                (tuple or list); a ``(certificate, key, password)`` triple; a
                ready :class:`ssl.SSLContext`; or a
                :class:`~pylmod._transport.certificate.ClientCertificate`.
                ``~`` is expanded.
            urlbase (str): The URL of the LMod Web service. i.e.
                ``learning-modules.mit.edu`` or
                ``learning-modules-test.mit.edu``
            verify (bool or str): verify the server's TLS certificate
                (default), or the path of a CA bundle to verify it with
                (for a test server).
            timeout (float): overrides :attr:`TIMEOUT` for this client.
            retries (int): overrides :attr:`RETRIES` for this client.
            cert_password (str): the password of an encrypted key or of a
                PKCS#12 file: text, bytes, or a callable returning one
                (called only if the key turns out to be encrypted).  pylmod
                never asks for it on the terminal.
            deadline (float): seconds a whole call may take, retries and
                waits included (default: three read timeouts, see
                :class:`~pylmod._transport.bounds.Limits`).
            max_response_bytes (int): the largest answer accepted, counted
                after decompression (default 256 MiB).
            allow_http (bool): accept an ``http://`` urlbase (a test server
                without TLS): grades then travel in clear text.

        Raises:
            PyLmodCertificateError: a certificate file cannot be read.  The
                certificate itself is read, checked and loaded on the first
                TLS handshake, before anything is sent (see
                :meth:`~pylmod._transport.certificate.ClientCertificate.load`).
            PyLmodInsecureURL: ``urlbase`` is ``http://`` and
                ``allow_http`` is not set (also a ``ValueError``).

        Attributes:
            certificate (ClientCertificate): the client certificate.
        """
        self.certificate = ClientCertificate.of(cert, cert_password)
        self.certificate.check_readable()
        # pem with private and public key application certificate for access
        self.cert = cert
        if timeout is not None:
            self.TIMEOUT = timeout
        if retries is not None:
            self.RETRIES = retries
        self._deadline = deadline
        if max_response_bytes is not None:
            self._max_response_bytes = max_response_bytes

        server_root = urlbase if urlbase.endswith('/') else urlbase + '/'
        _check_scheme(server_root, allow_http)
        self.urlbase = server_root
        if self.SERVICE:
            self.urlbase += 'service/{0}/'.format(self.SERVICE)

        self._session = requests.Session()
        # Kept for code that reads it; the adapters present the certificate.
        self._session.cert = _session_cert(cert)
        self._session.verify = verify
        self._session.headers['User-Agent'] = user_agent()
        # No redirect is followed (see rest_action).
        self._session.max_redirects = 0
        # Any other host gets no client certificate.
        self._session.mount('https://', CertificateAdapter())
        self._session.mount(server_root, self._adapter(self.retry_policy()))
        log.info('[PyLmod] init urlbase=%s', self.urlbase)

    def _adapter(self, retry: Retry) -> CertificateAdapter:
        """An adapter presenting this client's certificate, with ``retry``."""
        return CertificateAdapter(self.certificate.context, max_retries=retry)

    def close(self) -> None:
        """Close the client's connections (its :class:`requests.Session`).

        A client is also a context manager that closes itself::

            with GradeBook(cert, gbuuid=uuid) as gradebook:
                gradebook.get_students()
        """
        self._session.close()

    def __enter__(self: _BaseType) -> _BaseType:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def mount_policy(self, path_prefix: str, retry: Retry) -> None:
        """Use another retry policy for the URLs under a path.

        Mounts an :class:`~requests.adapters.HTTPAdapter` with ``retry`` on
        ``urlbase + path_prefix``.  As ``requests`` picks the adapter of the
        longest matching prefix, every URL starting so (``assignment``
        matches ``assignment/16708850`` and ``assignments/1293808`` too)
        uses it; mount on the longest prefix that covers only what you
        mean.

        Args:
            path_prefix (str): relative to :attr:`urlbase`, e.g.
                ``'assignment'``.
            retry (urllib3.util.Retry): the policy, e.g.
                ``self.retry_policy(creates=True)``.

        Example:

        .. code-block:: python

            gradebook.mount_policy('assignment',
                                   gradebook.retry_policy(creates=True))
        """
        self._session.mount(self._url_format(path_prefix),
                            self._adapter(retry))

    def retry_policy(self, creates: bool = False) -> Retry:
        """Return the retry policy of this client's requests.

        Override this method (or the class attributes it reads) to change
        how pylmod retries.

        Args:
            creates (bool): the policy for a POST that creates something.
                Such a POST is retried only when it cannot have reached the
                server (the connection failed); a read timeout, a dropped
                connection or a retryable status is left to the caller, who
                must look before creating again.  Every other request,
                including grade posts, which set values, is retried.

        Returns:
            urllib3.util.Retry: the policy (built by
            :func:`~pylmod._transport.retry.build_retry`), mounted on the
            server URL, or with ``creates`` by the clients
            on the paths of their creating POSTs (:meth:`mount_policy`).
        """
        methods = Retry.DEFAULT_ALLOWED_METHODS
        if not creates:
            methods = methods | {'POST'}
        return build_retry(self.RETRIES, allowed_methods=methods,
                           backoff_factor=self.BACKOFF_FACTOR,
                           status_forcelist=self.RETRY_STATUSES)

    # Built at each call, as 1.0.x read TIMEOUT at each call: a subclass's
    # TIMEOUT, or one set on a client after it was made, keeps working.
    @property
    def limits(self) -> Limits:
        """The limits of this client's calls
        (:class:`~pylmod._transport.bounds.Limits`): the read timeout
        :attr:`TIMEOUT`, the connect timeout :attr:`CONNECT_TIMEOUT` (at
        most :attr:`TIMEOUT`), and the ``deadline`` and
        ``max_response_bytes`` given (or their defaults)."""
        return Limits((min(self.CONNECT_TIMEOUT, self.TIMEOUT), self.TIMEOUT),
                      deadline=self._deadline,
                      max_response_bytes=self._max_response_bytes)

    @property
    def timeout(self) -> Tuple[Optional[float], Optional[float]]:
        """The ``(connect, read)`` timeouts of each attempt (as
        :attr:`limits` has them)."""
        return self.limits.timeout

    @staticmethod
    def _data_to_json(data: Any) -> str:
        """Convert to json if it isn't already a string.

        Args:
            data (str): data to convert to json
        """
        if not isinstance(data, str):
            data = json.dumps(data)
        return data

    def _url_format(self, service: str) -> str:
        """Generate URL from urlbase and service.

        Args:
            service (str): the path relative to :attr:`urlbase`, ids filled
                in, i.e. ``assignment/16708850``
        Returns:
            str: URL to where the request should be made
        """
        return '{base}{service}'.format(base=self.urlbase, service=service)

    def rest_action(self, func: Callable[..., requests.Response], url: str,
                    **kwargs: Any) -> Any:
        """Make one call, within this client's :attr:`limits`, and return
        LMod's decoded answer.

        ``func`` is called as ``func(url, timeout=self.timeout, **kwargs)``,
        as 1.0.x did.  The call is retried by the session's adapters
        (:meth:`retry_policy`), ends within its deadline, reads at most
        ``limits.max_response_bytes`` of answer and follows no redirect.
        Whatever goes wrong raises a
        :class:`~pylmod.exceptions.PyLmodException` named for what
        happened (a timeout, a refused certificate, a 403, an error status
        the retries did not outlast, a body that is not JSON...), which is
        also what PyLmod 1.0.x raised there (a
        ``requests.RequestException`` or a ``ValueError``): see the tree in
        :mod:`pylmod.exceptions`.

        Args:
            func (callable): API function to call, e.g. ``self._session.get``
            url (str): service URL endpoint
            kwargs (dict): addition parameters

        Raises:
            requests.RequestException: the call failed (see
                :mod:`pylmod.exceptions`).
            ValueError: the answer cannot be read (see
                :mod:`pylmod.exceptions`).

        Returns:
            the decoded JSON body, as the server sent it (an object as a
            :class:`pylmod.answer.AnswerDict`, a list as a
            :class:`pylmod.answer.AnswerList`: a ``dict`` or ``list`` that
            also knows its ``http_status``)
        """
        # An explicit CA bundle (or False) is passed per request because
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override a
        # Session's own verify= (psf/requests#3829); True needs no help.
        if self._session.verify is not True:
            kwargs.setdefault('verify', self._session.verify)
        limits = self.limits
        bounds = CallBounds(limits.deadline, limits.max_response_bytes,
                            'LMod: {0} {1}'.format(
                                getattr(func, '__name__', 'request').upper(),
                                url))
        try:
            response = send_bounded(func, url, bounds, limits.timeout,
                                    **kwargs)
        except requests.exceptions.TooManyRedirects as err:
            # The session follows none (max_redirects = 0): the grades and
            # the client certificate go to urlbase only.
            if err.response is None or not err.response.is_redirect:
                raise
            redirect = redirected(err.response, url, 'LMod')
            log.error('[PyLmod] %s', redirect)
            raise redirect from None
        except requests.exceptions.SSLError as err:
            explained = explain_ssl_error(err, self.certificate, url)
            log.error('[PyLmod] %s', explained)
            if isinstance(explained, PyLmodCertificateError):
                # Raised on the first handshake, inside urllib3: raise it
                # as it was raised there.
                raise explained from explained.__cause__
            raise explained from err
        except requests.RequestException as err:
            log.error('[PyLmod] Error - connection error in rest_action '
                      'for %s: %s', url, err)
            raise
        return self._answer(response, url, bounds)

    def _answer(self, response: requests.Response, url: str,
                bounds: CallBounds) -> Any:
        """The decoded body of an answer, or the error its status means."""
        status = response.status_code
        call = '{0} {1}'.format(response.request.method, url)
        if isinstance(response, requests.Response) and response.is_redirect:
            redirect = redirected(response, url, 'LMod')
            log.error('[PyLmod] %s', redirect)
            raise redirect
        if status in NOT_AUTHORIZED_STATUSES:
            refusal = not_authorized(response, self.certificate)
            log.error('[PyLmod] %s', refusal)
            raise refusal
        if status in self.RETRY_STATUSES:
            message = 'LMod answered HTTP {0} {1} to {2}{3}'.format(
                status, response.reason, call,
                '; not retried: ' + bounds.gave_up if bounds.gave_up else '')
            log.error('[PyLmod] %s', message)
            # A proxy's error page: 1.0.x callers catch ValueError.
            decode_json(response, message, PyLmodHTTPBadResponse)
            raise PyLmodHTTPError(
                message, response=response,
                retry_after=retry_after_seconds(response)
                if bounds.gave_up else None)
        return with_origin(
            decode_json(response, 'LMod answered HTTP {0} to {1}'.format(
                status, call)), status, call)

    def get(self, service: str, params: Optional[dict] = None) -> Any:
        """Generic GET operation for retrieving data from Learning Modules API.

        .. code-block:: python

            gradebook.get('students/1293808',
                          params={'includeGradeInfo': 'true'})

        Args:
            service (str): the path relative to :attr:`urlbase`, ids filled
                in, i.e. ``students/1293808``
            params (dict): the query parameters (``None``: none)

        Raises:
            requests.RequestException: as :meth:`rest_action` raises it (a
                body that is not JSON is also a ``ValueError``)

        Returns:
            the decoded JSON body, e.g. ``{'status': 1, 'data': [...]}``
        """
        url = self._url_format(service)
        if params is None:
            params = {}
        return self.rest_action(self._session.get, url, params=params)

    def post(self, service: str, data: Any) -> Any:
        """Generic POST operation for sending data to Learning Modules API.

        Data should be a JSON string or a dict.  If it is not a string,
        it is turned into a JSON string for the POST body (keys in their
        order, ``json.dumps``' default separators), sent with
        ``content-type: application/json``.

        Args:
            service (str): the path relative to :attr:`urlbase`, ids filled
                in, i.e. ``multiGrades/1293808``
            data (json or dict): the data payload

        Raises:
            requests.RequestException: see :meth:`get`

        Returns:
            the decoded JSON body, e.g. ``{'status': 1, 'message': ...}``
        """
        url = self._url_format(service)
        data = Base._data_to_json(data)
        headers = {'content-type': 'application/json'}
        return self.rest_action(self._session.post, url,
                                data=data, headers=headers)

    def delete(self, service: str) -> Any:
        """Generic DELETE operation for Learning Modules API.

        Args:
            service (str): the path relative to :attr:`urlbase`, ids filled
                in, i.e. ``assignment/16708850``

        Raises and returns as :meth:`post`.
        """
        url = self._url_format(service)
        return self.rest_action(self._session.delete, url)
