"""Unit tests of the fake LMod's state and handlers (no network).

The fake is driven through :meth:`FakeLmod.handle`, the entry point the
server uses; ``tests/fakes/test_lmod_server.py`` covers TLS and faults, and
``tests/test_end_to_end.py`` the clients against the served fake.
"""
import json
import re
from pathlib import Path
from typing import List

import pytest

from pylmod import shapes
from pylmod.endpoints import ENDPOINTS
from pylmod.testing import (
    DEMO_COURSE_ID,
    DEMO_COURSE_UUID,
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
    DEMO_GROUP_ID,
    FakeLmod,
    shape_problems,
)
from pylmod.testing.fake import HANDLERS, ROUTES

DATA_DIR = Path(__file__).parents[1] / 'data'

GB = 'service/gradebook/'
MB = 'service/membership/'

#: The shape of the body each endpoint answers (pylmod.shapes).
ANSWER_SHAPES = {
    'gradebook': shapes.GradebookAnswer,
    'options': shapes.OptionsAnswer,
    'assignments': shapes.AssignmentsAnswer,
    'create_assignment': shapes.CreateAssignmentAnswer,
    'delete_assignment': shapes.StatusAnswer,
    'grade': shapes.StatusAnswer,
    'multi_grade': shapes.MultiGradesAnswer,
    'sections': shapes.SectionsAnswer,
    'students': shapes.StudentsAnswer,
    'section_students': shapes.StudentsAnswer,
    'staff': shapes.StaffAnswer,
    'group': shapes.GroupAnswer,
    'group_members': shapes.GroupMembersAnswer,
    'course': shapes.CourseAnswer,
    'course_staff': shapes.CourseGuideStaffAnswer,
}
#: The membership service answers more than LMod's documentation shows
#: (``numFound``, a group's ``uuid`` and ``name``): its shapes are checked
#: without ``exact``.
MEMBERSHIP = {'group', 'group_members', 'course', 'course_staff'}


def keys(shape, optional=()):
    """The required keys of a shape, and the optional ones named."""
    assert set(optional) <= shape.__optional_keys__
    return shape.__required_keys__ | set(optional)


@pytest.fixture
def small():
    """The fake seeded from ``tests/data/small_course.json``."""
    return FakeLmod.from_file(DATA_DIR / 'small_course.json')


@pytest.fixture
def demo():
    return FakeLmod.demo()


def ok(fake, method, path, params=None, body=None):
    """Call the fake, check it answered 200, return the body."""
    status, answer = fake.handle(method, path, params, body)
    assert status == 200, answer
    return answer


def error(fake, method, path, params=None, body=None):
    """Call the fake, check it answered an LMod error, return the status."""
    status, answer = fake.handle(method, path, params, body)
    assert answer['status'] == -1 and answer['message'], answer
    assert set(answer) == {'status', 'message'}
    return status


# -- routing --------------------------------------------------------------

def test_every_endpoint_row_has_a_handler_and_a_route():
    assert set(HANDLERS) == set(ENDPOINTS)
    assert [route.endpoint for route in ROUTES] == list(ENDPOINTS.values())


@pytest.mark.parametrize('name', sorted(ENDPOINTS))
def test_every_endpoint_is_answered_on_the_demo(demo, name):
    """Each row, with its path filled in as the client does, reaches its
    handler and succeeds on the demo data, with the documented shape."""
    endpoint = ENDPOINTS[name]
    ids = {'gradebookId': DEMO_GRADEBOOK_ID, 'assignmentId': 16708850,
           'sectionId': 1327565, 'groupId': DEMO_GROUP_ID,
           'courseId': DEMO_COURSE_ID, 'uuid': DEMO_COURSE_UUID}
    path, _, query = endpoint.format(**ids).partition('?')
    params = dict(pair.split('=', 1) for pair in query.split('&') if pair)
    params.update({param: 'false' for param in endpoint.params})
    if 'uuid' in endpoint.params:
        params['uuid'] = (DEMO_GRADEBOOK_UUID if endpoint.service ==
                          'gradebook' else DEMO_COURSE_UUID)
    bodies = {
        'create_assignment': {'name': 'new', 'gradebookId': DEMO_GRADEBOOK_ID},
        'grade': {'studentId': 1145, 'assignmentId': 16708850,
                  'numericGradeValue': '5'},
        'multi_grade': [],
    }
    answer = ok(demo, endpoint.method,
                'service/{0}/{1}'.format(endpoint.service, path), params,
                bodies.get(name))
    assert shape_problems(answer, ANSWER_SHAPES[name],
                          exact=name not in MEMBERSHIP) == []


