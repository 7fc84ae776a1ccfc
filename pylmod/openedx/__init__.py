"""The Open edX bridge: Open edX grades into LMod, LMod rosters into Open edX.

Install with the extra to use ``edx_rest_api_client`` for authentication
(``pip install "pylmod[openedx]"``); without it the bridge authenticates
with ``requests`` alone.  Importing this package is cheap: the submodules
(and Django, through ``edx_rest_api_client``) load when first used.
"""
from typing import TYPE_CHECKING

from pylmod._faces import lazy_names

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.openedx.auth import (
        ClientCredentialsSession,
        configure_django_cache,
        oauth_session,
    )
    from pylmod.openedx.client import OpenEdxClient
    from pylmod.openedx.errors import (
        OpenEdxAuthError,
        OpenEdxConfigError,
        OpenEdxError,
        OpenEdxHTTPError,
        OpenEdxThrottled,
    )
    from pylmod.openedx.grades import (
        load_mapping_csv,
        push_grades,
    )
    from pylmod.openedx.learner import (
        LearnerRecord,
        learner_record,
        learner_session,
    )
    from pylmod.openedx.pool import DEFAULT_WORKERS
    from pylmod.openedx.report import (
        GradeSyncReport,
        RosterSyncReport,
    )
    from pylmod.openedx.retry import retry_adapter
    from pylmod.openedx.roster import (
        RosterEntry,
        lmod_roster,
        sync_roster,
    )
    from pylmod.openedx.write_results import LearnerResult

#: Where each public name is defined: imported when first used.
_HOMES = {
    'ClientCredentialsSession': 'auth',
    'DEFAULT_WORKERS': 'pool',
    'GradeSyncReport': 'report',
    'LearnerRecord': 'learner',
    'LearnerResult': 'write_results',
    'OpenEdxAuthError': 'errors',
    'OpenEdxClient': 'client',
    'OpenEdxConfigError': 'errors',
    'OpenEdxError': 'errors',
    'OpenEdxHTTPError': 'errors',
    'OpenEdxThrottled': 'errors',
    'RosterEntry': 'roster',
    'RosterSyncReport': 'report',
    'configure_django_cache': 'auth',
    'learner_record': 'learner',
    'learner_session': 'learner',
    'lmod_roster': 'roster',
    'load_mapping_csv': 'grades',
    'oauth_session': 'auth',
    'push_grades': 'grades',
    'retry_adapter': 'retry',
    'sync_roster': 'roster',
}

__all__ = [
    'ClientCredentialsSession', 'DEFAULT_WORKERS', 'GradeSyncReport',
    'LearnerRecord', 'LearnerResult', 'OpenEdxAuthError', 'OpenEdxClient',
    'OpenEdxConfigError', 'OpenEdxError', 'OpenEdxHTTPError',
    'OpenEdxThrottled', 'RosterEntry', 'RosterSyncReport',
    'configure_django_cache', 'learner_record', 'learner_session',
    'lmod_roster', 'load_mapping_csv', 'oauth_session', 'push_grades',
    'retry_adapter', 'sync_roster',
]

__getattr__, __dir__ = lazy_names(__name__, _HOMES)
