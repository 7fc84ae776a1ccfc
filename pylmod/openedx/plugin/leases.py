"""Leases and locks: no run left "running", and never two runs of one
link and flow at once.

A run holds the :class:`~pylmod.openedx.plugin.models.FlowLock` of its
link and flow while it executes, for ``LEASE`` seconds at a time; its
:class:`Heartbeat` (a thread) renews the lease every quarter of that,
and writes the time and the run's progress into its report.  When the
worker dies, the renewals stop: past ``lease_expires`` the report is
*lost* (the admin says so, with the worker and its last heartbeat), and
the lock is free for

* the same task delivered again (acknowledged late, see
  :mod:`pylmod.openedx.plugin.tasks`): it takes its report over and runs
  again on it;
* any later run of the link and flow: it ends the lost report
  (``lost``) and runs; :func:`sweep_lost` ends the ones nobody took over.

The lock is taken with a compare-and-set ``UPDATE`` on one row, so it
holds across worker processes and machines sharing the database; the
leases compare times of the machines' clocks (keep them synchronised:
NTP; the lease is minutes, the skew milliseconds).
"""
import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any, Callable, Dict, Optional

from django.db import IntegrityError, close_old_connections, connection
from django.utils import timezone

from pylmod.openedx.plugin.conf import (
    DEFAULTS,
    PluginConfigError,
    raw_settings,
)
from pylmod.openedx.plugin.models import FlowLock, RunReport

log = logging.getLogger(__name__)


def worker_name() -> str:
    """This process, as reports name it: ``host:pid``."""
    return '{0}:{1}'.format(socket.gethostname(), os.getpid())


def lease_seconds() -> float:
    """``LEASE`` (its default if the settings are wrong: a run still needs
    a lease to store its problem)."""
    try:
        value = raw_settings()['LEASE']
    except PluginConfigError:
        value = DEFAULTS['LEASE']
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            value < 4):
        value = DEFAULTS['LEASE']
    return float(value)


def _lock_row(report: RunReport) -> FlowLock:
    try:
        return FlowLock.objects.get_or_create(link_id=report.link_id,
                                              flow=report.lock_flow)[0]
    except IntegrityError:  # created at once by another run
        return FlowLock.objects.get(link_id=report.link_id,
                                    flow=report.lock_flow)


def _end_lost(pk: int, by: RunReport) -> None:
    lost = RunReport.objects.filter(pk=pk, finished=None).first()
    if lost is None or lost.status not in (RunReport.RUNNING,
                                           RunReport.LOST):
        return
    now = timezone.now()
    RunReport.objects.filter(pk=pk, finished=None).update(
        status=RunReport.LOST, finished=now, lease_expires=None,
        error='lost: its worker {0} stopped renewing its lease (last '
              'heartbeat {1}); ended by run {2}'.format(
                  lost.worker or '?', lost.heartbeat, by.pk))
    log.warning('pylmod run %s (link %s, %s) was lost with its worker %s; '
                'ended by run %s', pk, lost.link_id, lost.flow, lost.worker,
                by.pk)


def acquire(report: RunReport, worker: str,
            lease: float) -> Optional[RunReport]:
    """Take the lock of the report's link and flow for ``lease`` seconds.

    It is free when nobody holds it, its lease expired, or its holder's
    report is finished.  A lost holder (another report) is ended as lost.

    Returns:
        ``None``: taken; otherwise the report of the live run holding it.
    """
    lock = _lock_row(report)
    while True:
        now = timezone.now()
        holder = (RunReport.objects.filter(pk=lock.report_id).first()
                  if lock.report_id is not None else None)
        free = holder is None or lock.expires is None or (
            lock.expires < now) or holder.finished is not None
        if not free:
            return holder
        taken = FlowLock.objects.filter(
            pk=lock.pk, report_id=lock.report_id, worker=lock.worker,
            expires=lock.expires).update(
                report_id=report.pk, worker=worker,
                expires=now + timedelta(seconds=lease))
        if taken:
            if holder is not None and holder.pk != report.pk:
                _end_lost(holder.pk, report)
            return None
        lock.refresh_from_db()  # changed under us: look again


def renew(report: RunReport, worker: str, lease: float,
          progress: Optional[Dict[str, Any]] = None) -> bool:
    """Extend the lease of a run (and write its heartbeat and progress).

    Returns:
        bool: whether the run still held its lock.
    """
    now = timezone.now()
    expires = now + timedelta(seconds=lease)
    held = FlowLock.objects.filter(
        link_id=report.link_id, flow=report.lock_flow, report_id=report.pk,
        worker=worker).update(expires=expires)
    fields: Dict[str, Any] = {'heartbeat': now, 'lease_expires': expires}
    if progress is not None:
        fields['progress'] = progress
    RunReport.objects.filter(pk=report.pk, status=RunReport.RUNNING).update(
        **fields)
    return bool(held)


def release(report: RunReport, worker: str) -> None:
    """Free the lock, if the run still holds it."""
    FlowLock.objects.filter(link_id=report.link_id,
                            flow=report.lock_flow,
                            report_id=report.pk, worker=worker).update(
        report_id=None, worker='', expires=None)


def sweep_lost() -> int:
    """End as ``lost`` the running reports whose lease expired (a
    redelivered task still takes its report over); return how many."""
    now = timezone.now()
    lost = RunReport.objects.filter(status=RunReport.RUNNING,
                                    lease_expires__lt=now)
    count = 0
    for report in lost:
        count += RunReport.objects.filter(
            pk=report.pk, status=RunReport.RUNNING,
            lease_expires__lt=now).update(
                status=RunReport.LOST, finished=now, error=(
                    'lost: its worker {0} stopped renewing its lease (last '
                    'heartbeat {1})'.format(report.worker or '?',
                                            report.heartbeat)))
    return count


class Heartbeat:
    """Renew a run's lease every quarter of it, in a thread, while the run
    executes; free its lock at the end::

        with Heartbeat(report, lease) as beat:
            beat.progress = lambda: {'sent': 3}
            ...
    """

    def __init__(self, report: RunReport, lease: float) -> None:
        self.report, self.lease = report, lease
        self.worker = report.worker
        #: What the heartbeat writes as the run's progress.
        self.progress: Callable[[], Dict[str, Any]] = dict
        #: Whether a renewal found the lock taken by another run.
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name='pylmod-heartbeat')

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.lease / 4):
                try:
                    if not renew(self.report, self.worker, self.lease,
                                 self.progress()):
                        self.lost = True
                        log.warning('pylmod run %s lost its lock to '
                                    'another run', self.report.pk)
                except Exception as err:  # the next beat tries again
                    log.warning('pylmod run %s: heartbeat failed: %s',
                                self.report.pk, type(err).__name__)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> 'Heartbeat':
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        release(self.report, self.worker)
