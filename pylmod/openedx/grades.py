"""Grade sync: Open edX program course grades into an LMod assignment.

:func:`push_grades` reads every grade record of a program course (all
pages), maps each ``student_key`` to an LMod student, and sends
``percent`` x the assignment's ``maxPointsTotal`` as the student's grade
(``multiGrades`` mode 2) and, if asked, ``letter_grade`` as the overall grade
(mode 1).  Grades LMod already holds are not sent again, and every record
ends in the :class:`~pylmod.openedx.report.GradeSyncReport`.
"""
import csv
import functools
import logging
import math
import os
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Union,
)

from pylmod.grades import (
    AMBIGUOUS_ERRORS,
    DEFAULT_BATCH_SIZE,
    NOT_SENT,
    NOT_SENT_AFTER_FAILURE,
    BatchSender,
    index_students,
    multigrade_entry,
    read_stored_grades,
)
from pylmod.grades.snapshot import SnapshotGrade, utc_text
from pylmod.grades.stored import stored_values
from pylmod.openedx.errors import OpenEdxConfigError
from pylmod.openedx.report import SKIPPED, GradeRecord, GradeSyncReport

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.gradebook import GradeBook
    from pylmod.openedx.client import OpenEdxClient

log = logging.getLogger(__name__)

#: ``assignment`` of the records of overall (letter) grades.
OVERALL_GRADE = 'overall grade'
#: Columns of a mapping file.
MAPPING_KEY_COLUMN = 'student_key'
MAPPING_EMAIL_COLUMN = 'email'
#: Decimals kept of ``percent`` x max points.
POINT_DECIMALS = 6

#: What ``push_grades(pre_image=...)`` is given before the first send.
PreImageKeeper = Callable[[List[SnapshotGrade]], None]

#: A student mapping: ``None`` (the key is the email), a callable
#: ``key -> email or None``, a dict, or the path of a CSV mapping file.
StudentMapping = Union[None, Callable[[str], Optional[str]],
                       Mapping[str, str], str, 'os.PathLike[str]']


def load_mapping_csv(path: Union[str, 'os.PathLike[str]']) -> Dict[str, str]:
    """Read a CSV file mapping Open edX ``student_key`` to LMod email.

    The file has a header with the columns ``student_key`` and ``email``
    (others are ignored)::

        student_key,email
        a1b2c3,jeannechiang@gmail.com

    Args:
        path: the file (UTF-8, with or without a byte order mark).

    Raises:
        OpenEdxConfigError: a missing column, an empty key or email, an
            email without ``@``, or a key mapped twice to different emails;
            the message names the file, the line and the column.

    Returns:
        dict: ``{student_key: email}``.
    """
    name = os.fspath(path)
    mapping: Dict[str, str] = {}
    lines: Dict[str, int] = {}
    with open(name, newline='', encoding='utf-8-sig') as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [column for column in (MAPPING_KEY_COLUMN,
                                         MAPPING_EMAIL_COLUMN)
                   if column not in columns]
        if missing:
            raise OpenEdxConfigError(
                '{0}: line 1: the header needs the columns {1} and {2}; '
                'missing: {3} (header: {4})'.format(
                    name, MAPPING_KEY_COLUMN, MAPPING_EMAIL_COLUMN,
                    ', '.join(missing), ', '.join(map(str, columns))))
        for row in reader:
            line = reader.line_num
            key = (row.get(MAPPING_KEY_COLUMN) or '').strip()
            email = (row.get(MAPPING_EMAIL_COLUMN) or '').strip()
            if not key and not email:
                continue
            for column, value in ((MAPPING_KEY_COLUMN, key),
                                  (MAPPING_EMAIL_COLUMN, email)):
                if not value:
                    raise OpenEdxConfigError(
                        '{0}: line {1}: column {2} is empty'.format(
                            name, line, column))
            if '@' not in email:
                raise OpenEdxConfigError(
                    '{0}: line {1}: column {2}: expected an email address, '
                    'got {3!r}'.format(name, line, MAPPING_EMAIL_COLUMN,
                                       email))
            if key in mapping and mapping[key].lower() != email.lower():
                raise OpenEdxConfigError(
                    '{0}: line {1}: student_key {2!r} is already mapped to '
                    'another email on line {3}'.format(
                        name, line, key, lines[key]))
            mapping[key], lines[key] = email, line
    log.info('Read %d student mappings from %s', len(mapping), name)
    return mapping


