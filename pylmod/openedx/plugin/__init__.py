"""The pylmod Open edX plugin: a Django app the LMS loads by itself.

Installed with ``pip install "pylmod[openedx]"``, it is found by
edx-django-utils' plugin discovery (the ``lms.djangoapp`` entry point of
pylmod's package metadata, :class:`~pylmod.openedx.plugin.apps.
PylmodOpenEdxConfig`), so no edit of edx-platform is needed.  It keeps
course ↔ gradebook links as data (:mod:`~pylmod.openedx.plugin.models`),
shows them in the Django admin, and runs the bridge's two flows for each
link — :func:`~pylmod.openedx.grades.push_grades` and
:func:`~pylmod.openedx.roster.sync_roster` — as Celery tasks
(:mod:`~pylmod.openedx.plugin.tasks`) or from ``manage.py lms
pylmod_sync``.

Importing this package loads no Django: its modules do, when Django loads
them.  See "Install the plugin" in docs/openedx.rst.
"""
