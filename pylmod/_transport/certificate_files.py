"""What a client certificate file holds, read with the standard library.

Before loading a client certificate into OpenSSL, pylmod looks at its files
(see :mod:`pylmod._transport.certificate`): PEM certificates and keys (and
whether a key is encrypted), a PKCS#12 bundle, binary DER, or nothing it knows;
and, for the certificate, who it names and when it expires.  PEM is text; the
three fields needed are read from the certificate's DER by the short reader
below (:func:`certificate_fields`), so that no optional dependency is needed
for a PEM certificate.  Whether the key belongs to the certificate is left to
OpenSSL, which checks it on loading.
"""
from __future__ import annotations

import binascii
import datetime
import os
import re
from typing import Iterator, List, NamedTuple, Tuple

from pylmod.exceptions import PyLmodCertificateError

#: :attr:`CertificateFile.kind` of a file with PEM blocks.
PEM = 'PEM'
#: :attr:`CertificateFile.kind` of a PKCS#12 bundle (``.p12``, ``.pfx``).
PKCS12 = 'PKCS#12'
#: :attr:`CertificateFile.kind` of binary DER that is not PKCS#12.
DER = 'DER'
#: :attr:`CertificateFile.kind` of an empty file.
EMPTY = 'empty'
#: :attr:`CertificateFile.kind` of anything else.
UNKNOWN = 'unknown'

#: PEM labels of a certificate.
CERTIFICATE_LABELS = frozenset({b'CERTIFICATE', b'X509 CERTIFICATE'})
#: PEM labels of a private key: PKCS#8 (plain and encrypted) and the
#: "traditional" OpenSSL layouts.
KEY_LABELS = frozenset({b'PRIVATE KEY', b'ENCRYPTED PRIVATE KEY',
                        b'RSA PRIVATE KEY', b'EC PRIVATE KEY',
                        b'DSA PRIVATE KEY'})

_PEM_BLOCK = re.compile(
    rb'-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----', re.DOTALL)
# The object identifier of commonName (2.5.4.3), DER-encoded.
_COMMON_NAME_OID = b'\x55\x04\x03'
_UTC = datetime.timezone.utc


class CertificateFields(NamedTuple):
    """What pylmod reads of a certificate.

    Attributes:
        common_name: the subject's CN (``''`` when it has none).
        not_before: start of validity (UTC).
        not_after: end of validity (UTC).
    """

    common_name: str
    not_before: datetime.datetime
    not_after: datetime.datetime


class CertificateFile:
    """What one file holds.

    Attributes:
        path: the file.
        kind: :data:`PEM`, :data:`PKCS12`, :data:`DER`, :data:`EMPTY` or
            :data:`UNKNOWN`.
        data: its bytes.
        certificates: the DER of each PEM certificate, in file order.
        keys: the PEM label of each private key.
        encrypted_key: a private key is encrypted (PKCS#8
            ``ENCRYPTED PRIVATE KEY`` or a traditional key with
            ``Proc-Type: 4,ENCRYPTED``).
        other_labels: the labels of the other PEM blocks (e.g.
            ``CERTIFICATE REQUEST``).
    """

    # (Not a dataclass: importing dataclasses would add a quarter to what
    # `import pylmod` takes beyond `import requests`.)

    def __init__(self, path: str, kind: str, data: bytes) -> None:
        self.path = path
        self.kind = kind
        self.data = data
        self.certificates: List[bytes] = []
        self.keys: List[str] = []
        self.encrypted_key = False
        self.other_labels: List[str] = []

    def __repr__(self) -> str:
        return ('CertificateFile(path={0.path!r}, kind={0.kind!r}, '
                '{1} certificates, keys={0.keys!r}, encrypted_key='
                '{0.encrypted_key!r}, other_labels={0.other_labels!r})'
                .format(self, len(self.certificates)))


def read_certificate_file(path: str) -> CertificateFile:
    """Read a certificate or key file and say what it holds.

    Args:
        path: the file.

    Raises:
        PyLmodCertificateError: it cannot be read, or a PEM certificate in
            it is not base64.

    Returns:
        CertificateFile: what it holds.
    """
    try:
        with open(path, 'rb') as certificate_file:
            data = certificate_file.read()
    except OSError as err:
        raise unreadable(path, err) from err
    if b'-----BEGIN ' in data:
        return _read_pem(path, data)
    if not data.strip():
        return CertificateFile(path, EMPTY, data)
    try:
        kind = PKCS12 if _is_pkcs12(data) else DER
    except (IndexError, ValueError):
        kind = UNKNOWN
    return CertificateFile(path, kind, data)


def unreadable(path: str, err: OSError) -> PyLmodCertificateError:
    """Return the error of a certificate file that cannot be opened."""
    return PyLmodCertificateError(
        'Cannot read the client certificate file {0!r}: {1}. Pass the path '
        'of the file holding your LMod certificate and its private key (PEM '
        'or PKCS#12), or a (certificate, key) pair of paths.'.format(
            os.fspath(path), err.strerror or err), os.fspath(path))


def _read_pem(path: str, data: bytes) -> CertificateFile:
    contents = CertificateFile(path, PEM, data)
    for match in _PEM_BLOCK.finditer(data):
        label, body = match.group(1), match.group(2)
        if label in CERTIFICATE_LABELS:
            try:
                contents.certificates.append(binascii.a2b_base64(body))
            except binascii.Error as err:
                raise PyLmodCertificateError(
                    'The certificate in {0!r} is damaged (not base64: {1}): '
                    'copy the file again from where you got it.'.format(
                        path, err), path) from err
        elif label in KEY_LABELS:
            contents.keys.append(label.decode('ascii'))
            contents.encrypted_key = contents.encrypted_key or (
                label == b'ENCRYPTED PRIVATE KEY'
                or b'Proc-Type: 4,ENCRYPTED' in body)
        else:
            contents.other_labels.append(label.decode('ascii'))
    return contents


