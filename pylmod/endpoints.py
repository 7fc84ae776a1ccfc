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
from string import Formatter
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
        path: the path template relative to the service root.
        params: names of the query parameters the client sends, in the
            order they are sent.
        creates: True for a POST that creates something, which is never
            repeated once it may have reached the server (see
            :func:`mount_create_policies`).
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

    def path_names(self) -> Tuple[str, ...]:
        """The ``{names}`` of :attr:`path`, in order."""
        return tuple(field for _, field, _, _ in Formatter().parse(self.path)
                     if field)

    def query(self, **values: Any) -> Dict[str, Any]:
        """Return the query of a call: each of :attr:`params` with its
        value, in the order of :attr:`params`.

        A boolean becomes ``'true'`` or ``'false'`` (``json.dumps``), as LMod
        expects; other values are sent as they are (``None``: left out).

        Raises:
            TypeError: a parameter without a value, or a value of no
                parameter (the message names them).

        Example:
            >>> ENDPOINTS['sections'].query(includeMembers=False)
            {'includeMembers': 'false'}
        """
        if set(values) != set(self.params):
            raise TypeError('{0} takes the query parameters {1}, got {2}'
                            .format(self.name, self.params,
                                    tuple(sorted(values))))
        return {name: json.dumps(values[name])
                if isinstance(values[name], bool) else values[name]
                for name in self.params}


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
    # A quirk of the real service, kept: the course guide takes its uuid
    # inside the path string, not as an encoded query parameter.
    Endpoint('course', MEMBERSHIP, 'GET', 'courseguide/course?uuid={uuid}'),
    Endpoint('course_staff', MEMBERSHIP, 'GET',
             'courseguide/course/{courseId}/staff'),
)

#: Every LMod endpoint, by name.
ENDPOINTS: Dict[str, Endpoint] = {row.name: row for row in _ROWS}


def call(client: Base, name: str, /, *, body: Any = None,
         **values: Any) -> Any:
    """Make the LMod call of row ``name`` with ``client``.

    The one way the clients build a request: the row gives the verb, the
    path and the query.  Each keyword names a query parameter of the row
    (its :attr:`~Endpoint.params`, see :meth:`Endpoint.query`) or a
    ``{name}`` of its path template; ``body`` is the POST body.

    Args:
        client: a :class:`~pylmod.base.Base` of the row's service.
        name: the row, a key of :data:`ENDPOINTS`.
        body: the body of a POST (a dict or list, or a JSON string).
        values: a value for each query parameter and path ``{name}`` of the
            row.

    Returns:
        The decoded JSON body, as :meth:`~pylmod.base.Base.get` returns it.

    Raises:
        TypeError: a query parameter or path name without a value, or a
            keyword the row does not have.

    Example:

    .. code-block:: python

        call(gradebook, 'assignments', includeMaxPoints=True,
             includeAvgStats=False, includeGradingStats=False,
             gradebookId=1293808)
        # GET service/gradebook/assignments/1293808?includeMaxPoints=true
        #     &includeAvgStats=false&includeGradingStats=false
    """
    row = ENDPOINTS[name]
    query = {key: value for key, value in values.items()
             if key in row.params}
    ids = {key: value for key, value in values.items()
           if key not in row.params}
    if set(ids) != set(row.path_names()):
        raise TypeError('{0} takes the path names {1}, got {2}'.format(
            name, row.path_names(), tuple(sorted(ids))))
    path = row.format(**ids)
    if row.method == 'GET':
        return client.get(path, params=row.query(**query))
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
