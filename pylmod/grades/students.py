"""The gradebook's students, by email: whom a row of grades is for."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Dict, Iterable, List, Optional

log = logging.getLogger(__name__)


def index_students(students: Iterable[Mapping[str, Any]],
                   skipped: Optional[List[Any]] = None
                   ) -> Dict[str, Mapping[str, Any]]:
    """Index students by lower-cased ``accountEmail`` (the first one wins,
    as with :meth:`pylmod.GradeBook.get_student_by_email`).

    A record that cannot be matched (no email, an email that is not text,
    no ``studentId``, not an object) does not stop the upload: it is left
    out, logged as a warning (with its ``studentId``) and appended to
    ``skipped`` when given; its rows then match no student and are reported
    as unknown emails.
    """
    index: Dict[str, Mapping[str, Any]] = {}
    unusable = []
    for student in students:
        # Asked, not checked first: a check per student would cost more
        # than the indexing (100,000 students in a large class).
        try:
            email = student['accountEmail']
            usable = isinstance(email, str) and email != '' and (
                'studentId' in student)
        except (KeyError, TypeError, IndexError):
            usable = False
        if not usable:
            unusable.append(student)
            continue
        index.setdefault(email.lower(), student)
    if unusable:
        log.warning('%d student records of the gradebook have no email or '
                    'no studentId and were skipped (studentId %s)',
                    len(unusable), ', '.join(
                        str(student.get('studentId')) if isinstance(
                            student, Mapping) else repr(student)[:20]
                        for student in unusable[:10]))
        if skipped is not None:
            skipped.extend(unusable)
    return index
