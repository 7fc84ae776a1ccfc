"""Fixtures of the plugin's tests: both fakes seeded with the stand-in
LMS's courses (``tests/plugin_project/courses.py``), the plugin's settings
pointed at them, links, and a real Celery worker in this process.

Django, Celery and pytest-django are imported inside the fixtures: without
the ``openedx`` extra the test modules skip (``importorskip``) and this
file must still import.
"""
import logging

import pytest
from plugin_helpers import COURSES, LEARNERS, WAIT
from plugin_project import courses


@pytest.fixture
def lmod_fake():
    """The fake LMod: a gradebook per course (overrides pylmod's)."""
    from pylmod.testing import FakeLmod
    return FakeLmod(courses.lmod_seed(COURSES, LEARNERS))


@pytest.fixture
def openedx_fake():
    """The fake Open edX: a program and course run per course, with
    grades (overrides the suite's demo fake)."""
    from pylmod.testing.fake_openedx import FakeOpenEdx
    fake = FakeOpenEdx.demo()
    courses.seed_openedx(fake, COURSES, LEARNERS)
    return fake


@pytest.fixture
def plugin_settings(settings, lmod_server, openedx):
    """``PYLMOD_OPENEDX`` pointing at both fakes; returns the dict (change
    it in place to change a setting)."""
    settings.PYLMOD_OPENEDX = dict(
        settings.PYLMOD_OPENEDX,
        LMS_URL=openedx.url, CLIENT_ID=openedx.fake.CLIENT_ID,
        CLIENT_SECRET=openedx.fake.CLIENT_SECRET,
        LMOD_URL=lmod_server.url, LMOD_CERT=lmod_server.client_cert,
        LMOD_VERIFY=lmod_server.ca_cert)
    return settings.PYLMOD_OPENEDX


@pytest.fixture
def no_request_retries(plugin_settings):
    """No in-request retries: an injected failure reaches the run."""
    plugin_settings.update(LMOD_RETRIES=0, OPENEDX_RETRIES=0)
    return plugin_settings


@pytest.fixture
def make_link():
    """Create a link of course ``n`` (grade push and program roster),
    fields overridable."""
    from pylmod.openedx.plugin.models import GradebookLink

    def make(number, **fields):
        values = dict(courses.link_fields(courses.Course(number)), **fields)
        link = GradebookLink(**values)
        link.full_clean()
        link.save()
        return link
    return make


@pytest.fixture(scope='session')
def running_worker():
    """A real Celery worker (4 threads) in this process, on the in-memory
    broker, for the whole session (stopping one takes seconds)."""
    from celery.contrib.testing.worker import start_worker
    from plugin_project.celery_app import app
    root = logging.getLogger()
    level = root.level
    with start_worker(app, pool='threads', concurrency=4,
                      perform_ping_check=False, shutdown_timeout=WAIT):
        # The worker sets the root logger's level to its own ('error'): the
        # rest of the suite reads log lines at lower levels.
        root.setLevel(level)
        yield app


@pytest.fixture
def celery_worker(running_worker, transactional_db, plugin_settings):
    """The worker, for a test whose data it must see (committed: a
    transactional database) and whose settings point at the fakes."""
    return running_worker


@pytest.fixture
def writes(lmod_server, openedx):
    """Count the writes both fakes received: ``writes()`` returns
    ``(multiGrades requests, Open edX enrollment writes)``."""
    def count():
        grades = sum(1 for request in lmod_server.requests
                     if request.path.startswith('service/gradebook/'
                                                'multiGrades'))
        enrollments = sum(1 for request in openedx.requests
                          if request.method in ('POST', 'PATCH', 'PUT')
                          and '/enrollments/' in request.path)
        return grades, enrollments
    return count
