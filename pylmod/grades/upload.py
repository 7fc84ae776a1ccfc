"""The spreadsheet upload: rows in, assignments resolved, grades sent.

:func:`upload_csv` opens a file and hands its rows to :func:`upload_rows`,
which drives a :class:`GradeUpload` as an
:class:`~pylmod.grades.options.UploadOptions` says
(:meth:`pylmod.GradeBook.spreadsheet2gradebook` and
``_spreadsheet2gradebook_multi`` build one and call them).  An upload takes
any object with the methods of
:class:`Gradebook` (a :class:`pylmod.GradeBook`, or a stand-in in a test):
students and assignments are fetched and indexed once, rows are read into
the grade ledger, and only once the whole file is read and checked are
missing assignments created (:mod:`pylmod.grades.creation`) and the grades
sent in batches; every grade ends with a known outcome in an
:class:`~pylmod.grades.report.UploadReport`.  An upload with safeguards
(``changes_only``, ``snapshot`` or ``safeguards`` of its options) reads
the students with their stored grades and hands over to its
:class:`~pylmod.grades.safeguards.Safeguards` between reading and the
first change, and for what to send.
"""
from __future__ import annotations

import itertools
import logging
from typing import (
    Any,
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
    NOT_SENT_INTERRUPTED,
    STATUSES,
    UNCONFIRMED,
)
from pylmod.grades.assignments import AssignmentBook, AssignmentResolver
from pylmod.grades.batches import DEFAULT_BATCH_SIZE, BatchSender, Progress
from pylmod.grades.creation import create_planned_assignments
from pylmod.grades.csvfile import open_grade_csv
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.options import UploadOptions
from pylmod.grades.plan import UNCHANGED_STATUS
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

    ``GradeUpload(gradebook, email_field, non_assignment_fields, ...)``
    takes the arguments of pylmod 2.0; :meth:`with_options` takes an
    :class:`~pylmod.grades.options.UploadOptions`, every option.

    Args:
        gradebook: the gradebook to upload to (a :class:`pylmod.GradeBook`
            or any :class:`Gradebook`).
        email_field: the column holding the student's email.
        non_assignment_fields: columns that are not assignments.
        approve_grades: as in
            :class:`~pylmod.grades.options.UploadOptions`, as are
            ``use_max_points_column``, ``max_points_column`` and
            ``normalize_column``.
        report: the :class:`~pylmod.grades.report.UploadReport` to fill (a
            new one by default).

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
                 report: Optional[UploadReport] = None) -> None:
        self._start(gradebook, UploadOptions(
            email_field=email_field,
            non_assignment_fields=tuple(non_assignment_fields),
            approve_grades=approve_grades,
            use_max_points_column=use_max_points_column,
            max_points_column=max_points_column,
            normalize_column=normalize_column), report)

    @classmethod
    def with_options(cls, gradebook: Gradebook, options: UploadOptions,
                     report: Optional[UploadReport] = None) -> GradeUpload:
        """The upload to ``gradebook`` that ``options`` describe, filling
        ``report`` (a new one by default).

        A grade of ``options.resume_from`` (same student, column and value)
        is not sent; it is in the report's ``already_confirmed``.
        """
        upload = cls.__new__(cls)
        upload._start(gradebook, options, report)
        return upload

    def _start(self, gradebook: Gradebook, options: UploadOptions,
               report: Optional[UploadReport]) -> None:
        self.gradebook = gradebook
        self.options = options
        self.confirmed_before = confirmed_grades(options.resume_from)
        #: The :class:`~pylmod.grades.safeguards.Safeguards` of the upload
        #: (``None``: none, as PyLmod 1.0.x); its ``plan`` is there once
        #: :meth:`read` is.
        self.safeguards = Safeguards.of_options(options)
        self.report = report if report is not None else UploadReport()
        self.ledger = GradeLedger()
        self.report._add_pending(self.ledger)

    def read(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Turn rows into grades; once they are all read, create the
        missing assignments that hold a grade (unless ``dry_run``).

        ``rows`` are dictionaries (a :class:`csv.DictReader`, a list of
        dicts, any iterable of mappings).

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
        options = self.options
        try:
            use_columns = options.use_max_points_column
            resolver = AssignmentResolver(
                self.gradebook, report.created_assignments, options.dry_run,
                options.max_points_column if use_columns else None,
                options.normalize_column if use_columns else None)
            safeguards = self.safeguards
            # One read of the students: with their stored grades when the
            # upload is planned against them.
            students = list(self.gradebook.get_students() if safeguards is None
                            else self.gradebook.get_students(
                                include_grade_info=True))
            RowReader(self.ledger, report, index_students(students),
                      options.email_column,
                      options.columns_not_assignments(),
                      options.approve_grades, resolver.plan,
                      self.confirmed_before).read(rows)
            if safeguards is not None:
                stage = 'checking against the stored grades'
                safeguards.before_changes(self.gradebook, self.ledger,
                                          resolver, students, options.dry_run)
            stage = 'creating assignments'
            create_planned_assignments(resolver, self.ledger, report,
                                       options.max_new_assignments)
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
        report, ledger, safeguards = self.report, self.ledger, self.safeguards
        grades, statuses, progress = (
            (ledger.grades, ledger.statuses, progress) if safeguards is None
            else safeguards.sending(ledger, progress))
        every_grade = statuses is ledger.statuses
        sender = BatchSender(self.gradebook.multi_grade, batch_size,
                             dry_run=self.options.dry_run,
                             statuses=statuses, progress=progress)
        if ledger.finished:
            raise RuntimeError('this upload has stopped already: make a new '
                               'GradeUpload to send its grades again')
        if not self.options.dry_run:
            log.info('Data read from file, doing multiGrades API call '
                     '(%d grades in %d requests)', len(grades),
                     sender.request_count(len(grades), every_grade))
        try:
            try:
                # 1.0.x made one request even with no grade; so does this
                # (a changes-only upload makes none).
                sender.send(grades, at_least_one=every_grade)
            finally:
                if safeguards is not None:
                    safeguards.sent(ledger)
        except BaseException as err:
            self._stopped_by(err, NOT_SENT_INTERRUPTED
                             if isinstance(err, KeyboardInterrupt)
                             else NOT_SENT_AFTER_FAILURE)
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
        if not self.options.dry_run:
            self._log_outcome()

    def _log_outcome(self) -> None:
        ledger = self.ledger
        statuses = ledger.statuses
        # (The grades LMod held already are no failure: counted, not walked.)
        if (statuses.count(CONFIRMED_STATUS) + statuses.count(UNCHANGED_STATUS)
                < len(statuses)):
            lines = ledger.lines_with_status(
                status for status in STATUSES if status != CONFIRMED)
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
                options: Optional[UploadOptions] = None, *,
                report: Optional[UploadReport] = None,
                progress: Optional[Progress] = None,
                ) -> Tuple[Dict[str, Any], float]:
    """Upload rows of a grade spreadsheet to ``gradebook``: read them all,
    create the assignments they need, send the grades.

    Args:
        gradebook: a :class:`pylmod.GradeBook` or any :class:`Gradebook`.
        rows: dictionaries (a :class:`csv.DictReader`, a list of dicts).
        options: what to do (:class:`~pylmod.grades.options.UploadOptions`;
            the defaults when ``None``).  Its ``delimiter`` and
            ``encoding`` are a file's: rows do not use them.
        report: the :class:`~pylmod.grades.report.UploadReport` to fill.
        progress: ``progress(sent, confirmed, total)``, called before the
            first ``multiGrades`` request and after each.

    Returns:
        tuple: ``(response, seconds)``: the merged ``multiGrades`` response
        and the time spent in ``multiGrades`` requests.

    Raises:
        PyLmodCSVError: the rows cannot be read as meant (see
            :meth:`GradeUpload.read`); nothing was created or sent.
    """
    upload = GradeUpload.with_options(
        gradebook, options if options is not None else UploadOptions(),
        report)
    upload.read(rows)
    upload.send(upload.options.batch_size, progress)
    return upload.report.response, upload.report.duration


