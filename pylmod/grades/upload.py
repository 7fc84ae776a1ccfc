"""The spreadsheet upload: rows in, assignments resolved, grades sent.

:meth:`pylmod.GradeBook.spreadsheet2gradebook` is :func:`upload_csv` and
``_spreadsheet2gradebook_multi`` is :func:`upload_rows`.  Both drive a
:class:`GradeUpload`, which takes any object with the methods of
:class:`Gradebook` (a :class:`pylmod.GradeBook`, or a stand-in in a test):
students and assignments are fetched and indexed once, rows are read into
the grade ledger, and only once the whole file is read and checked are
missing assignments created (:mod:`pylmod.grades.creation`) and the grades
sent in batches; every grade ends with a known outcome in an
:class:`~pylmod.grades.report.UploadReport`.
"""
from __future__ import annotations

import itertools
import logging
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
)

from pylmod.grades.answers import (
    CONFIRMED,
    CONFIRMED_STATUS,
    NOT_SENT,
    NOT_SENT_AFTER_FAILURE,
    STATUSES,
    UNCONFIRMED,
)
from pylmod.grades.assignments import AssignmentBook, AssignmentResolver
from pylmod.grades.batches import (
    DEFAULT_BATCH_SIZE,
    BatchSender,
    Progress,
    check_batch_size,
)
from pylmod.grades.creation import (
    MAX_NEW_ASSIGNMENTS,
    create_planned_assignments,
)
from pylmod.grades.csvfile import (
    DEFAULT_EMAIL_FIELD,
    NON_ASSIGNMENT_FIELDS,
    open_grade_csv,
)
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.report import UploadReport
from pylmod.grades.resume import confirmed_grades
from pylmod.grades.rows import RowReader
from pylmod.grades.safeguards import Safeguards
from pylmod.grades.students import index_students

log = logging.getLogger(__name__)


class Gradebook(AssignmentBook, Protocol):
    """What an upload needs of a gradebook: the methods of
    :class:`pylmod.GradeBook` it calls, for the gradebook the object is
    bound to (those of :class:`~pylmod.grades.assignments.AssignmentBook`,
    and these)."""

    def get_students(self, *, include_grade_info: bool = ...
                     ) -> Iterable[Mapping[str, Any]]:
        """The students (see :ref:`shape-student`), with their stored
        grades when ``include_grade_info``."""

    def multi_grade(self, grade_array: Sequence[Mapping[str, Any]]) -> Any:
        """Send one ``multiGrades`` array; return LMod's answer."""


