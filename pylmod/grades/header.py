"""The header of a grade spreadsheet: what it names, and where.

A header is checked before any row is used: two columns of one name, or a
column without a name between named ones, make the file unreadable as
meant (which of the two is the grade? whose grade is the unnamed one?), so
they are errors naming the columns.  Empty header cells at the end are
left out: a trailing delimiter, as spreadsheet exports often write one.
Their cells are never grades; rows may have them or not.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Set, Tuple

from pylmod.exceptions import PyLmodCSVError

#: How the reason of a cell ends when its whole row is not sent.
ROW_NOT_SENT = ': not sent'
#: The reason of the cells of a row that is not sent because its cell count
#: is not the header's (its values may be shifted: a comma in a name).
WRONG_WIDTH = 'row has {0} cells, the header {1}' + ROW_NOT_SENT
#: The same for a row given as a dictionary with a value ``None`` (a
#: :class:`csv.DictReader`'s missing cell) before a value.
MISSING_CELLS = 'row has a missing cell (None) before a value' + ROW_NOT_SENT
#: The reason of a value under a header cell that is empty.
UNNAMED_COLUMN = 'the column has no name in the header'


def column_label(index: int) -> str:
    """``'column 3 (C)'`` for index 2: the number and the spreadsheet
    letters of a column."""
    letters = ''
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord('A') + remainder) + letters
    return 'column {0} ({1})'.format(index + 1, letters)


def is_blank(column: Any) -> bool:
    """True for a header cell that names nothing (empty, or spaces)."""
    return column is None or (isinstance(column, str) and not column.strip())


def check_header(columns: Sequence[Any], line: int = 1) -> int:
    """Check a header; return how many columns it names (the columns after
    them are empty header cells, left out).

    Args:
        columns: the header.
        line: its line, for the messages.

    Raises:
        PyLmodCSVError: two columns have one name, or a column between
            named ones has none, or none has one; the message names them.

    Example:

    .. code-block:: python

        check_header(['External email', 'HW1', 'HW2', ''])  # 3
        check_header(['', ''])
        # PyLmodCSVError: line 1: the header names no column ...
        check_header(['External email', 'HW1', 'HW1'])
        # PyLmodCSVError: line 1: column 2 (B) and column 3 (C) are both
        # named 'HW1' ...
    """
    named = len(columns)
    while named and is_blank(columns[named - 1]):
        named -= 1
    if not named:
        raise PyLmodCSVError(
            'line {0}: the header names no column: the first line must '
            'name the columns (nothing was sent)'.format(line))
    first_of: dict = {}
    for index, column in enumerate(columns[:named]):
        if is_blank(column):
            raise PyLmodCSVError(
                'line {0}, {1}: the header cell is empty, so the column '
                'names no assignment; name it or delete the column (nothing '
                'was sent)'.format(line, column_label(index)))
        if column in first_of:
            raise PyLmodCSVError(
                'line {0}: {1} and {2} are both named {3!r}, so which is the '
                'grade is not known; rename or delete one (nothing was '
                'sent)'.format(line, column_label(first_of[column]),
                               column_label(index), column))
        first_of[column] = index
    return named


class RowLayout:
    """Where things are in the rows of one header.

    Attributes:
        header: the columns, in order (trailing unnamed ones included).
        width: how many cells a row has.
        named: how many columns are named; a row may have from ``named``
            to ``width`` cells.
        unnamed: the header has trailing unnamed columns.
        email_index: the position of the email.
        columns: the assignment columns.
        positions: the position of each assignment column.
        cells: ``(position, assignmentId, column)`` of each assignment
            column, once the assignments are resolved (``None`` before).

    Raises:
        PyLmodCSVError: the header is not one (see :func:`check_header`).
    """

    __slots__ = ('header', 'width', 'named', 'unnamed', 'email_index',
                 'columns', 'positions', 'cells')

    def __init__(self, header: List[Any], email_field: str,
                 excluded_fields: Set[str], line: int = 1) -> None:
        self.header = header
        self.width = len(header)
        self.named = check_header(header, line)
        self.unnamed = self.named < self.width
        index_of = {column: index
                    for index, column in enumerate(header[:self.named])}
        self.email_index = index_of[email_field]
        self.columns = tuple(column for column in index_of
                             if isinstance(column, str)
                             and column not in excluded_fields)
        self.positions = [index_of[column] for column in self.columns]
        self.cells: Optional[List[Tuple[int, Any, str]]] = None

    def resolve(self, cells: List[Any], resolver: Any) -> None:
        """Resolve the assignments of the columns (``resolver(column,
        row)``), from a row's cells."""
        row = dict(zip(self.header, cells))
        self.cells = [(position, resolver(column, row), column)
                      for position, column in zip(self.positions,
                                                  self.columns)]

    def wrong_width(self, cell_count: int) -> Optional[str]:
        """Why a row of ``cell_count`` cells is not sent (``None``: it
        is: it has every named column, and some or all of the unnamed
        ones)."""
        if self.named <= cell_count <= self.width:
            return None
        return WRONG_WIDTH.format(cell_count, self.named if cell_count
                                  < self.named else self.width)

    def missing_cells(self, cells: List[Any]) -> Tuple[str, List[Any]]:
        """Why a row given as a dictionary, whose named columns hold a
        ``None`` (a missing cell), is not sent; and its cells that are
        there (a :class:`csv.DictReader` gives ``None`` for the cells
        missing at the end of a row)."""
        present = len(cells)
        while present and cells[present - 1] is None:
            present -= 1
        if None in cells[:present]:
            return MISSING_CELLS, cells
        return WRONG_WIDTH.format(present, self.named), cells[:present]

    def column_at(self, index: int) -> Any:
        """The column of a row's cell at ``index`` (``''`` beyond the
        named columns)."""
        return self.header[index] if index < self.named else ''
