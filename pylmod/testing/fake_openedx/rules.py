"""The rules the fake Open edX enforces, written from the edx-platform API
documentation, not imported from the client.

A fake that took its limits and statuses from :mod:`pylmod.openedx` could
not catch a mistake in them (it once accepted ``external_user_key`` because
the client sent it), so the fake routes by the client's path table but keeps
here what a request must be and what each answer means.  Sources:
``../shared/reference/openedx-program-enrollments-rest-v1.txt`` (views,
serializers, pagination, statuses, the 25-learner limit),
``openedx-bulk-enroll-api.txt`` and ``openedx-mobile-users-api.txt``; where
they are silent, edx-platform's own behaviour, said so next to the rule.

Request bodies are checked the way Django REST framework serializers check
them: each field of the documented serializer is required or optional, has
a type, and a body that breaks one is answered 400 with the field errors,
``{"student_key": ["This field is required."]}``.  Enrollment writes are
checked item by item (``EnrollmentWriteMixin`` picks one serializer class
per verb, ``serializer_class_by_write_method``, and
``InvalidStatusMixin.has_invalid_status`` turns a bad ``status`` choice of
one item into that learner's ``invalid-status`` result), so their 400 body
is the field errors of the first item that breaks a rule.  DRF ignores
fields a serializer does not declare; a *strict* fake (the default) answers
400 for them too, naming each: a client that sends a field Open edX would
ignore has a bug Open edX would hide.
"""
import uuid
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

#: An answer: ``(HTTP status, JSON-able body or None)``.
Answer = Tuple[int, Any]
#: DRF field errors: ``{field: [message, ...]}``.
FieldErrors = Dict[str, List[str]]

#: "413: PAYLOAD TOO LARGE - Over 25 students supplied".
MAX_LEARNERS_PER_WRITE = 25
#: ``ProgramEnrollmentPagination``: ``page_size = 100``,
#: ``page_size_query_param = 'page_size'`` and no ``max_page_size``: any
#: positive ``page_size`` is honoured.
PROGRAM_PAGINATION = (100, None)
#: ``UserProgramCourseEnrollmentPagination``: ``page_size = 10``,
#: ``max_page_size = 25``.
USER_PROGRAM_PAGINATION = (10, 25)

#: ``ProgramEnrollmentsView.ok_write_statuses`` (and the create choices).
PROGRAM_ENROLLMENT_STATUSES = (
    'enrolled', 'pending', 'canceled', 'suspended', 'ended')
#: ``ProgramCourseEnrollmentsView.ok_write_statuses``.
PROGRAM_COURSE_ENROLLMENT_STATUSES = ('active', 'inactive')
#: ``EnrollmentWriteMixin.create_update_by_write_method``:
#: ``verb -> (may create, may update)``.
WRITE_MODES = {'POST': (True, False), 'PATCH': (False, True),
               'PUT': (True, True)}
#: The field naming the learner in write bodies (``REQUEST_STUDENT_KEY``).
STUDENT_KEY = 'student_key'

REQUIRED = 'This field is required.'
BLANK = 'This field may not be blank.'
NULL = 'This field may not be null.'
UNKNOWN = 'Unknown field: Open edX would ignore it (strict fake).'
_TYPE_ERRORS = {'string': 'Not a valid string.',
                'uuid': 'Must be a valid UUID.',
                'boolean': 'Must be a valid boolean.'}
# DRF BooleanField's TRUE_VALUES and FALSE_VALUES (as text, lower case).
_BOOLEAN_TEXT = ('true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', 'on',
                 'off', '1', '0')


def _is_boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in _BOOLEAN_TEXT
    return isinstance(value, (int, float)) and value in (0, 1)


class Field(NamedTuple):
    """One field of a documented serializer.

    Attributes:
        name: the field name.
        kind: ``'string'`` (CharField, not blank), ``'choice'``,
            ``'uuid'``, ``'boolean'`` or ``'list'`` (a comma-separated
            string, or a list whose first item is one).
        required: a body without it is answered 400.
        choices: the values of a ``'choice'``.
    """

    name: str
    kind: str = 'string'
    required: bool = True
    choices: Tuple[str, ...] = ()


