"""Grade spreadsheets to LMod: checking, batching, and the report.

:meth:`pylmod.GradeBook.spreadsheet2gradebook` is built from the pieces here
(reading the file is :mod:`pylmod.spreadsheet`).
Students and assignments are indexed once (by lower-cased email and by
name), rows are streamed, and every grade the caller asked to send ends with
a known outcome in an :class:`UploadReport`.
"""
from __future__ import annotations

import collections
import csv
import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
)

import requests

from pylmod.exceptions import (
    PyLmodBadResponse,
    PyLmodCSVError,
    PyLmodFailedAssignmentCreation,
)
from pylmod.spreadsheet import (  # noqa: F401 - part of this module's API
    ALTERNATE_EMAIL_FIELD,
    DEFAULT_EMAIL_FIELD,
    NON_ASSIGNMENT_FIELDS,
    csv_read_error,
    guess_delimiter,
    header_columns,
    numbered_rows,
    open_grade_csv,
    parse_grade,
)

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.gradebook import GradeBook

log = logging.getLogger(__name__)

#: Most grades in one ``multiGrades`` request: a normal class needs one.
DEFAULT_BATCH_SIZE = 20000
#: Attempts at creating one assignment when an attempt's outcome is unknown.
CREATE_ATTEMPTS = 3
#: The due date 1.0.x gave to assignments created from a spreadsheet.
CREATED_DUE_DATE = '12-15-2013'

# Outcomes of one grade.
CONFIRMED = 'confirmed'      #: LMod stored it.
FAILED = 'failed'            #: LMod answered that it did not store it.
UNCONFIRMED = 'unconfirmed'  #: Sent, but the answer was lost: unknown.
NOT_SENT = 'not sent'        #: Never sent (an earlier request failed).
DRY_RUN = 'dry run'          #: Not sent because of ``dry_run``.
#: ``(status, message)`` of a grade LMod stored.
CONFIRMED_STATUS = (CONFIRMED, '')
#: Every outcome, in the order reports list them.
STATUSES = (CONFIRMED, FAILED, UNCONFIRMED, NOT_SENT, DRY_RUN)

#: Errors after which a request may or may not have reached LMod.
AMBIGUOUS_ERRORS = (requests.RequestException, PyLmodBadResponse)


class GradeOutcome:
    """One grade from the spreadsheet and what became of it.

    (A plain class with ``__slots__``: a report holds one per grade, once
    read.)

    Attributes:
        line: the line of the CSV file (the header is line 1).
        email: the student's email as written in the file.
        assignment: the column (assignment name).
        grade: the grade as sent to ``multiGrades``.
        status: :data:`CONFIRMED`, :data:`FAILED`, :data:`UNCONFIRMED`,
            :data:`NOT_SENT` or :data:`DRY_RUN`.
        message: why, when it is not confirmed.
    """

    __slots__ = ('line', 'email', 'assignment', 'grade', 'status', 'message')

    def __init__(self, line: int, email: str, assignment: str,
                 grade: Dict[str, Any], status: str = NOT_SENT,
                 message: str = '') -> None:
        self.line = line
        self.email = email
        self.assignment = assignment
        self.grade = grade
        self.status = status
        self.message = message

    def _fields(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GradeOutcome):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        return 'GradeOutcome({0})'.format(', '.join(
            '{0}={1!r}'.format(name, getattr(self, name))
            for name in self.__slots__))


@dataclass
class SkippedCell:
    """A cell that was not sent: empty, not a number, or not finite."""

    line: int
    column: str
    value: Any
    reason: str


