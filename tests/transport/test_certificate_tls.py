"""Client certificates over mutual TLS, against the fake LMod.

Every way MIT users hold their certificate works with ``GradeBook``, and
every way it can go wrong is refused in one sentence that says what to do:
locally before anything is sent (expired, no password), by the TLS layer
(another CA), or by LMod itself (403).  Nothing ever asks for a password
on the terminal: a client with an encrypted key and no password is run in
a subprocess whose stdin is an open pipe, then a terminal (a pty).
"""
import concurrent.futures
import datetime
import ssl
import subprocess
import sys
import textwrap
import time

import pytest
import requests

from pylmod import GradeBook, Membership
from pylmod.exceptions import (
    CLIENT_REFUSED,
    SERVER_UNTRUSTED,
    PyLmodCertificateError,
    PyLmodCertificatePasswordError,
    PyLmodNotAuthorized,
    PyLmodTLSError,
    PyLmodUnexpectedData,
)
from pylmod.testing import (
    DEMO_COURSE_UUID,
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
    LmodServer,
    TestCertificates,
)

pytest.importorskip('cryptography')

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)
PASSWORD = 'correct horse'

#: Every way to hold a client certificate: issue_client_cert options.
FORMATS = {
    'PEM, key and certificate in one file': {},
    'PEM pair': dict(form='pair'),
    'encrypted PKCS#8 key, one file': dict(password=PASSWORD),
    'encrypted traditional key, one file': dict(
        password=PASSWORD, key_format='traditional'),
    'encrypted PKCS#8 key, two files': dict(form='pair', password=PASSWORD),
    'encrypted traditional key, two files': dict(
        form='pair', password=PASSWORD, key_format='traditional'),
    'PKCS#12 without password': dict(form='pkcs12'),
    'PKCS#12, AES': dict(form='pkcs12', password=PASSWORD),
    'PKCS#12, legacy 3DES': dict(form='pkcs12', password=PASSWORD,
                                 legacy=True),
}


@pytest.fixture
def server(lmod_certificates):
    """The fake LMod, letting certificates named ``alice`` in."""
    with LmodServer(certificates=lmod_certificates,
                    allowed_clients=['CN=alice']) as running:
        yield running


def open_gradebook(server, cert, **options):
    return GradeBook(cert, server.url, gbuuid=DEMO_GRADEBOOK_UUID,
                     verify=server.ca_cert, **options)


@pytest.mark.parametrize('options', FORMATS.values(), ids=list(FORMATS))
def test_every_format_works(server, lmod_certificates, options):
    cert = lmod_certificates.issue_client_cert('alice', **options)
    password = options.get('password')
    gradebook = open_gradebook(server, cert, cert_password=password)
    assert gradebook.gradebook_id == DEMO_GRADEBOOK_ID
    assert len(gradebook.get_students()) == 300
    assert server.requests[-1].headers['user-agent'].startswith('pylmod/')


