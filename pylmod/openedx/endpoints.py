"""The Open edX endpoint table: every call the bridge makes, one row each.

:class:`pylmod.openedx.client.OpenEdxClient` builds its URLs from these rows
and the fake Open edX in :mod:`pylmod.testing.fake_openedx` routes requests
with the same rows (the matching, and every rule a request must follow, are
the fake's own), so a path template is written exactly once.  The facts
(paths, statuses, limits) are those of the edx-platform API documentation.
"""
from typing import Dict, NamedTuple, Optional, Tuple
from urllib.parse import quote

#: The most learners one program (course) enrollment write may carry; Open
#: edX answers 413 above it.
MAX_LEARNERS_PER_WRITE = 25
#: The page size of the cursor-paginated lists when none is asked for.
DEFAULT_PAGE_SIZE = 100
#: The page size asked of a list whose pagination sets no maximum
#: (``ProgramEnrollmentPagination`` has ``page_size_query_param`` and no
#: ``max_page_size``, so Open edX accepts any): large enough that a
#: 10,000-learner roster is 10 requests, small enough that one answer stays
#: a few hundred kilobytes.
UNBOUNDED_PAGE_SIZE = 1000

#: Program enrollment statuses that are a success of a write.
PROGRAM_ENROLLMENT_STATUSES = (
    'enrolled', 'pending', 'canceled', 'suspended', 'ended')
#: Program enrollment statuses of a learner who is in the program.
PROGRAM_ACTIVE_STATUSES = ('enrolled', 'pending')
#: Program course enrollment statuses that are a success of a write.
PROGRAM_COURSE_ENROLLMENT_STATUSES = ('active', 'inactive')
#: The field naming the learner in enrollment write bodies
#: (``REQUEST_STUDENT_KEY`` of edx-platform's program enrollments API; the
#: model stores it as ``external_user_key``, which the docs' example bodies
#: show but the request serializers do not accept).
STUDENT_KEY = 'student_key'
#: The version of the mobile API the client asks for by default.
MOBILE_API_VERSION = 'v1'


class OpenEdxEndpoint(NamedTuple):
    """One Open edX REST call.

    Attributes:
        name: the key of this row in :data:`ENDPOINTS`.
        methods: the HTTP verbs it accepts.
        path: the path template from the site root; ``{names}`` are filled
            in (and URL-quoted) by :meth:`format`.
        paginated: True when a GET answers a cursor-paginated list.
        ok_results: per-learner results of a write that are successes.
        max_page_size: the largest ``page_size`` Open edX honours (larger
            ones are cut to it); ``None`` when the pagination sets none.
    """

    name: str
    methods: Tuple[str, ...]
    path: str
    paginated: bool = False
    ok_results: Tuple[str, ...] = ()
    max_page_size: Optional[int] = None

    def format(self, **ids: str) -> str:
        """Return the path with its ``{names}`` filled in.

        Course keys keep their ``:`` and ``+`` (``course-v1:Org+Num+Run``),
        anything else is percent-encoded.
        """
        return self.path.format(**{
            name: quote(str(value), safe=':+@') for name, value in ids.items()
        })

    @property
    def largest_page_size(self) -> Optional[int]:
        """The ``page_size`` to ask for when reading everything: the
        documented maximum, or :data:`UNBOUNDED_PAGE_SIZE` when there is
        none (``None`` for a list that is not paginated)."""
        if not self.paginated:
            return None
        return self.max_page_size or UNBOUNDED_PAGE_SIZE


_PROGRAMS = '/api/program_enrollments/v1/programs/'
_MOBILE_USER = '/api/mobile/{version}/users/{username}'

_ROWS = (
    # name, methods, path, paginated, ok_results, max_page_size
    OpenEdxEndpoint('access_token', ('POST',), '/oauth2/access_token'),
    OpenEdxEndpoint(
        'program_course_grades', ('GET',),
        _PROGRAMS + '{program_uuid}/courses/{course_id}/grades/',
        paginated=True),
    OpenEdxEndpoint(
        'program_enrollments', ('GET', 'POST', 'PATCH', 'PUT'),
        _PROGRAMS + '{program_uuid}/enrollments/',
        paginated=True, ok_results=PROGRAM_ENROLLMENT_STATUSES),
    OpenEdxEndpoint(
        'program_course_enrollments', ('GET', 'POST', 'PATCH', 'PUT'),
        _PROGRAMS + '{program_uuid}/courses/{course_id}/enrollments/',
        paginated=True, ok_results=PROGRAM_COURSE_ENROLLMENT_STATUSES),
    OpenEdxEndpoint('program_overview', ('GET',),
                    _PROGRAMS + '{program_uuid}/overview/'),
    # UserProgramCourseEnrollmentPagination: page_size 10, max_page_size 25.
    OpenEdxEndpoint(
        'user_program_course_enrollments', ('GET',),
        '/api/program_enrollments/v1/users/{username}/programs/'
        '{program_uuid}/courses', paginated=True, max_page_size=25),
    OpenEdxEndpoint('read_only_programs', ('GET',),
                    _PROGRAMS + 'enrollments/'),
    OpenEdxEndpoint('bulk_enroll', ('POST',),
                    '/api/bulk_enroll/v1/bulk_enroll/'),
    OpenEdxEndpoint('mobile_user', ('GET',), _MOBILE_USER),
    OpenEdxEndpoint('mobile_course_enrollments', ('GET',),
                    _MOBILE_USER + '/course_enrollments/'),
    OpenEdxEndpoint('mobile_course_status', ('GET', 'PATCH'),
                    _MOBILE_USER + '/course_status_info/{course_id}'),
)

#: Every Open edX endpoint the bridge uses, by name.
ENDPOINTS: Dict[str, OpenEdxEndpoint] = {row.name: row for row in _ROWS}
