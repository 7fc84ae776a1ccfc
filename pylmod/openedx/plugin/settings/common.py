"""Settings every LMS gets with the plugin (``common``)."""
from typing import Any

from pylmod.openedx.plugin.conf import DEFAULTS, SETTING


def plugin_settings(settings: Any) -> None:
    """Give ``PYLMOD_OPENEDX`` its defaults, keeping what the LMS set.

    Args:
        settings: the LMS settings module (edx-django-utils passes it).
    """
    given = getattr(settings, SETTING, None) or {}
    setattr(settings, SETTING, dict(DEFAULTS, **given))
