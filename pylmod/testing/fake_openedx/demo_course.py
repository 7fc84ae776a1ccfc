"""A fake Open edX seeded to match the demo course of the fake LMod, for
``pylmod serve-fake --openedx`` and ``pylmod demo``: the demo program and
course (:meth:`FakeOpenEdx.demo`), an account and a loaded grade for each
student of the LMod gradebook, and half of them enrolled in the program,
so that ``pylmod openedx push-grades`` has grades to write to LMod and
``pylmod openedx sync-roster`` learners to enroll.
"""
from typing import Any, Iterable, Mapping

from pylmod.testing.fake_openedx.state import (
    DEMO_COURSE_KEY,
    DEMO_PROGRAM_UUID,
    FakeOpenEdx,
)

#: The LMod assignment the demo pushes the Open edX grades to.
DEMO_OPENEDX_ASSIGNMENT = 'final'


def letter_of(percent: float) -> str:
    """The letter grade of a percent (0..1): A from 0.9, B from 0.8 ..."""
    for letter, least in (('A', 0.9), ('B', 0.8), ('C', 0.7), ('D', 0.6)):
        if percent >= least:
            return letter
    return 'F'


def demo_course_openedx(students: Iterable[Mapping[str, Any]]
                        ) -> FakeOpenEdx:
    """Return a :class:`FakeOpenEdx` whose demo course holds ``students``
    (LMod students, e.g. ``FakeLmod.demo().students(DEMO_GRADEBOOK_ID)``).

    Each student gets an account (username ``learner001`` ...), a grade in
    the demo program course (its ``student_key`` is the email, as
    ``push_grades`` maps by default), and every other one a program
    enrollment.

    Example:

    .. code-block:: python

        lmod = FakeLmod.demo()
        fake = demo_course_openedx(lmod.students(DEMO_GRADEBOOK_ID))
        with OpenEdxServer(fake) as server:
            ...
    """
    fake = FakeOpenEdx.demo()
    for index, student in enumerate(students):
        email = str(student['accountEmail'])
        fake.add_account('learner{0:03d}'.format(index + 1), email,
                         str(student.get('displayName') or ''))
        percent = ((index * 37) % 61 + 40) / 100.0
        fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, email, percent,
                       letter_of(percent))
        if index % 2 == 0:
            fake.enroll_in_program(DEMO_PROGRAM_UUID, email)
    return fake
