"""The plan of an upload: each grade of the file against the grade LMod
stores.

Once a file is read (and before anything is created or sent), an upload
that compares reads the grades LMod stores for the gradebook's students
(the documented ``students/{gradebookId}?includeGradeInfo=true`` read, the
same one that gives the students: one read per gradebook) and classifies
every grade that passed validation:

* :data:`NEW`: LMod stores no grade (or an excused one with no number)
  for that student and assignment, or the assignment is to be created;
* :data:`CHANGED`: LMod stores another number (``old -> new``), or the
  same number with another approval than the upload sends;
* :data:`UNCHANGED`: LMod stores the same number, approved as the upload
  would send it.

Numbers are compared by value, both read by
:func:`~pylmod.grades.numbers.parse_grade`: ``93.5``, ``93.50`` and
``9.35e1`` are one grade.  The cells that are not grades (skipped, unknown
emails, rows not sent) stay in the upload's report as before.

:class:`UploadPlan` holds the classes compactly (a list per grade of the
ledger) and builds :class:`PlannedGrade` records when asked; an upload with
``changes_only`` sends the positions of :meth:`UploadPlan.to_send` only, and
the unchanged grades get the status :data:`~pylmod.grades.report.UNCHANGED`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import (
    Any,
    Collection,
    Dict,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

from pylmod.grades.assignments import CREATED_DUE_DATE, PendingAssignment
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.numbers import parse_grade
from pylmod.grades.report import UNCHANGED
from pylmod.grades.stored import StoredValue

#: A grade LMod does not store yet.
NEW = 'new'
#: A grade LMod stores with another number or approval.
CHANGED = 'changed'
#: The classes of a grade, in the order counts are given.
KINDS = (NEW, CHANGED, UNCHANGED)
#: The message of a grade not sent because LMod holds it already.
UNCHANGED_MESSAGE = 'not sent: LMod holds this value already'
#: The ``(status, message)`` of such a grade in the ledger.
UNCHANGED_STATUS = (UNCHANGED, UNCHANGED_MESSAGE)


class PlannedGrade(NamedTuple):
    """One grade of an upload against what LMod stores (a named tuple:
    an upload may have half a million).

    Attributes:
        line: the line of the file.
        email: the student's email as written.
        student_id: the ``studentId``.
        assignment: the assignment's name (the column).
        assignment_id: the ``assignmentId`` (``None``: to be created).
        old: the number LMod stores, or ``None`` (none, or excused).
        old_approved: whether LMod has it approved (``None``: no grade).
        new: the number the upload sends.
        approved: ``isGradeApproved`` the upload sends.
        kind: :data:`NEW`, :data:`CHANGED` or :data:`UNCHANGED`.
    """

    line: int
    email: str
    student_id: Any
    assignment: str
    assignment_id: Any
    old: Optional[float]
    old_approved: Optional[bool]
    new: float
    approved: bool
    kind: str


@dataclass(frozen=True)
class NewAssignment:
    """An assignment the upload creates, with the settings it gets.

    Attributes:
        name: its name (the column).
        max_points: ``maxPointsTotal``.
        short_name: ``shortName``.
        weight: its weight.
        due_date: ``dueDateString`` (MM-DD-YYYY).
    """

    name: str
    max_points: float
    short_name: str
    weight: float
    due_date: str

    @classmethod
    def of(cls, pending: PendingAssignment, weight: float = 1.0,
           due_date: str = CREATED_DUE_DATE) -> 'NewAssignment':
        """The settings :class:`~pylmod.grades.assignments.AssignmentResolver`
        creates a planned assignment with (its ``weight`` and
        ``due_date``)."""
        return cls(pending.name, pending.max_points,
                   pending.name[0:3] + pending.name[-2:], weight, due_date)


@dataclass(frozen=True)
class FlaggedGrade:
    """A grade outside ``0 .. max points`` (sent all the same: extra credit
    exists).

    Attributes:
        grade: the grade.
        max_points: the assignment's max points (``None``: not known).
        reason: ``'above max points 10'`` or ``'below 0'``.
    """

    grade: PlannedGrade
    max_points: Optional[float]
    reason: str


def stored_number(value: Any) -> Optional[float]:
    """A stored ``numericGradeValue`` as a number (``None``: none)."""
    number, _ = parse_grade(value)
    return number


class UploadPlan:
    """What an upload would do to each grade LMod stores (see the module).

    Attributes:
        kinds: the class of each grade of the ledger, by position.
        old: the stored number of each grade (``None``: none).
        old_approved: whether each stored grade is approved (``None``:
            no grade).
        new_assignments: the assignments the upload creates (for a column
            that holds a grade), with their settings.
        read_at: when the plan was made (seconds since the epoch); the
            stored grades were read with the students, just before the
            file.

    Example:

    .. code-block:: python

        plan = plan_upload(gradebook, 'grades.csv')
        print(plan.counts())          # {'new': 3, 'changed': 1, ...}
        for grade in plan.changes():
            print(grade.email, grade.assignment, grade.old, '->', grade.new)
    """

    def __init__(self, ledger: GradeLedger,
                 stored: Mapping[Tuple[Any, Any], StoredValue],
                 max_points: Mapping[Any, Any],
                 new_assignments: Sequence[NewAssignment] = ()) -> None:
        self.ledger = ledger
        self.new_assignments = list(new_assignments)
        self.max_points = dict(max_points)
        self.read_at = time.time()
        #: The report of reading the file (set by
        #: :func:`~pylmod.grades.preview.plan_upload`).
        self.report: Optional[Any] = None
        # The statuses of sent grades fill_statuses has placed.
        self._answered = 0
        # Half a million grades: one pass, one lookup and one append each.
        held = [stored.get((grade['studentId'], grade['assignmentId']))
                for grade in ledger.grades]
        self.old: List[Optional[float]] = [
            None if found is None else found[0] for found in held]
        self.old_approved: List[Optional[bool]] = [
            None if found is None else found[1] for found in held]
        self.kinds: List[str] = [
            NEW if found is None or found[0] is None
            else UNCHANGED if (found[0] == grade['numericGradeValue']
                               and found[1] == bool(grade['isGradeApproved']))
            else CHANGED
            for found, grade in zip(held, ledger.grades)]

    def counts(self) -> Dict[str, int]:
        """``{'new': n, 'changed': n, 'unchanged': n}``."""
        counts = dict.fromkeys(KINDS, 0)
        for kind in self.kinds:
            counts[kind] += 1
        return counts

    def to_send(self) -> List[int]:
        """The positions of the new and changed grades, in file order."""
        return [position for position, kind in enumerate(self.kinds)
                if kind != UNCHANGED]

    def grades(self, kinds: Collection[str] = KINDS) -> List[PlannedGrade]:
        """Every grade (of the classes ``kinds``), in file order."""
        grades, classes = self.ledger.grades, self.kinds
        planned = []
        for position, line, email, column in self.ledger.places():
            if classes[position] not in kinds:
                continue
            grade = grades[position]
            assignment_id = grade['assignmentId']
            planned.append(PlannedGrade(
                line, email, grade['studentId'], column,
                None if isinstance(assignment_id, PendingAssignment)
                else assignment_id, self.old[position],
                self.old_approved[position], grade['numericGradeValue'],
                bool(grade['isGradeApproved']), classes[position]))
        return planned

    def changes(self) -> List[PlannedGrade]:
        """The new and changed grades: what a changes-only upload sends."""
        return self.grades((NEW, CHANGED))

    def flagged(self) -> List[FlaggedGrade]:
        """The grades above their assignment's max points or below 0."""
        created = {assignment.name: assignment.max_points
                   for assignment in self.new_assignments}
        flagged = []
        for grade in self.grades():
            limit = stored_number(self.max_points.get(grade.assignment_id))
            if limit is None:  # (created, or to be)
                limit = created.get(grade.assignment)
            if grade.new < 0:
                flagged.append(FlaggedGrade(grade, limit, 'below 0'))
            elif limit is not None and grade.new > limit:
                flagged.append(FlaggedGrade(
                    grade, limit, 'above max points {0:g}'.format(limit)))
        return flagged

    def fill_statuses(self, statuses: List[Tuple[str, str]],
                      sent: Sequence[Tuple[str, str]]) -> None:
        """Extend the ledger's ``statuses`` with the outcome of each grade
        known now: :data:`~pylmod.grades.report.UNCHANGED` for the grades
        not sent, ``sent`` (the statuses of the :meth:`to_send` grades, as
        far as they went) for the others.  Stops at the first grade sent
        that has no status yet: it and the grades after it are not sent
        (yet).  Called after each request, it goes on from where it
        stopped, so that a report written as the upload runs sees every
        outcome known."""
        unchanged = UNCHANGED_STATUS
        kinds = self.kinds
        position, answered = len(statuses), self._answered
        while position < len(kinds):
            if kinds[position] == UNCHANGED:
                statuses.append(unchanged)
            elif answered < len(sent):
                statuses.append(sent[answered])
                answered += 1
            else:
                break
            position += 1
        self._answered = answered
