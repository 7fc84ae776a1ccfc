"""pylmod._transport.certificate: reading, checking and loading client
certificates.

What a certificate file holds, each one-sentence refusal, PKCS#12 handled
without writing a key in plain text, and the drop-in promise: a client
made with a placeholder file, as 1.0.x callers' test suites do, works with
``responses`` and ``mock`` because nothing is read before a TLS handshake.
The same certificates over mutual TLS are in ``test_certificate_tls.py``.
"""
import datetime
import os
import ssl
import stat
import sys
import warnings
from unittest import mock

import pytest
import requests
import responses

import pylmod._transport.pkcs12
from pylmod import GradeBook
from pylmod._transport import ClientCertificate
from pylmod._transport.certificate_files import (
    DER,
    EMPTY,
    PEM,
    PKCS12,
    UNKNOWN,
    certificate_fields,
    read_certificate_file,
)
from pylmod.base import Base
from pylmod.exceptions import (
    PyLmodCertificateError,
    PyLmodCertificatePasswordError,
    PyLmodCertificateWarning,
)

pytest.importorskip('cryptography')

URLBASE = 'https://learning-modules-test.mit.edu:8443/'
NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope='module')
def certificates(tmp_path_factory):
    from pylmod.testing import TestCertificates
    return TestCertificates(str(tmp_path_factory.mktemp('certificate')))


def issue(certificates, name, **options):
    return certificates.issue_client_cert(name, **options)


# What a file holds ---------------------------------------------------------

def test_reads_pem_blocks_and_whether_the_key_is_encrypted(certificates):
    combined = read_certificate_file(issue(certificates, 'plain'))
    assert (combined.kind, len(combined.certificates), combined.keys,
            combined.encrypted_key) == (PEM, 1, ['PRIVATE KEY'], False)
    for key_format, label in (('pkcs8', 'ENCRYPTED PRIVATE KEY'),
                              ('traditional', 'EC PRIVATE KEY')):
        encrypted = read_certificate_file(issue(
            certificates, 'locked-' + key_format, password='pw',
            key_format=key_format))
        assert encrypted.keys == [label]
        assert encrypted.encrypted_key


def test_recognises_pkcs12_der_empty_and_junk_by_content(certificates,
                                                         tmp_path):
    p12 = issue(certificates, 'bundle', form='pkcs12', password='pw')
    renamed = tmp_path / 'bundle.pem'  # the name does not decide
    renamed.write_bytes(open(p12, 'rb').read())
    cert_path, _ = issue(certificates, 'binary', form='pair')
    der = tmp_path / 'binary.crt'
    der.write_bytes(ssl.PEM_cert_to_DER_cert(open(cert_path).read()))
    empty = tmp_path / 'empty.pem'
    empty.write_text('\n')
    junk = tmp_path / 'junk.pem'
    junk.write_text('not a certificate')
    kinds = [read_certificate_file(str(path)).kind
             for path in (p12, renamed, der, empty, junk)]
    assert kinds == [PKCS12, PKCS12, DER, EMPTY, UNKNOWN]


def test_certificate_fields_are_read_from_der(certificates):
    path = issue(certificates, 'Ada Lovelace', not_after=NOW + 40 * DAY)
    der = read_certificate_file(path).certificates[0]
    fields = certificate_fields(der)
    assert fields.common_name == 'Ada Lovelace'
    assert abs(fields.not_after - NOW) - 40 * DAY < datetime.timedelta(
        seconds=5)
    assert fields.not_before <= NOW
    # The standard library's own decoder agrees.
    decoded = ssl._ssl._test_decode_cert(path)  # noqa: SLF001
    assert ssl.cert_time_to_seconds(decoded['notAfter']) == (
        fields.not_after.timestamp())
    assert ssl.cert_time_to_seconds(decoded['notBefore']) == (
        fields.not_before.timestamp())
    with pytest.raises((ValueError, IndexError)):
        certificate_fields(der[:40])


def test_two_digit_years_follow_rfc_5280():
    from pylmod._transport.certificate_files import _time
    for text, year in ((b'491231235959Z', 2049), (b'500101000000Z', 1950)):
        data = b'\x17' + bytes([len(text)]) + text
        assert _time(data, (0x17, 2, len(data))).year == year


# One sentence for each thing that can be wrong ------------------------------

def load_error(cert, **options):
    with pytest.raises(PyLmodCertificateError) as raised:
        ClientCertificate(cert, **options).load()
    return raised.value


