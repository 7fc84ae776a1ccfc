"""Answers of the wrong shape are named (pylmod.answer), against the fake
LMod answering them.

Each wrong shape raises a :class:`~pylmod.exceptions.PyLmodUnexpectedAnswer`
naming the call and what was wrong, carrying LMod's message when it sent
one, and still the exception PyLmod 1.0.x raised on that path (read from
its code: ``KeyError`` for a missing key, ``TypeError`` for a list or a
``null``, :class:`~pylmod.exceptions.PyLmodUnexpectedData` where it checked).
"""
import logging
import pickle
from typing import Any, Callable, Tuple

import pytest

from pylmod.answer import AnswerDict, AnswerList, reading, with_origin
from pylmod.exceptions import (
    PyLmodAnswerKeyError,
    PyLmodUnexpectedAnswer,
    PyLmodUnexpectedData,
)
from pylmod.grades import UploadReport, index_students
from pylmod.testing import DEMO_GRADEBOOK_ID

LOCKED = {'status': -1, 'message': 'gradebook locked for maintenance'}

#: ``(call, path prefix, answer, what 1.0.x raised)``.
CASES: Tuple[Tuple[str, str, Any, Tuple[type, ...]], ...] = (
    ('get_options', 'gradebook/options/', LOCKED, (KeyError,)),
    ('get_options', 'gradebook/options/', [], (TypeError,)),
    ('get_assignments', 'assignments/', LOCKED, (KeyError,)),
    ('get_assignments', 'assignments/', {'data': [{'id': 1}]}, ()),
    ('get_assignments_simple', 'assignments/', {'data': None},
     (TypeError,)),
    ('get_assignments_simple', 'assignments/', {'data': [{'id': 1}]},
     (KeyError,)),
    ('get_students', 'students/', LOCKED, (KeyError,)),
    ('get_students', 'students/', [LOCKED], (TypeError,)),
    ('get_students_simple', 'students/', {'data': [{'studentId': 1}]},
     (KeyError,)),
    ('get_student_by_email', 'students/', {'data': [
        {'studentId': 1, 'accountEmail': None}]}, (AttributeError,)),
    ('get_sections', 'sections/', LOCKED, (KeyError,)),
    ('get_sections_simple', 'sections/', {'data': []}, (AttributeError,)),
    ('get_section_by_name', 'sections/', {'data': {'lecture': [{}]}},
     (KeyError,)),
    ('get_staff', 'staff/', LOCKED, (KeyError,)),
    ('get_staff_simple', 'staff/', {'data': {'TA': [{'role': 'TA'}]}},
     (KeyError,)),
    ('get_gradebook_id', 'gradebook', LOCKED, (PyLmodUnexpectedData,)),
    ('get_gradebook_id', 'gradebook', [], (PyLmodUnexpectedData,)),
    ('get_gradebook_id', 'gradebook', {'data': None}, (TypeError,)),
)

#: The calls that read the data of another call's answer.
DERIVED = {'get_assignments': 'GradeBook.get_assignment_by_name',
           'get_section_by_name': 'GradeBook.get_section_by_name',
           'get_student_by_email': 'GradeBook.get_student_by_email'}

CALLS = {
    'get_options': lambda book: book.get_options(None),
    'get_assignments': lambda book: book.get_assignment_by_name('final'),
    'get_assignments_simple': lambda book: book.get_assignments(simple=True),
    'get_students': lambda book: book.get_students(),
    'get_students_simple': lambda book: book.get_students(simple=True),
    'get_student_by_email': lambda book: book.get_student_by_email('a@b'),
    'get_sections': lambda book: book.get_sections(),
    'get_sections_simple': lambda book: book.get_sections(simple=True),
    'get_section_by_name': lambda book: book.get_section_by_name('r01'),
    'get_staff': lambda book: book.get_staff(None),
    'get_staff_simple': lambda book: book.get_staff(None, simple=True),
    'get_gradebook_id': lambda book: book.get_gradebook_id('x'),
}


def raised_by(call: Callable[[], Any]) -> PyLmodUnexpectedAnswer:
    with pytest.raises(PyLmodUnexpectedAnswer) as raised:
        call()
    return raised.value


