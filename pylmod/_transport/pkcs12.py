"""PKCS#12 client certificates (``.p12``, ``.pfx``), as MIT issues them.

Reading PKCS#12 needs the optional ``cryptography`` package: ``pip install
'pylmod[pkcs12]'``.  Python's :mod:`ssl` loads a client certificate only
from files, so :func:`pem_file` writes the certificate chain and the
private key to one PEM file for OpenSSL to load, and removes it at once:

* the key is written **encrypted**, with a random password held only in
  memory (never in plain text on disk);
* the file is created ``0600`` in a private directory (``0700``) made by
  :func:`tempfile.mkdtemp`, and both are removed as soon as OpenSSL has
  loaded the file (before any connection is made).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional, Tuple

from pylmod.exceptions import (
    PyLmodCertificateError,
    PyLmodCertificatePasswordError,
)

#: How to install what reading PKCS#12 needs.
PKCS12_EXTRA = "pip install 'pylmod[pkcs12]'"


def _serialization(path: str) -> Any:
    """Import ``cryptography``'s serialization, or say how to get it."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError as err:
        raise PyLmodCertificateError(
            '{0!r} is a PKCS#12 file, and reading it needs the optional '
            'cryptography package: {1}, or convert it to PEM with `openssl '
            'pkcs12 -in {0} -out lmod.pem` and pass lmod.pem.'.format(
                path, PKCS12_EXTRA), path) from err
    return serialization, pkcs12


@dataclass
class Pkcs12Bundle:
    """What a PKCS#12 file holds (``cryptography`` objects).

    Attributes:
        key: the private key.
        certificate: its certificate.
        chain: the other certificates (intermediate CAs).
        certificate_der: the certificate, DER-encoded.
    """

    key: Any
    certificate: Any
    chain: List[Any]
    certificate_der: bytes


def read_pkcs12(data: bytes, password: Optional[bytes], path: str
                ) -> Pkcs12Bundle:
    """Open a PKCS#12 bundle.

    A bundle without a password opens whatever the password given.

    Args:
        data: the file's bytes.
        password: its password (``None``: none given).
        path: the file, for messages.

    Raises:
        PyLmodCertificateError: ``cryptography`` is missing, or the bundle
            lacks the key or the certificate.
        PyLmodCertificatePasswordError: it needs a password and none was
            given, or the password given does not open it.

    Returns:
        Pkcs12Bundle: the key and certificates.
    """
    serialization, pkcs12 = _serialization(path)
    attempts = [password] if password is None else [password, None]
    for attempt in attempts:
        try:
            key, certificate, chain = pkcs12.load_key_and_certificates(
                data, attempt)
            break
        except ValueError:
            continue
    else:
        raise PyLmodCertificatePasswordError(
            ('{0!r} is a password-protected PKCS#12 file and no password '
             'was given: pass it (cert_password=, or the pylmod command\'s '
             '--cert-password-file or PYLMOD_CERT_PASSWORD).' if password
             is None else 'The password given does not open the PKCS#12 '
             'file {0!r} (or the file is damaged): check the password.'
             ).format(path), path)
    if key is None or certificate is None:
        raise PyLmodCertificateError(
            'The PKCS#12 file {0!r} holds no {1}: export it again with both '
            'your certificate and its private key.'.format(
                path, 'private key' if key is None else 'certificate'), path)
    return Pkcs12Bundle(key, certificate, list(chain or ()),
                        certificate.public_bytes(serialization.Encoding.DER))


@contextlib.contextmanager
def pem_file(bundle: Pkcs12Bundle) -> Iterator[Tuple[str, bytes]]:
    """Write a bundle's key and certificate chain to a private PEM file, the
    key encrypted with a random password; remove it on exit.

    Args:
        bundle: what :func:`read_pkcs12` read.

    Yields:
        tuple: ``(path, password)`` to give
        :meth:`ssl.SSLContext.load_cert_chain`.
    """
    from cryptography.hazmat.primitives import serialization
    password = secrets.token_hex(32).encode('ascii')
    pem = bundle.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password))
    for item in [bundle.certificate, *bundle.chain]:
        pem += item.public_bytes(serialization.Encoding.PEM)
    directory = tempfile.mkdtemp(prefix='pylmod-')  # mode 0700
    try:
        path = os.path.join(directory, 'client.pem')
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o600)
        with os.fdopen(descriptor, 'wb') as pem_output:
            pem_output.write(pem)
        yield path, password
    finally:
        shutil.rmtree(directory, ignore_errors=True)
