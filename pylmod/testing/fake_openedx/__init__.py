"""A fake Open edX REST server for tests: stdlib HTTP on loopback.

It implements, as the edx-platform API documentation describes them, the
calls of :data:`pylmod.openedx.endpoints.ENDPOINTS` (and routes with that
table): the OAuth2 token endpoint (client credentials, JWT-looking tokens,
401 for a bad secret), program course grades with cursor pagination and
``page_size`` (200/204/207/422), program enrollments and program course
enrollments (paginated GET; POST/PATCH/PUT with per-learner results,
200/207/422, 413 above 25 learners) and ``bulk_enroll`` (the documented
result shape; 400 for a bad course key or a cohort count that is not the
course count).  Every request is logged.

Example:

.. code-block:: python

    from pylmod.testing.fake_openedx import FakeOpenEdx, OpenEdxServer

    fake = FakeOpenEdx.demo()
    fake.set_grade(PROGRAM, COURSE, 'student@example.com', 0.9, 'A')
    with OpenEdxServer(fake) as server:
        client = server.client()   # an OpenEdxClient with its own token
        client.get_program_course_grades(PROGRAM, COURSE)

The state and the tokens live in :mod:`~pylmod.testing.fake_openedx.state`,
the HTTP server in :mod:`~pylmod.testing.fake_openedx.server`; the answers
of the program calls in :mod:`~pylmod.testing.fake_openedx.programs` and of
``bulk_enroll`` in :mod:`~pylmod.testing.fake_openedx.bulk_enroll`, both by
the rules of :mod:`~pylmod.testing.fake_openedx.rules` (written from the
edx-platform documentation, not taken from the client).  Requests are
routed by :mod:`~pylmod.testing.fake_openedx.routes`.
"""
from pylmod.testing.fake_openedx.server import LoggedRequest, OpenEdxServer
from pylmod.testing.fake_openedx.state import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
)

__all__ = [
    'DEMO_COURSE_KEY', 'DEMO_CURRICULUM_UUID', 'DEMO_PROGRAM_UUID',
    'FakeOpenEdx', 'LoggedRequest', 'OpenEdxServer',
]
