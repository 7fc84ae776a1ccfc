"""The LMod endpoint table: every call the clients make, one row each.

The client classes (:mod:`pylmod.gradebook`, :mod:`pylmod.membership`) build
their request paths from these rows, and the fake LMod in
:mod:`pylmod.testing` routes requests with the same rows, so a path template
is written exactly once.  Paths are relative to the service root
(``<urlbase>service/<service>/``); ``{names}`` are filled in by the caller.
"""
from __future__ import annotations

from typing import Dict, NamedTuple, Tuple

GRADEBOOK = 'gradebook'
MEMBERSHIP = 'membership'


class Endpoint(NamedTuple):
    """One LMod call.

    Attributes:
        name: the key of this row in :data:`ENDPOINTS`.
        service: ``'gradebook'`` or ``'membership'``.
        method: the HTTP verb.
        path: the path template relative to the service root.  One quirk of
            the real service is kept: ``courseguide/course`` takes its uuid
            inside the path string, not as an encoded query parameter.
        params: names of the query parameters the client sends.
        result: what the client method returns from the decoded body.
        creates: True for a POST that creates something.  Such a request is
            never repeated once it may have reached the server (see
            :meth:`pylmod.base.Base.retry_policy`).
    """

    name: str
    service: str
    method: str
    path: str
    params: Tuple[str, ...] = ()
    result: str = 'decoded body'
    creates: bool = False

    def format(self, **ids: object) -> str:
        """Return the path with its ``{names}`` filled in from ``ids``."""
        return self.path.format(**ids)


_STUDENT_PARAMS = (
    'includePhoto', 'includeGradeInfo', 'includeGradeHistory',
    'includeMakeupGrades',
)

_ROWS = (
    # name, service, method, path, params, result, creates
    Endpoint('gradebook', GRADEBOOK, 'GET', 'gradebook', ('uuid',),
             "body['data']['gradebookId']"),
    Endpoint('options', GRADEBOOK, 'GET', 'gradebook/options/{gradebookId}',
             (), "body['data']"),
    Endpoint('assignments', GRADEBOOK, 'GET', 'assignments/{gradebookId}',
             ('includeMaxPoints', 'includeAvgStats', 'includeGradingStats'),
             "body['data']"),
    Endpoint('create_assignment', GRADEBOOK, 'POST', 'assignment', (),
             'decoded body', creates=True),
    Endpoint('delete_assignment', GRADEBOOK, 'DELETE',
             'assignment/{assignmentId}'),
    Endpoint('grade', GRADEBOOK, 'POST', 'grades/{gradebookId}'),
    Endpoint('multi_grade', GRADEBOOK, 'POST', 'multiGrades/{gradebookId}'),
    Endpoint('sections', GRADEBOOK, 'GET', 'sections/{gradebookId}',
             ('includeMembers',), "body['data']"),
    Endpoint('students', GRADEBOOK, 'GET', 'students/{gradebookId}',
             _STUDENT_PARAMS, "body['data']"),
    Endpoint('section_students', GRADEBOOK, 'GET',
             'students/{gradebookId}/section/{sectionId}',
             _STUDENT_PARAMS, "body['data']"),
    Endpoint('staff', GRADEBOOK, 'GET', 'staff/{gradebookId}', (),
             "body['data']"),
    Endpoint('group', MEMBERSHIP, 'GET', 'group', ('uuid',)),
    Endpoint('group_members', MEMBERSHIP, 'GET', 'group/{groupId}/member'),
    Endpoint('course', MEMBERSHIP, 'GET', 'courseguide/course?uuid={uuid}',
             (), "body['response']['docs'][0]['id']"),
    Endpoint('course_staff', MEMBERSHIP, 'GET',
             'courseguide/course/{courseId}/staff', (),
             "body['response']['docs']"),
)

#: Every LMod endpoint, by name.
ENDPOINTS: Dict[str, Endpoint] = {row.name: row for row in _ROWS}


def service_endpoints(service: str) -> Tuple[Endpoint, ...]:
    """Return the rows of one service (``'gradebook'`` or ``'membership'``)."""
    return tuple(row for row in _ROWS if row.service == service)