def resolve_mapping(mapping: StudentMapping
                    ) -> Callable[[str], Optional[str]]:
    """Return ``key -> LMod email (or None)`` for any accepted mapping."""
    if mapping is None:
        return lambda key: key
    if isinstance(mapping, (str, os.PathLike)):
        return load_mapping_csv(mapping).get
    if isinstance(mapping, Mapping):
        return mapping.get
    if callable(mapping):
        return mapping
    raise TypeError('mapping must be None, a callable, a dict or a CSV path, '
                    'got {0!r}'.format(type(mapping).__name__))


def held_grades(student: Mapping[str, Any]) -> Dict[Any, Any]:
    """Return the grades LMod holds for a student of
    ``get_students(include_grade_info=True)``, as the grade push compares
    them (read by :func:`pylmod.grades.read_stored_grades`, which says what
    an excused or a letter grade is worth).

    Returns:
        dict: ``{assignmentId: number}`` (``None``: not a number), plus
        :data:`OVERALL_GRADE`: the letter, when there is an overall grade.
    """
    stored = read_stored_grades(student)
    held = stored.numbers()
    if stored.overall_letter:
        held[OVERALL_GRADE] = stored.overall_letter
    return held


def _same_points(held: Any, points: float) -> bool:
    try:
        return math.isclose(float(held), points, abs_tol=10 ** -POINT_DECIMALS)
    except (TypeError, ValueError):
        return False


def _percent(record: Mapping[str, Any]) -> Optional[float]:
    value = record.get('percent')
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return None
    return float(value)


class _GradeBuilder:
    """Turns Open edX records into ``multiGrades`` entries and report
    records (one learner at a time)."""

    def __init__(self, report: GradeSyncReport,
                 students: Iterable[Mapping[str, Any]],
                 email_for: Callable[[str], Optional[str]],
                 approve_grades: bool, skip_unchanged: bool) -> None:
        self.report = report
        self.by_email = index_students(students)
        self.email_for = email_for
        self.approve_grades = approve_grades
        self.skip_unchanged = skip_unchanged
        self.key_of_student: Dict[Any, str] = {}
        self.pending: List[GradeRecord] = []

    def skip(self, key: str, reason: str, **details: Any) -> None:
        self.report.records.append(GradeRecord(key, SKIPPED, reason,
                                               **details))

    def add(self, record: Mapping[str, Any]) -> None:
        if not isinstance(record, Mapping):
            self.skip(repr(record)[:40], 'Open edX sent a grade record that '
                      'is not an object')
            return
        key = str(record.get('student_key'))
        if 'error' in record:
            self.skip(key, 'Open edX could not load the grade: {0}'.format(
                record.get('error')))
            return
        email = self.email_for(key)
        if not email:
            self.skip(key, 'the mapping has no email for this student_key')
            return
        student = self.by_email.get(str(email).lower())
        if student is None:
            self.skip(key, 'no LMod student has this email', email=email)
            return
        student_id = student['studentId']
        other = self.key_of_student.setdefault(student_id, key)
        if other != key:
            self.skip(key, 'another student_key maps to this LMod '
                      'student: {0!r}'.format(other), email=email,
                      student_id=student_id)
            return
        held = held_grades(student)
        percent = _percent(record)
        report = self.report
        details = dict(email=email, student_id=student_id)
        if percent is None:
            self.skip(key, 'percent is not a number from 0 to 1: {0!r}'
                      .format(record.get('percent')),
                      assignment=report.assignment, **details)
        else:
            points = round(percent * float(report.max_points or 0),
                           POINT_DECIMALS)
            grade = multigrade_entry(student_id, report.assignment_id,
                                     points, self.approve_grades)
            self._queue(key, report.assignment, points, grade,
                        _same_points(held.get(report.assignment_id), points),
                        details)
        if report.letter_grades:
            letter = record.get('letter_grade')
            if not letter:
                self.skip(key, 'Open edX has no letter grade',
                          assignment=OVERALL_GRADE, **details)
                return
            grade = multigrade_entry(student_id, None, letter,
                                     self.approve_grades, overall=True)
            self._queue(key, OVERALL_GRADE, letter, grade,
                        held.get(OVERALL_GRADE) == letter, details)

    def _queue(self, key: str, assignment: str, value: Any,
               grade: Dict[str, Any], unchanged: bool,
               details: Dict[str, Any]) -> None:
        if unchanged and self.skip_unchanged:
            self.skip(key, 'unchanged: LMod already holds this grade',
                      assignment=assignment, value=value, grade=grade,
                      **details)
            return
        outcome = GradeRecord(key, NOT_SENT, assignment=assignment,
                              value=value, grade=grade, **details)
        self.report.records.append(outcome)
        self.pending.append(outcome)


