"""Links as data: which Open edX course run (or program) goes with which
LMod gradebook, and the report of every run.

A :class:`GradebookLink` says what to do for one course:

* **grades**: push the Open edX program course grades (``program_uuid``
  and ``course_key``) into the LMod ``assignment`` of the gradebook
  (:func:`~pylmod.openedx.grades.push_grades`); no assignment, no grade
  push;
* **roster**: make Open edX enrollments match the gradebook's students
  (:func:`~pylmod.openedx.roster.sync_roster`), LMod → Open edX: into the
  program, the program's course run, or the course run (``bulk_enroll``).

A :class:`RunReport` keeps what one run of one flow did: its status, the
counts per outcome and the learners with a problem (their Open edX key,
the outcome and why) — no grades, and no emails beyond the keys the admin
needs to find a learner.  A grade push (and a rollback) that sends grades
keeps their pre-image in a :class:`RunPreImage` beside its report, so the
admin can roll the run back (:mod:`pylmod.openedx.plugin.undo`); the admin
shows its size, never its grades.
"""
from typing import Any, Dict, List, Optional, Tuple

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

GRADES, ROSTER = 'grades', 'roster'
#: The flow of a rollback of a grade push (or of a rollback): it holds the
#: lock of its link's grade push, so the two never run at once.
ROLLBACK = 'rollback'


class GradebookLink(models.Model):
    """An Open edX course run (and program) ↔ an LMod gradebook."""

    ROSTER_NONE = 'none'
    ROSTER_PROGRAM = 'program'
    ROSTER_PROGRAM_COURSE = 'program_course'
    ROSTER_COURSE = 'course'
    ROSTER_CHOICES = [
        (ROSTER_NONE, 'No roster sync'),
        (ROSTER_PROGRAM, 'LMod → Open edX program enrollments'),
        (ROSTER_PROGRAM_COURSE, 'LMod → Open edX program course enrollments'),
        (ROSTER_COURSE, 'LMod → Open edX course enrollments (bulk_enroll)'),
    ]

    name = models.CharField(max_length=200,
                            help_text='What the link is, for people.')
    gradebook_uuid = models.CharField(
        'LMod gradebook uuid', max_length=255,
        help_text='e.g. STELLAR:/project/mitxdemosite')
    course_key = models.CharField(
        'Open edX course run', max_length=255, blank=True,
        help_text='e.g. course-v1:MITx+6.002x+2026_Spring')
    program_uuid = models.CharField(
        'Open edX program uuid', max_length=36, blank=True,
        help_text='The program the course run is in: grades are read '
                  'from its program course grades.')
    assignment = models.CharField(
        'LMod assignment', max_length=255, blank=True,
        help_text='The assignment the grades go to (its max points scale '
                  'the percent); empty: no grade push.')
    letter_grades = models.BooleanField(
        default=False, help_text='Also send the letter grade as the '
                                 "student's overall grade.")
    roster_sync = models.CharField(
        max_length=20, choices=ROSTER_CHOICES, default=ROSTER_NONE)
    curriculum_uuid = models.CharField(
        max_length=36, blank=True,
        help_text='Curriculum of new program enrollments (default: the '
                  'one of the existing enrollments).')
    cohorts_from_sections = models.BooleanField(
        default=False, help_text='Course enrollments: put learners in the '
                                 'cohort named after their LMod section.')
    unenroll_missing = models.BooleanField(
        default=False, help_text='Remove Open edX learners who are not in '
                                 'the gradebook.')
    dry_run = models.BooleanField(
        default=False, help_text='Compare and report, send nothing.')
    enabled = models.BooleanField(
        default=True, help_text='Run in the scheduled sync.')
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ['name', 'pk']
        verbose_name = 'course ↔ gradebook link'

    def __str__(self) -> str:
        return self.name

    def flows(self) -> List[str]:
        """The flows this link runs: :data:`GRADES` and/or :data:`ROSTER`."""
        return ([GRADES] if self.assignment else []) + (
            [ROSTER] if self.roster_sync != self.ROSTER_NONE else [])

    def roster_target(self) -> Tuple[Optional[str], Optional[str]]:
        """``sync_roster``'s ``(program_uuid, course_key)`` for this
        link's roster sync (``None``: not given)."""
        program = self.roster_sync in (self.ROSTER_PROGRAM,
                                       self.ROSTER_PROGRAM_COURSE)
        course = self.roster_sync in (self.ROSTER_PROGRAM_COURSE,
                                      self.ROSTER_COURSE)
        return (self.program_uuid if program else None,
                self.course_key if course else None)

    def clean(self) -> None:
        """Refuse a link that cannot run: each flow needs its ids."""
        errors: Dict[str, str] = {}
        if not self.course_key and not self.program_uuid:
            errors['course_key'] = 'Give a course run, a program, or both.'
        if self.assignment and not (self.program_uuid and self.course_key):
            errors['assignment'] = (
                'Grades come from the program course grades: a grade push '
                'needs both the program and the course run.')
        needs = {self.ROSTER_PROGRAM: ('program_uuid',),
                 self.ROSTER_PROGRAM_COURSE: ('program_uuid', 'course_key'),
                 self.ROSTER_COURSE: ('course_key',)}
        for field in needs.get(self.roster_sync, ()):
            if not getattr(self, field):
                errors[field] = 'This roster sync needs it.'
        if self.cohorts_from_sections and (
                self.roster_sync != self.ROSTER_COURSE):
            errors['cohorts_from_sections'] = (
                'Cohorts are set by course enrollments (bulk_enroll) only.')
        if not self.flows():
            errors['roster_sync'] = ('Nothing to run: set an assignment, a '
                                     'roster sync, or both.')
        if errors:
            raise ValidationError(errors)