@dataclass
class UploadReport:
    """What an upload did, grade by grade.

    Pass one as ``report=`` to :meth:`pylmod.GradeBook.spreadsheet2gradebook`
    to get it; it is also attached as ``upload_report`` to an exception that
    stops an upload half way.  A report given to several uploads adds up
    their rows, grades, cells, emails, duplicates, assignments and
    requests; ``response``, ``duration`` and ``error`` are the last
    upload's.

    Attributes:
        rows_read: data rows read from the file.
        grades: one :class:`GradeOutcome` per grade sent (or to send), in
            file order.  The records are built when first read after the
            upload has stopped (an upload of 100,000 students does not pay
            for half a million records nobody reads); read during an
            upload, from another thread, they are a snapshot.
        skipped_cells: cells not sent, with the reason.
        unknown_emails: ``(line, email)`` of rows matching no student.
        duplicates: ``(line, earlier_line, assignment)`` for each cell that
            replaced the value of an earlier row of the same student.
        created_assignments: ``name -> assignmentId`` of assignments created
            (``None`` in a dry run: they would be created).
        requests_sent: ``multiGrades`` requests made.
        response: the merged ``multiGrades`` response.
        duration: seconds spent in ``multiGrades`` requests.
        error: the exception that stopped the upload, if any.
    """

    rows_read: int = 0
    grades: List[GradeOutcome] = field(default_factory=list)
    skipped_cells: List[SkippedCell] = field(default_factory=list)
    unknown_emails: List[Tuple[int, str]] = field(default_factory=list)
    duplicates: List[Tuple[int, int, str]] = field(default_factory=list)
    created_assignments: Dict[str, Any] = field(default_factory=dict)
    requests_sent: int = 0
    response: Dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    error: Optional[BaseException] = None

    def _get_grades(self) -> List[GradeOutcome]:
        if not self._ledgers:
            return self._grades
        with _BUILDING:
            ledgers = self._ledgers
            # Whether the uploads had stopped before their records are
            # built: only then are these records final.
            stopped = all(ledger.finished for ledger in ledgers)
            built = [outcome for ledger in ledgers
                     for outcome in ledger.outcomes()]
            if not stopped:
                return self._grades + built
            self._grades.extend(built)
            ledgers.clear()
            return self._grades

    def _set_grades(self, grades: List[GradeOutcome]) -> None:
        self._grades = grades
        # The uploads whose grades are not built yet.
        self._ledgers: List[GradeLedger] = []

    def _add_ledger(self, ledger: 'GradeLedger') -> None:
        with _BUILDING:
            self._ledgers.append(ledger)

    def with_status(self, status: str) -> List[GradeOutcome]:
        """Return the grades whose outcome is ``status``."""
        return [grade for grade in self.grades if grade.status == status]

    def status_counts(self) -> Dict[str, int]:
        """Return how many grades have each outcome (every status is a
        key)."""
        counts = dict.fromkeys(STATUSES, 0)
        with _BUILDING:
            for grade in self._grades:
                counts[grade.status] = counts.get(grade.status, 0) + 1
            for ledger in self._ledgers:
                for status, count in ledger.status_counts().items():
                    counts[status] = counts.get(status, 0) + count
        return counts

    @property
    def ok(self) -> bool:
        """True when every grade was confirmed (or it was a dry run)."""
        counts = self.status_counts()
        return sum(counts.values()) == counts[CONFIRMED] + counts[DRY_RUN]

    def summary(self) -> Dict[str, int]:
        """Return the counts of the report, e.g. for a log line or a CLI."""
        counts = self.status_counts()
        summary = {
            'rows read': self.rows_read,
            'grades': sum(counts.values()),
            'unknown emails': len(self.unknown_emails),
            'skipped cells': len(self.skipped_cells),
            'duplicates': len(self.duplicates),
            'assignments created': len(self.created_assignments),
            'requests': self.requests_sent,
        }
        summary.update(counts)
        return summary


#: Held while a report's grades are built or counted: a report may be read
#: from another thread (a progress display) during an upload.
_BUILDING = threading.RLock()

# A property in the place of the dataclass field: UploadReport(grades=...),
# report.grades = ... and dataclasses.asdict() go through it.
UploadReport.grades = property(  # type: ignore[assignment]
    UploadReport._get_grades, UploadReport._set_grades,
    doc='One :class:`GradeOutcome` per grade, in file order.')


