"""Grade spreadsheets to LMod: checking, batching, and the report.

:meth:`pylmod.GradeBook.spreadsheet2gradebook` is built from the pieces here
(reading the file is :mod:`pylmod.spreadsheet`).
Students and assignments are indexed once (by lower-cased email and by
name), rows are streamed, and every grade the caller asked to send ends with
a known outcome in an :class:`UploadReport`.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import math
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

#: Errors after which a request may or may not have reached LMod.
AMBIGUOUS_ERRORS = (requests.RequestException, PyLmodBadResponse)


class GradeOutcome:
    """One grade from the spreadsheet and what became of it.

    (A plain class with ``__slots__``: an upload holds one per grade.)

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
    stops an upload half way.

    Attributes:
        rows_read: data rows read from the file.
        grades: one :class:`GradeOutcome` per grade sent (or to send).
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

    def with_status(self, status: str) -> List[GradeOutcome]:
        """Return the grades whose outcome is ``status``."""
        return [grade for grade in self.grades if grade.status == status]

    @property
    def ok(self) -> bool:
        """True when every grade was confirmed (or it was a dry run)."""
        return all(grade.status in (CONFIRMED, DRY_RUN)
                   for grade in self.grades)

    def summary(self) -> Dict[str, int]:
        """Return the counts of the report, e.g. for a log line or a CLI."""
        counts = {
            'rows read': self.rows_read,
            'grades': len(self.grades),
            'unknown emails': len(self.unknown_emails),
            'skipped cells': len(self.skipped_cells),
            'duplicates': len(self.duplicates),
            'assignments created': len(self.created_assignments),
            'requests': self.requests_sent,
        }
        for status in (CONFIRMED, FAILED, UNCONFIRMED, NOT_SENT, DRY_RUN):
            counts[status] = len(self.with_status(status))
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
            return [(CONFIRMED, '')] * len(grades)
    failed = {(entry.get('studentId'), entry.get('assignmentId')): entry
              for entry in results}
    outcomes = []
    for grade in grades:
        entry = failed.get((grade.get('studentId'), grade.get('assignmentId')))
        if entry is None:
            outcomes.append((CONFIRMED, ''))
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
            num_failures += data.get('numFailures') or 0
            results.extend(data.get('results') or [])
    merged['data'] = {'numFailures': num_failures, 'results': results}
    return merged


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
        self._grades: Dict[Tuple[Any, Any], GradeOutcome] = {}
        self._assignment_ids: Dict[str, Any] = {}
        self._columns_by_header: Dict[
            Tuple[Any, ...], List[Tuple[str, Any]]] = {}
        self._assignment_by_name: Dict[str, Mapping[str, Any]] = {}
        self._dry_run = False

    def read(self, rows: Iterable[Mapping[str, Any]],
             dry_run: bool = False) -> None:
        """Turn rows into grades, creating missing assignments (unless
        ``dry_run``)."""
        self._dry_run = dry_run
        self._assignment_by_name = index_assignments(
            self.gradebook.get_assignments())
        student_by_email = index_students(self.gradebook.get_students())
        self._check_email_column(header_columns(rows), 1)
        with _cyclic_gc_paused():
            self._read_rows(rows, student_by_email)

    def _read_rows(self, rows: Iterable[Mapping[str, Any]],
                   student_by_email: Mapping[str, Mapping[str, Any]]
                   ) -> None:
        # The loop runs once per cell of a class that may have 100,000
        # students: the hot path keeps its names local.
        report, grades = self.report, self._grades
        approve_grades = self.approve_grades
        columns_by_header = self._columns_by_header
        for line, row in numbered_rows(rows):
            report.rows_read += 1
            if self.email_field not in row:
                self._check_email_column(list(row), line)
            email = row[self.email_field]
            student = student_by_email.get(str(email or '').strip().lower())
            if student is None:
                report.unknown_emails.append((line, email))
                log.warning('Error in spreadsheet2gradebook: line %d matches '
                            'no student of the gradebook', line)
                log.debug('line %d: no student with email %r', line, email)
                continue
            student_id = student['studentId']
            columns = columns_by_header.get(tuple(row))
            if columns is None:
                columns = self._grade_columns(row)
            for column, assignment_id in columns:
                value = row[column]
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    number = math.nan
                if number - number != 0.0:  # not a finite number
                    self._skip(line, column, value, parse_grade(value)[1])
                    continue
                grade = {
                    'studentId': student_id,
                    'assignmentId': assignment_id,
                    'numericGradeValue': number,
                    'mode': 2,
                    'isGradeApproved': approve_grades,
                }
                # One grade per student and column: a later row of the same
                # student replaces it.  (Not per assignment id: in a dry run
                # every assignment still to create has none.)
                key = (student_id, column)
                earlier = grades.get(key)
                if earlier is None:
                    grades[key] = GradeOutcome(line, email, column, grade)
                else:
                    self._replace(earlier, line, email, column, grade)
            if None in row:  # csv.DictReader's key for surplus cells
                report.skipped_cells.append(SkippedCell(
                    line, '', row[None],  # type: ignore[index]
                    'more cells than header columns'))

    def _grade_columns(self, row: Mapping[str, Any]) -> List[Tuple[str, Any]]:
        """Return ``(column, assignmentId)`` of the row's assignment
        columns, resolving (and creating) assignments, and remember them for
        the rows with the same header: every row of a CSV file has it."""
        header = tuple(row)
        columns = [(column, self._assignment_id(column, row))
                   for column in header
                   if isinstance(column, str)
                   and column not in self.excluded_fields]
        self._columns_by_header[header] = columns
        return columns

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

    def _replace(self, earlier: GradeOutcome, line: int, email: str,
                 column: str, grade: Dict[str, Any]) -> None:
        """A later row of the same student replaces the cell's grade."""
        self.report.duplicates.append((line, earlier.line, column))
        log.warning('line %d, column %r replaces the grade of line %d',
                    line, column, earlier.line)
        earlier.grade.update(grade)
        earlier.line, earlier.email = line, email

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
        if batch_size < 1:
            raise ValueError('batch_size must be at least 1, got {0}'.format(
                batch_size))
        report = self.report
        outcomes = list(self._grades.values())
        report.grades.extend(outcomes)
        if dry_run:
            for outcome in outcomes:
                outcome.status = DRY_RUN
            report.response = {'status': 1, 'message': 'dry run: not sent',
                               'data': {'numFailures': 0, 'results': []}}
            return
        # 1.0.x made one request even with no grade; so does one batch here.
        batches = [outcomes[start:start + batch_size]
                   for start in range(0, len(outcomes), batch_size)] or [[]]
        log.info('Data read from file, doing multiGrades API call '
                 '(%d grades in %d requests)', len(outcomes), len(batches))
        responses = []
        started = time.time()
        try:
            for batch in batches:
                grades = [outcome.grade for outcome in batch]
                try:
                    response = self.gradebook.multi_grade(grades)
                finally:
                    report.requests_sent += 1
                responses.append(response)
                for outcome, (status, message) in zip(
                        batch, classify_multigrade_response(grades, response)):
                    outcome.status, outcome.message = status, message
        except Exception as err:
            self._stop(err, batches[len(responses)], outcomes)
            raise
        finally:
            report.duration = time.time() - started
            report.response = (merge_multigrade_responses(responses)
                               if responses else {})
        if log.isEnabledFor(logging.INFO):
            log.info('multiGrades API calls done: %s', report.summary())

    def _stop(self, err: Exception, failed_batch: List[GradeOutcome],
              outcomes: List[GradeOutcome]) -> None:
        for outcome in failed_batch:
            outcome.status, outcome.message = UNCONFIRMED, str(err)
        for outcome in outcomes:
            if outcome.status == NOT_SENT:
                outcome.message = 'not sent: an earlier request failed'
        self.report.error = err
        err.upload_report = self.report  # type: ignore[attr-defined]
        unconfirmed = [outcome.line for outcome in outcomes
                       if outcome.status in (UNCONFIRMED, NOT_SENT)]
        log.error('Upload stopped by %s: %d of %d grades not confirmed '
                  '(lines %s)', type(err).__name__, len(unconfirmed),
                  len(outcomes), _line_ranges(unconfirmed))


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the rows of a large
    class become grades.

    That loop builds a few objects per grade and none of them form cycles;
    with the collector running, its repeated passes over the growing heap
    cost about a third of the time for 100,000 students.  Reference
    counting still frees everything.  The pause is process-wide, so it
    covers only that loop (well under a second for 100,000 students; the
    requests to LMod are outside it), and the collector's previous state is
    restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _line_ranges(lines: Iterable[int]) -> str:
    """``[2, 3, 4, 9]`` -> ``'2-4, 9'``."""
    ranges: List[str] = []
    for _, group in itertools.groupby(
            enumerate(sorted(set(lines))), lambda pair: pair[1] - pair[0]):
        numbers = [line for _, line in group]
        ranges.append(str(numbers[0]) if len(numbers) == 1
                      else '{0}-{1}'.format(numbers[0], numbers[-1]))
    return ', '.join(ranges)
