"""The assignments of an upload: found by name, or created.

As in PyLmod 1.0.x, a column is resolved from the first row of a known
student that has it: an assignment of that name is used, or one is to be
created (unless it is a dry run) with
:data:`~pylmod.grades.options.DEFAULT_MAX_POINTS`, or with that row's max
points when the spreadsheet gives them.  An upload plans the assignments
it creates while it reads (:meth:`AssignmentResolver.plan`) and creates
them once the whole file is read and checked (see
:mod:`pylmod.grades.creation`).

A name that two assignments of the gradebook share names neither:
:func:`find_assignment` refuses it, naming both ids.
"""
from __future__ import annotations

import logging
import time
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
)

from pylmod.answer import http_status_of, reading, server_message
from pylmod.exceptions import (
    PyLmodAssignmentNotConfirmed,
    PyLmodDuplicateAssignment,
    PyLmodFailedAssignmentCreation,
)
from pylmod.grades.answers import AMBIGUOUS_ERRORS
from pylmod.grades.numbers import parse_grade
from pylmod.grades.options import DEFAULT_MAX_POINTS

log = logging.getLogger(__name__)

#: Attempts at creating one assignment: after one whose outcome is unknown
#: the assignment is looked for (:func:`find_late_commit`), never created
#: a second time.
CREATE_ATTEMPTS = 1
#: Seconds between the lookups of an assignment whose create ended without
#: an answer: it is looked for at once, then after each wait (3.5 s in all),
#: for a server that commits after the client gave up.
LATE_COMMIT_WAITS = (0.5, 1.0, 2.0)
#: The due date 1.0.x gave to assignments created from a spreadsheet.
CREATED_DUE_DATE = '12-15-2013'


class AssignmentBook(Protocol):
    """The methods of :class:`pylmod.GradeBook` that resolving assignments
    calls."""

    def get_assignments(self) -> Iterable[Mapping[str, Any]]:
        """The assignments (see :ref:`shape-assignment`)."""

    def create_assignment(self, name: str, short_name: str, weight: Any,
                          max_points: Any, due_date_str: str) -> Any:
        """Create an assignment; the answer has ``data.assignmentId``."""

    def get_assignment_by_name(self, assignment_name: str
                               ) -> Tuple[Any, Any]:
        """``(assignmentId, assignment)``, or ``(None, None)``."""


def index_assignments(assignments: Iterable[Mapping[str, Any]]
                      ) -> Dict[str, Mapping[str, Any]]:
    """Index assignments by exact name (the first one wins, as with
    :meth:`pylmod.GradeBook.get_assignment_by_name`)."""
    index: Dict[str, Mapping[str, Any]] = {}
    with reading(assignments, 'the upload: the assignments of the gradebook'):
        for assignment in assignments:
            index.setdefault(assignment['name'], assignment)
    return index


def duplicate_assignment_names(assignments: Iterable[Mapping[str, Any]]
                               ) -> Dict[str, List[Any]]:
    """Return ``name -> [assignmentId, ...]`` of the names that several
    assignments share."""
    ids: Dict[str, List[Any]] = {}
    for assignment in assignments:
        ids.setdefault(assignment['name'], []).append(
            assignment['assignmentId'])
    return {name: found for name, found in ids.items() if len(found) > 1}


def duplicate_assignment_error(name: str, assignment_ids: List[Any]
                               ) -> PyLmodDuplicateAssignment:
    """The error of a name that several assignments share."""
    return PyLmodDuplicateAssignment(
        'the gradebook has {0} assignments named {1!r} (ids {2}), so the '
        'name does not say which one; rename or delete all but one (nothing '
        'was changed)'.format(len(assignment_ids), name,
                             ', '.join(str(each) for each in assignment_ids)),
        name, assignment_ids)


def find_assignment(assignments: Iterable[Mapping[str, Any]], name: str
                    ) -> Optional[Mapping[str, Any]]:
    """Return the assignment named ``name``, or ``None``.

    Raises:
        PyLmodDuplicateAssignment: several assignments have that name (the
            message names their ids).

    Example:

    .. code-block:: python

        assignment = find_assignment(gradebook.get_assignments(), 'Quiz 1')
    """
    found = [assignment for assignment in assignments
             if assignment['name'] == name]
    if len(found) > 1:
        raise duplicate_assignment_error(
            name, [assignment['assignmentId'] for assignment in found])
    return found[0] if found else None


