"""Request-level tests of pylmod.gradebook.GradeBook (the LMod contract).

Each test registers the LMod answer with ``responses`` and checks the
request the method made (verb, path, query, body and its key order) and
what it returned.
"""
import json
import time
import types
from pathlib import Path

import pytest
from responses import matchers

import pylmod.gradebook
from pylmod.exceptions import (
    PyLmodFailedAssignmentCreation,
    PyLmodMissingId,
    PyLmodNoSuchSection,
    PyLmodUnexpectedData,
)
from pylmod.gradebook import DEFAULT_MAX_POINTS, GradeBook

URLBASE = 'https://learning-modules-test.mit.edu:8443/'
ROOT = URLBASE + 'service/gradebook/'
GBUUID = 'STELLAR:/project/mitxdemosite'
GRADEBOOK_ID = 1293808
OTHER_GRADEBOOK_ID = 2314
DATA_DIR_CSV = str(Path(__file__).parent / 'data' / '{0}.csv')


def pairs_in_order(text):
    """Decode JSON with every object as a list of ``[key, value]`` in the
    order they were sent."""
    return json.loads(
        text, object_pairs_hook=lambda pairs: [list(pair) for pair in pairs])


def body_of(call):
    """The JSON body of a recorded call, keys in the order sent."""
    return pairs_in_order(call.request.body)


def query_of(call):
    return call.request.url.partition('?')[2]


@pytest.fixture
def gradebook(mocked_gradebook):
    return mocked_gradebook


@pytest.fixture
def fixed_clock(monkeypatch):
    """Freeze the clock set_grade reads for its comment."""
    now = 1383541200.0
    monkeypatch.setattr(pylmod.gradebook, 'time', types.SimpleNamespace(
        time=lambda: now, ctime=time.ctime))
    return now


def register_students(lmod_mock, lmod_payload, path=None, params=None):
    query = {'includePhoto': 'false', 'includeGradeInfo': 'false',
             'includeGradeHistory': 'false', 'includeMakeupGrades': 'false'}
    query.update(params or {})
    lmod_mock.get(ROOT + (path or 'students/{0}'.format(GRADEBOOK_ID)),
                  match=[matchers.query_param_matcher(query)],
                  json=lmod_payload('students_response'))


def register_sections(lmod_mock, lmod_payload):
    lmod_mock.get(ROOT + 'sections/{0}'.format(GRADEBOOK_ID),
                  match=[matchers.query_param_matcher(
                      {'includeMembers': 'false'})],
                  json=lmod_payload('sections_response'))


def register_assignments(lmod_mock, lmod_payload):
    lmod_mock.get(ROOT + 'assignments/{0}'.format(GRADEBOOK_ID),
                  json=lmod_payload('assignments_response'))


# Construction --------------------------------------------------------------

def test_constructor_looks_up_the_gradebook_id(cert_path, lmod_mock,
                                               lmod_payload):
    lmod_mock.get(ROOT + 'gradebook',
                  json=lmod_payload('gradebook_by_uuid_response'))
    gradebook = GradeBook(cert_path, URLBASE[:-1], gbuuid=GBUUID)
    assert gradebook.gradebook_id == GRADEBOOK_ID
    assert gradebook.urlbase == ROOT
    assert gradebook.cert == cert_path
    assert (lmod_mock.calls[0].request.url
            == ROOT + 'gradebook?uuid=STELLAR%3A%2Fproject%2Fmitxdemosite')


def test_constructor_without_gbuuid_makes_no_request(cert_path, lmod_mock):
    gradebook = GradeBook(cert_path, URLBASE)
    assert gradebook.gradebook_id is None
    assert len(lmod_mock.calls) == 0


def test_get_gradebook_id_without_data_is_unexpected(gradebook, lmod_mock,
                                                     lmod_payload):
    lmod_mock.get(ROOT + 'gradebook', json=lmod_payload('error_response'))
    with pytest.raises(PyLmodUnexpectedData):
        gradebook.get_gradebook_id('STELLAR:/project/nothere')


