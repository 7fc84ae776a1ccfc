"""The report of an upload: what became of every grade, cell and row."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Protocol,
    Tuple,
    overload,
)

from pylmod.grades.answers import CONFIRMED, DRY_RUN, NOT_SENT, STATUSES

#: The status of a grade a resumed upload did not send again: the report it
#: resumed shows it confirmed, with the same value.
ALREADY_CONFIRMED = 'already confirmed'
#: The status of a grade a changes-only upload did not send: LMod holds the
#: same number, approved the same way (see :mod:`pylmod.grades.plan`).
UNCHANGED = 'unchanged'


class GradeOutcome:
    """One grade from the spreadsheet and what became of it.

    (A plain class with ``__slots__``: a report holds one per grade, once
    read.)

    Attributes:
        line: the line of the CSV file (the header is line 1).
        email: the student's email as written in the file.
        assignment: the column (assignment name).
        grade: the grade as sent to ``multiGrades``.
        status: :data:`~pylmod.grades.answers.CONFIRMED`,
            :data:`~pylmod.grades.answers.FAILED`,
            :data:`~pylmod.grades.answers.UNCONFIRMED`,
            :data:`~pylmod.grades.answers.NOT_SENT` or
            :data:`~pylmod.grades.answers.DRY_RUN`.
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
    """A cell that was not sent: empty, not a number, not finite, in a row
    of the wrong width, or in a column without a name.

    Attributes:
        line: the line of the CSV file.
        column: the column (``''`` beyond the header).
        value: the cell as read.
        reason: why it was not sent.
        email: the email of its row as written (``None`` when the row has
            no email cell).
    """

    line: int
    column: str
    value: Any
    reason: str
    email: Any = ''


class PendingGrades(Protocol):
    """The grades of one upload, before their records are built (a
    :class:`~pylmod.grades.ledger.GradeLedger`)."""

    #: True once every grade has its outcome.
    finished: bool

    def outcomes(self) -> List[GradeOutcome]:
        """One record per grade, in file order."""

    def status_counts(self) -> Dict[str, int]:
        """How many grades have each outcome."""

    def answered(self, start: int = 0,
                 record: Callable[..., Any] = GradeOutcome) -> List[Any]:
        """The records of the grades from the ``start``-th on whose outcome
        is known, in file order, each ``record(line, email, column, grade,
        status, message)``."""


class _Records:
    """The grades of a report: the records built so far, and the uploads
    whose records are not built yet."""

    __slots__ = ('built', 'pending')

    def __init__(self, built: List[GradeOutcome]) -> None:
        self.built = built
        self.pending: List[PendingGrades] = []


