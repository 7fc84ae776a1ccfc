"""Refusals named for what they are: a 403 from LMod, a failed handshake.

:class:`pylmod.base.Base` raises what these functions return:

* :func:`not_authorized`: LMod answered 403 (or 401): it does not let this
  certificate do that.  A :class:`~pylmod.exceptions.PyLmodNotAuthorized`.
* :func:`explain_ssl_error`: the TLS handshake failed.  A certificate that
  could not be loaded gives its
  :class:`~pylmod.exceptions.PyLmodCertificateError`; otherwise a
  :class:`~pylmod.exceptions.PyLmodTLSError` says which side refused what:
  LMod did not accept the client certificate (an alert from the server:
  unknown CA, bad, expired or revoked certificate), or this machine does not
  trust LMod's server certificate (verification failed here).
"""
from __future__ import annotations

import ssl
import urllib.parse
from typing import Any, Iterator, Mapping, Optional, Tuple

import requests

from pylmod._transport.certificate import (
    ClientCertificate,
    HandshakeNotStarted,
)
from pylmod.exceptions import (
    CLIENT_REFUSED,
    SERVER_UNTRUSTED,
    UNKNOWN_SIDE,
    PyLmodCertificateError,
    PyLmodNotAuthorized,
    PyLmodRedirected,
    PyLmodTLSError,
)

#: Statuses meaning "this certificate may not do that".
NOT_AUTHORIZED_STATUSES = frozenset({401, 403})

#: Who authorizes certificates for LMod.
LMOD_SUPPORT = 'learningmod-support@mit.edu'

#: The alerts a server sends when it refuses a client certificate (part of
#: OpenSSL's reason), and what each says.
CLIENT_REFUSED_ALERTS = {
    'ALERT_UNKNOWN_CA': 'it does not know the CA that issued it',
    'ALERT_CERTIFICATE_EXPIRED': 'it says the certificate has expired',
    'ALERT_CERTIFICATE_REVOKED': 'the certificate has been revoked',
    'ALERT_CERTIFICATE_REQUIRED': 'it got no client certificate',
    'ALERT_BAD_CERTIFICATE': 'it finds the certificate bad',
    'ALERT_CERTIFICATE_UNKNOWN': 'it cannot use the certificate',
    'ALERT_UNSUPPORTED_CERTIFICATE': 'it cannot use the certificate',
    'ALERT_ACCESS_DENIED': 'it denies access to the certificate',
}

#: What each side means, and what to do (library words; the ``pylmod``
#: command says its own options).
ADVICE = {
    CLIENT_REFUSED: 'check that it is your LMod certificate (renew it if '
                    'it has expired or was revoked) and that the URL is the '
                    'LMod it is meant for',
    SERVER_UNTRUSTED: 'if this is a test server, or a proxy that inspects '
                      'TLS, pass the CA bundle that signed its certificate '
                      "(verify='/path/ca.pem', or REQUESTS_CA_BUNDLE)",
    UNKNOWN_SIDE: 'check the URL; a server that closes the connection '
                  'during the handshake may also be refusing the client '
                  'certificate',
}


def _causes(err: BaseException) -> Iterator[BaseException]:
    """Yield ``err`` and what it wraps: urllib3's ``reason``, the first
    argument, the cause and the context, depth first."""
    pending, seen = [err], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [getattr(current, 'reason', None),
                 current.args[0] if current.args else None,
                 current.__cause__, current.__context__]
        pending.extend(item for item in reversed(inner)
                       if isinstance(item, BaseException))


def _is_hostname_mismatch(err: BaseException) -> bool:
    # urllib3 matches host names itself and raises its own CertificateError
    # (a ValueError; the ssl module's is an SSLCertVerificationError).
    return type(err).__name__ == 'CertificateError'


