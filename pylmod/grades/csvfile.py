"""Grade spreadsheets as files: encoding, delimiter, header, cells and lines.

This module only reads: it opens a grade file as a :class:`csv.DictReader`,
finds the email column of a header, says what a cell is worth as a grade,
and turns decoding and CSV syntax errors into a
:class:`~pylmod.exceptions.PyLmodCSVError` naming the file and the line.
What the rows become is :mod:`pylmod.grades.rows`.
"""
from __future__ import annotations

import contextlib
import csv
import itertools
import math
import os
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from pylmod.exceptions import PyLmodCSVError, PyLmodMissingColumn

#: The column holding the student's email unless ``email_field`` is given.
DEFAULT_EMAIL_FIELD = 'External email'
#: The spelling of the PyLmod 0.2.0 documentation, used when the file has it
#: and not :data:`DEFAULT_EMAIL_FIELD`.
ALTERNATE_EMAIL_FIELD = 'External_email'
#: Columns that are never assignments.
NON_ASSIGNMENT_FIELDS = (
    'ID', 'Username', 'Full Name', 'edX email', 'External email')
#: The delimiters a grade file may use.
DELIMITERS = ',;\t'


def parse_grade(value: Any) -> Tuple[Optional[float], str]:
    """Return ``(number, '')`` for a grade cell, or ``(None, reason)``.

    Empty cells are skipped (never zero); ``nan`` and ``inf`` are rejected.

    Example:

    .. code-block:: python

        parse_grade(' 7.5 ')  # (7.5, '')
        parse_grade('')       # (None, 'empty')
        parse_grade('nan')    # (None, 'not a finite number')
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, 'empty'
        return None, 'not a number'
    if not math.isfinite(number):
        return None, 'not a finite number'
    return number, ''


def find_email_column(columns: Sequence[Any], email_field: str,
                      line: int) -> str:
    """Return the column of a header that holds the students' emails.

    That is ``email_field``; for :data:`DEFAULT_EMAIL_FIELD`, a header
    with :data:`ALTERNATE_EMAIL_FIELD` instead is read through that one.

    Args:
        columns: the header.
        email_field: the email column asked for.
        line: the line the header applies to, for the message.

    Raises:
        PyLmodMissingColumn: the header has no such column.
    """
    if email_field in columns:
        return email_field
    if (email_field == DEFAULT_EMAIL_FIELD
            and ALTERNATE_EMAIL_FIELD in columns):
        return ALTERNATE_EMAIL_FIELD
    raise PyLmodMissingColumn(
        'line {0}: no {1!r} column with the students\' emails; the '
        'columns are {2}. Pass email_field= to name the email column.'
        .format(line, email_field,
                ', '.join(repr(column) for column in columns)),
        email_field, columns)


def guess_delimiter(header_line: Any) -> str:
    """Return the delimiter of a header line, one of :data:`DELIMITERS`, as
    :class:`csv.Sniffer` finds it; ``,`` (the excel dialect) when it finds
    none (e.g. a single column)."""
    if not isinstance(header_line, str):
        return ','
    try:
        return csv.Sniffer().sniff(header_line, DELIMITERS).delimiter
    except csv.Error:
        return ','


@contextlib.contextmanager
def open_grade_csv(csv_file: Any, delimiter: Optional[str] = None
                   ) -> Iterator[csv.DictReader]:
    """Yield a :class:`csv.DictReader` (excel dialect) over a grade file.

    A :class:`~pylmod.exceptions.PyLmodCSVError` raised in the ``with``
    block gets the file's name in front of its message.

    Args:
        csv_file: a path, or an open text file (anything with ``.read``).
            A path is read as UTF-8, with or without a byte order mark, and
            closed afterwards.
        delimiter: the delimiter; ``None`` guesses it from the header line
            (see :func:`guess_delimiter`).

    Example:

    .. code-block:: python

        with open_grade_csv('grades.csv') as rows:
            for row in rows:
                print(row['External email'])
    """
    with contextlib.ExitStack() as stack:
        if hasattr(csv_file, 'read'):
            text = csv_file
        else:
            text = stack.enter_context(
                open(csv_file, newline='', encoding='utf-8-sig'))
        lines: Iterable[Any] = text
        options: Dict[str, Any] = {}
        try:
            if delimiter is None and hasattr(text, 'readline'):
                header_line = _read_header_line(text, csv_file)
                lines = itertools.chain([header_line], text)
                delimiter = guess_delimiter(header_line)
            if delimiter not in (None, ','):
                options['delimiter'] = delimiter
            try:
                yield csv.DictReader(lines, dialect='excel', **options)
            except PyLmodCSVError as err:
                # The same exception, named better: it may carry the
                # report of the upload it stopped.
                name = getattr(text, 'name', csv_file)
                if isinstance(name, str):
                    err.args = ('{0}: {1}'.format(name, err),)
                raise
        except PyLmodCSVError as err:
            if text is not csv_file:
                _name_undecodable_line(csv_file, err)
            raise


def _name_undecodable_line(path: Any, err: BaseException) -> None:
    """Make the message of a decoding error of the file at ``path`` name the
    line that holds the bad bytes: the text layer decodes whole blocks ahead
    of the CSV reader, so the line it was on is not that line."""
    cause: Optional[BaseException] = err
    while cause is not None and not isinstance(cause, UnicodeDecodeError):
        cause = cause.__cause__
    if cause is None:
        return
    with open(path, 'rb') as raw:
        # UTF-8 never uses the newline byte inside a character.
        for line_number, line in enumerate(raw, 1):
            try:
                line.decode('utf-8')
            except UnicodeDecodeError as line_error:
                err.args = ('{0}: line {1} is not valid UTF-8 ({2})'.format(
                    os.fspath(path), line_number, line_error),)
                return


def _read_header_line(text: Any, source: Any) -> Any:
    try:
        return text.readline()
    except UnicodeDecodeError as err:
        raise PyLmodCSVError('{0}: line 1 is not valid UTF-8 ({1})'.format(
            source, err)) from err


def numbered_rows(rows: Iterable[Mapping[str, Any]]
                  ) -> Iterator[Tuple[int, Mapping[str, Any]]]:
    """Yield ``(line, row)``; the header is line 1.

    A :class:`csv.DictReader` gives the physical line of each row (a quoted
    cell may span lines); other iterables count rows.  Decoding and CSV
    syntax errors become :class:`~pylmod.exceptions.PyLmodCSVError` naming
    the line.
    """
    iterator = iter(rows)
    counts_lines = isinstance(getattr(rows, 'line_num', None), int)
    position = 1
    while True:
        position += 1
        try:
            row = next(iterator)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as err:
            raise csv_read_error(err, _line_number(rows, position)) from err
        yield (rows.line_num if counts_lines else position), row  # type: ignore[attr-defined]


def csv_read_error(err: Exception, line_num: int) -> PyLmodCSVError:
    """The :class:`~pylmod.exceptions.PyLmodCSVError` for a decoding or CSV
    syntax error met after reading ``line_num`` lines (the reader's
    ``line_num``): a decoding error is on the next line, a syntax error on
    that one."""
    if isinstance(err, UnicodeDecodeError):
        return PyLmodCSVError('line {0} is not valid UTF-8 ({1})'.format(
            line_num + 1, err))
    return PyLmodCSVError('line {0}: {1}'.format(line_num, err))


def _line_number(rows: Any, position: int) -> int:
    # A csv.DictReader's own line_num is updated after a row is read, its
    # reader's as the row is: after an error, only the reader's is right.
    for source in (getattr(rows, 'reader', None), rows):
        line_num = getattr(source, 'line_num', None)
        if isinstance(line_num, int):
            return line_num
    return position


def header_columns(rows: Any) -> Optional[List[Any]]:
    """Return the header of a :class:`csv.DictReader` (``None`` for other
    iterables), with a byte order mark left on the first name removed."""
    try:
        columns = getattr(rows, 'fieldnames', None)
    except UnicodeDecodeError as err:
        raise PyLmodCSVError('line 1 is not valid UTF-8 ({0})'.format(
            err)) from err
    if not isinstance(columns, list):
        return None
    if columns and isinstance(columns[0], str):
        columns[0] = columns[0].lstrip('\ufeff')
    return columns
