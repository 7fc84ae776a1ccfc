"""Celery tasks: push grades for one link, sync the roster for one link,
and the fan-out that runs every enabled link on the workers.

* :func:`push_link_grades` and :func:`sync_link_roster` run one flow of
  one link (:mod:`pylmod.openedx.plugin.runs`) and return the stored
  report's summary (a JSON-able dict).  A transient failure
  (:mod:`pylmod.openedx.plugin.failures`) is retried by Celery
  (``autoretry_for``, exponential backoff from ``RETRY_BACKOFF`` seconds,
  at most ``RETRY_BACKOFF_MAX``; a 429's ``Retry-After`` is honoured) while
  fewer than ``MAX_RETRIES`` retries were made and less than
  ``RETRY_DEADLINE`` seconds passed since the first attempt — and only
  when running the flow again is safe.  Every other failure is stored as a
  failed report and the task returns it: it is not retried.  The retries
  of a task share its report (its ``attempts`` counts them).
* :func:`sync_all_links` is the periodic task: it sends one task per flow
  of every enabled link (:func:`send_runs`) and returns at once; the
  workers run them, as many at a time as they have processes (or
  threads), not the caller.

Delivery is at least once: the flow tasks are acknowledged when they end
(``acks_late``) and given back to the broker when their worker process is
lost (``reject_on_worker_lost``), as task options, so the LMS need not set
them globally.  A run killed with its worker is delivered again and runs
on the same report (a flow run again is idempotent, see
:mod:`pylmod.openedx.plugin.runs`); with Redis, a message whose worker
died unacknowledged comes back after the broker's ``visibility_timeout``
(docs/openedx.rst, "Delivery").

Sending is bounded (:func:`send_runs`): the broker must answer within
``SEND_TIMEOUT`` seconds, sending is not retried and does not touch the
result backend, so "Run now" returns at once, broker up or down.

Schedule it with Celery beat, e.g. every night at 3:15::

    from celery.schedules import crontab
    CELERYBEAT_SCHEDULE['pylmod-sync'] = {
        'task': 'pylmod.openedx.plugin.tasks.sync_all_links',
        'schedule': crontab(hour=3, minute=15),
    }
"""
import logging
from typing import Any, Dict, Iterable, List, Optional

from celery import current_app, shared_task
from celery.result import GroupResult
from celery.utils import uuid
from django.utils import timezone

from pylmod.openedx.plugin import leases, runs
from pylmod.openedx.plugin.conf import (
    celery_retry_options,
    plugin_conf,
    send_timeout,
)
from pylmod.openedx.plugin.failures import TransientFailure
from pylmod.openedx.plugin.models import (
    GRADES,
    ROLLBACK,
    ROSTER,
    GradebookLink,
    RunReport,
)

log = logging.getLogger(__name__)

#: What every flow task is given: retries of transient failures only (the
#: task counts retries and the deadline itself: ``max_retries=None``), and
#: at-least-once delivery (acknowledged when done, given back to the broker
#: when its worker process is lost).
FLOW_TASK_OPTIONS: Dict[str, Any] = dict(
    bind=True, autoretry_for=(TransientFailure,), max_retries=None,
    acks_late=True, reject_on_worker_lost=True, **celery_retry_options())


class BrokerUnreachable(Exception):
    """The runs could not be sent: the broker did not answer within
    ``SEND_TIMEOUT`` seconds (or refused the message)."""

    def __init__(self, timeout: float, error: BaseException, sent: int = 0,
                 total: int = 0) -> None:
        what = ('so only {0} of the {1} runs were sent'.format(sent, total)
                if sent else 'so no run was sent')
        super().__init__(
            'the Celery broker could not be reached within {0:g} s, {1} '
            '({2}: {3}); check the broker and try again'.format(
                timeout, what, type(error).__name__, error))
        #: The seconds allowed, and the runs sent before it failed.
        self.timeout, self.sent = timeout, sent


