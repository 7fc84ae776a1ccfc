"""The state of the fake Open edX and its answers, without HTTP.

:class:`FakeOpenEdx` holds programs, courses, learners and tokens, and
:meth:`FakeOpenEdx.handle` answers one request as ``(status, body)``; the
HTTP server in :mod:`pylmod.testing.fake_openedx.server` only decodes and
encodes.  Requests are routed with :data:`pylmod.openedx.endpoints.ENDPOINTS`.
"""
import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlencode

from pylmod.openedx.endpoints import (
    DEFAULT_PAGE_SIZE,
    ENDPOINTS,
    MAX_LEARNERS_PER_WRITE,
)
from pylmod.testing.fake_openedx.routes import match_endpoint
from pylmod.testing.faults import Fault, FaultQueue

DEMO_PROGRAM_UUID = '11111111-2222-3333-4444-555555555555'
DEMO_CURRICULUM_UUID = '66666666-7777-8888-9999-000000000000'
DEMO_COURSE_KEY = 'course-v1:MITx+6.002x+2026_Spring'

#: An answer: ``(HTTP status, JSON-able body or None)``.
Answer = Tuple[int, Any]


@dataclass
class _Course:
    """A course run: its bulk enrollments and (in a program) program data."""

    enrolled: Dict[str, Optional[str]] = field(default_factory=dict)
    allowed: Dict[str, Optional[str]] = field(default_factory=dict)
    grades: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    enrollments: Dict[str, Dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Program:
    curriculum_uuid: str
    enrollments: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    courses: Dict[str, _Course] = field(default_factory=dict)


class FakeOpenEdx:
    """The state of the fake Open edX, seedable from a dict or by methods.

    Seed shape (every key optional)::

        {"clients": {"client-id": "secret"}, "users": ["a@example.com"],
         "courses": {"course-v1:O+N+R": {"enrolled": ["a@example.com"]}},
         "programs": {"<uuid>": {"curriculum_uuid": "<uuid>",
             "enrollments": [{"student_key": "k", "status": "enrolled"}],
             "courses": {"course-v1:O+N+R": {
                 "grades": [{"student_key": "k", "percent": 0.9,
                             "letter_grade": "A", "passed": true},
                            {"student_key": "j", "error": "timeout"}],
                 "enrollments": [{"student_key": "k", "status": "active"}]}}}}}

    Attributes:
        token_lifetime (int): ``expires_in`` of issued tokens, seconds.
    """

    CLIENT_ID = 'pylmod-test-client'
    CLIENT_SECRET = 'pylmod-test-secret'

    def __init__(self, seed: Optional[Dict[str, Any]] = None) -> None:
        self.lock = threading.RLock()
        self.clients: Dict[str, str] = {}
        self.users: set = set()
        self.programs: Dict[str, _Program] = {}
        self.courses: Dict[str, _Course] = {}
        self.tokens: Dict[str, float] = {}
        self.tokens_issued = 0
        self.token_lifetime = 3600
        self._faults = FaultQueue()
        for client_id, secret in (seed or {}).get('clients', {}).items():
            self.clients[client_id] = secret
        self.users.update((seed or {}).get('users', []))
        for key, course in (seed or {}).get('courses', {}).items():
            self.add_course(key, enrolled=course.get('enrolled', ()))
        for program_uuid, program in (seed or {}).get('programs', {}).items():
            self._seed_program(program_uuid, program)

    @classmethod
    def demo(cls) -> 'FakeOpenEdx':
        """A fake with one client, the demo program, its curriculum and the
        demo course (in the program and for bulk enrollment), no learners."""
        fake = cls({'clients': {cls.CLIENT_ID: cls.CLIENT_SECRET}})
        fake.add_program(DEMO_PROGRAM_UUID, DEMO_CURRICULUM_UUID,
                         courses=[DEMO_COURSE_KEY])
        fake.add_course(DEMO_COURSE_KEY)
        return fake

    def _seed_program(self, program_uuid: str, seed: Dict[str, Any]) -> None:
        courses = seed.get('courses', {})
        self.add_program(program_uuid, seed.get('curriculum_uuid', ''),
                         courses=list(courses))
        for record in seed.get('enrollments', []):
            self.enroll_in_program(program_uuid, record['student_key'],
                                   record.get('status', 'enrolled'))
        for course_key, course in courses.items():
            for record in course.get('grades', []):
                self.programs[program_uuid].courses[course_key].grades[
                    record['student_key']] = dict(record)
            for record in course.get('enrollments', []):
                self.enroll_in_program_course(
                    program_uuid, course_key, record['student_key'],
                    record.get('status', 'active'))

    # Seeding -------------------------------------------------------------
    def add_program(self, program_uuid: str, curriculum_uuid: str,
                    courses: Any = ()) -> None:
        """Add a program (with course runs in it)."""
        with self.lock:
            program = self.programs.setdefault(
                program_uuid, _Program(curriculum_uuid))
            for course_key in courses:
                program.courses.setdefault(course_key, _Course())

    def add_course(self, course_key: str, enrolled: Any = ()) -> None:
        """Add a course run open to ``bulk_enroll``, with enrolled emails."""
        with self.lock:
            course = self.courses.setdefault(course_key, _Course())
            for email in enrolled:
                self.users.add(email)
                course.enrolled[email] = None

    def set_grade(self, program_uuid: str, course_key: str, student_key: str,
                  percent: float, letter_grade: Optional[str] = None,
                  passed: Optional[bool] = None) -> None:
        """Set a learner's loaded grade in a program course."""
        with self.lock:
            self.programs[program_uuid].courses[course_key].grades[
                student_key] = {
                    'student_key': student_key, 'letter_grade': letter_grade,
                    'percent': percent,
                    'passed': percent >= 0.5 if passed is None else passed}

    def set_grade_error(self, program_uuid: str, course_key: str,
                        student_key: str, error: str) -> None:
        """Make a learner's grade fail to load with ``error``."""
        with self.lock:
            self.programs[program_uuid].courses[course_key].grades[
                student_key] = {'student_key': student_key, 'error': error}

    def enroll_in_program(self, program_uuid: str, student_key: str,
                          status: str = 'enrolled') -> None:
        """Set a learner's program enrollment."""
        with self.lock:
            program = self.programs[program_uuid]
            program.enrollments[student_key] = {
                'status': status, 'curriculum_uuid': program.curriculum_uuid}

    def enroll_in_program_course(self, program_uuid: str, course_key: str,
                                 student_key: str,
                                 status: str = 'active') -> None:
        """Set a learner's program course enrollment."""
        with self.lock:
            self.programs[program_uuid].courses[course_key].enrollments[
                student_key] = {'status': status, 'course_staff': False}

    def fail_next(self, count: int, status: int = 503,
                  path_prefix: Optional[str] = None,
                  method: Optional[str] = None) -> None:
        """Answer the next ``count`` API requests (whose path starts with
        ``path_prefix`` and whose verb is ``method``, if given) with
        ``status``, doing nothing."""
        self._faults.add(Fault('fail', count, path_prefix, status=status,
                               method=method))

    def revoke_tokens(self) -> None:
        """Forget every issued token (the next API call answers 401)."""
        with self.lock:
            self.tokens.clear()

    # Reading the state ----------------------------------------------------
    def program_enrollments(self, program_uuid: str) -> Dict[str, str]:
        """``{student_key: status}`` of a program."""
        with self.lock:
            return {key: record['status'] for key, record
                    in self.programs[program_uuid].enrollments.items()}

    def program_course_enrollments(self, program_uuid: str,
                                   course_key: str) -> Dict[str, str]:
        """``{student_key: status}`` of a program course."""
        with self.lock:
            return {key: record['status'] for key, record in self.programs[
                program_uuid].courses[course_key].enrollments.items()}

    def course_enrollments(self, course_key: str) -> Dict[str, Optional[str]]:
        """``{email: cohort}`` of the learners enrolled (or allowed to
        enroll) in a course by ``bulk_enroll``."""
        with self.lock:
            course = self.courses[course_key]
            return dict(course.allowed, **course.enrolled)

    # Handling -------------------------------------------------------------
    def handle(self, method: str, path: str, params: Dict[str, str],
               body: Any, headers: Dict[str, str], base_url: str) -> Answer:
        """Answer one request: ``(status, JSON-able body or None)``."""
        endpoint, ids = match_endpoint(path)
        if endpoint is None:
            return 404, {'detail': 'Not found.'}
        if method not in endpoint.methods:
            return 405, {'detail': 'Method "{0}" not allowed.'.format(method)}
        ids = {name: unquote(value) for name, value in ids.items()}
        with self.lock:
            if endpoint.name == 'access_token':
                return self._token(body if isinstance(body, dict) else {})
            if not self._authorized(headers.get('authorization', '')):
                return 401, {'detail': 'Invalid or missing JWT.'}
            fault = self._faults.take(path, method)
            if fault is not None:
                return fault.status, {'detail': 'injected failure'}
            if endpoint.name == 'bulk_enroll':
                return self._bulk_enroll(body)
            return self._program_call(endpoint.name, method, ids, params,
                                      body, base_url + path)

    def _token(self, form: Dict[str, str]) -> Answer:
        if form.get('grant_type') != 'client_credentials':
            return 400, {'error': 'unsupported_grant_type'}
        client_id = form.get('client_id', '')
        if self.clients.get(client_id) != form.get('client_secret') or \
                client_id not in self.clients:
            return 401, {'error': 'invalid_client'}
        if form.get('token_type', '').lower() != 'jwt':
            return 400, {'error': 'this fake issues JWTs only'}
        self.tokens_issued += 1
        claims = {'sub': client_id, 'jti': uuid.uuid4().hex,
                  'exp': int(time.time()) + self.token_lifetime}
        token = '.'.join(_b64(part) for part in (
            {'alg': 'RS512', 'typ': 'JWT'}, claims, {'sig': uuid.uuid4().hex}))
        self.tokens[token] = time.monotonic() + self.token_lifetime
        return 200, {'access_token': token, 'token_type': 'JWT',
                     'expires_in': self.token_lifetime, 'scope': 'read write'}

    def _authorized(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(' ')
        expires = self.tokens.get(token)
        return (scheme == 'JWT' and expires is not None
                and time.monotonic() < expires)

    def _program_call(self, name: str, method: str, ids: Dict[str, str],
                      params: Dict[str, str], body: Any, url: str) -> Answer:
        program = self.programs.get(ids['program_uuid'])
        if program is None:
            return 404, {'detail': 'program not found'}
        course = _Course()
        if 'course_id' in ids:
            found = program.courses.get(ids['course_id'])
            if found is None:
                return 404, {'detail': 'course not found in program'}
            course = found
        if name == 'program_course_grades':
            return self._grades_page(list(course.grades.values()),
                                     params, url)
        if name == 'program_enrollments':
            records = program.enrollments
            rows = [{'student_key': key, 'status': record['status'],
                     'account_exists': key in self.users,
                     'curriculum_uuid': record['curriculum_uuid']}
                    for key, record in records.items()]
        else:
            records = course.enrollments
            rows = [{'student_key': key, 'status': record['status'],
                     'account_exists': key in self.users,
                     'curriculum_uuid': program.curriculum_uuid}
                    for key, record in records.items()]
        if method == 'GET':
            return 200, _page(rows, params, url)
        return self._write(name, method, program, records, body)

    def _grades_page(self, grades: List[Dict[str, Any]],
                     params: Dict[str, str], url: str) -> Answer:
        if not grades:
            return 204, None
        page = _page(grades, params, url)
        errors = sum(1 for record in page['results'] if 'error' in record)
        if errors == 0:
            return 200, page
        return (422 if errors == len(page['results']) else 207), page

    def _write(self, name: str, method: str, program: _Program,
               records: Dict[str, Dict[str, Any]], body: Any) -> Answer:
        if not isinstance(body, list) or not body:
            return 400, {'detail': 'expected a non-empty list of learners'}
        if len(body) > MAX_LEARNERS_PER_WRITE:
            return 413, {'detail': 'at most {0} learners per request'.format(
                MAX_LEARNERS_PER_WRITE)}
        key_field = ('external_user_key' if name == 'program_enrollments'
                     else 'student_key')
        keys: List[Any] = [
            item.get(key_field) if isinstance(item, dict) else None
            for item in body]
        if not all(isinstance(key, str) and key for key in keys):
            return 400, {'detail': 'every item needs a {0}'.format(key_field)}
        if name == 'program_enrollments' and method != 'PATCH' and not all(
                item.get('curriculum_uuid') for item in body):
            return 400, {'curriculum_uuid': ['This field is required.']}
        ok_results = ENDPOINTS[name].ok_results
        create, update = {'POST': (True, False), 'PATCH': (False, True),
                          'PUT': (True, True)}[method]
        answer: Dict[str, str] = {}
        for item, key in zip(body, keys):
            status = item.get('status')
            if keys.count(key) > 1:
                answer[key] = 'duplicated'
            elif status not in ok_results:
                answer[key] = 'invalid-status'
            elif key in records and not update:
                answer[key] = 'conflict'
            elif key not in records and not create:
                answer[key] = 'not-in-program'
            elif (name == 'program_course_enrollments'
                  and key not in program.enrollments):
                answer[key] = 'not-in-program'
            else:
                record = records.setdefault(key, {
                    'curriculum_uuid': item.get('curriculum_uuid'),
                    'course_staff': bool(item.get('course_staff'))})
                record['status'] = answer[key] = status
        done = sum(1 for result in answer.values() if result in ok_results)
        code = 200 if done == len(answer) else 207 if done else 422
        return code, answer

    def _bulk_enroll(self, body: Any) -> Answer:
        if not isinstance(body, dict):
            return 400, {'detail': 'expected a JSON object'}
        action = body.get('action')
        courses = [key for key in str(body.get('courses') or '').split(',')
                   if key]
        cohorts = ([name for name in str(body['cohorts']).split(',')]
                   if body.get('cohorts') else None)
        identifiers = [ident.strip() for ident in
                       str(body.get('identifiers') or '').split(',')
                       if ident.strip()]
        if action not in ('enroll', 'unenroll') or not courses:
            return 400, {'action': ['enroll or unenroll'],
                         'courses': ['at least one course key']}
        bad = [key for key in courses if not key.startswith('course-v1:')
               or key.count('+') != 2 or key not in self.courses]
        if bad:
            return 400, {'courses': ['invalid course key(s): ' +
                                     ','.join(bad)]}
        if cohorts is not None and len(cohorts) != len(courses):
            return 400, {'non_field_errors': [
                'Cohorts list must be the same size as the courses list']}
        auto_enroll = bool(body.get('auto_enroll'))
        answer: Dict[str, Any] = {
            'action': action, 'auto_enroll': auto_enroll,
            'email_students': bool(body.get('email_students')), 'courses': {}}
        for index, key in enumerate(courses):
            cohort = cohorts[index] if cohorts else None
            results = [self._bulk_one(self.courses[key], ident, action,
                                      auto_enroll, cohort, cohorts is not None)
                       for ident in identifiers]
            answer['courses'][key] = {'action': action, 'results': results,
                                      'auto_enroll': auto_enroll}
        return 200, answer

    def _bulk_one(self, course: _Course, identifier: str, action: str,
                  auto_enroll: bool, cohort: Optional[str],
                  with_cohort: bool) -> Dict[str, Any]:
        if '@' not in identifier:
            return {'identifier': identifier, 'invalidIdentifier': True}
        before = _state(course, identifier, identifier in self.users,
                        auto_enroll, with_cohort)
        course.enrolled.pop(identifier, None)
        course.allowed.pop(identifier, None)
        if action == 'enroll':
            target = (course.enrolled if identifier in self.users
                      else course.allowed)
            target[identifier] = cohort
        after = _state(course, identifier, identifier in self.users,
                       auto_enroll, with_cohort)
        return {'identifier': identifier, 'before': before, 'after': after}


def _state(course: _Course, email: str, user: bool, auto_enroll: bool,
           with_cohort: bool) -> Dict[str, Any]:
    state: Dict[str, Any] = {
        'user': user, 'enrollment': email in course.enrolled,
        'allowed': email in course.allowed,
        'auto_enroll': auto_enroll and email in course.allowed}
    if with_cohort:
        state['cohort'] = dict(course.allowed, **course.enrolled).get(email)
    return state


def _b64(part: Dict[str, Any]) -> str:
    raw = json.dumps(part, separators=(',', ':')).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode()


def _page(rows: List[Dict[str, Any]], params: Dict[str, str],
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
