"""What the ``pylmod`` command prints: tables, CSV, JSON, and the outcome
of a command that sends records.

Results go to stdout in the ``--format`` asked for; progress, warnings and
errors go to stderr, so ``pylmod --format csv students > students.csv`` holds
only the data.

``pylmod upload`` and ``pylmod openedx push-grades|sync-roster`` end the
same way: each turns its library report into an :class:`Outcome` (report
rows, counts, problem lines, ok or not), and :func:`finish` prints the
problems, writes the ``--report`` file and chooses the exit status.
"""
import argparse
import csv
import functools
import json
import os
import sys
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Collection,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    TextIO,
)

from pylmod.cli.options import EXIT_FAILURE, EXIT_OK
from pylmod.grades import (
    ALREADY_CONFIRMED,
    CONFIRMED,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    UploadReport,
)
from pylmod.grades.header import ROW_NOT_SENT
from pylmod.grades.report import UNCHANGED

#: Problems of each kind listed on stderr (the rest are counted, and all
#: are in the ``--report`` file).
PROBLEMS_SHOWN = 10

#: Columns of the ``--report`` file of ``pylmod upload``, one row per grade,
#: skipped cell or unknown email.
REPORT_COLUMNS = ('line', 'email', 'assignment', 'value', 'status', 'message')

#: Counts of an upload a table shows even when they are 0.
UPLOAD_COUNTS_SHOWN = ('rows read', 'grades sent', 'confirmed', 'failed',
                       'unchanged (not sent)')


def _cell_text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def print_rows(args: argparse.Namespace, rows: Sequence[Mapping[str, Any]],
               columns: Sequence[str],
               stream: Optional[TextIO] = None) -> None:
    """Print rows in the format of ``args.format``.

    ``table`` and ``csv`` show the given columns; ``json`` prints the rows
    whole, as the library returned them (every field), for scripts.

    Args:
        args: the parsed arguments (``args.format``).
        rows: dictionaries, e.g. from ``GradeBook.get_students()``.
        columns: the keys to show in a table or CSV.
        stream: where to print (default stdout).

    Example:

    .. code-block:: python

        print_rows(args, gradebook.get_assignments(),
                   ['assignmentId', 'name', 'maxPointsTotal'])
    """
    stream = sys.stdout if stream is None else stream
    output_format = getattr(args, 'format', None) or 'table'
    if output_format == 'json':
        json.dump(list(rows), stream, indent=2, default=str,
                  ensure_ascii=False)
        stream.write('\n')
    elif output_format == 'csv':
        writer = csv.writer(stream, lineterminator='\n')
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell_text(row.get(column))
                             for column in columns])
    else:
        _print_table(stream, [list(columns)] + [
            [_cell_text(row.get(column)) for column in columns]
            for row in rows])


def print_mapping(args: argparse.Namespace, mapping: Mapping[str, Any],
                  stream: Optional[TextIO] = None) -> None:
    """Print one record (name -> value) in the format of ``args.format``:
    a two-column table or CSV, or a JSON object."""
    stream = sys.stdout if stream is None else stream
    if getattr(args, 'format', None) == 'json':
        json.dump(dict(mapping), stream, indent=2, default=str,
                  ensure_ascii=False)
        stream.write('\n')
        return
    print_rows(args, [{'name': name, 'value': value}
                      for name, value in mapping.items()],
               ['name', 'value'], stream)


def _print_table(stream: TextIO, lines: List[List[str]]) -> None:
    widths = [max(len(line[index]) for line in lines)
              for index in range(len(lines[0]))]
    for number, line in enumerate(lines):
        stream.write('  '.join(cell.ljust(width) for cell, width
                               in zip(line, widths)).rstrip() + '\n')
        if number == 0:
            stream.write('  '.join('-' * width for width in widths) + '\n')


# -- the outcome of a command that sends records --------------------------

def exit_status(ok: bool) -> int:
    """Return the exit status of a command that sends records:
    :data:`~pylmod.cli.options.EXIT_OK` (0) when everything went through,
    else :data:`~pylmod.cli.options.EXIT_FAILURE` (1)."""
    return EXIT_OK if ok else EXIT_FAILURE


