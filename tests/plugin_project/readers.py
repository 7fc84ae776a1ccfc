"""``COURSE_ENROLLMENTS_READER`` of the stand-in LMS.

In the LMS a reader reads its own database (the course's enrollments and
enrollment allowances, see docs/openedx.rst); here the fake Open edX the
test serves stands in for that database.
"""
from typing import Any, List

#: The fake Open edX the test serves (the tests set it).
served: Any = None


def course_enrollments(course_key: str) -> List[str]:
    """The emails enrolled (or allowed to enroll) in a course run."""
    return sorted(served.course_enrollments(course_key))
