"""Reading the rows of a grade spreadsheet into the grade ledger.

Every row takes one path: it becomes a list of cells in header order (a
plain :class:`csv.DictReader` is read through its own reader, which gives
lists; rows given as dictionaries are turned into lists by their keys), and
:meth:`RowReader.add_row` turns the cells of a known student into
``multiGrades`` entries, reporting what it skips on the way.

A row whose cell count is not the header's is not sent at all: a comma in
a name shifts the values after it, and the row cannot say which are which.
Rows given as dictionaries say it as a :class:`csv.DictReader` does: their
surplus cells under the key ``None`` (its ``restkey``).  A
:class:`csv.DictReader` given as such also says a cell is missing with the
value ``None`` (its ``restval``); in other rows given as dictionaries,
``None`` is an empty cell, as PyLmod 1.0.x callers write one.
"""
from __future__ import annotations

import csv
import logging
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

from pylmod.grades.answers import ASSIGNMENT_GRADE_MODE
from pylmod.grades.csvfile import (
    csv_read_error,
    find_email_column,
    header_columns,
    numbered_rows,
)
from pylmod.grades.header import (
    UNNAMED_COLUMN,
    RowLayout,
    check_header,
    is_blank,
)
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.numbers import parse_grade
from pylmod.grades.report import SkippedCell, UploadReport
from pylmod.grades.resume import ConfirmedGrades, drop_confirmed

log = logging.getLogger(__name__)

#: Resolves an assignment column to its ``assignmentId`` (or a
#: :class:`~pylmod.grades.assignments.PendingAssignment`), given the row
#: (as a dictionary) that first needs it.
AssignmentResolver = Callable[[str, Mapping[str, Any]], Any]
#: The most cell texts whose number :class:`RowReader` keeps.
NUMBERS_KEPT = 10000


