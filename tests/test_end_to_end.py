"""GradeBook and Membership against the fake LMod, through real TLS with a
client certificate: every public method, as a user calls it.

The fixtures ``gradebook``, ``membership``, ``lmod_server`` and
``lmod_fake`` come from the pylmod pytest plugin; the server is the demo
course (:meth:`pylmod.testing.FakeLmod.demo`), fresh for each test.
"""
import csv
import re
import textwrap
from pathlib import Path

import pytest

from pylmod import GradeBook, Membership
from pylmod.exceptions import (
    PyLmodNoSuchSection,
    PyLmodUnexpectedData,
)
from pylmod.grades import UploadReport
from pylmod.testing import (
    DEMO_COURSE_ID,
    DEMO_COURSE_UUID,
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
    DEMO_GROUP_ID,
)

pytest_plugins = ['pytester']

DATA_DIR = Path(__file__).parent / 'data'
DOCS_PAGE = Path(__file__).parent.parent / 'docs' / 'testing.rst'
MIDTERM = 16708850
FINAL = 16708880
MOLLY = 1145  # stellar.test2@gmail.com, in section Unassigned


# -- GradeBook ------------------------------------------------------------

def test_constructor_with_gbuuid_looks_up_the_gradebook(gradebook,
                                                         lmod_server):
    assert gradebook.gradebook_id == DEMO_GRADEBOOK_ID
    assert lmod_server.requests[0].path == 'service/gradebook/gradebook'
    assert lmod_server.requests[0].params == {'uuid': DEMO_GRADEBOOK_UUID}


def test_get_gradebook_id(gradebook):
    assert gradebook.get_gradebook_id(DEMO_GRADEBOOK_UUID) == 1293808
    with pytest.raises(PyLmodUnexpectedData):
        gradebook.get_gradebook_id('STELLAR:/project/nosuchcourse')


def test_get_options(gradebook):
    options = gradebook.get_options(DEMO_GRADEBOOK_ID)
    assert options['gradebookName'] == 'Gradebook for mitxdemosite'
    assert options['membershipQualifier'] == DEMO_COURSE_UUID


def test_get_assignments(gradebook, lmod_server):
    assignments = gradebook.get_assignments()
    assert [a['name'] for a in assignments] == [
        'midterm1', 'AB Assignment 01', 'AB Assignment 02', 'final']
    assert assignments[0]['maxPointsTotal'] == 100.0
    assert 'averageGrade' not in assignments[0]
    assert lmod_server.requests[-1].params == {
        'includeMaxPoints': 'true', 'includeAvgStats': 'false',
        'includeGradingStats': 'false'}
    assert gradebook.get_assignments(simple=True) == [
        {'AssignmentName': 'midterm1'}, {'AssignmentName': 'AB Assignment 01'},
        {'AssignmentName': 'AB Assignment 02'}, {'AssignmentName': 'final'}]


def test_get_assignments_with_flags(gradebook, lmod_fake):
    midterm = gradebook.get_assignments(
        DEMO_GRADEBOOK_ID, max_points=False, avg_stats=True,
        grading_stats=True)[0]
    grades = [value for (_, assignment), value
              in lmod_fake.stored_grades(DEMO_GRADEBOOK_ID).items()
              if assignment == MIDTERM]
    assert 'maxPointsTotal' not in midterm
    assert midterm['averageGrade'] == pytest.approx(sum(grades) / len(grades))
    assert midterm['numStudentsToBeGraded'] == 300 - len(grades)
    records = lmod_fake.grade_records(DEMO_GRADEBOOK_ID)
    unapproved = [grade for (_, assignment), grade in records.items()
                  if assignment == MIDTERM and not grade['isGradeApproved']]
    assert midterm['numStudentGradesToBeApproved'] == len(unapproved)


def test_get_assignment_by_name(gradebook, lmod_server):
    assignment_id, assignment = gradebook.get_assignment_by_name('final')
    assert assignment_id == FINAL == assignment['assignmentId']
    assert gradebook.get_assignment_by_name('nothing') == (None, None)
    requests_made = len(lmod_server.requests)
    given = [{'name': 'x', 'assignmentId': 1}]
    assert gradebook.get_assignment_by_name('x', given) == (1, given[0])
    assert len(lmod_server.requests) == requests_made


