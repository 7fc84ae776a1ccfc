"""The plugin's settings: one namespace, ``PYLMOD_OPENEDX``.

Every key, its default and what it must be is in :data:`DEFAULTS` and
:func:`plugin_conf`; ``docs/openedx.rst`` ("Install the plugin") shows them
in an LMS configuration.  The settings are read when a run starts (not when
the LMS starts), except the Celery retry backoff, which the tasks read
when they are loaded.

Example:

.. code-block:: python

    PYLMOD_OPENEDX = {
        'LMS_URL': 'https://lms.example.edu',
        'CLIENT_ID': 'pylmod-sync',
        'CLIENT_SECRET': '...',                 # AUTH_TOKENS / a vault
        'LMOD_CERT': '/edx/etc/lmod/lmod.pem',
        'LMOD_CERT_PASSWORD_FILE': '/edx/etc/lmod/password',
    }
"""
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Union

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from pylmod.base import DEFAULT_URLBASE
from pylmod.openedx.errors import OpenEdxConfigError

#: The Django setting holding the plugin's settings (a dict).
SETTING = 'PYLMOD_OPENEDX'

#: Every key of ``PYLMOD_OPENEDX`` and its default.
DEFAULTS: Dict[str, Any] = {
    # Open edX: the LMS and the OAuth application (client credentials, a
    # staff service user) the flows call its REST APIs with.
    'LMS_URL': '',                  # '' -> the LMS's own LMS_ROOT_URL
    'CLIENT_ID': '',
    'CLIENT_SECRET': '',
    'USE_EDX_CLIENT': None,         # None: edx-rest-api-client if installed
    'OPENEDX_RETRIES': 3,           # in-request retries (see openedx.retry)
    'WORKERS': 4,                   # write requests in flight per run
    'PAGE_SIZE': None,              # None: the largest page the API allows
    # LMod: the service and the client certificate.
    'LMOD_URL': DEFAULT_URLBASE,
    'LMOD_CERT': '',                # PEM with the key (or PKCS#12)
    'LMOD_CERT_PASSWORD_FILE': '',  # one of these three, if encrypted
    'LMOD_CERT_PASSWORD_ENV': '',
    'LMOD_CERT_PASSWORD': '',
    'LMOD_VERIFY': True,            # or the path of a CA bundle
    'LMOD_RETRIES': None,           # None: pylmod's default
    # Defaults of the flows.
    'BATCH_SIZE': None,             # None: push_grades' default
    'APPROVE_GRADES': False,
    'EMAIL_FOR_STUDENT_KEY': '',    # dotted path: key -> LMod email
    'STUDENT_KEY_FOR_LEARNER': '',  # dotted path: RosterEntry -> key
    'COURSE_ENROLLMENTS_READER': '',  # dotted path: course key -> emails
    # Celery: retries of transient failures, and what is kept.
    'MAX_RETRIES': 5,
    'RETRY_BACKOFF': 60,            # seconds before the first retry
    'RETRY_BACKOFF_MAX': 900,
    'RETRY_JITTER': True,
    'RETRY_DEADLINE': 3600,         # no retry this long after the first try
    'REPORTS_KEPT': 100,            # run reports kept per link and flow
    'PROBLEMS_KEPT': 500,           # learners listed per report
    # Delivery: a run's lease (renewed while it works), and how long
    # "Run now" and the nightly fan-out may wait for the broker.
    'LEASE': 120,                   # seconds; renewed every quarter
    'SEND_TIMEOUT': 3,              # seconds to reach the broker
}

_PASSWORD_SOURCES = ('LMOD_CERT_PASSWORD_FILE', 'LMOD_CERT_PASSWORD_ENV',
                     'LMOD_CERT_PASSWORD')


class PluginConfigError(OpenEdxConfigError, ImproperlyConfigured):
    """``PYLMOD_OPENEDX`` lacks a key a run needs, or holds a value of the
    wrong kind; the message names the key and what was expected.  A run
    that meets it is stored as failed and not retried."""


def _problem(key: str, expected: str, value: Any) -> PluginConfigError:
    return PluginConfigError('{0}[{1!r}]: expected {2}, got {3!r}'.format(
        SETTING, key, expected, value))


def raw_settings() -> Dict[str, Any]:
    """``PYLMOD_OPENEDX`` over :data:`DEFAULTS` (unknown keys refused)."""
    given = getattr(settings, SETTING, None) or {}
    if not isinstance(given, Mapping):
        raise PluginConfigError('{0}: expected a dict, got {1}'.format(
            SETTING, type(given).__name__))
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise PluginConfigError('{0}: unknown keys {1} (known: {2})'.format(
            SETTING, ', '.join(map(repr, unknown)), ', '.join(DEFAULTS)))
    return dict(DEFAULTS, **given)


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values[key]
    if not isinstance(value, str) or not value.strip():
        raise _problem(key, 'a non-empty string', value)
    return value.strip()


def _whole(values: Mapping[str, Any], key: str, lowest: int,
           optional: bool = False) -> Optional[int]:
    value = values[key]
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or (
            value < lowest):
        raise _problem(key, 'a whole number of at least {0}{1}'.format(
            lowest, ' (or None)' if optional else ''), value)
    return value


def _hook(values: Mapping[str, Any], key: str) -> Optional[Callable[..., Any]]:
    path = values[key]
    if not path:
        return None
    if callable(path):
        return path
    try:
        return import_string(path)
    except ImportError as err:
        raise _problem(key, 'the dotted path of a function ({0})'.format(
            err), path) from err