class GradeUpload:
    """One spreadsheet upload: :meth:`read` rows into grades, then
    :meth:`send` them.

    Args:
        gradebook: the gradebook to upload to (a :class:`pylmod.GradeBook`
            or any :class:`Gradebook`).
        email_field: the column holding the student's email.
        non_assignment_fields: columns that are not assignments.
        approve_grades: send the grades as approved.
        use_max_points_column: take the max points of a created assignment
            from ``max_points_column`` when ``normalize_column`` is 0.
        max_points_column, normalize_column: those columns' names.
        report: the :class:`~pylmod.grades.report.UploadReport` to fill (a
            new one by default).
        dry_run: create no assignment and send no grade.
        max_new_assignments: the most assignments to create
            (:data:`~pylmod.grades.creation.MAX_NEW_ASSIGNMENTS`, 20, by
            default; ``None``: any number).
        resume_from: the grades not to send again: an
            :class:`~pylmod.grades.report.UploadReport` of an upload that
            stopped (its confirmed grades), or ``(email, assignment) ->
            value`` (see :meth:`UploadReport.confirmed_grades
            <pylmod.grades.report.UploadReport.confirmed_grades>`).  A
            grade of the same student, column and value is not sent; it is
            in the report's ``already_confirmed``.
        safeguards: plan the upload against the grades LMod stores, send
            only the changes, write a snapshot first (see
            :class:`~pylmod.grades.safeguards.Safeguards`; ``None``: none,
            as PyLmod 1.0.x).  Its ``plan`` is there once :meth:`read` is.

    Raises:
        ValueError: ``use_max_points_column`` without both column names.

    Example:

    .. code-block:: python

        upload = GradeUpload(gradebook, 'External email', ['Full Name'])
        upload.read([{'External email': 'a@example.edu', 'Quiz 1': '7'}])
        upload.send(batch_size=5000)
        print(upload.report.summary())
    """

    def __init__(self, gradebook: Gradebook, email_field: str,
                 non_assignment_fields: Iterable[str],
                 approve_grades: bool = False,
                 use_max_points_column: bool = False,
                 max_points_column: Optional[str] = None,
                 normalize_column: Optional[str] = None,
                 report: Optional[UploadReport] = None,
                 dry_run: bool = False,
                 max_new_assignments: Optional[int] = MAX_NEW_ASSIGNMENTS,
                 resume_from: Any = None,
                 safeguards: Optional[Safeguards] = None) -> None:
        if use_max_points_column:
            for name, value in (('max_points_column', max_points_column),
                                ('normalize_column', normalize_column)):
                if value is None:
                    raise ValueError(
                        '{0} must be set if use_max_points_column is set'
                        .format(name))
        self.gradebook = gradebook
        self.email_field = email_field
        self.non_assignment_fields = list(non_assignment_fields)
        self.approve_grades = approve_grades
        self.use_max_points_column = use_max_points_column
        self.max_points_column = max_points_column
        self.normalize_column = normalize_column
        self.dry_run = dry_run
        self.max_new_assignments = max_new_assignments
        self.confirmed_before = confirmed_grades(resume_from)
        self.safeguards = safeguards
        self.report = report if report is not None else UploadReport()
        self.ledger = GradeLedger()
        self.report._add_pending(self.ledger)

    def read(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Turn rows into grades; once they are all read, create the
        missing assignments that hold a grade (unless ``dry_run``).

        ``rows`` are dictionaries (a :class:`csv.DictReader`, a list of
        dicts, any iterable of mappings); a plain :class:`csv.DictReader`
        is read through its underlying reader, a list per row, with the
        same result.

        An error stops the upload: the grades read before it are
        :data:`~pylmod.grades.answers.NOT_SENT`, and the exception is
        re-raised with the report as ``upload_report``.  An error while
        reading stops it before any change to the gradebook.

        Raises:
            PyLmodCSVError: the rows cannot be read as meant (decoding,
                syntax, header); nothing was created or sent.
            PyLmodTooManyNewAssignments: they need more new assignments
                than ``max_new_assignments``; nothing was created or sent.
            PyLmodDuplicateAssignment: a column names several assignments
                of the gradebook; nothing was created or sent.
        """
        report = self.report
        report.response, report.duration, report.error = {}, 0.0, None
        stage = 'while reading'
        try:
            use_columns = self.use_max_points_column
            resolver = AssignmentResolver(
                self.gradebook, report.created_assignments, self.dry_run,
                self.max_points_column if use_columns else None,
                self.normalize_column if use_columns else None)
            safeguards = self.safeguards
            students = list(self.gradebook.get_students() if safeguards is None
                            else self.gradebook.get_students(
                                include_grade_info=True))
            RowReader(self.ledger, report, index_students(students),
                      self.email_field, self.non_assignment_fields,
                      self.approve_grades, resolver.plan,
                      self.confirmed_before).read(rows)
            if safeguards is not None:
                stage = 'checking against the stored grades'
                safeguards.before_changes(self.gradebook, self.ledger,
                                          resolver, students, self.dry_run)
            stage = 'creating assignments'
            create_planned_assignments(resolver, self.ledger, report,
                                       self.max_new_assignments)
        except BaseException as err:
            self._stopped_by(err, 'not sent: the upload stopped {0} '
                                  '({1})'.format(stage, type(err).__name__))
            raise

    def send(self, batch_size: int = DEFAULT_BATCH_SIZE,
             progress: Optional[Progress] = None) -> None:
        """Send the grades read, ``batch_size`` per ``multiGrades`` request
        (in a dry run, none).

        ``progress(sent, confirmed, total)`` is called before the first
        request and after each one (see
        :class:`~pylmod.grades.batches.BatchSender`).

        Stops at the first request that fails in transport: its grades are
        :data:`~pylmod.grades.answers.UNCONFIRMED`, the later ones
        :data:`~pylmod.grades.answers.NOT_SENT`, and the exception is
        re-raised with this report as ``upload_report``.

        Raises:
            ValueError: ``batch_size`` is less than 1.
            RuntimeError: the upload has stopped already.
        """
        report, ledger = self.report, self.ledger
        changes = (None if self.safeguards is None
                   else self.safeguards.grades_to_send(ledger))
        grades = ledger.grades if changes is None else changes
        sender = BatchSender(self.gradebook.multi_grade, batch_size,
                             dry_run=self.dry_run,
                             statuses=ledger.statuses if changes is None
                             else [], progress=progress)
        if ledger.finished:
            raise RuntimeError('this upload has stopped already: make a new '
                               'GradeUpload to send its grades again')
        if not self.dry_run:
            log.info('Data read from file, doing multiGrades API call '
                     '(%d grades in %d requests)', len(grades),
                     sender.request_count(len(grades), changes is None))
        try:
            try:
                # 1.0.x made one request even with no grade; so does this
                # (a changes-only upload makes none).
                sender.send(grades, at_least_one=changes is None)
            finally:
                if changes is not None:  # the unchanged grades' statuses
                    self.safeguards.plan.fill_statuses(  # type: ignore
                        ledger.statuses, sender.statuses)
        except BaseException as err:
            self._stopped_by(err, NOT_SENT_AFTER_FAILURE)
            unconfirmed = ledger.lines_with_status((UNCONFIRMED, NOT_SENT))
            log.error('Upload stopped by %s: %d of %d grades not confirmed '
                      '(lines %s)', type(err).__name__, len(unconfirmed),
                      len(ledger.grades), _line_ranges(unconfirmed))
            raise
        finally:
            ledger.finished = True
            report.requests_sent += sender.requests_sent
            report.duration = sender.seconds
            report.response = sender.response()
        if not self.dry_run:
            self._log_outcome()

    def _log_outcome(self) -> None:
        ledger = self.ledger
        if ledger.statuses.count(CONFIRMED_STATUS) < len(ledger.statuses):
            lines = ledger.lines_with_status(
                status for status in STATUSES if status != CONFIRMED)
        else:
            lines = []
        if lines:  # (not the grades LMod held already)
            log.warning('LMod did not confirm %d of %d grades (lines %s): '
                        'see the response\'s data.results or the upload '
                        'report', len(lines), len(ledger.grades),
                        _line_ranges(lines))
        if log.isEnabledFor(logging.INFO):
            log.info('multiGrades API calls done: %s', self.report.summary())

    def _stopped_by(self, err: BaseException, not_sent_message: str) -> None:
        """Record the error that stopped the upload, on the report and the
        report on the error; the grades not sent get ``not_sent_message``."""
        self.ledger.not_sent_message = not_sent_message
        self.ledger.finished = True
        self.report.error = err
        err.upload_report = self.report  # type: ignore[attr-defined]


def upload_rows(gradebook: Gradebook, rows: Iterable[Mapping[str, Any]],
                email_field: str, non_assignment_fields: Iterable[str],
                approve_grades: bool = False,
                use_max_points_column: bool = False,
                max_points_column: Optional[str] = None,
                normalize_column: Optional[str] = None, *,
                batch_size: Optional[int] = None, dry_run: bool = False,
                report: Optional[UploadReport] = None,
                progress: Optional[Progress] = None,
                max_new_assignments: Optional[int] = MAX_NEW_ASSIGNMENTS,
                resume_from: Any = None, changes_only: bool = False,
                snapshot: Optional[str] = None,
                safeguards: Optional[Safeguards] = None
                ) -> Tuple[Dict[str, Any], float]:
    """Upload rows of a grade spreadsheet: what
    ``GradeBook._spreadsheet2gradebook_multi`` does (see
    :meth:`pylmod.GradeBook.spreadsheet2gradebook` for the arguments).

    ``changes_only`` and ``snapshot`` make the
    :class:`~pylmod.grades.safeguards.Safeguards` of the upload, unless
    ``safeguards`` is given (whose ``plan`` and ``snapshot_path`` the caller
    reads afterwards).

    Returns:
        tuple: ``(response, seconds)``: the merged ``multiGrades`` response
        and the time spent in ``multiGrades`` requests.
    """
    # 0 is a mistake to report (before any request), not the default.
    if batch_size is None:
        batch_size = DEFAULT_BATCH_SIZE
    check_batch_size(batch_size)
    if safeguards is None and (changes_only or snapshot is not None):
        safeguards = Safeguards(changes_only, snapshot)
    upload = GradeUpload(
        gradebook, email_field, non_assignment_fields,
        approve_grades=approve_grades,
        use_max_points_column=use_max_points_column,
        max_points_column=max_points_column,
        normalize_column=normalize_column, report=report, dry_run=dry_run,
        max_new_assignments=max_new_assignments, resume_from=resume_from,
        safeguards=safeguards)
    upload.read(rows)
    upload.send(batch_size, progress)
    return upload.report.response, upload.report.duration


def upload_csv(upload: Callable[..., Tuple[Dict[str, Any], float]],
               csv_file: Any, email_field: Optional[str] = None,
               max_points_column: Optional[str] = None,
               normalize_column: Optional[str] = None,
               delimiter: Optional[str] = None,
               encoding: Optional[str] = None,
               **options: Any) -> Tuple[Dict[str, Any], float]:
    """Open a grade file and hand its rows to ``upload``: what
    :meth:`pylmod.GradeBook.spreadsheet2gradebook` does.

    The columns that are not assignments are
    :data:`~pylmod.grades.csvfile.NON_ASSIGNMENT_FIELDS`,
    ``max_points_column``, ``normalize_column`` and ``email_field``, when
    given.

    Args:
        upload: takes ``(rows, email_field, non_assignment_fields,
            max_points_column=..., normalize_column=..., **options)``: the
            gradebook's ``_spreadsheet2gradebook_multi`` (which 1.0.x code
            may override), a :func:`upload_rows` in the end.
        csv_file: a path or an open file, text or binary (see
            :func:`~pylmod.grades.csvfile.open_grade_csv`).
        email_field: the email column (default ``External email``).
        max_points_column, normalize_column: as for :func:`upload_rows`.
        delimiter: the CSV delimiter (default: guessed).
        encoding: the encoding of a path or binary file (default UTF-8).
        options: the other keyword arguments of :func:`upload_rows`.
    """
    non_assignment_fields = list(NON_ASSIGNMENT_FIELDS) + [
        column for column in (max_points_column, normalize_column,
                              email_field) if column is not None]
    with open_grade_csv(csv_file, delimiter, encoding) as rows:
        return upload(rows, email_field or DEFAULT_EMAIL_FIELD,
                      non_assignment_fields,
                      max_points_column=max_points_column,
                      normalize_column=normalize_column, **options)


def _line_ranges(lines: Iterable[int]) -> str:
    """``[2, 3, 4, 9]`` -> ``'2-4, 9'``."""
    ranges: List[str] = []
    for _, group in itertools.groupby(
            enumerate(sorted(set(lines))), lambda pair: pair[1] - pair[0]):
        numbers = [line for _, line in group]
        ranges.append(str(numbers[0]) if len(numbers) == 1
                      else '{0}-{1}'.format(numbers[0], numbers[-1]))
    return ', '.join(ranges)
