"""The plugin's contributions to the LMS settings (edx-django-utils calls
``plugin_settings(settings)`` of :mod:`.common` and :mod:`.production`)."""