def _element(data: bytes, offset: int) -> Tuple[int, int, int]:
    """Return ``(tag, content start, end)`` of the DER element at
    ``offset`` (single-byte tags: all that certificates use here)."""
    tag, length = data[offset], data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7f
        if not 1 <= count <= 4:
            raise ValueError('unsupported DER length')
        length = int.from_bytes(data[start:start + count], 'big')
        start += count
    end = start + length
    if end > len(data):
        raise ValueError('truncated DER')
    return tag, start, end


def _children(data: bytes, start: int, end: int
              ) -> Iterator[Tuple[int, int, int]]:
    """Yield the elements inside a constructed element's content."""
    while start < end:
        element = _element(data, start)
        yield element
        start = element[2]


def _is_pkcs12(data: bytes) -> bool:
    """A PFX (RFC 7292) is a SEQUENCE starting with INTEGER 3."""
    tag, start, end = _element(data, 0)
    if tag != 0x30:
        raise ValueError('not DER')
    return data[start:start + 3] == b'\x02\x01\x03'


def _time(data: bytes, element: Tuple[int, int, int]) -> datetime.datetime:
    tag, start, end = element
    text = data[start:end].decode('ascii')
    if tag == 0x17:  # UTCTime, YYMMDDHHMMSSZ; RFC 5280: 50-99 are 19xx
        year = int(text[:2])
        text = str(year + (1900 if year >= 50 else 2000)) + text[2:]
    elif tag != 0x18:  # GeneralizedTime, YYYYMMDDHHMMSSZ
        raise ValueError('not a time')
    return datetime.datetime.strptime(text, '%Y%m%d%H%M%SZ').replace(
        tzinfo=_UTC)


def _text(data: bytes, element: Tuple[int, int, int]) -> str:
    tag, start, end = element
    value = data[start:end]
    if tag == 0x1e:  # BMPString
        return value.decode('utf-16-be')
    if tag == 0x1c:  # UniversalString
        return value.decode('utf-32-be')
    # UTF8String; PrintableString, IA5String, TeletexString are ASCII-like.
    return value.decode('utf-8', 'replace')


def _common_name(data: bytes, name: Tuple[int, int, int]) -> str:
    # Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }
    for _, set_start, set_end in _children(data, name[1], name[2]):
        for _, start, end in _children(data, set_start, set_end):
            oid, value = list(_children(data, start, end))[:2]
            if data[oid[1]:oid[2]] == _COMMON_NAME_OID:
                return _text(data, value)
    return ''


def certificate_fields(der: bytes) -> CertificateFields:
    """Read the subject CN and the validity of a DER certificate.

    Args:
        der: the certificate (RFC 5280 ``Certificate``).

    Raises:
        ValueError: it is not a certificate (``IndexError`` too, for
            truncated data).

    Returns:
        CertificateFields: the CN and the validity.
    """
    _, start, end = _element(der, 0)        # Certificate
    _, start, end = _element(der, start)    # tbsCertificate
    fields = list(_children(der, start, end))
    if fields[0][0] == 0xa0:                # [0] version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, ...
    validity, subject = fields[3], fields[4]
    not_before, not_after = list(_children(der, validity[1], validity[2]))
    return CertificateFields(_common_name(der, subject),
                             _time(der, not_before), _time(der, not_after))


def require_contents(certificate_file: CertificateFile,
                     key_file: CertificateFile) -> None:
    """Raise the one-sentence error of a file that lacks what it must hold:
    the certificate file a certificate, the key file a private key.

    Raises:
        PyLmodCertificateError: naming the file, what it holds and what to
            do.
    """
    if not certificate_file.certificates:
        raise PyLmodCertificateError(
            _lacking(certificate_file, 'certificate', 'client certificate '
                     'file', 'pass the file with your LMod certificate (PEM '
                     '"-----BEGIN CERTIFICATE-----", or the .p12 file)'),
            certificate_file.path)
    if not key_file.keys:
        if key_file is certificate_file:
            role, advice = ('client certificate file', 'pass its private '
                            'key too, as a (certificate, key) pair (the '
                            'pylmod command: --key KEY)')
        else:
            role, advice = ('key file', 'pass the file holding the private '
                            'key of this certificate')
        raise PyLmodCertificateError(
            _lacking(key_file, 'private key', role, advice), key_file.path)


def _lacking(contents: CertificateFile, what: str, role: str,
             advice: str) -> str:
    """The message of a file without its ``what`` (a certificate, a private
    key)."""
    path = contents.path
    if contents.kind == DER:
        return ('The file {0!r} is binary (DER) data that is not PKCS#12: '
                'convert it to PEM with openssl (`openssl x509 -inform der '
                '-in {0}` for a certificate) and pass the PEM file.'.format(
                    path))
    if contents.kind == PKCS12:
        return ('{0!r} is a PKCS#12 file: pass it alone as the certificate, '
                'without a key file.'.format(path))
    if contents.kind == EMPTY:
        found = 'is empty'
    elif contents.certificates or contents.keys:
        found = 'holds {0} but no {1}'.format(
            'a certificate' if contents.certificates else 'a private key',
            what)
    elif contents.other_labels:
        found = 'holds no {0}, only {1}'.format(
            what, ', '.join(sorted(set(contents.other_labels))))
    else:
        found = 'is neither PEM nor PKCS#12'
    return 'The {0} {1!r} {2}: {3}.'.format(role, path, found, advice)
