"""The Open edX bridge: Open edX grades into LMod, LMod rosters into Open edX.

Install with the extra to use ``edx_rest_api_client`` for authentication
(``pip install "pylmod[openedx]"``); without it the bridge authenticates
with ``requests`` alone.  Importing this package is cheap: the submodules
(and Django, through ``edx_rest_api_client``) load when first used.
"""
import importlib
from typing import Any, Dict

#: Public name -> the submodule defining it.
_EXPORTS: Dict[str, str] = {
    'OpenEdxClient': 'client',
    'LearnerResult': 'client',
    'oauth_session': 'auth',
    'ClientCredentialsSession': 'auth',
    'configure_django_cache': 'auth',
    'push_grades': 'grades',
    'load_mapping_csv': 'grades',
    'sync_roster': 'roster',
    'lmod_roster': 'roster',
    'RosterEntry': 'roster',
    'GradeSyncReport': 'report',
    'RosterSyncReport': 'report',
    'OpenEdxError': 'errors',
    'OpenEdxHTTPError': 'errors',
    'OpenEdxAuthError': 'errors',
    'OpenEdxConfigError': 'errors',
    'OpenEdxThrottled': 'errors',
    'learner_record': 'learner',
    'learner_session': 'learner',
    'LearnerRecord': 'learner',
    'retry_adapter': 'retry',
    'DEFAULT_WORKERS': 'pool',
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError('module {0!r} has no attribute {1!r}'.format(
            __name__, name))
    value = getattr(importlib.import_module(
        '{0}.{1}'.format(__name__, module_name)), name)
    globals()[name] = value
    return value


def __dir__() -> Any:
    return sorted(list(globals()) + __all__)