def test_legacy_rc2_pkcs12_from_openssl(server, lmod_certificates, tmp_path):
    """``openssl pkcs12 -export -legacy``: RC2-40 certificates, 3DES key,
    what older tools and browsers export."""
    cert_path, key_path = lmod_certificates.issue_client_cert(
        'alice', form='pair')
    p12 = tmp_path / 'legacy.p12'
    try:
        subprocess.run(
            ['openssl', 'pkcs12', '-export', '-legacy', '-in', cert_path,
             '-inkey', key_path, '-passout', 'pass:' + PASSWORD, '-out',
             str(p12)], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip('openssl cannot export legacy PKCS#12 here: {0}'.format(
            err))
    gradebook = open_gradebook(server, str(p12), cert_password=PASSWORD)
    assert gradebook.gradebook_id == DEMO_GRADEBOOK_ID


def test_the_password_as_a_third_item_tuple_or_list(server,
                                                    lmod_certificates):
    cert_path, key_path = lmod_certificates.issue_client_cert(
        'alice', form='pair', password=PASSWORD)
    p12 = lmod_certificates.issue_client_cert('alice', form='pkcs12',
                                              password=PASSWORD)
    for cert in ((cert_path, key_path, PASSWORD),
                 [cert_path, key_path, PASSWORD], (p12, None, PASSWORD)):
        assert open_gradebook(server, cert).gradebook_id == DEMO_GRADEBOOK_ID


def test_a_ready_ssl_context(server, lmod_certificates):
    cert_path, key_path = lmod_certificates.issue_client_cert(
        'alice', form='pair', password=PASSWORD)
    context = ssl.create_default_context()
    context.load_cert_chain(cert_path, key_path, password=PASSWORD)
    # By name: urllib3 1.26 gives a context no host name for an IP address,
    # and a context that checks host names then refuses to connect.
    url = 'https://localhost:{0}/'.format(server.port)
    gradebook = GradeBook(context, url, gbuuid=DEMO_GRADEBOOK_UUID,
                          verify=server.ca_cert)
    assert gradebook.gradebook_id == DEMO_GRADEBOOK_ID
    membership = Membership(context, url, verify=server.ca_cert)
    assert membership.get_course_id(DEMO_COURSE_UUID) == 2314


def test_the_certificate_is_loaded_once_per_client(server, lmod_certificates,
                                                   monkeypatch):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    asked = []

    def password():
        asked.append(True)
        return PASSWORD
    gradebook = open_gradebook(server, cert, cert_password=password)
    gradebook._session.close()  # new connections, same context
    gradebook.get_sections()
    assert asked == [True]


def test_threads_share_one_load(server, lmod_certificates):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    asked = []

    def password():
        asked.append(True)
        return PASSWORD
    gradebook = GradeBook(cert, server.url, verify=server.ca_cert,
                          cert_password=password)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda _: gradebook.get_sections(DEMO_GRADEBOOK_ID), range(8)))
    assert asked == [True]
    assert len(answers) == 8 and all(answers)


def test_no_password_fails_before_anything_is_sent(server,
                                                   lmod_certificates):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    with pytest.raises(PyLmodCertificatePasswordError) as raised:
        open_gradebook(server, cert)
    assert str(raised.value) == (
        "The private key in {0!r} is encrypted and no password was given: "
        "pass it (cert_password=, or the pylmod command's "
        "--cert-password-file or PYLMOD_CERT_PASSWORD).".format(cert))
    assert server.requests == []


def test_expired_certificate_fails_before_anything_is_sent(
        server, lmod_certificates):
    cert = lmod_certificates.issue_client_cert(
        'alice', not_before=NOW - 400 * DAY, not_after=NOW - DAY)
    with pytest.raises(PyLmodCertificateError, match='expired on'):
        open_gradebook(server, cert)
    assert server.requests == []


def test_certificate_of_another_ca_is_refused_by_lmod(server, tmp_path):
    stranger = TestCertificates(str(tmp_path / 'other-ca'), 'alice')
    with pytest.raises(PyLmodTLSError) as raised:
        open_gradebook(server, stranger.client_cert)
    error = raised.value
    assert error.side == CLIENT_REFUSED
    assert isinstance(error, requests.exceptions.SSLError)
    assert str(error).startswith(
        'LMod at 127.0.0.1:{0} did not accept the client certificate '
        'CN=alice ({1}): it does not know the CA that issued it'.format(
            server.port, stranger.client_cert))
    # The server notes the refusal after it sent the alert the client read.
    give_up = time.monotonic() + 10
    while not server.refused and time.monotonic() < give_up:
        time.sleep(0.01)
    time.sleep(0.2)  # time for a retry's handshake, had there been one
    assert len(server.refused) == 1  # not retried
    assert server.requests == []


def test_server_lmod_does_not_trust(server, lmod_certificates, tmp_path):
    other = TestCertificates(str(tmp_path / 'other-ca'))
    with pytest.raises(PyLmodTLSError) as raised:
        GradeBook(lmod_certificates.client_cert, server.url,
                  gbuuid=DEMO_GRADEBOOK_UUID, verify=other.ca_cert)
    assert raised.value.side == SERVER_UNTRUSTED
    assert str(raised.value).startswith(
        'This machine does not trust the server certificate of LMod at '
        '127.0.0.1:{0}'.format(server.port))
    assert "pass the CA bundle that signed its certificate (verify=" in (
        str(raised.value))


