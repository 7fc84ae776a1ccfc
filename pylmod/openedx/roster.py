"""Roster sync: make Open edX enrollments match an LMod roster.

:func:`lmod_roster` reads the learners of an LMod gradebook (or a
membership group); :func:`sync_roster` compares them with Open edX and
writes the difference, to one of:

* a program (``program_uuid``): program enrollments, created with ``POST``
  (status ``enrolled``) and changed with ``PATCH`` (``enrolled`` again, or
  ``canceled`` for a removal);
* a course run of a program (``program_uuid`` and ``course_key``): program
  course enrollments (``active`` / ``inactive``);
* a course run (``course_key`` alone): ``bulk_enroll`` by email, optionally
  into cohorts named after the LMod sections.

Learners in Open edX and not in LMod are removed only with
``unenroll_missing=True``; otherwise they are reported as ``skipped``.
"""
import logging
from dataclasses import dataclass
from functools import partial
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
    Tuple,
)

import requests

from pylmod.answer import reading
from pylmod.exceptions import PyLmodBadResponse
from pylmod.grades import (
    CONFIRMED,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    NOT_SENT_AFTER_FAILURE,
    UNCONFIRMED,
)
from pylmod.openedx.client import BULK_ENROLL_CHUNK_SIZE
from pylmod.openedx.endpoints import PROGRAM_ACTIVE_STATUSES, STUDENT_KEY
from pylmod.openedx.errors import OpenEdxConfigError, OpenEdxHTTPError
from pylmod.openedx.report import SKIPPED, RosterChange, RosterSyncReport
from pylmod.openedx.write_results import bulk_enroll_outcome

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.gradebook import GradeBook
    from pylmod.membership import Membership
    from pylmod.openedx.client import OpenEdxClient
    from pylmod.openedx.write_results import LearnerResult

log = logging.getLogger(__name__)

#: The LMod section of students in no section: no cohort for them.
UNASSIGNED_SECTION = 'Unassigned'
ENROLL, REACTIVATE, UNENROLL = 'enroll', 'reactivate', 'unenroll'


@dataclass(frozen=True)
class RosterEntry:
    """One learner of an LMod roster."""

    email: str
    name: str = ''
    section: str = ''


def lmod_roster(gradebook: Optional['GradeBook'] = None, *,
                section_name: str = '',
                membership: Optional['Membership'] = None,
                group_uuid: Optional[str] = None,
                roles: Optional[Sequence[str]] = ('Student',)
                ) -> List[RosterEntry]:
    """Read the learners of an LMod gradebook or membership group.

    Calls ``GET students/{gradebookId}`` (or its section variant), or
    ``GET group?uuid=`` and ``GET group/{groupId}/member``.

    Args:
        gradebook: read the gradebook's students (with their section).
        section_name: only the students of this section.
        membership: read a membership group instead.
        group_uuid: the group (default: the membership's ``uuid``).
        roles: the ``roleType`` values of the group members to keep
            (``None``: everyone).

    Returns:
        list: one :class:`RosterEntry` per learner.
    """
    if (gradebook is None) == (membership is None):
        raise ValueError('pass exactly one of gradebook and membership')
    if gradebook is not None:
        return [RosterEntry(str(student.get('accountEmail') or ''),
                            str(student.get('displayName') or ''),
                            str(student.get('section') or ''))
                for student in gradebook.get_students(
                    section_name=section_name)]
    assert membership is not None
    members = membership.get_membership(group_uuid)
    with reading(members, 'lmod_roster (Membership.get_membership)'):
        return [RosterEntry(str(doc.get('email') or ''))
                for doc in members['response']['docs']
                if roles is None or doc.get('roleType') in roles]


@dataclass
class _Target:
    """How one kind of Open edX enrollment is read and written."""

    name: str
    active: Tuple[str, ...]
    enroll_status: str
    remove_status: str
    read: Callable[[], List[Dict[str, Any]]]
    write: Callable[[List[Dict[str, Any]], str], List['LearnerResult']]
    key_field: str
    chunk_size: int


