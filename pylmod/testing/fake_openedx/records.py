"""What the fake Open edX holds: course runs, programs and user accounts.

Plain data; the answers built from it are in
:mod:`~pylmod.testing.fake_openedx.programs`,
:mod:`~pylmod.testing.fake_openedx.bulk_enroll` and
:mod:`~pylmod.testing.fake_openedx.mobile`.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, NamedTuple, Optional

#: When the fake's course runs start and end unless seeded otherwise.
DEFAULT_START = '2026-02-01T05:00:00Z'
DEFAULT_END = '2026-06-01T05:00:00Z'


def now_iso() -> str:
    """The current time as Open edX writes it (ISO 8601, UTC, ``Z``)."""
    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


class Call(NamedTuple):
    """One request to an API endpoint, routed and authenticated.

    Attributes:
        name: the endpoint row's name.
        method: the HTTP verb.
        ids: the decoded ids of the path.
        params: the query parameters.
        body: the decoded body.
        url: the request URL without the query (pagination links).
        identity: who is asking (a
            :class:`~pylmod.testing.fake_openedx.tokens.Identity`).
        strict: refuse fields the serializers do not declare.
    """

    name: str
    method: str
    ids: Dict[str, str]
    params: Dict[str, str]
    body: Any
    url: str
    identity: Any
    strict: bool = True

    @property
    def site_url(self) -> str:
        """The LMS root the request was sent to."""
        return self.url.split('/api/', 1)[0]


@dataclass
class CourseRun:
    """A course run: its enrollments, and (in a program) program data.

    Attributes:
        enrolled: ``{email: cohort}`` of the learners enrolled.
        allowed: ``{email: cohort}`` of those allowed to enroll (no account
            yet).
        grades: ``{student_key: grade record}`` (program course grades).
        enrollments: ``{student_key: {"status", "course_staff"}}`` (program
            course enrollments).
        details: ``{email: {"mode", "created", "certificate_url",
            "last_visited_module_id", "modification_date"}}`` of enrolled
            learners (what the mobile API shows).
        name, start, end: shown by the mobile API and program overviews.
    """

    enrolled: Dict[str, Optional[str]] = field(default_factory=dict)
    allowed: Dict[str, Optional[str]] = field(default_factory=dict)
    grades: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    enrollments: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    details: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    name: str = ''
    start: str = DEFAULT_START
    end: Optional[str] = DEFAULT_END

    def enroll(self, email: str, cohort: Optional[str] = None,
               mode: str = 'audit') -> None:
        """Enroll a learner who has an account (keeping the details of an
        earlier enrollment)."""
        self.allowed.pop(email, None)
        self.enrolled[email] = cohort
        self.details.setdefault(email, {
            'mode': mode, 'created': now_iso(), 'certificate_url': None,
            'last_visited_module_id': None, 'modification_date': None})


@dataclass
class Program:
    """A program: its curriculum, enrollments and course runs.

    Attributes:
        enrollments: ``{student_key: {"status", "curriculum_uuid"}}``.
        slug: what a link to the program page is built from.
    """

    curriculum_uuid: str
    enrollments: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    courses: Dict[str, CourseRun] = field(default_factory=dict)
    slug: str = ''


@dataclass
class Account:
    """A user account of the LMS.

    Attributes:
        username: the username (mobile API URLs name it).
        email: the email (``bulk_enroll`` identifiers name it).
        name: the full name.
        id: the user id.
        staff: a global staff user.
        student_key: the learner's key in programs (default: the email).
    """

    username: str
    email: str
    name: str = ''
    id: int = 0
    staff: bool = False
    student_key: str = ''

    @property
    def program_key(self) -> str:
        """The key of the learner's program enrollments."""
        return self.student_key or self.email


def course_parts(course_key: str) -> Dict[str, str]:
    """``{"org", "number", "run"}`` of ``course-v1:Org+Number+Run``."""
    body = course_key.split(':', 1)[-1]
    org, number, run = (body.split('+') + ['', '', ''])[:3]
    return {'org': org, 'number': number, 'run': run}


def course_block_id(course_key: str) -> str:
    """The usage key of a course's root block."""
    return 'block-v1:{0}+type@course+block@course'.format(
        course_key.split(':', 1)[-1])
