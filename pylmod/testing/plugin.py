"""pytest fixtures for testing code against a local LMod.

Installed with pylmod as the pytest plugin ``pylmod`` (entry point
``pytest11``), so any project that has ``pylmod[testing]`` installed can use
them without a ``conftest.py``:

``lmod_certificates`` (session)
    A :class:`~pylmod.testing.TestCertificates`: a throwaway CA, server and
    client certificates, made once per test session (per xdist worker).
``lmod_fake``
    The :class:`~pylmod.testing.FakeLmod` served: :meth:`FakeLmod.demo`, fresh
    for each test.  Override this fixture to serve your own seed.
``lmod_server``
    A running :class:`~pylmod.testing.LmodServer` over ``lmod_fake``.
``lmod_client_cert``
    The path of the client certificate (certificate and key in one PEM) the
    server accepts.
``gradebook``, ``membership``
    A :class:`pylmod.GradeBook` bound to the demo gradebook and a
    :class:`pylmod.Membership` bound to the demo course, talking to
    ``lmod_server`` over TLS.

This module imports nothing heavy: pylmod's testing package and ``trustme``
are imported when a fixture is first used.
"""
from typing import TYPE_CHECKING, Any, Iterator

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from pylmod import GradeBook, Membership
    from pylmod.testing import FakeLmod, LmodServer, TestCertificates


@pytest.fixture(scope='session')
def lmod_certificates(tmp_path_factory: Any) -> 'TestCertificates':
    """Test CA, server and client certificates, made once per session."""
    from pylmod.testing.certs import TestCertificates
    return TestCertificates(str(tmp_path_factory.mktemp('lmod-certs')))


@pytest.fixture
def lmod_fake() -> 'FakeLmod':
    """The fake LMod state served by ``lmod_server`` (the demo course)."""
    from pylmod.testing.fake import FakeLmod
    return FakeLmod.demo()


@pytest.fixture
def lmod_server(lmod_fake: 'FakeLmod',
                lmod_certificates: 'TestCertificates'
                ) -> Iterator['LmodServer']:
    """A running fake LMod over mutual TLS, fresh for each test."""
    from pylmod.testing.server import LmodServer
    with LmodServer(lmod_fake, certificates=lmod_certificates) as server:
        yield server


@pytest.fixture
def lmod_client_cert(lmod_certificates: 'TestCertificates') -> str:
    """The client certificate (combined PEM) the fake LMod accepts."""
    return lmod_certificates.client_cert


@pytest.fixture
def gradebook(lmod_server: 'LmodServer') -> Iterator['GradeBook']:
    """A GradeBook bound to the demo gradebook of ``lmod_server``."""
    from pylmod import GradeBook
    from pylmod.testing.demo import DEMO_GRADEBOOK_UUID
    with GradeBook(lmod_server.client_cert, lmod_server.url,
                   gbuuid=DEMO_GRADEBOOK_UUID,
                   verify=lmod_server.ca_cert) as client:
        yield client


@pytest.fixture
def membership(lmod_server: 'LmodServer') -> Iterator['Membership']:
    """A Membership bound to the demo course of ``lmod_server``."""
    from pylmod import Membership
    from pylmod.testing.demo import DEMO_COURSE_UUID
    with Membership(lmod_server.client_cert, lmod_server.url,
                    uuid=DEMO_COURSE_UUID,
                    verify=lmod_server.ca_cert) as client:
        yield client
