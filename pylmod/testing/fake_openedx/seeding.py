"""Seeding the fake Open edX and reading its state back (the methods of
:class:`~pylmod.testing.fake_openedx.state.FakeOpenEdx` that tests call
directly).

Seed shape (every key optional)::

    {"clients": {"client-id": "secret",
                 "other-client": {"secret": "s", "staff": false}},
     "users": ["a@example.com"],
     "accounts": [{"username": "ada", "email": "a@example.com",
                   "name": "Ada L.", "staff": false,
                   "student_key": "k"}],
     "courses": {"course-v1:O+N+R": {"enrolled": ["a@example.com"],
                                     "name": "Circuits"}},
     "programs": {"<uuid>": {"curriculum_uuid": "<uuid>", "slug": "s",
         "enrollments": [{"student_key": "k", "status": "enrolled",
                          "curriculum_uuid": "<uuid>"}],
         "courses": {"course-v1:O+N+R": {
             "grades": [{"student_key": "k", "percent": 0.9,
                         "letter_grade": "A", "passed": true},
                        {"student_key": "j", "error": "timeout"}],
             "enrollments": [{"student_key": "k", "status": "active"}]}}}}}
"""
import threading
from typing import Any, Dict, Optional

from pylmod.testing.fake_openedx.records import Account, CourseRun, Program
from pylmod.testing.fake_openedx.tokens import TokenStore


class Seeding:
    """Seeding and reading methods; the state is the subclass's."""

    lock: threading.RLock
    auth: TokenStore
    users: set
    accounts: Dict[str, Account]
    programs: Dict[str, Program]
    courses: Dict[str, CourseRun]

    def seed(self, seed: Dict[str, Any]) -> None:
        """Add what a seed dict holds (see the module docstring)."""
        for client_id, secret in seed.get('clients', {}).items():
            if isinstance(secret, dict):
                self.add_client(client_id, secret['secret'],
                                secret.get('staff', True))
            else:
                self.add_client(client_id, secret)
        self.users.update(seed.get('users', []))
        for account in seed.get('accounts', []):
            self.add_account(**account)
        for key, course in seed.get('courses', {}).items():
            self.add_course(key, enrolled=course.get('enrolled', ()),
                            name=course.get('name', ''))
        for program_uuid, program in seed.get('programs', {}).items():
            self._seed_program(program_uuid, program)

    def _seed_program(self, program_uuid: str, seed: Dict[str, Any]) -> None:
        courses = seed.get('courses', {})
        self.add_program(program_uuid, seed.get('curriculum_uuid', ''),
                         courses=list(courses), slug=seed.get('slug', ''))
        for record in seed.get('enrollments', []):
            self.enroll_in_program(program_uuid, record['student_key'],
                                   record.get('status', 'enrolled'),
                                   record.get('curriculum_uuid'))
        for course_key, course in courses.items():
            for record in course.get('grades', []):
                self.programs[program_uuid].courses[course_key].grades[
                    record['student_key']] = dict(record)
            for record in course.get('enrollments', []):
                self.enroll_in_program_course(
                    program_uuid, course_key, record['student_key'],
                    record.get('status', 'active'))

    def add_client(self, client_id: str, secret: str,
                   staff: bool = True) -> None:
        """Register an OAuth application whose service user is staff (or
        not: then the program APIs and ``bulk_enroll`` answer it 403)."""
        self.auth.add_client(client_id, secret, staff)

    def add_program(self, program_uuid: str, curriculum_uuid: str,
                    courses: Any = (), slug: str = '') -> None:
        """Add a program (with course runs in it)."""
        with self.lock:
            program = self.programs.setdefault(
                program_uuid, Program(curriculum_uuid, slug=slug))
            for course_key in courses:
                program.courses.setdefault(course_key, CourseRun())

    def add_course(self, course_key: str, enrolled: Any = (),
                   name: str = '') -> None:
        """Add a course run open to ``bulk_enroll``, with enrolled emails."""
        with self.lock:
            course = self.courses.setdefault(course_key, CourseRun())
            course.name = name or course.name
            for email in enrolled:
                self.users.add(email)
                course.enroll(email)

    def add_account(self, username: str, email: str, name: str = '',
                    staff: bool = False, student_key: str = '') -> Account:
        """Add a user account (its email then has an account, for
        ``bulk_enroll`` and ``account_exists``)."""
        with self.lock:
            account = self.accounts[username] = Account(
                username, email, name, len(self.accounts) + 1, staff,
                student_key)
            self.users.add(email)
            return account

    def enroll_learner(self, course_key: str, email: str,
                       mode: str = 'audit',
                       certificate_url: Optional[str] = None) -> None:
        """Enroll a learner in a course run in ``mode``, with a certificate
        (its download URL) if given."""
        with self.lock:
            course = self.courses[course_key]
            course.enroll(email, mode=mode)
            course.details[email].update(mode=mode,
                                         certificate_url=certificate_url)

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
                          status: str = 'enrolled',
                          curriculum_uuid: Optional[str] = None) -> None:
        """Set a learner's program enrollment (in the program's curriculum
        unless another is given)."""
        with self.lock:
            program = self.programs[program_uuid]
            program.enrollments[student_key] = {
                'status': status,
                'curriculum_uuid': curriculum_uuid or program.curriculum_uuid}

    def enroll_in_program_course(self, program_uuid: str, course_key: str,
                                 student_key: str,
                                 status: str = 'active') -> None:
        """Set a learner's program course enrollment."""
        with self.lock:
            self.programs[program_uuid].courses[course_key].enrollments[
                student_key] = {'status': status, 'course_staff': False}

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
