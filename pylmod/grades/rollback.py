"""Rolling an upload back from its snapshot, without clobbering anyone.

:func:`rollback` reads a snapshot (:mod:`pylmod.grades.snapshot`), re-reads
what LMod holds now (one ``students?includeGradeInfo=true`` read) and, for
each grade of the snapshot:

* LMod holds the old value already (the grade was never sent, or was put
  back since): nothing to do (``already``), not a conflict;
* there was no grade before: LMod's API cannot clear a grade, so it is
  listed in ``cannot_clear`` with its current value, never kept silently;
* LMod still holds what the upload wrote: the old value (and approval) is
  sent back (``restored``);
* LMod holds something else (somebody changed it since): it is left alone
  and listed in ``conflicts``, unless ``force``, which restores it too.

Before it sends anything a rollback writes its own snapshot (the values it
is about to replace), so a rollback can be rolled back.  A snapshot of
another gradebook or another LMod than the client's is refused, as is a
damaged one; nothing is sent then.  The grades are sent by the one
``multiGrades`` sender, :class:`~pylmod.grades.batches.BatchSender`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from pylmod.exceptions import PyLmodSnapshotMismatch
from pylmod.grades.answers import CONFIRMED, multigrade_entry
from pylmod.grades.assignments import index_assignments
from pylmod.grades.batches import DEFAULT_BATCH_SIZE, BatchSender
from pylmod.grades.snapshot import (
    ROLLBACK,
    Snapshot,
    SnapshotGrade,
    default_snapshot_path,
    read_snapshot,
    snapshot_of_grades,
    utc_text,
    write_snapshot,
)
from pylmod.grades.stored import stored_values


@dataclass(frozen=True)
class RollbackItem:
    """One grade of a rollback.

    Attributes:
        email: the student's email.
        assignment: the assignment's name.
        old: the value before the upload (``None``: none).
        current: what LMod holds now (``None``: none).
        student_id, assignment_id: whose grade it is.
        message: why it failed, for a grade LMod did not confirm.
    """

    email: str
    assignment: str
    old: Optional[float]
    current: Optional[float]
    student_id: Any = None
    assignment_id: Any = None
    message: str = ''


@dataclass
class RollbackResult:
    """What a rollback did (or, in a dry run, would do).

    Attributes:
        restored: grades given their old value back (in a dry run: that
            would be).
        conflicts: grades changed since the upload, left as they are
            (empty with ``force``: those are restored).
        cannot_clear: grades that had no value before (LMod cannot clear
            a grade), with their current value.
        already: grades that hold their old value already.
        failed: grades sent back that LMod did not confirm.
        snapshot: the rollback's own snapshot (``None``: nothing sent).
        dry_run: nothing was sent.
    """

    restored: List[RollbackItem] = field(default_factory=list)
    conflicts: List[RollbackItem] = field(default_factory=list)
    cannot_clear: List[RollbackItem] = field(default_factory=list)
    already: List[RollbackItem] = field(default_factory=list)
    failed: List[RollbackItem] = field(default_factory=list)
    snapshot: Optional[str] = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when no grade was left as it is (conflict, cannot clear,
        failed)."""
        return not (self.conflicts or self.cannot_clear or self.failed)


def check_same_gradebook(taken: Snapshot, gradebook: Any, path: str) -> None:
    """Refuse a snapshot of another LMod or another gradebook.

    Raises:
        PyLmodSnapshotMismatch: naming which.
    """
    here = str(getattr(gradebook, 'urlbase', '')).rstrip('/')
    if taken.lmod_url.rstrip('/') != here:
        raise PyLmodSnapshotMismatch(
            '{0} is a snapshot of the LMod at {1}, not of the one configured '
            '({2}); nothing was sent'.format(path, taken.lmod_url, here))
    if str(taken.gradebook_id) != str(gradebook.gradebook_id):
        raise PyLmodSnapshotMismatch(
            '{0} is a snapshot of gradebook {1} (id {2}), not of the '
            'gradebook configured ({3}id {4}); nothing was sent'.format(
                path, taken.gradebook_uuid or '', taken.gradebook_id,
                '{0}, '.format(gradebook.gradebook_uuid)
                if getattr(gradebook, 'gradebook_uuid', None) else '',
                gradebook.gradebook_id))