class RunReport(models.Model):
    """What one run of one flow of a link did."""

    RUNNING, RETRYING = 'running', 'retrying'
    OK, PROBLEMS, FAILED = 'ok', 'problems', 'failed'
    LOST, SKIPPED = 'lost', 'skipped'
    STATUS_CHOICES = [
        (RUNNING, 'running'),
        (RETRYING, 'retrying (transient failure)'),
        (OK, 'ok'),
        (PROBLEMS, 'done, with learners not confirmed'),
        (FAILED, 'failed'),
        (LOST, 'lost (its worker stopped renewing its lease)'),
        (SKIPPED, 'not run (another run of the link and flow was running)'),
    ]
    #: The statuses of a run that will not run again.
    DONE = (OK, PROBLEMS, FAILED, SKIPPED)
    FLOW_CHOICES = [(GRADES, 'grade push'), (ROSTER, 'roster sync'),
                    (ROLLBACK, 'rollback of a run')]

    link = models.ForeignKey(GradebookLink, on_delete=models.CASCADE,
                             related_name='reports')
    flow = models.CharField(max_length=10, choices=FLOW_CHOICES)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES,
                              default=RUNNING)
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(
        max_length=20, blank=True,
        help_text='What started it: schedule, admin, command, task.')
    task_id = models.CharField(max_length=255, blank=True, db_index=True,
                               help_text='The Celery task (kept by retries).')
    attempts = models.PositiveIntegerField(default=1)
    started = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(
        default=dict, blank=True,
        help_text='Learners (or grades) per outcome, and what was read.')
    requests_sent = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, blank=True,
        help_text='Learners not confirmed: key, outcome, reason.')
    problems_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True,
                             help_text='What stopped the run, if anything.')
    worker = models.CharField(
        max_length=255, blank=True,
        help_text='The worker running it (host:process id).')
    heartbeat = models.DateTimeField(
        null=True, blank=True, help_text='When its lease was last renewed.')
    lease_expires = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text='Running, past this: lost (its worker stopped).')
    progress = models.JSONField(
        default=dict, blank=True, help_text='What it sent so far.')
    losses = models.JSONField(
        default=list, blank=True,
        help_text='Workers lost while running it: worker, last heartbeat, '
                  'when it was taken over.')
    rollback_of = models.ForeignKey(
        'self', null=True, blank=True, on_delete=models.SET_NULL,
        related_name='rollbacks',
        help_text='A rollback: the run it rolls back.')

    class Meta:
        ordering = ['-started', '-pk']
        indexes = [models.Index(fields=['link', 'flow', 'started'])]

    def __str__(self) -> str:
        return '{0} {1} {2:%Y-%m-%d %H:%M}: {3}'.format(
            self.link, self.flow, self.started, self.status)

    @property
    def lock_flow(self) -> str:
        """The flow whose lock the run takes: a rollback takes the grade
        push's."""
        return GRADES if self.flow == ROLLBACK else self.flow

    def is_lost(self) -> bool:
        """Ended as lost, or running with its lease expired (its worker
        stopped: a redelivery or the next run takes it over or ends it)."""
        return self.status == self.LOST or (
            self.status == self.RUNNING and self.lease_expires is not None
            and self.lease_expires < timezone.now())

    def state(self) -> str:
        """The status, and for a running or lost run: which worker, its
        last heartbeat and its progress."""
        if self.status not in (self.RUNNING, self.LOST):
            return self.status
        beat = ('{0:%Y-%m-%d %H:%M:%S}'.format(self.heartbeat)
                if self.heartbeat else 'never')
        progress = ', '.join('{0} {1}'.format(number, name) for name, number
                             in (self.progress or {}).items())
        return '{0} on {1} (last heartbeat {2}{3})'.format(
            'lost' if self.is_lost() else 'running', self.worker or '?',
            beat, '; ' + progress if progress else '')

    def summary(self) -> str:
        """One line: the outcome counts that are not zero, and the error."""
        counts = ', '.join('{0} {1}'.format(number, name) for name, number
                           in (self.counts or {}).items() if number)
        if not counts and self.counts:
            counts = 'nothing to do'
        return ': '.join(part for part in (self.state(), counts, self.error)
                         if part)

    def as_task_result(self) -> Dict[str, Any]:
        """The JSON-able result of the task that ran it.  Celery logs it at
        INFO: ``error`` is only the exception's type (its message, which
        may quote a learner, is in the report)."""
        return {'report': self.pk, 'link': self.link_id, 'flow': self.flow,
                'status': self.status, 'dry_run': self.dry_run,
                'attempts': self.attempts, 'counts': dict(self.counts or {}),
                'requests_sent': self.requests_sent,
                'error': self.error.partition(':')[0]}


