"""``pylmod openedx push-grades`` and ``pylmod openedx sync-roster``.

:func:`add_openedx_commands` is called by :func:`pylmod.cli.build_parser`.
The handlers follow the conventions of ``pylmod upload``: problems on
stderr (the first few of each kind), the counts on stdout in ``--format``,
every record in the ``--report`` file (CSV, or JSON when the name ends with
``.json``), exit status 0 when every record is confirmed (or skipped on
purpose, or a dry run), 1 otherwise, 2 for a usage error.

Importing this module is cheap, and ``pylmod --help`` stays fast: the
bridge (:mod:`pylmod.openedx` and, through it, ``edx_rest_api_client`` and
Django) is imported inside the handlers, when a command runs.
"""
import argparse
import contextlib
import csv
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterator,
    List,
    Optional,
    Sequence,
    Union,
)

import requests

from pylmod.cli.clients import make_gradebook, make_membership
from pylmod.cli.errors import EXIT_USAGE, CliError
from pylmod.cli.options import (
    OPENEDX,
    OPENEDX_WRITES,
    add_setting_flags,
    global_options_parser,
    missing_setting,
)
from pylmod.cli.output import Outcome, add_report_option, finish
from pylmod.grades import CONFIRMED, DRY_RUN

if TYPE_CHECKING:  # annotations only: the bridge loads when a command runs
    from pylmod.openedx.report import GradeSyncReport, RosterSyncReport

    SyncReport = Union[GradeSyncReport, RosterSyncReport]

#: The settings of the Open edX connection (rows of
#: :data:`pylmod.cli.options.SETTINGS`) and what is missing without them.
CONNECTION_SETTINGS = (
    ('openedx_url', 'no Open edX URL'),
    ('openedx_client_id', 'no Open edX client id'),
    ('openedx_client_secret', 'no Open edX client secret'),
)
GRADE_COLUMNS = ('student_key', 'email', 'student_id', 'assignment', 'value',
                 'status', 'reason')
ROSTER_COLUMNS = ('key', 'action', 'status', 'result', 'reason', 'cohort')


def add_openedx_commands(subparsers: Any,
                         parents: List[argparse.ArgumentParser]) -> Any:
    """Add the ``openedx`` command and its ``push-grades`` and
    ``sync-roster`` subcommands.

    Args:
        subparsers: the ``pylmod`` subparsers action.
        parents: the global options parsers (passed to every subcommand).

    Returns:
        the ``openedx`` subparsers action, to add more subcommands to.
    """
    group = subparsers.add_parser(
        'openedx', parents=parents,
        help='sync grades and rosters between Open edX and LMod',
        description='Sync grades and rosters between Open edX and LMod: '
                    'copy program course grades into an LMod assignment '
                    '(push-grades), make Open edX enrollments match the LMod '
                    'roster (sync-roster), or show a learner on both sides '
                    '(learner).  See `pylmod openedx COMMAND --help`.')
    commands = group.add_subparsers(title='openedx commands',
                                    metavar='COMMAND')
    commands.required = True
    connection = argparse.ArgumentParser(add_help=False)
    add_setting_flags(connection.add_argument_group(
        'Open edX connection (also from PYLMOD_OPENEDX_* variables and the '
        'config file)'), OPENEDX)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--dry-run', action='store_true',
                        help='read and compare everything, send nothing')
    add_report_option(common, 'every record and its outcome')
    sub_parents = parents + [connection, common]
    writes = argparse.ArgumentParser(add_help=False)
    add_setting_flags(writes.add_argument_group(
        'Open edX writes (also from PYLMOD_OPENEDX_* variables and the '
        'config file)'), OPENEDX_WRITES)
    # push-grades stores in a gradebook: no --course in its --help
    # (sync-roster reads the roster of either).
    _add_push_grades(commands, [global_options_parser(without=('course',)),
                                connection, common])
    _add_sync_roster(commands, sub_parents + [writes])
    return commands


