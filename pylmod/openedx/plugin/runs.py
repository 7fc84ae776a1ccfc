"""One run of one flow of a link, and its stored report: the code the
Celery tasks and ``manage.py lms pylmod_sync`` share.

:func:`start` stores a :class:`~pylmod.openedx.plugin.models.RunReport`
(``running``); :func:`execute` runs the flow and stores how it ended:

* ``ok``: every learner (or grade) went through or was skipped on purpose;
* ``problems``: the flow finished, and some learners were refused or are
  unconfirmed (the report lists them);
* ``failed``: the run could not be done (a setting, a refused credential,
  an unknown course ...), or a transient failure that may not be retried;
* ``retrying``: a transient failure, and the caller may retry:
  :func:`execute` raises :class:`~pylmod.openedx.plugin.failures.
  TransientFailure` (the tasks' ``autoretry_for``).

Running a flow again is what makes it idempotent, so a retry is as safe as
a re-run: the grade push reads the grades LMod holds and skips the
unchanged ones (a grade the lost answer had stored is not sent again); a
program roster sync reads the current enrollments first and sends only the
difference (a learner the lost answer had enrolled is now unchanged).  A
course roster sync (``bulk_enroll``) cannot read the course's roster: it is
retried only when ``COURSE_ENROLLMENTS_READER`` gives it the enrolled
learners; otherwise a write that may have reached Open edX is not sent
again blindly, and the run is stored as failed.
"""
import functools
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Dict, List, Optional

from django.utils import timezone

from pylmod.openedx.grades import push_grades
from pylmod.openedx.plugin import leases, undo
from pylmod.openedx.plugin.clients import run_clients
from pylmod.openedx.plugin.conf import (
    PluginConf,
    PluginConfigError,
    plugin_conf,
)
from pylmod.openedx.plugin.failures import (
    TransientFailure,
    describe,
    headline,
    is_transient,
    retry_after,
)
from pylmod.openedx.plugin.models import (
    GRADES,
    ROLLBACK,
    ROSTER,
    GradebookLink,
    RunReport,
)
from pylmod.openedx.plugin.outcomes import flow_counts, problems_of
from pylmod.openedx.roster import lmod_roster, sync_roster

log = logging.getLogger(__name__)


def _push(report: RunReport, conf: PluginConf, client: Any,
          gradebook: Any) -> Any:
    link = report.link
    options: Dict[str, Any] = {}
    if conf.batch_size is not None:
        options['batch_size'] = conf.batch_size
    return push_grades(client, gradebook, link.program_uuid, link.course_key,
                       link.assignment, letter_grades=link.letter_grades,
                       mapping=conf.email_for_student_key,
                       dry_run=report.dry_run,
                       approve_grades=conf.approve_grades,
                       pre_image=functools.partial(undo.keep_pre_image,
                                                   report, gradebook),
                       **options)


def _enrolled(link: GradebookLink, conf: PluginConf) -> Optional[List[str]]:
    if link.roster_sync != GradebookLink.ROSTER_COURSE or (
            conf.course_enrollments_reader is None):
        return None
    return list(conf.course_enrollments_reader(link.course_key))


def _sync(report: RunReport, conf: PluginConf, client: Any,
          gradebook: Any) -> Any:
    link, dry_run = report.link, report.dry_run
    program_uuid, course_key = link.roster_target()
    return sync_roster(
        client, lmod_roster(gradebook), program_uuid=program_uuid,
        course_key=course_key, curriculum_uuid=link.curriculum_uuid or None,
        cohorts_from_sections=link.cohorts_from_sections,
        unenroll_missing=link.unenroll_missing, dry_run=dry_run,
        key_for=conf.student_key_for_learner,
        enrolled=_enrolled(link, conf))


#: The flows, by name.
FLOWS: Dict[str, Callable[..., Any]] = {
    GRADES: _push, ROSTER: _sync,
    ROLLBACK: lambda report, conf, client, gradebook: undo.roll_back(
        report, gradebook, conf.batch_size)}


