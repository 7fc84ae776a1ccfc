"""The plugin's Django app, as edx-django-utils discovers it.

pylmod's package metadata declares the entry point::

    [options.entry_points]
    lms.djangoapp =
        pylmod_openedx = pylmod.openedx.plugin.apps:PylmodOpenEdxConfig

so the LMS's ``get_plugin_apps('lms.djangoapp')`` adds the app to
``INSTALLED_APPS`` and ``add_plugins(...)`` calls the ``plugin_settings``
of :mod:`pylmod.openedx.plugin.settings.common` (every LMS) and
:mod:`pylmod.openedx.plugin.settings.production` (a production LMS).
"""
from django.apps import AppConfig


class PylmodOpenEdxConfig(AppConfig):
    """Course ↔ LMod gradebook links, their runs and reports."""

    name = 'pylmod.openedx.plugin'
    label = 'pylmod_openedx'
    verbose_name = 'pylmod: Open edX ↔ LMod'
    default_auto_field = 'django.db.models.BigAutoField'

    #: What edx-django-utils reads (its ``PluginSettings`` keys).
    plugin_app = {
        'settings_config': {
            'lms.djangoapp': {
                'common': {'relative_path': 'settings.common'},
                'production': {'relative_path': 'settings.production'},
            },
        },
    }
