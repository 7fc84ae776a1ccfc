"""
PyLmod is a module that implements MIT Learning Modules API in Python
"""
from typing import Any

from pylmod.gradebook import GradeBook
from pylmod.membership import Membership

__all__ = ['GradeBook', 'Membership']
__project__ = 'pylmod'

#: What ``__version__`` is when the package's metadata cannot be read.
NOT_INSTALLED_VERSION = 'Please install this project with setup.py'


def get_distribution(name: str) -> Any:
    """Return the installed distribution ``name`` (it has ``.version``).

    The name and purpose of 1.0.x's ``pkg_resources`` import, now read with
    :mod:`importlib.metadata`, so no setuptools is needed at run time.
    """
    from importlib import metadata
    return metadata.distribution(name)


def _get_version() -> str:
    """Read the version from the installed metadata."""
    try:
        return get_distribution(__project__).version
    except Exception:  # pylint: disable=broad-except
        # PackageNotFoundError, or pkg_resources' DistributionNotFound from
        # code that patches get_distribution as it did with 1.0.x.
        return NOT_INSTALLED_VERSION


def __getattr__(name: str) -> Any:
    # The version is read when first asked for: importing pylmod does no I/O.
    if name == '__version__':
        version = _get_version()
        globals()['__version__'] = version
        return version
    raise AttributeError('module {0!r} has no attribute {1!r}'.format(
        __name__, name))