def _add_push_grades(commands: Any,
                     sub_parents: List[argparse.ArgumentParser]) -> None:
    push = commands.add_parser(
        'push-grades', parents=sub_parents,
        help='copy Open edX program course grades into an LMod assignment',
        description='Read the grades of an Open edX program course and '
                    'store percent x max points in an LMod assignment of '
                    'the gradebook (--gradebook).')
    push.add_argument('--program', required=True, metavar='UUID',
                      help='the Open edX program')
    push.add_argument('--course-key', required=True, metavar='KEY',
                      help='e.g. course-v1:MITx+6.002x+2026_Spring')
    push.add_argument('--assignment', required=True, metavar='NAME',
                      help='the LMod assignment (its max points scale the '
                           'percent)')
    push.add_argument('--letter-grades', action='store_true',
                      help='also store letter_grade as the overall grade')
    push.add_argument('--mapping', metavar='CSV',
                      help='student_key,email file (default: the key is '
                           'the email)')
    push.add_argument('--approve', action='store_true',
                      help='mark the grades approved')
    push.add_argument('--resend-unchanged', action='store_true',
                      help='send grades LMod already holds too')
    push.set_defaults(handler=push_grades_command)


def _add_sync_roster(commands: Any,
                     sub_parents: List[argparse.ArgumentParser]) -> None:
    roster = commands.add_parser(
        'sync-roster', parents=sub_parents,
        help='make Open edX enrollments match the LMod roster',
        description='Enroll the students of the LMod gradebook (or, with '
                    '--from-group, the members of the --course group) in '
                    'an Open edX program (--program), a course of a program '
                    '(--program and --course-key) or a course '
                    '(--course-key: bulk_enroll).')
    roster.add_argument('--program', metavar='UUID',
                        help='sync the enrollments of this Open edX program')
    roster.add_argument('--course-key', metavar='KEY',
                        help='sync the enrollments of this Open edX course '
                             '(with --program: the program course)')
    roster.add_argument('--curriculum', metavar='UUID',
                        help='curriculum of new program enrollments '
                             '(default: that of the existing ones)')
    roster.add_argument('--section', metavar='NAME',
                        help='only the students of this LMod section')
    roster.add_argument('--from-group', action='store_true',
                        help='read the LMod membership group (--course) '
                             'instead of the gradebook')
    roster.add_argument('--role', action='append', metavar='ROLE',
                        help='with --from-group: the member roles to enroll '
                             '(repeatable; default Student)')
    roster.add_argument('--cohorts-from-sections', action='store_true',
                        help='bulk_enroll into cohorts named after the LMod '
                             'sections')
    roster.add_argument('--enrolled', metavar='FILE',
                        help='bulk_enroll: the emails enrolled now (one a '
                             'line, or a CSV with an email column)')
    roster.add_argument('--unenroll-missing', action='store_true',
                        help='remove learners that LMod does not have')
    roster.set_defaults(handler=sync_roster_command)


def make_openedx_client(args: argparse.Namespace) -> Any:
    """Return an :class:`~pylmod.openedx.client.OpenEdxClient` from the
    resolved connection settings (flag, ``PYLMOD_OPENEDX_*`` variable or
    config file).

    Raises:
        CliError: the URL, client id or secret is not set (exit status 2).
    """
    from pylmod.openedx.auth import oauth_session
    from pylmod.openedx.client import OpenEdxClient
    for name, problem in CONNECTION_SETTINGS:
        if not getattr(args, name):
            raise missing_setting(name, args.config, problem)
    workers = {'workers': args.openedx_workers} if args.openedx_workers \
        else {}
    session = oauth_session(args.openedx_url, args.openedx_client_id,
                            args.openedx_client_secret, **workers)
    return OpenEdxClient(session, args.openedx_url,
                         page_size=args.openedx_page_size, **workers)


@contextlib.contextmanager
def openedx_errors(args: argparse.Namespace) -> Iterator[None]:
    """Say Open edX, not LMod, in the errors of the Open edX side; a bad
    sync configuration is a usage error."""
    from pylmod.openedx.errors import OpenEdxConfigError
    try:
        yield
    except OpenEdxConfigError as err:
        raise CliError(str(err), EXIT_USAGE) from err
    except requests.ConnectionError as err:
        url = str(getattr(err.request, 'url', '') or '')
        base = (args.openedx_url or '').rstrip('/')
        if not base or not url.startswith(base):
            raise
        raise CliError('cannot connect to Open edX at {0}: {1}. Check '
                       '--openedx-url'.format(base, err)) from err


def push_grades_command(args: argparse.Namespace) -> int:
    """``pylmod openedx push-grades``."""
    from pylmod.openedx.grades import push_grades
    gradebook = make_gradebook(args)
    with openedx_errors(args):
        report = push_grades(
            make_openedx_client(args), gradebook, args.program,
            args.course_key, args.assignment,
            letter_grades=args.letter_grades, mapping=args.mapping,
            dry_run=args.dry_run, approve_grades=args.approve,
            skip_unchanged=not args.resend_unchanged)
    rows = [record.__dict__ for record in report.records]
    summary: Dict[str, Any] = {'records read': report.records_read}
    return finish(args, _sync_outcome(args, report, rows, GRADE_COLUMNS,
                                      'student_key', summary))


