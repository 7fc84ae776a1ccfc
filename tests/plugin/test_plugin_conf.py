"""The plugin's settings (PYLMOD_OPENEDX): what a run reads, the errors
that name the key, and the LMod certificate's password sources."""
import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')

from pylmod import GradeBook  # noqa: E402
from pylmod.openedx.plugin.clients import gradebook_options  # noqa: E402
from pylmod.openedx.plugin.conf import (  # noqa: E402
    DEFAULTS,
    PluginConfigError,
    celery_retry_options,
    password_source,
    plugin_conf,
)
from pylmod.testing import (  # noqa: E402
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
    LmodServer,
)

GOOD = {'LMS_URL': 'https://lms.example.edu', 'CLIENT_ID': 'pylmod-sync',
        'CLIENT_SECRET': 's3cret', 'LMOD_CERT': '/edx/etc/lmod.pem'}


@pytest.fixture
def conf(settings):
    settings.PYLMOD_OPENEDX = dict(GOOD)
    return settings.PYLMOD_OPENEDX


def test_a_run_reads_the_settings_over_the_defaults(conf):
    read = plugin_conf()
    assert (read.lms_url, read.client_id, read.lmod_cert) == (
        GOOD['LMS_URL'], 'pylmod-sync', '/edx/etc/lmod.pem')
    assert read.workers == DEFAULTS['WORKERS']
    assert read.cert_password is None and read.lmod_verify is True


def test_the_lms_url_defaults_to_the_lms_own(conf, settings):
    del conf['LMS_URL']
    settings.LMS_ROOT_URL = 'https://courses.example.edu'
    assert plugin_conf().lms_url == 'https://courses.example.edu'


@pytest.mark.parametrize('key, value, message', [
    ('CLIENT_SECRET', '', "['CLIENT_SECRET']: expected a non-empty string"),
    ('WORKERS', 0, "['WORKERS']: expected a whole number of at least 1"),
    ('PAGE_SIZE', True, "['PAGE_SIZE']: expected a whole number of at least"
                        " 1 (or None), got True"),
    ('LMOD_VERIFY', '', "['LMOD_VERIFY']: expected True, False or the path"),
    ('RETRY_DEADLINE', 'soon', "['RETRY_DEADLINE']: expected a number"),
    ('EMAIL_FOR_STUDENT_KEY', 'nowhere.mapping',
     "['EMAIL_FOR_STUDENT_KEY']: expected the dotted path of a function"),
    ('WROKERS', 4, "unknown keys 'WROKERS'"),
])
def test_a_wrong_setting_names_its_key(conf, key, value, message):
    conf[key] = value
    with pytest.raises(PluginConfigError) as raised:
        plugin_conf()
    assert message in str(raised.value)
    assert str(raised.value).startswith('PYLMOD_OPENEDX')


def test_the_password_comes_from_one_source(tmp_path, monkeypatch):
    path = tmp_path / 'password'
    path.write_text('from the file\nsecond line\n', encoding='utf-8')
    assert password_source({'LMOD_CERT_PASSWORD_FILE': str(path)})() == (
        'from the file')
    monkeypatch.setenv('LMOD_PASSWORD', 'from the environment')
    assert password_source({'LMOD_CERT_PASSWORD_ENV': 'LMOD_PASSWORD'})() == (
        'from the environment')
    assert password_source({'LMOD_CERT_PASSWORD': 'literal'})() == 'literal'
    assert password_source({}) is None
    with pytest.raises(PluginConfigError) as raised:
        password_source({'LMOD_CERT_PASSWORD_FILE': str(path),
                         'LMOD_CERT_PASSWORD': 'literal'})
    assert 'not LMOD_CERT_PASSWORD_FILE and LMOD_CERT_PASSWORD' in str(
        raised.value)


def test_a_password_source_that_cannot_be_read_says_so(tmp_path,
                                                       monkeypatch):
    monkeypatch.delenv('NO_SUCH_VARIABLE', raising=False)
    with pytest.raises(PluginConfigError) as raised:
        password_source({'LMOD_CERT_PASSWORD_ENV': 'NO_SUCH_VARIABLE'})()
    assert 'a set environment variable' in str(raised.value)
    with pytest.raises(PluginConfigError) as raised:
        password_source({'LMOD_CERT_PASSWORD_FILE': str(tmp_path / 'x')})()
    assert "['LMOD_CERT_PASSWORD_FILE']: expected a readable file" in str(
        raised.value)


def test_the_password_opens_an_encrypted_key_over_mutual_tls(
        conf, tmp_path, lmod_certificates):
    cert = lmod_certificates.issue_client_cert('plugin', password='secret')
    (tmp_path / 'password').write_text('secret\n')
    conf.update(LMOD_CERT=cert,
                LMOD_CERT_PASSWORD_FILE=str(tmp_path / 'password'))
    options = gradebook_options(plugin_conf())
    assert options['cert_password']() == 'secret'
    with LmodServer(certificates=lmod_certificates,
                    allowed_clients=['CN=plugin']) as server:
        options['verify'] = server.ca_cert
        gradebook = GradeBook(cert, server.url, gbuuid=DEMO_GRADEBOOK_UUID,
                              **options)
        assert gradebook.gradebook_id == DEMO_GRADEBOOK_ID
    del conf['LMOD_CERT_PASSWORD_FILE']
    assert 'cert_password' not in gradebook_options(plugin_conf())


def test_celery_options_fall_back_on_their_defaults(conf):
    conf.update(RETRY_BACKOFF=5, RETRY_BACKOFF_MAX='x', RETRY_JITTER=False)
    assert celery_retry_options() == {'retry_backoff': 5,
                                      'retry_backoff_max': 900,
                                      'retry_jitter': False}
    conf['NOT_A_KEY'] = 1
    assert celery_retry_options()['retry_backoff'] == 60
