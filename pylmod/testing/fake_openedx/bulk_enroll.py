"""``bulk_enroll`` in the fake Open edX: enroll or unenroll learners by
email in course runs, optionally into cohorts, answering the documented
result shape (``before`` / ``after`` state of each learner).

The request is checked by :func:`pylmod.testing.fake_openedx.rules.
bulk_enroll_error`; the caller holds the fake's lock.
"""
from typing import Any, Collection, Dict, List, NamedTuple, Optional

from pylmod.testing.fake_openedx.programs import CourseRun
from pylmod.testing.fake_openedx.rules import (
    Answer,
    bulk_enroll_error,
    valid_identifier,
)


class BulkRequest(NamedTuple):
    """A ``bulk_enroll`` body, its comma-separated lists split.

    Attributes:
        action: ``'enroll'`` or ``'unenroll'`` (unchecked).
        courses: the course keys.
        cohorts: a cohort per course, or ``None`` without ``cohorts``.
        identifiers: the learners' emails (or usernames).
        auto_enroll: enroll learners without an account once they have one.
        email_students: whether Open edX would email the learners.
    """

    action: Any
    courses: List[str]
    cohorts: Optional[List[str]]
    identifiers: List[str]
    auto_enroll: bool
    email_students: bool

    @classmethod
    def from_body(cls, body: Dict[str, Any]) -> 'BulkRequest':
        """Read a decoded JSON body."""
        return cls(
            action=body.get('action'),
            courses=[key for key in str(body.get('courses') or '').split(',')
                     if key],
            cohorts=(str(body['cohorts']).split(',') if body.get('cohorts')
                     else None),
            identifiers=[identifier.strip() for identifier in str(
                body.get('identifiers') or '').split(',')
                if identifier.strip()],
            auto_enroll=bool(body.get('auto_enroll')),
            email_students=bool(body.get('email_students')))


def answer_bulk_enroll(courses: Dict[str, CourseRun], users: Collection[str],
                       body: Any) -> Answer:
    """Answer a ``bulk_enroll`` request: 400 for a request that breaks a
    rule, else 200 with a result per course and learner."""
    if not isinstance(body, dict):
        return 400, {'detail': 'expected a JSON object'}
    request = BulkRequest.from_body(body)
    error = bulk_enroll_error(request.action, request.courses,
                              request.cohorts, courses)
    if error is not None:
        return error
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
    course.enrolled.pop(identifier, None)
    course.allowed.pop(identifier, None)
    if request.action == 'enroll':
        target = course.enrolled if user else course.allowed
        target[identifier] = cohort
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
