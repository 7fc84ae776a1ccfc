"""The shapes of LMod's payloads, as :class:`typing.TypedDict` classes.

This module is the one definition of what LMod sends and takes, as the
PyLmod documentation's examples show it (:doc:`/shapes` renders these
classes next to those examples).  The clients return plain dicts and lists;
the classes describe them for a type checker, and the fake LMod
(:mod:`pylmod.testing`) and the test suite check their payloads against
them.

Keys a payload may lack (a query flag adds them, or a client method adds
them after the call) are declared in a ``total=False`` class; the keys every
payload has, in the ``total=True`` class it extends.  Only :mod:`typing` is
imported: Python 3.9 has neither ``NotRequired`` nor generic ``TypedDict``.

Example:
    >>> from pylmod.shapes import Student
    >>> sorted(Student.__required_keys__)[:3]
    ['accountEmail', 'displayName', 'editable']
"""
from typing import Any, Dict, List, Optional, TypedDict, Union

# -- bodies of the gradebook service ----------------------------------------


class StatusAnswer(TypedDict):
    """A gradebook-service body without data: the answer of
    ``delete_assignment`` and ``set_grade``, and of any failed call
    (``status`` -1)."""

    #: 1 for a success, -1 for a failure.
    status: int
    #: What happened, e.g. ``"grade saved successfully"``.
    message: str


class LmodBody(TypedDict, total=False):
    """The ``status`` and ``message`` of a gradebook-service body with data
    (the documentation's examples do not always show them)."""

    status: int
    message: str


# -- gradebook and options ---------------------------------------------------


class GradebookInfo(TypedDict):
    """``data`` of ``GET gradebook?uuid=`` (``get_gradebook_id``)."""

    gradebookId: int
    uuid: str
    courseName: str
    courseNumber: str
    membershipSource: str
    gradebookName: str


class GradebookAnswer(LmodBody):
    """The body of ``GET gradebook?uuid=``."""

    data: GradebookInfo


class OptionSettings(TypedDict):
    """The settings among a gradebook's options."""

    accessLevel: str
    archived: bool
    calc_on_approved_only: bool
    configured: Any
    deriveOverallGrades: bool
    gradebookEwsEnabled: bool
    gradebookReadOnly: bool
    gradebookVisibleToAdvisors: bool
    graders_change_approved: bool
    hideExcuseButtonInUI: bool
    homeworkBetaEnabled: bool
    student_sees_actual_grades: bool
    student_sees_category_info: bool
    student_sees_comments: bool
    student_sees_cumulative_score: bool
    student_sees_histograms: bool
    student_sees_submissions: bool
    ta_approves: bool
    ta_change_approved: bool
    ta_configures: bool
    ta_edits: bool
    use_grade_weighting: bool
    usingAttendance: bool
    versionCompatible: int
    versionCompatibleString: str


class Options(OptionSettings):
    """``data`` of ``GET gradebook/options/{gradebookId}`` (``get_options``):
    the settings and which gradebook they are of."""

    courseName: str
    courseNumber: str
    gradebookId: int
    gradebookName: str
    #: The course's uuid without its ``STELLAR:`` prefix.
    membershipQualifier: str
    membershipSource: str


class OptionsAnswer(LmodBody):
    """The body of ``GET gradebook/options/{gradebookId}``."""

    data: Options


# -- assignments --------------------------------------------------------------


class _AssignmentFields(TypedDict):
    assignmentId: int
    categoryId: int
    description: str
    dueDate: int
    dueDateString: str
    gradebookId: int
    graderVisible: bool
    gradingSchemeId: int
    gradingSchemeType: str
    isComposite: bool
    isHomework: bool
    name: str
    shortName: str
    userDeleted: bool
    weight: float


class Assignment(_AssignmentFields, total=False):
    """One assignment of ``GET assignments/{gradebookId}``
    (``get_assignments``, ``get_assignment_by_name``).

    ``dueDate`` is the due day in milliseconds since the epoch (midnight, US
    Eastern), ``dueDateString`` the same day as ``mm-dd-yyyy``;
    ``gradingSchemeType`` is ``"NUMERIC"`` for the assignments pylmod
    creates.  Optional keys: ``maxPointsTotal`` is there with
    ``includeMaxPoints`` (the client's default), ``averageGrade`` with
    ``includeAvgStats`` and the two counts with ``includeGradingStats``.
    """

    maxPointsTotal: float
    #: The mean of the stored numeric grades, ``None`` without any.
    averageGrade: Optional[float]
    numStudentsToBeGraded: int
    numStudentGradesToBeApproved: int