def test_create_and_delete_assignment(gradebook, lmod_fake):
    created = gradebook.create_assignment(
        'Problem Set 1', 'PS1', 1.0, 20.0, '10-01-2013')
    assert created['status'] == 1
    assignment_id = created['data']['assignmentId']
    stored = lmod_fake.assignments(DEMO_GRADEBOOK_ID)[-1]
    assert (stored['assignmentId'], stored['name'], stored['shortName'],
            stored['maxPointsTotal'], stored['dueDateString']) == (
        assignment_id, 'Problem Set 1', 'PS1', 20.0, '10-01-2013')
    assert gradebook.delete_assignment(assignment_id) == {
        'status': 1, 'message': 'assignment is deleted successfully'}
    assert assignment_id not in [a['assignmentId'] for a
                                 in lmod_fake.assignments(DEMO_GRADEBOOK_ID)]
    assert gradebook.delete_assignment(assignment_id)['status'] == -1


def test_set_grade(gradebook, lmod_fake, lmod_server):
    answer = gradebook.set_grade(FINAL, MOLLY, 93.5)
    assert answer == {'status': 1, 'message': 'grade saved successfully'}
    record = lmod_fake.grade_records(DEMO_GRADEBOOK_ID)[(MOLLY, FINAL)]
    assert record['numericGradeValue'] == 93.5
    assert record['comment'].startswith('from MITx ')
    assert lmod_server.requests[-1].body['numericGradeValue'] == '93.5'
    gradebook.set_grade(FINAL, MOLLY, 60, isGradeApproved=True)
    assert lmod_fake.grade_records(DEMO_GRADEBOOK_ID)[(MOLLY, FINAL)][
        'isGradeApproved'] is True
    assert gradebook.set_grade(FINAL, 1, 60)['status'] == -1


def test_multi_grade_with_partial_failures(gradebook, lmod_fake):
    grades = [
        {'studentId': MOLLY, 'assignmentId': FINAL, 'numericGradeValue': 70,
         'mode': 2, 'isGradeApproved': False},
        {'studentId': 1, 'assignmentId': FINAL, 'numericGradeValue': 80,
         'mode': 2, 'isGradeApproved': False},
        {'studentId': 1146, 'assignmentId': 2, 'numericGradeValue': 90,
         'mode': 2, 'isGradeApproved': False},
        {'studentId': 1146, 'assignmentId': FINAL, 'numericGradeValue': 90,
         'mode': 2, 'isGradeApproved': False},
    ]
    answer = gradebook.multi_grade(grades)
    assert answer['data']['numFailures'] == 2
    assert [{k: v for k, v in r.items() if k != 'message'}
            for r in answer['data']['results']] == grades[1:3]
    stored = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert (stored[(MOLLY, FINAL)], stored[(1146, FINAL)]) == (70.0, 90.0)


def test_get_sections(gradebook, lmod_server):
    sections = gradebook.get_sections()
    assert list(sections) == ['recitation', 'lecture']
    assert sections['recitation'][0]['shortName'] == (
        'DefaultGroupNoCollisionPlease1234')
    assert lmod_server.requests[-1].params == {'includeMembers': 'false'}
    assert gradebook.get_sections(simple=True) == [
        {'SectionName': name} for name in
        ('Unassigned', 'r01', 'r02', 'r03', 'r04', 'L01', 'L02')]


def test_get_section_by_name(gradebook):
    group_id, section = gradebook.get_section_by_name('r01')
    assert (group_id, section['sectionType']) == (1327565, 'recitation')
    assert gradebook.get_section_by_name('r99') == (None, None)


def test_get_students(gradebook, lmod_server):
    students = gradebook.get_students()
    assert len(students) == 300
    assert lmod_server.requests[-1].params == {
        'includePhoto': 'false', 'includeGradeInfo': 'false',
        'includeGradeHistory': 'false', 'includeMakeupGrades': 'false'}
    simple = gradebook.get_students(simple=True)
    assert simple[2] == {'email': 'stellar.test2@gmail.com',
                         'name': 'Molly Parker', 'section': 'Unassigned'}
    assert simple[3]['email'] == 'student003@MIT.EDU'


def test_get_students_of_a_section(gradebook, lmod_fake, lmod_server):
    r01 = gradebook.get_students(section_name='r01')
    assert lmod_server.requests[-1].path == (
        'service/gradebook/students/1293808/section/1327565')
    expected = [s['studentId'] for s in lmod_fake.students(DEMO_GRADEBOOK_ID)
                if s['section'] == 'r01']
    assert [s['studentId'] for s in r01] == expected
    assert len(gradebook.get_students(section_name='L02')) == 150
    with pytest.raises(PyLmodNoSuchSection):
        gradebook.get_students(section_name='r99')


