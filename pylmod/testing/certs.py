"""Throwaway certificate material for the fake LMod.

LMod authenticates its callers with x.509 client certificates.  The fake does
the same, with a certificate authority made up on the spot by `trustme`_
(the optional extra ``pylmod[testing]``): a CA, a server certificate for
``127.0.0.1`` and ``localhost``, and client certificates, by default one
PEM holding the certificate and its key.  :meth:`TestCertificates.
issue_client_cert` also writes them as MIT users hold them: PKCS#12
(``.p12``, with or without a password, modern or legacy encryption), an
encrypted key (PKCS#8 or traditional), in one file or two, expired or
expiring.  Private keys are written readable by their owner only
(``0600``).

.. _trustme: https://trustme.readthedocs.io/
"""
import datetime
import hashlib
import logging
import os
import ssl
from typing import Any, Optional, Tuple, Union

log = logging.getLogger(__name__)

#: The common name of the client certificate the fake server accepts.
DEFAULT_CLIENT_NAME = 'pylmod-test-client'

#: The host names the server certificate is valid for.
SERVER_HOSTS = ('127.0.0.1', 'localhost')


def _trustme() -> Any:
    """Import trustme, saying how to get it when it is missing."""
    try:
        import trustme
    except ImportError as err:  # pragma: no cover - depends on the install
        raise ImportError(
            'The fake LMod needs the optional dependency "trustme" to make '
            'its test certificates. Install it with: '
            'pip install "pylmod[testing]"') from err
    return trustme


def certificate_fingerprint(pem_path: str) -> str:
    """Return the SHA-256 fingerprint (lower-case hex) of a PEM certificate.

    The first certificate in the file counts; a private key in the same
    file is ignored.

    Args:
        pem_path: a PEM file, e.g. a combined client certificate.

    Returns:
        str: 64 hex digits, as the server's allow-list takes them.

    Example:
        >>> certificate_fingerprint(server.client_cert)  # doctest: +SKIP
        '3f1c...'
    """
    with open(pem_path, encoding='ascii') as pem_file:
        text = pem_file.read()
    begin = text.index('-----BEGIN CERTIFICATE-----')
    end = text.index('-----END CERTIFICATE-----', begin)
    der = ssl.PEM_cert_to_DER_cert(
        text[begin:end + len('-----END CERTIFICATE-----')])
    return hashlib.sha256(der).hexdigest()


#: The ways :meth:`TestCertificates.issue_client_cert` writes a client
#: certificate: one PEM (key and certificate), a certificate file and a key
#: file, or a PKCS#12 file.
CLIENT_FORMS = ('pem', 'pair', 'pkcs12')


def write_private(path: str, data: bytes) -> None:
    """Write a file holding a private key: readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # the file may have existed
    with os.fdopen(descriptor, 'wb') as private_file:
        private_file.write(data)


def _key_pem(leaf: Any, password: Optional[str], key_format: str) -> bytes:
    """A leaf's private key as PEM: PKCS#8 or traditional, encrypted with
    ``password`` (AES-256) or not."""
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(),
                                             None)
    layout = {'pkcs8': serialization.PrivateFormat.PKCS8,
              'traditional': serialization.PrivateFormat.TraditionalOpenSSL
              }[key_format]
    encryption = (serialization.NoEncryption() if password is None else
                  serialization.BestAvailableEncryption(
                      password.encode('utf-8')))
    return key.private_bytes(serialization.Encoding.PEM, layout, encryption)


def _pkcs12(leaf: Any, name: str, password: Optional[str],
            legacy: bool) -> bytes:
    """A leaf as PKCS#12: no password, modern (AES-256, PBKDF2) or legacy
    (3DES, SHA-1: what older tools export) encryption."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    key: Any = serialization.load_pem_private_key(leaf.private_key_pem.bytes(),
                                             None)
    certificate, *chain = [x509.load_pem_x509_certificate(pem.bytes())
                           for pem in leaf.cert_chain_pems]
    if password is None:
        encryption: Any = serialization.NoEncryption()
    elif legacy:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1()).build(password.encode('utf-8')))
    else:
        encryption = serialization.BestAvailableEncryption(
            password.encode('utf-8'))
    return pkcs12.serialize_key_and_certificates(
        name.encode('utf-8'), key, certificate, chain or None, encryption)


