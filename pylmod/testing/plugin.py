"""pytest fixtures for testing code against a local LMod.

Installed with pylmod as the pytest plugin ``pylmod`` (entry point
``pytest11``), so any project that has ``pylmod[testing]`` installed can use
them without a ``conftest.py`` (``pytest --fixtures`` lists them):

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
``lmod_gradebook_uuid``, ``lmod_course_uuid``
    The uuids ``gradebook`` and ``membership`` are bound to: those of the
    first gradebook and the first course guide course of ``lmod_fake``
    (``None`` when it has none).  Override them to pick others.
``gradebook``, ``membership``
    A :class:`pylmod.GradeBook` bound to ``lmod_gradebook_uuid`` and a
    :class:`pylmod.Membership` bound to ``lmod_course_uuid``, talking to
    ``lmod_server`` over TLS.

This module imports nothing heavy: pylmod's clients, its testing package and
``trustme`` are imported when a fixture is first used, because pytest loads
the plugin in every test run of a project that has pylmod installed.
"""
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, TypeVar

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from pylmod import GradeBook, Membership
    from pylmod.testing import FakeLmod, LmodServer, TestCertificates

Client = TypeVar('Client')


@pytest.fixture(scope='session')
def lmod_certificates(tmp_path_factory: Any) -> 'TestCertificates':
    """Test CA, server and client certificates, made once per session."""
    from pylmod.testing.certs import TestCertificates
    return TestCertificates(str(tmp_path_factory.mktemp('lmod-certs')))


@pytest.fixture
def lmod_fake() -> 'FakeLmod':
    """The fake LMod state served by ``lmod_server`` (the demo course);
    override it to serve your own seed."""
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
def lmod_gradebook_uuid(lmod_fake: 'FakeLmod') -> Optional[str]:
    """The uuid of the gradebook ``gradebook`` is bound to: the first of
    ``lmod_fake`` (``None`` without any); override it to pick another."""
    return next(iter(lmod_fake.gradebook_uuids()), None)


@pytest.fixture
def lmod_course_uuid(lmod_fake: 'FakeLmod') -> Optional[str]:
    """The uuid of the course ``membership`` is bound to: the first course
    guide course of ``lmod_fake`` (``None`` without any); override it to
    pick another."""
    return next(iter(lmod_fake.course_uuids()), None)


@pytest.fixture
def gradebook(lmod_server: 'LmodServer',
              lmod_gradebook_uuid: Optional[str]) -> Iterator['GradeBook']:
    """A GradeBook of ``lmod_server`` bound to ``lmod_gradebook_uuid``."""
    from pylmod import GradeBook
    with _client(GradeBook, lmod_server, gbuuid=lmod_gradebook_uuid) as client:
        yield client


@pytest.fixture
def membership(lmod_server: 'LmodServer',
               lmod_course_uuid: Optional[str]) -> Iterator['Membership']:
    """A Membership of ``lmod_server`` bound to ``lmod_course_uuid``."""
    from pylmod import Membership
    with _client(Membership, lmod_server, uuid=lmod_course_uuid) as client:
        yield client


def _client(client_class: Callable[..., Client], server: 'LmodServer',
            **binding: Optional[str]) -> Client:
    """A client of ``server``, with its certificate and CA."""
    return client_class(server.client_cert, server.url,
                        verify=server.ca_cert, **binding)
