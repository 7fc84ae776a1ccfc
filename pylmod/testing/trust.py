"""Which client certificates the fake LMod trusts, and which it authorizes.

Like LMod, the fake checks a client twice:

1. at the TLS handshake, the certificate must be signed by a CA the server
   trusts (or be trusted itself): the test CA of
   :class:`~pylmod.testing.TestCertificates`, any ``client_cas`` given,
   and any ``trusted_certs`` given (trusted as they are, without their CA);
2. then, for each request, it must be on the allow-list, or LMod answers
   403: by SHA-256 fingerprint, by subject (``CN=<name>``), or, for the
   ``client_cas``, by issuer (every certificate a given CA issued).

This module holds the rules of both, written from what LMod does (a
certificate of a CA it trusts can still be refused per request); it shares
no code with the client's certificate handling, so that the fake can catch
the client's mistakes.  Reading a client CA's subject needs
``cryptography`` (installed with ``trustme``, the ``testing`` extra).
"""
import hashlib
import re
import ssl
from typing import Any, Iterable, List, Set

#: OpenSSL's X509_V_FLAG_PARTIAL_CHAIN (``ssl.VERIFY_X509_PARTIAL_CHAIN``
#: from Python 3.10): a trusted certificate is a trust anchor, CA or not.
PARTIAL_CHAIN = getattr(ssl, 'VERIFY_X509_PARTIAL_CHAIN', 0x80000)

_HEX = re.compile(r'[0-9a-f]{64}')
_CERTIFICATE = re.compile(
    r'-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----', re.DOTALL)


def allow_list(entries: Iterable[str]) -> Set[str]:
    """Normalize allow-list entries: SHA-256 fingerprints (hex, colons and
    case ignored) or subjects written ``CN=<common name>``."""
    allowed = set()
    for entry in entries:
        fingerprint = entry.replace(':', '').strip().lower()
        if _HEX.fullmatch(fingerprint):
            allowed.add(fingerprint)
        elif entry.startswith('CN='):
            allowed.add(entry)
        else:
            raise ValueError(
                'allowed_clients entries are SHA-256 fingerprints (64 hex '
                'digits) or "CN=<common name>", got {0!r}'.format(entry))
    return allowed


def certificate_pems(path: str) -> List[str]:
    """Return the PEM certificates of a file (a key in it is ignored).

    Raises:
        ValueError: the file holds no PEM certificate (the message says
            how to get one out of a PKCS#12 file).
    """
    with open(path, 'rb') as pem_file:
        text = pem_file.read().decode('ascii', 'replace')
    found = _CERTIFICATE.findall(text)
    if not found:
        raise ValueError(
            '{0} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"); '
            'for a PKCS#12 file, give its certificate as PEM: openssl pkcs12 '
            '-in {0} -nokeys -out cert.pem'.format(path))
    return found


def fingerprint(pem: str) -> str:
    """The SHA-256 fingerprint (hex) of a PEM certificate."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def _name_key(name: Any) -> str:
    """An allow-list entry for certificates issued under a CA subject."""
    return 'ISSUER=' + hashlib.sha256(name.public_bytes()).hexdigest()


def issuer_entries(ca_paths: Iterable[str]) -> Set[str]:
    """The allow-list entries admitting every certificate issued by these
    CAs (their subjects)."""
    paths = list(ca_paths)
    if not paths:
        return set()
    from cryptography import x509
    return {_name_key(x509.load_pem_x509_certificate(pem.encode()).subject)
            for path in paths for pem in certificate_pems(path)}


def trusted_entries(cert_paths: Iterable[str]) -> Set[str]:
    """The allow-list entries of certificates trusted as they are (the
    fingerprint of each file's first certificate)."""
    return {fingerprint(certificate_pems(path)[0]) for path in cert_paths}


def server_context(server_cert: str, ca_cert: str,
                   client_cas: Iterable[str] = (),
                   trusted_certs: Iterable[str] = ()) -> ssl.SSLContext:
    """Return the fake's TLS context: its certificate, client certificates
    required and verified against the test CA, ``client_cas`` and
    ``trusted_certs``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_cert)
    context.load_verify_locations(ca_cert)
    for path in client_cas:
        context.load_verify_locations(cadata='\n'.join(
            certificate_pems(path)))
    trusted = [certificate_pems(path)[0] for path in trusted_certs]
    if trusted:
        context.load_verify_locations(cadata='\n'.join(trusted))
        context.verify_flags |= PARTIAL_CHAIN
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def peer_identity(connection: ssl.SSLSocket, with_issuer: bool) -> Set[str]:
    """The allow-list entries a client certificate matches: its
    fingerprint, ``CN=<name>`` and, ``with_issuer``, its issuer's."""
    der = connection.getpeercert(binary_form=True)
    identity = set()
    if der:
        identity.add(hashlib.sha256(der).hexdigest())
        if with_issuer:
            from cryptography import x509
            identity.add(_name_key(x509.load_der_x509_certificate(der).issuer))
    subject: Any = (connection.getpeercert() or {}).get('subject', ())
    for rdn in subject:
        for key, value in rdn:
            if key == 'commonName':
                identity.add('CN=' + value)
    return identity
