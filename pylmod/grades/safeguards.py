"""The safeguards of an upload to the system of record, between reading the
file and the first change to the gradebook.

:class:`Safeguards` is what :class:`~pylmod.grades.upload.GradeUpload` is
given when the caller asks for any of them (``changes_only``, ``snapshot``,
``confirm_new_assignments``, or a plan); once the file is read and before
any assignment is created it

1. plans the upload against the grades LMod stores
   (:class:`~pylmod.grades.plan.UploadPlan`),
2. refuses a column that nearly names an existing assignment
   (:func:`near_misses`) unless it is named to be created,
3. writes the snapshot of the grades about to be sent
   (:mod:`pylmod.grades.snapshot`), so that nothing is changed when it
   cannot be written.

With ``changes_only`` only the new and changed grades are sent.
"""
from __future__ import annotations

import itertools
import logging
import re
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Collection,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from pylmod.exceptions import PyLmodNearMissAssignment, PyLmodPlanChanged
from pylmod.grades.assignments import AssignmentResolver, PendingAssignment
from pylmod.grades.batches import Progress
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.plan import (
    NewAssignment,
    UploadPlan,
)
from pylmod.grades.snapshot import (
    UPLOAD,
    SnapshotGrade,
    snapshot_of_grades,
    utc_text,
    write_snapshot,
)
from pylmod.grades.stored import stored_values

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from pylmod.grades.options import UploadOptions

log = logging.getLogger(__name__)

#: Most edits between a column and an assignment name for a near miss
#: (names of at least :data:`TYPO_MIN_LENGTH` characters).
TYPO_EDITS = 2
TYPO_MIN_LENGTH = 5


def _folded(name: str) -> str:
    return re.sub(r'[\s_\-.]+', '', name).casefold()


def _edits(first: str, second: str) -> int:
    """Edits (insert, delete, replace, swap of neighbours) between two
    short texts."""
    previous2: List[int] = []
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, 1):
        current = [i]
        for j, other in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1,
                       previous[j - 1] + (char != other))
            if (i > 1 and j > 1 and char == second[j - 2]
                    and first[i - 2] == other):
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def near_miss(column: str, names: Iterable[str]) -> Optional[str]:
    """The existing assignment ``column`` nearly names, or ``None``.

    Nearly: the same but for capitals, spaces, ``_``, ``-`` and ``.``
    (``Midterm 1`` / ``midterm1``), or, for names of 5 characters or more,
    at most two typing slips away with the same digits (``Midtrem1`` /
    ``Midterm1``; not ``Quiz 10`` / ``Quiz 1``, nor ``hw2`` / ``hw1``).

    Example:

    .. code-block:: python

        near_miss('Midterm1', ['midterm1', 'final'])   # 'midterm1'
        near_miss('Quiz 10', ['Quiz 1'])               # None
    """
    folded = _folded(column)
    digits = re.sub(r'\D', '', column)
    for name in names:
        other = _folded(name)
        if other == folded:
            return name
        if (min(len(folded), len(other)) >= TYPO_MIN_LENGTH
                and re.sub(r'\D', '', name) == digits
                and _edits(folded, other) <= TYPO_EDITS):
            return name
    return None


def near_misses(new_names: Iterable[str], names: Collection[str]
                ) -> Dict[str, str]:
    """``column -> existing name`` of the new columns that nearly name an
    existing assignment."""
    found = {}
    for column in new_names:
        existing = near_miss(column, names)
        if existing is not None:
            found[column] = existing
    return found


def near_miss_error(found: Mapping[str, str]) -> PyLmodNearMissAssignment:
    """The error of columns that nearly name existing assignments."""
    return PyLmodNearMissAssignment(
        'the file would create {0}, but the gradebook has {1}: did you mean '
        '{2}?  Rename the column, or name it as an assignment to create; '
        'nothing was created or sent'.format(
            ', '.join('assignment {0!r}'.format(column) for column in found),
            ', '.join(repr(name) for name in found.values()),
            ' / '.join(repr(name) for name in found.values())), dict(found))