def _find_assignment(gradebook: 'GradeBook', name: str,
                     gradebook_id: Any) -> Mapping[str, Any]:
    assignments = gradebook.get_assignments(gradebook_id)
    _, assignment = gradebook.get_assignment_by_name(name, assignments)
    if assignment is None:
        raise OpenEdxConfigError(
            'gradebook {0} has no assignment named {1!r} ({2} assignments; '
            'create it in LMod first)'.format(
                gradebook_id or gradebook.gradebook_id, name,
                len(assignments)))
    max_points = assignment.get('maxPointsTotal')
    if not isinstance(max_points, (int, float)) or max_points <= 0:
        raise OpenEdxConfigError(
            'assignment {0!r} has no positive maxPointsTotal ({1!r}): '
            'cannot turn a percent into points'.format(name, max_points))
    return assignment


def push_grades(client: 'OpenEdxClient', gradebook: 'GradeBook',
                program_uuid: str, course_key: str, assignment: str, *,
                letter_grades: bool = False,
                mapping: StudentMapping = None, dry_run: bool = False,
                approve_grades: bool = False, skip_unchanged: bool = True,
                batch_size: int = DEFAULT_BATCH_SIZE,
                gradebook_id: Any = '',
                pre_image: Optional[PreImageKeeper] = None
                ) -> GradeSyncReport:
    """Copy Open edX program course grades into an LMod assignment.

    Calls ``GET .../programs/{program}/courses/{course}/grades/`` (every
    page), ``GET assignments/{gradebookId}``, ``GET students/{gradebookId}``
    with grade info, then ``POST multiGrades/{gradebookId}`` in batches.

    Args:
        client: the Open edX client.
        gradebook: the LMod gradebook client (bound to a gradebook, or pass
            ``gradebook_id``).
        program_uuid: the Open edX program.
        course_key: the course run key, e.g. ``course-v1:MITx+6.002x+2026``.
        assignment: the LMod assignment name; its ``maxPointsTotal`` scales
            ``percent`` (0..1) into points.
        letter_grades: also send ``letter_grade`` as the overall grade.
        mapping: ``student_key`` -> LMod email: ``None`` (the key is the
            email), a callable, a dict, or the path of a CSV file with
            columns ``student_key,email`` (see :func:`load_mapping_csv`).
        dry_run: read and compare everything, send nothing.
        approve_grades: send the grades as approved.
        skip_unchanged: do not send grades LMod already holds.
        batch_size: most grades per ``multiGrades`` request.
        gradebook_id: the gradebook, if ``gradebook`` is not bound to one.
        pre_image: called once before the first grade is sent (not in a
            dry run, not when nothing is to be sent) with the pre-image of
            every assignment grade about to be sent
            (:class:`~pylmod.grades.snapshot.SnapshotGrade`: the value and
            approval LMod held, ``None`` for none, and the value sent), to
            keep it where :func:`pylmod.grades.rollback.rollback_snapshot`
            can undo the push; if it raises, nothing is sent and the
            exception propagates.  Overall (letter) grades are not in it:
            a rollback restores numbers only.

    Raises:
        OpenEdxConfigError: no such assignment, no positive max points, or a
            bad mapping file.  Nothing was sent.
        OpenEdxHTTPError: reading the grades failed (401, 403, 404 ...).
            Nothing was sent.

    Returns:
        GradeSyncReport: every record and its outcome.  A failure while
        sending does not raise: the report's ``error`` says what happened,
        the grades of the failed request are ``unconfirmed`` and the later
        ones ``not sent``.

    Example:

    .. code-block:: python

        report = push_grades(client, gradebook, PROGRAM, COURSE, 'final',
                             letter_grades=True)
        if not report.ok:
            print(report.counts(), report.error)
    """
    email_for = resolve_mapping(mapping)
    found = _find_assignment(gradebook, assignment, gradebook_id)
    report = GradeSyncReport(
        program_uuid=program_uuid, course_key=course_key,
        gradebook_id=gradebook_id or gradebook.gradebook_id,
        assignment=assignment, assignment_id=found['assignmentId'],
        max_points=float(found['maxPointsTotal']),
        letter_grades=letter_grades, dry_run=dry_run)
    records = client.get_program_course_grades(program_uuid, course_key)
    report.records_read = len(records)
    students = gradebook.get_students(
        gradebook_id, include_grade_info=skip_unchanged or bool(pre_image))
    builder = _GradeBuilder(report, students, email_for, approve_grades,
                            skip_unchanged)
    for record in records:
        builder.add(record)
    if pre_image is not None and not dry_run and builder.pending:
        pre_image(pre_image_of(builder.pending, students, report))
    _send(gradebook, builder.pending, report, batch_size, dry_run,
          gradebook_id)
    log.info('push_grades %s %s -> gradebook %s: %d records, %s',
             program_uuid, course_key, report.gradebook_id,
             report.records_read, report.counts())
    return report


