"""The state of one gradebook of the fake LMod.

:class:`GradebookState` holds what one gradebook has (options, assignments,
sections, students, staff, grades) and the rules for changing it; the
request handlers in :mod:`pylmod.testing.fake` only pick the gradebook and
shape the answer.  It is not thread-safe by itself: the fake holds its lock
around every call.
"""
import copy
import statistics
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from pylmod.shapes import (
    Assignment,
    Section,
    StaffMember,
    StoredGrade,
    Student,
)
from pylmod.testing import records
from pylmod.testing.routes import LmodError

#: ``mode`` of a grade: the overall grade of the student (a letter).
OVERALL_GRADE = 1
#: ``mode`` of a grade: a grade of an assignment.
REGULAR_GRADE = 2


def _as_int(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class GradebookState:
    """One gradebook, built from a seed (see :class:`FakeLmod`).

    Args:
        seed: the gradebook's seed.
        where: how error messages name the seed, e.g. ``gradebooks[0]``.

    Raises:
        ValueError: a required field is missing (the message says where).

    Attributes:
        gradebook_id (int): the id.
        info (dict): the ``data`` of ``GET gradebook?uuid=``.
        options (dict): the ``data`` of ``GET gradebook/options/{id}``.
        assignments (dict): assignmentId -> assignment.
        sections (dict): section type -> list of sections.
        students (dict): studentId -> student.
        staff (dict): role -> list of staff members.
        grades (dict): ``(studentId, assignmentId)`` -> stored grade
            (``numericGradeValue``, ``specialGradeValue``, ``isGradeApproved``,
            ``comment`` ...).
        overall_grades (dict): studentId -> overall grade (``mode`` 1).
    """

    def __init__(self, seed: Mapping[str, Any], where: str) -> None:
        self.info = records.gradebook_info(seed, where)
        self.gradebook_id: int = self.info['gradebookId']
        self.options = records.gradebook_options(
            self.info, seed.get('options', {}))
        self.assignments: Dict[int, Assignment] = {}
        self.sections: Dict[str, List[Section]] = {}
        self.extra_members: Dict[int, Set[int]] = {}
        self.students: Dict[int, Student] = {}
        self.staff: Dict[str, List[StaffMember]] = {}
        self.grades: Dict[Tuple[int, int], Dict[str, Any]] = {}
        self.overall_grades: Dict[int, Any] = {}
        self._seed_sections(seed.get('sections', {}), where)
        for index, student in enumerate(seed.get('students', ())):
            self.add_student(student, '{0}.students[{1}]'.format(
                where, index))
        for index, assignment in enumerate(seed.get('assignments', ())):
            assignment_id = int(records.required(
                assignment, 'assignmentId',
                '{0}.assignments[{1}]'.format(where, index)))
            self.add_assignment(assignment, assignment.get(
                'gradingSchemeId', assignment_id + 1))
        self._seed_staff(seed.get('staff', {}), where)
        for index, grade in enumerate(seed.get('grades', ())):
            failure = self.store_grade(grade)
            if failure:
                raise ValueError('{0}.grades[{1}]: {2}'.format(
                    where, index, failure))

    def _seed_sections(self, sections: Mapping[str, Any], where: str) -> None:
        for section_type, section_seeds in sections.items():
            self.sections[section_type] = []
            for index, seed in enumerate(section_seeds):
                section = records.section_record(
                    seed, section_type, '{0}.sections.{1}[{2}]'.format(
                        where, section_type, index))
                self.sections[section_type].append(section)
                self.extra_members[section['groupId']] = {
                    int(member) for member in seed.get('memberIds', ())}

    def add_student(self, seed: Mapping[str, Any], where: str) -> None:
        """Add a student from a seed (``studentId``, ``accountEmail`` ...)."""
        section = self._section_of(seed, where)
        student = records.student_record(seed, section, where)
        self.students[student['studentId']] = student

    def _section_of(self, seed: Mapping[str, Any],
                    where: str) -> Mapping[str, Any]:
        wanted_id, wanted_name = seed.get('sectionId'), seed.get('section')
        if wanted_name is None and wanted_id is None:
            wanted_name = 'Unassigned'
        for section in self.all_sections():
            if section['groupId'] == wanted_id or (
                    wanted_id is None and section['name'] == wanted_name):
                return section
        if wanted_name == 'Unassigned' and wanted_id is None:
            return {}
        raise ValueError('{0}: no section {1!r}'.format(
            where, wanted_id if wanted_id is not None else wanted_name))

    def _seed_staff(self, staff: Mapping[str, Any], where: str) -> None:
        for role, members in staff.items():
            self.staff[role] = [
                records.staff_record(
                    member, member.get('personId', 10000000 + 1000 * len(
                        self.staff) + index),
                    '{0}.staff.{1}[{2}]'.format(where, role, index))
                for index, member in enumerate(members)]

    def ids(self) -> Iterator[int]:
        """Every id in the gradebook (so new ids do not collide)."""
        yield self.gradebook_id
        for assignment in self.assignments.values():
            yield assignment['assignmentId']
            yield assignment['gradingSchemeId']
        for section in self.all_sections():
            yield section['groupId']
        yield from self.students

    def all_sections(self) -> Iterator[Section]:
        """The sections of every type."""
        for sections in self.sections.values():
            yield from sections

    def add_assignment(self, seed: Mapping[str, Any],
                       grading_scheme_id: int) -> Assignment:
        """Add an assignment (``seed`` has its ``assignmentId``)."""
        assignment = records.assignment_record(
            seed, self.gradebook_id, grading_scheme_id)
        self.assignments[assignment['assignmentId']] = assignment
        return assignment

    def assignment_list(self, include_max_points: bool,
                        include_avg_stats: bool,
                        include_grading_stats: bool) -> List[Assignment]:
        """The ``data`` of ``GET assignments/{id}``: without
        ``maxPointsTotal`` unless ``include_max_points``; with
        ``averageGrade`` (the mean of the stored numeric grades, or
        ``None``) if ``include_avg_stats``; with ``numStudentsToBeGraded``
        and ``numStudentGradesToBeApproved`` if ``include_grading_stats``.
        """
        assignments = []
        for assignment_id, stored in self.assignments.items():
            assignment = stored.copy()
            if not include_max_points:
                del assignment['maxPointsTotal']
            grades = [grade for (_, graded_id), grade in self.grades.items()
                      if graded_id == assignment_id]
            if include_avg_stats:
                values = [grade['numericGradeValue'] for grade in grades
                          if grade['numericGradeValue'] is not None]
                assignment['averageGrade'] = (
                    statistics.mean(values) if values else None)
            if include_grading_stats:
                assignment['numStudentsToBeGraded'] = (
                    len(self.students) - len(grades))
                assignment['numStudentGradesToBeApproved'] = sum(
                    1 for grade in grades if not grade['isGradeApproved'])
            assignments.append(assignment)
        return assignments

    def delete_assignment(self, assignment_id: int) -> bool:
        """Delete an assignment and its grades; False if there is none."""
        if self.assignments.pop(assignment_id, None) is None:
            return False
        for key in [key for key in self.grades if key[1] == assignment_id]:
            del self.grades[key]
        return True

    def store_grade(self, grade: Any) -> str:
        """Store one grade as ``grades/`` and ``multiGrades/`` send it.

        Returns:
            str: ``''`` when stored, else why not (a message starting
            ``No `` for an unknown student or assignment).
        """
        if not isinstance(grade, Mapping):
            return 'a grade must be an object, got {0!r}'.format(grade)
        student_id = _as_int(grade.get('studentId'))
        if student_id not in self.students:
            return 'No student with studentId {0!r} in gradebook {1}'.format(
                grade.get('studentId'), self.gradebook_id)
        if _as_int(grade.get('mode', REGULAR_GRADE)) == OVERALL_GRADE:
            self.overall_grades[student_id] = grade.get('letterGradeValue')
            return ''
        assignment_id = _as_int(grade.get('assignmentId'))
        if assignment_id not in self.assignments:
            return ('No assignment with assignmentId {0!r} in gradebook {1}'
                    .format(grade.get('assignmentId'), self.gradebook_id))
        special = grade.get('specialGradeValue')
        value = None
        if special is None:
            try:
                value = records.number(grade.get('numericGradeValue'),
                                       'numericGradeValue')
            except LmodError as err:
                return err.message
        self.grades[(student_id, assignment_id)] = {
            'studentId': student_id,
            'assignmentId': assignment_id,
            'numericGradeValue': value,
            'letterGradeValue': grade.get('letterGradeValue'),
            'specialGradeValue': special,
            'isGradeApproved': bool(grade.get('isGradeApproved', False)),
            'comment': grade.get('comment'),
            'mode': REGULAR_GRADE,
        }
        return ''

    def section_members(self, section_id: int) -> Set[int]:
        """The studentIds in a section.

        Raises:
            LmodError: 404, no such section in this gradebook.
        """
        if section_id not in self.extra_members:
            raise LmodError(404, 'No section with groupId {0} in gradebook '
                            '{1}'.format(section_id, self.gradebook_id))
        return self.extra_members[section_id] | {
            student_id for student_id, student in self.students.items()
            if student['sectionId'] == section_id}

    def sections_by_type(self, include_members: bool
                         ) -> Dict[str, List[Section]]:
        """The ``data`` of ``GET sections/{id}``."""
        data = copy.deepcopy(self.sections)
        if include_members:
            for section in (section for sections in data.values()
                            for section in sections):
                section['members'] = [
                    {key: self.students[student_id][key] for key in (
                        'studentId', 'accountEmail', 'displayName')}
                    for student_id in sorted(
                        self.section_members(section['groupId']))]
        return data

    def student_list(self, section_id: Optional[int],
                     include_grade_info: bool) -> List[Student]:
        """The ``data`` of ``GET students/{id}[/section/{sectionId}]``.

        With ``include_grade_info`` each student's
        ``studentAssignmentInfo`` lists the stored grades, one
        ``{assignmentId, assignmentName, numericGradeValue,
        letterGradeValue, specialGradeValue, isGradeApproved, comment}``
        per graded assignment, in assignment order, and
        ``overallGradeInformation`` is ``{"letterGradeValue": ...}`` when an
        overall grade was set.
        """
        wanted = (None if section_id is None
                  else self.section_members(section_id))
        students = []
        for student_id, stored in self.students.items():
            if wanted is not None and student_id not in wanted:
                continue
            student = stored.copy()
            if include_grade_info:
                student['studentAssignmentInfo'] = self._grade_info(
                    student_id)
                if student_id in self.overall_grades:
                    student['overallGradeInformation'] = {
                        'letterGradeValue': self.overall_grades[student_id]}
            students.append(student)
        return students

    def _grade_info(self, student_id: int) -> List[StoredGrade]:
        info: List[StoredGrade] = []
        for assignment_id, assignment in self.assignments.items():
            grade = self.grades.get((student_id, assignment_id))
            if grade is None:
                continue
            info.append({
                'assignmentId': assignment_id,
                'assignmentName': assignment['name'],
                'numericGradeValue': grade['numericGradeValue'],
                'letterGradeValue': grade['letterGradeValue'],
                'specialGradeValue': grade['specialGradeValue'],
                'isGradeApproved': grade['isGradeApproved'],
                'comment': grade['comment'],
            })
        return info

    def to_seed(self) -> Dict[str, Any]:
        """This gradebook as a seed."""
        sections = {
            section_type: [dict(copy.deepcopy(section), memberIds=sorted(
                self.extra_members[section['groupId']])) for section in typed]
            for section_type, typed in self.sections.items()}
        seed = dict(self.info, options=self.options, sections=sections)
        seed.update(
            assignments=list(self.assignments.values()),
            students=list(self.students.values()),
            staff=self.staff,
            grades=list(self.grades.values()) + [
                {'studentId': student_id, 'mode': OVERALL_GRADE,
                 'letterGradeValue': letter}
                for student_id, letter in self.overall_grades.items()])
        return seed