@dataclass
class Outcome:
    """What a command that sends records reports, in one shape for all of
    them (``pylmod upload``, ``pylmod openedx push-grades|sync-roster``).

    Attributes:
        counts: the summary, name -> value, in the order printed.
        ok: every record went through or was skipped on purpose; decides
            the exit status (:func:`exit_status`).
        columns: the columns of the ``--report`` CSV file (and of a plan).
        rows: returns one dict per record, in the order of the report file
            (called only when a report is written: an upload may have
            hundreds of thousands).
        document: returns what a report file named ``*.json`` holds.
        problems: lines for stderr, one list per kind of problem; the
            first :data:`PROBLEMS_SHOWN` of each kind are printed.
        notes: lines for stderr before the problems (what was created).
        shown_when_zero: counts a table or CSV shows even when they are 0
            (other zero counts are noise there; JSON has them all).
        report_holds: what the report file holds, for the line saying it
            was written.
        plan: what a dry run would send: printed on stdout (in
            ``--format``, the report columns) instead of the counts, which
            then go to stderr.
    """

    counts: Dict[str, Any]
    ok: bool
    columns: Sequence[str]
    rows: Callable[[], Sequence[Mapping[str, Any]]]
    document: Callable[[], Any]
    problems: Sequence[Sequence[str]] = ()
    notes: Sequence[str] = ()
    shown_when_zero: Collection[str] = ()
    report_holds: str = 'every record'
    plan: Optional[Sequence[Mapping[str, Any]]] = None


def add_report_option(parser: Any, holds: str) -> None:
    """Add ``--report FILE`` (read by :func:`finish`) to a command.

    Args:
        parser: the command's parser (or an argument group).
        holds: what the file holds, e.g. ``'every record and its outcome'``.
    """
    parser.add_argument('--report', metavar='FILE',
                        help='write {0} to FILE (CSV; JSON when FILE ends '
                             'with .json)'.format(holds))


def print_problems(problems: Sequence[Sequence[str]],
                   stream: Optional[TextIO] = None) -> None:
    """Print problem lines on stderr (or ``stream``): the first
    :data:`PROBLEMS_SHOWN` of each kind, then how many more there are."""
    stream = sys.stderr if stream is None else stream
    for lines in problems:
        for line in lines[:PROBLEMS_SHOWN]:
            stream.write('pylmod: ' + line + '\n')
        if len(lines) > PROBLEMS_SHOWN:
            stream.write('pylmod: ... and {0} more like this (see '
                         '--report FILE)\n'.format(
                             len(lines) - PROBLEMS_SHOWN))


def write_report_file(path: str, outcome: Outcome) -> None:
    """Write the ``--report`` file: :attr:`Outcome.document` as JSON when
    the name ends with ``.json``, else :attr:`Outcome.rows` as CSV with
    the :attr:`Outcome.columns` (empty for ``None``)."""
    with open(path, 'w', newline='', encoding='utf-8') as report_file:
        if path.endswith('.json'):
            json.dump(outcome.document(), report_file, indent=2, default=str)
            report_file.write('\n')
            return
        writer = csv.writer(report_file, lineterminator='\n')
        writer.writerow(outcome.columns)
        for row in outcome.rows():
            writer.writerow([_cell_text(row.get(column))
                             for column in outcome.columns])


def finish(args: argparse.Namespace, outcome: Outcome) -> int:
    """Report the outcome of a command that sends records, and return its
    exit status.

    The notes and problems go to stderr; the report file is written when
    ``args.report`` is set; the counts go to stdout in ``args.format``
    (or, for a dry run with a plan, the plan goes to stdout and the counts
    to stderr).

    Args:
        args: the parsed arguments (``format``, optional ``report``).
        outcome: what the command did.

    Returns:
        int: :func:`exit_status` of :attr:`Outcome.ok`.
    """
    for note in outcome.notes:
        sys.stderr.write('pylmod: ' + note + '\n')
    print_problems(outcome.problems)
    report_path = getattr(args, 'report', None)
    if report_path:
        write_report_file(report_path, outcome)
    counts = _shown_counts(args, outcome)
    try:
        if outcome.plan is None:
            print_mapping(args, counts)
        else:
            print_rows(args, outcome.plan, outcome.columns)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader of the counts went away; the exit status still says
        # what the command did.
        silence_stdout()
    if outcome.plan is not None:
        sys.stderr.write('pylmod: dry run, nothing sent: {0}\n'.format(
            ', '.join('{0} {1}'.format(value, name)
                      for name, value in counts.items()
                      if isinstance(value, int))))
    if report_path:
        sys.stderr.write('pylmod: wrote {0} to {1}\n'.format(
            outcome.report_holds, report_path))
    return exit_status(outcome.ok)