def _may_retry(task: Any, report: Any) -> bool:
    try:
        conf = plugin_conf()
    except Exception:  # the run stores the setting's problem
        return False
    elapsed = (timezone.now() - report.started).total_seconds()
    return task.request.retries < conf.max_retries and (
        elapsed < conf.retry_deadline)


def run_flow_task(task: Any, link_id: int, flow: str,
                  dry_run: Optional[bool], trigger: str,
                  rollback_of: Optional[RunReport] = None
                  ) -> Dict[str, Any]:
    """The body of the flow tasks (see the module docstring)."""
    link = GradebookLink.objects.filter(pk=link_id).first()
    if link is None:
        log.warning('pylmod: link %s is gone; nothing to run', link_id)
        return {'link': link_id, 'flow': flow, 'status': 'no such link'}
    begun = runs.begin(link, flow, dry_run=dry_run, trigger=trigger,
                       task_id=task.request.id or '',
                       rollback_of=rollback_of)
    report = begun.report
    if not begun.run:
        if begun.holder is not None and report.status not in (
                RunReport.DONE + (RunReport.LOST,)):
            # Delivered again while its first delivery still runs (a
            # visibility timeout shorter than the run): look again later,
            # to take the report over if that worker dies.
            raise task.retry(countdown=leases.lease_seconds())
        return report.as_task_result()
    try:
        report = runs.execute(report, may_retry=_may_retry(task, report))
    except TransientFailure as failure:
        if failure.retry_after:
            # Open edX asked for a wait: not less than that.
            raise task.retry(exc=failure, countdown=failure.retry_after)
        raise  # autoretry_for: the backoff
    return report.as_task_result()


@shared_task(name='pylmod.openedx.plugin.tasks.push_link_grades',
             **FLOW_TASK_OPTIONS)
def push_link_grades(self: Any, link_id: int, dry_run: Optional[bool] = None,
                     trigger: str = 'task') -> Dict[str, Any]:
    """Push a link's Open edX grades into its LMod assignment.

    Args:
        link_id: the :class:`~pylmod.openedx.plugin.models.GradebookLink`.
        dry_run: ``None``: the link's setting.
        trigger: what started it, kept in the report.

    Returns:
        dict: the report's summary (``report``, ``status``, ``counts`` ...).
    """
    return run_flow_task(self, link_id, GRADES, dry_run, trigger)


@shared_task(name='pylmod.openedx.plugin.tasks.sync_link_roster',
             **FLOW_TASK_OPTIONS)
def sync_link_roster(self: Any, link_id: int, dry_run: Optional[bool] = None,
                     trigger: str = 'task') -> Dict[str, Any]:
    """Make a link's Open edX enrollments match its LMod gradebook.

    Arguments and result as :func:`push_link_grades`.
    """
    return run_flow_task(self, link_id, ROSTER, dry_run, trigger)


@shared_task(name='pylmod.openedx.plugin.tasks.roll_back_run',
             **FLOW_TASK_OPTIONS)
def roll_back_run(self: Any, report_id: int,
                  trigger: str = 'task') -> Dict[str, Any]:
    """Roll back a grade push (or a rollback) from its pre-image, with
    the link's grade push lock held, as a run with its own report (flow
    ``rollback``; :mod:`pylmod.openedx.plugin.undo`).

    Args:
        report_id: the :class:`~pylmod.openedx.plugin.models.RunReport`
            of the run to roll back.
        trigger: what started it, kept in the report.

    Returns:
        dict: the rollback's report's summary.
    """
    source = RunReport.objects.filter(pk=report_id).first()
    if source is None:
        log.warning('pylmod: run %s is gone; nothing to roll back',
                    report_id)
        return {'report': report_id, 'flow': ROLLBACK,
                'status': 'no such run'}
    return run_flow_task(self, source.link_id, ROLLBACK, False, trigger,
                         rollback_of=source)


_FLOW_TASKS = {GRADES: push_link_grades, ROSTER: sync_link_roster}


