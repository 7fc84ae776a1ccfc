"""The plugin as Open edX loads it: found through edx-django-utils' plugin
discovery (pylmod's ``lms.djangoapp`` entry point), its settings applied,
its migrations in step with its models.  (That ``import pylmod`` and
``import pylmod.openedx.plugin`` load no Django is tested in
tests/openedx/test_client.py, without the extra too.)"""
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('edx_django_utils',
                    reason='the plugin needs the openedx extra')

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from edx_django_utils.plugins import get_plugin_apps  # noqa: E402

from pylmod.openedx.plugin.apps import PylmodOpenEdxConfig  # noqa: E402
from pylmod.openedx.plugin.conf import DEFAULTS  # noqa: E402
from pylmod.openedx.plugin.settings import production  # noqa: E402

APP = 'pylmod.openedx.plugin.apps.PylmodOpenEdxConfig'
STAND_IN = Path(__file__).resolve().parent.parent / 'plugin_project'


def test_edx_django_utils_finds_the_plugin_through_the_entry_point():
    assert APP in get_plugin_apps('lms.djangoapp')
    assert APP not in get_plugin_apps('cms.djangoapp')
    # The stand-in LMS lists it only through discovery, as the LMS does.
    assert 'pylmod.openedx.plugin' not in (
        STAND_IN / 'settings.py').read_text('utf-8')
    assert APP in settings.INSTALLED_APPS
    config = apps.get_app_config('pylmod_openedx')
    assert isinstance(config, PylmodOpenEdxConfig)


def test_the_common_settings_give_every_key_its_default():
    conf = settings.PYLMOD_OPENEDX
    assert set(conf) == set(DEFAULTS)
    assert conf['RETRY_BACKOFF'] == 1  # the stand-in LMS's own value kept
    assert conf['MAX_RETRIES'] == DEFAULTS['MAX_RETRIES']


def test_the_production_settings_read_the_yaml_tokens():
    lms = SimpleNamespace(
        PYLMOD_OPENEDX={'LMS_URL': 'https://lms.example.edu',
                        'WORKERS': 2},
        ENV_TOKENS={'PYLMOD_OPENEDX': {'CLIENT_ID': 'pylmod-sync',
                                       'WORKERS': 8}},
        AUTH_TOKENS={'PYLMOD_OPENEDX': {'CLIENT_SECRET': 's3cret'}})
    production.plugin_settings(lms)
    assert lms.PYLMOD_OPENEDX == dict(
        DEFAULTS, LMS_URL='https://lms.example.edu', CLIENT_ID='pylmod-sync',
        CLIENT_SECRET='s3cret', WORKERS=8)
    bare = SimpleNamespace()
    production.plugin_settings(bare)
    assert bare.PYLMOD_OPENEDX == DEFAULTS


@pytest.mark.django_db
def test_the_migrations_match_the_models():
    # Fails (exit status 1) when a model change has no migration.
    call_command('makemigrations', 'pylmod_openedx', '--check', '--dry-run',
                 verbosity=0)