class TestCertificates:
    """A throwaway CA with a server and a client certificate, on disk.

    Args:
        directory: where the PEM files are written (created if needed).
        client_name: the common name of the default client certificate.

    Attributes:
        directory (str): where the files are.
        ca_cert (str): the CA certificate; pass it as ``verify=`` to a client.
        server_cert (str): key and certificate chain of the server.
        client_cert (str): key and certificate of the default client, on the
            server's allow-list unless you pass another one.
        client_fingerprint (str): SHA-256 fingerprint of ``client_cert``.

    Example:
        >>> certificates = TestCertificates('/tmp/certs')  # doctest: +SKIP
        >>> certificates.issue_client_cert('other')  # doctest: +SKIP
        '/tmp/certs/other.pem'
    """

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, directory: str,
                 client_name: str = DEFAULT_CLIENT_NAME) -> None:
        trustme = _trustme()
        self.directory = os.fspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self._ca = trustme.CA(organization_name='pylmod fake LMod CA')
        self.ca_cert = self._path('ca.pem')
        self._ca.cert_pem.write_to_path(self.ca_cert)
        self.server_cert = self._path('server.pem')
        server = self._ca.issue_cert(*SERVER_HOSTS)
        write_private(self.server_cert,
                      server.private_key_and_cert_chain_pem.bytes())
        client_cert = self.issue_client_cert(client_name)
        assert isinstance(client_cert, str)
        self.client_cert = client_cert
        self.client_fingerprint = certificate_fingerprint(self.client_cert)
        log.info('Test certificates written to %s', self.directory)

    def _path(self, filename: str) -> str:
        return os.path.join(self.directory, filename)

    def issue_client_cert(
            self, common_name: str, filename: Optional[str] = None, *,
            form: str = 'pem', password: Optional[str] = None,
            key_format: str = 'pkcs8', legacy: bool = False,
            not_before: Optional[datetime.datetime] = None,
            not_after: Optional[datetime.datetime] = None,
    ) -> Union[str, Tuple[str, str]]:
        """Issue another client certificate from this CA.

        The server trusts it at the TLS level; whether it may call the
        service depends on its allow-list.

        Args:
            common_name: the certificate subject's common name (CN).
            filename: the file name in :attr:`directory`, default
                ``<common_name>.pem`` (``.p12`` for PKCS#12; a pair is
                ``<name>-cert.pem`` and ``<name>-key.pem``).
            form: one of :data:`CLIENT_FORMS`: ``'pem'`` (the key, then the
                certificate, in one file), ``'pair'`` or ``'pkcs12'``.
            password: encrypt the key (PEM) or the PKCS#12 file with it.
            key_format: ``'pkcs8'`` (``BEGIN [ENCRYPTED] PRIVATE KEY``) or
                ``'traditional'`` (``BEGIN EC PRIVATE KEY`` with
                ``Proc-Type: 4,ENCRYPTED``), for PEM keys.
            legacy: PKCS#12 with 3DES and SHA-1 instead of AES-256.
            not_before: start of validity (default: now).
            not_after: end of validity (default: in ten years), e.g. in
                the past for an expired certificate.

        Returns:
            str: the path of the file; a ``(certificate, key)`` pair of
            paths for ``form='pair'``.

        Example:
            >>> certificates.issue_client_cert(  # doctest: +SKIP
            ...     'me', form='pkcs12', password='secret')
            '/tmp/certs/me.p12'
        """
        if form not in CLIENT_FORMS:
            raise ValueError('form must be one of {0}, got {1!r}'.format(
                CLIENT_FORMS, form))
        leaf = self._ca.issue_cert(common_name=common_name,
                                   organization_name='pylmod tests',
                                   not_before=not_before, not_after=not_after)
        if form == 'pkcs12':
            path = self._path(filename or common_name + '.p12')
            write_private(path, _pkcs12(leaf, common_name, password, legacy))
            return path
        key = _key_pem(leaf, password, key_format)
        chain = b''.join(pem.bytes() for pem in leaf.cert_chain_pems)
        if form == 'pair':
            stem = (filename or common_name + '.pem').rsplit('.', 1)[0]
            cert_path = self._path(stem + '-cert.pem')
            key_path = self._path(stem + '-key.pem')
            with open(cert_path, 'wb') as cert_file:
                cert_file.write(chain)
            write_private(key_path, key)
            return cert_path, key_path
        path = self._path(filename or common_name + '.pem')
        write_private(path, key + chain)
        return path