def _field_error(field: Field, value: Any) -> Optional[str]:
    if value is None:
        return NULL
    if field.kind == 'choice':
        return None if str(value) in field.choices else (
            '"{0}" is not a valid choice.'.format(value))
    if field.kind == 'boolean':
        return None if _is_boolean(value) else _TYPE_ERRORS['boolean']
    if field.kind == 'list':
        return None if isinstance(value, (str, list)) else (
            'Expected a list of items.')
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return _TYPE_ERRORS['string']
    if not str(value).strip():
        return BLANK
    if field.kind == 'uuid':
        try:
            uuid.UUID(str(value))
        except ValueError:
            return _TYPE_ERRORS['uuid']
    return None


def field_errors(fields: Tuple[Field, ...], body: Any,
                 strict: bool) -> FieldErrors:
    """The DRF field errors of a body (an object) against a serializer's
    fields; ``{}`` when it is valid.  ``strict`` adds one for each field
    the serializer does not declare."""
    if not isinstance(body, dict):
        return {'non_field_errors': [
            'Invalid data. Expected a dictionary, but got {0}.'.format(
                type(body).__name__)]}
    errors: FieldErrors = {}
    for field in fields:
        if field.name not in body:
            if field.required:
                errors[field.name] = [REQUIRED]
            continue
        message = _field_error(field, body[field.name])
        if message:
            errors[field.name] = [message]
    if strict:
        declared = {field.name for field in fields}
        errors.update({name: [UNKNOWN] for name in body
                       if name not in declared})
    return errors


def is_invalid_choice(errors: FieldErrors) -> bool:
    """``InvalidStatusMixin.has_invalid_status``: the ``status`` of an item
    is not one of the choices (not missing, not null)."""
    return any(message.endswith('is not a valid choice.')
               for message in errors.get('status', ()))


class WriteRule(NamedTuple):
    """How a program (course) enrollment write is checked and answered.

    Attributes:
        fields_by_verb: the serializer's fields per verb.
        ok_statuses: ``ok_write_statuses``: a learner's result is the
            status written when it is one of these.
        missing_result: the result of updating an enrollment that does not
            exist (a PATCH): ``not-in-program`` for program enrollments,
            ``not-found`` for program course enrollments (edx-platform's
            ``ProgramCourseOperationStatuses``).
        needs_program_enrollment: a learner must be in the program before
            being written here (else ``not-in-program``).
    """

    fields_by_verb: Dict[str, Tuple[Field, ...]]
    ok_statuses: Tuple[str, ...]
    missing_result: str
    needs_program_enrollment: bool = False

    def learner_result(self, status: str, verb: str, exists: bool,
                       in_program: bool) -> str:
        """The result of one valid item: the status written, or the
        documented failure (``conflict``: POST of an existing enrollment;
        ``not-in-program`` / ``not-found``: an update of a missing one)."""
        create, update = WRITE_MODES[verb]
        if self.needs_program_enrollment and not in_program:
            return 'not-in-program'
        if exists and not update:
            return 'conflict'
        if not exists and not create:
            return self.missing_result
        return status


_KEY = Field(STUDENT_KEY)
_PROGRAM_STATUS = Field('status', 'choice',
                        choices=PROGRAM_ENROLLMENT_STATUSES)
_PROGRAM_CREATE = (_KEY, _PROGRAM_STATUS, Field('curriculum_uuid', 'uuid'))
_COURSE = (_KEY, Field('status', 'choice',
                       choices=PROGRAM_COURSE_ENROLLMENT_STATUSES),
           Field('course_staff', 'boolean', required=False))

#: The writes, by endpoint name: ``ProgramEnrollmentCreateRequestSerializer``
#: (POST, PUT), ``ProgramEnrollmentUpdateRequestSerializer`` (PATCH: the
#: curriculum is optional) and ``ProgramCourseEnrollmentRequestSerializer``.
WRITE_RULES = {
    'program_enrollments': WriteRule(
        {'POST': _PROGRAM_CREATE, 'PUT': _PROGRAM_CREATE,
         'PATCH': (_KEY, _PROGRAM_STATUS,
                   Field('curriculum_uuid', 'uuid', required=False))},
        PROGRAM_ENROLLMENT_STATUSES, 'not-in-program'),
    'program_course_enrollments': WriteRule(
        {'POST': _COURSE, 'PUT': _COURSE, 'PATCH': _COURSE},
        PROGRAM_COURSE_ENROLLMENT_STATUSES, 'not-found',
        needs_program_enrollment=True),
}