class GradeLedger:
    """The grades of one upload, compactly: what is sent and what became of
    it, from which the report's :class:`GradeOutcome` records are built.

    ``grades`` is flat and in file order, as sent to ``multiGrades``;
    ``statuses`` holds their ``(status, message)``, filled request by
    request (the grades past its end are not sent yet).  Each row that gave
    grades has a segment, a plain tuple ``(line, email, start, columns)``:
    its grades are ``grades[start:start + len(columns)]``, one per column.
    A later row of the same student replaces grades in place (they are then
    in ``replaced_by``: position -> ``(line, email)`` of that row) and adds
    a segment for the columns the earlier rows did not have.
    """

    def __init__(self) -> None:
        self.grades: List[Dict[str, Any]] = []
        self.statuses: List[Tuple[str, str]] = []
        self.segments: List[Tuple[int, Any, int, Tuple[str, ...]]] = []
        self.replaced_by: Dict[int, Tuple[int, Any]] = {}
        #: The message of the grades not sent.
        self.not_sent_message = ''
        #: True once every grade has its outcome.
        self.finished = False

    def outcomes(self) -> List[GradeOutcome]:
        """Return a :class:`GradeOutcome` for each grade, in file order."""
        grades = self.grades
        return [GradeOutcome(line, email, column, grades[position], status,
                             message)
                for position, line, email, column, (status, message)
                in self._walk()]

    def lines_with_status(self, wanted: Iterable[str]) -> List[int]:
        """Return the line of each grade whose status is in ``wanted``
        (without building records)."""
        wanted = set(wanted)
        return [line for _, line, _, _, (status, _) in self._walk()
                if status in wanted]

    def _walk(self) -> Iterator[Tuple[int, int, Any, str, Tuple[str, str]]]:
        """Yield ``(position, line, email, column, (status, message))`` of
        each grade, in file order."""
        statuses, replaced_by = self.statuses, self.replaced_by
        not_sent = (NOT_SENT, self.not_sent_message)
        for segment_line, segment_email, start, columns in self.segments:
            for position, column in enumerate(columns, start):
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


def index_students(students: Iterable[Mapping[str, Any]]
                   ) -> Dict[str, Mapping[str, Any]]:
    """Index students by lower-cased ``accountEmail`` (the first one wins,
    as with :meth:`pylmod.GradeBook.get_student_by_email`)."""
    index: Dict[str, Mapping[str, Any]] = {}
    for student in students:
        index.setdefault(student['accountEmail'].lower(), student)
    return index


def index_assignments(assignments: Iterable[Mapping[str, Any]]
                      ) -> Dict[str, Mapping[str, Any]]:
    """Index assignments by exact name (the first one wins, as with
    :meth:`pylmod.GradeBook.get_assignment_by_name`)."""
    index: Dict[str, Mapping[str, Any]] = {}
    for assignment in assignments:
        index.setdefault(assignment['name'], assignment)
    return index


def classify_multigrade_response(
        grades: Sequence[Mapping[str, Any]], response: Any,
) -> List[Tuple[str, str]]:
    """Return ``(status, message)`` for each grade sent in one
    ``multiGrades`` request, from LMod's response.

    LMod lists the grades it did not store in ``data.results`` (with
    ``data.numFailures``): those are :data:`FAILED`.  A body whose
    ``status`` is not 1 and that identifies no failed grade means none was
    stored (all :data:`FAILED`); failures the response counts but does not
    identify, or a failing ``status`` beside identified failures, leave the
    other grades :data:`UNCONFIRMED`.  Only a response that reports no
    failure at all confirms every grade.
    """
    if not isinstance(response, Mapping):
        return [(UNCONFIRMED, 'unexpected response')] * len(grades)
    succeeded = response.get('status', 1) in (1, '1')
    data = response.get('data')
    if not isinstance(data, Mapping):
        data = {}
    results = [entry for entry in data.get('results') or []
               if isinstance(entry, Mapping)]
    num_failures = _count(data.get('numFailures'))
    if not results:
        if not succeeded:
            message = str(response.get('message') or 'request failed')
            return [(FAILED, message)] * len(grades)
        if num_failures == 0:
            return [CONFIRMED_STATUS] * len(grades)
    failed = {(entry.get('studentId'), entry.get('assignmentId')): entry
              for entry in results}
    outcomes = []
    for grade in grades:
        entry = failed.get((grade.get('studentId'), grade.get('assignmentId')))
        if entry is None:
            outcomes.append(CONFIRMED_STATUS)
        else:
            outcomes.append((FAILED, str(
                entry.get('message') or entry.get('error') or 'rejected')))
    identified = sum(1 for status, _ in outcomes if status == FAILED)
    if num_failures is None or num_failures > identified or not succeeded:
        message = ('LMod reported {0} failures and identified {1}'.format(
            data.get('numFailures'), identified) if succeeded else
            'LMod answered status {0!r}: {1}'.format(
                response.get('status'), response.get('message')))
        outcomes = [(UNCONFIRMED, message) if status == CONFIRMED
                    else (status, text) for status, text in outcomes]
    return outcomes