def rerun_is_safe(link: GradebookLink, flow: str, conf: PluginConf) -> bool:
    """Whether running the flow again cannot write a learner twice: it
    reads the state first (see the module docstring)."""
    return flow in (GRADES, ROLLBACK) or (
        link.roster_sync != GradebookLink.ROSTER_COURSE) or (
            conf.course_enrollments_reader is not None)


@dataclass
class Begun:
    """What :func:`begin` found: the report, whether to run it now, and
    the live run of the same link and flow that holds the lock."""

    report: RunReport
    run: bool
    holder: Optional[RunReport] = None


def begin(link: GradebookLink, flow: str, *, dry_run: Optional[bool] = None,
          trigger: str = '', task_id: str = '',
          worker: str = '',
          rollback_of: Optional[RunReport] = None) -> Begun:
    """Store the report of a run that starts and take the lock of its link
    and flow (:mod:`~pylmod.openedx.plugin.leases`).

    A task seen before (the same ``task_id``: a Celery retry, or the same
    message delivered again after its worker was lost) runs on its first
    report, counting the attempt, unless that report is done.  When a
    live run holds the lock, nothing runs: a new report is stored as
    ``skipped``; a task's earlier report is left as it is.

    Args:
        link: the link.
        flow: :data:`~pylmod.openedx.plugin.models.GRADES` or
            :data:`~pylmod.openedx.plugin.models.ROSTER`.
        dry_run: ``None``: the link's own setting.
        trigger: what started it (``schedule``, ``admin``, ``command``).
        task_id: the Celery task id, if a task runs it.
        worker: who runs it (default: this host and process).
        rollback_of: a rollback (flow
            :data:`~pylmod.openedx.plugin.models.ROLLBACK`): the run it
            rolls back.
    """
    if flow not in FLOWS:
        raise ValueError('flow must be one of {0}, got {1!r}'.format(
            sorted(FLOWS), flow))
    worker = worker or leases.worker_name()
    lease = leases.lease_seconds()
    now = timezone.now()
    report = RunReport.objects.filter(
        task_id=task_id, link=link, flow=flow).first() if task_id else None
    if report is not None and report.status in RunReport.DONE:
        return Begun(report, False)  # delivered again after it ended
    earlier = report
    if report is None:
        report = RunReport.objects.create(
            link=link, flow=flow, trigger=trigger, task_id=task_id,
            dry_run=link.dry_run if dry_run is None else dry_run,
            rollback_of=rollback_of, worker=worker, heartbeat=now,
            lease_expires=now + timedelta(seconds=lease))
    holder = leases.acquire(report, worker, lease)
    if holder is not None:
        if earlier is None:
            report.status, report.finished = RunReport.SKIPPED, now
            report.lease_expires = None
            report.error = ('not run: run {0} of this link and flow was '
                            'running on {1} (last heartbeat {2})'.format(
                                holder.pk, holder.worker or '?',
                                holder.heartbeat))
            report.save()
        return Begun(report, False, holder)
    if earlier is None:  # it starts now that it holds the lock
        report.started = timezone.now()
        report.save(update_fields=['started'])
    else:  # a retry, a redelivery, or a lost run taken over
        if earlier.is_lost() or earlier.status == RunReport.RUNNING:
            report.losses = list(report.losses or []) + [{
                'worker': earlier.worker, 'heartbeat': str(earlier.heartbeat),
                'taken_over': str(now), 'by': worker}]
            log.warning('pylmod run %s (link %s, %s): taken over from lost '
                        'worker %s', report.pk, link.pk, flow, earlier.worker)
        report.attempts += 1
        report.status, report.finished, report.error = (
            RunReport.RUNNING, None, '')
        report.worker, report.heartbeat = worker, now
        report.lease_expires = now + timedelta(seconds=lease)
        report.save()
    return Begun(report, True)


def start(link: GradebookLink, flow: str, *, dry_run: Optional[bool] = None,
          trigger: str = '', task_id: str = '') -> RunReport:
    """:func:`begin`, returning the report (``skipped`` if a live run of
    the link and flow holds the lock: :func:`execute` leaves it so)."""
    return begin(link, flow, dry_run=dry_run, trigger=trigger,
                 task_id=task_id).report


