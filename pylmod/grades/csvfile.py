"""Grade spreadsheets as files: encoding, delimiter, header, cells and lines.

This module only reads: it opens a grade file as a :class:`csv.DictReader`
(decoding it with :mod:`pylmod.grades.decoding`), finds the email column of
a header, and turns decoding and CSV syntax errors into a
:class:`~pylmod.exceptions.PyLmodCSVError` naming the file and the line.
What a cell is worth is :mod:`pylmod.grades.numbers`, what the header
names :mod:`pylmod.grades.header`, what the rows become
:mod:`pylmod.grades.rows`.
"""
from __future__ import annotations

import contextlib
import csv
import itertools
from typing import (
    Any,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from pylmod.exceptions import PyLmodCSVError, PyLmodMissingColumn
from pylmod.grades.decoding import (
    decode_error,
    decoded_text,
    file_name,
    is_binary,
    name_bad_line,
    reading_codec,
)

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
def open_grade_csv(csv_file: Any, delimiter: Optional[str] = None,
                   encoding: Optional[str] = None
                   ) -> Iterator[csv.DictReader]:
    """Yield a :class:`csv.DictReader` (excel dialect) over a grade file.

    A :class:`~pylmod.exceptions.PyLmodCSVError` raised in the ``with``
    block gets the file's name in front of its message; one for bytes that
    cannot be decoded names the line that holds them.

    Args:
        csv_file: a path, or an open file (anything with ``.read``): a text
            file as it is, a binary one (``io.BytesIO``, ``open(path,
            'rb')``) read whole and decoded.  A path is closed afterwards.
        delimiter: the delimiter; ``None`` guesses it from the header line
            (see :func:`guess_delimiter`).
        encoding: the encoding of a path or binary file: UTF-8 by default
            (a byte order mark is ignored), e.g. ``'cp1252'`` for a file
            saved by an older Excel.

    Raises:
        PyLmodCSVError: an unknown encoding, or bytes of a binary file that
            cannot be decoded.

    Example:

    .. code-block:: python

        with open_grade_csv('grades.csv') as rows:
            for row in rows:
                print(row['External email'])
    """
    codec = reading_codec(encoding)
    name = file_name(csv_file)
    with contextlib.ExitStack() as stack:
        text = csv_file
        rescan: Optional[Tuple[str, str]] = None
        if not hasattr(csv_file, 'read'):
            text = stack.enter_context(
                open(csv_file, newline='', encoding=codec))
            rescan = (name, codec) if name is not None else None
        elif is_binary(csv_file):
            try:
                text = decoded_text(csv_file, codec)
            except PyLmodCSVError as err:
                _prefix_name(err, name)
                raise
        elif name is not None and isinstance(
                getattr(csv_file, 'encoding', None), str):
            rescan = name, reading_codec(csv_file.encoding)
        try:
            yield _dict_reader(text, delimiter)
        except PyLmodCSVError as err:
            # The same exception, named better: it may carry the report of
            # the upload it stopped.
            if rescan is None or not name_bad_line(*rescan, err):
                _prefix_name(err, name)
            raise


def _dict_reader(text: Any, delimiter: Optional[str]) -> csv.DictReader:
    lines: Iterable[Any] = text
    if delimiter is None and hasattr(text, 'readline'):
        try:
            header_line = text.readline()
        except UnicodeDecodeError as err:
            raise decode_error(1, err) from err
        lines = itertools.chain([header_line], text)
        delimiter = guess_delimiter(header_line)
    if delimiter in (None, ','):
        return csv.DictReader(lines, dialect='excel')
    return csv.DictReader(lines, dialect='excel', delimiter=delimiter)


def _prefix_name(err: PyLmodCSVError, name: Optional[str]) -> None:
    if name is not None and not str(err).startswith(name + ': '):
        err.args = ('{0}: {1}'.format(name, err),)


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
        return decode_error(line_num + 1, err)
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
    except (UnicodeDecodeError, csv.Error) as err:
        raise csv_read_error(err, _line_number(rows, 1)) from err
    if not isinstance(columns, list):
        return None
    if columns and isinstance(columns[0], str):
        columns[0] = columns[0].lstrip('\ufeff')
    return columns
