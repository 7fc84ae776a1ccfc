"""``manage.py lms pylmod_sync [--link ID ...] [--flow grades|roster]
[--dry-run]``: run links now, in this process, with the code the Celery
tasks run (:mod:`pylmod.openedx.plugin.runs`).

Without ``--link`` it runs every enabled link; with it, the links given,
enabled or not.  Each run is stored as a report, as from a task, and
printed on one line.  A transient failure is not retried here (run the
command again).  The exit status is 1 when a run failed.
"""
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
)

from pylmod.openedx.plugin import runs
from pylmod.openedx.plugin.models import (
    GRADES,
    ROSTER,
    GradebookLink,
    RunReport,
)


class Command(BaseCommand):
    help = ('Push grades and sync rosters of Open edX <-> LMod links now, '
            'synchronously (the scheduled sync runs them on Celery).')

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            '--link', type=int, action='append', dest='links', metavar='ID',
            help='a link id (repeat for several); default: every enabled '
                 'link')
        parser.add_argument('--flow', choices=[GRADES, ROSTER],
                            help='only this flow (default: each the link '
                                 'has)')
        parser.add_argument('--dry-run', action='store_true',
                            help='compare and report, send nothing')

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options['links']
        links = (GradebookLink.objects.filter(pk__in=wanted) if wanted
                 else GradebookLink.objects.filter(enabled=True))
        missing = sorted(set(wanted or ()) - {link.pk for link in links})
        if missing:
            raise CommandError('no link with id {0}'.format(
                ', '.join(map(str, missing))))
        failed = 0
        for link in links:
            for flow in link.flows():
                if options['flow'] not in (None, flow):
                    continue
                report = runs.execute(runs.start(
                    link, flow, dry_run=True if options['dry_run'] else None,
                    trigger='command'))
                failed += report.status == RunReport.FAILED
                self.stdout.write('link {0} ({1}) {2}: {3}'.format(
                    link.pk, link.name, flow, report.summary()))
        if failed:
            raise CommandError('{0} runs failed'.format(failed))
