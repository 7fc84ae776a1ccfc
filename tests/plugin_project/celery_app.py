"""The stand-in LMS's Celery app (the LMS has ``lms.celery.APP``): its
settings are the Django settings ``CELERY_*``; its tasks are found in the
installed apps, the plugin's among them.

Run a worker with ``celery -A plugin_project.celery_app worker``.
"""
import os

from celery import Celery

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'plugin_project.settings')

app = Celery('plugin_project')
app.config_from_object('django.conf:settings', namespace='CELERY')
app.autodiscover_tasks()