@pytest.mark.parametrize('call', [
    lambda gradebook: gradebook.get_options(''),
    lambda gradebook: gradebook.get_assignments(),
    lambda gradebook: gradebook.create_assignment('a', 'a', 1.0, 1.0,
                                                  '12-15-2013'),
    lambda gradebook: gradebook.set_grade(1, 2, 0.5),
    lambda gradebook: gradebook.multi_grade([]),
    lambda gradebook: gradebook.get_sections(),
    lambda gradebook: gradebook.get_section_by_name('r01'),
    lambda gradebook: gradebook.get_students(),
    lambda gradebook: gradebook.get_staff(''),
    lambda gradebook: gradebook.spreadsheet2gradebook(
        DATA_DIR_CSV.format('grades_two_assignments')),
], ids=['options', 'assignments', 'create_assignment', 'set_grade',
        'multi_grade', 'sections', 'section_by_name', 'students', 'staff',
        'spreadsheet2gradebook'])
def test_no_gradebook_id_is_a_clear_error(cert_path, lmod_mock, call):
    gradebook = GradeBook(cert_path, URLBASE)
    with pytest.raises(PyLmodMissingId) as raised:
        call(gradebook)
    assert 'gbuuid' in str(raised.value)
    assert 'gradebook_id' in str(raised.value)
    assert len(lmod_mock.calls) == 0


# Options and assignments ---------------------------------------------------

def test_get_options(gradebook, lmod_mock, lmod_payload):
    options = lmod_payload('options_response')
    lmod_mock.get(ROOT + 'gradebook/options/{0}'.format(GRADEBOOK_ID),
                  json=options)
    assert gradebook.get_options(GRADEBOOK_ID) == options['data']
    assert query_of(lmod_mock.calls[0]) == ''


def test_get_options_falls_back_to_own_gradebook(gradebook, lmod_mock,
                                                 lmod_payload):
    options = lmod_payload('options_response')
    lmod_mock.get(ROOT + 'gradebook/options/{0}'.format(GRADEBOOK_ID),
                  json=options)
    assert gradebook.get_options('') == options['data']


def test_get_assignments_default_params(gradebook, lmod_mock, lmod_payload):
    payload = lmod_payload('assignments_response')
    lmod_mock.get(ROOT + 'assignments/{0}'.format(GRADEBOOK_ID), json=payload)
    assert gradebook.get_assignments() == payload['data']
    assert query_of(lmod_mock.calls[0]) == (
        'includeMaxPoints=true&includeAvgStats=false'
        '&includeGradingStats=false')


def test_get_assignments_flags_and_gradebook_id(gradebook, lmod_mock,
                                                lmod_payload):
    lmod_mock.get(ROOT + 'assignments/{0}'.format(OTHER_GRADEBOOK_ID),
                  json=lmod_payload('assignments_response'))
    gradebook.get_assignments(OTHER_GRADEBOOK_ID, max_points=False,
                              avg_stats=True, grading_stats=True)
    assert query_of(lmod_mock.calls[0]) == (
        'includeMaxPoints=false&includeAvgStats=true'
        '&includeGradingStats=true')


def test_get_assignments_simple(gradebook, lmod_mock, lmod_payload):
    register_assignments(lmod_mock, lmod_payload)
    assert gradebook.get_assignments(simple=True) == [
        {'AssignmentName': 'midterm1'},
        {'AssignmentName': 'AB Assignment 01'},
    ]


def test_get_assignment_by_name_fetches_assignments(gradebook, lmod_mock,
                                                    lmod_payload):
    register_assignments(lmod_mock, lmod_payload)
    assignment_id, assignment = gradebook.get_assignment_by_name(
        'AB Assignment 01')
    assert assignment_id == 16708851
    assert assignment['shortName'] == 'ABA01'


def test_get_assignment_by_name_searches_given_list(gradebook, lmod_mock,
                                                    lmod_payload):
    assignments = lmod_payload('assignments_response')['data']
    assert gradebook.get_assignment_by_name(
        'midterm1', assignments) == (16708850, assignments[0])
    assert gradebook.get_assignment_by_name(
        'Midterm1', assignments) == (None, None)
    assert len(lmod_mock.calls) == 0


CREATE_KEYS = ['name', 'shortName', 'weight', 'graderVisible',
               'gradingSchemeType', 'gradebookId', 'maxPointsTotal',
               'dueDateString']


def test_create_assignment_body(gradebook, lmod_mock, lmod_payload):
    created = lmod_payload('create_assignment_response')
    lmod_mock.post(ROOT + 'assignment', json=created)
    response = gradebook.create_assignment(
        'new NUMERIC SIMPLE ASSIGNMENT', 'SAnew', 1.0, 100.0, '08-01-2011')
    assert response == created
    request = lmod_mock.calls[0].request
    assert request.headers['content-type'] == 'application/json'
    assert body_of(lmod_mock.calls[0]) == [
        ['name', 'new NUMERIC SIMPLE ASSIGNMENT'], ['shortName', 'SAnew'],
        ['weight', 1.0], ['graderVisible', False],
        ['gradingSchemeType', 'NUMERIC'], ['gradebookId', GRADEBOOK_ID],
        ['maxPointsTotal', 100.0], ['dueDateString', '08-01-2011']]


