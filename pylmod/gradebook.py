"""The LMod gradebook client: :class:`GradeBook`.

One short method per call of :data:`pylmod.endpoints.ENDPOINTS` (each made
with :func:`pylmod.endpoints.call`), plus lookups over their results, and
the grade upload of PyLmod 1.0.x, :meth:`GradeBook.spreadsheet2gradebook`
(the grade pipeline, :mod:`pylmod.grades`, does the work).
"""
from __future__ import annotations

import contextlib
import logging
import os
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
    overload,
)

from pylmod.answer import reading
from pylmod.base import DEFAULT_URLBASE, Base
from pylmod.endpoints import GRADEBOOK, call, mount_create_policies
from pylmod.exceptions import (
    PyLmodMissingId,
    PyLmodNoSuchSection,
    PyLmodUnexpectedData,
)

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from typing import Literal

    from pylmod.grades.batches import Progress
    from pylmod.grades.report import UploadReport
    from pylmod.grades.safeguards import Safeguards
    from pylmod.shapes import (
        Assignment,
        CreateAssignmentAnswer,
        MultiGradesAnswer,
        Options,
        Section,
        SimpleAssignment,
        SimpleSection,
        SimpleStaffMember,
        SimpleStudent,
        StaffMember,
        StatusAnswer,
        Student,
    )

log = logging.getLogger(__name__)

#: The max points of an assignment a spreadsheet upload creates (the name of
#: PyLmod 1.0.x; the upload reads
#: :data:`pylmod.grades.options.DEFAULT_MAX_POINTS`).
# This number, and the max_new_assignments=20 of the two upload methods,
# are pylmod.grades.options' DEFAULT_MAX_POINTS and MAX_NEW_ASSIGNMENTS:
# written here so that `import pylmod` does not load the pipeline, kept
# equal by tests/grades/test_options.py.
DEFAULT_MAX_POINTS = 1.0

#: A gradebook id as LMod returns it (an int), or as a string.
GradebookId = Union[int, str]