def upload_csv(gradebook: Gradebook, csv_file: Any,
               options: Optional[UploadOptions] = None, *,
               report: Optional[UploadReport] = None,
               progress: Optional[Progress] = None,
               ) -> Tuple[Dict[str, Any], float]:
    """Open a grade file (its ``options.delimiter`` and ``encoding``) and
    upload its rows with :func:`upload_rows`.

    Args:
        gradebook: a :class:`pylmod.GradeBook` or any :class:`Gradebook`.
        csv_file: a path or an open file, text or binary (see
            :func:`~pylmod.grades.csvfile.open_grade_csv`).
        options, report, progress: as for :func:`upload_rows`.

    Returns:
        tuple: as for :func:`upload_rows`.
    """
    if options is None:
        options = UploadOptions()
    with open_grade_csv(csv_file, options.delimiter,
                        options.encoding) as rows:
        return upload_rows(gradebook, rows, options, report=report,
                           progress=progress)


def _line_ranges(lines: Iterable[int]) -> str:
    """``[2, 3, 4, 9]`` -> ``'2-4, 9'``."""
    ranges: List[str] = []
    for _, group in itertools.groupby(
            enumerate(sorted(set(lines))), lambda pair: pair[1] - pair[0]):
        numbers = [line for _, line in group]
        ranges.append(str(numbers[0]) if len(numbers) == 1
                      else '{0}-{1}'.format(numbers[0], numbers[-1]))
    return ', '.join(ranges)