def _count(value: Any) -> Optional[int]:
    """``numFailures`` as a number: 0 when absent, ``None`` when unreadable."""
    if value is None:
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def merge_multigrade_responses(responses: Sequence[Any]) -> Dict[str, Any]:
    """Merge the responses of several ``multiGrades`` requests into one of
    the same shape: ``numFailures`` summed, ``results`` concatenated, and
    the first failing ``status``/``message`` kept.  A single response is
    returned as it is."""
    if len(responses) == 1:
        return responses[0]
    merged: Dict[str, Any] = {'status': 1, 'message': ''}
    num_failures = 0
    results: List[Any] = []
    for response in responses:
        if not isinstance(response, Mapping):
            continue
        if merged['status'] in (1, '1') and 'status' in response:
            merged['status'] = response['status']
            merged['message'] = response.get('message', '')
        data = response.get('data')
        if isinstance(data, Mapping):
            num_failures += _count(data.get('numFailures')) or 0
            results.extend(data.get('results') or [])
    merged['data'] = {'numFailures': num_failures, 'results': results}
    return merged


class _Layout:
    """Where things are in the rows of one header."""

    __slots__ = ('header', 'email_index', 'positions', 'columns', 'cells')

    def __init__(self, header: List[Any], email_field: str,
                 excluded_fields: Set[str]) -> None:
        #: The columns, in order.
        self.header = header
        # A name the header repeats is read from its last column, in the
        # place of its first: what a csv.DictReader's rows hold.
        index_of = {column: index for index, column in enumerate(header)}
        #: The email's position.
        self.email_index = index_of[email_field]
        #: ``(position, column)`` of each assignment column.
        self.positions = [(index, column) for column, index in index_of.items()
                          if isinstance(column, str)
                          and column not in excluded_fields]
        #: The assignment column of each of :attr:`cells`.
        self.columns = tuple(column for _, column in self.positions)
        #: ``(position, assignmentId)`` of each assignment column, once the
        #: assignments are resolved (from the first row of a student).
        self.cells: Optional[List[Tuple[int, Any]]] = None


#: A plain csv.DictReader (as opposed to a subclass, or a test's stand-in).
_DICT_READER = csv.DictReader

#: What the row sources of GradeUpload yield: ``(line, cells, layout,
#: surplus)``, ``surplus`` being the cells beyond the header (or ``None``).
_Row = Tuple[int, List[Any], _Layout, Any]