class GradeBook(Base):
    """
    Since the MIT Learning Modules Web service (LMod) usually returns
    response data, GradeBook API calls will return this data as a Python
    data structure, either a list or a dictionary. The data structure will
    often contain these items:

    - ``status`` - ``1`` = successful, ``-1`` = failed
    - ``message`` - details about any error condition, or success message
    - ``data`` - the returned data in a list or dictionary, if applicable

    For example, errors usually return a dictionary containing ``status``
    and ``message``.  The shapes of the data are in :doc:`shapes`.

    A method that reads into an answer of another shape (LMod's failure
    body ``{"status": -1, "message": ...}`` where ``data`` was expected, a
    ``null``, a list for an object) raises a
    :class:`~pylmod.exceptions.PyLmodUnexpectedAnswer` naming the call and
    carrying LMod's message; it is also the ``KeyError``, ``TypeError``,
    ``IndexError`` or ``AttributeError`` PyLmod 1.0.x raised there, and a
    :class:`~pylmod.exceptions.PyLmodUnexpectedData`.

    Args:
        cert (str): the client certificate (see :class:`pylmod.base.Base`)
        urlbase (str): the LMod server, default production
        gbuuid (str): gradebook uuid, i.e. ``STELLAR:/project/mitxdemosite``;
            when given, the constructor looks up :attr:`gradebook_id`.
        transport_options: ``verify``, ``timeout``, ``retries``,
            ``cert_password``, ``deadline``, ``max_response_bytes`` and
            ``allow_http`` as for :class:`pylmod.base.Base`.

    Attributes:
        gradebook_id (int): the gradebook used when a method is called
            without ``gradebook_id`` (``None`` until ``gbuuid`` is given).

    Example:

    .. code-block:: python

        gradebook = GradeBook('/path/to/cert.pem',
                              gbuuid='STELLAR:/project/mitxdemosite')
        for student in gradebook.get_students(simple=True):
            print(student['email'], student['section'])
    """

    SERVICE = GRADEBOOK
    gradebook_id: Optional[GradebookId] = None
    #: The uuid the client was bound to (``None`` when bound by id).
    gradebook_uuid: Optional[str] = None

    def __init__(self, cert: Any, urlbase: str = DEFAULT_URLBASE,
                 gbuuid: Optional[str] = None,
                 **transport_options: Any) -> None:
        super().__init__(cert, urlbase, **transport_options)
        mount_create_policies(self)
        if gbuuid is not None:
            self.gradebook_id = self.get_gradebook_id(gbuuid)
            self.gradebook_uuid = gbuuid

    def _gradebook_id(self, gradebook_id: Optional[GradebookId]
                      ) -> GradebookId:
        """Return ``gradebook_id or self.gradebook_id``.

        Raises:
            PyLmodMissingId: neither is set.
        """
        gradebook_id = gradebook_id or self.gradebook_id
        if gradebook_id is None or gradebook_id == '':
            raise PyLmodMissingId(
                'No gradebook id: pass gbuuid= to GradeBook() or '
                'gradebook_id= to the method.')
        return gradebook_id

    @staticmethod
    def unravel_sections(section_data: Dict[str, List[Section]]
                         ) -> List[Section]:
        """Unravels section type dictionary into flat list of sections with
        section type set as an attribute.

        Args:
            section_data(dict): the ``data`` of :meth:`get_sections`

        Returns:
            list: Flat list of sections with ``sectionType`` set to
                type (i.e. recitation, lecture, etc)
        """
        sections = []
        for section_type, subsection_list in section_data.items():
            for section in subsection_list:
                section['sectionType'] = section_type
                sections.append(section)
        return sections

    @staticmethod
    def unravel_staff(staff_data: Mapping[str, Any]) -> List[StaffMember]:
        """Unravels staff role dictionary into flat list of staff
        members with ``role`` set as an attribute.

        Args:
            staff_data(dict): the whole body returned by the staff call
                (with its ``data`` key)

        Returns:
            list: Flat list of staff members with ``role`` set to
                role type (i.e. course_admin, instructor, TA, etc)
        """
        staff_list = []
        with reading(staff_data, 'GradeBook.unravel_staff'):
            for role, staff_members in staff_data['data'].items():
                for member in staff_members:
                    member['role'] = role
                    staff_list.append(member)
        return staff_list

    def get_gradebook_id(self, gbuuid: str) -> GradebookId:
        """``GET service/gradebook/gradebook?uuid=<gbuuid>``

        Return gradebookid for a given gradebook uuid.

        Args:
            gbuuid (str): gradebook uuid, i.e. ``STELLAR:/project/gbngtest``

        Raises:
            PyLmodUnexpectedData: No gradebook id returned (a
                :class:`~pylmod.exceptions.PyLmodUnexpectedAnswer` carrying
                LMod's message)
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            str: value of gradebook id, i.e. ``1293808``
        """
        gradebook = call(self, 'gradebook', uuid=gbuuid)
        try:
            with reading(gradebook, 'GradeBook.get_gradebook_id'):
                return gradebook['data']['gradebookId']
        except PyLmodUnexpectedData as err:
            log.error('Error in get_gradebook_id for %s: %s', gbuuid, err)
            raise

    def get_options(self, gradebook_id: Optional[GradebookId]) -> Options:
        """``GET service/gradebook/gradebook/options/{gradebookId}``

        Get options dictionary for a gradebook.  Options include gradebook
        attributes (see :ref:`shape-options`).

        Args:
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``

        Returns:
            dict: the ``data`` of the response, e.g.
            ``{'gradebookId': 1293808, 'gradebookName': ..., ...}``
        """
        options = call(self, 'options',
                       gradebookId=self._gradebook_id(gradebook_id))
        with reading(options, 'GradeBook.get_options'):
            return options['data']  # type: ignore[no-any-return]

    @overload
    def get_assignments(self, gradebook_id: GradebookId = ...,
                        simple: Literal[False] = ..., max_points: bool = ...,
                        avg_stats: bool = ..., grading_stats: bool = ...
                        ) -> List[Assignment]: ...

    @overload
    def get_assignments(self, gradebook_id: GradebookId, simple: Literal[True],
                        max_points: bool = ..., avg_stats: bool = ...,
                        grading_stats: bool = ...
                        ) -> List[SimpleAssignment]: ...

    @overload
    def get_assignments(self, gradebook_id: GradebookId = ..., *,
                        simple: Literal[True], max_points: bool = ...,
                        avg_stats: bool = ..., grading_stats: bool = ...
                        ) -> List[SimpleAssignment]: ...

    def get_assignments(self, gradebook_id: GradebookId = '',
                        simple: bool = False, max_points: bool = True,
                        avg_stats: bool = False, grading_stats: bool = False
                        ) -> Union[List[Assignment], List[SimpleAssignment]]:
        """``GET service/gradebook/assignments/{gradebookId}``

        Return list of assignments for a given gradebook.  You can control
        if additional parameters are returned, but the response time with
        ``avg_stats`` and ``grading_stats`` enabled is significantly longer.

        Args:
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``
            simple (bool): return just assignment names, default= ``False``
            max_points (bool):
                Max points is a property of the grading scheme for the
                assignment rather than a property of the assignment itself,
                default= ``True``
            avg_stats (bool): return average grade, default= ``False``
            grading_stats (bool):
                return grading statistics, i.e. number of approved grades,
                unapproved grades, etc., default= ``False``

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            list: assignment dictionaries (see :ref:`shape-assignment`), or
            with ``simple``, ``[{'AssignmentName': 'midterm1'}, ...]``
        """
        assignments = call(self, 'assignments', includeMaxPoints=max_points,
                           includeAvgStats=avg_stats,
                           includeGradingStats=grading_stats,
                           gradebookId=self._gradebook_id(gradebook_id))
        with reading(assignments, 'GradeBook.get_assignments'):
            if simple:
                names: List[SimpleAssignment] = [
                    {'AssignmentName': x['name']}
                    for x in assignments['data']]
                return names
            return assignments['data']  # type: ignore[no-any-return]

    def get_assignment_by_name(
            self, assignment_name: str,
            assignments: Optional[Iterable[Mapping[str, Any]]] = None,
    ) -> Tuple[Optional[int], Optional[Mapping[str, Any]]]:
        """Get an assignment by name.

        It works by retrieving all assignments and returning the first
        assignment with a matching name. If the optional parameter
        ``assignments`` is provided, it uses this collection rather than
        retrieving all assignments from the service.

        Args:
            assignment_name (str): name of assignment
            assignments (list): assignments to search, default: None
                When ``assignments`` is unspecified, all assignments
                are retrieved from the service.

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            tuple: ``(assignmentId, assignment)``, e.g.
            ``(16708850, {'assignmentId': 16708850, 'name': 'midterm1',
            ...})``, or ``(None, None)``
        """
        if assignments is None:
            assignments = self.get_assignments()
        with reading(assignments, 'GradeBook.get_assignment_by_name'):
            for assignment in assignments:
                if assignment['name'] == assignment_name:
                    return assignment['assignmentId'], assignment
        return None, None

    def create_assignment(
            self, name: str, short_name: str, weight: Any, max_points: Any,
            due_date_str: str, gradebook_id: GradebookId = '',
            **kwargs: Any) -> CreateAssignmentAnswer:
        """``POST service/gradebook/assignment``

        Create a new assignment. By default, assignments are created
        under the `Uncategorized` category.  This request is not repeated
        once it may have reached the server: after a timeout, look for the
        assignment by name before creating it again.

        Args:
            name (str): descriptive assignment name,
                i.e. ``new NUMERIC SIMPLE ASSIGNMENT``
            short_name (str): short name of assignment, one word of
                no more than 5 characters,  i.e. ``SAnew``
            weight (str): floating point value for weight, i.e. ``1.0``
            max_points (str): floating point value for maximum point
                total, i.e. ``100.0``
            due_date_str (str): due date as string in ``mm-dd-yyyy``
                format, i.e. ``08-21-2011``
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``
            kwargs (dict): dictionary containing additional parameters,
                i.e. ``graderVisible``, ``totalAverage``, and ``categoryId``,
                merged over the defaults.

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            dict: ``{'data': {'assignmentId': 18490492, ...}, 'message':
            'assignment is created successfully', 'status': 1}``
        """
        data = {
            'name': name,
            'shortName': short_name,
            'weight': weight,
            'graderVisible': False,
            'gradingSchemeType': 'NUMERIC',
            'gradebookId': gradebook_id or self.gradebook_id,
            'maxPointsTotal': max_points,
            'dueDateString': due_date_str
        }
        data.update(kwargs)
        data['gradebookId'] = self._gradebook_id(data['gradebookId'])
        log.info("Creating assignment %s", name)
        response = call(self, 'create_assignment', body=data)
        log.debug('Received response data: %s', response)
        return response

    def delete_assignment(self, assignment_id: Any) -> StatusAnswer:
        """``DELETE service/gradebook/assignment/{assignmentId}``

        Delete assignment specified by assignment Id.

        Args:
            assignment_id (str): id of assignment to delete

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            dict: ``{'message': 'assignment is deleted successfully',
            'status': 1}``
        """
        return call(self, 'delete_assignment', assignmentId=assignment_id)

    def set_grade(self, assignment_id: Any, student_id: Any, grade_value: Any,
                  gradebook_id: GradebookId = '', **kwargs: Any
                  ) -> StatusAnswer:
        """``POST service/gradebook/grades/{gradebookId}``

        Set a numerical grade for a student and assignment. Additional
        options for grade ``mode`` are: OVERALL_GRADE = ``1``,
        REGULAR_GRADE = ``2``.  To set 'excused' as the grade, enter
        ``None`` for letter and numeric grade values, and pass ``x`` as the
        ``specialGradeValue``.  ``returnAffectedValues`` determines whether
        or not to return student cumulative points and impacted assignment
        category grades (average and student grade).

        Args:
            assignment_id (str): numerical ID for assignment
            student_id (str): numerical ID for student
            grade_value (str): numerical grade value
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``
            kwargs (dict): dictionary of additional parameters merged over
                the defaults, e.g. ``{'isGradeApproved': True,
                'comment': None, 'returnAffectedValues': True}``

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            dict: ``{'message': 'grade saved successfully', 'status': 1}``
        """
        # numericGradeValue stringified because 'x' is a possible
        # value for excused grades.
        grade_info = {
            'studentId': student_id,
            'assignmentId': assignment_id,
            'mode': 2,
            'comment': 'from MITx {0}'.format(time.ctime(time.time())),
            'numericGradeValue': str(grade_value),
            'isGradeApproved': False
        }
        grade_info.update(kwargs)
        gradebook_id = self._gradebook_id(gradebook_id)
        log.info("student %s set_grade for assignment %s",
                 student_id, assignment_id)
        log.debug("student %s set_grade=%s for assignment %s",
                  student_id, grade_value, assignment_id)
        return call(self, 'grade', body=grade_info, gradebookId=gradebook_id)

    def multi_grade(self, grade_array: Sequence[Mapping[str, Any]],
                    gradebook_id: GradebookId = '') -> MultiGradesAnswer:
        """``POST service/gradebook/multiGrades/{gradebookId}``

        Set multiple student grades for a gradebook in one request.  Each
        grade dictionary in ``grade_array`` must contain a ``studentId`` and
        an ``assignmentId`` (see :ref:`shape-multigrade` for the other keys:
        ``mode`` 1 = overall grade, 2 = regular grade; excused is
        ``specialGradeValue`` ``'x'``).  The body is sent as given.

        Args:
            grade_array (list): an array of grades to save
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            dict: ``{'status': 1, 'message': ..., 'data': {'numFailures': 0,
            'results': [...]}}``; ``results`` lists the grades that failed.
        """
        gradebook_id = self._gradebook_id(gradebook_id)
        log.info('Sending %d grades', len(grade_array))
        log.debug('Sending grades: %r', grade_array)
        return call(self, 'multi_grade', body=grade_array,
                    gradebookId=gradebook_id)

    @overload
    def get_sections(self, gradebook_id: GradebookId = ...,
                     simple: Literal[False] = ...) -> Dict[str, List[Section]]:
        ...

    @overload
    def get_sections(self, gradebook_id: GradebookId, simple: Literal[True]
                     ) -> List[SimpleSection]: ...

    @overload
    def get_sections(self, gradebook_id: GradebookId = ..., *,
                     simple: Literal[True]) -> List[SimpleSection]: ...

    def get_sections(self, gradebook_id: GradebookId = '',
                     simple: bool = False
                     ) -> Union[Dict[str, List[Section]], List[SimpleSection]]:
        """``GET service/gradebook/sections/{gradebookId}``
        (``includeMembers=false``)

        Return a dictionary of types of sections containing a list of that
        type for a given gradebook (see :ref:`shape-sections`).

        Args:
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``
            simple (bool): return a list of ``{'SectionName': name}`` for
                every section regardless of type.

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            dict: ``{'recitation': [{'groupId': 1327565, 'name': 'r01', ...},
            ...], ...}``
        """
        section_data = call(self, 'sections', includeMembers=False,
                            gradebookId=self._gradebook_id(gradebook_id))
        with reading(section_data, 'GradeBook.get_sections'):
            if simple:
                sections = self.unravel_sections(section_data['data'])
                return [{'SectionName': x['name']} for x in sections]
            return section_data['data']

    def get_section_by_name(
            self, section_name: str, gradebook_id: GradebookId = '',
    ) -> Tuple[Optional[int], Optional[Section]]:
        """Get a section by its name.

        Args:
            section_name (str): The section's name.
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            tuple: ``(groupId, section)`` with ``sectionType`` added to the
            section, e.g. ``(1327565, {'name': 'r01', 'sectionType':
            'recitation', ...})``, or ``(None, None)``
        """
        section_data = self.get_sections(gradebook_id)
        with reading(section_data, 'GradeBook.get_section_by_name'):
            for section in self.unravel_sections(section_data):
                if section['name'] == section_name:
                    return section['groupId'], section
        return None, None

    def _section_id(self, section_name: str,
                    gradebook_id: GradebookId) -> int:
        """Return the ``groupId`` of a section.

        Raises:
            PyLmodNoSuchSection: no section has that name.
        """
        group_id, _ = self.get_section_by_name(section_name, gradebook_id)
        if group_id is None:
            failure_message = ('in get_students -- Error: No such section '
                               '{0}'.format(section_name))
            log.critical(failure_message)
            raise PyLmodNoSuchSection(failure_message)
        return group_id

    @overload
    def get_students(
            self, gradebook_id: GradebookId = ...,
            simple: Literal[False] = ..., section_name: str = ...,
            include_photo: bool = ..., include_grade_info: bool = ...,
            include_grade_history: bool = ...,
            include_makeup_grades: bool = ...) -> List[Student]: ...

    @overload
    def get_students(
            self, gradebook_id: GradebookId, simple: Literal[True],
            section_name: str = ..., include_photo: bool = ...,
            include_grade_info: bool = ..., include_grade_history: bool = ...,
            include_makeup_grades: bool = ...) -> List[SimpleStudent]: ...

    @overload
    def get_students(
            self, gradebook_id: GradebookId = ..., *, simple: Literal[True],
            section_name: str = ..., include_photo: bool = ...,
            include_grade_info: bool = ..., include_grade_history: bool = ...,
            include_makeup_grades: bool = ...) -> List[SimpleStudent]: ...

    def get_students(
            self, gradebook_id: GradebookId = '', simple: bool = False,
            section_name: str = '', include_photo: bool = False,
            include_grade_info: bool = False,
            include_grade_history: bool = False,
            include_makeup_grades: bool = False
    ) -> Union[List[Student], List[SimpleStudent]]:
        """``GET service/gradebook/students/{gradebookId}`` or, with a
        section, ``.../students/{gradebookId}/section/{groupId}``

        Get a list of students for a given gradebook (see
        :ref:`shape-student`).

        Args:
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``
            simple (bool):
                if ``True``, just return dictionary with keys ``email``,
                ``name``, ``section``, default = ``False``; ``@mit.edu`` in
                the email becomes ``@MIT.EDU`` (as in certificates)
            section_name (str): section name
            include_photo (bool): include student photo, default= ``False``
            include_grade_info (bool):
                include student's grade info, default= ``False``
            include_grade_history (bool):
                include student's grade history, default= ``False``
            include_makeup_grades (bool):
                include student's makeup grades, default= ``False``

        Raises:
            PyLmodNoSuchSection: no section has that name
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            list: list of student dictionaries
        """
        flags = {'includePhoto': include_photo,
                 'includeGradeInfo': include_grade_info,
                 'includeGradeHistory': include_grade_history,
                 'includeMakeupGrades': include_makeup_grades}
        gradebook_id = self._gradebook_id(gradebook_id)
        if section_name:
            student_data = call(
                self, 'section_students', **flags, gradebookId=gradebook_id,
                sectionId=self._section_id(section_name, gradebook_id))
        else:
            student_data = call(self, 'students', **flags,
                                gradebookId=gradebook_id)
        with reading(student_data, 'GradeBook.get_students'):
            if simple:
                return [_simple_student(x) for x in student_data['data']]
            return student_data['data']  # type: ignore[no-any-return]

    def get_student_by_email(
            self, email: str,
            students: Optional[Iterable[Mapping[str, Any]]] = None,
    ) -> Tuple[Optional[int], Optional[Mapping[str, Any]]]:
        """Get a student based on an email address (case-insensitive).

        Calls ``self.get_students()`` to get list of all students,
        if not passed as the ``students`` parameter.  To look up many
        students, index them once with :func:`pylmod.grades.index_students`.

        Args:
            email (str): student email
            students (list): students to search, default: None
                When ``students`` is unspecified, all students in gradebook
                are retrieved.

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            tuple: ``(studentId, student)`` or ``(None, None)``
        """
        if students is None:
            students = self.get_students()
        email = email.lower()
        with reading(students, 'GradeBook.get_student_by_email'):
            for student in students:
                if student['accountEmail'].lower() == email:
                    return student['studentId'], student
        return None, None

    @overload
    def get_staff(self, gradebook_id: Optional[GradebookId],
                  simple: Literal[False] = ...
                  ) -> Dict[str, List[StaffMember]]: ...

    @overload
    def get_staff(self, gradebook_id: Optional[GradebookId],
                  simple: Literal[True]) -> List[SimpleStaffMember]: ...

    def get_staff(self, gradebook_id: Optional[GradebookId],
                  simple: bool = False
                  ) -> Union[Dict[str, List[StaffMember]],
                             List[SimpleStaffMember]]:
        """``GET service/gradebook/staff/{gradebookId}``

        Get staff list for the gradebook specified (see
        :ref:`shape-staff`).  Optionally, return a less detailed list by
        specifying ``simple = True``: one dictionary per member and role,
        with the member's ``accountEmail``, ``displayName`` and ``role``.

        Args:
            gradebook_id (str): unique identifier for gradebook, i.e. ``2314``
            simple (bool): Return a staff list with less detail. Default
                is ``False``.

        Returns:
            dict: ``{'COURSE_ADMIN': [member, ...], 'COURSE_TA': [...]}``,
            or with ``simple`` a list of ``{'accountEmail', 'displayName',
            'role'}``
        """
        staff_data = call(self, 'staff',
                          gradebookId=self._gradebook_id(gradebook_id))
        with reading(staff_data, 'GradeBook.get_staff'):
            if simple:
                return [{'accountEmail': member['accountEmail'],
                         'displayName': member['displayName'],
                         'role': member['role']}
                        for member in self.unravel_staff(staff_data)]
            return staff_data['data']  # type: ignore[no-any-return]


    def spreadsheet2gradebook(
            self,
            csv_file: Any,
            email_field: Optional[str] = None,
            approve_grades: bool = False,
            use_max_points_column: bool = False,
            max_points_column: Optional[str] = None,
            normalize_column: Optional[str] = None,
            *,
            batch_size: Optional[int] = None,
            delimiter: Optional[str] = None,
            dry_run: bool = False,
            report: Optional[UploadReport] = None,
            encoding: Optional[str] = None,
            progress: Optional[Progress] = None,
            max_new_assignments: Optional[int] = 20,
            resume_from: Any = None,
            changes_only: bool = False,
            snapshot: Optional[str] = None,
            safeguards: Optional[Safeguards] = None,
    ) -> Tuple[dict, float]:
        """Upload grade spreadsheet to gradebook.

        Upload grades from CSV format spreadsheet file into the
        Learning Modules gradebook.  The spreadsheet must have a column
        named ``External email`` (or ``External_email``) which is used as
        the student's email address (for looking up and matching studentId).

        These columns are disregarded: ``ID``, ``Username``,
        ``Full Name``, ``edX email``, ``External email``,
        as well as the strings passed in ``max_points_column``
        and ``normalize_column``, if any.
        All other columns are taken as assignments; an assignment missing
        from the gradebook is created (at most ``max_new_assignments``,
        and only for a column that holds a grade to send).

        If ``email_field`` is specified, then that field name is taken as
        the student's email.

        .. code-block:: none

            External email,AB Assignment 01,AB Assignment 02
            jeannechiang@gmail.com,1.0,0.9
            stellar.test2@gmail.com,0.2,0.4
            stellar.test1@gmail.com,0.93,0.77

        The whole file is read and checked before anything is created or
        sent: a file that cannot be read as meant (bytes that cannot be
        decoded, two columns of one name, a column without a name between
        named ones) changes nothing.  A row with more or fewer cells than
        the header is not sent (its values may be shifted) and each of its
        cells is reported.  Empty cells are skipped (not sent as zero);
        cells that are not numbers as a spreadsheet writes them are skipped
        and reported (see :mod:`pylmod.grades.numbers`); when a student has
        two rows, the last value of each cell wins.  The grades are sent in
        ``multiGrades`` requests of at most ``batch_size`` grades (one
        request for a normal class).

        It opens the file and hands its rows to
        :meth:`_spreadsheet2gradebook_multi`, as 1.0.x did, which uploads
        them with :func:`pylmod.grades.upload_rows` and an
        :class:`~pylmod.grades.UploadOptions` of these arguments.

        Args:
            csv_file (str): filename of csv data, or readable file object
                (text, or binary: decoded with ``encoding``), or the rows
                read already: a :class:`csv.DictReader` or a list of row
                dictionaries (``delimiter`` and ``encoding`` then do not
                apply)
            email_field (str): student's email
            approve_grades (bool): Should grades be auto approved?
            use_max_points_column (bool): If True, read the max points and
                normalize values from the CSV and use the max points value
                in place of the default if normalized is False.
            max_points_column (str): The name of the max_pts column. All
                rows contain the same number, the max points for
                the assignment.
            normalize_column (str): The name of the normalize column which
                indicates whether to use the max points value.
            batch_size (int): most grades per ``multiGrades`` request
                (default :data:`pylmod.grades.DEFAULT_BATCH_SIZE`, 20,000).
            delimiter (str): the CSV delimiter; by default the one of
                ``,``, ``;`` and tab that :class:`csv.Sniffer` finds in the
                header line (``,`` when it finds none).
            dry_run (bool): read and check everything, send nothing.
            report (UploadReport): filled in with the outcome of every
                grade (confirmed, failed, not sent), skipped cells, unknown
                emails and duplicates.
            encoding (str): the encoding of a path or binary file object
                (default UTF-8, a byte order mark ignored), e.g.
                ``'cp1252'``.
            progress (callable): ``progress(sent, confirmed, total)``,
                called before the first ``multiGrades`` request and after
                each (see :class:`pylmod.grades.BatchSender`).
            max_new_assignments (int): the most assignments the upload may
                create (default :data:`pylmod.grades.MAX_NEW_ASSIGNMENTS`,
                20; ``None``: any number).
            resume_from (UploadReport or dict): the report of an upload
                that stopped, or its
                :meth:`~pylmod.grades.UploadReport.confirmed_grades`: the
                grades it confirmed (same student, column and value) are
                not sent again.
            changes_only (bool): send only the grades LMod does not hold
                already: read the students with their stored grades (one
                read) and leave out each grade of the same number and
                approval (status ``unchanged`` in the report).  Default
                ``False``: every grade is sent, as PyLmod 1.0.x did.  See
                :doc:`/safe-uploads`.
            snapshot (str): write the grades LMod holds before the upload
                changes them to this new file (mode 0600) before anything
                is created or sent; :func:`pylmod.grades.rollback` undoes
                the upload from it.  Nothing is sent if it cannot be
                written.
            safeguards (Safeguards): instead of ``changes_only`` and
                ``snapshot``, a :class:`pylmod.grades.Safeguards` whose
                ``plan`` and ``snapshot_path`` you read afterwards.

        Raises:
            TypeError, ValueError: an argument of the wrong type or out of
                range (see :class:`~pylmod.grades.UploadOptions`), before
                anything is read.
            PyLmodFailedAssignmentCreation: Failed to create assignment
            PyLmodCSVError: the file cannot be read as meant (names line
                and column); nothing was created or sent.
            PyLmodTooManyNewAssignments: more than ``max_new_assignments``
                would be created (a ``PyLmodCSVError``); nothing was
                created or sent.
            PyLmodDuplicateAssignment: a column names several assignments
                of the gradebook (a ``ValueError``); nothing was created or
                sent.
            requests.RequestException: Exception connection error; the
                exception's ``upload_report`` says which grades were
                confirmed before it and which were not.
            ValueError: Unable to decode response content

        Returns:
            tuple: tuple of dictionary containing response ``status``
            and ``message`` (with ``data.numFailures`` and ``data.results``
            over all requests), and duration of operation
        """
        # The pipeline is imported by the first upload, not with `import
        # pylmod`: it (and dataclasses) would add about a third to the time
        # `import pylmod` takes beyond `import requests`, for scripts that
        # never upload (tests/test_layout.py holds it).
        from pylmod.grades.batches import DEFAULT_BATCH_SIZE
        from pylmod.grades.csvfile import open_grade_csv
        from pylmod.grades.options import UploadOptions
        # Checked once here, before the file is opened.
        options = UploadOptions(
            email_field=email_field, approve_grades=approve_grades,
            use_max_points_column=use_max_points_column,
            max_points_column=max_points_column,
            normalize_column=normalize_column,
            batch_size=DEFAULT_BATCH_SIZE if batch_size is None
            else batch_size,
            delimiter=delimiter, encoding=encoding, dry_run=dry_run,
            max_new_assignments=max_new_assignments, resume_from=resume_from,
            changes_only=changes_only, snapshot=snapshot,
            safeguards=safeguards)
        # The rows go through _spreadsheet2gradebook_multi, called as 1.0.x
        # called it: 1.0.x code overrides or mocks it (PyLmod 1.0.2's own
        # tests patch it and csv.DictReader).  Keywords 1.0.x did not have
        # are passed only when given, so a 1.0.x override keeps working.
        given: Dict[str, Any] = {name: value for name, value, default in (
            ('batch_size', batch_size, None), ('dry_run', dry_run, False),
            ('report', report, None), ('progress', progress, None),
            ('max_new_assignments', max_new_assignments, 20),
            ('resume_from', resume_from, None),
            ('changes_only', changes_only, False),
            ('snapshot', snapshot, None), ('safeguards', safeguards, None),
        ) if value != default}
        if not isinstance(csv_file, (str, bytes, os.PathLike)) and not (
                hasattr(csv_file, 'read')):
            # Rows read already: a csv.DictReader, as 1.0.x's docs offer,
            # or a list of row dictionaries.
            opened: Any = contextlib.nullcontext(csv_file)
        else:
            opened = open_grade_csv(csv_file, options.delimiter,
                                    options.encoding)
        with opened as rows:
            return self._spreadsheet2gradebook_multi(
                rows, options.email_column, options.columns_not_assignments(),
                approve_grades=approve_grades,
                use_max_points_column=use_max_points_column,
                max_points_column=max_points_column,
                normalize_column=normalize_column, **given)

    def _spreadsheet2gradebook_multi(
            self,
            csv_reader: Iterable[Mapping[str, Any]],
            email_field: str,
            non_assignment_fields: Iterable[str],
            approve_grades: bool = False,
            use_max_points_column: bool = False,
            max_points_column: Optional[str] = None,
            normalize_column: Optional[str] = None,
            *,
            batch_size: Optional[int] = None,
            dry_run: bool = False,
            report: Optional[UploadReport] = None,
            progress: Optional[Progress] = None,
            max_new_assignments: Optional[int] = 20,
            resume_from: Any = None,
            changes_only: bool = False,
            snapshot: Optional[str] = None,
            safeguards: Optional[Safeguards] = None,
    ) -> Tuple[dict, float]:
        """Transfer grades from rows of a spreadsheet with ``multi_grade()``.

        See :meth:`spreadsheet2gradebook`; this takes any iterable of row
        dictionaries (a :class:`csv.DictReader`, a list of dicts), and is
        :func:`pylmod.grades.upload_rows` with an
        :class:`~pylmod.grades.UploadOptions` of these arguments.

        Args:
            csv_reader (iterable): rows as dictionaries
            email_field (str): The name of the email field
            non_assignment_fields (list): list of column names in CSV file
                which should not be treated as assignment names
            approve_grades, use_max_points_column, max_points_column,
                normalize_column, batch_size, dry_run, report, progress,
                max_new_assignments, resume_from, changes_only, snapshot,
                safeguards: as for
                :meth:`spreadsheet2gradebook`

        Returns:
            tuple: ``(response, seconds)`` as for :meth:`spreadsheet2gradebook`
        """
        from pylmod.grades.batches import DEFAULT_BATCH_SIZE  # (see above)
        from pylmod.grades.options import UploadOptions
        from pylmod.grades.upload import upload_rows
        options = UploadOptions(
            email_field=email_field,
            non_assignment_fields=tuple(non_assignment_fields),
            approve_grades=approve_grades,
            use_max_points_column=use_max_points_column,
            max_points_column=max_points_column,
            normalize_column=normalize_column,
            batch_size=DEFAULT_BATCH_SIZE if batch_size is None
            else batch_size,
            dry_run=dry_run, max_new_assignments=max_new_assignments,
            resume_from=resume_from, changes_only=changes_only,
            snapshot=snapshot, safeguards=safeguards)
        return upload_rows(self, csv_reader, options, report=report,
                           progress=progress)


def _simple_student(student: Mapping[str, Any]) -> SimpleStudent:
    """Return ``{'email', 'name', 'section'}`` of a student.

    The mit.edu domain is upper-cased (``@MIT.EDU``), as in MIT client
    certificates, so the emails match them.
    """
    return {
        'email': student['accountEmail'].replace('@mit.edu', '@MIT.EDU'),
        'name': student['displayName'],
        'section': student['section'],
    }
