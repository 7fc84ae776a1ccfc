"""A local LMod to test against: :class:`FakeLmod` served by
:class:`LmodServer` over mutual TLS, and pytest fixtures.

Example:

.. code-block:: python

    from pylmod import GradeBook
    from pylmod.testing import DEMO_GRADEBOOK_UUID, FakeLmod, LmodServer

    with LmodServer(FakeLmod.demo()) as server:
        gradebook = GradeBook(server.client_cert, server.url,
                              gbuuid=DEMO_GRADEBOOK_UUID,
                              verify=server.ca_cert)
        print(len(gradebook.get_students()))

Only the standard library is needed to run the fake; making its
certificates needs ``trustme`` (``pip install "pylmod[testing]"``), imported
when certificates are first made.  Nothing here is imported by
``import pylmod``.
"""
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.testing.certs import (
        FakeCertificateError,
        TestCertificates,
        certificate_fingerprint,
    )
    from pylmod.testing.demo import (
        DEMO_COURSE_ID,
        DEMO_COURSE_UUID,
        DEMO_GRADEBOOK_ID,
        DEMO_GRADEBOOK_UUID,
        DEMO_GROUP_ID,
    )
    from pylmod.testing.fake import FakeLmod
    from pylmod.testing.server import LmodServer
    from pylmod.testing.shapecheck import check_shape, shape_problems
    from pylmod.testing.wire import LoggedRequest

#: Where each public name is defined: imported when first used, so that the
#: pytest plugin (loaded in every pytest run) stays cheap to import.
_LOCATIONS = {
    'DEMO_COURSE_ID': 'demo',
    'DEMO_COURSE_UUID': 'demo',
    'DEMO_GRADEBOOK_ID': 'demo',
    'DEMO_GRADEBOOK_UUID': 'demo',
    'DEMO_GROUP_ID': 'demo',
    'FakeCertificateError': 'certs',
    'FakeLmod': 'fake',
    'LmodServer': 'server',
    'LoggedRequest': 'wire',
    'TestCertificates': 'certs',
    'certificate_fingerprint': 'certs',
    'check_shape': 'shapecheck',
    'shape_problems': 'shapecheck',
}

__all__ = [
    'DEMO_COURSE_ID',
    'DEMO_COURSE_UUID',
    'DEMO_GRADEBOOK_ID',
    'DEMO_GRADEBOOK_UUID',
    'DEMO_GROUP_ID',
    'FakeCertificateError',
    'FakeLmod',
    'LmodServer',
    'LoggedRequest',
    'TestCertificates',
    'certificate_fingerprint',
    'check_shape',
    'shape_problems',
]


def __getattr__(name: str) -> Any:
    if name not in _LOCATIONS:
        raise AttributeError('module {0!r} has no attribute {1!r}'.format(
            __name__, name))
    module = importlib.import_module(
        'pylmod.testing.' + _LOCATIONS[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> Any:
    return sorted(set(globals()) | set(__all__))