def test_create_assignment_kwargs_merge_over_defaults(gradebook, lmod_mock,
                                                      lmod_payload):
    lmod_mock.post(ROOT + 'assignment',
                   json=lmod_payload('create_assignment_response'))
    gradebook.create_assignment('quiz', 'quiz', 2.0, 10.0, '08-01-2011',
                                gradebook_id=OTHER_GRADEBOOK_ID,
                                graderVisible=True, categoryId=1293820)
    body = body_of(lmod_mock.calls[0])
    assert [key for key, _ in body] == CREATE_KEYS + ['categoryId']
    assert dict(body)['graderVisible'] is True
    assert dict(body)['gradebookId'] == OTHER_GRADEBOOK_ID
    assert dict(body)['categoryId'] == 1293820


def test_delete_assignment(gradebook, lmod_mock, lmod_payload):
    deleted = lmod_payload('delete_assignment_response')
    lmod_mock.delete(ROOT + 'assignment/16708850', json=deleted)
    assert gradebook.delete_assignment(16708850) == deleted


# Grades --------------------------------------------------------------------

def test_set_grade_body(gradebook, lmod_mock, lmod_payload, fixed_clock):
    saved = lmod_payload('set_grade_response')
    lmod_mock.post(ROOT + 'grades/{0}'.format(GRADEBOOK_ID), json=saved)
    assert gradebook.set_grade(16708850, 1145, 92.5) == saved
    assert lmod_mock.calls[0].request.headers['content-type'] == (
        'application/json')
    assert body_of(lmod_mock.calls[0]) == [
        ['studentId', 1145], ['assignmentId', 16708850], ['mode', 2],
        ['comment', 'from MITx ' + time.ctime(fixed_clock)],
        ['numericGradeValue', '92.5'], ['isGradeApproved', False]]


def test_set_grade_excused_with_kwargs(gradebook, lmod_mock, lmod_payload,
                                       fixed_clock):
    lmod_mock.post(ROOT + 'grades/{0}'.format(OTHER_GRADEBOOK_ID),
                   json=lmod_payload('set_grade_response'))
    gradebook.set_grade(16708850, 1145, None, OTHER_GRADEBOOK_ID,
                        isGradeApproved=True, comment=None,
                        specialGradeValue='x')
    assert body_of(lmod_mock.calls[0]) == [
        ['studentId', 1145], ['assignmentId', 16708850], ['mode', 2],
        ['comment', None], ['numericGradeValue', 'None'],
        ['isGradeApproved', True], ['specialGradeValue', 'x']]


def test_set_grade_returns_lmod_failure_as_sent(gradebook, lmod_mock,
                                                lmod_payload):
    error = lmod_payload('error_response')
    lmod_mock.post(ROOT + 'grades/{0}'.format(GRADEBOOK_ID), json=error)
    assert gradebook.set_grade(1, 2, 3) == error


def test_multi_grade_sends_the_array_as_given(gradebook, lmod_mock,
                                              lmod_payload):
    stored = lmod_payload('multigrade_all_stored_response')
    grade = lmod_payload('multigrade_request_item')
    lmod_mock.post(ROOT + 'multiGrades/{0}'.format(GRADEBOOK_ID), json=stored)
    assert gradebook.multi_grade([grade, grade]) == stored
    request = lmod_mock.calls[0].request
    assert request.body == json.dumps([grade, grade])
    assert request.headers['content-type'] == 'application/json'


# Sections, students, staff -------------------------------------------------

def test_get_sections(gradebook, lmod_mock, lmod_payload):
    register_sections(lmod_mock, lmod_payload)
    sections = gradebook.get_sections()
    assert sections == lmod_payload('sections_response')['data']
    assert query_of(lmod_mock.calls[0]) == 'includeMembers=false'


def test_get_sections_simple(gradebook, lmod_mock, lmod_payload):
    register_sections(lmod_mock, lmod_payload)
    assert gradebook.get_sections(simple=True) == [
        {'SectionName': 'Unassigned'}, {'SectionName': 'r01'}]


