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
  of every enabled link as a Celery :func:`~celery.group` and returns at
  once; the workers run them, as many at a time as they have processes (or
  threads), not the caller.

Schedule it with Celery beat, e.g. every night at 3:15::

    from celery.schedules import crontab
    CELERYBEAT_SCHEDULE['pylmod-sync'] = {
        'task': 'pylmod.openedx.plugin.tasks.sync_all_links',
        'schedule': crontab(hour=3, minute=15),
    }
"""
import logging
from typing import Any, Dict, Iterable, List, Optional

from celery import group, shared_task
from celery.result import GroupResult
from django.utils import timezone

from pylmod.openedx.plugin import runs
from pylmod.openedx.plugin.conf import celery_retry_options, plugin_conf
from pylmod.openedx.plugin.failures import TransientFailure
from pylmod.openedx.plugin.models import GRADES, ROSTER, GradebookLink

log = logging.getLogger(__name__)

#: What every flow task is given: retries of transient failures only; the
#: task counts retries and the deadline itself (``max_retries=None``).
FLOW_TASK_OPTIONS: Dict[str, Any] = dict(
    bind=True, autoretry_for=(TransientFailure,), max_retries=None,
    **celery_retry_options())


def _may_retry(task: Any, report: Any) -> bool:
    try:
        conf = plugin_conf()
    except Exception:  # the run stores the setting's problem
        return False
    elapsed = (timezone.now() - report.started).total_seconds()
    return task.request.retries < conf.max_retries and (
        elapsed < conf.retry_deadline)


def run_flow_task(task: Any, link_id: int, flow: str,
                  dry_run: Optional[bool], trigger: str) -> Dict[str, Any]:
    """The body of the flow tasks (see the module docstring)."""
    link = GradebookLink.objects.filter(pk=link_id).first()
    if link is None:
        log.warning('pylmod: link %s is gone; nothing to run', link_id)
        return {'link': link_id, 'flow': flow, 'status': 'no such link'}
    report = runs.start(link, flow, dry_run=dry_run, trigger=trigger,
                        task_id=task.request.id or '')
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


_FLOW_TASKS = {GRADES: push_link_grades, ROSTER: sync_link_roster}


def flow_signatures(links: Iterable[GradebookLink],
                    dry_run: Optional[bool] = None,
                    trigger: str = 'schedule') -> List[Any]:
    """One immutable task signature per flow of each link."""
    return [_FLOW_TASKS[flow].si(link.pk, dry_run, trigger)
            for link in links for flow in link.flows()]


def fan_out(links: Optional[Iterable[GradebookLink]] = None,
            dry_run: Optional[bool] = None,
            trigger: str = 'schedule') -> Optional[GroupResult]:
    """Send the flows of ``links`` (default: every enabled link) to the
    workers as one :func:`~celery.group`; return at once.

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
    return group(signatures).apply_async()


@shared_task(name='pylmod.openedx.plugin.tasks.sync_all_links')
def sync_all_links(dry_run: Optional[bool] = None) -> Dict[str, Any]:
    """The periodic task: :func:`fan_out` every enabled link.

    Returns:
        dict: ``{'group': id or None, 'runs': number of tasks sent}``.
    """
    result = fan_out(dry_run=dry_run)
    return {'group': result.id if result is not None else None,
            'runs': len(result.results) if result is not None else 0}
