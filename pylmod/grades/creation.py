"""Creating the assignments an upload needs, once its whole file is read.

Creating an assignment is the first change an upload makes to a
gradebook, so it waits until every row has been read and checked (a
decoding error on the last line changes nothing).  While the rows are read,
the grades of a column that names no assignment carry a
:class:`~pylmod.grades.assignments.PendingAssignment` as their
``assignmentId``; :func:`create_planned_assignments` then creates the
assignments that hold a grade to send and writes their ids into those
grades (one pass over the grades, and only when something is created).

Creating many assignments is rarely meant: a header of a hundred columns
named by mistake would add a hundred assignments to the official record.
More than ``max_new_assignments`` (:data:`MAX_NEW_ASSIGNMENTS` by default)
is an error that lists them and changes nothing.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from pylmod.exceptions import PyLmodTooManyNewAssignments
from pylmod.grades.assignments import AssignmentResolver, PendingAssignment
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.options import MAX_NEW_ASSIGNMENTS
from pylmod.grades.report import UploadReport

#: Names an error lists before saying how many more there are.
NAMES_LISTED = 20


def check_new_assignments(names: Sequence[str],
                          max_new_assignments: Optional[int]) -> None:
    """Raise unless ``names`` are at most ``max_new_assignments`` (``None``:
    any number).

    Raises:
        PyLmodTooManyNewAssignments: there are more; the message lists them.
    """
    if max_new_assignments is None or len(names) <= max_new_assignments:
        return
    listed = ', '.join(repr(name) for name in names[:NAMES_LISTED])
    if len(names) > NAMES_LISTED:
        listed += ' and {0} more'.format(len(names) - NAMES_LISTED)
    raise PyLmodTooManyNewAssignments(
        'the file would create {0} new assignments, more than the {1} '
        'allowed: {2}; nothing was created or sent.  If they are meant, '
        'pass max_new_assignments={0}; if not, check the header (a column '
        'named like an assignment, with other spaces or capitals?)'.format(
            len(names), max_new_assignments, listed),
        names, max_new_assignments)


def create_planned_assignments(resolver: AssignmentResolver,
                               ledger: GradeLedger, report: UploadReport,
                               max_new_assignments: Optional[int]
                               = MAX_NEW_ASSIGNMENTS) -> None:
    """Create the assignments the grades of ``ledger`` are waiting for, and
    give the grades their ids.

    Columns naming no assignment that hold no grade to send get no
    assignment: they go to ``report.columns_without_grades``.

    Args:
        resolver: the resolver that planned them (its ``pending``).
        ledger: the grades read.
        report: gets ``created_assignments`` (through the resolver) and
            ``columns_without_grades``.
        max_new_assignments: the most to create (``None``: any number).

    Raises:
        PyLmodTooManyNewAssignments: more are needed (nothing is created).
        PyLmodFailedAssignmentCreation: LMod did not create one.
    """
    pending = resolver.pending
    if not pending:
        return
    grades_of: Dict[PendingAssignment, List[Dict[str, Any]]] = {
        assignment: [] for assignment in pending}
    for grade in ledger.grades:
        assignment_id = grade['assignmentId']
        if type(assignment_id) is PendingAssignment:
            grades_of[assignment_id].append(grade)
    needed = [assignment for assignment in pending if grades_of[assignment]]
    report.columns_without_grades.extend(
        assignment.name for assignment in pending
        if not grades_of[assignment])
    check_new_assignments([assignment.name for assignment in needed],
                          max_new_assignments)
    for assignment in needed:
        assignment_id = resolver.create(assignment)
        for grade in grades_of[assignment]:
            grade['assignmentId'] = assignment_id
    pending.clear()