def test_get_section_by_name(gradebook, lmod_mock, lmod_payload):
    register_sections(lmod_mock, lmod_payload)
    group_id, section = gradebook.get_section_by_name('r01')
    assert group_id == 1327565
    assert section['sectionType'] == 'recitation'
    assert section['shortName'] == 'r01'


def test_get_section_by_name_not_found(gradebook, lmod_mock, lmod_payload):
    register_sections(lmod_mock, lmod_payload)
    assert gradebook.get_section_by_name('r99') == (None, None)


def test_unravel_sections_tags_each_section_with_its_type():
    sections = GradeBook.unravel_sections({
        'lecture': [{'name': 'L1'}],
        'recitation': [{'name': 'r01'}, {'name': 'r02'}],
    })
    assert sections == [
        {'name': 'L1', 'sectionType': 'lecture'},
        {'name': 'r01', 'sectionType': 'recitation'},
        {'name': 'r02', 'sectionType': 'recitation'},
    ]


def test_get_students_default_params(gradebook, lmod_mock, lmod_payload):
    register_students(lmod_mock, lmod_payload)
    students = gradebook.get_students()
    assert students == lmod_payload('students_response')['data']
    assert query_of(lmod_mock.calls[0]) == (
        'includePhoto=false&includeGradeInfo=false'
        '&includeGradeHistory=false&includeMakeupGrades=false')


def test_get_students_flags_are_true_false_strings(gradebook, lmod_mock,
                                                   lmod_payload):
    register_students(lmod_mock, lmod_payload, params={
        'includePhoto': 'true', 'includeGradeInfo': 'true',
        'includeGradeHistory': 'true', 'includeMakeupGrades': 'true'})
    gradebook.get_students(include_photo=True, include_grade_info=True,
                           include_grade_history=True,
                           include_makeup_grades=True)


def test_get_students_of_a_section(gradebook, lmod_mock, lmod_payload):
    register_sections(lmod_mock, lmod_payload)
    register_students(
        lmod_mock, lmod_payload,
        path='students/{0}/section/1327565'.format(GRADEBOOK_ID))
    gradebook.get_students(section_name='r01')
    assert len(lmod_mock.calls) == 2


def test_get_students_of_unknown_section(gradebook, lmod_mock, lmod_payload):
    register_sections(lmod_mock, lmod_payload)
    with pytest.raises(PyLmodNoSuchSection) as raised:
        gradebook.get_students(section_name='r99')
    assert 'r99' in str(raised.value)
    assert len(lmod_mock.calls) == 1


def test_get_students_simple_upper_cases_mit_edu(gradebook, lmod_mock,
                                                 lmod_payload):
    register_students(lmod_mock, lmod_payload)
    assert gradebook.get_students(simple=True) == [
        {'email': 'stellar.test2@gmail.com', 'name': 'Molly Parker',
         'section': 'Unassigned'},
        {'email': 'benfranklin@MIT.EDU', 'name': 'Benjamin Franklin',
         'section': 'r01'},
        {'email': 'JeanneChiang@gmail.com', 'name': 'Jeanne Chiang',
         'section': 'r01'},
    ]


@pytest.mark.parametrize('email, student_id', [
    ('stellar.test2@gmail.com', 1145),
    ('BENFRANKLIN@mit.edu', 1146),
    ('jeannechiang@gmail.com', 1147),
    ('nobody@example.com', None),
])
def test_get_student_by_email_ignores_case(gradebook, lmod_mock,
                                           lmod_payload, email, student_id):
    register_students(lmod_mock, lmod_payload)
    found_id, student = gradebook.get_student_by_email(email)
    assert found_id == student_id
    assert (student is None) == (student_id is None)


def test_get_student_by_email_searches_given_list(gradebook, lmod_mock,
                                                  lmod_payload):
    students = lmod_payload('students_response')['data']
    assert gradebook.get_student_by_email(
        'BenFranklin@MIT.EDU', students) == (1146, students[1])
    assert len(lmod_mock.calls) == 0


def test_get_staff(gradebook, lmod_mock, lmod_payload):
    staff = lmod_payload('staff_response')
    lmod_mock.get(ROOT + 'staff/{0}'.format(GRADEBOOK_ID), json=staff)
    assert gradebook.get_staff(GRADEBOOK_ID) == staff['data']
    assert query_of(lmod_mock.calls[0]) == ''