def _program_target(client: 'OpenEdxClient', program_uuid: str,
                    course_key: Optional[str]) -> _Target:
    if course_key:
        return _Target(
            'program course', ('active',), 'active', 'inactive',
            partial(client.get_program_course_enrollments, program_uuid,
                    course_key),
            partial(client.write_program_course_enrollments, program_uuid,
                    course_key),
            STUDENT_KEY, client.write_chunk_size)
    return _Target(
        'program', PROGRAM_ACTIVE_STATUSES, 'enrolled', 'canceled',
        partial(client.get_program_enrollments, program_uuid),
        partial(client.write_program_enrollments, program_uuid),
        STUDENT_KEY, client.write_chunk_size)


def _roster_keys(roster: Iterable[RosterEntry],
                 key_for: Callable[[RosterEntry], Optional[str]],
                 report: RosterSyncReport) -> Dict[str, RosterEntry]:
    """``{lower-cased key: entry}`` of the roster; unusable entries are
    reported as skipped."""
    keys: Dict[str, RosterEntry] = {}
    for entry in roster:
        report.roster_size += 1
        key = key_for(entry)
        if not key:
            report.changes.append(RosterChange(
                entry.email or entry.name, ENROLL, SKIPPED,
                reason='no Open edX key for this LMod entry (no email?)'))
            continue
        keys.setdefault(key.strip().lower(), entry)
    return keys


def sync_roster(client: 'OpenEdxClient', roster: Iterable[RosterEntry], *,
                program_uuid: Optional[str] = None,
                course_key: Optional[str] = None,
                curriculum_uuid: Optional[str] = None,
                cohorts_from_sections: bool = False,
                unenroll_missing: bool = False, dry_run: bool = False,
                key_for: Optional[Callable[[RosterEntry],
                                           Optional[str]]] = None,
                enrolled: Optional[Iterable[str]] = None,
                auto_enroll: bool = True,
                email_students: bool = False) -> RosterSyncReport:
    """Make Open edX enrollments match an LMod roster.

    Args:
        client: the Open edX client.
        roster: the learners (see :func:`lmod_roster`).
        program_uuid: sync program enrollments (with ``course_key``: the
            program course enrollments of that run).
        course_key: without ``program_uuid``: enroll in the course run with
            ``bulk_enroll``.
        curriculum_uuid: the curriculum of new program enrollments (default:
            the one curriculum of the existing enrollments).
        cohorts_from_sections: (``bulk_enroll``) put learners in the cohort
            named after their LMod section (none for ``Unassigned``).
        unenroll_missing: remove (cancel, inactivate, unenroll) learners
            that Open edX has and LMod does not.
        dry_run: compute the difference, send nothing.
        key_for: the Open edX key of a roster entry (default: the email,
            lower-cased); keys are compared case-insensitively.
        enrolled: (``bulk_enroll``) the emails enrolled in the course now.
            ``bulk_enroll`` cannot read a roster, so without it every LMod
            learner is sent (enrolling is idempotent) and nobody can be
            removed.
        auto_enroll, email_students: passed to ``bulk_enroll``.

    Raises:
        OpenEdxConfigError: neither program nor course; no curriculum for
            new program enrollments; ``unenroll_missing`` for ``bulk_enroll``
            without ``enrolled``.
        OpenEdxHTTPError: reading the current enrollments failed.

    Returns:
        RosterSyncReport: the difference and every learner's outcome.  A
        failure while writing does not raise: ``error`` says what happened.

    Example:

    .. code-block:: python

        roster = lmod_roster(gradebook)
        report = sync_roster(client, roster, program_uuid=PROGRAM,
                             dry_run=True)
        print(report.to_add, report.to_remove)
    """
    if not program_uuid and not course_key:
        raise OpenEdxConfigError('give a program_uuid, a course_key, or both')
    report = RosterSyncReport(
        target=('course' if not program_uuid else 'program course'
                if course_key else 'program'),
        program_uuid=program_uuid, course_key=course_key, dry_run=dry_run,
        unenroll_missing=unenroll_missing)
    wanted = _roster_keys(
        roster, key_for or (lambda entry: entry.email.lower()), report)
    if program_uuid:
        _sync_program(_program_target(client, program_uuid, course_key),
                      wanted, report, curriculum_uuid)
    elif course_key:
        _sync_course(client, course_key, wanted, report, enrolled,
                     cohorts_from_sections, auto_enroll=auto_enroll,
                     email_students=email_students)
    log.info('sync_roster %s %s: %d to add, %d to remove, %d unchanged, %s',
             report.target, course_key or program_uuid, len(report.to_add),
             len(report.to_remove), len(report.unchanged), report.counts())
    return report


