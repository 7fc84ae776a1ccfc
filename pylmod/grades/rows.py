"""Reading the rows of a grade spreadsheet into the grade ledger.

Every row takes one path: it becomes a list of cells in header order (a
plain :class:`csv.DictReader` is read through its own reader, which gives
lists; rows given as dictionaries are turned into lists by their keys), and
:meth:`RowReader.add_row` turns the cells of a known student into
``multiGrades`` entries, reporting what it skips on the way.
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
    Set,
    Tuple,
)

from pylmod.grades.answers import ASSIGNMENT_GRADE_MODE
from pylmod.grades.csvfile import (
    csv_read_error,
    find_email_column,
    header_columns,
    numbered_rows,
    parse_grade,
)
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.report import SkippedCell, UploadReport

log = logging.getLogger(__name__)

#: Resolves an assignment column to its ``assignmentId``, given the row
#: (as a dictionary) that first needs it.
AssignmentResolver = Callable[[str, Mapping[str, Any]], Any]


class RowLayout:
    """Where things are in the rows of one header.

    A name the header repeats is read from its last column, in the place of
    its first: what a :class:`csv.DictReader`'s rows hold.

    Attributes:
        header: the columns, in order.
        email_index: the position of the email.
        columns: the assignment columns.
        positions: the position of each assignment column.
        cells: ``(position, assignmentId, column)`` of each assignment
            column, once the assignments are resolved (``None`` before).
    """

    __slots__ = ('header', 'email_index', 'columns', 'positions', 'cells')

    def __init__(self, header: List[Any], email_field: str,
                 excluded_fields: Set[str]) -> None:
        self.header = header
        index_of = {column: index for index, column in enumerate(header)}
        self.email_index = index_of[email_field]
        self.columns = tuple(column for column in index_of
                             if isinstance(column, str)
                             and column not in excluded_fields)
        self.positions = [index_of[column] for column in self.columns]
        self.cells: Optional[List[Tuple[int, Any, str]]] = None

    def resolve(self, cells: List[Any], resolver: AssignmentResolver) -> None:
        """Resolve the assignments of the columns, from a row's cells."""
        row = dict(zip(self.header, cells))
        self.cells = [(position, resolver(column, row), column)
                      for position, column in zip(self.positions,
                                                  self.columns)]


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
    """

    def __init__(self, ledger: GradeLedger, report: UploadReport,
                 student_by_email: Mapping[str, Mapping[str, Any]],
                 email_field: str, excluded_fields: Iterable[str],
                 approve_grades: bool, resolver: AssignmentResolver) -> None:
        self.ledger = ledger
        self.report = report
        self.student_by_email = student_by_email
        self.email_field = email_field
        self.excluded_fields = set(excluded_fields) | {email_field}
        self.approve_grades = approve_grades
        self.resolver = resolver

    def read(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Read every row; ``report.rows_read`` counts them, also when an
        error stops the reading.

        Raises:
            PyLmodMissingColumn: a header has no email column.
            PyLmodCSVError: a line cannot be decoded or parsed.
        """
        header = header_columns(rows)
        if header is not None:
            self._use_email_column(header, 1)
        if (header is not None and type(rows) is csv.DictReader
                and rows.restkey is None and rows.restval is None):
            self._read_lists(rows, header)
        else:
            self._read_mappings(rows)

    def _use_email_column(self, columns: List[Any], line: int) -> None:
        self.email_field = find_email_column(columns, self.email_field, line)
        self.excluded_fields.add(self.email_field)

    def _read_lists(self, rows: Any, header: List[Any]) -> None:
        """Read the rows of a plain :class:`csv.DictReader` as lists, from
        its own reader: what the DictReader would give, without a
        dictionary per row."""
        reader = rows.reader
        width = len(header)
        layout = RowLayout(header, self.email_field, self.excluded_fields)
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
                surplus = None
                if len(cells) != width:
                    if not cells:
                        continue  # a blank line: csv.DictReader skips it too
                    if len(cells) > width:
                        surplus = cells[width:]
                    else:  # csv.DictReader's missing cells are None
                        cells = cells + [None] * (width - len(cells))
                rows_read += 1
                add_row(reader.line_num, cells, layout, surplus)
        finally:
            rows.line_num = reader.line_num  # as iterating it would
            self.report.rows_read += rows_read

    def _read_mappings(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Read rows given as mappings as lists, in the order of their keys
        (the key ``None`` holds surplus cells, as in a
        :class:`csv.DictReader`'s rows)."""
        layouts: Dict[Tuple[Any, ...], RowLayout] = {}
        add_row = self.add_row
        rows_read = 0
        try:
            for line, row in numbered_rows(rows):
                keys = tuple(row)
                layout = layouts.get(keys)
                if layout is None:
                    named = [column for column in keys if column is not None]
                    self._use_email_column(named, line)
                    layout = layouts[keys] = RowLayout(
                        named, self.email_field, self.excluded_fields)
                rows_read += 1
                add_row(line, [row[column] for column in layout.header],
                        layout, row.get(None))  # type: ignore[call-overload]
        finally:
            self.report.rows_read += rows_read

    def add_row(self, line: int, cells: List[Any], layout: RowLayout,
                surplus: Any) -> None:
        """Turn one row into grades (the only path every row takes).

        The row of an unknown email is reported and gives nothing.  Each
        assignment cell that is a finite number becomes a grade; the others
        are reported as skipped, then the surplus cells.  Grades of a
        student seen before replace those of the same columns (reported as
        duplicates).
        """
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
        skipped: Optional[List[str]] = None
        for index, assignment_id, column in layout.cells:  # type: ignore[union-attr]
            value = cells[index]
            try:
                number = float(value)
                if number - number:  # inf or nan
                    raise ValueError(value)
            except (TypeError, ValueError):
                # Not a plain number: parse_grade decides, and says why.
                number, reason = parse_grade(value)  # type: ignore[assignment]
                if number is None:
                    self._skip(line, column, value, reason)
                    skipped = (skipped or []) + [column]
                    continue
            # multigrade_entry(student_id, assignment_id, number, approved),
            # without a call per grade (see multigrade_entry).
            grades.append({'studentId': student_id,
                           'assignmentId': assignment_id,
                           'numericGradeValue': number,
                           'mode': ASSIGNMENT_GRADE_MODE,
                           'isGradeApproved': approved})
        if surplus is not None:
            self.report.skipped_cells.append(SkippedCell(
                line, '', surplus, 'more cells than header columns'))
        columns = layout.columns
        if skipped:
            columns = tuple(column for column in columns
                            if column not in skipped)
        for column, earlier_line in self.ledger.add_row(
                student_id, line, email, columns, grades):
            self.report.duplicates.append((line, earlier_line, column))
            log.warning('line %d, column %r replaces the grade of line %d',
                        line, column, earlier_line)

    def _skip(self, line: int, column: str, value: Any, reason: str) -> None:
        self.report.skipped_cells.append(
            SkippedCell(line, column, value, reason))
        if reason != 'empty':
            log.warning('line %d, column %r: grade skipped (%s)',
                        line, column, reason)
            log.debug('line %d, column %r: value %r', line, column, value)