def test_get_staff_simple(gradebook, lmod_mock, lmod_payload):
    lmod_mock.get(ROOT + 'staff/{0}'.format(GRADEBOOK_ID),
                  json=lmod_payload('staff_response'))
    assert gradebook.get_staff(GRADEBOOK_ID, simple=True) == [
        {'accountEmail': 'benfranklin@mit.edu',
         'displayName': 'Benjamin Franklin', 'role': 'COURSE_ADMIN'},
        {'accountEmail': 'dduck@mit.edu', 'displayName': 'Donald Duck',
         'role': 'COURSE_PROF'},
        {'accountEmail': 'hduck@mit.edu', 'displayName': 'Huey Duck',
         'role': 'COURSE_TA'},
    ]


def test_unravel_staff_takes_the_whole_body(lmod_payload):
    staff = GradeBook.unravel_staff(lmod_payload('staff_response'))
    assert [(member['displayName'], member['role']) for member in staff] == [
        ('Benjamin Franklin', 'COURSE_ADMIN'), ('Donald Duck', 'COURSE_PROF'),
        ('Huey Duck', 'COURSE_TA')]


# spreadsheet2gradebook -------------------------------------------------------

def grade_pairs(student_id, assignment_id, value):
    """A spreadsheet grade as sent: keys in the contract's order."""
    return [['studentId', student_id], ['assignmentId', assignment_id],
            ['numericGradeValue', value], ['mode', 2],
            ['isGradeApproved', False]]


def register_upload(lmod_mock, lmod_payload, multigrade_response=None):
    register_assignments(lmod_mock, lmod_payload)
    register_students(lmod_mock, lmod_payload)
    lmod_mock.post(
        ROOT + 'multiGrades/{0}'.format(GRADEBOOK_ID),
        json=multigrade_response
        or lmod_payload('multigrade_all_stored_response'))


def test_spreadsheet2gradebook_sends_one_multigrades(gradebook, lmod_mock,
                                                     lmod_payload):
    register_upload(lmod_mock, lmod_payload)
    response, seconds = gradebook.spreadsheet2gradebook(
        DATA_DIR_CSV.format('grades_two_assignments'))
    assert response == lmod_payload('multigrade_all_stored_response')
    assert isinstance(seconds, float) and seconds >= 0
    posts = [call for call in lmod_mock.calls
             if call.request.method == 'POST']
    assert len(posts) == 1
    grades = pairs_in_order(posts[0].request.body)
    # Empty cells are skipped; unknown emails (nobody@) too.
    assert grades == [
        grade_pairs(1145, 16708850, 88.0), grade_pairs(1145, 16708851, 1.0),
        grade_pairs(1146, 16708850, 72.5), grade_pairs(1146, 16708851, 0.5),
        grade_pairs(1147, 16708851, 0.25),
    ]


def test_spreadsheet2gradebook_approves_from_a_file_object(
        gradebook, lmod_mock, lmod_payload):
    register_upload(lmod_mock, lmod_payload)
    with open(DATA_DIR_CSV.format('grades_two_assignments'),
              newline='') as csv_file:
        gradebook.spreadsheet2gradebook(csv_file, approve_grades=True)
    grades = json.loads(lmod_mock.calls[-1].request.body)
    assert grades and all(grade['isGradeApproved'] is True
                          for grade in grades)


def test_spreadsheet2gradebook_creates_missing_assignment(
        gradebook, lmod_mock, lmod_payload):
    register_upload(lmod_mock, lmod_payload)
    lmod_mock.post(ROOT + 'assignment',
                   json=lmod_payload('create_assignment_response'))
    gradebook.spreadsheet2gradebook(
        DATA_DIR_CSV.format('grades_new_assignment'))
    create = [call for call in lmod_mock.calls
              if call.request.url == ROOT + 'assignment']
    assert len(create) == 1
    assert body_of(create[0]) == [
        ['name', 'Quiz 7'], ['shortName', 'Qui 7'], ['weight', 1.0],
        ['graderVisible', False], ['gradingSchemeType', 'NUMERIC'],
        ['gradebookId', GRADEBOOK_ID], ['maxPointsTotal', DEFAULT_MAX_POINTS],
        ['dueDateString', '12-15-2013']]
    grades = json.loads(lmod_mock.calls[-1].request.body)
    assert [(grade['studentId'], grade['assignmentId'])
            for grade in grades] == [(1145, 18490492), (1146, 18490492)]