def sync_roster_command(args: argparse.Namespace) -> int:
    """``pylmod openedx sync-roster``."""
    from pylmod.openedx.roster import lmod_roster, sync_roster
    if not args.program and not args.course_key:
        raise CliError('pass --program, --course-key, or both', EXIT_USAGE)
    if args.from_group:
        roster = lmod_roster(membership=make_membership(args),
                             roles=args.role or ('Student',))
    else:
        roster = lmod_roster(make_gradebook(args),
                             section_name=args.section or '')
    with openedx_errors(args):
        report = sync_roster(
            make_openedx_client(args), roster, program_uuid=args.program,
            course_key=args.course_key, curriculum_uuid=args.curriculum,
            cohorts_from_sections=args.cohorts_from_sections,
            unenroll_missing=args.unenroll_missing, dry_run=args.dry_run,
            enrolled=_read_enrolled(args.enrolled))
    rows = [change.__dict__ for change in report.changes]
    summary = {'target': report.target, 'LMod roster': report.roster_size,
               'to add': len(report.to_add),
               'to remove': len(report.to_remove),
               'unchanged': len(report.unchanged)}
    return finish(args, _sync_outcome(args, report, rows, ROSTER_COLUMNS,
                                      'key', summary))


def _read_enrolled(path: Optional[str]) -> Optional[List[str]]:
    """The emails of an ``--enrolled`` file: one a line, or the ``email``
    column of a CSV file with a header."""
    if not path:
        return None
    with open(path, newline='', encoding='utf-8-sig') as handle:
        lines = [line.strip() for line in handle if line.strip()]
    if lines and ',' in lines[0]:
        rows = list(csv.DictReader(lines))
        if not rows or 'email' not in rows[0]:
            raise CliError('{0}: line 1: expected a header with an email '
                           'column'.format(path), EXIT_USAGE)
        return [row['email'] for row in rows if row.get('email')]
    return [line for line in lines if line.lower() != 'email']


def _sync_outcome(args: argparse.Namespace, report: 'SyncReport',
                  rows: List[Dict[str, Any]], columns: Sequence[str],
                  key_column: str, summary: Dict[str, Any]) -> Outcome:
    """The :class:`~pylmod.cli.output.Outcome` of an Open edX sync: every
    record a report row; the counts (``summary``, then one per status and
    per kind of skip, then the requests); a problem line per record that
    failed or is in doubt, and what stopped the sync; the plan of a dry
    run."""
    from pylmod.openedx.report import OK_STATUSES
    counts = dict(summary)
    counts.update(report.counts())
    counts.update(_skip_reasons(rows))
    counts['requests'] = report.requests_sent
    problems = [['{0}: {1}: {2}'.format(row[key_column], row['status'],
                                        row['reason'])
                 for row in rows if row['status'] not in OK_STATUSES]]
    if report.error:
        problems.append(['stopped: {0}'.format(report.error)])
    plan = ([row for row in rows if row['status'] == DRY_RUN]
            if args.dry_run else None)
    return Outcome(
        counts=counts, ok=report.ok, columns=columns, rows=lambda: rows,
        document=report.as_dict, problems=problems,
        shown_when_zero=set(summary) | {CONFIRMED}, plan=plan,
        verdict=_sync_verdict(report, plan))


def _sync_verdict(report: 'SyncReport',
                  plan: Optional[List[Dict[str, Any]]]) -> str:
    """The last line of a sync: what was done, then every outcome
    counted."""
    said = ', '.join('{0} {1}'.format(count, status) for status, count
                     in report.counts().items() if count and status != DRY_RUN)
    if plan is not None:
        return 'nothing sent; {0} would be sent{1}'.format(
            len(plan), '; ' + said if said else '')
    head = ('stopped' if report.error else 'done' if report.ok
            else 'not done')
    return '{0}: {1}'.format(head, said or 'nothing to send')


def _skip_reasons(rows: List[Dict[str, Any]]) -> Dict[str, int]:
    """``{'skipped: <kind>': count}``; the kind is the reason up to ':'."""
    reasons: Dict[str, int] = {}
    for row in rows:
        if row['status'] == 'skipped':
            kind = 'skipped: ' + str(row['reason']).split(':')[0]
            reasons[kind] = reasons.get(kind, 0) + 1
    return reasons
