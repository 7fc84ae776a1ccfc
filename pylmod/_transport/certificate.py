"""The client certificate of an LMod client: :class:`ClientCertificate`.

LMod authenticates its callers with an x.509 client certificate.  A client
takes it as its users hold it (see :data:`Certificate`): one PEM file with
the certificate and its key, a ``(certificate, key)`` pair, a PKCS#12 file
(``.p12``/``.pfx``, recognised by its content), an encrypted key with its
password, or a ready :class:`ssl.SSLContext`.

The files are only checked for readability when the client is made (PyLmod
1.0.x read nothing then, and callers' test suites pass placeholder files).
The certificate is read, checked and loaded into the client's SSL context
once, on the first TLS handshake, before anything is sent:
:meth:`ClientCertificate.load`.  OpenSSL is given a password callback, so it
never asks for a password on the terminal; a missing or wrong password, a
key that does not belong to the certificate, an expired certificate or a
file that is not a certificate raises
:class:`~pylmod.exceptions.PyLmodCertificateError`, whose message names the
file, what is wrong and what to do.
"""
from __future__ import annotations

import datetime
import logging
import os
import ssl
import threading
import warnings
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from pylmod.exceptions import (
    PyLmodCertificateError,
    PyLmodCertificatePasswordError,
    PyLmodCertificateWarning,
)

if TYPE_CHECKING:  # pragma: no cover
    from pylmod._transport.certificate_files import (
        CertificateFields,
        CertificateFile,
    )

# The file readers (pylmod._transport.certificate_files) are imported when
# a certificate is first read, not by `import pylmod`: a script that makes
# no call, or a test suite passing placeholder files, never reads one.

log = logging.getLogger(__name__)

#: A password: text, bytes, or a callable returning one (called only when a
#: key turns out to be encrypted, e.g. to read a keyring).
Password = Union[str, bytes, Callable[[], Union[str, bytes]], None]

#: A client certificate as a client takes it: the path of a PEM file with
#: the certificate and its key (what 1.0.x took) or of a PKCS#12 file; a
#: ``(certificate, key)`` pair (tuple or list; the key ``None`` when the
#: first file holds it); a ``(certificate, key, password)`` triple; a ready
#: :class:`ssl.SSLContext`; a :class:`ClientCertificate`; or ``None``.
Certificate = Union[str, 'os.PathLike[str]', Sequence[Any], ssl.SSLContext,
                    'ClientCertificate', None]

#: A certificate expiring within this many days gives a
#: :class:`~pylmod.exceptions.PyLmodCertificateWarning` when it is loaded.
EXPIRY_WARNING_DAYS = 30

#: Where the password options are, for messages.
PASSWORD_OPTIONS = ('cert_password=, or the pylmod command\'s '
                    '--cert-password-file or PYLMOD_CERT_PASSWORD')


# An ssl.SSLError, so that urllib3 treats it as a TLS error (never
# retried); Base.rest_action raises the error it carries.
class HandshakeNotStarted(ssl.SSLError):
    """Raised by the SSL context instead of starting a handshake with a
    certificate that cannot be loaded; carries the
    :class:`~pylmod.exceptions.PyLmodCertificateError` (``error``).
    """

    def __init__(self, error: PyLmodCertificateError) -> None:
        super().__init__(str(error))
        self.error = error


class _LoadOnFirstHandshake(ssl.SSLContext):
    """The SSL context of a client: it loads its client certificate on its
    first handshake (so a client made with a placeholder file works as long
    as nothing is sent over TLS, as with PyLmod 1.0.x)."""

    certificate: 'ClientCertificate'

    def _load(self) -> None:
        try:
            self.certificate.load()
        except PyLmodCertificateError as err:
            raise HandshakeNotStarted(err) from err

    def wrap_socket(self, *args: Any, **kwargs: Any) -> Any:
        self._load()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> Any:
        self._load()
        return super().wrap_bio(*args, **kwargs)


def _new_context(certificate: 'ClientCertificate') -> ssl.SSLContext:
    """Return a context configured as urllib3 configures its own."""
    context = _LoadOnFirstHandshake(ssl.PROTOCOL_TLS_CLIENT)
    context.certificate = certificate
    # urllib3 sets verify_mode per connection (requests' verify=) and then
    # matches the host name itself; it cannot turn verification off on a
    # context that checks host names.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.hostname_checks_common_name = False
    except AttributeError:  # pragma: no cover - OpenSSL without the flag
        pass
    # A server may ask for the certificate after the handshake (TLS 1.3).
    context.post_handshake_auth = True
    keylog = os.environ.get('SSLKEYLOGFILE')
    if keylog:
        context.keylog_filename = keylog
    return context