def test_get_students_with_grade_info(gradebook):
    gradebook.set_grade(FINAL, MOLLY, 77)
    students = gradebook.get_students(include_grade_info=True)
    molly = [s for s in students if s['studentId'] == MOLLY][0]
    assert [(info['assignmentName'], info['numericGradeValue'])
            for info in molly['studentAssignmentInfo']] == [
        ('midterm1', 40.0 + (2 * 37) % 61), ('AB Assignment 01', 0.3),
        ('final', 77.0)]
    assert students[299]['studentAssignmentInfo'] == []


def test_get_student_by_email(gradebook, lmod_server):
    student_id, student = gradebook.get_student_by_email(
        'Stellar.Test2@GMAIL.com')
    assert (student_id, student['displayName']) == (MOLLY, 'Molly Parker')
    assert gradebook.get_student_by_email('nobody@mit.edu') == (None, None)
    requests_made = len(lmod_server.requests)
    assert gradebook.get_student_by_email('x@y', [
        {'accountEmail': 'X@Y', 'studentId': 5}])[0] == 5
    assert len(lmod_server.requests) == requests_made


def test_get_staff(gradebook):
    staff = gradebook.get_staff(DEMO_GRADEBOOK_ID)
    assert set(staff) == {'COURSE_ADMIN', 'COURSE_PROF', 'COURSE_TA'}
    simple = gradebook.get_staff(DEMO_GRADEBOOK_ID, simple=True)
    assert {'accountEmail': 'hduck@mit.edu', 'displayName': 'Huey Duck',
            'role': 'COURSE_TA'} in simple
    assert len(simple) == 6


# -- spreadsheet2gradebook --------------------------------------------------

def test_spreadsheet2gradebook_creates_assignments_with_max_points(
        gradebook, lmod_fake):
    report = UploadReport()
    response, duration = gradebook.spreadsheet2gradebook(
        str(DATA_DIR / 'upload_new_assignments_max_points.csv'),
        use_max_points_column=True, max_points_column='max_pts',
        normalize_column='normalize', report=report)
    assert response['data']['numFailures'] == 0
    assert duration >= 0
    created = {a['name']: a for a in lmod_fake.assignments(DEMO_GRADEBOOK_ID)
               if a['name'] in ('Lab 1', 'Lab 2')}
    assert {name: (a['maxPointsTotal'], a['shortName'], a['dueDateString'])
            for name, a in created.items()} == {
        'Lab 1': (10.0, 'Lab 1', '12-15-2013'),
        'Lab 2': (10.0, 'Lab 2', '12-15-2013')}
    lab1, lab2 = created['Lab 1']['assignmentId'], created['Lab 2'][
        'assignmentId']
    stored = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert {key: stored[key] for key in stored
            if key[1] in (lab1, lab2) or key[0] in (1143, 1144, MOLLY)
            and key[1] == MIDTERM} == {
        (1143, MIDTERM): 88.0, (1143, lab1): 7.0, (1143, lab2): 9.5,
        (MOLLY, MIDTERM): 71.5, (MOLLY, lab2): 4.0,
        (1144, MIDTERM): stored[(1144, MIDTERM)],  # 'n/a': unchanged
        (1144, lab1): 6.0, (1144, lab2): 8.0}
    assert stored[(1144, MIDTERM)] == 40 + 37 % 61
    assert report.unknown_emails == [(4, 'nobody@example.org')]
    assert [cell.value for cell in report.skipped_cells] == ['', 'n/a']


def test_spreadsheet2gradebook_default_max_points(gradebook, lmod_fake):
    with open(DATA_DIR / 'upload_new_assignment.csv', newline='') as grades:
        response, _ = gradebook.spreadsheet2gradebook(
            grades, approve_grades=True)
    assert response['data'] == {'numFailures': 0, 'results': []}
    new = [a for a in lmod_fake.assignments(DEMO_GRADEBOOK_ID)
           if a['name'] == 'AB Assignment 03'][0]
    assert (new['maxPointsTotal'], new['shortName']) == (1.0, 'AB 03')
    records = lmod_fake.grade_records(DEMO_GRADEBOOK_ID)
    assert [(records[(student, new['assignmentId'])]['numericGradeValue'],
             records[(student, new['assignmentId'])]['isGradeApproved'])
            for student in (1143, MOLLY, 1144)] == [
        (0.9, True), (0.4, True), (0.77, True)]
    assert records[(MOLLY, 16708860)]['numericGradeValue'] == 0.2


