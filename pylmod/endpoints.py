"""The LMod endpoint table: every call the clients make, one row each.

The client classes (:mod:`pylmod.gradebook`, :mod:`pylmod.membership`) make
every call through :func:`call`, which reads the row: its verb, its path
template and the names of its query parameters.  The fake LMod in
:mod:`pylmod.testing` routes requests with the same rows, so a path template
is written exactly once.  Paths are relative to the service root
(``<urlbase>service/<service>/``); ``{names}`` are filled in by the caller.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Tuple

if TYPE_CHECKING:  # pragma: no cover - for annotations only
    from pylmod.base import Base

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
        params: names of the query parameters the client sends, in the
            order :meth:`query` pairs them with values.
        creates: True for a POST that creates something.  Such a request is
            never repeated once it may have reached the server: the client
            mounts ``retry_policy(creates=True)`` on its path (see
            :meth:`pylmod.base.Base.mount_policy`).
    """

    name: str
    service: str
    method: str
    path: str
    params: Tuple[str, ...] = ()
    creates: bool = False

    def format(self, **ids: object) -> str:
        """Return the path with its ``{names}`` filled in from ``ids``."""
        return self.path.format(**ids)

    def query(self, *values: Any) -> Dict[str, Any]:
        """Return the query of a call: :attr:`params` paired with ``values``.

        A boolean becomes ``'true'`` or ``'false'`` (``json.dumps``), as LMod
        expects; other values are sent as they are (``None``: left out).

        Raises:
            TypeError: not one value per parameter.

        Example:
            >>> ENDPOINTS['sections'].query(False)
            {'includeMembers': 'false'}
        """
        if len(values) != len(self.params):
            raise TypeError('{0} takes the query parameters {1}, got {2} '
                            'values'.format(self.name, self.params,
                                            len(values)))
        return {name: json.dumps(value) if isinstance(value, bool) else value
                for name, value in zip(self.params, values)}


_STUDENT_PARAMS = (
    'includePhoto', 'includeGradeInfo', 'includeGradeHistory',
    'includeMakeupGrades',
)

_ROWS = (
    # name, service, method, path, params, creates
    Endpoint('gradebook', GRADEBOOK, 'GET', 'gradebook', ('uuid',)),
    Endpoint('options', GRADEBOOK, 'GET', 'gradebook/options/{gradebookId}'),
    Endpoint('assignments', GRADEBOOK, 'GET', 'assignments/{gradebookId}',
             ('includeMaxPoints', 'includeAvgStats', 'includeGradingStats')),
    Endpoint('create_assignment', GRADEBOOK, 'POST', 'assignment',
             creates=True),
    Endpoint('delete_assignment', GRADEBOOK, 'DELETE',
             'assignment/{assignmentId}'),
    Endpoint('grade', GRADEBOOK, 'POST', 'grades/{gradebookId}'),
    Endpoint('multi_grade', GRADEBOOK, 'POST', 'multiGrades/{gradebookId}'),
    Endpoint('sections', GRADEBOOK, 'GET', 'sections/{gradebookId}',
             ('includeMembers',)),
    Endpoint('students', GRADEBOOK, 'GET', 'students/{gradebookId}',
             _STUDENT_PARAMS),
    Endpoint('section_students', GRADEBOOK, 'GET',
             'students/{gradebookId}/section/{sectionId}', _STUDENT_PARAMS),
    Endpoint('staff', GRADEBOOK, 'GET', 'staff/{gradebookId}'),
    Endpoint('group', MEMBERSHIP, 'GET', 'group', ('uuid',)),
    Endpoint('group_members', MEMBERSHIP, 'GET', 'group/{groupId}/member'),
    Endpoint('course', MEMBERSHIP, 'GET', 'courseguide/course?uuid={uuid}'),
    Endpoint('course_staff', MEMBERSHIP, 'GET',
             'courseguide/course/{courseId}/staff'),
)

#: Every LMod endpoint, by name.
ENDPOINTS: Dict[str, Endpoint] = {row.name: row for row in _ROWS}


def call(client: Base, name: str, /, *query: Any, body: Any = None,
         **ids: Any) -> Any:
    """Make the LMod call of row ``name`` with ``client``.

    The one way the clients build a request: the row gives the verb, the
    path (its template filled in from ``ids``) and the query (its
    :attr:`~Endpoint.params` paired with ``query``, see
    :meth:`Endpoint.query`); ``body`` is the POST body.

    Args:
        client: a :class:`~pylmod.base.Base` of the row's service.
        name: the row, a key of :data:`ENDPOINTS`.
        query: one value per query parameter of the row, in its order.
        body: the body of a POST (a dict or list, or a JSON string).
        ids: the ``{names}`` of the path template.

    Returns:
        The decoded JSON body, as :meth:`~pylmod.base.Base.get` returns it.

    Example:

    .. code-block:: python

        call(gradebook, 'assignments', True, False, False,
             gradebookId=1293808)
        # GET service/gradebook/assignments/1293808?includeMaxPoints=true
        #     &includeAvgStats=false&includeGradingStats=false
    """
    row = ENDPOINTS[name]
    path = row.format(**ids)
    if row.method == 'GET':
        return client.get(path, params=row.query(*query))
    if row.method == 'POST':
        return client.post(path, body)
    return client.delete(path)


def mount_create_policies(client: Base) -> None:
    """Mount ``client.retry_policy(creates=True)`` on the path of every row
    of the client's service that creates something, so that such a POST is
    not repeated once it may have reached the server.

    Args:
        client: a :class:`~pylmod.base.Base` with its ``SERVICE`` set.
    """
    for row in _ROWS:
        if row.creates and row.service == client.SERVICE:
            client.mount_policy(row.path, client.retry_policy(creates=True))
