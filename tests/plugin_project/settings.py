"""Settings of the stand-in LMS.

Nothing names the plugin: ``get_plugin_apps('lms.djangoapp')`` finds it
through pylmod's ``lms.djangoapp`` entry point and ``add_plugins`` applies
its ``common`` settings, as ``lms/envs/common.py`` does.

The environment chooses the database and the Celery broker:

``PLUGIN_PROJECT_DB``
    the SQLite file (default: a new temporary directory's);
``PLUGIN_PROJECT_QUEUES``
    a directory: Celery's ``filesystem://`` broker and ``file://`` result
    backend there, so that worker processes share them (default: the
    in-memory broker and results, for a worker in the test's process);
``PLUGIN_PROJECT_REDIS``
    the URL of a Redis server: the broker and the result backend, with
    ``PLUGIN_PROJECT_BROKER_OPTIONS`` (JSON) as the broker's transport
    options (e.g. a short ``visibility_timeout``);
``PLUGIN_PROJECT_PYLMOD_OPENEDX``
    JSON laid over ``PYLMOD_OPENEDX`` (where the fakes are).
"""
import json
import os
import tempfile

from edx_django_utils.plugins import add_plugins, get_plugin_apps

SECRET_KEY = 'pylmod-plugin-tests-not-a-secret'
DEBUG = False
ALLOWED_HOSTS = ['testserver', 'localhost', '127.0.0.1']
USE_TZ = True
TIME_ZONE = 'UTC'
ROOT_URLCONF = 'plugin_project.urls'
LMS_ROOT_URL = 'http://127.0.0.1:1'  # the tests point PYLMOD_OPENEDX at fakes

INSTALLED_APPS = [
    'django.contrib.admin',
    'django.contrib.auth',
    'django.contrib.contenttypes',
    'django.contrib.sessions',
    'django.contrib.messages',
]
INSTALLED_APPS.extend(get_plugin_apps('lms.djangoapp'))

MIDDLEWARE = [
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.contrib.auth.middleware.AuthenticationMiddleware',
    'django.contrib.messages.middleware.MessageMiddleware',
]
TEMPLATES = [{
    'BACKEND': 'django.template.backends.django.DjangoTemplates',
    'APP_DIRS': True,
    'OPTIONS': {'context_processors': [
        'django.template.context_processors.request',
        'django.contrib.auth.context_processors.auth',
        'django.contrib.messages.context_processors.messages',
    ]},
}]

_DB = os.environ.get('PLUGIN_PROJECT_DB') or os.path.join(
    tempfile.mkdtemp(prefix='pylmod-plugin-'), 'lms.sqlite3')
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': _DB,
        # Worker threads and processes write reports at once.
        'OPTIONS': {'timeout': 60},
        # A file, not memory: the worker's threads read what tests wrote.
        'TEST': {'NAME': _DB + '.test'},
    },
}
CACHES = {'default': {
    'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}
# edx-django-utils' monitoring: no telemetry backend here.
OPENEDX_TELEMETRY: list = []

_QUEUES = os.environ.get('PLUGIN_PROJECT_QUEUES')
_REDIS = os.environ.get('PLUGIN_PROJECT_REDIS')
if _REDIS:
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = _REDIS
    CELERY_BROKER_TRANSPORT_OPTIONS = json.loads(
        os.environ.get('PLUGIN_PROJECT_BROKER_OPTIONS') or '{}')
    # One message reserved per process: the rest wait in Redis.
    CELERY_WORKER_PREFETCH_MULTIPLIER = 1
elif _QUEUES:
    for _folder in ('messages', 'control', 'results'):
        os.makedirs(os.path.join(_QUEUES, _folder), exist_ok=True)
    CELERY_BROKER_URL = 'filesystem://'
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        'data_folder_in': os.path.join(_QUEUES, 'messages'),
        'data_folder_out': os.path.join(_QUEUES, 'messages'),
        'control_folder': os.path.join(_QUEUES, 'control'),
        'polling_interval': 0.05,
    }
    CELERY_RESULT_BACKEND = 'file://' + os.path.join(_QUEUES, 'results')
else:
    CELERY_BROKER_URL = 'memory://'
    CELERY_BROKER_TRANSPORT_OPTIONS = {'polling_interval': 0.05}
    CELERY_RESULT_BACKEND = 'cache+memory://'
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Quick retries, and a short lease (a lost run is seen after 4 s), for the
# tests; the rest comes from the plugin's defaults.
PYLMOD_OPENEDX = {'RETRY_BACKOFF': 1, 'RETRY_BACKOFF_MAX': 2,
                  'RETRY_JITTER': False, 'LEASE': 4}
PYLMOD_OPENEDX.update(json.loads(
    os.environ.get('PLUGIN_PROJECT_PYLMOD_OPENEDX') or '{}'))

# Django's own logging setup would disable the loggers created before it (the
# suite's other tests read pylmod's log lines).
LOGGING = {'version': 1, 'disable_existing_loggers': False}

add_plugins(__name__, 'lms.djangoapp', 'common')