def _verify(values: Mapping[str, Any]) -> Union[bool, str]:
    value = values['LMOD_VERIFY']
    if isinstance(value, bool) or (isinstance(value, str) and value):
        return value
    raise _problem('LMOD_VERIFY', 'True, False or the path of a CA bundle',
                   value)


def password_source(values: Mapping[str, Any]
                    ) -> Optional[Callable[[], str]]:
    """The LMod certificate's password, as a function called when the
    certificate is loaded, from the one source configured: a file (its
    first line), an environment variable, or the setting itself.

    Raises:
        PluginConfigError: more than one source is set.

    Returns:
        A function returning the password, or ``None`` (no password).
    """
    given = [key for key in _PASSWORD_SOURCES if values.get(key)]
    if len(given) > 1:
        raise PluginConfigError(
            '{0}: set one LMod certificate password source, not {1}'.format(
                SETTING, ' and '.join(given)))
    if not given:
        return None
    key, source = given[0], str(values[given[0]])

    def password() -> str:
        if key == 'LMOD_CERT_PASSWORD':
            return source
        if key == 'LMOD_CERT_PASSWORD_ENV':
            if source not in os.environ:
                raise _problem(key, 'a set environment variable', source)
            return os.environ[source]
        try:
            with open(source, encoding='utf-8') as password_file:
                return password_file.readline().rstrip('\r\n')
        except OSError as err:
            raise _problem(key, 'a readable file ({0})'.format(
                err.strerror), source) from err
    return password


@dataclass(frozen=True)
class PluginConf:
    """The settings a run uses, checked (see :data:`DEFAULTS`)."""

    lms_url: str
    client_id: str
    client_secret: str
    use_edx_client: Optional[bool]
    openedx_retries: int
    workers: int
    page_size: Optional[int]
    lmod_url: str
    lmod_cert: str
    cert_password: Optional[Callable[[], str]]
    lmod_verify: Union[bool, str]
    lmod_retries: Optional[int]
    batch_size: Optional[int]
    approve_grades: bool
    email_for_student_key: Optional[Callable[[str], Optional[str]]]
    student_key_for_learner: Optional[Callable[[Any], Optional[str]]]
    course_enrollments_reader: Optional[Callable[[str], Any]]
    max_retries: int
    retry_deadline: float
    reports_kept: int
    problems_kept: int
    lease: float


def plugin_conf() -> PluginConf:
    """Read and check ``PYLMOD_OPENEDX``.

    Raises:
        PluginConfigError: a missing or wrong value (the message names it).
    """
    values = raw_settings()
    if not values['LMS_URL']:
        values['LMS_URL'] = getattr(settings, 'LMS_ROOT_URL', '')
    deadline = values['RETRY_DEADLINE']
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)):
        raise _problem('RETRY_DEADLINE', 'a number of seconds', deadline)
    return PluginConf(
        lms_url=_text(values, 'LMS_URL'),
        client_id=_text(values, 'CLIENT_ID'),
        client_secret=_text(values, 'CLIENT_SECRET'),
        use_edx_client=values['USE_EDX_CLIENT'],
        openedx_retries=_whole(values, 'OPENEDX_RETRIES', 0) or 0,
        workers=_whole(values, 'WORKERS', 1) or 1,
        page_size=_whole(values, 'PAGE_SIZE', 1, optional=True),
        lmod_url=_text(values, 'LMOD_URL'),
        lmod_cert=_text(values, 'LMOD_CERT'),
        cert_password=password_source(values),
        lmod_verify=_verify(values),
        lmod_retries=_whole(values, 'LMOD_RETRIES', 0, optional=True),
        batch_size=_whole(values, 'BATCH_SIZE', 1, optional=True),
        approve_grades=bool(values['APPROVE_GRADES']),
        email_for_student_key=_hook(values, 'EMAIL_FOR_STUDENT_KEY'),
        student_key_for_learner=_hook(values, 'STUDENT_KEY_FOR_LEARNER'),
        course_enrollments_reader=_hook(values, 'COURSE_ENROLLMENTS_READER'),
        max_retries=_whole(values, 'MAX_RETRIES', 0) or 0,
        retry_deadline=float(deadline),
        reports_kept=_whole(values, 'REPORTS_KEPT', 1) or 1,
        problems_kept=_whole(values, 'PROBLEMS_KEPT', 0) or 0,
        lease=float(_whole(values, 'LEASE', 4) or 4))


def send_timeout() -> float:
    """``SEND_TIMEOUT``: the seconds sending runs may wait for the broker
    (its default when the setting is wrong: sending must stay bounded)."""
    try:
        value = raw_settings()['SEND_TIMEOUT']
    except PluginConfigError:
        value = DEFAULTS['SEND_TIMEOUT']
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            value <= 0):
        value = DEFAULTS['SEND_TIMEOUT']
    return float(value)


def celery_retry_options() -> Dict[str, Any]:
    """The tasks' ``retry_backoff``, ``retry_backoff_max`` and
    ``retry_jitter``, read when the tasks are loaded.  Unlike the other
    keys they fall back on their defaults when wrong, so that a typo does
    not keep the LMS's Celery workers from starting (runs report the
    problem)."""
    try:
        values = raw_settings()
    except PluginConfigError:
        values = dict(DEFAULTS)
    options = {}
    for option, key in (('retry_backoff', 'RETRY_BACKOFF'),
                        ('retry_backoff_max', 'RETRY_BACKOFF_MAX')):
        value = values[key]
        good = isinstance(value, int) and not isinstance(value, bool) and (
            value >= 1)
        options[option] = value if good else DEFAULTS[key]
    options['retry_jitter'] = bool(values['RETRY_JITTER'])
    return options