def test_a_certificate_without_its_key_and_a_key_alone(certificates):
    cert_path, key_path = issue(certificates, 'halves', form='pair')
    error = load_error(cert_path)
    assert str(error) == (
        "The client certificate file {0!r} holds a certificate but no "
        "private key: pass its private key too, as a (certificate, key) "
        "pair (the pylmod command: --key KEY).".format(cert_path))
    assert error.path == cert_path
    error = load_error(key_path)
    assert 'holds a private key but no certificate' in str(error)
    error = load_error((cert_path, cert_path))
    assert str(error).startswith(
        'The key file {0!r} holds a certificate but no private key: pass '
        'the file holding the private key of this certificate'.format(
            cert_path))


@pytest.mark.parametrize('content, found', [
    (b'', 'is empty'),
    (b'hello', 'is neither PEM nor PKCS#12'),
    (b'-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n'
     b'-----END CERTIFICATE REQUEST-----\n',
     'holds no certificate, only CERTIFICATE REQUEST'),
])
def test_files_that_are_no_certificate(tmp_path, content, found):
    path = tmp_path / 'lmod.pem'
    path.write_bytes(content)
    error = load_error(str(path))
    assert str(error) == (
        'The client certificate file {0!r} {1}: pass the file with your LMod '
        'certificate (PEM "-----BEGIN CERTIFICATE-----", or the .p12 '
        'file).'.format(str(path), found))


def test_a_binary_certificate_is_named_as_such(certificates, tmp_path):
    cert_path, _ = issue(certificates, 'der', form='pair')
    der = tmp_path / 'der.crt'
    der.write_bytes(ssl.PEM_cert_to_DER_cert(open(cert_path).read()))
    assert 'is binary (DER) data that is not PKCS#12: convert it to PEM' in (
        str(load_error(str(der))))


def test_a_key_of_another_certificate(certificates):
    cert_path, _ = issue(certificates, 'mine', form='pair')
    _, other_key = issue(certificates, 'theirs', form='pair')
    error = load_error((cert_path, other_key))
    assert str(error).startswith(
        'The private key in {0!r} does not belong to the certificate in '
        '{1!r}'.format(other_key, cert_path))


def test_expired_and_not_yet_valid_certificates(certificates):
    expired = issue(certificates, 'old', not_before=NOW - 400 * DAY,
                    not_after=NOW - 2 * DAY)
    error = load_error(expired)
    assert str(error).startswith(
        'The client certificate CN=old ({0}) expired on {1:%Y-%m-%d}'.format(
            expired, NOW - 2 * DAY))
    assert 'renew it' in str(error)
    future = issue(certificates, 'future', not_before=NOW + 2 * DAY)
    assert 'check the clock of this machine' in str(load_error(future))


def test_a_certificate_expiring_soon_warns(certificates):
    soon = issue(certificates, 'soon', not_after=NOW + 10 * DAY)
    with pytest.warns(PyLmodCertificateWarning, match=r'expires on .*, in 9 '
                      r'days: renew it before then'):
        ClientCertificate(soon).load()
    later = issue(certificates, 'later', not_after=NOW + 60 * DAY)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ClientCertificate(later).load()


@pytest.mark.parametrize('options', [
    dict(password='pw'), dict(password='pw', key_format='traditional'),
    dict(form='pair', password='pw'), dict(form='pkcs12', password='pw'),
    dict(form='pkcs12', password='pw', legacy=True),
])
def test_passwords_missing_or_wrong(certificates, options):
    cert = issue(certificates, 'locked', **options)
    missing = load_error(cert)
    assert isinstance(missing, PyLmodCertificatePasswordError)
    assert 'no password was given: pass it (cert_password=' in str(missing)
    wrong = load_error(cert, password='not it')
    assert isinstance(wrong, PyLmodCertificatePasswordError)
    assert 'The password given does not' in str(wrong)
    ClientCertificate(cert, password=lambda: 'pw').load()


def test_a_password_callable_is_called_only_for_an_encrypted_key(
        certificates):
    asked = []

    def keyring():
        asked.append(True)
        return b'pw'
    ClientCertificate(issue(certificates, 'open'), keyring).load()
    assert asked == []
    ClientCertificate(issue(certificates, 'shut', password='pw'),
                      keyring).load()
    assert asked == [True]


def test_a_password_is_given_once(certificates):
    with pytest.raises(ValueError, match='given twice'):
        ClientCertificate(('a.pem', None, 'x'), password='y')
    with pytest.raises(ValueError, match='comes with its certificate'):
        ClientCertificate(ssl.create_default_context(), password='y')
    with pytest.raises(TypeError, match='cert must be'):
        ClientCertificate(42)


# PKCS#12 ---------------------------------------------------------------------

