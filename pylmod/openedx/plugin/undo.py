"""Rolling a grade push back: its pre-image, kept with its report, and the
rollback flow.

Before a grade push sends its first grade, :func:`keep_pre_image` stores
what LMod held for every grade it is about to send (a pylmod snapshot,
:func:`pylmod.grades.snapshot.snapshot_data`, checksummed) in a
:class:`~pylmod.openedx.plugin.models.RunPreImage` beside the run's
report.  A retry of the run adds the grades it had not seen (a grade the
first attempt sent is unchanged at the second), keeping the first old
value of each grade.

"Roll back this run" (the admin) sends the task
:func:`~pylmod.openedx.plugin.tasks.roll_back_run`: a run of the flow
:data:`~pylmod.openedx.plugin.models.ROLLBACK` (:func:`roll_back`), with
its own report, that holds the lock of the link's grade push.  It calls
the library's rollback (:func:`pylmod.grades.rollback.rollback_snapshot`,
the one copy of its rules): LMod is read again, and a grade is restored
only where LMod still holds what the run wrote; a grade changed since is
left alone (a conflict), a grade that was empty cannot be cleared through
LMod's API (cannot clear).  The rollback keeps its own pre-image, so it
can be rolled back in turn.  The report keeps counts and, per grade left
as it is, the LMod student id, the assignment and why — never a grade.
"""
import logging
import time
from typing import Any, Dict, List, Optional, Tuple

from django.utils import timezone

from pylmod.grades.rollback import RollbackResult, rollback_snapshot
from pylmod.grades.snapshot import (
    UPLOAD,
    Snapshot,
    SnapshotGrade,
    snapshot_data,
    snapshot_from_data,
    snapshot_of_grades,
)
from pylmod.openedx.plugin.models import (
    GRADES,
    ROLLBACK,
    RunPreImage,
    RunReport,
)

log = logging.getLogger(__name__)


class NothingToRollBack(Exception):
    """The run asked to roll back has no pre-image (it is gone, or sent
    nothing)."""


def keep_pre_image(report: RunReport, gradebook: Any,
                   grades: List[SnapshotGrade]) -> None:
    """Store the pre-image of the grades a grade push is about to send
    (``push_grades(pre_image=...)``), before the first is sent."""
    keep_snapshot(report, snapshot_of_grades(gradebook, UPLOAD, grades,
                                             time.time()))


def keep_snapshot(report: RunReport, taken: Snapshot) -> str:
    """Store ``taken`` as the report's pre-image, merged with the one an
    earlier attempt of the run kept; return what it is called."""
    kept = RunPreImage.objects.filter(report=report).first()
    if kept is not None:
        earlier = snapshot_from_data(kept.snapshot, _name(report))
        seen = {(grade.student_id, grade.assignment_id)
                for grade in earlier.grades}
        taken = Snapshot(
            earlier.gradebook_uuid, earlier.gradebook_id, earlier.lmod_url,
            earlier.kind, earlier.created, earlier.grades + tuple(
                grade for grade in taken.grades
                if (grade.student_id, grade.assignment_id) not in seen))
    fields = {'snapshot': snapshot_data(taken), 'grades': len(taken.grades)}
    # Not update_or_create: its transaction, read then written, is refused
    # by SQLite ("database is locked") while other runs write.
    if not RunPreImage.objects.filter(report=report).update(
            kept=timezone.now(), **fields):
        RunPreImage.objects.create(report=report, **fields)
    log.info('pylmod run %s: pre-image of %d grades kept', report.pk,
             len(taken.grades))
    return _name(report)


def _name(report: RunReport) -> str:
    return "run {0}'s pre-image".format(report.pk)


def refusal(report: RunReport) -> Optional[str]:
    """Why the run cannot be rolled back (``None``: it can)."""
    if report.flow not in (GRADES, ROLLBACK):
        return ('run {0} is a {1}: only a grade push (or a rollback) can '
                'be rolled back'.format(report.pk,
                                        report.get_flow_display()))
    if report.status in (RunReport.RUNNING, RunReport.RETRYING):
        return 'run {0} is still running: roll it back when it has ' \
            'ended'.format(report.pk)
    kept = RunPreImage.objects.filter(report=report).only(
        'grades', 'snapshot').first()
    if report.dry_run or kept is None or not kept.grades:
        return 'run {0} sent no grades{1}: there is nothing to roll ' \
            'back'.format(report.pk, ' (a dry run)' if report.dry_run
                          else '')
    wrote = (kept.snapshot or {}).get('gradebook_uuid')
    if wrote and wrote != report.link.gradebook_uuid:
        return ('run {0} wrote gradebook {1}, and link "{2}" is now of '
                'gradebook {3}: its rollback is refused'.format(
                    report.pk, wrote, report.link,
                    report.link.gradebook_uuid))
    return None


class RollbackRun:
    """What a rollback did, as a run stores it (the interface of
    :mod:`~pylmod.openedx.plugin.outcomes`)."""

    def __init__(self, result: RollbackResult, requests_sent: int,
                 error: Optional[str] = None) -> None:
        self.result, self.requests_sent, self.error = (result,
                                                       requests_sent, error)

    @property
    def ok(self) -> bool:
        """No grade was left as it is, nothing stopped it."""
        return self.error is None and self.result.ok

    def flow_counts(self) -> Dict[str, int]:
        """Grades per outcome."""
        result = self.result
        return {'restored': len(result.restored),
                'conflicts': len(result.conflicts),
                'cannot clear': len(result.cannot_clear),
                'failed': len(result.failed),
                'already as before': len(result.already)}

    def problems(self, kept: int) -> Tuple[List[Dict[str, str]], int]:
        """The grades left as they are: LMod student id, assignment,
        outcome, why (no grade)."""
        result = self.result
        items = [(item, 'conflict', 'changed in LMod since the run: left '
                  'as it is') for item in result.conflicts] + [
            (item, 'cannot clear', 'it had no grade before the run, and '
             "LMod's API cannot clear a grade") for item in
            result.cannot_clear] + [
            (item, 'failed', item.message) for item in result.failed]
        return [{'key': str(item.student_id), 'what': item.assignment,
                 'outcome': outcome, 'reason': reason}
                for item, outcome, reason in items[:kept]], len(items)


def roll_back(report: RunReport, gradebook: Any, batch_size: Any = None
              ) -> RollbackRun:
    """The rollback flow: roll back ``report.rollback_of`` (see the
    module).

    Raises:
        NothingToRollBack: the run is gone or kept no pre-image.
        PyLmodSnapshotMismatch: its pre-image is of another gradebook or
            LMod than the run's; nothing was sent.
    """
    source = report.rollback_of
    kept = (RunPreImage.objects.filter(report=source).first()
            if source is not None else None)
    if kept is None:
        raise NothingToRollBack(
            'the run to roll back is gone, or kept no pre-image: nothing '
            'to roll back')
    taken = snapshot_from_data(kept.snapshot, _name(source))
    options = {} if batch_size is None else {'batch_size': batch_size}
    try:
        result = rollback_snapshot(
            gradebook, taken, _name(source),
            lambda own: keep_snapshot(report, own), **options)
    except Exception as err:
        partial = getattr(err, 'rollback_result', None)
        if partial is None:
            raise
        return RollbackRun(partial, gradebook.posts_sent,
                           'multiGrades failed: {0}: {1}'.format(
                               type(err).__name__, err))
    return RollbackRun(result, gradebook.posts_sent)