class AssignmentsAnswer(LmodBody):
    """The body of ``GET assignments/{gradebookId}``."""

    data: List[Assignment]


class CreatedAssignment(_AssignmentFields):
    """``data`` of ``POST assignment`` (``create_assignment``): the
    assignment created, with its maximum points and grading counts."""

    maxPointsTotal: float
    numStudentGradesToBeApproved: int
    numStudentsToBeGraded: int


class CreateAssignmentAnswer(StatusAnswer):
    """The body of a successful ``POST assignment``."""

    data: CreatedAssignment


class SimpleAssignment(TypedDict):
    """An assignment of ``get_assignments(simple=True)``."""

    AssignmentName: str


# -- sections ---------------------------------------------------------------


class _SectionFields(TypedDict):
    editable: bool
    groupId: int
    groupingScheme: str
    members: Optional[List[Dict[str, Any]]]
    name: str
    shortName: str
    staffs: Optional[List[Dict[str, Any]]]


class Section(_SectionFields, total=False):
    """One section of ``GET sections/{gradebookId}`` (``get_sections``).

    ``groupingScheme`` is the section type, capitalised (``"Recitation"``);
    ``members`` is ``None`` unless ``includeMembers`` is true.  Optional
    key: ``unravel_sections`` and ``get_section_by_name`` add
    ``sectionType``, the key the section was listed under.
    """

    sectionType: str


class SectionsAnswer(LmodBody):
    """The body of ``GET sections/{gradebookId}``: section type (e.g.
    ``"recitation"``) to the sections of that type."""

    data: Dict[str, List[Section]]


class SimpleSection(TypedDict):
    """A section of ``get_sections(simple=True)``."""

    SectionName: str


# -- people -----------------------------------------------------------------


class Person(TypedDict):
    """The fields students and staff members share."""

    accountEmail: str
    displayName: str
    editable: bool
    email: str
    givenName: str
    middleName: Optional[str]
    nickName: str
    #: ``"Surname, Given"``.
    sortableName: str
    surname: str


class StoredGrade(TypedDict, total=False):
    """One element of a student's ``studentAssignmentInfo`` (with
    ``includeGradeInfo``): a stored grade.  LMod's documentation shows the
    field only as ``null``; these are the keys pylmod reads (and the fake
    LMod sends)."""

    assignmentId: int
    assignmentName: str
    numericGradeValue: Optional[float]
    letterGradeValue: Optional[str]
    #: ``"x"`` for an excused grade (then no numeric value).
    specialGradeValue: Optional[str]
    isGradeApproved: bool
    comment: Optional[str]


class OverallGrade(TypedDict, total=False):
    """A student's ``overallGradeInformation`` (with ``includeGradeInfo``,
    once an overall grade is set)."""

    letterGradeValue: Optional[str]


class Student(Person):
    """One student of ``GET students/{gradebookId}`` (``get_students``,
    ``get_student_by_email``): the keys of a :class:`Person` and its
    own."""

    studentId: int
    photoUrl: Optional[str]
    #: The name of the student's section (recitation).
    section: Optional[str]
    sectionId: Optional[int]
    #: ``None`` unless ``includeGradeInfo`` is true.
    overallGradeInformation: Optional[OverallGrade]
    #: ``None`` unless ``includeGradeInfo`` is true.
    studentAssignmentInfo: Optional[List[StoredGrade]]


class StudentsAnswer(LmodBody):
    """The body of ``GET students/{gradebookId}[/section/{sectionId}]``."""

    data: List[Student]


class SimpleStudent(TypedDict):
    """A student of ``get_students(simple=True)``: ``'@mit.edu'`` in the
    email is written ``'@MIT.EDU'``, as certificate emails are."""

    email: str
    name: str
    section: Optional[str]


