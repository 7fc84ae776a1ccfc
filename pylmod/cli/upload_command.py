"""``pylmod upload CSV``: a grade spreadsheet to LMod.

The handler makes an :class:`~pylmod.grades.options.UploadOptions` of its
arguments and calls :func:`~pylmod.grades.upload.upload_csv` with a
progress display (:class:`~pylmod.cli.progress.SendProgress`) and reports
the outcome with :func:`~pylmod.cli.safe_upload.report_safe_upload` (the
report of :func:`~pylmod.cli.upload_report.report_upload` and the
snapshot), also
when the upload stops half way: when LMod cannot be reached, and on Ctrl-C or
SIGTERM, after which the summary and ``--report`` file say which grades
were confirmed (the batch in flight ``unconfirmed``, the later ones ``not
sent``) and the exit status is 130.  ``--resume REPORT`` reads such a
report and sends only what it does not show confirmed.
"""
import argparse
import csv
import json
import sys
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from pylmod.cli.clients import make_gradebook
from pylmod.cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError
from pylmod.cli.grade_file import check_text_file, in_cli_words
from pylmod.cli.output import add_report_option
from pylmod.cli.progress import SendProgress
from pylmod.cli.report_stream import (
    StreamedReport,
    new_report_path,
    resume_command,
)
from pylmod.cli.safe_upload import (
    add_safe_upload_arguments,
    assignment_settings,
    print_preview,
    report_safe_upload,
    upload_safeguards,
)
from pylmod.cli.values import count, delimiter, positive_count
from pylmod.exceptions import PyLmodCSVError, PyLmodNearMissAssignment
from pylmod.grades.answers import CONFIRMED
from pylmod.grades.batches import DEFAULT_BATCH_SIZE
from pylmod.grades.options import MAX_NEW_ASSIGNMENTS, UploadOptions
from pylmod.grades.preview import plan_upload
from pylmod.grades.report import ALREADY_CONFIRMED, UploadReport
from pylmod.grades.safeguards import Safeguards
from pylmod.grades.upload import upload_csv

#: The statuses of a report row that ``--resume`` does not send again.
RESUMED_STATUSES = (CONFIRMED, ALREADY_CONFIRMED)
#: What ``--resume`` reads of each row of a report.
REPORT_FIELDS = frozenset(('email', 'assignment', 'value', 'status'))


def upload_command(args: argparse.Namespace) -> int:
    """``pylmod upload CSV``: see the module."""
    columns = (args.max_points_column, args.normalize_column)
    if (columns[0] is None) != (columns[1] is None):
        raise CliError('--max-points-column and --normalize-column go '
                       'together: give both or neither', EXIT_USAGE)
    check_text_file(args.csv, args.encoding)
    resume_from = (None if args.resume is None
                   else confirmed_in_report(args.resume))
    if args.preview:
        return _preview(args, make_gradebook(args), columns)
    safeguards = upload_safeguards(args)
    options = UploadOptions(
        email_field=args.email_field, approve_grades=args.approve,
        use_max_points_column=columns[0] is not None,
        max_points_column=columns[0], normalize_column=columns[1],
        batch_size=args.batch_size, delimiter=args.delimiter,
        encoding=args.encoding, dry_run=args.dry_run,
        max_new_assignments=args.allow_new_assignments,
        resume_from=resume_from, safeguards=safeguards)
    gradebook = make_gradebook(args)
    report = UploadReport()
    stream = _report_stream(args, report)
    shown = None if args.quiet or args.dry_run else SendProgress()
    try:
        upload_csv(gradebook, args.csv, options, report=report,
                   progress=shown if stream is None
                   else stream.progress(shown))
    except KeyboardInterrupt as interrupt:
        _close(shown)
        _report_stopped(args, report, safeguards, stream,
                        str(interrupt) or 'interrupted')
        return EXIT_INTERRUPTED
    except PyLmodCSVError as err:
        raise _with_cli_advice(err) from err
    except Exception:
        _close(shown)
        if report.requests_sent or report.created_assignments:
            # Stopped half way: say which grades are stored, then fail.
            _report_stopped(args, report, safeguards, stream, 'stopped')
        elif stream is not None:
            stream.discard()
        raise
    _close(shown)
    if stream is not None:
        stream.discard()
    return report_safe_upload(args, report, safeguards)


def _preview(args: argparse.Namespace, gradebook: Any,
             columns: Tuple[Optional[str], Optional[str]]) -> int:
    """``pylmod upload --preview``: the plan, nothing sent."""
    try:
        plan = plan_upload(
            gradebook, args.csv, args.email_field, args.approve,
            max_points_column=columns[0], normalize_column=columns[1],
            delimiter=args.delimiter, encoding=args.encoding,
            confirm_new_assignments=frozenset(args.new_assignment),
            **assignment_settings(args))
    except PyLmodCSVError as err:
        raise _with_cli_advice(err) from err
    return print_preview(args, plan)


