"""The transport wing: what carries a call, for the LMod clients
(:mod:`pylmod.base`) and the Open edX bridge (:mod:`pylmod.openedx`).

Private: import from here (this face), never from the modules below, whose
paths may change.  The names callers need are public in
:mod:`pylmod.base` and :mod:`pylmod.exceptions`.

* :mod:`~pylmod._transport.bounds`: the limits of a client's calls, the
  bounds of one call, and sending a request within them;
* :mod:`~pylmod._transport.adapters`: the adapters of the sessions;
* :mod:`~pylmod._transport.retry`: the retry policy;
* :mod:`~pylmod._transport.messages`: the ``User-Agent``, JSON bodies;
* :mod:`~pylmod._transport.refusals`: a 403, a failed handshake, a
  redirect, named for what they are;
* :mod:`~pylmod._transport.certificate`: the client certificate, read by
  :mod:`~pylmod._transport.certificate_files` (and
  :mod:`~pylmod._transport.pkcs12`, imported for a PKCS#12 file only).

Nothing here imports an endpoint table or a client.
"""
from typing import TYPE_CHECKING

from pylmod._faces import lazy_names

if TYPE_CHECKING:  # pragma: no cover
    from pylmod._transport.adapters import (
        CertificateAdapter,
        DeadlineAdapter,
    )
    from pylmod._transport.bounds import (
        DEADLINE_FACTOR,
        MAX_RESPONSE_BYTES,
        CallBounds,
        Limits,
        current_bounds,
        deadline_timeout,
        read_body,
        send_bounded,
    )
    from pylmod._transport.certificate import (
        EXPIRY_WARNING_DAYS,
        PASSWORD_OPTIONS,
        Certificate,
        ClientCertificate,
        Password,
    )
    from pylmod._transport.certificate_files import CertificateFields
    from pylmod._transport.messages import (
        BODY_START_LENGTH,
        body_start,
        decode_json,
        user_agent,
    )
    from pylmod._transport.refusals import (
        LMOD_SUPPORT,
        NOT_AUTHORIZED_STATUSES,
        explain_ssl_error,
        not_authorized,
        redirected,
    )
    from pylmod._transport.retry import (
        RETRY_STATUSES,
        LmodRetry,
        build_retry,
        is_name_resolution_failure,
        retry_after_seconds,
    )

#: Where each public name is defined: imported when first used.
_HOMES = {
    'BODY_START_LENGTH': 'messages',
    'CallBounds': 'bounds',
    'Certificate': 'certificate',
    'CertificateAdapter': 'adapters',
    'CertificateFields': 'certificate_files',
    'ClientCertificate': 'certificate',
    'DEADLINE_FACTOR': 'bounds',
    'DeadlineAdapter': 'adapters',
    'EXPIRY_WARNING_DAYS': 'certificate',
    'LMOD_SUPPORT': 'refusals',
    'Limits': 'bounds',
    'LmodRetry': 'retry',
    'MAX_RESPONSE_BYTES': 'bounds',
    'NOT_AUTHORIZED_STATUSES': 'refusals',
    'PASSWORD_OPTIONS': 'certificate',
    'Password': 'certificate',
    'RETRY_STATUSES': 'retry',
    'body_start': 'messages',
    'build_retry': 'retry',
    'current_bounds': 'bounds',
    'deadline_timeout': 'bounds',
    'decode_json': 'messages',
    'explain_ssl_error': 'refusals',
    'is_name_resolution_failure': 'retry',
    'not_authorized': 'refusals',
    'read_body': 'bounds',
    'redirected': 'refusals',
    'retry_after_seconds': 'retry',
    'send_bounded': 'bounds',
    'user_agent': 'messages',
}

__all__ = [
    'BODY_START_LENGTH', 'CallBounds', 'Certificate', 'CertificateAdapter',
    'CertificateFields', 'ClientCertificate', 'DEADLINE_FACTOR',
    'DeadlineAdapter', 'EXPIRY_WARNING_DAYS', 'LMOD_SUPPORT', 'Limits',
    'LmodRetry', 'MAX_RESPONSE_BYTES', 'NOT_AUTHORIZED_STATUSES',
    'PASSWORD_OPTIONS', 'Password', 'RETRY_STATUSES', 'body_start',
    'build_retry', 'current_bounds', 'deadline_timeout', 'decode_json',
    'explain_ssl_error', 'is_name_resolution_failure', 'not_authorized',
    'read_body', 'redirected', 'retry_after_seconds', 'send_bounded',
    'user_agent',
]

__getattr__, __dir__ = lazy_names(__name__, _HOMES)
