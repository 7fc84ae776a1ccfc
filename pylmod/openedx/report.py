"""Reports of the Open edX syncs: one record per learner, nothing dropped.

Every Open edX grade record and every roster entry ends in a report with a
status and, unless it went through, the reason:

* ``confirmed``: the other side answered that it stored it;
* ``failed``: the other side answered that it did not (``reason`` says why);
* ``unconfirmed``: sent, but the answer was lost (its outcome is unknown);
* ``not sent``: an earlier request failed, so it was not sent;
* ``dry run``: it would have been sent;
* ``skipped``: deliberately not sent (``reason``: a record with ``error``,
  a key with no LMod student, a grade LMod already holds, a removal not
  asked for, ...).

:meth:`GradeSyncReport.as_dict` and :meth:`RosterSyncReport.as_dict` return
plain JSON-able dicts, so a Celery task can be ``def task(...) -> dict``.
"""
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from pylmod.grades import CONFIRMED, DRY_RUN, FAILED, NOT_SENT, UNCONFIRMED

SKIPPED = 'skipped'  #: Deliberately not sent; ``reason`` says why.

#: Every status, in the order reports count them.
STATUSES = (CONFIRMED, FAILED, UNCONFIRMED, NOT_SENT, DRY_RUN, SKIPPED)
#: Statuses that leave a report ``ok``.
OK_STATUSES = (CONFIRMED, DRY_RUN, SKIPPED)


@dataclass
class GradeRecord:
    """One Open edX grade and what became of it in LMod.

    Attributes:
        student_key: the Open edX ``student_key``.
        status: one of :data:`STATUSES`.
        reason: why, when the status is not ``confirmed``.
        email: the LMod email the key maps to (``None``: no mapping).
        student_id: the LMod ``studentId`` (``None``: no such student).
        assignment: the assignment name, or ``'overall grade'`` (mode 1).
        value: the grade (points or letter) sent or that would be sent.
        grade: the ``multiGrades`` entry.
    """

    student_key: str
    status: str
    reason: str = ''
    email: Optional[str] = None
    student_id: Any = None
    assignment: Optional[str] = None
    value: Any = None
    grade: Optional[Dict[str, Any]] = None


@dataclass
class RosterChange:
    """One learner of a roster sync and what became of it in Open edX.

    Attributes:
        key: the Open edX key (program) or the email (``bulk_enroll``).
        action: ``'enroll'``, ``'reactivate'`` or ``'unenroll'``.
        status: one of :data:`STATUSES`.
        result: what Open edX answered for it (``enrolled``, ``conflict``,
            ``allowed``, ``invalidIdentifier`` ...).
        reason: why, when the status is not ``confirmed``.
        cohort: the cohort asked for, if any.
    """

    key: str
    action: str
    status: str
    result: str = ''
    reason: str = ''
    cohort: Optional[str] = None


class _Counted:
    """Counting and dict conversion shared by the two reports."""

    error: Optional[str]

    def _items(self) -> List[Any]:
        raise NotImplementedError

    def with_status(self, status: str) -> List[Any]:
        """Return the records whose status is ``status``."""
        return [item for item in self._items() if item.status == status]

    @property
    def ok(self) -> bool:
        """True when no record failed or is in doubt and nothing stopped
        the sync."""
        return self.error is None and all(
            item.status in OK_STATUSES for item in self._items())

    def counts(self) -> Dict[str, int]:
        """Return ``{status: number of records}`` for every status."""
        return {status: len(self.with_status(status)) for status in STATUSES}

    def as_dict(self) -> Dict[str, Any]:
        """Return the report as plain JSON-able data, with ``counts`` and
        ``ok`` added."""
        data = dataclasses.asdict(self)  # type: ignore[call-overload]
        data['counts'] = self.counts()
        data['ok'] = self.ok
        return data


@dataclass
class GradeSyncReport(_Counted):
    """What :func:`pylmod.openedx.grades.push_grades` did, grade by grade.

    Attributes:
        program_uuid, course_key: the Open edX program course read.
        gradebook_id: the LMod gradebook written.
        assignment: the LMod assignment name, ``assignment_id`` its id and
            ``max_points`` its ``maxPointsTotal``.
        letter_grades: whether letter grades were sent as overall grades.
        dry_run: nothing was sent.
        records_read: Open edX grade records read (over all pages).
        records: one :class:`GradeRecord` per grade (two per learner with
            letter grades), and one per record that gave no grade.
        requests_sent: ``multiGrades`` requests made.
        error: what stopped the sync half way, if anything.
    """

    program_uuid: str = ''
    course_key: str = ''
    gradebook_id: Any = None
    assignment: str = ''
    assignment_id: Any = None
    max_points: Optional[float] = None
    letter_grades: bool = False
    dry_run: bool = False
    records_read: int = 0
    records: List[GradeRecord] = field(default_factory=list)
    requests_sent: int = 0
    error: Optional[str] = None

    def _items(self) -> List[Any]:
        return self.records


@dataclass
class RosterSyncReport(_Counted):
    """What :func:`pylmod.openedx.roster.sync_roster` did.

    Attributes:
        target: ``'program'``, ``'program course'`` or ``'course'``
            (``bulk_enroll``).
        program_uuid, course_key: the Open edX side.
        dry_run: nothing was sent.
        unenroll_missing: learners not in LMod were to be removed.
        roster_size: learners in the LMod roster.
        to_add: keys to enroll (or re-activate).
        to_remove: keys enrolled in Open edX and not in LMod.
        unchanged: keys in both, nothing to do.
        changes: one :class:`RosterChange` per learner to add or remove,
            and one per LMod roster entry that could not be used.
        requests_sent: write requests made.
        error: what stopped the sync half way, if anything.
    """

    target: str = ''
    program_uuid: Optional[str] = None
    course_key: Optional[str] = None
    dry_run: bool = False
    unenroll_missing: bool = False
    roster_size: int = 0
    to_add: List[str] = field(default_factory=list)
    to_remove: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    changes: List[RosterChange] = field(default_factory=list)
    requests_sent: int = 0
    error: Optional[str] = None

    def _items(self) -> List[Any]:
        return self.changes
