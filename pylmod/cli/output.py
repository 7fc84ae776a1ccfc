"""What the ``pylmod`` command prints: tables, CSV, JSON, progress, and the
outcome of a grade upload.

Results go to stdout in the ``--format`` asked for; progress, warnings and
errors go to stderr, so ``pylmod --format csv students > students.csv`` holds
only the data.
"""
import argparse
import csv
import json
import sys
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    TextIO,
)

from pylmod.cli.options import EXIT_FAILURE, EXIT_OK
from pylmod.upload import (
    CONFIRMED,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    UNCONFIRMED,
    UploadReport,
)

#: Problems of each kind listed on stderr after an upload (the rest are
#: counted, and all are in the ``--report`` file).
PROBLEMS_SHOWN = 10

#: Columns of the ``--report`` file, one row per grade, skipped cell or
#: unknown email.
REPORT_COLUMNS = ('line', 'email', 'assignment', 'value', 'status', 'message')

#: Without a progress bar, a line on stderr every this many lines read.
PROGRESS_EVERY = 10000


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
        ``unconfirmed``, ``not sent``, ``dry run``, ``unknown emails``,
        ``skipped cells`` (not numbers), ``empty cells``, ``replaced by a
        later row``, ``assignments created``, ``requests``.

    Example:

    .. code-block:: python

        summarize(report)['confirmed']  # 1200
    """
    counts = report.summary()
    bad = len(bad_cells(report))
    return {
        'rows read': report.rows_read,
        'grades sent': (counts[CONFIRMED] + counts[FAILED]
                        + counts[UNCONFIRMED]),
        'confirmed': counts[CONFIRMED],
        'failed': counts[FAILED],
        'unconfirmed': counts[UNCONFIRMED],
        'not sent': counts[NOT_SENT],
        'dry run': counts[DRY_RUN],
        'unknown emails': counts['unknown emails'],
        'skipped cells': bad,
        'empty cells': len(report.skipped_cells) - bad,
        'replaced by a later row': counts['duplicates'],
        'assignments created': counts['assignments created'],
        'requests': report.requests_sent,
    }


def report_rows(report: UploadReport) -> List[Dict[str, Any]]:
    """Return the outcome of every grade, cell that is not a number and
    unknown email of an upload as rows of :data:`REPORT_COLUMNS`, in file
    order."""
    rows: List[Dict[str, Any]] = []
    for grade in report.grades:
        rows.append({'line': grade.line, 'email': grade.email,
                     'assignment': grade.assignment,
                     'value': grade.grade.get('numericGradeValue'),
                     'status': grade.status, 'message': grade.message})
    for cell in bad_cells(report):
        rows.append({'line': cell.line, 'email': '',
                     'assignment': cell.column, 'value': cell.value,
                     'status': 'skipped', 'message': cell.reason})
    for line, email in report.unknown_emails:
        rows.append({'line': line, 'email': email, 'assignment': '',
                     'value': '', 'status': 'unknown email',
                     'message': 'no student of the gradebook has this email'})
    for line, earlier_line, column in report.duplicates:
        rows.append({'line': earlier_line, 'email': '', 'assignment': column,
                     'value': '', 'status': 'replaced',
                     'message': 'replaced by line {0}'.format(line)})
    rows.sort(key=lambda row: (row['line'], str(row['assignment'])))
    return rows


def write_report(path: str, report: UploadReport) -> None:
    """Write the per-row outcome of an upload as CSV (columns
    :data:`REPORT_COLUMNS`: ``line, email, assignment, value, status,
    message``).

    ``status`` is ``confirmed``, ``failed``, ``unconfirmed``, ``not sent``,
    ``dry run``, ``skipped`` (a cell that is not a number), ``unknown
    email`` or ``replaced`` (a later row of the same student gave the
    grade).  Empty cells are not listed.

    Args:
        path: the CSV file to write.
        report: the report of the upload.
    """
    with open(path, 'w', newline='', encoding='utf-8') as report_file:
        writer = csv.DictWriter(report_file, fieldnames=REPORT_COLUMNS,
                                lineterminator='\n')
        writer.writeheader()
        for row in report_rows(report):
            writer.writerow({key: _cell_text(value)
                             for key, value in row.items()})


def upload_exit_status(report: UploadReport) -> int:
    """Return 1 if a grade was not confirmed (failed, unconfirmed, not
    sent) or a cell was not a number, else 0.  Unknown emails and empty
    cells are reported but do not fail the upload."""
    if report.ok and not bad_cells(report) and report.error is None:
        return EXIT_OK
    return EXIT_FAILURE


def _print_problems(report: UploadReport, stream: TextIO) -> None:
    problems = [
        ['line {0}: {1!r} is no student of the gradebook; row '
         'skipped'.format(line, email)
         for line, email in report.unknown_emails],
        ['line {0}, column {1!r}: {2!r} is {3}; cell skipped'.format(
            cell.line, cell.column, cell.value, cell.reason)
         for cell in bad_cells(report)],
        ['line {0}, column {1!r} ({2}): {3}: {4}'.format(
            grade.line, grade.assignment, grade.email, grade.status,
            grade.message)
         for grade in report.grades
         if grade.status not in (CONFIRMED, DRY_RUN)],
    ]
    for lines in problems:
        for line in lines[:PROBLEMS_SHOWN]:
            stream.write('pylmod: ' + line + '\n')
        if len(lines) > PROBLEMS_SHOWN:
            stream.write('pylmod: ... and {0} more like this (see '
                         '--report FILE)\n'.format(
                             len(lines) - PROBLEMS_SHOWN))


def report_upload(args: argparse.Namespace, report: UploadReport) -> int:
    """Report an upload the way ``pylmod upload`` does, and return its exit
    status.

    Assignments created and problems (unknown emails, cells that are not
    numbers, grades not confirmed) go to stderr, the first
    :data:`PROBLEMS_SHOWN` of each kind; the :func:`summarize` counts go
    to stdout in ``args.format``; when ``args.report`` is set,
    :func:`write_report` writes the per-row CSV.

    Args:
        args: the parsed arguments (``format``, optional ``report``).
        report: the report of the upload.

    Returns:
        int: :func:`upload_exit_status` of the report.
    """
    for name, assignment_id in report.created_assignments.items():
        if assignment_id is None:
            sys.stderr.write('pylmod: dry run: would create assignment '
                             '{0!r}\n'.format(name))
        else:
            sys.stderr.write('pylmod: created assignment {0!r} (id '
                             '{1})\n'.format(name, assignment_id))
    _print_problems(report, sys.stderr)
    report_path = getattr(args, 'report', None)
    if report_path:
        write_report(report_path, report)
    summary = summarize(report)
    if getattr(args, 'format', None) != 'json':
        # Zero counts of outcomes that did not happen are noise in a table.
        summary = {name: value for name, value in summary.items()
                   if value or name in ('rows read', 'grades sent',
                                        'confirmed', 'failed')}
    print_mapping(args, summary)
    if report_path:
        sys.stderr.write('pylmod: wrote the outcome of every row to '
                         '{0}\n'.format(report_path))
    return upload_exit_status(report)


class ProgressFile:
    """A text file whose lines are counted as they are read, for a grade
    upload: a ``tqdm`` bar on stderr when it is a terminal and ``tqdm`` is
    installed (``pip install pylmod[cli]``), else a line on stderr every
    :data:`PROGRESS_EVERY` lines and at the end.

    It is what :func:`pylmod.upload.open_grade_csv` needs (``read``,
    ``readline``, iteration, ``name``).

    Args:
        path: the CSV file, read as UTF-8 (with or without a byte order
            mark), like the library does.
        stream: where progress goes (default stderr).
    """

    def __init__(self, path: str, stream: Optional[TextIO] = None) -> None:
        self.name = path
        self._stream = sys.stderr if stream is None else stream
        self._file = open(path, newline='', encoding='utf-8-sig')
        self.lines_read = 0
        self._bar = self._progress_bar(path)

    def _progress_bar(self, path: str) -> Any:
        if not self._stream.isatty():
            return None
        try:
            from tqdm import tqdm
        except ImportError:
            return None
        with open(path, 'rb') as raw:
            total = sum(1 for _ in raw)
        return tqdm(total=total, unit=' lines', desc='reading ' + path,
                    file=self._stream, leave=False)

    def _count(self, line: str) -> str:
        if not line:
            self.close_progress()
            return line
        self.lines_read += 1
        if self._bar is not None:
            self._bar.update(1)
        elif self.lines_read % PROGRESS_EVERY == 0:
            self._stream.write('pylmod: read {0} lines\n'.format(
                self.lines_read))
        return line

    def read(self, size: int = -1) -> str:
        """Read the rest (not counted; the library reads line by line)."""
        return self._file.read(size)

    def readline(self) -> str:
        """Read and count one line."""
        return self._count(self._file.readline())

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close_progress(self) -> None:
        """End the progress display (once), saying how many lines were read."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._stream is None:
            return
        self._stream.write('pylmod: read {0} lines of {1}\n'.format(
            self.lines_read, self.name))
        self._stream = None  # type: ignore[assignment]

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> 'ProgressFile':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