def test_unauthorized_certificate_gets_403_named_for_what_it_is(
        server, lmod_certificates):
    bob = lmod_certificates.issue_client_cert('bob')
    with pytest.raises(PyLmodNotAuthorized) as raised:
        open_gradebook(server, bob)
    error = raised.value
    assert error.status_code == 403
    assert str(error).startswith(
        'LMod refused the client certificate CN=bob ({0}) for GET {1}service/'
        'gradebook/gradebook?uuid={2} (HTTP 403: Forbidden: the client '
        'certificate CN=bob is not authorized for this service): ask '
        'learningmod-support@mit.edu to authorize this certificate'.format(
            bob, server.url, DEMO_GRADEBOOK_UUID))
    # What 1.0.x callers caught on each path catches it.
    for caught in (PyLmodUnexpectedData, KeyError, ValueError,
                   requests.HTTPError):
        assert isinstance(error, caught)
    gradebook = GradeBook(bob, server.url, verify=server.ca_cert)
    with pytest.raises(KeyError):
        gradebook.get_students(gradebook_id=DEMO_GRADEBOOK_ID)
    with pytest.raises(PyLmodNotAuthorized):
        gradebook.multi_grade([], gradebook_id=DEMO_GRADEBOOK_ID)
    assert server.fake.stored_grades(DEMO_GRADEBOOK_ID)


def test_the_fake_trusts_your_own_ca_and_certificates(lmod_certificates,
                                                      tmp_path):
    own = TestCertificates(str(tmp_path / 'own-ca'), 'me')
    lone = TestCertificates(str(tmp_path / 'lone'), 'lone').client_cert
    with LmodServer(certificates=lmod_certificates,
                    client_cas=[own.ca_cert],
                    trusted_certs=[lone]) as own_server:
        for cert in (own.client_cert, own.issue_client_cert('colleague'),
                     lone):
            assert open_gradebook(own_server, cert).gradebook_id == (
                DEMO_GRADEBOOK_ID)
        # Another CA's certificates are refused as before.
        other = TestCertificates(str(tmp_path / 'other'), 'me').client_cert
        with pytest.raises(PyLmodTLSError):
            open_gradebook(own_server, other)


# Never a prompt --------------------------------------------------------------

CLIENT_SCRIPT = textwrap.dedent('''
    import sys
    from pylmod import GradeBook
    from pylmod.exceptions import PyLmodCertificateError
    try:
        GradeBook(sys.argv[1], sys.argv[2], gbuuid=sys.argv[3],
                  verify=sys.argv[4])
    except PyLmodCertificateError as err:
        print('refused:', type(err).__name__)
        sys.exit(3)
    print('no error')
''')


def _client_command(server, cert):
    return [sys.executable, '-c', CLIENT_SCRIPT, cert, server.url,
            DEMO_GRADEBOOK_UUID, server.ca_cert]


@pytest.fixture
def encrypted_cert(lmod_certificates):
    return lmod_certificates.issue_client_cert('alice', password=PASSWORD)


def test_no_prompt_with_stdin_an_open_pipe(server, encrypted_cert):
    with subprocess.Popen(_client_command(server, encrypted_cert),
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as client:
        try:
            output, _ = client.communicate(timeout=60)
        finally:
            client.kill()
    text = output.decode('utf-8', 'replace')
    assert client.returncode == 3, text
    assert 'refused: PyLmodCertificatePasswordError' in text
    assert 'pass phrase' not in text.lower()
    assert server.requests == []


def test_no_prompt_on_a_terminal(server, encrypted_cert, terminal):
    """OpenSSL prompts on the controlling terminal: give the client one."""
    client = terminal(_client_command(server, encrypted_cert))
    text = client.read_until(b'PasswordError').decode('utf-8', 'replace')
    assert client.process.wait(timeout=60) == 3, text
    assert 'pass phrase' not in text.lower()
    assert 'refused: PyLmodCertificatePasswordError' in text