def test_pkcs12_key_touches_disk_only_encrypted_in_a_private_file(
        certificates, monkeypatch):
    seen = {}
    pem_file = pylmod._transport.pkcs12.pem_file

    def watching_pem_file(bundle):
        with pem_file(bundle) as (path, password):
            seen['file'] = stat.S_IMODE(os.stat(path).st_mode)
            seen['directory'] = stat.S_IMODE(
                os.stat(os.path.dirname(path)).st_mode)
            seen['content'] = open(path, 'rb').read()
            seen['path'] = path
            yield path, password
    monkeypatch.setattr(pylmod._transport.pkcs12, 'pem_file',
                        pylmod._transport.pkcs12.contextlib.contextmanager(
                            watching_pem_file))
    ClientCertificate(issue(certificates, 'p12', form='pkcs12',
                            password='pw'), password='pw').load()
    assert (seen['file'], seen['directory']) == (0o600, 0o700)
    assert b'-----BEGIN ENCRYPTED PRIVATE KEY-----' in seen['content']
    assert b'-----BEGIN PRIVATE KEY-----' not in seen['content']
    assert not os.path.exists(os.path.dirname(seen['path']))


def test_pkcs12_without_cryptography_names_the_extra(certificates,
                                                     monkeypatch):
    p12 = issue(certificates, 'no-crypto', form='pkcs12')
    monkeypatch.setitem(sys.modules, 'cryptography.hazmat.primitives', None)
    error = load_error(p12)
    assert "pip install 'pylmod[pkcs12]'" in str(error)
    assert 'openssl pkcs12 -in {0}'.format(p12) in str(error)


def test_pkcs12_with_a_key_file_is_refused(certificates):
    p12 = issue(certificates, 'alone', form='pkcs12')
    assert 'pass it alone' in str(load_error((p12, p12)))


# What a client is given, and when it reads it -------------------------------

def test_paths_are_expanded(certificates, monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path))
    path = issue(certificates, 'home')
    os.replace(path, tmp_path / 'lmod.pem')
    base = Base('~/lmod.pem', URLBASE)
    assert base.certificate.path == str(tmp_path / 'lmod.pem')
    assert base.cert == base._session.cert == '~/lmod.pem'
    base.certificate.load()


def test_a_list_pair_and_a_triple_are_taken(certificates):
    cert_path, key_path = issue(certificates, 'list', form='pair',
                                password='pw')
    for given in ([cert_path, key_path, 'pw'], (cert_path, key_path, 'pw')):
        certificate = Base(given, URLBASE).certificate
        assert (certificate.path, certificate.key_path) == (cert_path,
                                                            key_path)
        certificate.load()
    base = Base([cert_path, key_path], URLBASE, cert_password='pw')
    assert base._session.cert == (cert_path, key_path)
    base.certificate.load()


def test_load_is_done_once(certificates, monkeypatch):
    certificate = ClientCertificate(issue(certificates, 'once'))
    certificate.load()
    monkeypatch.setattr('pylmod._transport.certificate_files.read_certificate_file',
                        mock.Mock(side_effect=AssertionError('read again')))
    certificate.load()
    assert str(certificate) == 'CN=once ({0})'.format(certificate.path)


@pytest.fixture
def placeholder(tmp_path):
    """A certificate file as 1.0.x callers' test suites have: not one."""
    path = tmp_path / 'test_cert.pem'
    path.write_text('dummy')
    return str(path)


def test_a_placeholder_certificate_works_with_responses(placeholder):
    with responses.RequestsMock() as mocked:
        mocked.get(URLBASE + 'service/gradebook/gradebook',
                   json={'data': {'gradebookId': 1293808}})
        mocked.get(URLBASE + 'service/gradebook/students/1293808',
                   json={'data': [{'studentId': 1}]})
        gradebook = GradeBook(placeholder, URLBASE, gbuuid='STELLAR:/x')
        assert gradebook.get_students() == [{'studentId': 1}]
        assert gradebook._session.cert == placeholder
        user_agent = mocked.calls[0].request.headers['User-Agent']
    assert user_agent.startswith('pylmod/')
    assert ' python-requests/' in user_agent


def test_a_placeholder_certificate_works_with_mock(placeholder):
    response = mock.Mock(status_code=200)
    response.json.return_value = {'data': {'gradebookId': 7}}
    with mock.patch.object(requests.Session, 'get', return_value=response):
        assert GradeBook(placeholder, URLBASE, gbuuid='x').gradebook_id == 7


def test_a_placeholder_is_refused_on_the_first_handshake(placeholder,
                                                         lmod_server):
    gradebook = GradeBook(placeholder, lmod_server.url,
                          verify=lmod_server.ca_cert)
    with pytest.raises(PyLmodCertificateError) as raised:
        gradebook.get_gradebook_id('STELLAR:/project/mitxdemosite')
    assert 'is neither PEM nor PKCS#12' in str(raised.value)
    # 1.0.x raised requests' SSLError here: so is this.
    assert isinstance(raised.value, requests.exceptions.SSLError)
    assert lmod_server.requests == []