def test_course_route_takes_the_uuid_from_the_query(demo):
    answer = ok(demo, 'GET', MB + 'courseguide/course',
                {'uuid': DEMO_COURSE_UUID})
    assert answer['response']['docs'][0]['id'] == DEMO_COURSE_ID
    assert error(demo, 'GET', MB + 'courseguide/course') == 404


def test_unknown_path_wrong_method_and_bad_id(demo):
    assert error(demo, 'GET', GB + 'nothing/here') == 404
    assert error(demo, 'GET', 'elsewhere') == 404
    assert error(demo, 'GET', GB + 'assignment') == 405
    assert error(demo, 'GET', GB + 'assignments/abc') == 400


# -- seeding ----------------------------------------------------------------

def test_seed_from_file_fills_in_lmod_records(small):
    students = ok(small, 'GET', GB + 'students/500')['data']
    assert [s['studentId'] for s in students] == [601, 602, 603]
    assert shape_problems(students, List[shapes.Student], exact=True) == []
    assert set(students[0]) == keys(shapes.Student)
    assert students[0]['sortableName'] == 'Smith, Alice'
    assert [s['section'] for s in students] == ['r01', 'r01', 'Unassigned']
    assert small.stored_grades(500) == {(601, 701): 8.5}
    assert small.grade_records(500)[(601, 701)]['isGradeApproved'] is True


def test_to_dict_round_trips(small):
    ok(small, 'POST', GB + 'grades/500',
       body={'studentId': 603, 'mode': 1, 'letterGradeValue': 'B'})
    copy = FakeLmod(json.loads(json.dumps(small.to_dict())))
    assert copy.to_dict() == small.to_dict()


@pytest.mark.parametrize('seed, where', [
    ({'gradebooks': [{'gradebookId': 1}]}, r"gradebooks\[0\]: 'uuid'"),
    ({'gradebooks': [{'gradebookId': 1, 'uuid': 'u',
                      'students': [{'studentId': 2}]}]},
     r"gradebooks\[0\].students\[0\]: 'accountEmail'"),
    ({'gradebooks': [{'gradebookId': 1, 'uuid': 'u', 'students': [
        {'studentId': 2, 'accountEmail': 'a@b', 'section': 'r09'}]}]},
     r"students\[0\]: no section 'r09'"),
    ({'gradebooks': [{'gradebookId': 1, 'uuid': 'u', 'grades': [
        {'studentId': 2, 'assignmentId': 3, 'numericGradeValue': 1}]}]},
     r'grades\[0\]: No student'),
    ({'groups': [{'uuid': 'u'}]}, r"groups\[0\]: 'id'"),
])
def test_bad_seed_names_the_entry(seed, where):
    with pytest.raises(ValueError, match=where):
        FakeLmod(seed)


def test_from_file_that_is_not_json(tmp_path):
    path = tmp_path / 'seed.json'
    path.write_text('{not json')
    with pytest.raises(ValueError, match=re.escape(str(path))):
        FakeLmod.from_file(path)


def test_demo_course():
    fake = FakeLmod.demo()
    students = fake.students(DEMO_GRADEBOOK_ID)
    assert len(students) == 300
    molly = [s for s in students if s['studentId'] == 1145][0]
    assert (molly['accountEmail'], molly['displayName'], molly['section'],
            molly['sectionId']) == ('stellar.test2@gmail.com',
                                    'Molly Parker', 'Unassigned', 1293925)
    sections = ok(fake, 'GET', GB + 'sections/1293808')['data']
    assert {kind: len(items) for kind, items in sections.items()} == {
        'recitation': 5, 'lecture': 2}
    staff = ok(fake, 'GET', GB + 'staff/1293808')['data']
    assert set(staff) == {'COURSE_ADMIN', 'COURSE_PROF', 'COURSE_TA'}
    assert set(staff['COURSE_ADMIN'][0]) == keys(shapes.StaffMember)
    assert len(fake.stored_grades(DEMO_GRADEBOOK_ID)) == 300
    assert FakeLmod.demo().to_dict() == fake.to_dict()  # deterministic


# -- gradebook service ------------------------------------------------------

def test_gradebook_by_uuid(demo):
    answer = ok(demo, 'GET', GB + 'gradebook', {'uuid': DEMO_GRADEBOOK_UUID})
    assert answer == {'message': '', 'status': 1, 'data': {
        'gradebookId': 1293808, 'uuid': DEMO_GRADEBOOK_UUID,
        'courseName': '', 'courseNumber': 'mitxdemosite',
        'membershipSource': 'stellar',
        'gradebookName': 'Gradebook for mitxdemosite'}}
    assert error(demo, 'GET', GB + 'gradebook', {'uuid': 'STELLAR:/x'}) == 404
    assert error(demo, 'GET', GB + 'gradebook') == 400