def silence_stdout() -> None:
    """Send what is left for stdout to nowhere: its reader went away
    (``pylmod students | head``), and Python would complain at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _shown_counts(args: argparse.Namespace,
                  outcome: Outcome) -> Dict[str, Any]:
    if getattr(args, 'format', None) == 'json':
        return outcome.counts
    # Zero counts of outcomes that did not happen are noise in a table.
    return {name: value for name, value in outcome.counts.items()
            if value or name in outcome.shown_when_zero}


# -- pylmod upload ----------------------------------------------------------

def bad_cells(report: UploadReport) -> list:
    """Return the skipped cells that held something (not empty): values
    that are not numbers, or cells beyond the header."""
    return [cell for cell in report.skipped_cells if cell.reason != 'empty']


def summarize(report: UploadReport) -> Dict[str, int]:
    """Return the counts of an upload, in the order they are printed.

    Args:
        report: the report filled by ``spreadsheet2gradebook(report=...)``.

    Returns:
        dict: ``rows read``, ``grades sent``, ``confirmed``, ``failed``,
        ``unconfirmed``, ``not sent``, ``unchanged (not sent)`` (LMod held
        them already), ``dry run``, ``already confirmed``
        (by the upload resumed), ``unknown emails``, ``skipped cells``
        (not numbers, or in rows not sent), ``empty cells``, ``replaced by
        a later row``, ``assignments created``, ``assignments to create``
        (a dry run's), ``requests``.

    Example:

    .. code-block:: python

        summarize(report)['confirmed']  # 1200
    """
    counts = report.summary()
    bad = len(bad_cells(report))
    created = list(report.created_assignments.values())
    return {
        'rows read': report.rows_read,
        'grades sent': (counts[CONFIRMED] + counts[FAILED]
                        + counts[UNCONFIRMED]),
        'confirmed': counts[CONFIRMED],
        'failed': counts[FAILED],
        'unconfirmed': counts[UNCONFIRMED],
        'not sent': counts[NOT_SENT],
        'unchanged (not sent)': counts.get(UNCHANGED, 0),
        'dry run': counts[DRY_RUN],
        ALREADY_CONFIRMED: counts[ALREADY_CONFIRMED],
        'unknown emails': counts['unknown emails'],
        'skipped cells': bad,
        'empty cells': len(report.skipped_cells) - bad,
        'replaced by a later row': counts['duplicates'],
        'assignments created': len(created) - created.count(None),
        'assignments to create': created.count(None),
        'requests': report.requests_sent,
    }


def report_rows(report: UploadReport) -> List[Dict[str, Any]]:
    """Return the outcome of every grade, cell that is not a number,
    unknown email and replaced value of an upload as rows of
    :data:`REPORT_COLUMNS`, in file order; each row has the email of its
    line."""
    rows: List[Dict[str, Any]] = [
        {'line': grade.line, 'email': grade.email,
         'assignment': grade.assignment,
         'value': grade.grade.get('numericGradeValue'),
         'status': grade.status, 'message': grade.message}
        for grade in report.already_confirmed + report.grades]
    for cell in bad_cells(report):
        rows.append({'line': cell.line, 'email': cell.email,
                     'assignment': cell.column, 'value': cell.value,
                     'status': 'skipped', 'message': cell.reason})
    for line, email in report.unknown_emails:
        rows.append({'line': line, 'email': email, 'assignment': '',
                     'value': '', 'status': 'unknown email',
                     'message': 'no student of the gradebook has this email'})
    email_of_line = {row['line']: row['email'] for row in rows}
    for line, earlier_line, column in report.duplicates:
        rows.append({'line': earlier_line,
                     'email': email_of_line.get(line, ''),
                     'assignment': column, 'value': '', 'status': 'replaced',
                     'message': 'replaced by line {0}'.format(line)})
    rows.sort(key=lambda row: (row['line'], str(row['assignment'])))
    return rows


def upload_ok(report: UploadReport) -> bool:
    """Return whether an upload went through: every grade confirmed by LMod
    (or a dry run), every cell a number, nothing stopped it.  A grade
    ``failed``, ``unconfirmed`` or ``not sent`` makes it fail (exit status
    1).  Unknown emails and empty cells are reported but do not fail the
    upload."""
    counts = report.status_counts()
    not_confirmed = (sum(counts.values()) - counts[CONFIRMED]
                     - counts[DRY_RUN] - counts.get(UNCHANGED, 0))
    return (not not_confirmed and not bad_cells(report)
            and report.error is None)


def upload_outcome(report: UploadReport) -> Outcome:
    """Return the :class:`Outcome` of an upload: the :func:`report_rows`,
    the :func:`summarize` counts, the assignments created, the problems
    (unknown emails, cells that are not numbers, grades not confirmed) and
    :func:`upload_ok`.
    """
    bad = bad_cells(report)
    problems = [
        ['line {0}: {1!r} is no student of the gradebook; row '
         'skipped'.format(line, email)
         for line, email in report.unknown_emails],
        _rows_not_sent(bad),
        ['line {0}, column {1!r}: {2!r} is {3}; cell skipped'.format(
            cell.line, cell.column, cell.value, cell.reason)
         for cell in bad if not cell.reason.endswith(ROW_NOT_SENT)],
        ['line {0}, column {1!r}: replaces the value of line {2} (same '
         'student)'.format(line, column, earlier_line)
         for line, earlier_line, column in report.duplicates],
        ['line {0}, column {1!r} ({2}): {3}: {4}'.format(
            grade.line, grade.assignment, grade.email, grade.status,
            grade.message)
         for grade in report.grades
         if grade.status not in (CONFIRMED, DRY_RUN, UNCHANGED)],
    ]
    ok = upload_ok(report)
    return Outcome(
        counts=summarize(report), ok=ok, columns=REPORT_COLUMNS,
        rows=functools.partial(report_rows, report),
        document=functools.partial(_upload_document, report, ok),
        problems=problems, notes=_upload_notes(report),
        shown_when_zero=UPLOAD_COUNTS_SHOWN,
        report_holds='the outcome of every row')


def _upload_notes(report: UploadReport) -> List[str]:
    """What an upload created (or would), left alone or did not resend."""
    notes = [
        'dry run: would create assignment {0!r}'.format(name)
        if assignment_id is None else
        'created assignment {0!r} (id {1})'.format(name, assignment_id)
        for name, assignment_id in report.created_assignments.items()]
    empty = report.columns_without_grades
    if empty:
        notes.append(
            '{0} columns name no assignment of the gradebook and hold no '
            'grade, so no assignment was created for them: {1}{2}'.format(
                len(empty), ', '.join(repr(name) for name in
                                      empty[:PROBLEMS_SHOWN]),
                ' and {0} more'.format(len(empty) - PROBLEMS_SHOWN)
                if len(empty) > PROBLEMS_SHOWN else ''))
    if report.already_confirmed:
        notes.append('not sent again: {0} grades the resumed report shows '
                     'confirmed'.format(len(report.already_confirmed)))
    return notes


def _rows_not_sent(bad: List[Any]) -> List[str]:
    """One line per row not sent (its cells share the reason)."""
    lines: Dict[int, str] = {}
    for cell in bad:
        if cell.reason.endswith(ROW_NOT_SENT) and cell.line not in lines:
            lines[cell.line] = (
                'line {0} ({1}): {2} (a delimiter inside a cell shifts the '
                'cells after it: quote that cell)'.format(
                    cell.line, cell.email, cell.reason))
    return list(lines.values())


def _upload_document(report: UploadReport, ok: bool) -> Dict[str, Any]:
    """The JSON report of an upload: ``ok``, ``error``, ``counts``,
    ``created_assignments`` and ``rows``."""
    return {'ok': ok,
            'error': None if report.error is None else str(report.error),
            'counts': summarize(report),
            'created_assignments': dict(report.created_assignments),
            'rows': report_rows(report)}


def write_report(path: str, report: UploadReport) -> None:
    """Write the per-row outcome of an upload: as CSV (columns
    :data:`REPORT_COLUMNS`: ``line, email, assignment, value, status,
    message``), or as JSON when ``path`` ends with ``.json`` (``ok``,
    ``error``, ``counts``, ``created_assignments`` and the same ``rows``).

    ``status`` is ``confirmed``, ``failed``, ``unconfirmed``, ``not sent``,
    ``dry run``, ``skipped`` (a cell that is not a number), ``unknown
    email`` or ``replaced`` (a later row of the same student gave the
    grade).  Empty cells are not listed.

    Args:
        path: the file to write.
        report: the report of the upload.
    """
    write_report_file(path, upload_outcome(report))


def report_upload(args: argparse.Namespace, report: UploadReport) -> int:
    """Report an upload the way ``pylmod upload`` does, and return its exit
    status.

    Assignments created and problems (unknown emails, cells that are not
    numbers, grades not confirmed) go to stderr, the first
    :data:`PROBLEMS_SHOWN` of each kind; the :func:`summarize` counts go
    to stdout in ``args.format``; when ``args.report`` is set,
    :func:`write_report` writes the per-row report.

    Args:
        args: the parsed arguments (``format``, optional ``report``).
        report: the report of the upload.

    Returns:
        int: 0 when the upload went through (:func:`upload_ok`), else 1.
    """
    return finish(args, upload_outcome(report))
