"""The demo course of the fake LMod: ``mitxdemosite``, as in the examples.

:func:`demo_seed` builds the same data every time (no randomness):

- gradebook ``STELLAR:/project/mitxdemosite`` (id 1293808) with
  :data:`DEMO_STUDENT_COUNT` students in recitations ``Unassigned``,
  ``r01`` ... ``r04`` and lectures ``L01`` / ``L02``; the first three are
  the students of the documentation (``stellar.test2@gmail.com`` is Molly
  Parker, studentId 1145);
- staff in each role (``COURSE_ADMIN``, ``COURSE_PROF``, ``COURSE_TA``);
- assignments ``midterm1`` (100 points, graded for the first 200
  students), ``AB Assignment 01`` (1 point, graded for the first 100),
  ``AB Assignment 02`` and ``final`` (no grades yet);
- the membership group ``/project/mitxdemosite`` (id 1000000) with the
  staff and the students, and the course guide course of the same uuid
  (id 2314) with its staff.
"""
from typing import Any, Dict, List

#: The uuid of the demo gradebook (``GradeBook(gbuuid=...)``).
DEMO_GRADEBOOK_UUID = 'STELLAR:/project/mitxdemosite'
#: The uuid of the demo group and course (``Membership(uuid=...)``).
DEMO_COURSE_UUID = '/project/mitxdemosite'
#: The id of the demo gradebook.
DEMO_GRADEBOOK_ID = 1293808
#: The id of the demo membership group.
DEMO_GROUP_ID = 1000000
#: The id of the demo course guide course.
DEMO_COURSE_ID = 2314
#: How many students the demo gradebook has.
DEMO_STUDENT_COUNT = 300
#: The studentId of the first demo student; the others follow.
FIRST_STUDENT_ID = 1143

_DOCUMENTED_STUDENTS = (
    ('jeannechiang@gmail.com', 'Jeanne Chiang'),
    ('stellar.test1@gmail.com', 'Stellar Test'),
    ('stellar.test2@gmail.com', 'Molly Parker'),
)
_GIVEN_NAMES = ('Ada', 'Grace', 'Alan', 'Katherine', 'Claude', 'Barbara',
                'Donald', 'Frances', 'John', 'Radia', 'Edsger', 'Hedy',
                'Dennis', 'Margaret', 'Ken', 'Shafi', 'Tim', 'Sophie')
_SURNAMES = ('Lovelace', 'Hopper', 'Turing', 'Johnson', 'Shannon', 'Liskov',
             'Knuth', 'Allen', 'McCarthy', 'Perlman', 'Dijkstra', 'Lamarr',
             'Ritchie', 'Hamilton', 'Thompson', 'Goldwasser', 'Berners-Lee')

_RECITATIONS = [
    {'groupId': 1293925, 'name': 'Unassigned', 'editable': False,
     'shortName': 'DefaultGroupNoCollisionPlease1234'},
    {'groupId': 1327565, 'name': 'r01'},
    {'groupId': 1327566, 'name': 'r02'},
    {'groupId': 1327567, 'name': 'r03'},
    {'groupId': 1327568, 'name': 'r04'},
]
_LECTURE_IDS = (1327601, 1327602)

_STAFF = {
    'COURSE_ADMIN': [
        ('benfranklin@mit.edu', 'Benjamin Franklin', '921344431', 10710616),
        ('lduck@mit.edu', 'Louie Duck', '920445026', 1299061)],
    'COURSE_PROF': [
        ('dduck@mit.edu', 'Donald Duck', '916144889', 8117160),
        ('gwashington@mit.edu', 'George Washington', '912345678', 1000001)],
    'COURSE_TA': [
        ('hduck@mit.edu', 'Huey Duck', '920445024', 1299059),
        ('deduck@mit.edu', 'Dewey Duck', '920445025', 1299060)],
}
# The roles the membership service gives the same people (its own names).
_GROUP_ROLES = {'COURSE_ADMIN': 'Instructor', 'COURSE_PROF': 'Instructor',
                'COURSE_TA': 'TA'}
_COURSE_GUIDE_STAFF = (
    ('Huey Duck', 'TA'), ('Dewey Duck', 'TA'),
    ('Louie Duck', 'CourseAdmin'), ('Benjamin Franklin', 'CourseAdmin'),
    ('George Washington', 'Instructor'), ('Donald Duck', 'Instructor'),
)