def test_options(demo):
    options = ok(demo, 'GET', GB + 'gradebook/options/1293808')['data']
    assert options['membershipQualifier'] == '/project/mitxdemosite'
    assert options['gradebookId'] == 1293808
    assert options['versionCompatibleString'] == 'General Availability'
    assert error(demo, 'GET', GB + 'gradebook/options/1') == 404


def test_assignments_honour_the_flags(small):
    path = GB + 'assignments/500'
    plain = ok(small, 'GET', path, {'includeMaxPoints': 'false'})['data']
    assert set(plain[0]) == keys(shapes.Assignment)
    full = ok(small, 'GET', path, {
        'includeMaxPoints': 'true', 'includeAvgStats': 'true',
        'includeGradingStats': 'true'})['data']
    hw1 = full[0]
    assert set(hw1) == keys(shapes.Assignment, {
        'maxPointsTotal', 'averageGrade', 'numStudentsToBeGraded',
        'numStudentGradesToBeApproved'})
    assert (hw1['maxPointsTotal'], hw1['averageGrade'],
            hw1['numStudentsToBeGraded'],
            hw1['numStudentGradesToBeApproved']) == (10.0, 8.5, 2, 0)
    assert full[1]['averageGrade'] is None
    assert small.assignments(500)[0]['dueDate'] == 1757912400000


def test_create_assignment(small):
    answer = ok(small, 'POST', GB + 'assignment', body={
        'name': 'new NUMERIC SIMPLE ASSIGNMENT', 'shortName': 'SAnew',
        'weight': 1.0, 'graderVisible': True, 'gradingSchemeType': 'NUMERIC',
        'gradebookId': 500, 'maxPointsTotal': 100.0,
        'dueDateString': '11-04-2013'})
    assert answer['message'] == 'assignment is created successfully'
    data = answer['data']
    assert set(data) == keys(shapes.CreatedAssignment)
    assert data['dueDate'] == 1383541200000  # as in the examples
    assert data['graderVisible'] is True
    assert data['assignmentId'] not in (701, 702)
    assert [a['name'] for a in small.assignments(500)][-1] == data['name']


@pytest.mark.parametrize('body, status', [
    ({'name': 'x', 'gradebookId': 1}, 404),
    ({'gradebookId': 500}, 400),
    ({'name': 'x', 'gradebookId': 500, 'dueDateString': '2013-11-04'}, 400),
    ({'name': 'x', 'gradebookId': 500, 'maxPointsTotal': 'many'}, 400),
    (['not', 'an', 'object'], 400),
])
def test_create_assignment_errors(small, body, status):
    assert error(small, 'POST', GB + 'assignment', body=body) == status
    assert len(small.assignments(500)) == 2


def test_delete_assignment_deletes_its_grades(small):
    answer = ok(small, 'DELETE', GB + 'assignment/701')
    assert answer == {'status': 1,
                      'message': 'assignment is deleted successfully'}
    assert [a['assignmentId'] for a in small.assignments(500)] == [702]
    assert small.stored_grades(500) == {}
    assert error(small, 'DELETE', GB + 'assignment/701') == 404


def test_set_grade(small):
    answer = ok(small, 'POST', GB + 'grades/500', body={
        'studentId': 602, 'assignmentId': 702, 'mode': 2,
        'numericGradeValue': '77.5', 'isGradeApproved': False})
    assert answer == {'status': 1, 'message': 'grade saved successfully'}
    ok(small, 'POST', GB + 'grades/500', body={
        'studentId': 603, 'assignmentId': 702, 'numericGradeValue': None,
        'specialGradeValue': 'x'})
    assert small.stored_grades(500) == {
        (601, 701): 8.5, (602, 702): 77.5, (603, 702): None}


@pytest.mark.parametrize('grade, status', [
    ({'studentId': 9, 'assignmentId': 701, 'numericGradeValue': 1}, 404),
    ({'studentId': 601, 'assignmentId': 9, 'numericGradeValue': 1}, 404),
    ({'studentId': 601, 'assignmentId': 701, 'numericGradeValue': 'A'}, 400),
])
def test_set_grade_errors(small, grade, status):
    assert error(small, 'POST', GB + 'grades/500', body=grade) == status
    assert small.stored_grades(500) == {(601, 701): 8.5}


