"""The fake LMod's throwaway certificates, as any supported cryptography
takes them.

A client certificate names who holds it in its subject alternative name
(cryptography 51 refuses to build one with an empty name, which is what
trustme made when asked for a common name alone).  When a future release
refuses what pylmod asks for anyway, the fixtures and ``pylmod demo`` say
which versions are installed and what to do, not a bare ``ValueError``.
"""
import pytest

from pylmod.cli import main
from pylmod.testing import FakeCertificateError, TestCertificates
from pylmod.testing.certs import client_email

x509 = pytest.importorskip('cryptography.x509')


def _certificate(path):
    """The first certificate of a PEM file (key and chain, or chain)."""
    with open(path, 'rb') as pem_file:
        text = pem_file.read()
    begin = text.index(b'-----BEGIN CERTIFICATE-----')
    return x509.load_pem_x509_certificate(text[begin:])


def _alternative_names(certificate):
    return certificate.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value


@pytest.mark.parametrize('form', ['pem', 'pair', 'pkcs12'])
def test_client_certificates_carry_an_email_identity(lmod_certificates, form):
    issued = lmod_certificates.issue_client_cert('Ada Lovelace', form=form)
    if form == 'pkcs12':
        from cryptography.hazmat.primitives.serialization import pkcs12
        with open(issued, 'rb') as p12_file:
            certificate = pkcs12.load_key_and_certificates(
                p12_file.read(), None)[1]
    else:
        certificate = _certificate(issued[0] if form == 'pair' else issued)
    names = _alternative_names(certificate)
    assert names.get_values_for_type(x509.RFC822Name) == [
        'Ada-Lovelace@pylmod-fake.invalid']
    common_name = certificate.subject.get_attributes_for_oid(
        x509.NameOID.COMMON_NAME)[0].value
    assert common_name == 'Ada Lovelace'


def test_default_client_certificate_passes_a_strict_client_verifier(
        lmod_certificates):
    """cryptography's own X.509 path validation for client certificates
    (RFC 5280, the strictest parse it has) accepts the fake's client
    certificate against the fake's CA."""
    verification = pytest.importorskip('cryptography.x509.verification')
    if not hasattr(verification.PolicyBuilder, 'build_client_verifier'):
        pytest.skip('this cryptography has no client verifier (< 43)')
    import datetime
    leaf = _certificate(lmod_certificates.client_cert)
    store = verification.Store([_certificate(lmod_certificates.ca_cert)])
    verifier = (verification.PolicyBuilder().store(store)
                .time(datetime.datetime.now(datetime.timezone.utc))
                .build_client_verifier())
    verified = verifier.verify(leaf, [])
    assert verified.subjects == [
        x509.RFC822Name(client_email('pylmod-test-client'))]


def test_server_certificate_names_the_loopback_hosts(lmod_certificates):
    names = _alternative_names(_certificate(lmod_certificates.server_cert))
    assert names.get_values_for_type(x509.DNSName) == ['localhost']
    assert [str(address) for address in
            names.get_values_for_type(x509.IPAddress)] == ['127.0.0.1']


@pytest.mark.parametrize('name, expected', [
    ('pylmod-test-client', 'pylmod-test-client@pylmod-fake.invalid'),
    ('Ada Lovelace', 'Ada-Lovelace@pylmod-fake.invalid'),
    ('..', 'client@pylmod-fake.invalid'),
])
def test_client_email_is_a_valid_address(name, expected):
    assert client_email(name) == expected


@pytest.fixture
def certificates_refused(monkeypatch):
    """A trustme or cryptography release that refuses what pylmod asks for
    (a future one, which cannot be installed here: its refusal is made)."""
    trustme = pytest.importorskip('trustme')

    def refuse(self, *identities, **options):
        raise ValueError('general_names must be a non-empty list')
    monkeypatch.setattr(trustme.CA, 'issue_cert', refuse)


def test_a_refused_certificate_names_the_versions_and_the_way_out(
        tmp_path, certificates_refused):
    from importlib import metadata
    with pytest.raises(FakeCertificateError) as raised:
        TestCertificates(str(tmp_path))
    message = str(raised.value)
    assert 'its server certificate' in message
    assert 'general_names must be a non-empty list' in message
    assert 'cryptography {0}'.format(
        metadata.version('cryptography')) in message
    assert 'trustme {0}'.format(metadata.version('trustme')) in message
    assert 'upgrade pylmod' in message
    assert isinstance(raised.value.__cause__, ValueError)


def test_demo_says_what_failed_without_a_traceback(
        capsys, tmp_path, certificates_refused):
    status = main(['demo', '--dir', str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith('pylmod: error: the fake LMod could not make ')
    assert 'unexpected error' not in err
    assert 'Traceback' not in err
