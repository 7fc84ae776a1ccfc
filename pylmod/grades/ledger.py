"""The grade ledger: the grades of one upload, compactly, and their outcomes.

An upload of 100,000 students holds half a million grades.  The ledger keeps
them as the flat array sent to ``multiGrades`` plus one small tuple per row,
and builds a :class:`~pylmod.grades.report.GradeOutcome` per grade only when
the report is read.
"""
from __future__ import annotations

import bisect
import collections
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Sequence,
    Tuple,
    Union,
)

from pylmod.grades.answers import NOT_SENT
from pylmod.grades.report import GradeOutcome

#: A row that gave grades: ``(line, email, start, columns)``; its grades
#: are ``grades[start:start + len(columns)]``, one per column.
Segment = Tuple[int, Any, int, Tuple[str, ...]]


class GradeLedger:
    """The grades of one upload: what is sent and what became of it.

    ``grades`` is flat and in file order, as sent to ``multiGrades``;
    ``statuses`` holds their ``(status, message)``, filled request by
    request (the grades past its end are not sent yet).  Each row that gave
    grades has a :data:`Segment`.

    ``positions`` says where each student's grades are, ``{column:
    position}``.  Most students have one row, whose segment says it: for
    them ``positions`` holds just the start of that segment (an int, which
    costs no dictionary per student and nothing to the garbage collector).
    A later row of the same student turns it into the dictionary: the row
    replaces the grades of the columns it shares with the earlier rows, in
    place (they are then in ``replaced_by``: position -> ``(line, email)``
    of that row), and adds a segment for the other columns.
    """

    def __init__(self) -> None:
        self.grades: List[Dict[str, Any]] = []
        self.statuses: List[Tuple[str, str]] = []
        self.segments: List[Segment] = []
        self.positions: Dict[Any, Union[int, Dict[str, int]]] = {}
        self.replaced_by: Dict[int, Tuple[int, Any]] = {}
        #: The message of the grades not sent.
        self.not_sent_message = ''
        #: True once every grade has its outcome.
        self.finished = False

    def add_row(self, student_id: Any, line: int, email: Any,
                columns: Tuple[str, ...], grades: Sequence[Dict[str, Any]]
                ) -> Sequence[Tuple[str, int]]:
        """Add the grades of a row, ``grades[i]`` being that of
        ``columns[i]``.

        Args:
            student_id: whose grades they are.
            line: the row's line.
            email: the row's email as written.
            columns: the columns of the grades.
            grades: the ``multiGrades`` entries.

        Returns:
            list: ``(column, earlier_line)`` of each grade that replaced
            the grade of an earlier row of the same student.
        """
        if student_id in self.positions:
            return self._merge(student_id, line, email, columns, grades)
        if grades:
            start = len(self.grades)
            self.positions[student_id] = start
            self.segments.append((line, email, start, columns))
            self.grades.extend(grades)
        return ()

    def _merge(self, student_id: Any, line: int, email: Any,
               columns: Tuple[str, ...], grades: Sequence[Dict[str, Any]]
               ) -> List[Tuple[str, int]]:
        where = self.positions[student_id]
        if isinstance(where, int):
            _, _, start, earlier = self._segment_at(where)
            where = {column: position
                     for position, column in enumerate(earlier, start)}
        replaced: List[Tuple[str, int]] = []
        new_columns: List[str] = []
        for column, grade in zip(columns, grades):
            position = where.get(column)
            if position is None:
                where[column] = len(self.grades) + len(new_columns)
                new_columns.append(column)
                continue
            replaced.append((column, self._line_at(position)))
            self.grades[position].update(grade)
            self.replaced_by[position] = (line, email)
        if new_columns:
            self.segments.append(
                (line, email, len(self.grades), tuple(new_columns)))
            self.grades.extend(grade for column, grade in zip(columns, grades)
                               if column in new_columns)
        self.positions[student_id] = where
        return replaced

    def _line_at(self, position: int) -> int:
        """The line of the row whose value the grade at ``position`` is."""
        if position in self.replaced_by:
            return self.replaced_by[position][0]
        return self._segment_at(position)[0]

    def _segment_at(self, position: int) -> Segment:
        """The segment that holds the grade at ``position``."""
        return self.segments[self._segment_index(position)]

    def _segment_index(self, position: int) -> int:
        """The index of the segment that holds the grade at ``position``."""
        segments = self.segments
        low, high = 0, len(segments)  # segments are in position order
        while high - low > 1:
            middle = (low + high) // 2
            if segments[middle][2] <= position:
                low = middle
            else:
                high = middle
        return low

    def outcomes(self, start: int = 0) -> List[GradeOutcome]:
        """Return a :class:`~pylmod.grades.report.GradeOutcome` for each
        grade from the ``start``-th on, in file order."""
        grades = self.grades
        return [GradeOutcome(line, email, column, grades[position], status,
                             message)
                for position, line, email, column, (status, message)
                in self._walk(start)]

    def answered(self, start: int = 0,
                 record: Callable[..., Any] = GradeOutcome) -> List[Any]:
        """Return the records of the grades from the ``start``-th on whose
        outcome is known (an answer came, or it was a dry run), in file
        order, without building the others'.  ``record(line, email,
        column, grade, status, message)`` builds each (a
        :class:`~pylmod.grades.report.GradeOutcome` by default; a report
        written as the upload runs takes plain rows)."""
        known = len(self.statuses)
        if start >= known:
            return []
        grades = self.grades
        records = []
        for position, line, email, column, (status, message) in self._walk(
                start):
            if position >= known:
                break
            records.append(record(line, email, column, grades[position],
                                  status, message))
        return records

    def lines_with_status(self, wanted: Iterable[str]) -> List[int]:
        """Return the line of each grade whose status is in ``wanted``
        (without building records)."""
        wanted = set(wanted)
        return [line for _, line, _, _, (status, _) in self._walk()
                if status in wanted]

    def places(self, first: int = 0) -> Iterator[Tuple[int, int, Any, str]]:
        """Yield ``(position, line, email, column)`` of each grade from
        position ``first`` on, in file order: where in the file the grade
        ``grades[position]`` came from (the row that gave it last), without
        building records.

        Example:

        .. code-block:: python

            for position, line, email, column in ledger.places():
                print(line, email, column, ledger.grades[position])
        """
        for position, line, email, column, _ in self._walk(first):
            yield position, line, email, column

    def places_at(self, positions: Iterable[int]
                  ) -> List[Tuple[int, Any, str]]:
        """``(line, email, column)`` of the grade at each of ``positions``
        (as :meth:`places` gives them), in the order given: a few grades
        of a large upload without walking them all."""
        segments, replaced_by = self.segments, self.replaced_by
        starts = [segment[2] for segment in segments]
        found = []
        for position in positions:
            line, email, start, columns = segments[
                bisect.bisect_right(starts, position) - 1]
            line, email = replaced_by.get(position, (line, email))
            found.append((line, email, columns[position - start]))
        return found

    def _walk(self, first: int = 0
              ) -> Iterator[Tuple[int, int, Any, str, Tuple[str, str]]]:
        """Yield ``(position, line, email, column, (status, message))`` of
        each grade from position ``first`` on, in file order."""
        # The one walk of the segments (places() is this without the
        # statuses): each request of a streamed report walks its grades.
        statuses, replaced_by = self.statuses, self.replaced_by
        not_sent = (NOT_SENT, self.not_sent_message)
        segments = self.segments
        if first and segments:
            segments = segments[self._segment_index(first):]
        for segment_line, segment_email, start, columns in segments:
            for position, column in enumerate(columns, start):
                if position < first:
                    continue
                line, email = replaced_by.get(
                    position, (segment_line, segment_email))
                yield (position, line, email, column,
                       statuses[position] if position < len(statuses)
                       else not_sent)

    def status_counts(self) -> Dict[str, int]:
        """Return how many grades have each outcome."""
        counts: Dict[str, int] = {}
        for (status, _), count in collections.Counter(
                self.statuses).items():
            counts[status] = counts.get(status, 0) + count
        unsent = len(self.grades) - len(self.statuses)
        if unsent:
            counts[NOT_SENT] = counts.get(NOT_SENT, 0) + unsent
        return counts
