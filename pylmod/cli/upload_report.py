"""The outcome of ``pylmod upload``: its counts, problems, report rows and
exit status, from the library's :class:`~pylmod.grades.UploadReport`.

:func:`upload_outcome` turns a report into the
:class:`~pylmod.cli.output.Outcome` that :func:`~pylmod.cli.output.finish`
prints; :func:`report_upload` and :func:`write_report` are the two calls a
command (or a script) needs.
"""
import argparse
import functools
from typing import Any, Dict, List, Optional

from pylmod.cli.output import (
    PROBLEMS_SHOWN,
    Outcome,
    finish,
    json_keys,
    write_report_file,
)
from pylmod.grades import (
    ALREADY_CONFIRMED,
    CONFIRMED,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    GradeOutcome,
    UploadReport,
)
from pylmod.grades.header import ROW_NOT_SENT
from pylmod.grades.report import UNCHANGED

#: Columns of the ``--report`` file of ``pylmod upload``, one row per grade,
#: skipped cell or unknown email.
REPORT_COLUMNS = ('line', 'email', 'assignment', 'value', 'status', 'message')

#: Counts of an upload a table shows even when they are 0.
UPLOAD_COUNTS_SHOWN = ('rows read', 'grades sent', 'confirmed', 'failed',
                       'unchanged (not sent)')
#: Counts of a dry run a table shows even when they are 0.
DRY_RUN_COUNTS_SHOWN = ('rows read', 'would send')
#: The counts of sending, which a dry run has not done.
SENDING_COUNTS = frozenset(('rows read', 'grades sent', 'confirmed',
                            'failed', 'unconfirmed', 'not sent', 'dry run',
                            'assignments created', 'requests'))


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


def grade_row(grade: GradeOutcome) -> Dict[str, Any]:
    """The report row (:data:`REPORT_COLUMNS`) of one grade."""
    return {'line': grade.line, 'email': grade.email,
            'assignment': grade.assignment,
            'value': grade.grade.get('numericGradeValue'),
            'status': grade.status, 'message': grade.message}


def report_rows(report: UploadReport) -> List[Dict[str, Any]]:
    """Return the outcome of every grade, cell that is not a number,
    unknown email and replaced value of an upload as rows of
    :data:`REPORT_COLUMNS`, in file order; each row has the email of its
    line."""
    rows: List[Dict[str, Any]] = [
        grade_row(grade)
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


def upload_outcome(report: UploadReport,
                   dry_run: Optional[bool] = None) -> Outcome:
    """Return the :class:`Outcome` of an upload: the :func:`report_rows`,
    the :func:`summarize` counts (a dry run's say what ``would send``),
    the assignments created, the problems (unknown emails, cells that are
    not numbers, grades not confirmed), :func:`upload_ok` and the
    :func:`upload_verdict`.

    Args:
        report: the report of the upload.
        dry_run: it was a dry run (default: it has grades of status
            ``dry run``).
    """
    counts = summarize(report)
    if dry_run is None:
        dry_run = bool(counts['dry run'])
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
        counts=dry_run_counts(counts) if dry_run else counts, ok=ok,
        columns=REPORT_COLUMNS,
        rows=functools.partial(report_rows, report),
        document=functools.partial(_upload_document, report, ok),
        problems=problems, notes=_upload_notes(report),
        shown_when_zero=(DRY_RUN_COUNTS_SHOWN if dry_run
                         else UPLOAD_COUNTS_SHOWN),
        report_holds='the outcome of every row',
        verdict=upload_verdict(report, counts, dry_run))


def dry_run_counts(counts: Dict[str, int]) -> Dict[str, int]:
    """The counts of a dry run: what it ``would send`` instead of what was
    sent, confirmed or failed (nothing)."""
    shown = {'rows read': counts['rows read'],
             'would send': counts['dry run']}
    shown.update((name, value) for name, value in counts.items()
                 if name not in SENDING_COUNTS)
    return shown


def _plural(number: int, one: str, many: str) -> str:
    return '{0} {1}'.format(number, one if number == 1 else many)


def upload_verdict(report: UploadReport, counts: Dict[str, int],
                   dry_run: bool) -> str:
    """The last line of an upload: what it did, and what kept it from
    going through, e.g. ``nothing sent; 85 grades would be sent; 1 cell is
    not a number``.

    Args:
        report: the report of the upload.
        counts: its :func:`summarize` counts.
        dry_run: it was a dry run.
    """
    bad = bad_cells(report)
    rows_not_sent = len({cell.line for cell in bad
                         if cell.reason.endswith(ROW_NOT_SENT)})
    cells = sum(1 for cell in bad if not cell.reason.endswith(ROW_NOT_SENT))
    problems = [text for number, text in (
        (counts['failed'], _plural(counts['failed'], 'grade failed',
                                   'grades failed')),
        (counts['unconfirmed'], _plural(counts['unconfirmed'],
                                        'grade unconfirmed',
                                        'grades unconfirmed')),
        (counts['not sent'], _plural(counts['not sent'], 'grade not sent',
                                     'grades not sent')),
        (cells, _plural(cells, 'cell is not a number',
                        'cells are not numbers')),
        (rows_not_sent, _plural(rows_not_sent, 'row has the wrong number of '
                                'cells', 'rows have the wrong number of '
                                'cells')),
        (counts['unknown emails'], _plural(
            counts['unknown emails'], 'email is no student of the gradebook',
            'emails are no students of the gradebook')),
    ) if number]
    if dry_run:
        said = ['nothing sent', _plural(counts['dry run'],
                                        'grade would be sent',
                                        'grades would be sent')]
    elif isinstance(report.error, KeyboardInterrupt):
        said = ['interrupted', '{0} of {1} confirmed by LMod'.format(
            counts['confirmed'], _plural(counts['grades sent']
                                         + counts['not sent'],
                                         'grade', 'grades'))]
    elif upload_ok(report):
        said = ['done', '{0} confirmed by LMod'.format(_plural(
            counts['confirmed'], 'grade', 'grades'))]
    else:
        said = ['not done' if report.error is None else 'stopped',
                '{0} of {1} confirmed by LMod'.format(
                    counts['confirmed'], _plural(
                        counts['grades sent'] + counts['not sent'],
                        'grade', 'grades'))]
    if counts['unchanged (not sent)']:
        said.insert(2, '{0} unchanged (not sent)'.format(
            counts['unchanged (not sent)']))
    if dry_run:
        return '; '.join(said + problems)
    return '{0}: {1}'.format(said[0], '; '.join(said[1:] + problems))


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
            'counts': json_keys(summarize(report)),
            'created_assignments': dict(report.created_assignments),
            'rows': report_rows(report)}


def write_report(path: str, report: UploadReport) -> None:
    """Write the per-row outcome of an upload: as CSV (columns
    :data:`REPORT_COLUMNS`: ``line, email, assignment, value, status,
    message``), or as JSON when ``path`` ends with ``.json`` (``ok``,
    ``error``, ``counts``, ``created_assignments`` and the same ``rows``).

    ``status`` is ``confirmed``, ``failed``, ``unconfirmed``, ``not sent``,
    ``unchanged`` (LMod held the value already: not sent), ``dry run``,
    ``skipped`` (a cell that is not a number), ``unknown email`` or
    ``replaced`` (a later row of the same student gave the grade).  Empty
    cells are not listed.

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
    return finish(args, upload_outcome(
        report, getattr(args, 'dry_run', None) or None))
