"""The safeguards of ``pylmod upload``: ``--preview``, changes only (and
``--send-all``), the snapshot (``--snapshot``), the assignments a file
would create by mistake (``--new-assignment``), and what the output says
about them.

``pylmod upload`` sends only the grades LMod does not hold already and,
before anything is created or sent, writes a snapshot of the grades it
will change, whose path the output gives with the command that undoes the
upload (``pylmod rollback``, :mod:`pylmod.cli.rollback_command`).  The
library does the work (:mod:`pylmod.grades.safeguards`,
:mod:`pylmod.grades.plan`); this module chooses what to show.
"""
import argparse
import sys
import time
from typing import Any, Dict, List, Optional

from pylmod.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from pylmod.cli.output import Outcome, finish, print_mapping, print_problems
from pylmod.cli.upload_report import upload_outcome
from pylmod.cli.values import due_date, number, positive_points
from pylmod.grades import UploadReport
from pylmod.grades.plan import CHANGED, KINDS, NEW, PlannedGrade, UploadPlan
from pylmod.grades.report import UNCHANGED
from pylmod.grades.safeguards import Safeguards
from pylmod.grades.snapshot import default_snapshot_path

#: Changed grades ``--preview`` lists unless ``--show all``.
CHANGES_SHOWN = 20


def add_safe_upload_arguments(parser: argparse.ArgumentParser) -> None:
    """The safeguard flags of ``pylmod upload``."""
    parser.add_argument('--preview', action='store_true',
                        help='show what the upload would change (old -> '
                             'new, against the grades LMod holds) and the '
                             'assignments it would create; send and create '
                             'nothing')
    parser.add_argument('--show', choices=('all',),
                        help="with --preview: 'all' lists every grade to "
                             'send (default: the first {0} changed '
                             'ones)'.format(CHANGES_SHOWN))
    parser.add_argument('--send-all', action='store_true',
                        help='send every grade of the file, also those LMod '
                             'holds already (default: only new and changed '
                             'grades)')
    parser.add_argument('--snapshot', metavar='PATH',
                        help='write the grades LMod holds before the upload '
                             'to PATH (default: a new file under '
                             '$XDG_DATA_HOME/pylmod/snapshots); '
                             '`pylmod rollback PATH` undoes the upload')
    parser.add_argument('--new-assignment', action='append', default=[],
                        metavar='NAME',
                        help='create the assignment NAME even though its '
                             'name is close to an existing one (the upload '
                             'refuses such a column otherwise); repeatable')
    group = parser.add_argument_group(
        'settings of the assignments the upload creates')
    group.add_argument('--max-points', type=positive_points,
                       metavar='POINTS',
                       help='their max points (default: from '
                            '--max-points-column, else 1.0)')
    group.add_argument('--weight', type=number, metavar='W',
                       help='their weight (default 1.0)')
    group.add_argument('--due', type=due_date, metavar='MM-DD-YYYY',
                       help='their due date (default 12-15-2013, as PyLmod '
                            '1.0.x)')


def assignment_settings(args: argparse.Namespace) -> Dict[str, Any]:
    """The settings of created assignments given on the command line."""
    if args.max_points is not None and args.max_points_column is not None:
        raise CliError('--max-points and --max-points-column both give the '
                       'max points of created assignments: give one',
                       EXIT_USAGE)
    return {'max_points': args.max_points, 'weight': args.weight,
            'due_date': args.due}


def upload_safeguards(args: argparse.Namespace) -> Safeguards:
    """The :class:`~pylmod.grades.safeguards.Safeguards` of ``pylmod
    upload``: changes only unless ``--send-all``, a snapshot unless a dry
    run, near-miss columns refused unless named."""
    snapshot = None
    if not args.dry_run:
        snapshot = args.snapshot or default_snapshot_path(
            args.gradebook or args.gradebook_id, time.time())
    return Safeguards(not args.send_all, snapshot,
                      frozenset(args.new_assignment),
                      **assignment_settings(args))


def _number(value: Any) -> Any:
    """A grade as printed: ``75`` for 75.0, ``-`` for none."""
    if value is None:
        return '-'
    return '{0:g}'.format(value) if isinstance(value, float) else value


def _change(grade: PlannedGrade) -> Dict[str, Any]:
    return {'email': grade.email, 'student_id': grade.student_id,
            'assignment': grade.assignment,
            'assignment_id': grade.assignment_id, 'old': grade.old,
            'new': grade.new, 'kind': grade.kind,
            'old_approved': grade.old_approved, 'approved': grade.approved}


def _created(plan: UploadPlan) -> List[Dict[str, Any]]:
    return [{'name': assignment.name, 'max_points': assignment.max_points,
             'short_name': assignment.short_name,
             'weight': assignment.weight, 'due_date': assignment.due_date}
            for assignment in plan.new_assignments]