class GradeUpload:
    """One spreadsheet upload: read rows into grades, then send them.

    Args:
        gradebook: the :class:`pylmod.GradeBook` to upload to.
        email_field: the column holding the student's email.
        non_assignment_fields: columns that are not assignments.
        approve_grades: send the grades as approved.
        use_max_points_column: take the max points of a created assignment
            from ``max_points_column`` when ``normalize_column`` is 0.
        max_points_column, normalize_column: those columns' names.
        report: the :class:`UploadReport` to fill (a new one by default).

    Raises:
        ValueError: ``use_max_points_column`` without both column names.
    """

    def __init__(self, gradebook: 'GradeBook', email_field: str,
                 non_assignment_fields: Iterable[str],
                 approve_grades: bool = False,
                 use_max_points_column: bool = False,
                 max_points_column: Optional[str] = None,
                 normalize_column: Optional[str] = None,
                 report: Optional[UploadReport] = None) -> None:
        if use_max_points_column:
            for name, value in (('max_points_column', max_points_column),
                                ('normalize_column', normalize_column)):
                if value is None:
                    raise ValueError(
                        '{0} must be set if use_max_points_column is set'
                        .format(name))
        self.gradebook = gradebook
        self.email_field = email_field
        self.excluded_fields = set(non_assignment_fields) | {email_field}
        self.approve_grades = approve_grades
        self.use_max_points_column = use_max_points_column
        self.max_points_column = max_points_column
        self.normalize_column = normalize_column
        self.report = report if report is not None else UploadReport()
        self.ledger = GradeLedger()
        self.report._add_ledger(self.ledger)
        # The first segment of each student, and the later ones (see
        # GradeLedger).
        self._first_segment: Dict[Any, int] = {}
        self._more_segments: Dict[Any, List[int]] = {}
        self._assignment_ids: Dict[str, Any] = {}
        self._assignment_by_name: Dict[str, Mapping[str, Any]] = {}
        self._dry_run = False

    def read(self, rows: Iterable[Mapping[str, Any]],
             dry_run: bool = False) -> None:
        """Turn rows into grades, creating missing assignments (unless
        ``dry_run``).

        ``rows`` are dictionaries (a :class:`csv.DictReader`, a list of
        dicts); a plain :class:`csv.DictReader` is read through its
        underlying reader, a list per row, with the same result.

        An error stops the upload: the grades read before it are
        :data:`NOT_SENT`, and the exception is re-raised with the report as
        ``upload_report``.
        """
        report = self.report
        report.response, report.duration, report.error = {}, 0.0, None
        self._dry_run = dry_run
        try:
            self._assignment_by_name = index_assignments(
                self.gradebook.get_assignments())
            student_by_email = index_students(self.gradebook.get_students())
            header = header_columns(rows)
            self._check_email_column(header, 1)
            if (header is not None and type(rows) is _DICT_READER
                    and rows.restkey is None and rows.restval is None):  # type: ignore[attr-defined]
                lines = self._listed_rows(rows, header)
            else:
                lines = self._mapped_rows(rows)
            self._read_rows(lines, student_by_email)
        except BaseException as err:
            self._stopped_by(err, 'not sent: the upload stopped while '
                                  'reading ({0})'.format(type(err).__name__))
            raise

    def _listed_rows(self, rows: Any, header: List[str]) -> Iterator[_Row]:
        """Yield the rows of a :class:`csv.DictReader`, read as lists from
        its own reader (what the DictReader would do, without a dictionary
        per row)."""
        reader = rows.reader
        width = len(header)
        layout = _Layout(header, self.email_field, self.excluded_fields)
        try:
            for cells in reader:
                if len(cells) == width:
                    yield reader.line_num, cells, layout, None
                elif len(cells) > width:
                    yield reader.line_num, cells, layout, cells[width:]
                elif cells:  # short: csv.DictReader's missing cells are None
                    yield (reader.line_num,
                           cells + [None] * (width - len(cells)), layout, None)
                # else a blank line, which csv.DictReader skips too
        except (UnicodeDecodeError, csv.Error) as err:
            raise csv_read_error(err, reader.line_num) from err
        finally:
            rows.line_num = reader.line_num  # as iterating it would

    def _mapped_rows(self, rows: Iterable[Mapping[str, Any]]
                     ) -> Iterator[_Row]:
        """Yield rows that are mappings (``None`` holds surplus cells, as in
        a csv.DictReader's rows)."""
        layouts: Dict[Tuple[Any, ...], _Layout] = {}
        for line, row in numbered_rows(rows):
            header = tuple(row)
            layout = layouts.get(header)
            if layout is None:
                named = [column for column in header if column is not None]
                self._check_email_column(named, line)
                layout = layouts[header] = _Layout(
                    named, self.email_field, self.excluded_fields)
            yield (line, [row[column] for column in layout.header], layout,
                   row.get(None))  # type: ignore[call-overload]

    def _read_rows(self, lines: Iterable[_Row],
                   student_by_email: Mapping[str, Mapping[str, Any]]
                   ) -> None:
        # The loop runs once per row of a class that may have 100,000
        # students, and its inner loop once per grade: the hot path keeps
        # its names local and leaves rows with a cell to skip or surplus
        # cells, or of a student seen before, to _read_row.
        report, ledger = self.report, self.ledger
        grades, segments = ledger.grades, ledger.segments
        first_segment = self._first_segment
        approve_grades = self.approve_grades
        rows_read = 0
        try:
            for line, cells, layout, surplus in lines:
                rows_read += 1
                email = cells[layout.email_index]
                student = student_by_email.get(
                    str(email or '').strip().lower())
                if student is None:
                    report.unknown_emails.append((line, email))
                    log.warning('Error in spreadsheet2gradebook: line %d '
                                'matches no student of the gradebook', line)
                    log.debug('line %d: no student with email %r', line,
                              email)
                    continue
                student_id = student['studentId']
                if layout.cells is None:
                    self._resolve_assignments(layout, cells)
                if surplus is not None or student_id in first_segment:
                    self._read_row(line, email, student_id, cells, layout,
                                   surplus)
                    continue
                start = len(grades)
                try:
                    for index, assignment_id in layout.cells:  # type: ignore[union-attr]
                        number = float(cells[index])
                        if number - number:  # not finite
                            raise ValueError
                        grades.append({
                            'studentId': student_id,
                            'assignmentId': assignment_id,
                            'numericGradeValue': number,
                            'mode': 2,
                            'isGradeApproved': approve_grades,
                        })
                except (TypeError, ValueError):
                    del grades[start:]
                    self._read_row(line, email, student_id, cells, layout,
                                   surplus)
                    continue
                if len(grades) > start:
                    first_segment[student_id] = len(segments)
                    segments.append((line, email, start, layout.columns))
        finally:
            report.rows_read += rows_read

    def _resolve_assignments(self, layout: _Layout, cells: List[Any]) -> None:
        """Resolve (and create) the assignments of a header's columns, from
        the first row of a student that has it (as 1.0.x did)."""
        row = dict(zip(layout.header, cells))
        layout.cells = [(index, self._assignment_id(column, row))
                        for index, column in layout.positions]

    def _read_row(self, line: int, email: Any, student_id: Any,
                  cells: List[Any], layout: _Layout, surplus: Any) -> None:
        """A row with cells to skip or surplus cells, or of a student seen
        before (its cells replace the earlier ones)."""
        columns, row_grades = [], []
        for (index, assignment_id), column in zip(
                layout.cells or (), layout.columns):
            value = cells[index]
            number, reason = parse_grade(value)
            if number is None:
                self._skip(line, column, value, reason)
                continue
            columns.append(column)
            row_grades.append({
                'studentId': student_id,
                'assignmentId': assignment_id,
                'numericGradeValue': number,
                'mode': 2,
                'isGradeApproved': self.approve_grades,
            })
        if surplus is not None:
            self.report.skipped_cells.append(SkippedCell(
                line, '', surplus, 'more cells than header columns'))
        segments = self.ledger.segments
        if student_id in self._first_segment:
            columns, row_grades = self._replace(
                student_id, line, email, columns, row_grades)
            if not columns:
                return
            self._more_segments.setdefault(student_id, []).append(
                len(segments))
        elif columns:
            self._first_segment[student_id] = len(segments)
        else:
            return
        segments.append(
            (line, email, len(self.ledger.grades), tuple(columns)))
        self.ledger.grades.extend(row_grades)

    def _replace(self, student_id: Any, line: int, email: Any,
                 columns: List[str], row_grades: List[Dict[str, Any]]
                 ) -> Tuple[List[str], List[Dict[str, Any]]]:
        """A later row of the same student replaces the grades of the
        columns it shares with earlier rows; return its other columns and
        grades."""
        ledger = self.ledger
        earlier: Dict[str, Tuple[int, int]] = {}  # column -> position, line
        for index in [self._first_segment[student_id]] + \
                self._more_segments.get(student_id, []):
            segment_line, _, start, segment_columns = ledger.segments[index]
            for position, column in enumerate(segment_columns, start):
                earlier[column] = (position, ledger.replaced_by.get(
                    position, (segment_line,))[0])
        new_columns, new_grades = [], []
        for column, grade in zip(columns, row_grades):
            if column not in earlier:
                new_columns.append(column)
                new_grades.append(grade)
                continue
            position, earlier_line = earlier[column]
            self.report.duplicates.append((line, earlier_line, column))
            log.warning('line %d, column %r replaces the grade of line %d',
                        line, column, earlier_line)
            ledger.grades[position].update(grade)
            ledger.replaced_by[position] = (line, email)
        return new_columns, new_grades


    def _check_email_column(self, columns: Optional[List[Any]],
                            line: int) -> None:
        if not isinstance(columns, list) or self.email_field in columns:
            return
        if (self.email_field == DEFAULT_EMAIL_FIELD
                and ALTERNATE_EMAIL_FIELD in columns):
            self.email_field = ALTERNATE_EMAIL_FIELD
            self.excluded_fields.add(ALTERNATE_EMAIL_FIELD)
            return
        raise PyLmodCSVError(
            'line {0}: no {1!r} column with the students\' emails; the '
            'columns are {2}. Pass email_field= to name the email column.'
            .format(line, self.email_field,
                    ', '.join(repr(column) for column in columns)))

    def _skip(self, line: int, column: str, value: Any, reason: str) -> None:
        self.report.skipped_cells.append(
            SkippedCell(line, column, value, reason))
        if reason != 'empty':
            log.warning('line %d, column %r: grade skipped (%s)',
                        line, column, reason)
            log.debug('line %d, column %r: value %r', line, column, value)

    def _assignment_id(self, name: str, row: Mapping[str, Any]) -> Any:
        if name not in self._assignment_ids:
            assignment = self._assignment_by_name.get(name)
            if assignment is not None:
                assignment_id = assignment['assignmentId']
            elif self._dry_run:
                assignment_id = None
                self.report.created_assignments[name] = None
            else:
                assignment_id = self._create_assignment(
                    name, self._max_points(row))
                self.report.created_assignments[name] = assignment_id
            log.info('Assignment %s has Id=%s', name, assignment_id)
            self._assignment_ids[name] = assignment_id
        return self._assignment_ids[name]

    def _max_points(self, row: Mapping[str, Any]) -> float:
        """The max points of an assignment created for this row's column."""
        from pylmod import gradebook  # the module imports this one
        default = gradebook.DEFAULT_MAX_POINTS
        if not self.use_max_points_column:
            return default
        # A true (or unreadable) normalize value means the grades are
        # already normalized: the default max points apply.
        normalize_value = row.get(self.normalize_column or '')
        try:
            normalized = (normalize_value is None
                          or bool(int(normalize_value)))
        except (TypeError, ValueError):
            log.warning('Bool conversion error in normalize column %r',
                        self.normalize_column)
            normalized = True
        if normalized:
            return default
        max_points = row.get(self.max_points_column or '')
        if max_points is None:
            return default
        try:
            return float(max_points)
        except (TypeError, ValueError):
            log.warning('Floating point conversion error in max points '
                        'column %r', self.max_points_column)
            return default

    def _create_assignment(self, name: str, max_points: float) -> Any:
        """Create an assignment; after an attempt whose outcome is unknown,
        look it up by name before trying again (no duplicates)."""
        short_name = name[0:3] + name[-2:]
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                response = self.gradebook.create_assignment(
                    name, short_name, 1.0, max_points, CREATED_DUE_DATE)
            except AMBIGUOUS_ERRORS as err:
                log.warning('Creating assignment %s: %s; looking it up '
                            'before trying again', name, err)
                assignment_id, _ = self.gradebook.get_assignment_by_name(name)
                if assignment_id is not None:
                    return assignment_id
                if attempt == CREATE_ATTEMPTS:
                    raise
                continue
            data = response.get('data') if isinstance(response, dict) else None
            if not data or 'assignmentId' not in data:
                failure_message = (
                    'Error! Failed to create assignment {0}, got {1}'.format(
                        name, response))
                log.critical(failure_message)
                raise PyLmodFailedAssignmentCreation(failure_message)
            return data['assignmentId']
        raise AssertionError('unreachable')  # pragma: no cover

    def send(self, batch_size: int = DEFAULT_BATCH_SIZE,
             dry_run: bool = False) -> None:
        """Send the grades read, ``batch_size`` per ``multiGrades`` request.

        Stops at the first request that fails in transport: its grades are
        :data:`UNCONFIRMED`, the later ones :data:`NOT_SENT`, and the
        exception is re-raised with this report as ``upload_report``.
        """
        check_batch_size(batch_size)
        report, ledger = self.report, self.ledger
        if ledger.finished:
            raise RuntimeError('this upload has stopped already: make a new '
                               'GradeUpload to send its grades again')
        grades, statuses = ledger.grades, ledger.statuses
        if dry_run:
            statuses.extend([(DRY_RUN, '')] * len(grades))
            report.response = {'status': 1, 'message': 'dry run: not sent',
                               'data': {'numFailures': 0, 'results': []}}
            ledger.finished = True
            return
        # 1.0.x made one request even with no grade; so does one batch here.
        starts = range(0, len(grades), batch_size) or range(1)
        log.info('Data read from file, doing multiGrades API call '
                 '(%d grades in %d requests)', len(grades), len(starts))
        responses = []
        started = time.time()
        try:
            for start in starts:
                batch = grades[start:start + batch_size]
                try:
                    response = self.gradebook.multi_grade(batch)
                finally:
                    report.requests_sent += 1
                responses.append(response)
                statuses.extend(classify_multigrade_response(batch, response))
        except BaseException as err:  # an interrupt stops it half way too
            self._stop(err, batch_size)
            raise
        finally:
            ledger.finished = True
            report.duration = time.time() - started
            report.response = (merge_multigrade_responses(responses)
                               if responses else {})
        if statuses.count(CONFIRMED_STATUS) < len(statuses):
            lines = ledger.lines_with_status(
                status for status in STATUSES if status != CONFIRMED)
            log.warning('LMod did not confirm %d of %d grades (lines %s): '
                        'see the response\'s data.results or the upload '
                        'report', len(lines), len(grades),
                        _line_ranges(lines))
        if log.isEnabledFor(logging.INFO):
            log.info('multiGrades API calls done: %s', report.summary())

    def _stop(self, err: BaseException, batch_size: int) -> None:
        """The request of the grades past the ledger's statuses failed: they
        are unconfirmed, the grades after them not sent."""
        ledger = self.ledger
        failed = min(batch_size, len(ledger.grades) - len(ledger.statuses))
        ledger.statuses.extend([(UNCONFIRMED, str(err) or repr(err))]
                               * failed)
        self._stopped_by(err, 'not sent: an earlier request failed')
        unconfirmed = ledger.lines_with_status((UNCONFIRMED, NOT_SENT))
        log.error('Upload stopped by %s: %d of %d grades not confirmed '
                  '(lines %s)', type(err).__name__, len(unconfirmed),
                  len(ledger.grades), _line_ranges(unconfirmed))

    def _stopped_by(self, err: BaseException, not_sent_message: str) -> None:
        """Record the error that stopped the upload, on the report and the
        report on the error; the grades not sent get ``not_sent_message``."""
        self.ledger.not_sent_message = not_sent_message
        self.ledger.finished = True
        self.report.error = err
        err.upload_report = self.report  # type: ignore[attr-defined]


def check_batch_size(batch_size: int) -> None:
    """Raise ValueError unless ``batch_size`` is a positive number of
    grades."""
    if batch_size < 1:
        raise ValueError('batch_size must be at least 1, got {0}'.format(
            batch_size))


def _line_ranges(lines: Iterable[int]) -> str:
    """``[2, 3, 4, 9]`` -> ``'2-4, 9'``."""
    ranges: List[str] = []
    for _, group in itertools.groupby(
            enumerate(sorted(set(lines))), lambda pair: pair[1] - pair[0]):
        numbers = [line for _, line in group]
        ranges.append(str(numbers[0]) if len(numbers) == 1
                      else '{0}-{1}'.format(numbers[0], numbers[-1]))
    return ', '.join(ranges)