def test_multi_grade_stores_the_good_and_lists_the_failures(small):
    grades = [
        {'studentId': 601, 'assignmentId': 702, 'numericGradeValue': 90,
         'mode': 2, 'isGradeApproved': True},
        {'studentId': 999, 'assignmentId': 702, 'numericGradeValue': 80},
        {'studentId': 602, 'assignmentId': 999, 'numericGradeValue': 70},
        {'studentId': '602', 'assignmentId': 701, 'numericGradeValue': 6},
    ]
    answer = ok(small, 'POST', GB + 'multiGrades/500', body=grades)
    assert answer['status'] == 1
    assert answer['data']['numFailures'] == 2
    results = answer['data']['results']
    assert [dict(r, message=None) for r in results] == [
        dict(grades[1], message=None), dict(grades[2], message=None)]
    assert 'No student with studentId 999' in results[0]['message']
    assert 'No assignment with assignmentId 999' in results[1]['message']
    assert small.stored_grades(500) == {
        (601, 701): 8.5, (601, 702): 90.0, (602, 701): 6.0}
    assert error(small, 'POST', GB + 'multiGrades/500', body={}) == 400


def test_sections_by_type(small):
    data = ok(small, 'GET', GB + 'sections/500',
              {'includeMembers': 'false'})['data']
    assert list(data) == ['recitation', 'lecture']
    assert set(data['recitation'][1]) == keys(shapes.Section)
    assert data['recitation'][1]['members'] is None
    assert data['lecture'][0]['groupingScheme'] == 'Lecture'
    members = ok(small, 'GET', GB + 'sections/500',
                 {'includeMembers': 'true'})['data']['lecture'][0]['members']
    assert [m['studentId'] for m in members] == [601, 602]


def test_students_in_a_section(small):
    def ids(section_id):
        return [s['studentId'] for s in ok(small, 'GET', GB + (
            'students/500/section/{0}'.format(section_id)))['data']]
    assert ids(511) == [601, 602]
    assert ids(510) == [603]
    assert ids(520) == [601, 602]
    assert error(small, 'GET', GB + 'students/500/section/999') == 404


def test_students_with_grade_info(small):
    ok(small, 'POST', GB + 'grades/500', body={
        'studentId': 601, 'mode': 1, 'letterGradeValue': 'A'})
    students = ok(small, 'GET', GB + 'students/500',
                  {'includeGradeInfo': 'true'})['data']
    assert students[0]['studentAssignmentInfo'] == [{
        'assignmentId': 701, 'assignmentName': 'hw1',
        'numericGradeValue': 8.5, 'letterGradeValue': None,
        'specialGradeValue': None, 'isGradeApproved': True,
        'comment': None}]
    assert students[0]['overallGradeInformation'] == {
        'letterGradeValue': 'A'}
    assert students[1]['studentAssignmentInfo'] == []
    without = ok(small, 'GET', GB + 'students/500')['data']
    assert without[0]['studentAssignmentInfo'] is None


def test_staff_by_role(small):
    staff = ok(small, 'GET', GB + 'staff/500')['data']
    assert {role: [m['accountEmail'] for m in members]
            for role, members in staff.items()} == {
        'COURSE_ADMIN': ['admin@mit.edu'], 'COURSE_PROF': ['prof@mit.edu'],
        'COURSE_TA': ['ta@mit.edu']}
    assert error(small, 'GET', GB + 'staff/1') == 404


# -- membership service ------------------------------------------------------

def test_group_members_course_and_staff(small):
    group = ok(small, 'GET', MB + 'group', {'uuid': '/project/smallcourse'})
    assert group['response']['docs'][0]['id'] == 800
    members = ok(small, 'GET', MB + 'group/800/member')['response']['docs']
    assert members == [{'email': 'ta@mit.edu', 'roleType': 'TA'},
                       {'email': 'prof@mit.edu', 'roleType': 'Instructor'}]
    course = ok(small, 'GET', MB + 'courseguide/course',
                {'uuid': '/project/smallcourse'})
    assert course['response']['docs'][0]['id'] == 900
    staff = ok(small, 'GET', MB + 'courseguide/course/900/staff')
    assert staff['response']['docs'] == [{
        'displayName': 'Paul Prof', 'role': 'Instructor',
        'sortableDisplayName': 'Prof, Paul'}]


@pytest.mark.parametrize('path, params, status', [
    ('group', {'uuid': '/project/none'}, 404),
    ('group', {}, 400),
    ('group/1/member', {}, 404),
    ('courseguide/course', {'uuid': '/project/none'}, 404),
    ('courseguide/course/1/staff', {}, 404),
])
def test_membership_errors(small, path, params, status):
    assert error(small, 'GET', MB + path, params) == status
