"""The Django admin of the plugin: links (list, enable, disable, run now,
the last run of each flow) and their run reports (read-only, but for "Roll
back this run" on a grade push: :mod:`pylmod.openedx.plugin.undo`)."""
import logging
from typing import Any, List, Optional

from django.contrib import admin, messages
from django.db.models import Max, QuerySet
from django.utils.html import format_html, format_html_join

from pylmod.openedx.plugin import tasks, undo
from pylmod.openedx.plugin.models import (
    GradebookLink,
    RunPreImage,
    RunReport,
)

log = logging.getLogger(__name__)

#: Reports shown on a link's page.
RECENT_REPORTS = 10


def _last_reports(link: GradebookLink) -> List[RunReport]:
    """The newest report of each flow of a link."""
    reports = []
    for flow, _ in RunReport.FLOW_CHOICES:
        report = link.reports.filter(flow=flow).first()
        if report is not None:
            reports.append(report)
    return reports


@admin.register(GradebookLink)
class GradebookLinkAdmin(admin.ModelAdmin):
    """Links: what runs, and how the last runs went."""

    list_display = ('name', 'course_key', 'program_uuid', 'gradebook_uuid',
                    'assignment', 'roster_sync', 'enabled', 'dry_run',
                    'last_runs', 'last_run_at')
    list_filter = ('enabled', 'roster_sync', 'dry_run')
    search_fields = ('name', 'course_key', 'program_uuid', 'gradebook_uuid')
    readonly_fields = ('created', 'modified', 'recent_reports')
    actions = ['run_now', 'run_now_dry', 'enable', 'disable']
    fieldsets = [
        (None, {'fields': ('name', 'enabled', 'dry_run')}),
        ('Open edX', {'fields': ('course_key', 'program_uuid')}),
        ('LMod', {'fields': ('gradebook_uuid',)}),
        ('Grade push', {'fields': ('assignment', 'letter_grades')}),
        ('Roster sync', {'fields': ('roster_sync', 'curriculum_uuid',
                                    'cohorts_from_sections',
                                    'unenroll_missing')}),
        ('Runs', {'fields': ('recent_reports', 'created', 'modified')}),
    ]

    def get_queryset(self, request: Any) -> QuerySet:
        return super().get_queryset(request).annotate(
            last_started=Max('reports__started'))

    @admin.display(description='last runs')
    def last_runs(self, link: GradebookLink) -> str:
        """The newest report of each flow, one line each."""
        return format_html_join(
            '', '<div>{0} {1}</div>',
            ((report.flow, report.summary())
             for report in _last_reports(link))) or '—'

    @admin.display(description='last run at', ordering='last_started')
    def last_run_at(self, link: GradebookLink) -> Optional[Any]:
        """When the newest run started."""
        return getattr(link, 'last_started', None)

    @admin.display(description='recent runs')
    def recent_reports(self, link: GradebookLink) -> str:
        """The last reports of the link, newest first."""
        if link.pk is None:
            return '—'
        return format_html_join(
            '', '<div>{0} {1}: {2}</div>',
            (('{0:%Y-%m-%d %H:%M}'.format(report.started), report.flow,
              report.summary())
             for report in link.reports.all()[:RECENT_REPORTS])) or '—'

    def _run(self, request: Any, links: QuerySet,
             dry_run: Optional[bool]) -> None:
        try:
            sent = tasks.send_runs(list(links), dry_run=dry_run,
                                   trigger='admin')
        except Exception as err:  # the broker is down, misconfigured ...
            log.error('pylmod: cannot send runs: %s', type(err).__name__)
            self.message_user(request, 'The runs could not be sent to the '
                              'Celery workers: {0}'.format(err),
                              messages.ERROR)
            return
        self.message_user(request, '{0} runs sent to the workers; their '
                          'reports appear under "Run reports".'.format(sent))

    @admin.action(description='Run now')
    def run_now(self, request: Any, links: QuerySet) -> None:
        """Send the selected links' flows to the workers (enabled or not)."""
        self._run(request, links, None)

    @admin.action(description='Run now, as a dry run (send nothing)')
    def run_now_dry(self, request: Any, links: QuerySet) -> None:
        """Send the selected links' flows as dry runs."""
        self._run(request, links, True)

    @admin.action(description='Enable (run in the scheduled sync)')
    def enable(self, request: Any, links: QuerySet) -> None:
        """Enable the selected links."""
        self.message_user(request, '{0} links enabled.'.format(
            links.update(enabled=True)))

    @admin.action(description='Disable (leave out of the scheduled sync)')
    def disable(self, request: Any, links: QuerySet) -> None:
        """Disable the selected links."""
        self.message_user(request, '{0} links disabled.'.format(
            links.update(enabled=False)))