class RowReader:
    """Reads rows into a :class:`~pylmod.grades.ledger.GradeLedger` and an
    :class:`~pylmod.grades.report.UploadReport`.

    Args:
        ledger: where the grades go.
        report: where skipped cells, unknown emails, duplicates and
            ``rows_read`` go.
        student_by_email: the students by lower-cased email.
        email_field: the email column (see
            :func:`~pylmod.grades.csvfile.find_email_column`).
        excluded_fields: columns that are not assignments.
        approve_grades: ``isGradeApproved`` of the grades.
        resolver: gives the ``assignmentId`` of a column, from the first
            row of a known student that has it (as PyLmod 1.0.x did).
        confirmed_before: grades not to send again, with their value (a
            resumed upload, see :mod:`pylmod.grades.resume`).
    """

    def __init__(self, ledger: GradeLedger, report: UploadReport,
                 student_by_email: Mapping[str, Mapping[str, Any]],
                 email_field: str, excluded_fields: Iterable[str],
                 approve_grades: bool, resolver: AssignmentResolver,
                 confirmed_before: Optional[ConfirmedGrades] = None) -> None:
        self.ledger = ledger
        self.report = report
        self.student_by_email = student_by_email
        self.email_field = email_field
        self.excluded_fields: Set[str] = set(excluded_fields) | {email_field}
        self.approve_grades = approve_grades
        self.resolver = resolver
        self.confirmed_before = confirmed_before or {}
        #: Read one comma between digits as a decimal point (see
        #: :mod:`pylmod.grades.numbers`): in files not delimited by commas.
        self.decimal_comma = False
        #: The numbers of the cell texts read so far (grades repeat: a
        #: lookup costs less than reading the number again).
        self.numbers: Dict[str, float] = {}

    def read(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Read every row; ``report.rows_read`` counts them, also when an
        error stops the reading.

        Raises:
            PyLmodMissingColumn: a header has no email column.
            PyLmodCSVError: a line cannot be decoded or parsed, or the
                header is not one (see
                :func:`~pylmod.grades.header.check_header`).
        """
        header = header_columns(rows)
        dialect = getattr(getattr(rows, 'reader', None), 'dialect', None)
        self.decimal_comma = getattr(dialect, 'delimiter', ',') != ','
        if header is not None:
            check_header(header)
            self._use_email_column(header, 1)
        if header is not None and type(rows) is csv.DictReader:
            self._read_lists(rows, header)
        else:
            self._read_mappings(
                rows, getattr(rows, 'restkey', None),
                isinstance(rows, csv.DictReader) and rows.restval is None)

    def _use_email_column(self, columns: List[Any], line: int) -> None:
        self.email_field = find_email_column(columns, self.email_field, line)
        self.excluded_fields.add(self.email_field)

    def _read_lists(self, rows: Any, header: List[Any]) -> None:
        """Read the rows of a plain :class:`csv.DictReader` as lists, from
        its own reader: what the DictReader would give, without a
        dictionary per row."""
        reader = rows.reader
        layout = RowLayout(header, self.email_field, self.excluded_fields)
        width = layout.width
        add_row = self.add_row
        lines = iter(reader)
        rows_read = 0
        try:
            while True:
                try:
                    cells = next(lines)
                except StopIteration:
                    return
                except (UnicodeDecodeError, csv.Error) as err:
                    raise csv_read_error(err, reader.line_num) from err
                wrong_width = None
                if len(cells) != width:
                    if not cells:
                        continue  # a blank line: csv.DictReader skips it too
                    wrong_width = layout.wrong_width(len(cells))
                rows_read += 1
                add_row(reader.line_num, cells, layout, wrong_width)
        finally:
            rows.line_num = reader.line_num  # as iterating it would
            self.report.rows_read += rows_read

    def _read_mappings(self, rows: Iterable[Mapping[str, Any]],
                       surplus_key: Any, none_is_missing: bool) -> None:
        """Read rows given as mappings as lists, in the order of their keys
        (the key ``surplus_key`` holds surplus cells; with
        ``none_is_missing``, the value ``None`` is a missing cell)."""
        layouts: Dict[Tuple[Any, ...], RowLayout] = {}
        add_row = self.add_row
        rows_read = 0
        try:
            for line, row in numbered_rows(rows):
                keys = tuple(row)
                layout = layouts.get(keys)
                if layout is None:
                    named = [key for key in keys if key != surplus_key]
                    self._use_email_column(named, line)
                    layout = layouts[keys] = RowLayout(
                        named, self.email_field, self.excluded_fields, line)
                rows_read += 1
                cells = [row[column] for column in layout.header]
                surplus = row.get(surplus_key)
                wrong_width = None
                if surplus is not None:
                    cells += (surplus if isinstance(surplus, (list, tuple))
                              else [surplus])
                    wrong_width = layout.wrong_width(len(cells))
                elif none_is_missing and None in (
                        cells[:layout.named] if layout.unnamed else cells):
                    wrong_width, cells = layout.missing_cells(cells)
                add_row(line, cells, layout, wrong_width)
        finally:
            self.report.rows_read += rows_read

    def add_row(self, line: int, cells: List[Any], layout: RowLayout,
                wrong_width: Optional[str] = None) -> None:
        """Turn one row into grades (the only path every row takes).

        A row of the wrong width is not sent: each of its cells is
        reported, with ``wrong_width`` as the reason.  The row of an
        unknown email is reported and gives nothing.  Each assignment cell
        that is a finite number becomes a grade; the others are reported as
        skipped, then the cells of unnamed columns that hold something.
        Grades of a student seen before replace those of the same columns
        (reported as duplicates).
        """
        if wrong_width is not None:
            self._reject_row(line, cells, layout, wrong_width)
            return
        email = cells[layout.email_index]
        student = self.student_by_email.get(str(email or '').strip().lower())
        if student is None:
            self.report.unknown_emails.append((line, email))
            log.warning('Error in spreadsheet2gradebook: line %d matches no '
                        'student of the gradebook', line)
            log.debug('line %d: no student with email %r', line, email)
            return
        if layout.cells is None:
            layout.resolve(cells, self.resolver)
        student_id = student['studentId']
        approved = self.approve_grades
        grades: List[Dict[str, Any]] = []
        skipped: Optional[Set[str]] = None
        numbers = self.numbers
        for index, assignment_id, column in layout.cells:  # type: ignore[union-attr]
            value = cells[index]
            try:
                number = numbers.get(value)
            except TypeError:  # not hashable (rows given as dictionaries)
                number = None
            if number is None:
                # Not a text seen before: parse_grade decides, and says why.
                number, reason = parse_grade(value, self.decimal_comma)
                if number is None:
                    self._skip(line, email, column, value, reason)
                    if skipped is None:
                        skipped = set()
                    skipped.add(column)
                    continue
                if type(value) is str and len(numbers) < NUMBERS_KEPT:
                    numbers[value] = number
            # multigrade_entry(student_id, assignment_id, number, approved),
            # without a call per grade (see multigrade_entry).
            grades.append({'studentId': student_id,
                           'assignmentId': assignment_id,
                           'numericGradeValue': number,
                           'mode': ASSIGNMENT_GRADE_MODE,
                           'isGradeApproved': approved})
        if layout.unnamed and len(cells) > layout.named:
            self._report_unnamed_cells(line, email, cells, layout)
        columns = layout.columns
        if skipped:
            columns = tuple(column for column in columns
                            if column not in skipped)
        if self.confirmed_before:
            columns, grades = drop_confirmed(self.confirmed_before,
                                             self.report, line, email,
                                             columns, grades)
        for column, earlier_line in self.ledger.add_row(
                student_id, line, email, columns, grades):
            self.report.duplicates.append((line, earlier_line, column))
            log.warning('line %d, column %r replaces the grade of line %d',
                        line, column, earlier_line)

    def _skip(self, line: int, email: Any, column: str, value: Any,
              reason: str) -> None:
        self.report.skipped_cells.append(
            SkippedCell(line, column, value, reason, email))
        if reason != 'empty':
            log.warning('line %d, column %r: grade skipped (%s)',
                        line, column, reason)
            log.debug('line %d, column %r: value %r', line, column, value)

    def _reject_row(self, line: int, cells: Sequence[Any], layout: RowLayout,
                    reason: str) -> None:
        """Report every cell of a row that is not sent."""
        email = (cells[layout.email_index] if layout.email_index < len(cells)
                 else None)
        log.warning('line %d: %s', line, reason)
        self.report.skipped_cells.extend(
            SkippedCell(line, layout.column_at(index), value, reason, email)
            for index, value in enumerate(cells))

    def _report_unnamed_cells(self, line: int, email: Any,
                              cells: Sequence[Any], layout: RowLayout) -> None:
        for index in range(layout.named, len(cells)):
            if not is_blank(cells[index]):
                self._skip(line, email, '', cells[index], UNNAMED_COLUMN)