class _GradesField:
    """The ``grades`` field of :class:`UploadReport`.

    An upload hands the report its grades compactly (a
    :class:`PendingGrades`); the :class:`GradeOutcome` records are built
    when the field is first read after the upload stopped, and kept (an
    upload of 100,000 students does not pay for half a million records
    nobody reads).  Read before, they are built anew at each read, as they
    still change.  The field keeps its :class:`_Records` in the report's
    ``__dict__``, out of the dataclass's fields.
    """

    @staticmethod
    def records(report: 'UploadReport') -> _Records:
        """The records of a report."""
        return vars(report)['_records']  # type: ignore[no-any-return]

    @overload
    def __get__(self, report: None, owner: Any) -> Tuple[()]: ...

    @overload
    def __get__(self, report: 'UploadReport', owner: Any
                ) -> List[GradeOutcome]: ...

    def __get__(self, report: Optional['UploadReport'], owner: Any) -> Any:
        if report is None:
            return ()  # the default of the field: no grades
        records = self.records(report)
        pending = records.pending
        if not pending:
            return records.built
        built = [outcome for grades in pending
                 for outcome in grades.outcomes()]
        if not all(grades.finished for grades in pending):
            return records.built + built
        records.built.extend(built)
        pending.clear()
        return records.built

    def __set__(self, report: 'UploadReport',
                grades: Iterable[GradeOutcome]) -> None:
        vars(report)['_records'] = _Records(
            grades if isinstance(grades, list) else list(grades))


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
            for half a million records nobody reads).
        skipped_cells: cells not sent, with the reason.
        unknown_emails: ``(line, email)`` of rows matching no student.
        duplicates: ``(line, earlier_line, assignment)`` for each cell that
            replaced the value of an earlier row of the same student.
        created_assignments: ``name -> assignmentId`` of assignments created
            (``None`` in a dry run: they would be created).  An assignment
            is created after the whole file is read, and only for a column
            that holds a grade to send.
        columns_without_grades: columns naming no assignment of the
            gradebook that hold no grade to send: no assignment was created
            for them.
        already_confirmed: the grades a resumed upload did not send again
            (``resume_from``), status :data:`ALREADY_CONFIRMED`.
        requests_sent: ``multiGrades`` requests made.
        response: the merged ``multiGrades`` response.
        duration: seconds spent in ``multiGrades`` requests.
        error: the exception that stopped the upload, if any.

    Example:

    .. code-block:: python

        report = UploadReport()
        gradebook.spreadsheet2gradebook('grades.csv', report=report)
        if not report.ok:
            for grade in report.with_status(FAILED):
                print(grade.line, grade.assignment, grade.message)
    """

    rows_read: int = 0
    grades: List[GradeOutcome] = _GradesField()  # type: ignore[assignment]
    skipped_cells: List[SkippedCell] = field(default_factory=list)
    unknown_emails: List[Tuple[int, str]] = field(default_factory=list)
    duplicates: List[Tuple[int, int, str]] = field(default_factory=list)
    created_assignments: Dict[str, Any] = field(default_factory=dict)
    requests_sent: int = 0
    response: Dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    error: Optional[BaseException] = None
    columns_without_grades: List[str] = field(default_factory=list)
    already_confirmed: List[GradeOutcome] = field(default_factory=list)

    def _add_pending(self, grades: PendingGrades) -> None:
        """Add the grades of an upload given this report (for
        :class:`~pylmod.grades.upload.GradeUpload`)."""
        _GradesField.records(self).pending.append(grades)

    def answered_grades(self, start: int = 0,
                        record: Callable[..., Any] = GradeOutcome
                        ) -> List[Any]:
        """Return the grades from the ``start``-th on (in :attr:`grades`
        order) whose outcome is known so far, without building the
        others' records: what a report written while the upload runs
        adds after each request (``pylmod upload`` streams its
        ``--report`` file so).

        Args:
            start: how many grades were taken already.
            record: builds each record from ``(line, email, column, grade,
                status, message)``: a :class:`GradeOutcome` by default (a
                report file may take plain rows, which cost less).

        Example:

        .. code-block:: python

            written = 0
            def progress(sent, confirmed, total):
                global written
                new = report.answered_grades(written)
                written += len(new)
                save(new)
        """
        records = _GradesField.records(self)
        answered: List[Any] = [
            record(grade.line, grade.email, grade.assignment, grade.grade,
                   grade.status, grade.message)
            for grade in records.built[start:]]
        start = max(0, start - len(records.built))
        for pending in records.pending:
            known = pending.answered(start, record)
            answered.extend(known)
            if not pending.finished:
                break
            start = max(0, start - sum(pending.status_counts().values()))
        return answered

    def with_status(self, status: str) -> List[GradeOutcome]:
        """Return the grades whose outcome is ``status``."""
        return [grade for grade in self.grades if grade.status == status]

    def status_counts(self) -> Dict[str, int]:
        """Return how many grades have each outcome (every status is a
        key); the records are not built for that."""
        counts = dict.fromkeys(STATUSES, 0)
        records = _GradesField.records(self)
        for grade in records.built:
            counts[grade.status] = counts.get(grade.status, 0) + 1
        for pending in records.pending:
            for status, count in pending.status_counts().items():
                counts[status] = counts.get(status, 0) + count
        return counts

    @property
    def ok(self) -> bool:
        """True when every grade was confirmed (or it was a dry run, or
        LMod held it already)."""
        counts = self.status_counts()
        return sum(counts.values()) == (counts[CONFIRMED] + counts[DRY_RUN]
                                        + counts.get(UNCHANGED, 0))

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
            ALREADY_CONFIRMED: len(self.already_confirmed),
        }
        summary.update(counts)
        return summary

    def confirmed_grades(self) -> Dict[Tuple[str, str], Any]:
        """Return ``(email, assignment) -> value`` of every grade LMod
        confirmed (and of those a resumed upload found confirmed already),
        the email lower-cased: what ``resume_from=`` takes.

        Example:

        .. code-block:: python

            report = UploadReport()
            try:
                gradebook.spreadsheet2gradebook('grades.csv', report=report)
            except requests.RequestException:
                # Later: send only what was not confirmed.
                gradebook.spreadsheet2gradebook(
                    'grades.csv', resume_from=report.confirmed_grades())
        """
        return {(str(grade.email or '').strip().lower(), grade.assignment):
                grade.grade.get('numericGradeValue')
                for grade in self.already_confirmed + self.grades
                if grade.status in (CONFIRMED, ALREADY_CONFIRMED)}
