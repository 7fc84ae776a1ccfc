"""The rules the fake Open edX enforces, written from the edx-platform API
documentation, not imported from the client.

A fake that took its limits and statuses from :mod:`pylmod.openedx` could
not catch a mistake in them, so the fake routes by the client's path table
but keeps what a request must be, and what each answer means, here: limits,
statuses, the fields each write needs, and the HTTP status of a
multi-learner answer.  A new rule is a constant, a :class:`WriteRule` field
or a check in one of the functions below.

Sources: "Program Enrollments API" and its REST v1 reference (statuses,
page sizes, the 25-learner limit, 200/207/422 and 413), and the
``bulk_enroll`` API (its request fields and result shape).
"""
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

#: An answer: ``(HTTP status, JSON-able body or None)``.
Answer = Tuple[int, Any]

#: "413: PAYLOAD TOO LARGE - Over 25 students supplied".
MAX_LEARNERS_PER_WRITE = 25
#: "The default page size is 100." (the ``page_size`` query parameter
#: asks for another).
DEFAULT_PAGE_SIZE = 100

#: The statuses a program enrollment may be written with.
PROGRAM_ENROLLMENT_STATUSES = (
    'enrolled', 'pending', 'canceled', 'suspended', 'ended')
#: The statuses a program course enrollment may be written with.
PROGRAM_COURSE_ENROLLMENT_STATUSES = ('active', 'inactive')

#: The verbs of a write: ``(may create a new enrollment, may update one)``.
WRITE_MODES = {'POST': (True, False), 'PATCH': (False, True),
               'PUT': (True, True)}

#: The actions of ``bulk_enroll``.
BULK_ACTIONS = ('enroll', 'unenroll')


class WriteRule(NamedTuple):
    """What a program (course) enrollment write must carry.

    Attributes:
        key_field: the field naming the learner in each item.
        ok_statuses: the statuses a learner may be written with; the
            per-learner result of a success is the status written.
        curriculum_required: the verbs whose items need a
            ``curriculum_uuid``.
        needs_program_enrollment: a learner must be enrolled in the program
            before being written here (else ``not-in-program``).
    """

    key_field: str
    ok_statuses: Tuple[str, ...]
    curriculum_required: Tuple[str, ...] = ()
    needs_program_enrollment: bool = False

    def learner_result(self, status: Any, verb: str, exists: bool,
                       duplicated: bool, in_program: bool) -> str:
        """The per-learner result of one item of a valid write: the status
        written, or the documented failure."""
        create, update = WRITE_MODES[verb]
        if duplicated:
            return 'duplicated'
        if status not in self.ok_statuses:
            return 'invalid-status'
        if exists and not update:
            return 'conflict'
        if (not exists and not create) or (
                self.needs_program_enrollment and not in_program):
            return 'not-in-program'
        return str(status)


#: The writes, by endpoint name.
WRITE_RULES = {
    'program_enrollments': WriteRule(
        'external_user_key', PROGRAM_ENROLLMENT_STATUSES,
        curriculum_required=('POST', 'PUT')),
    'program_course_enrollments': WriteRule(
        'student_key', PROGRAM_COURSE_ENROLLMENT_STATUSES,
        needs_program_enrollment=True),
}


def write_error(rule: WriteRule, verb: str, body: Any) -> Optional[Answer]:
    """The error answer of a write whose body breaks a rule, else ``None``
    (then ``body`` is a list of dicts, each with its learner key)."""
    if not isinstance(body, list) or not body:
        return 400, {'detail': 'expected a non-empty list of learners'}
    if len(body) > MAX_LEARNERS_PER_WRITE:
        return 413, {'detail': 'at most {0} learners per request'.format(
            MAX_LEARNERS_PER_WRITE)}
    if not all(isinstance(item, dict) and isinstance(
            item.get(rule.key_field), str) and item[rule.key_field]
            for item in body):
        return 400, {'detail': 'every item needs a {0}'.format(
            rule.key_field)}
    if verb in rule.curriculum_required and not all(
            item.get('curriculum_uuid') for item in body):
        return 400, {'curriculum_uuid': ['This field is required.']}
    return None


def multi_status(results: Dict[str, str], ok_statuses: Tuple[str, ...]
                 ) -> int:
    """200 when every learner's result is a success, 207 when some are,
    422 when none is."""
    done = sum(1 for result in results.values() if result in ok_statuses)
    return 200 if done == len(results) else 207 if done else 422


def grades_status(page: List[Dict[str, Any]]) -> int:
    """The status of a page of program course grades: 200 when every grade
    loaded, 207 when some failed (they carry ``error``), 422 when all did.
    (An empty list is answered 204 without a body.)"""
    errors = sum(1 for record in page if 'error' in record)
    if errors == 0:
        return 200
    return 422 if errors == len(page) else 207


def valid_course_key(key: str) -> bool:
    """``course-v1:Org+Number+Run``."""
    return key.startswith('course-v1:') and key.count('+') == 2


def bulk_enroll_error(action: Any, courses: List[str],
                      cohorts: Optional[List[str]],
                      known_courses: Any) -> Optional[Answer]:
    """The error answer of a ``bulk_enroll`` request that breaks a rule,
    else ``None``."""
    if action not in BULK_ACTIONS or not courses:
        return 400, {'action': ['enroll or unenroll'],
                     'courses': ['at least one course key']}
    bad = [key for key in courses
           if not valid_course_key(key) or key not in known_courses]
    if bad:
        return 400, {'courses': ['invalid course key(s): ' + ','.join(bad)]}
    if cohorts is not None and len(cohorts) != len(courses):
        return 400, {'non_field_errors': [
            'Cohorts list must be the same size as the courses list']}
    return None


def valid_identifier(identifier: str) -> bool:
    """The fake knows learners by email: an identifier without ``@`` is
    answered ``invalidIdentifier``."""
    return '@' in identifier
