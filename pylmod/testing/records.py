"""Complete LMod records from the few fields a seed gives.

A seed names what matters for a test (``studentId``, ``accountEmail``,
``displayName``; an assignment's ``name`` and ``maxPointsTotal`` ...); the
functions here add the other fields, so the fake answers what LMod answers.
Each returns a shape of :mod:`pylmod.shapes` (the type checker holds every
record to it; a seed may add fields of its own), with the values of the
documentation's examples where a seed gives none.
"""
import datetime
from typing import Any, Dict, Mapping, Tuple, TypeVar, cast

from pylmod.shapes import (
    Assignment,
    GradebookInfo,
    Options,
    OptionSettings,
    Person,
    Section,
    StaffMember,
    Student,
)
from pylmod.testing.routes import LmodError

Record = TypeVar('Record', bound=Mapping[str, Any])

#: Options every gradebook has unless its seed says otherwise.
DEFAULT_OPTIONS: OptionSettings = {
    'accessLevel': 'class',
    'archived': False,
    'calc_on_approved_only': False,
    'configured': None,
    'deriveOverallGrades': False,
    'gradebookEwsEnabled': False,
    'gradebookReadOnly': False,
    'gradebookVisibleToAdvisors': False,
    'graders_change_approved': False,
    'hideExcuseButtonInUI': False,
    'homeworkBetaEnabled': False,
    'student_sees_actual_grades': True,
    'student_sees_category_info': True,
    'student_sees_comments': True,
    'student_sees_cumulative_score': True,
    'student_sees_histograms': True,
    'student_sees_submissions': False,
    'ta_approves': False,
    'ta_change_approved': False,
    'ta_configures': False,
    'ta_edits': False,
    'use_grade_weighting': False,
    'usingAttendance': False,
    'versionCompatible': 4,
    'versionCompatibleString': 'General Availability',
}

#: LMod's due dates are midnight, US Eastern (standard) time.
DUE_DATE_ZONE = datetime.timezone(datetime.timedelta(hours=-5))

#: The ``categoryId`` of a gradebook's "Uncategorized" category is the
#: gradebook id plus this (1293808 -> 1293820 in the examples).
UNCATEGORIZED_OFFSET = 12


def required(seed: Mapping[str, Any], key: str, where: str) -> Any:
    """Return ``seed[key]``; a missing key is a :class:`ValueError` naming
    ``where`` (e.g. ``gradebooks[0].students[3]``)."""
    try:
        return seed[key]
    except (KeyError, TypeError):
        raise ValueError('{0}: {1!r} is required, got {2!r}'.format(
            where, key, seed)) from None


def split_name(display_name: str) -> Tuple[str, str]:
    """``'Molly Parker'`` -> ``('Molly', 'Parker')``."""
    given, _, surname = display_name.strip().rpartition(' ')
    return (given, surname) if given else (surname, '')


def with_seed(record: Record, seed: Mapping[str, Any],
              derived: Tuple[str, ...] = ()) -> Record:
    """``record`` with the fields of ``seed`` over its own, except the
    ``derived`` ones (the fake computes those)."""
    cast(Dict[str, Any], record).update(
        (key, value) for key, value in seed.items() if key not in derived)
    return record


def person_record(seed: Mapping[str, Any], where: str) -> Person:
    """The fields students and staff share, from ``accountEmail`` and
    ``displayName``."""
    email = required(seed, 'accountEmail', where)
    display_name = seed.get('displayName') or email.partition('@')[0]
    given, surname = split_name(display_name)
    record: Person = {
        'accountEmail': email,
        'displayName': display_name,
        'editable': False,
        'email': email,
        'givenName': given,
        'middleName': None,
        'nickName': given,
        'sortableName': '{0}, {1}'.format(surname, given).strip(', '),
        'surname': surname,
    }
    return with_seed(record, seed)


def student_record(seed: Mapping[str, Any], section: Mapping[str, Any],
                   where: str) -> Student:
    """A student like ``student`` of the examples, in ``section`` (a
    section record, or ``{}`` for none)."""
    student_id = int(required(seed, 'studentId', where))
    return {
        **person_record(seed, where),
        'studentId': student_id,
        'photoUrl': seed.get('photoUrl'),
        'section': section.get('name'),
        'sectionId': section.get('groupId'),
        'overallGradeInformation': None,
        'studentAssignmentInfo': None,
    }


def staff_record(seed: Mapping[str, Any], person_id: int,
                 where: str) -> StaffMember:
    """A staff member like those of ``staff`` in the examples."""
    return {'mitId': None, 'personId': person_id, 'year': None,
            **person_record(seed, where)}


