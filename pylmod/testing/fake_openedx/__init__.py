"""A fake Open edX REST server for tests: stdlib HTTP on loopback.

It implements, as the edx-platform API documentation describes them, every
call of :data:`pylmod.openedx.endpoints.ENDPOINTS` (and routes with that
table; nothing else is taken from the client): the OAuth2 token endpoint
(client credentials; JWT or opaque Bearer tokens), program course grades
with cursor pagination and ``page_size`` (200/204/207/422), program
enrollments and program course enrollments (paginated GET; POST/PATCH/PUT
checked item by item as the documented serializers check them, DRF-style
400 field errors, per-learner results, 200/207/422, 413 above 25 learners),
``bulk_enroll`` (staff only; the documented result shape), a learner's
program views (overview, program course enrollments, programs readable)
and the mobile users API (the learner's own token only).  Every request is
logged; failures, latency and dropped answers can be injected.

Example:

.. code-block:: python

    from pylmod.testing.fake_openedx import FakeOpenEdx, OpenEdxServer

    fake = FakeOpenEdx.demo()
    fake.set_grade(PROGRAM, COURSE, 'student@example.com', 0.9, 'A')
    with OpenEdxServer(fake) as server:
        client = server.client()   # an OpenEdxClient with its own token
        client.get_program_course_grades(PROGRAM, COURSE)

The state lives in :mod:`~pylmod.testing.fake_openedx.state` (seeded by
:mod:`~pylmod.testing.fake_openedx.seeding`, records in
:mod:`~pylmod.testing.fake_openedx.records`), tokens and identities in
:mod:`~pylmod.testing.fake_openedx.tokens`, the HTTP server in
:mod:`~pylmod.testing.fake_openedx.server`; the answers of the program
calls in :mod:`~pylmod.testing.fake_openedx.programs`, of ``bulk_enroll``
in :mod:`~pylmod.testing.fake_openedx.bulk_enroll` and of the mobile API in
:mod:`~pylmod.testing.fake_openedx.mobile`, all by the rules of
:mod:`~pylmod.testing.fake_openedx.rules` (written from the edx-platform
documentation, not taken from the client).  Requests are routed by
:mod:`~pylmod.testing.fake_openedx.routes`.
"""
from typing import TYPE_CHECKING

from pylmod._faces import lazy_names

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.testing.fake_openedx.demo_course import (
        DEMO_OPENEDX_ASSIGNMENT,
        demo_course_openedx,
    )
    from pylmod.testing.fake_openedx.server import OpenEdxServer
    from pylmod.testing.fake_openedx.state import (
        DEMO_COURSE_KEY,
        DEMO_CURRICULUM_UUID,
        DEMO_PROGRAM_UUID,
        FakeOpenEdx,
    )
    from pylmod.testing.wire import LoggedRequest

#: Where each public name is defined: imported when first used.
_HOMES = {
    'DEMO_COURSE_KEY': 'state',
    'DEMO_CURRICULUM_UUID': 'state',
    'DEMO_OPENEDX_ASSIGNMENT': 'demo_course',
    'DEMO_PROGRAM_UUID': 'state',
    'FakeOpenEdx': 'state',
    'LoggedRequest': '..wire',
    'OpenEdxServer': 'server',
    'demo_course_openedx': 'demo_course',
}

__all__ = [
    'DEMO_COURSE_KEY', 'DEMO_CURRICULUM_UUID', 'DEMO_OPENEDX_ASSIGNMENT',
    'DEMO_PROGRAM_UUID', 'FakeOpenEdx', 'LoggedRequest', 'OpenEdxServer',
    'demo_course_openedx',
]

__getattr__, __dir__ = lazy_names(__name__, _HOMES)
