"""The state of the fake Open edX and its answers, without HTTP.

:class:`FakeOpenEdx` holds programs, courses, learners and tokens, and
:meth:`FakeOpenEdx.handle` answers one request as ``(status, body)``; the
HTTP server in :mod:`pylmod.testing.fake_openedx.server` only decodes and
encodes.  Requests are routed with :data:`pylmod.openedx.endpoints.ENDPOINTS`
(:mod:`~pylmod.testing.fake_openedx.routes`); the program calls are
answered by :mod:`~pylmod.testing.fake_openedx.programs`, ``bulk_enroll`` by
:mod:`~pylmod.testing.fake_openedx.bulk_enroll`, both by the rules of
:mod:`~pylmod.testing.fake_openedx.rules`.  Issuing and checking tokens is
here.
"""
import base64
import json
import threading
import time
import uuid
from typing import Any, Dict, Optional
from urllib.parse import unquote

from pylmod.testing.fake_openedx.bulk_enroll import answer_bulk_enroll
from pylmod.testing.fake_openedx.programs import (
    CourseRun,
    Program,
    ProgramCall,
    answer_program_call,
)
from pylmod.testing.fake_openedx.routes import match_endpoint
from pylmod.testing.fake_openedx.rules import Answer
from pylmod.testing.faults import Fault, FaultQueue

DEMO_PROGRAM_UUID = '11111111-2222-3333-4444-555555555555'
DEMO_CURRICULUM_UUID = '66666666-7777-8888-9999-000000000000'
DEMO_COURSE_KEY = 'course-v1:MITx+6.002x+2026_Spring'

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
        self.programs: Dict[str, Program] = {}
        self.courses: Dict[str, CourseRun] = {}
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
                program_uuid, Program(curriculum_uuid))
            for course_key in courses:
                program.courses.setdefault(course_key, CourseRun())

    def add_course(self, course_key: str, enrolled: Any = ()) -> None:
        """Add a course run open to ``bulk_enroll``, with enrolled emails."""
        with self.lock:
            course = self.courses.setdefault(course_key, CourseRun())
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
                return answer_bulk_enroll(self.courses, self.users, body)
            return answer_program_call(self.programs, self.users, ProgramCall(
                endpoint.name, method, ids, params, body, base_url + path))

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


def _b64(part: Dict[str, Any]) -> str:
    raw = json.dumps(part, separators=(',', ':')).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode()