@pytest.mark.parametrize('rows', [csv.DictReader, lambda lines: list(
    csv.DictReader(lines))], ids=['csv.DictReader', 'list of dicts'])
def test_spreadsheet2gradebook_takes_rows_read_already(gradebook, lmod_fake,
                                                       rows):
    # What docs/spreadsheets.rst offers (1.0.x raised TypeError here; only
    # its private _spreadsheet2gradebook_multi took a reader).
    report = UploadReport()
    with open(DATA_DIR / 'upload_new_assignment.csv', newline='') as grades:
        response, _ = gradebook.spreadsheet2gradebook(rows(grades),
                                                      report=report)
    assert response['data'] == {'numFailures': 0, 'results': []}
    assert report.summary()['confirmed'] == 6
    new = [a for a in lmod_fake.assignments(DEMO_GRADEBOOK_ID)
           if a['name'] == 'AB Assignment 03'][0]
    records = lmod_fake.grade_records(DEMO_GRADEBOOK_ID)
    assert records[(MOLLY, new['assignmentId'])]['numericGradeValue'] == 0.4


def test_the_answered_grades_can_be_taken_request_by_request(gradebook):
    # What `pylmod upload` streams into its report as LMod answers.
    report, taken, seen = UploadReport(), [], []

    def progress(sent, confirmed, total):
        new = report.answered_grades(len(taken))
        seen.append((sent, len(new)))
        taken.extend(new)

    gradebook.spreadsheet2gradebook(
        str(DATA_DIR / 'upload_new_assignment.csv'), report=report,
        batch_size=4, progress=progress)
    assert seen == [(0, 0), (4, 4), (6, 2)]
    assert taken == report.grades
    assert {grade.status for grade in taken} == {'confirmed'}
    assert report.answered_grades(6) == []


# -- Membership --------------------------------------------------------------

def test_membership_constructor_with_uuid(membership):
    assert (membership.uuid, membership.course_id) == (
        DEMO_COURSE_UUID, DEMO_COURSE_ID)


def test_get_group_and_group_id(membership):
    group = membership.get_group()
    assert group['response']['docs'][0]['id'] == DEMO_GROUP_ID
    assert membership.get_group_id() == DEMO_GROUP_ID
    assert membership.get_group_id(DEMO_COURSE_UUID) == DEMO_GROUP_ID
    with pytest.raises(PyLmodUnexpectedData):
        membership.get_group_id('/project/nosuchcourse')


def test_get_membership_and_email_has_role(membership):
    docs = membership.get_membership()['response']['docs']
    assert {'email': 'hduck@mit.edu', 'roleType': 'TA'} in docs
    assert membership.email_has_role('hduck@mit.edu', 'TA')
    assert membership.email_has_role('benfranklin@mit.edu', 'Instructor')
    assert not membership.email_has_role('hduck@mit.edu', 'Instructor')
    assert membership.email_has_role('stellar.test2@gmail.com', 'Student')


def test_get_course_id(membership, lmod_server):
    assert membership.get_course_id(DEMO_COURSE_UUID) == DEMO_COURSE_ID
    # The uuid travels inside the path string, as the real service wants.
    assert lmod_server.requests[-1].params == {'uuid': DEMO_COURSE_UUID}
    with pytest.raises(PyLmodUnexpectedData):
        membership.get_course_id('/project/nosuchcourse')


def test_get_course_guide_staff(membership):
    staff = membership.get_course_guide_staff()
    assert staff[0] == {'displayName': 'Huey Duck', 'role': 'TA',
                        'sortableDisplayName': 'Duck, Huey'}
    assert membership.get_course_guide_staff(DEMO_COURSE_ID) == staff


def test_clients_without_ids(lmod_server):
    gradebook = GradeBook(lmod_server.client_cert, lmod_server.url,
                          verify=lmod_server.ca_cert)
    assert gradebook.gradebook_id is None
    assert gradebook.get_staff(DEMO_GRADEBOOK_ID, simple=True)
    membership = Membership(lmod_server.client_cert, lmod_server.url,
                            verify=lmod_server.ca_cert)
    assert membership.course_id is None
    assert membership.get_group_id(DEMO_COURSE_UUID) == DEMO_GROUP_ID


# -- the plugin from another project, and the docs example ------------------