def _changes_by_grade(plan: UploadPlan
                      ) -> Dict[Tuple[Any, str], Tuple[Any, ...]]:
    return {(grade.student_id, grade.assignment): (
        grade.old, grade.old_approved, grade.new, grade.approved)
        for grade in plan.changes()}


def check_same_changes(expected: UploadPlan, plan: UploadPlan) -> None:
    """Raise unless ``plan`` makes the changes ``expected`` made.

    Raises:
        PyLmodPlanChanged: some grade is planned otherwise now (LMod's
            grades, or the file, changed since ``expected``).
    """
    before, now = _changes_by_grade(expected), _changes_by_grade(plan)
    differences = sum(before.get(key) != now.get(key)
                      for key in set(before) | set(now))
    if differences:
        raise PyLmodPlanChanged(
            'the upload would now change other grades than the plan '
            'reviewed ({0} grades differ: the grades in LMod, or the file, '
            'changed since); nothing was created or sent: plan again'.format(
                differences), differences)


class Safeguards:
    """The safeguards of one upload (see the module).

    Args:
        changes_only: send only the new and changed grades.
        snapshot: the file to write the snapshot to (``None``: none).
        confirm_new_assignments: the columns the caller means to create
            though they nearly name an existing assignment (``None``: no
            check, as PyLmod 1.0.x).
        max_points, weight, due_date: the settings of the assignments the
            upload creates (``None``: those of PyLmod 1.0.x: max points
            from the file's max points column or 1.0, weight 1.0, due
            12-15-2013).
        expected: the plan the caller reviewed (of
            :func:`~pylmod.grades.preview.plan_upload`): the upload goes on
            only if it plans the same changes now (same students,
            assignments, old and new values and approvals), else it raises
            :class:`~pylmod.exceptions.PyLmodPlanChanged` before any
            change.

    Attributes:
        plan: the :class:`~pylmod.grades.plan.UploadPlan`, once planned.
        snapshot_path: the snapshot written, once written.
    """

    def __init__(self, changes_only: bool = False,
                 snapshot: Optional[str] = None,
                 confirm_new_assignments: Optional[Collection[str]] = None,
                 *, max_points: Optional[float] = None,
                 weight: Optional[float] = None,
                 due_date: Optional[str] = None,
                 expected: Optional[UploadPlan] = None) -> None:
        self.changes_only = changes_only
        self.expected = expected
        self.max_points = max_points
        self.weight = weight
        self.due_date = due_date
        self.snapshot = snapshot
        self.confirm_new_assignments = confirm_new_assignments
        self.plan: Optional[UploadPlan] = None
        self.snapshot_path: Optional[str] = None
        self._sent: Optional[List[Tuple[str, str]]] = None

    @classmethod
    def of_options(cls, options: UploadOptions) -> Optional[Safeguards]:
        """The safeguards ``options`` ask for: its ``safeguards``, or new
        ones of its ``changes_only`` and ``snapshot`` (``None``: none, as
        PyLmod 1.0.x)."""
        if options.safeguards is not None:
            return options.safeguards
        if options.changes_only or options.snapshot is not None:
            return cls(options.changes_only, options.snapshot)
        return None

    def before_changes(self, gradebook: Any, ledger: GradeLedger,
                       resolver: AssignmentResolver,
                       students: Sequence[Mapping[str, Any]],
                       dry_run: bool) -> UploadPlan:
        """Plan, check the new assignments and write the snapshot (not in
        a dry run); called once the file is read, before anything is
        created.

        Raises:
            PyLmodNearMissAssignment: a new column nearly names an
                existing assignment.
            PyLmodSnapshotError: the snapshot cannot be written.
        """
        known = resolver.by_name
        max_points = {assignment.get('assignmentId'): assignment.get(
            'maxPointsTotal') for assignment in known.values()}
        self._settle(resolver)
        used = {id(grade['assignmentId']) for grade in ledger.grades
                if type(grade['assignmentId']) is PendingAssignment}
        self.plan = plan = UploadPlan(
            ledger, stored_values(students), max_points,
            [NewAssignment.of(pending, resolver.weight, resolver.due_date)
             for pending in resolver.pending if id(pending) in used])
        log.info('Upload plan against the stored grades: %s; %d '
                 'assignments to create', plan.counts(),
                 len(plan.new_assignments))
        if self.expected is not None:
            check_same_changes(self.expected, plan)
        if self.confirm_new_assignments is not None:
            found = near_misses(
                [assignment.name for assignment in plan.new_assignments
                 if assignment.name not in self.confirm_new_assignments],
                list(known))
            if found:
                raise near_miss_error(found)
        grades = self._snapshot_grades(plan)
        if self.snapshot is not None and not dry_run and grades:
            self.snapshot_path = write_snapshot(
                self.snapshot, snapshot_of_grades(
                    gradebook, UPLOAD, grades, time.time()))
        return plan

    def _settle(self, resolver: AssignmentResolver) -> None:
        """Give the assignments to create the settings asked for."""
        if self.max_points is not None:
            for pending in resolver.pending:
                pending.max_points = self.max_points
        if self.weight is not None:
            resolver.weight = self.weight
        if self.due_date is not None:
            resolver.due_date = self.due_date

    def _snapshot_grades(self, plan: UploadPlan) -> List[SnapshotGrade]:
        """The grades to send, as the snapshot holds them.  (Field by
        field, one pass each: a first upload of 100,000 students sends,
        and snapshots, half a million grades.)"""
        positions = (plan.to_send() if self.changes_only
                     else range(len(plan.kinds)))
        old, approved = plan.old, plan.old_approved
        places = plan.ledger.places_at(positions)
        grades = [plan.ledger.grades[position] for position in positions]
        return list(map(
            SnapshotGrade,
            [grade['studentId'] for grade in grades],
            [email for _, email, _ in places],
            [None if type(grade['assignmentId']) is PendingAssignment
             else grade['assignmentId'] for grade in grades],
            [column for _, _, column in places],
            [old[position] for position in positions],
            [approved[position] for position in positions],
            [grade['numericGradeValue'] for grade in grades],
            [bool(grade['isGradeApproved']) for grade in grades],
            itertools.repeat(utc_text(plan.read_at))))

    def sending(self, ledger: GradeLedger, progress: Optional[Progress]
                ) -> Tuple[Sequence[Any], List[Tuple[str, str]],
                           Optional[Progress]]:
        """What the upload's :class:`~pylmod.grades.batches.BatchSender`
        sends: ``(grades, statuses, progress)``.

        Every grade of the ledger, its statuses and ``progress`` as they
        are, unless only changes are sent: then the new and changed
        grades, a list of their own statuses, and a ``progress`` that
        first brings the ledger's statuses up to date (the unchanged
        grades ``unchanged``, the others as answered; see
        :meth:`UploadPlan.fill_statuses
        <pylmod.grades.plan.UploadPlan.fill_statuses>`), so that a report
        written as the upload runs sees them.  :meth:`sent` brings them up
        to date once the sending stops.
        """
        plan = self.plan
        if not self.changes_only or plan is None:
            return ledger.grades, ledger.statuses, progress
        grades = [ledger.grades[position] for position in plan.to_send()]
        statuses: List[Tuple[str, str]] = []
        self._sent = statuses

        def filled(sent: int, confirmed: int, total: int) -> None:
            plan.fill_statuses(ledger.statuses, statuses)
            if progress is not None:
                progress(sent, confirmed, total)
        return grades, statuses, filled

    def sent(self, ledger: GradeLedger) -> None:
        """Bring the ledger's statuses up to date once the grades of
        :meth:`sending` are sent (or the sending stopped)."""
        if self.plan is not None and self._sent is not None:
            self.plan.fill_statuses(ledger.statuses, self._sent)