def tls_reason(err: BaseException) -> Tuple[Optional[BaseException], str]:
    """Return the innermost TLS error and its reason.

    Returns:
        tuple: ``(the ssl error or None, reason)``, the reason being
        OpenSSL's verification message or reason code, or the text.
    """
    found: Optional[BaseException] = None
    for cause in _causes(err):
        if isinstance(cause, ssl.SSLError) or _is_hostname_mismatch(cause):
            found = cause
    if found is None:
        return None, str(err)
    reason = (getattr(found, 'verify_message', None)
              or getattr(found, 'reason', None) or str(found))
    return found, str(reason)


def explain_ssl_error(err: requests.exceptions.SSLError,
                      certificate: ClientCertificate,
                      url: str) -> Exception:
    """Return the exception to raise for a failed TLS handshake.

    Args:
        err: what requests raised.
        certificate: the client's certificate.
        url: the URL asked.

    Returns:
        Exception: the certificate's own error when it could not be loaded,
        else a :class:`~pylmod.exceptions.PyLmodTLSError` (also a
        ``requests.exceptions.SSLError``).
    """
    for cause in _causes(err):
        if isinstance(cause, HandshakeNotStarted):
            return cause.error
        if isinstance(cause, PyLmodCertificateError):
            return cause
    found, reason = tls_reason(err)
    text = '{0} {1}'.format(reason, found or '').upper()
    lmod = 'LMod at ' + urllib.parse.urlsplit(url).netloc
    refusal = next((meaning for code, meaning in CLIENT_REFUSED_ALERTS.items()
                    if code in text), None)
    if found is not None and (isinstance(found, ssl.CertificateError)
                              or _is_hostname_mismatch(found)):
        side = SERVER_UNTRUSTED
        diagnosis = ('This machine does not trust the server certificate of '
                     '{0} ({1})'.format(lmod, reason))
    elif refusal is not None:
        side = CLIENT_REFUSED
        diagnosis = ('{0} did not accept the client certificate {1}: {2} '
                     '({3})'.format(lmod, certificate, refusal, reason))
    else:
        side = UNKNOWN_SIDE
        diagnosis = 'TLS with {0} failed ({1})'.format(lmod, reason)
    return PyLmodTLSError('{0}: {1}.'.format(diagnosis, ADVICE[side]),
                          side=side, reason=reason, diagnosis=diagnosis,
                          request=getattr(err, 'request', None))


def _lmod_message(response: requests.Response) -> str:
    """LMod's ``message``, or the start of the body."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping) and body.get('message'):
        return str(body['message'])[:200]
    return ' '.join((response.text or '').split())[:200]


def not_authorized(response: requests.Response,
                   certificate: ClientCertificate) -> PyLmodNotAuthorized:
    """Return the exception of a 403 (or 401) from LMod.

    Args:
        response: the refusal.
        certificate: the client's certificate.

    Returns:
        PyLmodNotAuthorized: naming the certificate, the request and LMod's
        message, and whom to ask.
    """
    request = response.request
    message = _lmod_message(response)
    return PyLmodNotAuthorized(
        'LMod refused the client certificate {0} for {1} {2} (HTTP {3}{4}): '
        'ask {5} to authorize this certificate for that gradebook or course, '
        'or pass the certificate they authorized.'.format(
            certificate, request.method if request else 'the request',
            urllib.parse.unquote(request.url or '') if request else '',
            response.status_code, ': ' + message if message else '',
            LMOD_SUPPORT),
        response=response, certificate=str(certificate))


def redirected(response: requests.Response, url: str,
               service: str) -> PyLmodRedirected:
    """Return the error of a redirect pylmod does not follow, naming the URL
    asked and the one the server redirected to.

    Args:
        response: the redirect (``response.is_redirect``).
        url: the URL asked.
        service: who answered, e.g. ``'LMod'``.
    """
    location = response.headers.get('Location', '')
    target = urllib.parse.urljoin(url, location)
    return PyLmodRedirected(
        '{0} answered HTTP {1} to {2} {3} with a redirect to {4}: pylmod '
        'follows no redirect (the request and the client certificate go '
        'to the configured server only); check the URL, or ask why the '
        'server moved'.format(service, response.status_code,
                              response.request.method, url, target),
        url=url, location=target, response=response)