def _report_stream(args: argparse.Namespace,
                   report: UploadReport) -> Optional[StreamedReport]:
    """The report written while the grades are sent: the ``--report`` CSV
    file, else a new file in the per-user data directory (``None`` for a
    dry run, which sends nothing)."""
    if args.dry_run:
        return None
    if args.report and not args.report.endswith('.json'):
        return StreamedReport(args.report, report)
    return StreamedReport(new_report_path(args.csv), report, kept=False)


def _report_stopped(args: argparse.Namespace, report: UploadReport,
                    safeguards: Optional[Safeguards],
                    stream: Optional[StreamedReport], why: str) -> None:
    """Report an upload that stopped half way: where its report is and
    the command that sends the rest, first (a second Ctrl-C may come),
    then the summary and the whole report."""
    if stream is not None:
        stream.write_answered()
        stream.close()
        if not args.report:
            args.report = stream.path
    counts = report.status_counts()
    if args.report:
        sys.stderr.write(
            'pylmod: {0}: LMod confirmed {1} of {2} grades; the report {3} '
            'says what became of each. To send the others, run:\n'
            '  {4}\n'.format(why, counts[CONFIRMED], sum(counts.values()),
                             args.report,
                             resume_command(getattr(args, 'argv', None)
                                            or sys.argv[1:], args.report)))
    report_safe_upload(args, report, safeguards)
    if stream is not None and stream.path != args.report:
        stream.discard()


def _close(progress: Optional[SendProgress]) -> None:
    if progress is not None:
        progress.close()


def _with_cli_advice(err: PyLmodCSVError) -> CliError:
    """The error of a file that cannot be read, in the command's words
    (flags, not keyword arguments), with the flag that helps."""
    if isinstance(err, PyLmodNearMissAssignment):
        return CliError('{0} With pylmod upload: --new-assignment {1}.'.format(
            err, ' --new-assignment '.join(
                repr(name) for name in err.near_misses)), EXIT_USAGE)
    return CliError(in_cli_words(str(err)), EXIT_USAGE)


def confirmed_in_report(path: str) -> Dict[Tuple[str, str], float]:
    """Read a ``--report`` file of ``pylmod upload`` (CSV or JSON): the
    grades it shows confirmed, ``(email, assignment) -> value``.

    Raises:
        CliError: the file cannot be read, or is not such a report.
    """
    try:
        with open(path, newline='', encoding='utf-8') as report_file:
            if path.endswith('.json'):
                document = json.load(report_file)
                rows: Iterable[Any] = (document.get('rows', ())
                                       if isinstance(document, dict) else ())
            else:
                rows = list(csv.DictReader(report_file))
            return _confirmed_rows(rows, path)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as err:
        raise CliError('cannot read the report to resume from, {0}: '
                       '{1}'.format(path, err), EXIT_USAGE) from None


def _confirmed_rows(rows: Iterable[Any], path: str
                    ) -> Dict[Tuple[str, str], float]:
    confirmed: Dict[Tuple[str, str], float] = {}
    for row in rows:
        if not isinstance(row, Mapping) or not REPORT_FIELDS <= set(row):
            raise CliError('{0} is not a --report file of `pylmod upload` '
                           '(rows with {1})'.format(
                               path, ', '.join(sorted(REPORT_FIELDS))),
                           EXIT_USAGE)
        if row['status'] in RESUMED_STATUSES:
            confirmed[(str(row['email']).strip().lower(),
                       row['assignment'])] = float(row['value'])
    return confirmed


def add_upload_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``pylmod upload``."""
    parser.add_argument('csv', metavar='CSV',
                        help='the spreadsheet: one row per student, one '
                             'column per assignment')
    parser.add_argument('--email-field', metavar='COLUMN',
                        help="the column with the students' emails (default "
                             "'External email')")
    parser.add_argument('--approve', action='store_true',
                        help='send the grades as approved')
    parser.add_argument('--max-points-column', metavar='COLUMN',
                        help='column with the max points of a created '
                             'assignment (with --normalize-column)')
    parser.add_argument('--normalize-column', metavar='COLUMN',
                        help='column that is 0 when the max points column '
                             'applies')
    parser.add_argument('--dry-run', action='store_true',
                        help='read and check everything, create and send '
                             'nothing')
    parser.add_argument('--batch-size', type=positive_count,
                        default=DEFAULT_BATCH_SIZE, metavar='N',
                        help='grades per request (default %(default)s)')
    parser.add_argument('--delimiter', type=delimiter, metavar='CHAR',
                        help='CSV delimiter (default: guessed from the '
                             'header; "tab" for tabs)')
    parser.add_argument('--encoding', metavar='NAME',
                        help='the encoding of the file (default UTF-8), '
                             'e.g. cp1252 for a file an older Excel saved')
    parser.add_argument('--allow-new-assignments', type=count,
                        default=MAX_NEW_ASSIGNMENTS, metavar='N',
                        help='create at most N assignments the gradebook '
                             'lacks (default %(default)s); more is an error '
                             'that lists them and changes nothing')
    parser.add_argument('--resume', metavar='REPORT',
                        help='a --report file of an upload that stopped: '
                             'send only the grades it does not show '
                             'confirmed')
    add_safe_upload_arguments(parser)
    add_report_option(parser, 'the outcome of every row')