def pre_image_of(pending: Sequence[GradeRecord],
                 students: Iterable[Mapping[str, Any]],
                 report: GradeSyncReport) -> List[SnapshotGrade]:
    """The pre-image of the assignment grades of ``pending`` (students
    read with grade info): what LMod held, and what is sent."""
    held = stored_values(students)
    now = utc_text(time.time())
    grades = []
    for outcome in pending:
        if outcome.assignment == OVERALL_GRADE or not outcome.grade:
            continue
        old, old_approved = held.get(
            (outcome.student_id, report.assignment_id), (None, None))
        grades.append(SnapshotGrade(
            outcome.student_id, outcome.email or '', report.assignment_id,
            report.assignment, old, old_approved, float(outcome.value),
            bool(outcome.grade.get('isGradeApproved')), now))
    return grades


def _send(gradebook: 'GradeBook', pending: List[GradeRecord],
          report: GradeSyncReport, batch_size: int, dry_run: bool,
          gradebook_id: Any) -> None:
    """Send the pending records' grades with the one batch routine
    (:class:`pylmod.grades.BatchSender`); a transport failure stops the
    sending and is the report's ``error`` (it does not raise)."""
    sender = BatchSender(
        functools.partial(gradebook.multi_grade, gradebook_id=gradebook_id),
        batch_size, dry_run=dry_run, describe_error=_sending_failed)
    try:
        sender.send([outcome.grade or {} for outcome in pending])
    except AMBIGUOUS_ERRORS as err:
        report.error = _sending_failed(err)
        log.error('push_grades stopped: %s (%d grades unconfirmed, %d '
                  'not sent)', type(err).__name__,
                  sender.in_flight,
                  len(pending) - len(sender.statuses))
    finally:
        report.requests_sent = sender.requests_sent
        for outcome, (status, message) in zip(pending, sender.statuses):
            outcome.status, outcome.reason = status, message
        if sender.error is not None:
            for outcome in pending[len(sender.statuses):]:
                outcome.reason = NOT_SENT_AFTER_FAILURE


def _sending_failed(err: BaseException) -> str:
    return 'multiGrades failed: {0}: {1}'.format(type(err).__name__, err)
