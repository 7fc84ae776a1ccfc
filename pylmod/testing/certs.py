"""Throwaway certificate material for the fake LMod.

LMod authenticates its callers with x.509 client certificates.  The fake does
the same, with a certificate authority made up on the spot by `trustme`_
(the optional extra ``pylmod[testing]``): a CA, a server certificate for
``127.0.0.1`` and ``localhost``, and client certificates written as one PEM
holding the certificate and its key, which is what MIT issues and what
:class:`pylmod.GradeBook` takes.

.. _trustme: https://trustme.readthedocs.io/
"""
import hashlib
import logging
import os
import ssl
from typing import Any, Optional

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
        server.private_key_and_cert_chain_pem.write_to_path(self.server_cert)
        self.client_cert = self.issue_client_cert(client_name)
        self.client_fingerprint = certificate_fingerprint(self.client_cert)
        log.info('Test certificates written to %s', self.directory)

    def _path(self, filename: str) -> str:
        return os.path.join(self.directory, filename)

    def issue_client_cert(self, common_name: str,
                          filename: Optional[str] = None) -> str:
        """Issue another client certificate from this CA.

        The server trusts it at the TLS level; whether it may call the
        service depends on its allow-list.

        Args:
            common_name: the certificate subject's common name (CN).
            filename: the file name in :attr:`directory`, default
                ``<common_name>.pem``.

        Returns:
            str: the path of the combined PEM (certificate and key).
        """
        path = self._path(filename or common_name + '.pem')
        leaf = self._ca.issue_cert(common_name=common_name,
                                   organization_name='pylmod tests')
        leaf.private_key_and_cert_chain_pem.write_to_path(path)
        return path
