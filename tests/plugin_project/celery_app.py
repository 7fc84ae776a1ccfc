"""The stand-in LMS's Celery app (the LMS has ``lms.celery.APP``): its
settings are the Django settings ``CELERY_*``; its tasks are found in the
installed apps, the plugin's among them.

Run a worker with ``celery -A plugin_project.celery_app worker``.
"""
import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'plugin_project.settings')

app = Celery('plugin_project')
app.config_from_object('django.conf:settings', namespace='CELERY')
app.autodiscover_tasks()


@task_prerun.connect
def forget_the_last_task_s_request_cache(**kwargs):
    """Each task starts with an empty request cache, as in the LMS: a
    worker thread's edx-django-utils RequestCache would otherwise keep an
    earlier task's OAuth token (in the tests, a fake Open edX's that has
    since stopped; edx-rest-api-client reads its token through it)."""
    from edx_django_utils.cache import RequestCache
    RequestCache.clear_all_namespaces()