def _split(cert: Certificate) -> Tuple[Any, Any, Password]:
    """Return ``(certificate, key, password)`` of what a client was given."""
    if isinstance(cert, (str, os.PathLike, ssl.SSLContext)) or cert is None:
        return cert, None, None
    if isinstance(cert, (tuple, list)) and len(cert) in (2, 3):
        return cert[0], cert[1], cert[2] if len(cert) == 3 else None
    raise TypeError(
        'cert must be the path of your certificate file, a (certificate, '
        'key) or (certificate, key, password) tuple, or an ssl.SSLContext; '
        'got {0!r}'.format(cert))


def _path(value: Any) -> Optional[str]:
    return None if value is None else os.path.expanduser(os.fspath(value))


class ClientCertificate:
    """A client certificate, read and loaded once, never prompting.

    Args:
        cert: see :data:`Certificate`.
        password: the password of the key or PKCS#12 file (see
            :data:`Password`), if not the third item of ``cert``.

    Raises:
        TypeError: ``cert`` is none of :data:`Certificate`.
        ValueError: two passwords, or a password with an SSL context.

    Attributes:
        path (str): the certificate file (``~`` expanded), or ``None``.
        key_path (str): the key file, or ``None`` when ``path`` holds it.
        fields (CertificateFields): its CN and validity, once loaded.

    Example:
        >>> certificate = ClientCertificate('~/lmod.p12', password='secret')
        >>> certificate.load()  # doctest: +SKIP
        >>> GradeBook(certificate, gbuuid=UUID)  # doctest: +SKIP
    """

    def __init__(self, cert: Certificate, password: Password = None) -> None:
        if isinstance(cert, ClientCertificate):
            raise TypeError('cert is a ClientCertificate already')
        given, key, tuple_password = _split(cert)
        if password is not None and tuple_password is not None:
            raise ValueError('the certificate password is given twice: as '
                             'the third item of cert and as a password')
        self._password = tuple_password if password is None else password
        self._context: Optional[ssl.SSLContext] = None
        if isinstance(given, ssl.SSLContext):
            if key is not None or self._password is not None:
                raise ValueError('an ssl.SSLContext comes with its '
                                 'certificate: give no key nor password')
            self._context = given
        self.path = None if self._context else _path(given)
        self.key_path = _path(key)
        self.fields: Optional[CertificateFields] = None
        self._loaded = self.path is None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, cert: Certificate,
           password: Password = None) -> 'ClientCertificate':
        """Return ``cert`` if it is a :class:`ClientCertificate` (then
        ``password`` must be ``None``), else a new one."""
        if isinstance(cert, ClientCertificate):
            if password is not None:
                raise ValueError('give the password to the '
                                 'ClientCertificate itself')
            return cert
        return cls(cert, password)

    def __str__(self) -> str:
        """E.g. ``'CN=my-app (/home/me/lmod.pem)'``."""
        if self.path is None:
            return ('the certificate of the SSL context given'
                    if self._context else 'no client certificate')
        name = 'CN={0} '.format(self.fields.common_name) if (
            self.fields and self.fields.common_name) else ''
        return '{0}({1})'.format(name, self.path) if name else self.path

    def check_readable(self) -> None:
        """Check that the files can be opened (all a client does when it is
        made).

        Raises:
            PyLmodCertificateError: a file is missing or unreadable.
        """
        for path in (self.path, self.key_path):
            if path is None:
                continue
            try:
                with open(path, 'rb'):
                    pass
            except OSError as err:
                from pylmod._transport.certificate_files import unreadable
                raise unreadable(path, err) from err

    @property
    def context(self) -> Optional[ssl.SSLContext]:
        """The SSL context that presents the certificate (``None`` for no
        certificate); it loads the certificate on its first handshake."""
        if self._context is None and self.path is not None:
            with self._lock:
                if self._context is None:
                    self._context = _new_context(self)
        return self._context

    def load(self) -> 'ClientCertificate':
        """Read, check and load the certificate into :attr:`context`, once.

        Safe to call from several threads, and again (it then does
        nothing).  The ``pylmod`` command calls it before its first request;
        a client calls it on its first TLS handshake.

        Raises:
            PyLmodCertificateError: the certificate cannot be used; the
                message names the file, what is wrong and what to do.
            PyLmodCertificatePasswordError: a password is needed and none
                was given, or it is wrong.

        Returns:
            ClientCertificate: itself, loaded.
        """
        context = self.context
        with self._lock:
            if self._loaded:
                return self
            assert self.path is not None and context is not None
            from pylmod._transport.certificate_files import (
                PKCS12,
                read_certificate_file,
            )
            certificate_file = read_certificate_file(self.path)
            if certificate_file.kind == PKCS12:
                self._load_pkcs12(context, certificate_file)
            else:
                self._load_pem(context, certificate_file)
            self._loaded = True
            log.info('Loaded the client certificate %s', self)
        return self

    def _password_bytes(self) -> Optional[bytes]:
        password = self._password
        if callable(password):
            password = password()
        if isinstance(password, str):
            return password.encode('utf-8')
        return password

    def _load_pkcs12(self, context: ssl.SSLContext,
                     certificate_file: CertificateFile) -> None:
        assert self.path is not None
        if self.key_path is not None:
            raise PyLmodCertificateError(
                '{0!r} is a PKCS#12 file, which holds its own key: pass it '
                'alone, without a key file.'.format(self.path), self.path)
        # Imported for a PKCS#12 file only: with dataclasses it would add a
        # quarter to what `import pylmod` takes beyond `import requests`.
        from pylmod._transport import pkcs12
        bundle = pkcs12.read_pkcs12(certificate_file.data,
                                    self._password_bytes(), self.path)
        self._check_validity(bundle.certificate_der, self.path)
        with pkcs12.pem_file(bundle) as (pem_path, password):
            try:
                context.load_cert_chain(pem_path, password=password)
            except ssl.SSLError as err:
                raise self._load_error(err, asked=False) from err

    def _load_pem(self, context: ssl.SSLContext,
                  certificate_file: CertificateFile) -> None:
        assert self.path is not None
        from pylmod._transport.certificate_files import (
            read_certificate_file,
            require_contents,
        )
        key_file = certificate_file
        if self.key_path is not None:
            key_file = read_certificate_file(self.key_path)
        require_contents(certificate_file, key_file)
        self._check_validity(certificate_file.certificates[0], self.path)
        password = self._password_bytes() if key_file.encrypted_key else None
        if key_file.encrypted_key and password is None:
            raise PyLmodCertificatePasswordError(
                'The private key in {0!r} is encrypted and no password was '
                'given: pass it ({1}).'.format(key_file.path,
                                               PASSWORD_OPTIONS),
                key_file.path)
        asked = []

        def give_password() -> bytes:
            # OpenSSL calls this instead of prompting on the terminal.
            asked.append(True)
            if password is None:
                raise PyLmodCertificatePasswordError(
                    'The private key in {0!r} is encrypted and no password '
                    'was given: pass it ({1}).'.format(
                        key_file.path, PASSWORD_OPTIONS), key_file.path)
            return password
        try:
            context.load_cert_chain(self.path, self.key_path,
                                    password=give_password)
        except ssl.SSLError as err:
            raise self._load_error(err, bool(asked)) from err

    def _load_error(self, err: ssl.SSLError,
                    asked: bool) -> PyLmodCertificateError:
        key_path = self.key_path or self.path or ''
        if getattr(err, 'reason', None) == 'KEY_VALUES_MISMATCH':
            return PyLmodCertificateError(
                'The private key in {0!r} does not belong to the certificate '
                'in {1!r} (the first certificate of the file counts): pass '
                'the key of this certificate.'.format(key_path, self.path),
                key_path)
        if asked:
            return PyLmodCertificatePasswordError(
                'The password given does not decrypt the private key in '
                '{0!r}: check it ({1}).'.format(key_path, PASSWORD_OPTIONS),
                key_path)
        return PyLmodCertificateError(
            'OpenSSL cannot load the client certificate {0!r} ({1}): check '
            'that it holds your LMod certificate and its key.'.format(
                self.path, err), self.path or '')

    def _check_validity(self, der: bytes, path: str) -> None:
        from pylmod._transport.certificate_files import certificate_fields
        try:
            fields = certificate_fields(der)
        except (IndexError, ValueError) as err:
            raise PyLmodCertificateError(
                'The certificate in {0!r} cannot be read ({1}): copy the '
                'file again from where you got it.'.format(path, err),
                path) from err
        self.fields = fields
        now = datetime.datetime.now(datetime.timezone.utc)
        when = '{1:%Y-%m-%d %H:%M} UTC'
        if fields.not_after < now:
            raise PyLmodCertificateError(
                ('The client certificate {0} expired on ' + when + ': renew '
                 'it, as you got it, and pass the new one.').format(
                    self, fields.not_after), path)
        if fields.not_before > now:
            raise PyLmodCertificateError(
                ('The client certificate {0} is not valid before ' + when +
                 ': check the clock of this machine.').format(
                    self, fields.not_before), path)
        days = (fields.not_after - now).days
        if days < EXPIRY_WARNING_DAYS:
            message = ('The client certificate {0} expires on ' + when +
                       ', in {2} days: renew it before then.').format(
                           self, fields.not_after, days)
            warnings.warn(message, PyLmodCertificateWarning, stacklevel=2)