class _StaffFields(Person):
    mitId: Optional[str]
    personId: int
    year: Any


class StaffMember(_StaffFields, total=False):
    """One staff member of ``GET staff/{gradebookId}`` (``get_staff``):
    the keys of a :class:`Person`, ``mitId``, ``personId`` and ``year``.

    Optional key: ``unravel_staff`` adds ``role``, the key the member was
    listed under.
    """

    role: str


class StaffAnswer(LmodBody):
    """The body of ``GET staff/{gradebookId}``: role (``"COURSE_ADMIN"``,
    ``"COURSE_PROF"``, ``"COURSE_TA"`` ...) to the members in it."""

    data: Dict[str, List[StaffMember]]


class SimpleStaffMember(TypedDict):
    """A staff member of ``get_staff(simple=True)``."""

    accountEmail: str
    displayName: str
    role: str


# -- grades -----------------------------------------------------------------

class _GradeValues(TypedDict, total=False):
    numericGradeValue: Union[float, str, None]
    letterGradeValue: Optional[str]
    specialGradeValue: Optional[str]
    booleanGradeValue: Optional[bool]
    isGradeApproved: bool
    comment: Optional[str]
    returnAffectedValues: bool


class MultiGradesEntry(_GradeValues):
    """One grade of ``POST multiGrades/{gradebookId}`` (``multi_grade``),
    also the body of ``POST grades/{gradebookId}`` (``set_grade``).

    ``mode`` is 2 for a grade of an assignment, 1 for the overall grade
    (``assignmentId`` ``None``, a ``letterGradeValue`` such as ``"A"``).
    An excused grade has ``specialGradeValue`` ``"x"`` and no numeric or
    letter value.  ``numericGradeValue`` is a number (``set_grade`` sends it
    as a string).  Only the student, the assignment and the mode are always
    sent; the other keys are optional.
    """

    studentId: int
    assignmentId: Optional[int]
    mode: int


class MultiGradesFailure(MultiGradesEntry, total=False):
    """A grade LMod did not store: the entry as sent, with why."""

    message: str


class MultiGradesData(TypedDict):
    """``data`` of a multiGrades answer: the grades not stored."""

    numFailures: int
    results: List[MultiGradesFailure]


class MultiGradesAnswer(LmodBody):
    """The body of ``POST multiGrades/{gradebookId}``."""

    data: MultiGradesData


# -- membership service (Solr-style bodies: response.docs) -------------------


class GroupDoc(TypedDict):
    """A group of ``GET group?uuid=`` (``get_group``)."""

    id: int


class GroupResponse(TypedDict):
    docs: List[GroupDoc]


class GroupAnswer(TypedDict):
    """The body of ``GET group?uuid=``."""

    response: GroupResponse


class GroupMember(TypedDict):
    """A member of ``GET group/{groupId}/member`` (``get_membership``)."""

    email: str
    #: ``"Instructor"``, ``"TA"``, ``"Student"`` ...
    roleType: str


class GroupMembersResponse(TypedDict):
    docs: List[GroupMember]


class GroupMembersAnswer(TypedDict):
    """The body of ``GET group/{groupId}/member``."""

    response: GroupMembersResponse


class CourseDoc(TypedDict):
    """A course of ``GET courseguide/course?uuid=`` (``get_course_id``)."""

    id: int


class CourseResponse(TypedDict):
    docs: List[CourseDoc]


class CourseAnswer(TypedDict):
    """The body of ``GET courseguide/course?uuid=``."""

    response: CourseResponse


class CourseGuideStaffMember(TypedDict):
    """A staff member of ``GET courseguide/course/{courseId}/staff``
    (``get_course_guide_staff``)."""

    displayName: str
    #: ``"Instructor"``, ``"TA"``, ``"CourseAdmin"`` ...
    role: str
    #: ``"Surname, Given"``.
    sortableDisplayName: str


class CourseGuideStaffResponse(TypedDict):
    docs: List[CourseGuideStaffMember]


class CourseGuideStaffAnswer(TypedDict):
    """The body of ``GET courseguide/course/{courseId}/staff``."""

    response: CourseGuideStaffResponse