def prune(link: GradebookLink, flow: str, kept: int) -> int:
    """Delete all but the newest ``kept`` finished reports of a link's
    flow; return how many were deleted."""
    old = RunReport.objects.filter(link=link, flow=flow).exclude(
        finished=None).order_by('-started', '-pk').values_list(
            'pk', flat=True)[kept:]
    return RunReport.objects.filter(pk__in=list(old)).delete()[0]


def _finish(report: RunReport, status: str, error: str = '') -> RunReport:
    report.status, report.error = status, error
    now = timezone.now()
    report.finished = now if status != RunReport.RETRYING else None
    report.heartbeat, report.lease_expires = now, None
    report.save()
    log.info('pylmod run %s (link %s, %s): %s, attempt %d, %s', report.pk,
             report.link_id, report.flow, status, report.attempts,
             report.counts)
    return report


def _stopped(report: RunReport, error: BaseException, may_retry: bool,
             safe: bool) -> RunReport:
    """Store a run stopped by ``error``; raise :class:`TransientFailure`
    when it may be retried."""
    text = describe(error)
    # Messages may quote learner keys: the type at WARNING, the rest lower.
    log.warning('pylmod run %s (link %s, %s) stopped by %s', report.pk,
                report.link_id, report.flow, type(error).__name__)
    log.debug('pylmod run %s: %s', report.pk, text)
    if is_transient(error) and safe and may_retry:
        _finish(report, RunReport.RETRYING, text)
        # Celery logs it at INFO: the type and status, not the message.
        raise TransientFailure(headline(error),
                               retry_after(error)) from error
    if is_transient(error) and safe:
        text += (' (transient: worth running again later; this run had no '
                 'retry left)')
    elif is_transient(error):
        text += (' (not retried: a write may have reached Open edX, and '
                 'this course roster cannot be read back)')
    return _finish(report, RunReport.FAILED, text)


def _run(report: RunReport, conf: PluginConf, may_retry: bool,
         beat: leases.Heartbeat) -> RunReport:
    link = report.link
    try:
        with run_clients(conf, link.gradebook_uuid) as (client, gradebook):
            beat.progress = lambda: {
                'grade batches sent': gradebook.posts_sent,
                'learners written': client.learners_written}
            flow_report = FLOWS[report.flow](report, conf, client,
                                             gradebook)
            stop = (client.write_failures + gradebook.write_failures)[-1:]
            report.progress = beat.progress()
    except Exception as err:  # every failure ends in the report
        # Raised before any write: running again is safe.
        return _stopped(report, err, may_retry, safe=True)
    report.counts = flow_counts(flow_report)
    report.requests_sent = flow_report.requests_sent
    report.problems, report.problems_total = problems_of(
        flow_report, conf.problems_kept)
    if flow_report.error is not None:
        return _stopped(report, stop[0] if stop else RuntimeError(
            flow_report.error), may_retry,
            rerun_is_safe(link, report.flow, conf))
    return _finish(report, RunReport.OK if flow_report.ok
                   else RunReport.PROBLEMS)


def execute(report: RunReport, *, may_retry: bool = False) -> RunReport:
    """Run the report's flow and store how it ended.

    Args:
        report: from :func:`start`.
        may_retry: a transient failure may be retried (the caller retries).

    Raises:
        TransientFailure: a transient failure, ``may_retry``, and a re-run
            is safe (the report says ``retrying``).

    Returns:
        RunReport: the report, ``ok``, ``problems`` or ``failed`` (or as
        it was, if not ``running``: e.g. ``skipped``).

    Example:

    .. code-block:: python

        report = execute(start(link, GRADES, trigger='shell'))
        print(report.summary())
    """
    if report.status != RunReport.RUNNING:
        return report  # skipped (another run holds the lock), or done
    with leases.Heartbeat(report, leases.lease_seconds()) as beat:
        try:
            conf = plugin_conf()
        except PluginConfigError as err:
            return _stopped(report, err, may_retry, safe=True)
        finished = _run(report, conf, may_retry, beat)
    prune(report.link, report.flow, conf.reports_kept)
    return finished
