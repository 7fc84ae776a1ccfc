"""The grades LMod stores for a student, read from its grade info.

``get_students(include_grade_info=True)`` gives each student a
``studentAssignmentInfo`` (a list of ``{assignmentId, assignmentName,
numericGradeValue, letterGradeValue, specialGradeValue, isGradeApproved,
comment}``, or ``None``) and an ``overallGradeInformation``
(``{letterGradeValue}``, or ``None``).  :func:`read_stored_grades` is the one
place that reads that shape; ``pylmod export-grades`` and the Open edX grade
push (:func:`pylmod.openedx.grades.push_grades`) both use it.

What a stored grade is worth:

* A grade with a ``specialGradeValue`` (``'x'``: excused) has no number,
  whatever ``numericGradeValue`` says: an excused student holds no score.
  (LMod's documented shape gives an excused grade no ``numericGradeValue``
  anyway.)  The export leaves it out and counts it as not numeric; the
  grade push does not take it for the points it would send, so it sends
  them.
* A letter grade of an assignment has no number either: the export counts
  it as not numeric.
* The overall grade is the letter of ``overallGradeInformation`` (``None``
  when there is none or it is empty): the grade push compares it with the
  Open edX letter; the export has no column for it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Dict, NamedTuple, Optional, Tuple

from pylmod.grades.numbers import parse_grade


class StoredGrade(NamedTuple):
    """One assignment grade LMod stores.

    Attributes:
        assignment_id: the ``assignmentId``.
        numeric: ``numericGradeValue`` as LMod gave it.
        letter: ``letterGradeValue``.
        special: ``specialGradeValue`` (``'x'``: excused), or ``None``.
        approved: ``isGradeApproved`` (``None`` when LMod did not say).
    """

    assignment_id: Any
    numeric: Any = None
    letter: Optional[str] = None
    special: Optional[str] = None
    approved: Optional[bool] = None

    @property
    def number(self) -> Any:
        """The grade as a number: ``numeric``, or ``None`` when the grade
        is not a number (excused, or a letter)."""
        return None if self.special is not None else self.numeric


class StoredGrades(NamedTuple):
    """The grades LMod stores for one student.

    Attributes:
        by_assignment: ``assignmentId -> StoredGrade``, in LMod's order.
        overall_letter: the letter of the overall grade, or ``None``.
    """

    by_assignment: Dict[Any, StoredGrade]
    overall_letter: Optional[str] = None

    def numbers(self) -> Dict[Any, Any]:
        """``assignmentId -> number`` (``None``: not a number, see
        :attr:`StoredGrade.number`)."""
        return {assignment_id: grade.number
                for assignment_id, grade in self.by_assignment.items()}


def read_stored_grades(student: Mapping[str, Any]) -> StoredGrades:
    """Return the grades LMod stores for a student of
    ``get_students(include_grade_info=True)``.

    Entries that are not mappings or have no ``assignmentId`` are left
    out; a student without grade info has no grades.

    Args:
        student: one student dictionary with grade info.

    Example:

    .. code-block:: python

        stored = read_stored_grades({
            'studentAssignmentInfo': [
                {'assignmentId': 7, 'numericGradeValue': 0.5,
                 'specialGradeValue': None},
                {'assignmentId': 8, 'numericGradeValue': None,
                 'specialGradeValue': 'x'}],
            'overallGradeInformation': {'letterGradeValue': 'B'}})
        stored.numbers()        # {7: 0.5, 8: None}
        stored.overall_letter   # 'B'
    """
    by_assignment: Dict[Any, StoredGrade] = {}
    for info in student.get('studentAssignmentInfo') or ():
        if isinstance(info, Mapping) and info.get('assignmentId') is not None:
            by_assignment[info['assignmentId']] = StoredGrade(
                info['assignmentId'], info.get('numericGradeValue'),
                info.get('letterGradeValue'), info.get('specialGradeValue'),
                info.get('isGradeApproved'))
    overall = student.get('overallGradeInformation')
    letter = overall.get('letterGradeValue') if isinstance(
        overall, Mapping) else None
    return StoredGrades(by_assignment, letter or None)


#: What :func:`stored_values` gives per grade: ``(number, approved)``, the
#: number ``None`` when the grade is not one (excused, a letter).
StoredValue = Tuple[Optional[float], bool]


def stored_values(students: Iterable[Mapping[str, Any]]
                  ) -> Dict[Tuple[Any, Any], StoredValue]:
    """Return ``(studentId, assignmentId) -> (number, approved)`` of every
    assignment grade of students read with grade info: what
    :func:`read_stored_grades` reads, flat, for comparing a whole upload
    (half a million grades) with what LMod stores.

    The number is :attr:`StoredGrade.number` read as a grade cell is
    (:func:`~pylmod.grades.numbers.parse_grade`: ``'93.50'`` is 93.5;
    ``None`` when it is not a number).

    Example:

    .. code-block:: python

        stored_values(gradebook.get_students(include_grade_info=True))
        # {(1145, 16708850): (88.0, False), ...}
    """
    values: Dict[Tuple[Any, Any], StoredValue] = {}
    for student in students:
        student_id = student.get('studentId')
        infos = student.get('studentAssignmentInfo')
        if not infos:
            continue
        try:  # LMod's documented shape, read fast
            for info in infos:
                number = info['numericGradeValue']
                if (info['specialGradeValue'] is not None
                        or type(number) is not float
                        or info['assignmentId'] is None):
                    raise KeyError  # the careful way below
                values[(student_id, info['assignmentId'])] = (
                    number, info['isGradeApproved'] is True)
        except (KeyError, TypeError):
            _read_carefully(student_id, infos, values)
    return values


def _read_carefully(student_id: Any, infos: Iterable[Any],
                    values: Dict[Tuple[Any, Any], StoredValue]) -> None:
    """:func:`stored_values` of one student whose grade info is not all
    numbers in LMod's documented shape (excused, letters, texts ...)."""
    for info in infos:
        if not isinstance(info, Mapping):
            continue
        assignment_id = info.get('assignmentId')
        if assignment_id is None:
            continue
        number = (None if info.get('specialGradeValue') is not None
                  else info.get('numericGradeValue'))
        if type(number) is not float and number is not None:
            number = parse_grade(number)[0]  # an int, a text ...
        values[(student_id, assignment_id)] = (
            number, bool(info.get('isGradeApproved')))
