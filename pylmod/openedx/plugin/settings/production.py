"""Settings of a production LMS (``production``): ``PYLMOD_OPENEDX`` from
the LMS's YAML configuration.

The keys under ``PYLMOD_OPENEDX`` in ``ENV_TOKENS`` (the LMS YAML), then in
``AUTH_TOKENS`` (where secrets such as ``CLIENT_SECRET`` belong), are laid
over what the LMS settings already hold, key by key.  An LMS that loads its
YAML straight into the settings has ``PYLMOD_OPENEDX`` there already: it
is kept.
"""
from typing import Any

from pylmod.openedx.plugin.conf import DEFAULTS, SETTING


def plugin_settings(settings: Any) -> None:
    """Lay the YAML's ``PYLMOD_OPENEDX`` over the LMS settings.

    Args:
        settings: the LMS settings module (edx-django-utils passes it).
    """
    merged = dict(DEFAULTS, **(getattr(settings, SETTING, None) or {}))
    for tokens in ('ENV_TOKENS', 'AUTH_TOKENS'):
        merged.update((getattr(settings, tokens, None) or {}).get(
            SETTING) or {})
    setattr(settings, SETTING, merged)