@pytest.fixture
def pytester(pytester, monkeypatch):
    """pytest's ``pytester``, for a project that is not this suite's: it
    does not inherit the Django settings of the Open edX plugin's tests."""
    monkeypatch.delenv('DJANGO_SETTINGS_MODULE', raising=False)
    return pytester


def test_fixtures_work_in_a_separate_project(pytester):
    pytester.makeconftest('''
        import pytest
        from pylmod.testing import FakeLmod

        @pytest.fixture
        def lmod_fake():
            fake = FakeLmod.demo()
            fake.add_gradebook({'gradebookId': 7, 'uuid': 'STELLAR:/p/x'})
            return fake
    ''')
    pytester.makepyfile('''
        from pylmod.testing import DEMO_GRADEBOOK_ID

        def test_gradebook(gradebook, lmod_server):
            gradebook.set_grade(16708880, 1145, 12)
            assert lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)[
                (1145, 16708880)] == 12.0
            assert gradebook.get_gradebook_id('STELLAR:/p/x') == 7

        def test_membership(membership, lmod_client_cert, lmod_server):
            assert lmod_client_cert == lmod_server.client_cert
            assert membership.email_has_role('hduck@mit.edu', 'TA')
    ''')
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider')
    result.assert_outcomes(passed=2)


def test_fixtures_bind_to_the_course_a_project_seeds(pytester):
    """A project serving its own course (as docs/testing.rst shows) gets a
    ``gradebook`` and a ``membership`` of that course, and may pick another
    gradebook or none."""
    pytester.makefile('.json', my_course=(
        DATA_DIR / 'small_course.json').read_text(encoding='utf-8'))
    pytester.makeconftest('''
        import pytest
        from pylmod.testing import FakeLmod

        @pytest.fixture
        def lmod_fake():
            fake = FakeLmod.from_file('my_course.json')
            fake.add_gradebook({'gradebookId': 501,
                                'uuid': 'STELLAR:/project/second'})
            return fake
    ''')
    pytester.makepyfile(test_own_course='''
        def test_gradebook(gradebook, lmod_server, lmod_gradebook_uuid):
            assert lmod_gradebook_uuid == 'STELLAR:/project/smallcourse'
            assert gradebook.gradebook_id == 500
            student_id, _ = gradebook.get_student_by_email('alice@mit.edu')
            gradebook.set_grade(702, student_id, 9)
            assert lmod_server.fake.stored_grades(500)[(601, 702)] == 9.0

        def test_membership(membership, lmod_course_uuid):
            assert lmod_course_uuid == '/project/smallcourse'
            assert membership.course_id == 900
            assert membership.email_has_role('ta@mit.edu', 'TA')
    ''', test_second_gradebook='''
        import pytest

        @pytest.fixture
        def lmod_gradebook_uuid():
            return 'STELLAR:/project/second'

        def test_gradebook(gradebook):
            assert gradebook.gradebook_id == 501
    ''', test_no_course='''
        import pytest
        from pylmod.testing import FakeLmod

        @pytest.fixture
        def lmod_fake():
            return FakeLmod({'groups': [{'id': 7, 'uuid': '/project/x'}]})

        def test_unbound_clients(gradebook, membership):
            assert gradebook.gradebook_id is None
            assert membership.course_id is None
            assert membership.get_group_id('/project/x') == 7
    ''')
    result = pytester.runpytest_subprocess('-p', 'no:cacheprovider')
    result.assert_outcomes(passed=4)


def test_docs_example_runs(capsys):
    """The example of docs/testing.rst runs as written."""
    text = DOCS_PAGE.read_text()
    example = re.search(r'\.\. code-block:: python\n\n((?:    .*\n|\n)+)',
                        text[text.index('.. _testing-example:'):])
    exec(compile(textwrap.dedent(example.group(1)), str(DOCS_PAGE), 'exec'),
         {'__name__': 'docs_example'})
    assert 'Molly Parker' in capsys.readouterr().out


def test_client_as_context_manager_closes_its_connections(lmod_server):
    with GradeBook(lmod_server.client_cert, lmod_server.url,
                   gbuuid=DEMO_GRADEBOOK_UUID,
                   verify=lmod_server.ca_cert) as gradebook:
        assert gradebook.get_students()
        adapter = gradebook._session.get_adapter(lmod_server.url)
        assert len(adapter.poolmanager.pools) == 1
    assert len(adapter.poolmanager.pools) == 0
