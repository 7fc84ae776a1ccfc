"""``bulk_enroll`` in the fake Open edX: enroll or unenroll learners by
email in course runs, optionally into cohorts, answering the documented
result shape (``before`` / ``after`` state of each learner).

``BulkEnrollView.permission_classes`` is ``IsStaff``: anyone else is
answered 403.  The body is checked as ``BulkEnrollmentSerializer`` checks
it (:func:`pylmod.testing.fake_openedx.rules.bulk_enroll_errors`: 400 with
DRF field errors); the caller holds the fake's lock.
"""
from typing import Any, Collection, Dict, List, NamedTuple, Optional

from pylmod.testing.fake_openedx.records import CourseRun
from pylmod.testing.fake_openedx.rules import (
    Answer,
    as_boolean,
    bulk_enroll_errors,
    split_list,
    valid_identifier,
)
from pylmod.testing.fake_openedx.tokens import Identity


class BulkRequest(NamedTuple):
    """A valid ``bulk_enroll`` body, its comma-separated lists split.

    Attributes:
        action: ``'enroll'`` or ``'unenroll'``.
        courses: the course keys.
        cohorts: a cohort per course, or ``None`` without ``cohorts``.
        identifiers: the learners' emails (or usernames).
        auto_enroll: enroll learners without an account once they have one.
        email_students: whether Open edX would email the learners.
    """

    action: str
    courses: List[str]
    cohorts: Optional[List[str]]
    identifiers: List[str]
    auto_enroll: bool
    email_students: bool

    @classmethod
    def from_body(cls, body: Dict[str, Any]) -> 'BulkRequest':
        """Read a decoded JSON body that passed the serializer's checks."""
        return cls(
            action=str(body['action']),
            courses=split_list(body['courses']),
            cohorts=split_list(body.get('cohorts')) or None,
            identifiers=[identifier.strip() for identifier in str(
                body['identifiers']).split(',') if identifier.strip()],
            auto_enroll=as_boolean(body.get('auto_enroll', False)),
            email_students=as_boolean(body.get('email_students', False)))


def answer_bulk_enroll(courses: Dict[str, CourseRun], users: Collection[str],
                       identity: Identity, body: Any,
                       strict: bool = True) -> Answer:
    """Answer a ``bulk_enroll`` request: 403 for a user who is not staff,
    400 for a body that breaks a rule, else 200 with a result per course
    and learner."""
    if not identity.staff:
        return 403, {'detail': 'You do not have permission to perform this '
                               'action.'}
    errors = bulk_enroll_errors(body, courses, strict)
    if errors:
        return 400, errors
    request = BulkRequest.from_body(body)
    answer: Dict[str, Any] = {
        'action': request.action, 'auto_enroll': request.auto_enroll,
        'email_students': request.email_students, 'courses': {}}
    for index, key in enumerate(request.courses):
        cohort = request.cohorts[index] if request.cohorts else None
        results = [_enroll_one(courses[key], identifier, identifier in users,
                               request, cohort)
                   for identifier in request.identifiers]
        answer['courses'][key] = {'action': request.action,
                                  'results': results,
                                  'auto_enroll': request.auto_enroll}
    return 200, answer


def _enroll_one(course: CourseRun, identifier: str, user: bool,
                request: BulkRequest, cohort: Optional[str]
                ) -> Dict[str, Any]:
    if not valid_identifier(identifier):
        return {'identifier': identifier, 'invalidIdentifier': True}
    with_cohort = request.cohorts is not None
    before = _state(course, identifier, user, request.auto_enroll,
                    with_cohort)
    if request.action == 'enroll' and user:
        course.enroll(identifier, cohort)
    elif request.action == 'enroll':
        course.allowed[identifier] = cohort
    else:
        course.enrolled.pop(identifier, None)
        course.allowed.pop(identifier, None)
    after = _state(course, identifier, user, request.auto_enroll, with_cohort)
    return {'identifier': identifier, 'before': before, 'after': after}


def _state(course: CourseRun, email: str, user: bool, auto_enroll: bool,
           with_cohort: bool) -> Dict[str, Any]:
    state: Dict[str, Any] = {
        'user': user, 'enrollment': email in course.enrolled,
        'allowed': email in course.allowed,
        'auto_enroll': auto_enroll and email in course.allowed}
    if with_cohort:
        state['cohort'] = dict(course.allowed, **course.enrolled).get(email)
    return state