@pytest.mark.parametrize('name, prefix, answer, old_errors', CASES)
def test_a_wrong_shape_is_named_and_still_what_1_0_raised(
        gradebook: Any, lmod_server: Any, name: str, prefix: str,
        answer: Any, old_errors: Tuple[type, ...]) -> None:
    lmod_server.answer_next(1, answer, path_prefix=prefix)
    error = raised_by(lambda: CALLS[name](gradebook))
    assert isinstance(error, PyLmodUnexpectedData)
    for old_error in old_errors:
        assert isinstance(error, old_error)
    assert error.problem in str(error)
    if error.http_status is None:
        # Read from the data of an answer, which says no more.
        assert error.call == DERIVED[name]
        return
    assert error.call.startswith('GradeBook.' + name.replace('_simple', ''))
    assert error.http_status == 200
    assert lmod_server.url in error.call and 'HTTP 200' in error.call
    if answer is LOCKED:
        assert error.lmod_message == LOCKED['message']
        assert "(LMod said: {0})".format(LOCKED['message']) in str(error)
        assert "has no 'data'" in str(error)


def test_lmods_failure_shape_with_a_404(gradebook: Any,
                                        lmod_server: Any) -> None:
    error = raised_by(lambda: gradebook.get_options(999))
    assert isinstance(error, KeyError) and error.http_status == 404
    assert 'No gradebook with gradebookId 999' in error.lmod_message


@pytest.mark.parametrize('answer, old_error', [
    ({'response': {'docs': []}}, IndexError),
    ({'response': {}}, KeyError),
    ([], TypeError),
    (LOCKED, KeyError),
])
def test_membership_shapes(membership: Any, lmod_server: Any, answer: Any,
                           old_error: type) -> None:
    lmod_server.answer_next(1, answer, path_prefix='group')
    error = raised_by(lambda: membership.get_group_id('/project/x'))
    assert isinstance(error, old_error)
    assert error.call.startswith('Membership.get_group_id')


def test_membership_course_staff_without_docs(membership: Any,
                                              lmod_server: Any) -> None:
    lmod_server.answer_next(1, LOCKED, path_prefix='courseguide/course/')
    error = raised_by(lambda: membership.get_course_guide_staff(1))
    assert isinstance(error, KeyError)
    assert error.lmod_message == LOCKED['message']


def test_the_errors_cross_processes(gradebook: Any, lmod_server: Any) -> None:
    lmod_server.answer_next(1, LOCKED, path_prefix='gradebook/options/')
    error = raised_by(lambda: gradebook.get_options(None))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is PyLmodAnswerKeyError
    assert str(copy) == str(error) and copy.lmod_message == error.lmod_message


def test_answers_remember_their_status_and_call(gradebook: Any,
                                                lmod_server: Any) -> None:
    body = gradebook.get('assignments/{0}'.format(DEMO_GRADEBOOK_ID))
    assert isinstance(body, AnswerDict) and isinstance(body, dict)
    assert body.http_status == 200
    assert body.call == 'GET {0}service/gradebook/assignments/{1}'.format(
        lmod_server.url, DEMO_GRADEBOOK_ID)
    assert pickle.loads(pickle.dumps(body)) == body
    listed = with_origin([1], 207, 'GET x')
    assert isinstance(listed, AnswerList) and listed == [1]
    assert with_origin(None, 200, 'GET x') is None


def test_reading_names_what_the_caller_reads() -> None:
    with pytest.raises(TypeError) as raised:
        with reading({'data': None}, 'my_call'):
            {'data': None}['data']['x']  # noqa: B018
    assert str(raised.value).startswith("LMod's answer to my_call is not of "
                                        'the shape expected')


def test_a_student_without_an_email_is_skipped_and_reported(
        caplog: Any) -> None:
    caplog.set_level(logging.WARNING, logger='pylmod')
    skipped: list = []
    index = index_students([
        {'studentId': 1, 'accountEmail': 'A@example.edu'},
        {'studentId': 2, 'accountEmail': None},
        {'studentId': 3},
        {'accountEmail': 'no-id@example.edu'},
        'not a record'], skipped)
    assert list(index) == ['a@example.edu']
    assert len(skipped) == 4
    assert '4 student records of the gradebook have no email' in caplog.text
    assert 'example.edu' not in caplog.text  # no PII above DEBUG


def test_an_upload_goes_on_past_a_student_without_an_email(
        gradebook: Any, lmod_server: Any, tmp_path: Any) -> None:
    students = lmod_server.fake.students(DEMO_GRADEBOOK_ID)
    broken = dict(students[0])
    del broken['accountEmail']
    lmod_server.answer_next(1, {'status': 1, 'message': '', 'data': [
        broken] + students[1:]}, path_prefix='students/')
    path = tmp_path / 'grades.csv'
    path.write_text('External email,final\n{0},1\n{1},2\n'.format(
        students[0]['accountEmail'], students[1]['accountEmail']),
        encoding='utf-8')
    report = UploadReport()
    gradebook.spreadsheet2gradebook(str(path), report=report)
    assert report.unknown_emails == [(2, students[0]['accountEmail'])]
    assert [grade.email for grade in report.grades] == [
        students[1]['accountEmail']]
    assert report.ok