def flagged_lines(plan: Optional[UploadPlan]) -> List[str]:
    """One line per grade above its max points or below 0 (sent all the
    same: extra credit exists)."""
    if plan is None:
        return []
    return ['line {0}, column {1!r} ({2}): {3} is {4} (sent: check it is '
            'meant)'.format(flag.grade.line, flag.grade.assignment,
                            flag.grade.email, _number(flag.grade.new),
                            flag.reason)
            for flag in plan.flagged()]


def print_preview(args: argparse.Namespace, plan: UploadPlan) -> int:
    """Print the plan of ``--preview``: counts per class, the changed
    grades (``email  assignment  old → new``), the assignments to create;
    as one JSON object with ``--format json``."""
    counts = plan.counts()
    changes = plan.changes()
    report = plan.report
    problems = (list(upload_outcome(report).problems)
                if isinstance(report, UploadReport) else [])
    print_problems(problems + [flagged_lines(plan)])
    if args.format == 'json':
        document: Dict[str, Any] = dict(counts)
        document.update(changes=[_change(grade) for grade in changes],
                        assignments_to_create=_created(plan),
                        flagged=flagged_lines(plan))
        print_mapping(args, document)
        return _preview_verdict(args, plan)
    out = sys.stdout
    out.write('preview, nothing sent: {0}\n'.format(', '.join(
        '{0} {1}'.format(counts[kind], kind) for kind in KINDS)))
    listed = (changes if args.show == 'all'
              else [grade for grade in changes if grade.kind == CHANGED])
    shown = listed if args.show == 'all' else listed[:CHANGES_SHOWN]
    if shown:
        width = max(len(str(grade.email)) for grade in shown)
        column = max(len(grade.assignment) for grade in shown)
        for grade in shown:
            out.write('{0}  {1}  {2} \u2192 {3}\n'.format(
                str(grade.email).ljust(width), grade.assignment.ljust(column),
                _number(grade.old), _number(grade.new)))
    if len(listed) > len(shown):
        out.write('... and {0} more changed grades (--show all lists '
                  'them)\n'.format(len(listed) - len(shown)))
    for created in _created(plan):
        out.write('would create ' + _settings_line(created) + '\n')
    return _preview_verdict(args, plan)


def _preview_verdict(args: argparse.Namespace, plan: UploadPlan) -> int:
    """End a preview with its verdict line (as every run ends): what the
    upload would do."""
    counts = plan.counts()
    said = ['preview, nothing sent', '{0} grades would be sent ({1} new, '
            '{2} changed), {3} unchanged'.format(
                counts[NEW] + counts[CHANGED], counts[NEW], counts[CHANGED],
                counts[UNCHANGED])]
    created, flagged = len(plan.new_assignments), len(plan.flagged())
    if created:
        said.append('{0} {1} would be created'.format(
            created, 'assignment' if created == 1 else 'assignments'))
    if flagged:
        said.append('{0} {1} out of range'.format(
            flagged, 'grade' if flagged == 1 else 'grades'))
    if not getattr(args, 'quiet', False):
        sys.stderr.write('pylmod: {0}\n'.format('; '.join(said)))
    return EXIT_OK


def _settings_line(created: Dict[str, Any]) -> str:
    return ('assignment {name!r}: max points {max_points:g}, short name '
            '{short_name!r}, weight {weight:g}, due {due_date}'.format(
                **created))


def safe_outcome(report: UploadReport, safeguards: Optional[Safeguards],
                 dry_run: Optional[bool] = None) -> Outcome:
    """The :class:`~pylmod.cli.output.Outcome` of an upload, with the
    snapshot (its path, and the command that undoes the upload) and the
    grades out of range."""
    outcome = upload_outcome(report, dry_run)
    if safeguards is None:
        return outcome
    path = safeguards.snapshot_path
    notes = list(outcome.notes)
    if safeguards.plan is not None:
        notes.extend(_settings_line(created) for created in _created(
            safeguards.plan))
    if path is not None:
        outcome.counts['snapshot'] = path
        notes.append('snapshot of the grades before the upload: {0}; undo '
                     'with: pylmod rollback {0}'.format(path))
    outcome.notes = notes
    outcome.problems = list(outcome.problems) + [
        flagged_lines(safeguards.plan)]
    return outcome


def report_safe_upload(args: argparse.Namespace, report: UploadReport,
                       safeguards: Optional[Safeguards]) -> int:
    """Report an upload as ``pylmod upload`` does (see
    :func:`~pylmod.cli.output.finish`), with its snapshot."""
    return finish(args, safe_outcome(
        report, safeguards, getattr(args, 'dry_run', None) or None))