class RunPreImage(models.Model):
    """The pre-image of the grades a run sent: what LMod held before, kept
    before the first grade was sent (a snapshot as
    :func:`pylmod.grades.snapshot.snapshot_data`, checksummed), so the run
    can be rolled back.  Grades are protected student records: the admin
    shows the number of grades only."""

    report = models.OneToOneField(RunReport, on_delete=models.CASCADE,
                                  related_name='pre_image')
    snapshot = models.JSONField(
        help_text='The pylmod snapshot of the grades before the run.')
    grades = models.PositiveIntegerField(
        default=0, help_text='Grades in it.')
    kept = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return 'pre-image of run {0}: {1} grades'.format(self.report_id,
                                                        self.grades)


class FlowLock(models.Model):
    """Who runs a link's flow now: the report holding it, its worker and
    until when (renewed by the run's heartbeat).  One row per link and
    flow; taken with a compare-and-set update, so two runs of one link
    and flow never execute at once, on any number of machines."""

    link = models.ForeignKey(GradebookLink, on_delete=models.CASCADE,
                             related_name='locks')
    flow = models.CharField(max_length=10, choices=RunReport.FLOW_CHOICES)
    report_id = models.BigIntegerField(null=True, blank=True)
    worker = models.CharField(max_length=255, blank=True)
    expires = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=['link', 'flow'], name='pylmod_one_lock_per_link_flow')]

    def __str__(self) -> str:
        return '{0} {1}: {2}'.format(self.link_id, self.flow,
                                     self.report_id or 'free')
