"""The program calls of the fake Open edX: program enrollments, program
course enrollments and grades (cursor-paginated reads, multi-learner
writes), and a learner's program views (overview, course enrollments,
programs readable).

The answers follow :mod:`pylmod.testing.fake_openedx.rules`; the caller
(:meth:`FakeOpenEdx.respond
<pylmod.testing.fake_openedx.state.FakeOpenEdx.respond>`) has routed the
request, identified the token and holds the fake's lock.  The enrollment
and grade views need a staff user (the docs: "403: The requesting user
lacks access for the given program"); a learner's views need the learner
(or, for ``users/{username}/...``, staff).
"""
import base64
from collections import Counter
from typing import Any, Collection, Dict, List, NamedTuple, Optional
from urllib.parse import urlencode

from pylmod.testing.fake_openedx.records import (
    Account,
    Call,
    CourseRun,
    Program,
)
from pylmod.testing.fake_openedx.rules import (
    PROGRAM_PAGINATION,
    STUDENT_KEY,
    USER_PROGRAM_PAGINATION,
    WRITE_RULES,
    Answer,
    field_errors,
    grades_status,
    is_invalid_choice,
    multi_status,
    page_size,
    write_body_error,
)
from pylmod.testing.fake_openedx.tokens import Identity

FORBIDDEN = {'detail': 'You do not have permission to perform this action.'}


#: A request to a program endpoint (the name it had before mobile calls).
ProgramCall = Call


class Site(NamedTuple):
    """What the program calls read: programs, bulk course runs, accounts
    (by username) and the emails that have an account."""

    programs: Dict[str, Program]
    courses: Dict[str, CourseRun]
    accounts: Dict[str, Account]
    users: Collection[str]


def answer_program_call(site: Site, call: Call) -> Answer:
    """Answer a program call: 403 without the access it needs, 404 for an
    unknown program or course, else a page, an overview or a write's
    results."""
    if call.name == 'read_only_programs':
        return 200, _readable_programs(site, call.identity)
    program = site.programs.get(call.ids['program_uuid'])
    if call.name in ('program_overview', 'user_program_course_enrollments'):
        return _learner_view(site, program, call)
    if not call.identity.staff:
        return 403, FORBIDDEN
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
    # "curriculum_uuid: The curriculum UUID of the enrollment record for
    # the (student, program)", for course enrollments too.
    rows = [{'student_key': key, 'status': record['status'],
             'account_exists': key in site.users,
             'curriculum_uuid': program.enrollments.get(key, {}).get(
                 'curriculum_uuid') or program.curriculum_uuid}
            for key, record in records.items()]
    return 200, page(rows, call.params, call.url, PROGRAM_PAGINATION)


def _grades_page(grades: List[Dict[str, Any]], call: Call) -> Answer:
    if not grades:
        return 204, None
    answer = page(grades, call.params, call.url, PROGRAM_PAGINATION)
    return grades_status(answer['results']), answer


def _write(call: Call, program: Program,
           records: Dict[str, Dict[str, Any]]) -> Answer:
    """``EnrollmentWriteMixin.handle_write_request``: the body's shape and
    size, then duplicates, then each item by the verb's serializer (400
    with the field errors of the first bad item; a bad status choice is
    that learner's ``invalid-status``), then the writes."""
    error = write_body_error(call.body)
    if error is not None:
        return error
    rule = WRITE_RULES[call.name]
    counts = Counter(_key(item) for item in call.body)
    results: Dict[str, str] = {}
    valid: List[Dict[str, Any]] = []
    for item in call.body:
        key = _key(item)
        if key is not None and counts[key] > 1:
            results[str(key)] = 'duplicated'
            continue
        errors = field_errors(rule.fields_by_verb[call.method], item,
                              call.strict)
        if is_invalid_choice(errors):
            results[str(key)] = 'invalid-status'
        elif errors:
            return 400, errors
        else:
            valid.append(item)
    for item in valid:
        key = str(item[STUDENT_KEY])
        result = results[key] = rule.learner_result(
            str(item['status']), call.method, key in records,
            key in program.enrollments)
        if result in rule.ok_statuses:
            record = records.setdefault(key, {
                'curriculum_uuid': item.get('curriculum_uuid'),
                'course_staff': bool(item.get('course_staff'))})
            record['status'] = result
    return multi_status(results, rule.ok_statuses), results


def _key(item: Any) -> Optional[str]:
    """The ``student_key`` of an item, if it is text (or a number)."""
    key = item.get(STUDENT_KEY) if isinstance(item, dict) else None
    return None if isinstance(key, bool) or not isinstance(
        key, (str, int, float)) else str(key)


def page(rows: List[Dict[str, Any]], params: Dict[str, str], url: str,
         pagination: Any = PROGRAM_PAGINATION) -> Dict[str, Any]:
    """One cursor page of ``rows``; the cursor is an opaque offset."""
    size = page_size(params, pagination)
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


def _account(site: Site, username: str) -> Optional[Account]:
    return site.accounts.get(username)


def _readable_programs(site: Site, identity: Identity) -> List[Any]:
    """``UserProgramReadOnlyAccessView``: staff read every program, a
    learner those they are enrolled in."""
    account = _account(site, identity.username)
    return [{'uuid': program_uuid, 'slug': program.slug or program_uuid}
            for program_uuid, program in site.programs.items()
            if identity.staff or (account is not None
                                  and account.program_key
                                  in program.enrollments)]


def _learner_view(site: Site, program: Optional[Program],
                  call: Call) -> Answer:
    """The overview (the requesting user) or ``users/{username}/programs/
    {program}/courses`` (the user named, if it is the requester or the
    requester is staff): 404 for an unknown program or user, 403 when the
    user is not enrolled in the program."""
    username = call.ids.get('username', call.identity.username)
    if username != call.identity.username and not call.identity.staff:
        return 403, FORBIDDEN
    account = _account(site, username)
    if program is None or account is None:
        return 404, {'detail': 'Not found.'}
    if account.program_key not in program.enrollments:
        return 403, FORBIDDEN
    base = call.site_url
    runs = [_run_overview(key, program, site.courses.get(key), account, base)
            for key in program.courses
            if _enrolled_in_run(key, program, site.courses, account)]
    if call.name == 'program_overview':
        return 200, {'course_runs': runs}
    return 200, page(runs, call.params, call.url, USER_PROGRAM_PAGINATION)


def _enrolled_in_run(course_key: str, program: Program,
                     courses: Dict[str, CourseRun], account: Account) -> bool:
    record = program.courses[course_key].enrollments.get(account.program_key)
    course = courses.get(course_key)
    return (record is not None and record['status'] == 'active') or (
        course is not None and account.email in course.enrolled)


def _run_overview(course_key: str, program: Program,
                  course: Optional[CourseRun], account: Account,
                  base: str) -> Dict[str, Any]:
    """``CourseRunOverviewSerializer`` of one run, as in the docs'
    example."""
    run = course or program.courses[course_key]
    certificate = (course.details.get(account.email, {}).get(
        'certificate_url') if course else None)
    return {
        'course_run_id': course_key, 'display_name': run.name or course_key,
        'course_run_url': '{0}/courses/{1}/course/'.format(base, course_key),
        'start_date': run.start, 'end_date': run.end,
        'course_run_status': 'completed' if certificate else 'in_progress',
        'emails_enabled': True, 'due_dates': [],
        'micromasters_title': program.slug or None,
        'certificate_download_url': certificate,
        'resume_course_run_url': None}