def rollback(gradebook: Any, snapshot_path: str, *, force: bool = False,
             dry_run: bool = False, snapshot: Optional[str] = None,
             batch_size: int = DEFAULT_BATCH_SIZE) -> RollbackResult:
    """Undo an upload from its snapshot (see the module).

    Args:
        gradebook: the :class:`pylmod.GradeBook` of the snapshot's
            gradebook and LMod.
        snapshot_path: the snapshot of the upload (or of a rollback).
        force: restore the grades changed since the upload too.
        dry_run: send nothing; say what would be done.
        snapshot: the file of the rollback's own snapshot (default: in the
            XDG data home, see
            :func:`~pylmod.grades.snapshot.default_snapshot_path`).
        batch_size: most grades per ``multiGrades`` request.

    Returns:
        RollbackResult: what was done; ``ok`` is false when any grade was
        left as it is.

    Raises:
        PyLmodSnapshotError: the snapshot cannot be read, or the rollback's
            own cannot be written; nothing was sent.
        PyLmodSnapshotMismatch: the snapshot is of another gradebook or
            LMod; nothing was sent.

    Example:

    .. code-block:: python

        result = rollback(gradebook, snapshot_path)
        for item in result.conflicts:
            print(item.email, item.assignment, 'is', item.current, 'now')
    """
    taken = read_snapshot(snapshot_path)

    def keep(own: Snapshot) -> str:
        return write_snapshot(snapshot or default_snapshot_path(
            taken.gradebook_uuid or taken.gradebook_id,
            time.time()), own)

    return rollback_snapshot(gradebook, taken, snapshot_path, keep,
                             force=force, dry_run=dry_run,
                             batch_size=batch_size)


def rollback_snapshot(gradebook: Any, taken: Snapshot, where: str,
                      keep: Callable[[Snapshot], str], *,
                      force: bool = False, dry_run: bool = False,
                      batch_size: int = DEFAULT_BATCH_SIZE
                      ) -> RollbackResult:
    """:func:`rollback` of a snapshot already read (e.g. kept in a
    database by the Open edX plugin, see
    :func:`~pylmod.grades.snapshot.snapshot_from_data`): the same rules.

    Args:
        gradebook: as :func:`rollback`.
        taken: the snapshot of the upload (or of a rollback).
        where: what the snapshot is, for messages.
        keep: stores the rollback's own snapshot before anything is sent
            and returns its name (``RollbackResult.snapshot``); it raises
            to stop the rollback before it sends anything.
        force, dry_run, batch_size: as :func:`rollback`.

    Raises:
        PyLmodSnapshotMismatch: as :func:`rollback`; nothing was sent.
    """
    check_same_gradebook(taken, gradebook, where)
    result = RollbackResult(dry_run=dry_run)
    to_send = _sort(gradebook, taken, result, force)
    if dry_run or not to_send:
        result.restored = [item for (item, _), _grade in to_send]
        return result
    seconds = time.time()
    result.snapshot = keep(snapshot_of_grades(gradebook, ROLLBACK, [
        SnapshotGrade(item.student_id, item.email, item.assignment_id,
                      item.assignment, item.current,
                      current_approved, grade.old,  # type: ignore
                      bool(grade.old_approved), utc_text(seconds))
        for (item, current_approved), grade in to_send], seconds))
    _send(gradebook, to_send, result, batch_size)
    return result


def _sort(gradebook: Any, taken: Snapshot, result: RollbackResult,
          force: bool
          ) -> List[Tuple[Tuple[RollbackItem, Optional[bool]], SnapshotGrade]]:
    """Put each grade of the snapshot where it goes; return those to send
    back (with the approval LMod holds now)."""
    held = stored_values(gradebook.get_students(include_grade_info=True))
    by_name: Dict[str, Any] = {}
    if any(grade.assignment_id is None for grade in taken.grades):
        by_name = index_assignments(gradebook.get_assignments())
    to_send = []
    for grade in taken.grades:
        assignment_id = grade.assignment_id
        if assignment_id is None:
            assignment_id = by_name.get(grade.assignment, {}).get(
                'assignmentId')
        found = held.get((grade.student_id, assignment_id))
        current = None if found is None else found[0]
        item = RollbackItem(grade.email, grade.assignment, grade.old,
                            current, grade.student_id, assignment_id)
        if current == grade.old:
            result.already.append(item)
        elif grade.old is None:
            result.cannot_clear.append(item)
        elif current == grade.new or force:
            approved = None if found is None else found[1]
            to_send.append(((item, approved), grade))
        else:
            result.conflicts.append(item)
    return to_send


def _send(gradebook: Any, to_send: List[Any], result: RollbackResult,
          batch_size: int) -> None:
    """Send the old values back; sort the grades by LMod's answer."""
    sender = BatchSender(gradebook.multi_grade, batch_size)
    try:
        sender.send([multigrade_entry(item.student_id, item.assignment_id,
                                      grade.old, bool(grade.old_approved))
                     for (item, _), grade in to_send])
    except BaseException as err:
        err.rollback_result = result  # type: ignore[attr-defined]
        raise
    finally:
        statuses = sender.statuses
        for index, ((item, _), _grade) in enumerate(to_send):
            status, message = (statuses[index] if index < len(statuses)
                               else ('not sent', 'not sent: stopped'))
            if status == CONFIRMED:
                result.restored.append(item)
            else:
                result.failed.append(RollbackItem(
                    item.email, item.assignment, item.old, item.current,
                    item.student_id, item.assignment_id, message))
