"""Courses of the stand-in LMS: course ``n`` is an LMod gradebook and an
Open edX program with one course run, with the same learners, for the
plugin's tests and benchmark.

* LMod (:func:`lmod_seed`): gradebook ``n`` (uuid
  ``STELLAR:/project/plugin-n``) with the assignment ``final`` (100 points)
  and ``learners`` students, ``learner-n-i@example.edu``; no grades.
* Open edX (:func:`seed_openedx`): program ``n`` with its curriculum and the
  course run ``course-v1:MITx+PLUGIN-n+2026``, a grade for every learner
  (``percent`` from :func:`percent`, a letter), and no enrollments.
"""
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List

#: The LMod assignment grades are pushed to, and its max points.
ASSIGNMENT = 'final'
MAX_POINTS = 100.0
LETTERS = 'ABCDF'


@dataclass(frozen=True)
class Course:
    """The ids of course ``n`` on both sides."""

    number: int

    @property
    def gradebook_id(self) -> int:
        return 1000 + self.number

    @property
    def gradebook_uuid(self) -> str:
        return 'STELLAR:/project/plugin-{0}'.format(self.number)

    @property
    def assignment_id(self) -> int:
        return 500000 + self.number

    @property
    def program_uuid(self) -> str:
        return '{0:08d}-0000-4000-8000-000000000000'.format(self.number)

    @property
    def curriculum_uuid(self) -> str:
        return '{0:08d}-0000-4000-8000-00000000c0de'.format(self.number)

    @property
    def course_key(self) -> str:
        return 'course-v1:MITx+PLUGIN-{0}+2026'.format(self.number)

    def email(self, learner: int) -> str:
        """The email (and Open edX ``student_key``) of a learner."""
        return 'learner-{0}-{1}@example.edu'.format(self.number, learner)

    def student_id(self, learner: int) -> int:
        return 10 ** 6 + self.number * 10 ** 4 + learner


def courses(count: int) -> List[Course]:
    """Courses ``0 .. count - 1``."""
    return [Course(number) for number in range(count)]


def percent(course: Course, learner: int) -> float:
    """The Open edX grade of a learner (0 to 1)."""
    return ((course.number * 7 + learner * 13) % 101) / 100


def gradebook_seed(course: Course, learners: int) -> Dict[str, Any]:
    """The fake LMod's seed of a course's gradebook."""
    return {
        'gradebookId': course.gradebook_id,
        'uuid': course.gradebook_uuid,
        'assignments': [{'assignmentId': course.assignment_id,
                         'name': ASSIGNMENT,
                         'maxPointsTotal': MAX_POINTS}],
        'students': [{'studentId': course.student_id(learner),
                      'accountEmail': course.email(learner),
                      'displayName': 'Learner {0}'.format(learner)}
                     for learner in range(learners)],
    }


def lmod_seed(count: int, learners: int) -> Dict[str, Any]:
    """The fake LMod's seed: a gradebook per course."""
    return {'gradebooks': [gradebook_seed(course, learners)
                           for course in courses(count)]}


def seed_course(fake: Any, course: Course, learners: int) -> None:
    """Add a course's program, run and grades to a fake Open edX."""
    fake.add_program(course.program_uuid, course.curriculum_uuid,
                     courses=[course.course_key])
    fake.add_course(course.course_key)
    for learner in range(learners):
        fake.set_grade(course.program_uuid, course.course_key,
                       course.email(learner), percent(course, learner),
                       LETTERS[learner % len(LETTERS)])


def seed_openedx(fake: Any, count: int, learners: int) -> None:
    """Add the courses' programs, runs and grades to a fake Open edX."""
    for course in courses(count):
        seed_course(fake, course, learners)


def expected_points(course: Course, learners: int) -> Dict[int, float]:
    """``{studentId: points}`` the grade push should store."""
    return {course.student_id(learner): round(
        percent(course, learner) * MAX_POINTS, 6)
        for learner in range(learners)}


def link_fields(course: Course) -> Dict[str, Any]:
    """The fields of a link of the course: grade push and program roster."""
    return {'name': 'Course {0}'.format(course.number),
            'gradebook_uuid': course.gradebook_uuid,
            'program_uuid': course.program_uuid,
            'course_key': course.course_key,
            'assignment': ASSIGNMENT,
            'roster_sync': 'program',
            'curriculum_uuid': course.curriculum_uuid}


def iter_emails(course: Course, learners: int) -> Iterator[str]:
    """The emails of a course's learners."""
    return (course.email(learner) for learner in range(learners))
