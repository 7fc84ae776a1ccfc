"""A Tutor plugin: what the LMS needs for the pylmod plugin's at-least-once
delivery on Tutor's Redis broker (docs/openedx.rst, "Delivery").

Install it with::

    cp tutor_pylmod.py "$(tutor plugins printroot)/pylmod.py"
    tutor plugins enable pylmod
    tutor config save && tutor local restart   # or: tutor k8s ...

``tests/plugin/test_plugin_redis.py`` runs this file (with a stand-in for
``tutor.hooks``) and checks the settings it gives the LMS.
"""
from tutor import hooks

hooks.Filters.ENV_PATCHES.add_item((
    'openedx-lms-common-settings',
    """
# pylmod: a run whose worker died (a deploy, the OOM killer) is delivered
# again once Redis's visibility timeout has passed since it was taken:
# make it longer than the longest run, or a run still going is delivered
# a second time (pylmod's lock then keeps the copy waiting).  A worker
# looks for such messages every interval x throttle seconds.
_PYLMOD_BROKER = dict(
    visibility_timeout=6 * 3600,     # seconds; default 3600
    unacked_restore_interval=10,     # kombu >= 5.7; before: fixed 10
    unacked_restore_throttle=6,      # kombu >= 5.7; before: fixed 10
)
# edx-platform's Celery app reads the old setting names; an app with the
# CELERY namespace reads the new one.  Both keep what was set before.
BROKER_TRANSPORT_OPTIONS = dict(
    globals().get('BROKER_TRANSPORT_OPTIONS') or {}, **_PYLMOD_BROKER)
CELERY_BROKER_TRANSPORT_OPTIONS = dict(
    globals().get('CELERY_BROKER_TRANSPORT_OPTIONS') or {}, **_PYLMOD_BROKER)
# A run renews its lease every LEASE / 4 seconds; a worker silent for LEASE
# seconds is lost.  "Run now" waits at most SEND_TIMEOUT for the broker.
PYLMOD_OPENEDX = dict(globals().get('PYLMOD_OPENEDX') or {},
                      LEASE=120, SEND_TIMEOUT=3)
""",
))