_ASSIGNMENTS = [
    {'assignmentId': 16708850, 'name': 'midterm1', 'shortName': 'mid1',
     'maxPointsTotal': 100.0, 'dueDateString': '11-04-2013'},
    {'assignmentId': 16708860, 'name': 'AB Assignment 01',
     'shortName': 'ABA01', 'maxPointsTotal': 1.0,
     'dueDateString': '09-20-2013'},
    {'assignmentId': 16708870, 'name': 'AB Assignment 02',
     'shortName': 'ABA02', 'maxPointsTotal': 1.0,
     'dueDateString': '10-04-2013'},
    {'assignmentId': 16708880, 'name': 'final', 'shortName': 'final',
     'maxPointsTotal': 100.0, 'dueDateString': '12-15-2013'},
]


def _demo_students() -> List[Dict[str, Any]]:
    students = []
    for index in range(DEMO_STUDENT_COUNT):
        if index < len(_DOCUMENTED_STUDENTS):
            email, name = _DOCUMENTED_STUDENTS[index]
        else:
            given = _GIVEN_NAMES[index % len(_GIVEN_NAMES)]
            surname = _SURNAMES[index % len(_SURNAMES)]
            name = '{0} {1}'.format(given, surname)
            email = 'student{0:03d}@mit.edu'.format(index)
        # Every tenth student has no recitation yet.
        section = (_RECITATIONS[0] if index % 10 == 9 or index == 2
                   else _RECITATIONS[1 + index % 4])
        students.append({'studentId': FIRST_STUDENT_ID + index,
                         'accountEmail': email, 'displayName': name,
                         'sectionId': section['groupId']})
    return students


def _demo_grades(students: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    grades = []
    for index, student in enumerate(students[:200]):
        grades.append({'studentId': student['studentId'],
                       'assignmentId': 16708850,
                       'numericGradeValue': float(40 + (index * 37) % 61),
                       'isGradeApproved': index % 3 != 0})
    for index, student in enumerate(students[:100]):
        grades.append({'studentId': student['studentId'],
                       'assignmentId': 16708860,
                       'numericGradeValue': ((index * 7) % 11) / 10.0,
                       'isGradeApproved': True})
    return grades


def _person(email: str, name: str, mit_id: str,
            person_id: int) -> Dict[str, Any]:
    return {'accountEmail': email, 'displayName': name, 'mitId': mit_id,
            'personId': person_id}


def demo_seed() -> Dict[str, Any]:
    """Return the seed of :meth:`pylmod.testing.FakeLmod.demo`.

    Returns:
        dict: a seed in the format of :class:`pylmod.testing.FakeLmod`.
    """
    students = _demo_students()
    lectures = [
        {'groupId': group_id, 'name': 'L0{0}'.format(number),
         'memberIds': [student['studentId'] for index, student
                       in enumerate(students) if index % 2 == number - 1]}
        for number, group_id in enumerate(_LECTURE_IDS, start=1)]
    staff = {role: [_person(*member) for member in members]
             for role, members in _STAFF.items()}
    group_members = [
        {'email': member[0], 'roleType': _GROUP_ROLES[role]}
        for role, members in _STAFF.items() for member in members]
    group_members.extend({'email': student['accountEmail'],
                          'roleType': 'Student'} for student in students)
    course_staff = [
        {'displayName': name, 'role': role,
         'sortableDisplayName': '{1}, {0}'.format(*name.rsplit(' ', 1))}
        for name, role in _COURSE_GUIDE_STAFF]
    return {
        'gradebooks': [{
            'gradebookId': DEMO_GRADEBOOK_ID,
            'uuid': DEMO_GRADEBOOK_UUID,
            'courseNumber': 'mitxdemosite',
            'gradebookName': 'Gradebook for mitxdemosite',
            'sections': {'recitation': [dict(section) for section
                                        in _RECITATIONS],
                         'lecture': lectures},
            'students': students,
            'staff': staff,
            'assignments': [dict(assignment) for assignment
                            in _ASSIGNMENTS],
            'grades': _demo_grades(students),
        }],
        'groups': [{'id': DEMO_GROUP_ID, 'uuid': DEMO_COURSE_UUID,
                    'name': 'mitxdemosite', 'members': group_members}],
        'courses': [{'id': DEMO_COURSE_ID, 'uuid': DEMO_COURSE_UUID,
                     'name': 'mitxdemosite', 'staff': course_staff}],
    }
