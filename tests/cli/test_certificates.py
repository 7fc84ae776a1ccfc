"""The ``pylmod`` command and client certificates: passwords from a file,
the environment or a prompt (only on a terminal), refusals in one line, and
``pylmod serve-fake`` trusting your own certificate or CA.
"""
import datetime
import io
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pylmod.cli import main
from pylmod.cli.options import SECRET_SHOWN
from pylmod.testing import (
    DEMO_GRADEBOOK_UUID,
    LmodServer,
    TestCertificates,
)

pytest.importorskip('cryptography')

DATA_DIR = Path(__file__).parents[1] / 'data'
PASSWORD = 'correct horse'
NOW = datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture(autouse=True)
def clean_environment(no_user_settings, monkeypatch):
    """No user settings (see ``no_user_settings``), and stdin not a
    terminal."""
    monkeypatch.setattr(sys, 'stdin', io.StringIO(''))


@pytest.fixture
def server(lmod_certificates):
    with LmodServer(certificates=lmod_certificates,
                    allowed_clients=['CN=alice']) as running:
        yield running


def run(argv):
    """``pylmod`` with these arguments (paths turned into text)."""
    return main([str(arg) for arg in argv])


def pylmod(capsys, server, cert, *args):
    """Run ``pylmod --url ... --cert CERT --gradebook ... <args>``."""
    capsys.readouterr()
    status = main(['--url', server.url, '--cert', str(cert), '--ca-bundle',
                   server.ca_cert, '--gradebook', DEMO_GRADEBOOK_UUID,
                   '--retries', '0', *map(str, args)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_password_from_a_file(capsys, server, lmod_certificates, tmp_path):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    password_file = tmp_path / 'password'
    password_file.write_text(PASSWORD + '\n')
    status, out, err = pylmod(capsys, server, cert, '--cert-password-file',
                              password_file, 'sections')
    assert status == 0, err
    assert 'r01' in out


def test_password_from_the_environment_for_pkcs12(capsys, server,
                                                  lmod_certificates,
                                                  monkeypatch):
    p12 = lmod_certificates.issue_client_cert('alice', form='pkcs12',
                                              password=PASSWORD)
    monkeypatch.setenv('PYLMOD_CERT_PASSWORD', PASSWORD)
    status, out, err = pylmod(capsys, server, p12, 'sections')
    assert status == 0, err
    capsys.readouterr()
    assert main(['config']) == 0
    shown = capsys.readouterr().out
    assert SECRET_SHOWN in shown and PASSWORD not in shown


def test_no_password_and_no_terminal_is_a_usage_error(capsys, server,
                                                      lmod_certificates):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    status, out, err = pylmod(capsys, server, cert, 'sections')
    assert status == 2
    assert err == (
        "pylmod: error: The private key in {0!r} is encrypted and no "
        "password was given: pass it (--cert-password-file FILE or "
        "PYLMOD_CERT_PASSWORD; on a terminal, pylmod asks).\n".format(cert))
    assert server.requests == []


def test_a_wrong_password_file_is_refused(capsys, server, lmod_certificates,
                                          tmp_path):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    password_file = tmp_path / 'password'
    password_file.write_text('guess\n')
    status, _, err = pylmod(capsys, server, cert, '--cert-password-file',
                            password_file, 'sections')
    assert status == 2
    assert 'The password given does not decrypt the private key' in err
    status, _, err = pylmod(capsys, server, cert, '--cert-password-file',
                            tmp_path / 'missing', 'sections')
    assert status == 2
    assert 'cannot read the certificate password file' in err


def test_refusals_are_one_line(capsys, server, lmod_certificates, tmp_path):
    bob = lmod_certificates.issue_client_cert('bob')
    status, _, err = pylmod(capsys, server, bob, 'sections')
    assert status == 1
    assert err.startswith('pylmod: error: LMod refused the client '
                          'certificate CN=bob')
    assert err.count('\n') == 1
    other = TestCertificates(str(tmp_path / 'other'), 'alice').client_cert
    status, _, err = pylmod(capsys, server, other, 'sections')
    assert status == 1
    assert 'did not accept the client certificate CN=alice' in err
    assert err.rstrip().endswith('check --cert (is it your LMod certificate? '
                                 'renew it if it has expired or was '
                                 'revoked) and --url')


def test_a_certificate_expiring_soon_is_said_once(capsys, server,
                                                  lmod_certificates):
    soon = lmod_certificates.issue_client_cert(
        'alice', not_after=NOW + datetime.timedelta(days=5))
    status, _, err = pylmod(capsys, server, soon, 'sections')
    assert status == 0
    assert err.count('pylmod: warning: The client certificate CN=alice') == 1
    assert 'renew it before then' in err


def test_short_lines_of_retries(capsys, lmod_certificates):
    with LmodServer(certificates=lmod_certificates) as stopped:
        url = stopped.url
    capsys.readouterr()
    status = main(['--url', url, '--cert', lmod_certificates.client_cert,
                   '--gradebook', DEMO_GRADEBOOK_UUID, '--retries', '4',
                   'sections'])
    err = capsys.readouterr().err
    assert status == 1
    # urllib3's "WARNING ... Retrying (LmodRetry(total=3, ...))" said
    # the way a user reads it.
    assert err.splitlines()[:4] == [
        'pylmod: retrying ({0} of 4): connection refused'.format(number)
        for number in range(1, 5)], err
    assert 'LmodRetry' not in err and 'WARNING' not in err
    assert err.splitlines()[4] == (
        'pylmod: error: cannot connect to LMod at {0}: connection refused. '
        'Check --url (or PYLMOD_URL)'.format(url))


def test_the_command_asks_on_a_terminal(server, lmod_certificates,
                                        terminal):
    cert = lmod_certificates.issue_client_cert('alice', password=PASSWORD)
    command = terminal([
        sys.executable, '-m', 'pylmod', '--url', server.url, '--cert', cert,
        '--ca-bundle', server.ca_cert, '--gradebook', DEMO_GRADEBOOK_UUID,
        'sections'])
    prompt = command.read_until(b': ')
    assert 'Password for {0}: '.format(cert).encode() in prompt
    command.type(PASSWORD + '\n')
    output = command.read_until(b'r04')
    assert command.process.wait(timeout=60) == 0, output
    assert PASSWORD.encode() not in output  # not echoed
    assert b'r04' in output


# pylmod serve-fake -----------------------------------------------------------

def _serve_fake(*args):
    """Start ``pylmod serve-fake``; return the process and its banner."""
    process = subprocess.Popen(
        [sys.executable, '-m', 'pylmod', 'serve-fake', *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    banner = []
    for line in process.stdout:
        banner.append(line)
        if line.startswith('Press Ctrl-C'):
            break
    return process, ''.join(banner)


def _stop(process):
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err


def test_serve_fake_trusts_your_certificate_with_your_data(capsys, tmp_path,
                                                           monkeypatch):
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
    mine = TestCertificates(str(tmp_path / 'mine'), 'me')
    p12 = mine.issue_client_cert('me', form='pkcs12', password=PASSWORD)
    # What `openssl pkcs12 -in me.p12 -nokeys -out me-cert.pem` writes.
    p12_cert = tmp_path / 'me-cert.pem'
    p12_cert.write_bytes(pkcs12.load_key_and_certificates(
        Path(p12).read_bytes(), PASSWORD.encode())[1].public_bytes(
            Encoding.PEM))
    cert_dir = tmp_path / 'fake-certs'
    process, banner = _serve_fake(
        '--cert-dir', cert_dir, '--trust-cert', mine.client_cert,
        '--trust-cert', p12_cert, '--data', DATA_DIR / 'small_course.json',
        '--students', 5)
    try:
        assert ('gradebook (--gradebook):      STELLAR:/project/smallcourse'
                in banner)
        assert "--gradebook 'STELLAR:/project/smallcourse' sections" in banner
        assert 'also trusted (--cert):        {0}'.format(
            mine.client_cert) in banner
        url = banner.split('Fake LMod serving at ')[1].split()[0]
        capsys.readouterr()
        status = run(['--url', url, '--cert', mine.client_cert,
                       '--ca-bundle', cert_dir / 'ca.pem', '--gradebook',
                       'STELLAR:/project/smallcourse', '--format', 'json',
                       'students'])
        students = json.loads(capsys.readouterr().out)
        assert status == 0
        assert len(students) == 3 + 5
        # A PKCS#12 file, trusted by its certificate.
        monkeypatch.setenv('PYLMOD_CERT_PASSWORD', PASSWORD)
        assert run(['--url', url, '--cert', p12, '--ca-bundle',
                    cert_dir / 'ca.pem', '--gradebook',
                    'STELLAR:/project/smallcourse', 'sections']) == 0
    finally:
        _stop(process)
    for key_file in ('server.pem', 'pylmod-test-client.pem'):
        assert stat.S_IMODE(os.stat(cert_dir / key_file).st_mode) == 0o600


def test_serve_fake_trusts_your_ca(capsys, tmp_path):
    mine = TestCertificates(str(tmp_path / 'mine'), 'me')
    colleague = mine.issue_client_cert('colleague')
    process, banner = _serve_fake('--cert-dir', tmp_path / 'fake',
                                  '--client-ca', mine.ca_cert)
    try:
        url = banner.split('Fake LMod serving at ')[1].split()[0]
        for cert in (mine.client_cert, colleague):
            assert run(['--url', url, '--cert', cert, '--ca-bundle',
                         tmp_path / 'fake' / 'ca.pem', '--gradebook',
                         DEMO_GRADEBOOK_UUID, 'sections']) == 0
    finally:
        _stop(process)


def test_serve_fake_refuses_what_is_no_certificate(capsys, tmp_path):
    p12 = TestCertificates(str(tmp_path / 'mine')).issue_client_cert(
        'me', form='pkcs12')
    capsys.readouterr()
    assert run(['serve-fake', '--trust-cert', p12]) == 2
    err = capsys.readouterr().err
    assert 'holds no PEM certificate' in err
    assert 'openssl pkcs12 -in {0} -nokeys'.format(p12) in err
