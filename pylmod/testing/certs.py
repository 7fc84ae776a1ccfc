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
import contextlib
import datetime
import hashlib
import logging
import os
import re
import ssl
from typing import Any, Iterator, Optional, Tuple, Union

log = logging.getLogger(__name__)

#: The common name of the client certificate the fake server accepts.
DEFAULT_CLIENT_NAME = 'pylmod-test-client'

#: The host names the server certificate is valid for.
SERVER_HOSTS = ('127.0.0.1', 'localhost')

#: The mail domain of the client certificates' identities.  A client
#: certificate names who holds it in its subject alternative name, as an
#: MIT personal certificate names its owner's address; ``.invalid`` is
#: reserved (RFC 2606), so no such address can exist.
CLIENT_EMAIL_DOMAIN = 'pylmod-fake.invalid'


class FakeCertificateError(RuntimeError):
    """The fake's throwaway certificates could not be made.

    Raised instead of the bare error of ``trustme`` or ``cryptography`` (a
    release of either may refuse what an older one built), naming the
    versions installed and what to do.
    """


def client_email(common_name: str) -> str:
    """The e-mail identity of a client certificate for ``common_name``.

    Example:
        >>> client_email('pylmod-test-client')
        'pylmod-test-client@pylmod-fake.invalid'
    """
    local_part = re.sub(r'[^A-Za-z0-9.+-]+', '-', common_name).strip('.-')
    return '{0}@{1}'.format(local_part or 'client', CLIENT_EMAIL_DOMAIN)


def _versions() -> str:
    """The installed releases of the packages that build certificates."""
    from importlib import metadata
    found = []
    for package in ('cryptography', 'trustme'):
        try:
            found.append('{0} {1}'.format(package,
                                          metadata.version(package)))
        except metadata.PackageNotFoundError:
            found.append('{0} (not installed)'.format(package))
    return ', '.join(found)


@contextlib.contextmanager
def _making(what: str) -> Iterator[None]:
    """Turn a failure to build certificate material into a
    :class:`FakeCertificateError` that says what failed and what to do."""
    try:
        yield
    except (ValueError, TypeError, AttributeError) as err:
        raise FakeCertificateError(
            'the fake LMod could not make {0} ({1}: {2}) with {3}. A newer '
            'release of one of these may refuse what pylmod asks for: '
            'upgrade pylmod, or install the releases its CI tests '
            '(pip install "pylmod[testing]" "cryptography<{4}"), and '
            'report it at https://github.com/mitodl/pylmod/issues'.format(
                what, type(err).__name__, err, _versions(),
                _next_major('cryptography'))) from err


def _next_major(package: str) -> str:
    """The next major release of an installed package, e.g. ``'52'``."""
    from importlib import metadata
    try:
        major = metadata.version(package).split('.')[0]
        return str(int(major) + 1)
    except (metadata.PackageNotFoundError, ValueError):
        return 'the one installed'


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


#: When a client certificate becomes valid by default (trustme's choice,
#: kept: any clock, however wrong, is past it).
CLIENT_NOT_BEFORE = datetime.datetime(2000, 1, 1,
                                      tzinfo=datetime.timezone.utc)

#: How long from now a client certificate stays valid by default.
CLIENT_VALIDITY = datetime.timedelta(days=3650)