def _run_writes(report: RosterSyncReport,
                writes: Iterable[Tuple[str, List[str], Dict[str, Any],
                                       Callable[[], None]]],
                removals: List[str]) -> None:
    """Send the writes in order, then report the removals not asked for.

    Each write is ``(action, keys, dry-run fields, send)``: a dry run
    records a :class:`RosterChange` per key with those fields (the status
    or the cohort asked for); after a failure the later writes are not
    sent; ``send()`` sends one and records every outcome.
    """
    for action, keys, fields, send in writes:
        if report.error:
            _not_sent(report, action, keys)
        elif report.dry_run:
            report.changes.extend(RosterChange(key, action, DRY_RUN, **fields)
                                  for key in keys)
        elif keys:
            send()
    if not report.unenroll_missing:
        report.changes.extend(RosterChange(
            key, UNENROLL, SKIPPED,
            reason='not in LMod: not removed without unenroll_missing')
            for key in removals)


def _sync_program(target: _Target, wanted: Dict[str, RosterEntry],
                  report: RosterSyncReport,
                  curriculum_uuid: Optional[str]) -> None:
    records = target.read()
    with reading(records, 'sync_roster: the {0} enrollments read'.format(
            target.name), 'Open edX'):
        current = {record['student_key'].lower(): record
                   for record in records}
    creates, reactivations, removals = [], [], []
    for key in wanted:
        record = current.get(key)
        if record is None:
            creates.append(key)
        elif record.get('status') in target.active:
            report.unchanged.append(key)
        else:
            reactivations.append(record['student_key'])
    for key, record in current.items():
        if key not in wanted and record.get('status') in target.active:
            removals.append(record['student_key'])
    report.to_add = creates + reactivations
    report.to_remove = removals
    extra: Dict[str, Any] = {}
    if creates and target.name == 'program':
        extra['curriculum_uuid'] = _curriculum(curriculum_uuid,
                                               current.values())
    writes = [('POST', ENROLL, target.enroll_status, creates, extra),
              ('PATCH', REACTIVATE, target.enroll_status, reactivations, {})]
    if report.unenroll_missing:
        writes.append(('PATCH', UNENROLL, target.remove_status, removals, {}))
    _run_writes(report, [
        (action, keys, {'result': status}, partial(
            _write_program, target, method, action, report,
            [dict(fields, status=status, **{target.key_field: key})
             for key in keys]))
        for method, action, status, keys, fields in writes], removals)


def _curriculum(curriculum_uuid: Optional[str],
                records: Iterable[Mapping[str, Any]]) -> str:
    if curriculum_uuid:
        return curriculum_uuid
    found = {record.get('curriculum_uuid') for record in records} - {None}
    if len(found) == 1:
        return str(found.pop())
    raise OpenEdxConfigError(
        'new program enrollments need a curriculum: pass curriculum_uuid '
        '(the existing enrollments have {0} curricula)'.format(len(found)))


def _not_sent(report: RosterSyncReport, action: str,
              keys: Iterable[str]) -> None:
    report.changes.extend(RosterChange(
        key, action, NOT_SENT, reason=NOT_SENT_AFTER_FAILURE) for key in keys)


def _record_outcomes(report: RosterSyncReport, action: str,
                     keys: Sequence[str],
                     answered: Dict[str, RosterChange],
                     error: Optional[Exception]) -> None:
    """Record one change per key, in input order: what Open edX answered;
    for a stopped write, the learners of the requests that failed as
    ``failed`` (Open edX answered an error) or ``unconfirmed`` (no answer),
    and the rest as not sent."""
    if error is not None:
        report.error = '{0}: {1}'.format(type(error).__name__, error)
        log.error('Roster sync stopped by %s', type(error).__name__)
        failures = getattr(error, 'failures', None) or [(
            [key for key in keys if key not in answered], error)]
        for failed_keys, failure in failures:
            status = (FAILED if getattr(failure, 'status_code', None)
                      is not None else UNCONFIRMED)
            reason = '{0}: {1}'.format(type(failure).__name__, failure)
            for key in failed_keys:
                answered.setdefault(key, RosterChange(key, action, status,
                                                      reason=reason))
    report.changes.extend(
        answered.get(key) or RosterChange(key, action, NOT_SENT,
                                          reason=NOT_SENT_AFTER_FAILURE)
        for key in keys)