def section_record(seed: Mapping[str, Any], section_type: str,
                   where: str) -> Section:
    """A section like those of ``sections`` in the examples."""
    name = required(seed, 'name', where)
    record: Section = {
        'editable': True,
        'groupId': int(required(seed, 'groupId', where)),
        'groupingScheme': section_type.capitalize(),
        'members': None,
        'name': name,
        'shortName': name,
        'staffs': None,
    }
    # memberIds is the seed's way to list a section's extra members.
    return with_seed(record, seed, derived=('memberIds',))


def due_date(due_date_string: Any) -> int:
    """``'11-04-2013'`` -> 1383541200000 (milliseconds, as LMod's
    ``dueDate``).

    Raises:
        LmodError: 400, the string is not ``mm-dd-yyyy``.
    """
    try:
        day = datetime.datetime.strptime(str(due_date_string), '%m-%d-%Y')
    except ValueError:
        raise LmodError(400, 'dueDateString must be mm-dd-yyyy, got '
                        '{0!r}'.format(due_date_string)) from None
    return int(day.replace(tzinfo=DUE_DATE_ZONE).timestamp() * 1000)


def number(value: Any, field: str) -> float:
    """Return ``value`` as a float.

    Raises:
        LmodError: 400, naming ``field``.
    """
    try:
        return float(value)
    except (TypeError, ValueError):
        raise LmodError(400, '{0} must be a number, got {1!r}'.format(
            field, value)) from None


#: Assignment fields the fake computes; a seed's other fields are kept.
_DERIVED_ASSIGNMENT_FIELDS = (
    'assignmentId', 'dueDate', 'gradebookId', 'gradingSchemeId',
    'maxPointsTotal', 'weight')


def assignment_record(seed: Mapping[str, Any], gradebook_id: int,
                      grading_scheme_id: int) -> Assignment:
    """An assignment like ``assignment`` of the examples.

    Raises:
        LmodError: 400, a field has the wrong type.
    """
    name = seed.get('name')
    if not isinstance(name, str) or not name:
        raise LmodError(400, 'an assignment needs a name, got {0!r}'.format(
            name))
    due_date_string = seed.get('dueDateString') or '12-15-2013'
    record: Assignment = {
        'assignmentId': int(required(seed, 'assignmentId', 'assignment')),
        'categoryId': gradebook_id + UNCATEGORIZED_OFFSET,
        'description': '',
        'dueDate': due_date(due_date_string),
        'dueDateString': due_date_string,
        'gradebookId': gradebook_id,
        'graderVisible': False,
        'gradingSchemeId': grading_scheme_id,
        'gradingSchemeType': 'NUMERIC',
        'isComposite': False,
        'isHomework': False,
        'maxPointsTotal': number(seed.get('maxPointsTotal', 100.0),
                                 'maxPointsTotal'),
        'name': name,
        'shortName': seed.get('shortName') or name[:5],
        'userDeleted': False,
        'weight': number(seed.get('weight', 1.0), 'weight'),
    }
    return with_seed(record, seed, derived=_DERIVED_ASSIGNMENT_FIELDS)


def gradebook_info(seed: Mapping[str, Any], where: str) -> GradebookInfo:
    """The ``data`` of the ``gradebook`` example."""
    uuid = required(seed, 'uuid', where)
    course_number = seed.get('courseNumber') or uuid.rpartition('/')[2]
    return {
        'gradebookId': int(required(seed, 'gradebookId', where)),
        'uuid': uuid,
        'courseName': seed.get('courseName', ''),
        'courseNumber': course_number,
        'membershipSource': seed.get('membershipSource', 'stellar'),
        'gradebookName': seed.get(
            'gradebookName', 'Gradebook for {0}'.format(course_number)),
    }


def gradebook_options(info: GradebookInfo,
                      overrides: Mapping[str, Any]) -> Options:
    """The ``data`` of the ``options`` example, keys in alphabetical order
    as there."""
    options: Options = {
        **DEFAULT_OPTIONS,
        'courseName': info['courseName'],
        'courseNumber': info['courseNumber'],
        'gradebookId': info['gradebookId'],
        'gradebookName': info['gradebookName'],
        'membershipQualifier': info['uuid'].partition(':')[2],
        'membershipSource': info['membershipSource'],
    }
    with_seed(options, overrides)
    return cast(Options, dict(sorted(options.items())))


def membership_record(seed: Mapping[str, Any], children: str,
                      where: str) -> Dict[str, Any]:
    """A group or course guide course of the membership service: a seed
    with an ``id`` (a number) and a ``uuid``, and its ``children``
    (``members`` or ``staff``: docs as the service lists them)."""
    record = dict(seed)
    record['id'] = int(required(seed, 'id', where))
    required(seed, 'uuid', where)
    record[children] = [dict(child) for child in seed.get(children, ())]
    return record
