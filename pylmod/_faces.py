"""How a package shows its public names: each is imported from the module
that defines it when first used (:pep:`562`), so that importing the package
costs nothing until then.
"""
import importlib
import sys
from typing import Any, Callable, List, Mapping, Tuple


def lazy_names(package: str, homes: Mapping[str, str]
               ) -> Tuple[Callable[[str], Any], Callable[[], List[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a package's face.

    Args:
        package: the package's ``__name__``.
        homes: each public name -> the module defining it, relative to
            the package, e.g. ``{'FakeLmod': 'fake'}`` (``pylmod.testing.
            fake``), ``{'LoggedRequest': '..wire'}`` (its parent's
            ``wire``).

    Example:

    .. code-block:: python

        __getattr__, __dir__ = lazy_names(__name__, {'FakeLmod': 'fake'})
    """
    def __getattr__(name: str) -> Any:  # noqa: N807
        home = homes.get(name)
        if home is None:
            raise AttributeError('module {0!r} has no attribute {1!r}'.format(
                package, name))
        module = importlib.import_module(
            home if home.startswith('.') else '.' + home, package)
        # Every name of that module at once: the next ones cost nothing.
        face = sys.modules[package]
        for other, other_home in homes.items():
            if other_home == home:
                setattr(face, other, getattr(module, other))
        return getattr(module, name)

    def __dir__() -> List[str]:  # noqa: N807
        return sorted(set(vars(sys.modules[package])) | set(homes))

    return __getattr__, __dir__