def _write_program(target: _Target, method: str, action: str,
                   report: RosterSyncReport,
                   items: List[Dict[str, Any]]) -> None:
    keys = [item[target.key_field] for item in items]
    error: Optional[OpenEdxHTTPError] = None
    try:
        results = target.write(items, method)
        report.requests_sent += -(-len(items) // target.chunk_size)
    except OpenEdxHTTPError as err:
        results, error = err.learner_results, err
        report.requests_sent += err.requests_sent
    answered = {result.key: RosterChange(
        result.key, action, CONFIRMED if result.ok else FAILED
        if result.answered else UNCONFIRMED, result.result,
        '' if result.ok else 'Open edX answered {0!r}'.format(result.result)
        if result.answered else 'Open edX answered HTTP {0} without a '
        'result for this learner'.format(result.http_status))
        for result in results}
    _record_outcomes(report, action, keys, answered, error)


def _sync_course(client: 'OpenEdxClient', course_key: str,
                 wanted: Dict[str, RosterEntry], report: RosterSyncReport,
                 enrolled: Optional[Iterable[str]],
                 cohorts_from_sections: bool,
                 **bulk_options: bool) -> None:
    removals = _course_difference(wanted, report, enrolled)
    by_cohort: Dict[Optional[str], List[str]] = {}
    for key in report.to_add:
        section = wanted[key].section
        cohort = (section if cohorts_from_sections and section
                  and section != UNASSIGNED_SECTION else None)
        by_cohort.setdefault(cohort, []).append(key)
    calls = [(ENROLL, cohort, keys) for cohort, keys in by_cohort.items()]
    if report.unenroll_missing:
        calls.append((UNENROLL, None, removals))
    _run_writes(report, [
        (action, keys, {'cohort': cohort}, partial(
            _bulk, client, course_key, action, cohort, keys, report,
            **bulk_options))
        for action, cohort, keys in calls], removals)


def _course_difference(wanted: Dict[str, RosterEntry],
                       report: RosterSyncReport,
                       enrolled: Optional[Iterable[str]]) -> List[str]:
    """Set the learners to add and those unchanged; return the removals."""
    if enrolled is None:
        if report.unenroll_missing:
            raise OpenEdxConfigError(
                'unenroll_missing with bulk_enroll needs the emails enrolled '
                'now (enrolled=...): bulk_enroll cannot read a course roster')
    current = {email.strip().lower() for email in enrolled or () if email}
    report.to_add = [key for key in wanted if key not in current]
    report.unchanged = [key for key in wanted if key in current]
    report.to_remove = sorted(current - set(wanted))
    return report.to_remove


def _bulk(client: 'OpenEdxClient', course_key: str, action: str,
          cohort: Optional[str], keys: List[str], report: RosterSyncReport,
          auto_enroll: bool, email_students: bool) -> None:
    error: Optional[Exception] = None
    pending: set = set()
    try:
        results = client.bulk_enroll(
            keys, [course_key], action,
            cohorts=[cohort] if cohort else None, auto_enroll=auto_enroll,
            email_students=email_students)
        report.requests_sent += -(-len(keys) // BULK_ENROLL_CHUNK_SIZE)
    except (OpenEdxHTTPError, requests.RequestException,
            PyLmodBadResponse) as err:
        results, error = getattr(err, 'learner_results', []), err
        pending = set(getattr(err, 'unsent', keys))
        report.requests_sent += getattr(err, 'requests_sent', 1)
    by_identifier = {str(result.get('identifier', '')).lower(): result
                     for result in results}
    answered = {key: RosterChange(key, action, *bulk_enroll_outcome(
        action == UNENROLL, by_identifier.get(key)), cohort=cohort)
        for key in keys if key not in pending}
    _record_outcomes(report, action, keys, answered, error)