class _ClientLeaf:
    """A client certificate and its key, as ``cryptography`` objects.

    Issued by the root CA itself, it has no chain to send: its files hold
    the certificate alone, as trustme's did.
    """

    def __init__(self, key: Any, certificate: Any) -> None:
        self.key = key
        self.certificate = certificate

    def certificate_pem(self) -> bytes:
        """The certificate as PEM."""
        from cryptography.hazmat.primitives import serialization
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _issue_client(ca: Any, common_name: str,
                  not_before: Optional[datetime.datetime],
                  not_after: Optional[datetime.datetime]) -> _ClientLeaf:
    """A client certificate signed by ``ca`` (a ``trustme.CA``), built with
    cryptography's own builder and every field set on purpose.

    trustme issues leaf certificates for servers: its subject alternative
    name is critical, which RFC 5280 allows only for an empty subject, and
    empty when no identity is given (cryptography 51 refuses to build that).
    A client certificate here is what a personal certificate is: a subject
    with the common name, and the holder's e-mail address as a non-critical
    subject alternative name, for client authentication only.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    ca_key: Any = serialization.load_pem_private_key(
        ca.private_key_pem.bytes(), None)
    ca_certificate = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or CLIENT_NOT_BEFORE
    end = not_after or CLIENT_VALIDITY + (
        not_before or datetime.datetime.now(datetime.timezone.utc))
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=False,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=False, crl_sign=False, encipher_only=False,
        decipher_only=False)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'pylmod tests'),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                       critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(
            [x509.RFC822Name(client_email(common_name))]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(
            key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca_key.public_key()), critical=False))
    certificate = builder.sign(ca_key, hashes.SHA256())
    return _ClientLeaf(key, certificate)


def _key_pem(leaf: _ClientLeaf, password: Optional[str],
             key_format: str) -> bytes:
    """A leaf's private key as PEM: PKCS#8 or traditional, encrypted with
    ``password`` (AES-256) or not."""
    from cryptography.hazmat.primitives import serialization
    layout = {'pkcs8': serialization.PrivateFormat.PKCS8,
              'traditional': serialization.PrivateFormat.TraditionalOpenSSL
              }[key_format]
    encryption = (serialization.NoEncryption() if password is None else
                  serialization.BestAvailableEncryption(
                      password.encode('utf-8')))
    return leaf.key.private_bytes(serialization.Encoding.PEM, layout,
                                  encryption)


def _pkcs12(leaf: _ClientLeaf, name: str, password: Optional[str],
            legacy: bool) -> bytes:
    """A leaf as PKCS#12: no password, modern (AES-256, PBKDF2) or legacy
    (3DES, SHA-1: what older tools export) encryption."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
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
        name.encode('utf-8'), leaf.key, leaf.certificate, None, encryption)


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
        with _making('its certificate authority'):
            self._ca = trustme.CA(organization_name='pylmod fake LMod CA')
        self.ca_cert = self._path('ca.pem')
        self._ca.cert_pem.write_to_path(self.ca_cert)
        self.server_cert = self._path('server.pem')
        with _making('its server certificate'):
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
        service depends on its allow-list.  Its subject alternative name is
        the e-mail address :func:`client_email` of ``common_name``: a client
        certificate names who holds it (and ``cryptography`` 51 refuses an
        empty one).

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
            not_before: start of validity (default: 1 January 2000).
            not_after: end of validity (default: ten years after now, or
                after ``not_before``), e.g. in
                the past for an expired certificate.

        Returns:
            str: the path of the file; a ``(certificate, key)`` pair of
            paths for ``form='pair'``.

        Example:
            >>> certificates.issue_client_cert(  # doctest: +SKIP
            ...     'me', form='pkcs12', password='secret')
            '/tmp/certs/me.p12'

        Raises:
            FakeCertificateError: ``trustme`` or ``cryptography`` could not
                build it (the message names their versions).
        """
        if form not in CLIENT_FORMS:
            raise ValueError('form must be one of {0}, got {1!r}'.format(
                CLIENT_FORMS, form))
        with _making('a client certificate for {0!r}'.format(common_name)):
            leaf = _issue_client(self._ca, common_name, not_before,
                                 not_after)
            if form == 'pkcs12':
                content = _pkcs12(leaf, common_name, password, legacy)
            else:
                key = _key_pem(leaf, password, key_format)
        if form == 'pkcs12':
            path = self._path(filename or common_name + '.p12')
            write_private(path, content)
            return path
        chain = leaf.certificate_pem()
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
