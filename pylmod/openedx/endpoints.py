"""The Open edX endpoint table: every call the bridge makes, one row each.

:class:`pylmod.openedx.client.OpenEdxClient` builds its URLs from these rows
and the fake Open edX in :mod:`pylmod.testing.fake_openedx` routes requests
with the same rows (the matching is the fake's), so a path template is
written exactly once.  The facts (paths, statuses, limits) are those of the
edx-platform API documentation.
"""
from typing import Dict, NamedTuple, Tuple
from urllib.parse import quote

#: The most learners one program (course) enrollment write may carry; Open
#: edX answers 413 above it.
MAX_LEARNERS_PER_WRITE = 25
#: The page size of the cursor-paginated lists when none is asked for.
DEFAULT_PAGE_SIZE = 100

#: Program enrollment statuses that are a success of a write.
PROGRAM_ENROLLMENT_STATUSES = (
    'enrolled', 'pending', 'canceled', 'suspended', 'ended')
#: Program enrollment statuses of a learner who is in the program.
PROGRAM_ACTIVE_STATUSES = ('enrolled', 'pending')
#: Program course enrollment statuses that are a success of a write.
PROGRAM_COURSE_ENROLLMENT_STATUSES = ('active', 'inactive')


class OpenEdxEndpoint(NamedTuple):
    """One Open edX REST call.

    Attributes:
        name: the key of this row in :data:`ENDPOINTS`.
        methods: the HTTP verbs it accepts.
        path: the path template from the site root; ``{names}`` are filled
            in (and URL-quoted) by :meth:`format`.
        paginated: True when a GET answers a cursor-paginated list.
        ok_results: per-learner results of a write that are successes.
    """

    name: str
    methods: Tuple[str, ...]
    path: str
    paginated: bool = False
    ok_results: Tuple[str, ...] = ()

    def format(self, **ids: str) -> str:
        """Return the path with its ``{names}`` filled in.

        Course keys keep their ``:`` and ``+`` (``course-v1:Org+Num+Run``),
        anything else is percent-encoded.
        """
        return self.path.format(**{
            name: quote(str(value), safe=':+@') for name, value in ids.items()
        })


_ROWS = (
    # name, methods, path, paginated, ok_results
    OpenEdxEndpoint('access_token', ('POST',), '/oauth2/access_token'),
    OpenEdxEndpoint(
        'program_course_grades', ('GET',),
        '/api/program_enrollments/v1/programs/{program_uuid}/courses/'
        '{course_id}/grades/', paginated=True),
    OpenEdxEndpoint(
        'program_enrollments', ('GET', 'POST', 'PATCH', 'PUT'),
        '/api/program_enrollments/v1/programs/{program_uuid}/enrollments/',
        paginated=True, ok_results=PROGRAM_ENROLLMENT_STATUSES),
    OpenEdxEndpoint(
        'program_course_enrollments', ('GET', 'POST', 'PATCH', 'PUT'),
        '/api/program_enrollments/v1/programs/{program_uuid}/courses/'
        '{course_id}/enrollments/',
        paginated=True, ok_results=PROGRAM_COURSE_ENROLLMENT_STATUSES),
    OpenEdxEndpoint('bulk_enroll', ('POST',),
                    '/api/bulk_enroll/v1/bulk_enroll/'),
)

#: Every Open edX endpoint the bridge uses, by name.
ENDPOINTS: Dict[str, OpenEdxEndpoint] = {row.name: row for row in _ROWS}

