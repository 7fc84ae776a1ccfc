"""The shapes of pylmod.shapes: the example payloads of ``tests/data`` have
them, and :func:`pylmod.testing.shape_problems` tells what a payload lacks.

(The fake LMod's answers are checked against the same shapes in
``tests/fakes/test_lmod.py``.)
"""
import ast
import json
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from pylmod import shapes
from pylmod.testing import check_shape, shape_problems

DATA_DIR = Path(__file__).parent / 'data'

#: Each example payload of tests/data and the shape it is an example of.
EXAMPLES = {
    'assignments_response': shapes.AssignmentsAnswer,
    'course_guide_staff_response': shapes.CourseGuideStaffAnswer,
    'course_response': shapes.CourseAnswer,
    'create_assignment_response': shapes.CreateAssignmentAnswer,
    'delete_assignment_response': shapes.StatusAnswer,
    'error_response': shapes.StatusAnswer,
    'gradebook_by_uuid_response': shapes.GradebookAnswer,
    'group_members_response': shapes.GroupMembersAnswer,
    'group_response': shapes.GroupAnswer,
    'multigrade_all_stored_response': shapes.MultiGradesAnswer,
    'multigrade_one_failure_response': shapes.MultiGradesAnswer,
    'multigrade_request_item': shapes.MultiGradesEntry,
    'options_response': shapes.OptionsAnswer,
    'sections_response': shapes.SectionsAnswer,
    'set_grade_response': shapes.StatusAnswer,
    'staff_response': shapes.StaffAnswer,
    'students_response': shapes.StudentsAnswer,
}
#: JSON files of tests/data that are seeds of the fake, not LMod payloads.
SEEDS = {'small_course'}


def test_every_json_file_is_an_example_of_a_shape_or_a_seed():
    names = {path.stem for path in DATA_DIR.glob('*.json')}
    assert names == set(EXAMPLES) | SEEDS


@pytest.mark.parametrize('name', sorted(EXAMPLES))
def test_example_has_its_shape_and_no_other_key(name):
    with open(DATA_DIR / '{0}.json'.format(name), encoding='utf-8') as data:
        payload = json.load(data)
    assert shape_problems(payload, EXAMPLES[name], exact=True) == []


def test_the_docs_show_every_example():
    page = (Path(__file__).parent.parent / 'docs' / 'shapes.rst').read_text()
    for name in EXAMPLES:
        if not name.startswith(('set_grade', 'delete_assignment',
                                'multigrade_all')):
            assert '../tests/data/{0}.json'.format(name) in page


def test_shapes_import_only_typing():
    """pylmod.shapes stays cheap to import: the standard typing module
    only."""
    tree = ast.parse(Path(shapes.__file__).read_text())
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
        for alias in node.names}
    assert imported == {'typing'}


def test_optional_keys_are_those_a_flag_or_a_method_adds():
    assert shapes.Assignment.__optional_keys__ == {
        'maxPointsTotal', 'averageGrade', 'numStudentsToBeGraded',
        'numStudentGradesToBeApproved'}
    assert shapes.Section.__optional_keys__ == {'sectionType'}
    assert shapes.StaffMember.__optional_keys__ == {'role'}
    assert shapes.Student.__optional_keys__ == frozenset()
    assert shapes.MultiGradesEntry.__required_keys__ == {
        'studentId', 'assignmentId', 'mode'}


# -- shape_problems -----------------------------------------------------------

GRADE = {'studentId': 1145, 'assignmentId': 16708850, 'mode': 2,
         'numericGradeValue': 71.5, 'isGradeApproved': False}


def test_a_payload_with_its_shape_has_no_problem():
    assert shape_problems(GRADE, shapes.MultiGradesEntry) == []
    assert shape_problems([GRADE], List[shapes.MultiGradesEntry]) == []
    check_shape(GRADE, shapes.MultiGradesEntry, exact=True)


@pytest.mark.parametrize('payload, shape, problems', [
    ({'email': 'a@mit.edu'}, shapes.GroupMember, ["$: missing 'roleType'"]),
    (dict(GRADE, studentId='1145'), shapes.MultiGradesEntry,
     ["$.studentId: expected int, got '1145'"]),
    (dict(GRADE, mode=True), shapes.MultiGradesEntry,
     ['$.mode: expected int, got True']),
    (dict(GRADE, numericGradeValue=[1]), shapes.MultiGradesEntry,
     ['$.numericGradeValue: expected Union[float, str, None], got [1]']),
    (dict(GRADE, assignmentId='x'), shapes.MultiGradesEntry,
     ["$.assignmentId: expected int, got 'x'"]),
    ({'data': {'numFailures': 1, 'results': [{'studentId': 1}]}},
     shapes.MultiGradesAnswer,
     ["$.data.results[0]: missing 'assignmentId'",
      "$.data.results[0]: missing 'mode'"]),
    ({'r01': [{'a': 1}]}, Dict[str, List[Dict[str, int]]], []),
    ({'r01': [{'a': 'b'}]}, Dict[str, List[Dict[str, int]]],
     ["$.r01[0].a: expected int, got 'b'"]),
    ('text', Optional[shapes.GroupDoc], ["$: expected GroupDoc, got 'text'"]),
    ({'data': []}, shapes.SectionsAnswer, ['$.data: expected Dict[str, '
                                            'List[Section]], got []']),
])
def test_shape_problems_say_where_and_what(payload, shape, problems):
    assert shape_problems(payload, shape) == problems


def test_exact_reports_undeclared_keys():
    grade = dict(GRADE, extra=1)
    assert shape_problems(grade, shapes.MultiGradesEntry) == []
    assert shape_problems(grade, shapes.MultiGradesEntry, exact=True) == [
        "$: 'extra' is not a key of MultiGradesEntry"]
    with pytest.raises(ValueError, match='not a MultiGradesEntry: .*extra'):
        check_shape(grade, shapes.MultiGradesEntry, exact=True)


def test_a_float_may_be_written_as_an_integer():
    assert shape_problems({'numFailures': 0, 'results': []},
                          shapes.MultiGradesData) == []
    assert shape_problems(dict(GRADE, numericGradeValue=50),
                          shapes.MultiGradesEntry) == []