def test_spreadsheet2gradebook_max_points_column(gradebook, lmod_mock,
                                                 lmod_payload):
    register_upload(lmod_mock, lmod_payload)
    lmod_mock.post(ROOT + 'assignment',
                   json=lmod_payload('create_assignment_response'))
    gradebook.spreadsheet2gradebook(
        DATA_DIR_CSV.format('grades_new_assignment_max_points'),
        use_max_points_column=True, max_points_column='max_pts',
        normalize_column='normalize')
    create = [call for call in lmod_mock.calls
              if call.request.url == ROOT + 'assignment']
    assert len(create) == 1
    assert dict(body_of(create[0]))['maxPointsTotal'] == 10.0
    grades = json.loads(lmod_mock.calls[-1].request.body)
    assert [grade['numericGradeValue'] for grade in grades] == [8.0, 9.0]


@pytest.mark.parametrize('columns', [
    {'max_points_column': 'max_pts'},
    {'normalize_column': 'normalize'},
    {},
])
def test_max_points_column_needs_both_names(gradebook, lmod_mock, columns):
    with pytest.raises(ValueError) as raised:
        gradebook.spreadsheet2gradebook(
            DATA_DIR_CSV.format('grades_new_assignment_max_points'),
            use_max_points_column=True, **columns)
    assert 'must be set if use_max_points_column is set' in str(raised.value)
    assert len(lmod_mock.calls) == 0


def test_failed_assignment_creation(gradebook, lmod_mock, lmod_payload):
    register_assignments(lmod_mock, lmod_payload)
    register_students(lmod_mock, lmod_payload)
    lmod_mock.post(ROOT + 'assignment', json=lmod_payload('error_response'))
    with pytest.raises(PyLmodFailedAssignmentCreation) as raised:
        gradebook.spreadsheet2gradebook(
            DATA_DIR_CSV.format('grades_new_assignment_max_points'))
    assert 'Quiz 7' in str(raised.value)
    assert not any('multiGrades' in call.request.url
                   for call in lmod_mock.calls)


def test_multi_variant_takes_row_dicts(gradebook, lmod_mock, lmod_payload):
    register_upload(lmod_mock, lmod_payload)
    rows = [{'mail': 'stellar.test2@gmail.com', 'midterm1': '40'}]
    response, _ = gradebook._spreadsheet2gradebook_multi(
        rows, 'mail', ['ID'], approve_grades=True)
    assert response['data']['numFailures'] == 0
    assert json.loads(lmod_mock.calls[-1].request.body) == [{
        'studentId': 1145, 'assignmentId': 16708850,
        'numericGradeValue': 40.0, 'mode': 2, 'isGradeApproved': True}]


class LegacyOverride(GradeBook):
    """A 1.0.x subclass: overrides the private row method with 1.0.x's
    signature (no keyword-only arguments)."""

    def _spreadsheet2gradebook_multi(self, csv_reader, email_field,
                                     non_assignment_fields,
                                     approve_grades=False,
                                     use_max_points_column=False,
                                     max_points_column=None,
                                     normalize_column=None):
        self.seen = (list(csv_reader), email_field, non_assignment_fields,
                     approve_grades, use_max_points_column,
                     max_points_column, normalize_column)
        return {'status': 1}, 0.0


def test_spreadsheet2gradebook_calls_the_row_method_as_1_0_x_did(
        cert_path, lmod_mock, tmp_path):
    """1.0.x code overrides (or mocks) _spreadsheet2gradebook_multi:
    spreadsheet2gradebook hands it the rows with 1.0.x's arguments, and no
    keyword 1.0.x did not have unless the caller gave one."""
    path = tmp_path / 'grades.csv'
    path.write_text('External email,Max,midterm1\na@mit.edu,50,40\n')
    gradebook = LegacyOverride(cert_path, URLBASE)
    assert gradebook.spreadsheet2gradebook(
        str(path), approve_grades=True, use_max_points_column=True,
        max_points_column='Max', normalize_column='Max') == (
            {'status': 1}, 0.0)
    rows, email_field, non_assignment_fields, *flags = gradebook.seen
    assert rows == [{'External email': 'a@mit.edu', 'Max': '50',
                     'midterm1': '40'}]
    assert email_field == 'External email'
    assert non_assignment_fields == ['ID', 'Username', 'Full Name',
                                     'edX email', 'External email', 'Max',
                                     'Max']
    assert flags == [True, True, 'Max', 'Max']
    with pytest.raises(TypeError, match='dry_run'):
        gradebook.spreadsheet2gradebook(str(path), dry_run=True)
    assert len(lmod_mock.calls) == 0
