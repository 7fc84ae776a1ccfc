"""Programs in the fake Open edX: their state, and the answers of the
program enrollment, program course enrollment and program course grade
calls (cursor-paginated reads, multi-learner writes).

The answers follow :mod:`pylmod.testing.fake_openedx.rules`; the caller
(:meth:`FakeOpenEdx.handle
<pylmod.testing.fake_openedx.state.FakeOpenEdx.handle>`) has routed the
request, checked the token and holds the fake's lock.
"""
import base64
from dataclasses import dataclass, field
from typing import Any, Collection, Dict, List, NamedTuple, Optional
from urllib.parse import urlencode

from pylmod.testing.fake_openedx.rules import (
    DEFAULT_PAGE_SIZE,
    WRITE_RULES,
    Answer,
    grades_status,
    multi_status,
    write_error,
)


@dataclass
class CourseRun:
    """A course run: its bulk enrollments and (in a program) program data.

    Attributes:
        enrolled: ``{email: cohort}`` of the learners enrolled.
        allowed: ``{email: cohort}`` of those allowed to enroll (no account
            yet).
        grades: ``{student_key: grade record}`` (program course grades).
        enrollments: ``{student_key: {"status", "course_staff"}}``.
    """

    enrolled: Dict[str, Optional[str]] = field(default_factory=dict)
    allowed: Dict[str, Optional[str]] = field(default_factory=dict)
    grades: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    enrollments: Dict[str, Dict[str, Any]] = field(default_factory=dict)


@dataclass
class Program:
    """A program: its curriculum, enrollments and course runs.

    Attributes:
        enrollments: ``{student_key: {"status", "curriculum_uuid"}}``.
    """

    curriculum_uuid: str
    enrollments: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    courses: Dict[str, CourseRun] = field(default_factory=dict)


class ProgramCall(NamedTuple):
    """One request to a program endpoint.

    Attributes:
        name: the endpoint row's name.
        method: the HTTP verb.
        ids: the decoded ids of the path (``program_uuid``, ``course_id``).
        params: the query parameters.
        body: the decoded body.
        url: the request URL without the query (pagination links).
    """

    name: str
    method: str
    ids: Dict[str, str]
    params: Dict[str, str]
    body: Any
    url: str


def answer_program_call(programs: Dict[str, Program],
                        users: Collection[str], call: ProgramCall) -> Answer:
    """Answer a program call: 404 for an unknown program or course, else a
    page of grades or enrollments, or the result of a write."""
    program = programs.get(call.ids['program_uuid'])
    if program is None:
        return 404, {'detail': 'program not found'}
    course = CourseRun()
    if 'course_id' in call.ids:
        found = program.courses.get(call.ids['course_id'])
        if found is None:
            return 404, {'detail': 'course not found in program'}
        course = found
    if call.name == 'program_course_grades':
        return _grades_page(list(course.grades.values()), call)
    in_program = call.name == 'program_enrollments'
    records = program.enrollments if in_program else course.enrollments
    if call.method != 'GET':
        return _write(call, program, records)
    rows = [{'student_key': key, 'status': record['status'],
             'account_exists': key in users,
             'curriculum_uuid': (record['curriculum_uuid'] if in_program
                                 else program.curriculum_uuid)}
            for key, record in records.items()]
    return 200, page(rows, call.params, call.url)


def _grades_page(grades: List[Dict[str, Any]], call: ProgramCall) -> Answer:
    if not grades:
        return 204, None
    answer = page(grades, call.params, call.url)
    return grades_status(answer['results']), answer


def _write(call: ProgramCall, program: Program,
           records: Dict[str, Dict[str, Any]]) -> Answer:
    """Create or update enrollments, learner by learner."""
    rule = WRITE_RULES[call.name]
    error = write_error(rule, call.method, call.body)
    if error is not None:
        return error
    keys = [item[rule.key_field] for item in call.body]
    results: Dict[str, str] = {}
    for item, key in zip(call.body, keys):
        result = results[key] = rule.learner_result(
            item.get('status'), call.method, key in records,
            keys.count(key) > 1, key in program.enrollments)
        if result in rule.ok_statuses:
            record = records.setdefault(key, {
                'curriculum_uuid': item.get('curriculum_uuid'),
                'course_staff': bool(item.get('course_staff'))})
            record['status'] = result
    return multi_status(results, rule.ok_statuses), results


def page(rows: List[Dict[str, Any]], params: Dict[str, str],
         url: str) -> Dict[str, Any]:
    """One cursor page of ``rows``; the cursor is an opaque offset."""
    size = int(params.get('page_size') or DEFAULT_PAGE_SIZE)
    cursor = params.get('cursor')
    offset = int(base64.urlsafe_b64decode(cursor).decode()) if cursor else 0

    def link(start: int) -> str:
        query = {'cursor': base64.urlsafe_b64encode(
            str(start).encode()).decode(), 'page_size': size}
        return url + '?' + urlencode(query)

    return {
        'next': link(offset + size) if offset + size < len(rows) else None,
        'previous': link(max(offset - size, 0)) if offset else None,
        'results': rows[offset:offset + size],
    }
