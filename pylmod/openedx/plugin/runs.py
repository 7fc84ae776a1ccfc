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
import logging
from typing import Any, Callable, Dict, List, Optional

from django.utils import timezone

from pylmod.openedx.grades import push_grades
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
    ROSTER,
    GradebookLink,
    RunReport,
)
from pylmod.openedx.plugin.outcomes import flow_counts, problems_of
from pylmod.openedx.roster import lmod_roster, sync_roster

log = logging.getLogger(__name__)


def _push(link: GradebookLink, conf: PluginConf, client: Any,
          gradebook: Any, dry_run: bool) -> Any:
    options: Dict[str, Any] = {}
    if conf.batch_size is not None:
        options['batch_size'] = conf.batch_size
    return push_grades(client, gradebook, link.program_uuid, link.course_key,
                       link.assignment, letter_grades=link.letter_grades,
                       mapping=conf.email_for_student_key, dry_run=dry_run,
                       approve_grades=conf.approve_grades, **options)


def _enrolled(link: GradebookLink, conf: PluginConf) -> Optional[List[str]]:
    if link.roster_sync != GradebookLink.ROSTER_COURSE or (
            conf.course_enrollments_reader is None):
        return None
    return list(conf.course_enrollments_reader(link.course_key))


def _sync(link: GradebookLink, conf: PluginConf, client: Any,
          gradebook: Any, dry_run: bool) -> Any:
    program_uuid, course_key = link.roster_target()
    return sync_roster(
        client, lmod_roster(gradebook), program_uuid=program_uuid,
        course_key=course_key, curriculum_uuid=link.curriculum_uuid or None,
        cohorts_from_sections=link.cohorts_from_sections,
        unenroll_missing=link.unenroll_missing, dry_run=dry_run,
        key_for=conf.student_key_for_learner,
        enrolled=_enrolled(link, conf))


#: The flows, by name.
FLOWS: Dict[str, Callable[..., Any]] = {GRADES: _push, ROSTER: _sync}


def rerun_is_safe(link: GradebookLink, flow: str, conf: PluginConf) -> bool:
    """Whether running the flow again cannot write a learner twice: it
    reads the state first (see the module docstring)."""
    return flow == GRADES or link.roster_sync != GradebookLink.ROSTER_COURSE \
        or conf.course_enrollments_reader is not None


def start(link: GradebookLink, flow: str, *, dry_run: Optional[bool] = None,
          trigger: str = '', task_id: str = '') -> RunReport:
    """Store the report of a run that starts, or, for a retry of a task
    (the same ``task_id``), count its attempt on the first one's report.

    Args:
        link: the link.
        flow: :data:`~pylmod.openedx.plugin.models.GRADES` or
            :data:`~pylmod.openedx.plugin.models.ROSTER`.
        dry_run: ``None``: the link's own setting.
        trigger: what started it (``schedule``, ``admin``, ``command``).
        task_id: the Celery task id, if a task runs it.
    """
    if flow not in FLOWS:
        raise ValueError('flow must be one of {0}, got {1!r}'.format(
            sorted(FLOWS), flow))
    if task_id:
        report = RunReport.objects.filter(task_id=task_id, link=link,
                                          flow=flow).first()
        if report is not None:
            report.attempts += 1
            report.status = RunReport.RUNNING
            report.save(update_fields=['attempts', 'status'])
            return report
    return RunReport.objects.create(
        link=link, flow=flow, trigger=trigger, task_id=task_id,
        dry_run=link.dry_run if dry_run is None else dry_run)


def prune(link: GradebookLink, flow: str, kept: int) -> int:
    """Delete all but the newest ``kept`` finished reports of a link's
    flow; return how many were deleted."""
    old = RunReport.objects.filter(link=link, flow=flow).exclude(
        finished=None).order_by('-started', '-pk').values_list(
            'pk', flat=True)[kept:]
    return RunReport.objects.filter(pk__in=list(old)).delete()[0]


def _finish(report: RunReport, status: str, error: str = '') -> RunReport:
    report.status, report.error = status, error
    report.finished = timezone.now() if status != RunReport.RETRYING else None
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


def _run(report: RunReport, conf: PluginConf, may_retry: bool
         ) -> RunReport:
    link = report.link
    try:
        with run_clients(conf, link.gradebook_uuid) as (client, gradebook):
            flow_report = FLOWS[report.flow](link, conf, client, gradebook,
                                             report.dry_run)
            stop = (client.write_failures + gradebook.write_failures)[-1:]
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
        RunReport: the report, ``ok``, ``problems`` or ``failed``.

    Example:

    .. code-block:: python

        report = execute(start(link, GRADES, trigger='shell'))
        print(report.summary())
    """
    try:
        conf = plugin_conf()
    except PluginConfigError as err:
        return _stopped(report, err, may_retry, safe=True)
    finished = _run(report, conf, may_retry)
    prune(report.link, report.flow, conf.reports_kept)
    return finished