@admin.register(RunReport)
class RunReportAdmin(admin.ModelAdmin):
    """Run reports: read-only; a grade push (or a rollback) can be rolled
    back."""

    list_display = ('link', 'flow', 'state', 'dry_run', 'trigger',
                    'attempts', 'started', 'finished', 'counts_line')
    list_filter = ('status', 'flow', 'dry_run', 'trigger')
    search_fields = ('link__name', 'link__course_key', 'task_id', 'worker')
    readonly_fields = ('link', 'flow', 'state', 'dry_run', 'trigger',
                       'task_id', 'attempts', 'started', 'finished',
                       'worker', 'heartbeat', 'lease_expires',
                       'counts_line', 'requests_sent', 'error',
                       'losses_line', 'problems_table', 'pre_image_line',
                       'rollback_of')
    exclude = ('status', 'counts', 'problems', 'problems_total', 'progress',
               'losses')
    actions = ['roll_back']

    @admin.display(description='pre-image')
    def pre_image_line(self, report: RunReport) -> str:
        """How many grades the run's pre-image holds (never the grades)."""
        kept = RunPreImage.objects.filter(report=report).values_list(
            'grades', flat=True).first()
        if kept is None:
            return '—'
        return ('{0} grades as they were before the run (for "Roll back '
                'this run")'.format(kept))

    def has_rollback_permission(self, request: Any) -> bool:
        """Who may roll back a run: who may run a link."""
        return request.user.has_perm('pylmod_openedx.change_gradebooklink')

    @admin.action(description='Roll back this run', permissions=['rollback'])
    def roll_back(self, request: Any, reports: QuerySet) -> None:
        """Send a rollback of each selected grade push (or rollback) to the
        workers; refuse, with a message, the runs that cannot be."""
        chosen = []
        for report in reports.select_related('link'):
            refused = undo.refusal(report)
            if refused:
                self.message_user(request, 'Not rolled back: {0}.'.format(
                    refused), messages.ERROR)
            else:
                chosen.append(report)
        if not chosen:
            return
        try:
            sent = tasks.send_rollbacks(chosen, trigger='admin')
        except Exception as err:  # the broker is down, misconfigured ...
            log.error('pylmod: cannot send rollbacks: %s',
                      type(err).__name__)
            self.message_user(request, 'The rollbacks could not be sent to '
                              'the Celery workers: {0}'.format(err),
                              messages.ERROR)
            return
        self.message_user(request, '{0} rollback{1} sent to the workers '
                          '(run {2}); each is a run with its own report under '
                          '"Run reports": grades changed in LMod since are '
                          'left as they are.'.format(
                              sent, '' if sent == 1 else 's', ', '.join(
                                  str(report.pk) for report in chosen)))

    @admin.display(description='status', ordering='status')
    def state(self, report: RunReport) -> str:
        """The status; running or lost: the worker, its last heartbeat
        and the progress so far."""
        return report.state()

    @admin.display(description='workers lost')
    def losses_line(self, report: RunReport) -> str:
        """The workers lost while running it, and who took it over."""
        return format_html_join(
            '', '<div>{0} (last heartbeat {1}), taken over {2} by {3}</div>',
            ((loss.get('worker'), loss.get('heartbeat'),
              loss.get('taken_over'), loss.get('by'))
             for loss in report.losses or [])) or '—'

    @admin.display(description='counts')
    def counts_line(self, report: RunReport) -> str:
        """The outcome counts that are not zero."""
        return ', '.join('{0} {1}'.format(number, name) for name, number
                         in (report.counts or {}).items() if number) or '—'

    @admin.display(description='learners with a problem')
    def problems_table(self, report: RunReport) -> str:
        """The learners not confirmed: key, what, outcome, reason."""
        if not report.problems:
            return '—'
        rows = format_html_join(
            '', '<tr><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td></tr>',
            ((problem.get('key'), problem.get('what'),
              problem.get('outcome'), problem.get('reason'))
             for problem in report.problems))
        shown = len(report.problems)
        more = ('' if shown >= report.problems_total else
                ' (the first {0} of {1})'.format(shown,
                                                 report.problems_total))
        return format_html('<table><tr><th>key</th><th>what</th>'
                           '<th>outcome</th><th>reason</th></tr>{0}</table>'
                           '{1}', rows, more)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any,
                              obj: Optional[RunReport] = None) -> bool:
        return False