def write_body_error(body: Any) -> Optional[Answer]:
    """The answer to a write body that is not a list of learners, or holds
    more than 25 (413), else ``None``.  (An empty list is refused too: the
    docs say "a list of one or more students".)"""
    if not isinstance(body, list) or not body:
        return 400, {'detail': 'invalid enrollment record: expected a list '
                     'of one or more learners'}
    if len(body) > MAX_LEARNERS_PER_WRITE:
        return 413, {'detail': '{0} enrollments or fewer per request'.format(
            MAX_LEARNERS_PER_WRITE)}
    return None


def multi_status(results: Dict[str, str], ok_statuses: Tuple[str, ...]
                 ) -> int:
    """``get_enrollment_http_code``: 200 when every learner's result is a
    success, 207 when some are, 422 when none is."""
    done = sum(1 for result in results.values() if result in ok_statuses)
    return 200 if done == len(results) else 207 if done else 422


def grades_status(page: List[Dict[str, Any]]) -> int:
    """The status of a page of program course grades: 200 when every grade
    loaded, 207 when some failed (they carry ``error``), 422 when all did.
    (No grades at all is 204 without a body.)"""
    errors = sum(1 for record in page if 'error' in record)
    if errors == 0:
        return 200
    return 422 if errors == len(page) else 207


def page_size(params: Dict[str, str],
              pagination: Tuple[int, Optional[int]]) -> int:
    """DRF ``CursorPagination.get_page_size``: the ``page_size`` asked for
    when it is a positive integer (cut to the maximum, if any), else the
    default."""
    default, maximum = pagination
    try:
        size = int(params.get('page_size', ''))
    except ValueError:
        return default
    if size <= 0:
        return default
    return min(size, maximum) if maximum else size


#: ``BulkEnrollmentSerializer``: ``identifiers`` (CharField),
#: ``action`` (``enroll`` / ``unenroll``), ``auto_enroll`` and
#: ``email_students`` (BooleanField, default false), ``courses`` and
#: ``cohorts`` (comma-separated lists; cohorts optional).
BULK_ENROLL_FIELDS = (
    Field('identifiers'),
    Field('action', 'choice', choices=('enroll', 'unenroll')),
    Field('auto_enroll', 'boolean', required=False),
    Field('email_students', 'boolean', required=False),
    Field('courses', 'list'),
    Field('cohorts', 'list', required=False),
)


def valid_course_key(key: str) -> bool:
    """``CourseKey.from_string``: ``course-v1:Org+Number+Run`` (or the old
    ``Org/Number/Run``), no part empty."""
    if key.startswith('course-v1:'):
        parts = key[len('course-v1:'):].split('+')
    else:
        parts = key.split('/')
    return len(parts) == 3 and all(parts)


def split_list(value: Any) -> List[str]:
    """``StringListField.to_internal_value``: a comma-separated string (or
    a list holding one) as a list; nothing as ``[]``."""
    if not value:
        return []
    if isinstance(value, list):
        value = value[0]
    return str(value).split(',')


def bulk_enroll_errors(body: Any, known_courses: Any,
                       strict: bool) -> FieldErrors:
    """The DRF errors of a ``bulk_enroll`` body, ``{}`` when valid:
    field errors, then ``validate_courses`` ("Course key not valid"; the
    fake also refuses a valid key of a course it does not have), then
    ``validate`` (as many cohorts as courses)."""
    errors = field_errors(BULK_ENROLL_FIELDS, body, strict)
    if errors:
        return errors
    courses = split_list(body['courses'])
    bad = [key for key in courses if not valid_course_key(key)]
    unknown = [key for key in courses
               if key not in bad and key not in known_courses]
    if bad or unknown:
        return {'courses': ['Course key not valid: {0}'.format(key)
                            for key in bad]
                + ['Course not found: {0}'.format(key) for key in unknown]}
    cohorts = split_list(body.get('cohorts'))
    if cohorts and len(cohorts) != len(courses):
        return {'non_field_errors': [
            'If provided, the cohorts and courses should have equal number '
            'of items.']}
    return {}


def as_boolean(value: Any) -> bool:
    """The value of a valid BooleanField."""
    return str(value).lower() in ('true', 'on', '1', 'yes', 'y', 't', '1.0')


def valid_identifier(identifier: str) -> bool:
    """The fake knows learners by email: an identifier without ``@`` is
    answered ``invalidIdentifier``."""
    return '@' in identifier