class PendingAssignment:
    """An assignment an upload will create, standing for its
    ``assignmentId`` in the grades until it is created.

    Attributes:
        name: its name (the column).
        max_points: its max points.
    """

    __slots__ = ('name', 'max_points')

    def __init__(self, name: str, max_points: float) -> None:
        self.name = name
        self.max_points = max_points

    def __repr__(self) -> str:
        return 'PendingAssignment({0!r}, {1!r})'.format(self.name,
                                                        self.max_points)


class AssignmentResolver:
    """Gives the ``assignmentId`` of a column, creating the assignment if
    the gradebook has none of that name.

    Args:
        gradebook: where the assignments are.
        created: ``name -> assignmentId`` of the assignments created (an
            :class:`~pylmod.grades.report.UploadReport`'s
            ``created_assignments``); ``None`` in a dry run.
        dry_run: create nothing.
        max_points_column, normalize_column: the columns giving a created
            assignment's max points (``None``: not used; see
            :meth:`max_points`).
    """

    def __init__(self, gradebook: AssignmentBook, created: Dict[str, Any],
                 dry_run: bool = False,
                 max_points_column: Optional[str] = None,
                 normalize_column: Optional[str] = None) -> None:
        self.gradebook = gradebook
        self.created = created
        self.dry_run = dry_run
        self.max_points_column = max_points_column
        self.normalize_column = normalize_column
        assignments = list(gradebook.get_assignments())
        self._by_name = index_assignments(assignments)
        self._duplicates = duplicate_assignment_names(assignments)
        self._ids: Dict[str, Any] = {}
        #: The waits of :func:`find_late_commit` after a create whose
        #: outcome is unknown.
        self.late_commit_waits: Sequence[float] = LATE_COMMIT_WAITS
        #: The assignments :meth:`plan` found missing, in the order met.
        self.pending: List[PendingAssignment] = []
        #: The weight and due date of the assignments created.
        self.weight = 1.0
        self.due_date = CREATED_DUE_DATE

    @property
    def by_name(self) -> Mapping[str, Mapping[str, Any]]:
        """The gradebook's assignments by name (the first of a name)."""
        return self._by_name

    def __call__(self, name: str, row: Mapping[str, Any]) -> Any:
        """The id of the assignment ``name``, ``row`` being the first row
        that needs it; a missing assignment is created at once (an upload
        plans with :meth:`plan` and creates once the file is read)."""
        assignment_id = self.plan(name, row)
        if isinstance(assignment_id, PendingAssignment):
            self.pending.remove(assignment_id)
            assignment_id = self.create(assignment_id)
        return assignment_id

    def plan(self, name: str, row: Mapping[str, Any]) -> Any:
        """The id of the assignment ``name`` (``row`` being the first row
        that needs it), or, when the gradebook has none, a
        :class:`PendingAssignment` that :meth:`create` creates later.

        Raises:
            PyLmodDuplicateAssignment: several assignments have that name.
        """
        if name not in self._ids:
            if name in self._duplicates:
                raise duplicate_assignment_error(name, self._duplicates[name])
            assignment = self._by_name.get(name)
            if assignment is None:
                pending = PendingAssignment(name, self.max_points(row))
                self.pending.append(pending)
                self._ids[name] = pending
            else:
                self._ids[name] = assignment['assignmentId']
        return self._ids[name]

    def create(self, pending: PendingAssignment) -> Any:
        """Create a planned assignment and return its id (``None`` in a
        dry run); it is recorded in ``created``."""
        assignment_id = self.created[pending.name] = (
            None if self.dry_run
            else self._create(pending.name, pending.max_points))
        log.info('Assignment %s has Id=%s', pending.name, assignment_id)
        self._ids[pending.name] = assignment_id
        return assignment_id

    def max_points(self, row: Mapping[str, Any]) -> float:
        """The max points of an assignment created for a column of ``row``:
        the row's max points when its normalize value is 0, else (or when
        they cannot be read)
        :data:`~pylmod.grades.options.DEFAULT_MAX_POINTS`."""
        if self.max_points_column is None:
            return DEFAULT_MAX_POINTS
        # A true (or unreadable) normalize value means the grades are
        # already normalized: the default max points apply.
        normalize_value = row.get(self.normalize_column or '')
        try:
            normalized = (normalize_value is None
                          or bool(int(normalize_value)))
        except (TypeError, ValueError):
            log.warning('Bool conversion error in normalize column %r',
                        self.normalize_column)
            normalized = True
        max_points = row.get(self.max_points_column)
        if normalized or max_points is None:
            return DEFAULT_MAX_POINTS
        # A number as the grades are (see pylmod.grades.numbers).
        number, _ = parse_grade(max_points)
        if number is None:
            log.warning('Floating point conversion error in max points '
                        'column %r', self.max_points_column)
            return DEFAULT_MAX_POINTS
        return number

    def _create(self, name: str, max_points: float) -> Any:
        """Create an assignment.  After a create whose outcome is unknown
        (a timeout, a dropped connection, a 5xx), look for it
        (:func:`find_late_commit`) rather than create it again; not found,
        raise :class:`~pylmod.exceptions.PyLmodAssignmentNotConfirmed`."""
        short_name = name[0:3] + name[-2:]
        try:
            response = self.gradebook.create_assignment(
                name, short_name, self.weight, max_points, self.due_date)
        except AMBIGUOUS_ERRORS as err:
            return self._found_after(name, '{0}: {1}'.format(
                type(err).__name__, err), err)
        status = http_status_of(response)
        if status is not None and status >= 500:
            return self._found_after(name, 'LMod answered HTTP {0}: {1}'
                                     .format(status, server_message(response)))
        data = response.get('data') if isinstance(response, dict) else None
        if not isinstance(data, dict) or 'assignmentId' not in data:
            failure_message = (
                'Error! Failed to create assignment {0}, got {1}'.format(
                    name, response))
            log.critical(failure_message)
            raise PyLmodFailedAssignmentCreation(failure_message)
        return data['assignmentId']

    def _found_after(self, name: str, cause: str,
                     error: Optional[BaseException] = None) -> Any:
        """The id of an assignment whose create ended without an answer,
        if it turns up in the gradebook."""
        log.warning('Creating assignment %s ended without an answer (%s); '
                    'looking for it before anything else', name, cause)
        assignment_id = find_late_commit(self.gradebook, name,
                                         self.late_commit_waits)
        if assignment_id is not None:
            return assignment_id
        raise PyLmodAssignmentNotConfirmed(
            'Creating assignment {0!r} ended without an answer ({1}), and the '
            'gradebook still had no assignment of that name {2:g} s later. '
            'pylmod does not create it a second time (that could make two): '
            'look in the gradebook (it may appear there late), then run the '
            'upload again.'.format(name, cause, sum(self.late_commit_waits)),
            name=name) from error


def find_late_commit(gradebook: AssignmentBook, name: str,
                     waits: Sequence[float] = LATE_COMMIT_WAITS,
                     sleep: Callable[[float], None] = time.sleep
                     ) -> Optional[Any]:
    """Look for the assignment ``name`` after a create whose outcome is
    unknown: at once, then after each of ``waits`` (a server may commit
    the create after the client gave up on it).

    A lookup that fails in transport counts as not found this time.

    Args:
        gradebook: where to look (its ``get_assignment_by_name``).
        name: the assignment's name.
        waits: the seconds to wait before each further lookup.
        sleep: how to wait.

    Returns:
        The ``assignmentId`` found, or ``None``.
    """
    for wait in (0.0, *waits):
        if wait:
            sleep(wait)
        try:
            assignment_id, _ = gradebook.get_assignment_by_name(name)
        except AMBIGUOUS_ERRORS as err:
            log.warning('Looking for assignment %s: %s', name, err)
            continue
        if assignment_id is not None:
            return assignment_id
    return None
