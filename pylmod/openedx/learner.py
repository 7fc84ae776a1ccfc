"""One learner, both sides: their Open edX identity and enrollments beside
their LMod record.

For support ("why does this student see no certificate?") and for a plugin
that shows a learner their own status.  The Open edX side comes from the
mobile users API, which answers only the learner's own token
(``IsUserInUrl``): :func:`learner_session` sends a token the learner (or
their app) holds; pylmod never asks for a password.  The LMod side comes
from the gradebook, found by the email Open edX has for the learner.

Example:

.. code-block:: python

    from pylmod.openedx import OpenEdxClient, learner_record, learner_session

    client = OpenEdxClient(learner_session(token), LMS_URL)
    record = learner_record(client, 'ada', gradebook=gradebook)
    for enrollment in record.enrollments:
        print(enrollment.course_id, enrollment.mode,
              enrollment.certificate_url)
    print(record.lmod.section if record.lmod else 'not in the gradebook')
"""
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional

import requests

from pylmod.answer import reading
from pylmod.openedx.grades import OVERALL_GRADE, held_grades
from pylmod.openedx.retry import retry_adapter

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.gradebook import GradeBook
    from pylmod.openedx.client import OpenEdxClient

log = logging.getLogger(__name__)


def token_scheme(token: str) -> str:
    """The ``Authorization`` scheme of an access token: ``JWT`` for a JSON
    web token (three dot-separated parts), ``Bearer`` for an opaque one."""
    return 'JWT' if token.count('.') == 2 else 'Bearer'


def learner_session(token: str, scheme: Optional[str] = None,
                    retries: int = 3) -> requests.Session:
    """Return a session that sends a learner's access token.

    Args:
        token: the learner's access token (never logged).
        scheme: ``'JWT'`` or ``'Bearer'`` (default: :func:`token_scheme`).
        retries: retries of reads (see :mod:`pylmod.openedx.retry`).

    Raises:
        ValueError: the token is empty or holds white space.

    Returns:
        requests.Session: with ``Authorization: <scheme> <token>`` and the
        bridge's retry adapter.
    """
    token = token.strip()
    if not token or any(character.isspace() for character in token):
        raise ValueError('the learner token is empty or holds white space')
    session = requests.Session()
    session.headers['Authorization'] = '{0} {1}'.format(
        scheme or token_scheme(token), token)
    adapter = retry_adapter(retries)
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    return session


@dataclass
class CourseEnrollment:
    """One of the learner's Open edX course enrollments (mobile API).

    Attributes:
        course_id: the course run key.
        course_name: its name.
        mode: the enrollment mode (``audit``, ``verified``, ``honor`` …).
        is_active: the enrollment is active.
        certificate_url: the certificate's download URL (``None``: none).
        created: when the learner enrolled.
    """

    course_id: str
    course_name: str
    mode: str
    is_active: bool
    certificate_url: Optional[str]
    created: str

    @classmethod
    def from_api(cls, enrollment: Mapping[str, Any]) -> 'CourseEnrollment':
        """Read one item of ``course_enrollments``."""
        course = enrollment.get('course') or {}
        certificate = enrollment.get('certificate') or {}
        return cls(str(course.get('id', '')), str(course.get('name', '')),
                   str(enrollment.get('mode', '')),
                   bool(enrollment.get('is_active')),
                   certificate.get('url') or None,
                   str(enrollment.get('created', '')))


@dataclass
class LmodRecord:
    """The learner in an LMod gradebook.

    Attributes:
        student_id: the LMod ``studentId``.
        email: the LMod email.
        name: the display name.
        section: the section.
        grades: ``{assignment name: numeric grade}`` of the grades held, and
            ``'overall grade'``: the letter, if there is one.
    """

    student_id: Any
    email: str
    name: str
    section: str
    grades: Dict[str, Any] = field(default_factory=dict)


@dataclass
class LearnerRecord:
    """A learner's Open edX identity and enrollments and LMod record.

    Attributes:
        username, user_id, name, email: the Open edX identity.
        enrollments: their course enrollments, newest first.
        lmod: their LMod record (``None``: no gradebook was given, or it
            has no student with that email, as ``lmod_note`` says).
        lmod_note: why ``lmod`` is ``None``.
    """

    username: str
    user_id: Any
    name: str
    email: str
    enrollments: List[CourseEnrollment] = field(default_factory=list)
    lmod: Optional[LmodRecord] = None
    lmod_note: str = ''

    def as_dict(self) -> Dict[str, Any]:
        """The record as plain JSON-able data."""
        return dataclasses.asdict(self)


def lmod_record(gradebook: 'GradeBook', email: str,
                gradebook_id: Any = '') -> Optional[LmodRecord]:
    """Return the LMod record of the student with ``email`` (``None``: the
    gradebook has no such student).

    Calls ``GET students/{gradebookId}`` with grade info and
    ``GET assignments/{gradebookId}``.
    """
    students = gradebook.get_students(gradebook_id, include_grade_info=True)
    student_id, student = gradebook.get_student_by_email(email, students)
    if student is None:
        return None
    names = {assignment.get('assignmentId'): assignment.get('name')
             for assignment in gradebook.get_assignments(gradebook_id)}
    grades = {(OVERALL_GRADE if key == OVERALL_GRADE
               else str(names.get(key, key))): value
              for key, value in held_grades(student).items()}
    return LmodRecord(student_id, str(student.get('accountEmail', '')),
                      str(student.get('displayName', '')),
                      str(student.get('section', '')), grades)


def learner_record(client: 'OpenEdxClient', username: str, *,
                   gradebook: Optional['GradeBook'] = None,
                   gradebook_id: Any = '') -> LearnerRecord:
    """Read a learner's Open edX identity and enrollments (the mobile users
    API, with the learner's token) and their LMod record.

    Calls ``GET /api/mobile/v1/users/{username}`` and
    ``.../course_enrollments/``, then (with a gradebook) ``GET
    students/{gradebookId}`` and ``GET assignments/{gradebookId}``.

    Args:
        client: an :class:`~pylmod.openedx.client.OpenEdxClient` over the
            learner's session (:func:`learner_session`).
        username: the learner's Open edX username.
        gradebook: the LMod gradebook to look the learner up in (by the
            email Open edX has), or ``None``.
        gradebook_id: the gradebook, if ``gradebook`` is not bound to one.

    Raises:
        OpenEdxHTTPError: 401 for a token Open edX does not accept, 403 for
            the token of another user, 404 for an unknown user.

    Returns:
        LearnerRecord: both sides.
    """
    user = client.get_mobile_user(username)
    enrollments = client.get_mobile_course_enrollments(username)
    with reading(enrollments, 'learner_record: the course enrollments',
                 'Open edX'):
        record = LearnerRecord(
            str(user.get('username', username)), user.get('id'),
            str(user.get('name', '')), str(user.get('email', '')),
            [CourseEnrollment.from_api(enrollment)
             for enrollment in enrollments])
    log.info('Learner %s: %d Open edX enrollments', record.username,
             len(record.enrollments))
    if gradebook is None:
        record.lmod_note = 'no gradebook given'
    else:
        record.lmod = lmod_record(gradebook, record.email, gradebook_id)
        if record.lmod is None:
            record.lmod_note = 'the gradebook has no student with this email'
    return record