def flow_signatures(links: Iterable[GradebookLink],
                    dry_run: Optional[bool] = None,
                    trigger: str = 'schedule') -> List[Any]:
    """One immutable task signature per flow of each link."""
    return [_FLOW_TASKS[flow].si(link.pk, dry_run, trigger)
            for link in links for flow in link.flows()]


def _send(signatures: List[Any], results: bool) -> List[Any]:
    """Send each signature over one broker connection bounded by
    ``SEND_TIMEOUT``; no retry; no result backend unless ``results``."""
    timeout = send_timeout()
    app = current_app._get_current_object()
    bounds = {'socket_connect_timeout': timeout, 'socket_timeout': timeout}
    sent: List[Any] = []
    try:
        with app.connection_for_write(connect_timeout=timeout,
                                      transport_options=bounds) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            for signature in signatures:
                sent.append(signature.apply_async(
                    connection=conn, retry=False, ignore_result=not results))
    except Exception as err:  # refused, timed out, unknown host ...
        raise BrokerUnreachable(timeout, err, len(sent),
                                len(signatures)) from err
    return sent


def send_runs(links: Optional[Iterable[GradebookLink]] = None,
              dry_run: Optional[bool] = None,
              trigger: str = 'schedule') -> int:
    """Send the flows of ``links`` (default: every enabled link) to the
    workers and return at once, broker up or down: what "Run now" and
    the nightly task use.  No result is kept (the reports are).

    Raises:
        BrokerUnreachable: the broker did not answer within
            ``SEND_TIMEOUT`` seconds (nothing, or only part, was sent).

    Returns:
        int: the number of runs sent.
    """
    if links is None:
        links = GradebookLink.objects.filter(enabled=True)
    signatures = flow_signatures(links, dry_run, trigger)
    if signatures:
        log.info('pylmod: sending %d runs to the workers', len(signatures))
        _send(signatures, results=False)
    return len(signatures)


def send_rollbacks(reports: Iterable[RunReport],
                   trigger: str = 'admin') -> int:
    """Send a rollback task (:func:`roll_back_run`) per report to the
    workers and return at once, bounded as :func:`send_runs` ("Roll back
    this run" in the admin).

    Raises:
        BrokerUnreachable: as :func:`send_runs`.

    Returns:
        int: the number of rollbacks sent.
    """
    signatures = [roll_back_run.si(report.pk, trigger) for report in reports]
    if signatures:
        log.info('pylmod: sending %d rollbacks to the workers',
                 len(signatures))
        _send(signatures, results=False)
    return len(signatures)


def fan_out(links: Optional[Iterable[GradebookLink]] = None,
            dry_run: Optional[bool] = None,
            trigger: str = 'schedule') -> Optional[GroupResult]:
    """As :func:`send_runs`, keeping the results in the result backend
    and returning them (for a caller that waits).

    Raises:
        BrokerUnreachable: as :func:`send_runs`.

    Returns:
        GroupResult: to wait on, if the caller wants to (``None``: nothing
        to run).

    Example:

    .. code-block:: python

        result = fan_out()
        summaries = result.get(timeout=3600)   # a list of dicts
    """
    if links is None:
        links = GradebookLink.objects.filter(enabled=True)
    signatures = flow_signatures(links, dry_run, trigger)
    if not signatures:
        return None
    log.info('pylmod: sending %d runs to the workers', len(signatures))
    app = current_app._get_current_object()
    return app.GroupResult(uuid(), _send(signatures, results=True))


@shared_task(name='pylmod.openedx.plugin.tasks.sync_all_links')
def sync_all_links(dry_run: Optional[bool] = None) -> Dict[str, Any]:
    """The periodic task: :func:`send_runs` every enabled link.

    First it ends as ``lost`` the runs whose lease expired
    (:func:`~pylmod.openedx.plugin.leases.sweep_lost`).

    Returns:
        dict: ``{'runs': number of tasks sent, 'lost': runs ended lost}``.
    """
    lost = leases.sweep_lost()
    if lost:
        log.warning('pylmod: %d runs were lost with their workers', lost)
    return {'runs': send_runs(dry_run=dry_run), 'lost': lost}
