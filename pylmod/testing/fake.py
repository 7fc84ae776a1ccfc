"""An in-memory LMod: state, and one short handler per endpoint.

:class:`FakeLmod` keeps gradebooks (options, assignments, sections,
students, staff, grades), membership groups and course guide courses, and
answers every row of :data:`pylmod.endpoints.ENDPOINTS` with the shapes of
LMod (``lmod-examples.json``).  It needs no network: call
:meth:`FakeLmod.handle` directly, or serve it over mutual TLS with
:class:`pylmod.testing.LmodServer`.

Errors are answered as LMod does, in the body: ``{"status": -1, "message":
...}``, with HTTP 404 for an id or uuid that does not exist (gradebook,
assignment, section, group, course, or an unknown path), 400 for a request
the service cannot read (a missing parameter, an id that is not a number, a
body that is not the JSON expected) and 405 for a known path with another
verb.  Grades naming unknown students or assignments are not errors of a
``multiGrades`` request: they are counted in ``data.numFailures`` and listed
in ``data.results``, and the other grades are stored.
"""
import copy
import json
import logging
import os
import threading
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
)

from pylmod.endpoints import ENDPOINTS
from pylmod.shapes import Assignment, Student
from pylmod.testing import records
from pylmod.testing.gradebook_state import GradebookState
from pylmod.testing.routes import (
    FakeRequest,
    LmodError,
    Route,
    compile_route,
)

log = logging.getLogger(__name__)

#: A handler's answer: ``(HTTP status, decoded JSON body)``.
Answer = Tuple[int, Any]

#: Ids of things the fake creates start here unless seeded ids are higher.
FIRST_NEW_ID = 20000000


def _flag(params: Mapping[str, str], name: str) -> bool:
    """A boolean query parameter as the client sends it (``'true'``)."""
    return params.get(name, 'false').strip().lower() in ('true', '1')


def _int_id(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise LmodError(400, '{0} must be a number, got {1!r}'.format(
            name, value)) from None


def _ok(**fields: Any) -> Dict[str, Any]:
    """A successful gradebook-service body: ``status`` 1 and ``message``."""
    body = {'status': 1, 'message': ''}
    body.update(fields)
    return body


def _docs(docs: List[Any]) -> Dict[str, Any]:
    """A membership-service body (Solr style): ``response.docs``."""
    return {'response': {'docs': docs, 'numFound': len(docs)}}


class FakeLmod:
    """A stateful in-memory LMod (both services).

    Args:
        seed: the initial data, e.g. read from JSON::

            {"gradebooks": [{"gradebookId": 1, "uuid": "STELLAR:/project/x",
                             "assignments": [...], "sections": {...},
                             "students": [...], "staff": {...},
                             "grades": [...]}],
             "groups": [{"id": 7, "uuid": "/project/x", "members": [...]}],
             "courses": [{"id": 8, "uuid": "/project/x", "staff": [...]}]}

            Only ids, names and emails are required; the other fields of
            each record are filled in as LMod has them (see
            :mod:`pylmod.testing.records`).  ``tests/data/small_course.json``
            is a complete example.

    Raises:
        ValueError: the seed misses a required field (the message says
            where).

    Attributes:
        lock (threading.RLock): held around every access to the state, so
            a server thread and a test can share the fake.

    Example:
        >>> fake = FakeLmod.demo()
        >>> fake.handle('GET', 'service/gradebook/gradebook',
        ...             {'uuid': 'STELLAR:/project/mitxdemosite'}
        ...             )[1]['data']['gradebookId']
        1293808
    """

    def __init__(self, seed: Optional[Mapping[str, Any]] = None) -> None:
        self.lock = threading.RLock()
        self._gradebooks: Dict[int, GradebookState] = {}
        self._groups: Dict[int, Dict[str, Any]] = {}
        self._courses: Dict[int, Dict[str, Any]] = {}
        self._last_id = FIRST_NEW_ID
        seed = seed or {}
        for index, gradebook in enumerate(seed.get('gradebooks', ())):
            self.add_gradebook(gradebook, 'gradebooks[{0}]'.format(index))
        for index, group in enumerate(seed.get('groups', ())):
            self.add_group(group, 'groups[{0}]'.format(index))
        for index, course in enumerate(seed.get('courses', ())):
            self.add_course(course, 'courses[{0}]'.format(index))

    @classmethod
    def from_file(cls, path: Union[str, 'os.PathLike[str]']) -> 'FakeLmod':
        """Return a fake seeded from a JSON file (see the class for the
        format)."""
        with open(path, encoding='utf-8') as seed_file:
            try:
                seed = json.load(seed_file)
            except ValueError as err:
                raise ValueError('{0}: not a JSON seed: {1}'.format(
                    os.fspath(path), err)) from err
        return cls(seed)

    @classmethod
    def demo(cls) -> 'FakeLmod':
        """Return the demo course (see :mod:`pylmod.testing.demo`)."""
        from pylmod.testing.demo import demo_seed
        return cls(demo_seed())

    # -- seeding -------------------------------------------------------------

    def add_gradebook(self, seed: Mapping[str, Any],
                      where: str = 'gradebook') -> int:
        """Add a gradebook from a seed; return its id."""
        with self.lock:
            state = GradebookState(seed, where)
            self._gradebooks[state.gradebook_id] = state
            self._last_id = max([self._last_id, *state.ids()])
            return state.gradebook_id

    def add_group(self, seed: Mapping[str, Any], where: str = 'group') -> int:
        """Add a membership group (``id``, ``uuid``, ``members``: docs with
        ``email`` and ``roleType``); return its id."""
        group = records.membership_record(seed, 'members', where)
        with self.lock:
            self._groups[group['id']] = group
        return group['id']

    def add_course(self, seed: Mapping[str, Any],
                   where: str = 'course') -> int:
        """Add a course guide course (``id``, ``uuid``, ``staff``: docs with
        ``displayName``, ``role``, ``sortableDisplayName``); return its id."""
        course = records.membership_record(seed, 'staff', where)
        with self.lock:
            self._courses[course['id']] = course
        return course['id']

    def add_generated_students(self, count: int,
                               gradebook_uuid: Optional[str] = None
                               ) -> List[int]:
        """Add ``count`` made-up students to a gradebook, for load tests:
        ``student<id>@example.edu``, "Generated Student <id>", in no
        section.

        Args:
            count: how many.
            gradebook_uuid: the gradebook (default: the first one).

        Returns:
            list: their ``studentId``.
        """
        with self.lock:
            states = [state for state in self._gradebooks.values()
                      if gradebook_uuid in (None, state.info['uuid'])]
            if not states:
                raise ValueError('no gradebook {0}'.format(
                    gradebook_uuid or 'to add students to'))
            student_ids = [self._new_id() for _ in range(count)]
            for student_id in student_ids:
                states[0].add_student({
                    'studentId': student_id,
                    'accountEmail': 'student{0}@example.edu'.format(
                        student_id),
                    'displayName': 'Generated Student {0}'.format(
                        student_id)}, 'generated student')
            return student_ids

    def to_dict(self) -> Dict[str, Any]:
        """Return the whole state as a seed (``FakeLmod(fake.to_dict())``
        is an equal fake)."""
        with self.lock:
            return copy.deepcopy({
                'gradebooks': [state.to_seed()
                               for state in self._gradebooks.values()],
                'groups': list(self._groups.values()),
                'courses': list(self._courses.values()),
            })

    # -- inspection, for tests -----------------------------------------------

    def gradebook_uuids(self) -> List[str]:
        """Return the uuids of the gradebooks (``GradeBook(gbuuid=...)``),
        in the order they were added."""
        with self.lock:
            return [state.info['uuid'] for state in self._gradebooks.values()]

    def course_uuids(self) -> List[str]:
        """Return the uuids of the course guide courses
        (``Membership(uuid=...)``), in the order they were added."""
        with self.lock:
            return [course['uuid'] for course in self._courses.values()]

    def stored_grades(self, gradebook_id: Any) -> Dict[Tuple[int, int], Any]:
        """Return ``{(studentId, assignmentId): numericGradeValue}`` of a
        gradebook (``None`` for an excused grade)."""
        with self.lock:
            return {key: grade['numericGradeValue'] for key, grade
                    in self._gradebook(gradebook_id).grades.items()}

    def grade_records(self, gradebook_id: Any
                      ) -> Dict[Tuple[int, int], Dict[str, Any]]:
        """Return the stored grades with all their fields
        (``isGradeApproved``, ``comment``, ``specialGradeValue`` ...)."""
        with self.lock:
            return copy.deepcopy(self._gradebook(gradebook_id).grades)

    def assignments(self, gradebook_id: Any) -> List[Assignment]:
        """Return (copies of) the assignments of a gradebook."""
        with self.lock:
            return copy.deepcopy(
                list(self._gradebook(gradebook_id).assignments.values()))

    def students(self, gradebook_id: Any) -> List[Student]:
        """Return (copies of) the students of a gradebook."""
        with self.lock:
            return copy.deepcopy(
                list(self._gradebook(gradebook_id).students.values()))

    # -- dispatch ------------------------------------------------------------

    def handle(self, method: str, path: str,
               params: Optional[Mapping[str, str]] = None,
               body: Any = None) -> Answer:
        """Answer one request.

        Args:
            method: the HTTP verb.
            path: relative to the server root, without the query, e.g.
                ``'service/gradebook/assignments/1293808'``.
            params: the query parameters.
            body: the decoded JSON body, or ``None``.

        Returns:
            tuple: ``(HTTP status, JSON-serializable body)``.
        """
        params = dict(params or {})
        path = path.strip('/')
        allowed_methods = set()
        for route in ROUTES:
            ids = route.match(path, params)
            if ids is None:
                continue
            if route.endpoint.method != method:
                allowed_methods.add(route.endpoint.method)
                continue
            request = FakeRequest(method, path, params, body, ids=ids)
            try:
                with self.lock:
                    answer = HANDLERS[route.endpoint.name](self, request)
            except LmodError as err:
                log.info('fake LMod: %s %s -> %d', method, path,
                         err.http_status)
                return err.http_status, err.body()
            return (200, answer) if not isinstance(answer, tuple) else answer
        if allowed_methods:
            return 405, LmodError(405, '{0} is not allowed on {1}; use {2}'
                                  .format(method, path, ', '.join(
                                      sorted(allowed_methods)))).body()
        return 404, LmodError(404, 'No such resource: {0}'.format(
            path)).body()

    def _gradebook(self, gradebook_id: Any) -> GradebookState:
        state = self._gradebooks.get(_int_id(gradebook_id, 'gradebookId'))
        if state is None:
            raise LmodError(404, 'No gradebook with gradebookId {0}'.format(
                gradebook_id))
        return state

    def _new_id(self) -> int:
        self._last_id += 1
        return self._last_id

    @staticmethod
    def _find(items: Mapping[int, Dict[str, Any]], uuid: Optional[str],
              what: str) -> Dict[str, Any]:
        if not uuid:
            raise LmodError(400, 'the uuid parameter is required')
        for item in items.values():
            if item['uuid'] == uuid:
                return item
        raise LmodError(404, 'No {0} with uuid {1}'.format(what, uuid))

    @staticmethod
    def _by_id(items: Mapping[int, Dict[str, Any]], item_id: Any,
               what: str) -> Dict[str, Any]:
        item = items.get(_int_id(item_id, what + 'Id'))
        if item is None:
            raise LmodError(404, 'No {0} with id {1}'.format(what, item_id))
        return item

    # -- gradebook service handlers ------------------------------------------

    def get_gradebook(self, request: FakeRequest) -> Any:
        uuid = request.params.get('uuid')
        if not uuid:
            raise LmodError(400, 'the uuid parameter is required')
        for state in self._gradebooks.values():
            if state.info['uuid'] == uuid:
                return _ok(data=dict(state.info))
        raise LmodError(404, 'No gradebook with uuid {0}'.format(uuid))

    def get_options(self, request: FakeRequest) -> Any:
        return {'data': dict(self._gradebook(
            request.ids['gradebookId']).options)}

    def get_assignments(self, request: FakeRequest) -> Any:
        state = self._gradebook(request.ids['gradebookId'])
        return _ok(data=state.assignment_list(*(
            _flag(request.params, name) for name in (
                'includeMaxPoints', 'includeAvgStats',
                'includeGradingStats'))))

    def create_assignment(self, request: FakeRequest) -> Any:
        if not isinstance(request.body, dict):
            raise LmodError(400, 'the body must be an assignment object')
        state = self._gradebook(request.body.get('gradebookId'))
        seed = dict(request.body, assignmentId=self._new_id())
        assignment = state.add_assignment(seed, self._new_id())
        log.info('fake LMod: created assignment %s in gradebook %s',
                 assignment['assignmentId'], state.gradebook_id)
        data = dict(assignment, numStudentGradesToBeApproved=0,
                    numStudentsToBeGraded=len(state.students))
        return _ok(data=data, message='assignment is created successfully')

    def delete_assignment(self, request: FakeRequest) -> Any:
        assignment_id = _int_id(request.ids['assignmentId'], 'assignmentId')
        for state in self._gradebooks.values():
            if state.delete_assignment(assignment_id):
                return _ok(message='assignment is deleted successfully')
        raise LmodError(404, 'No assignment with assignmentId {0}'.format(
            assignment_id))

    def set_grade(self, request: FakeRequest) -> Any:
        state = self._gradebook(request.ids['gradebookId'])
        if not isinstance(request.body, dict):
            raise LmodError(400, 'the body must be a grade object')
        failure = state.store_grade(request.body)
        if failure:
            raise LmodError(404 if failure.startswith('No ') else 400,
                            failure)
        return _ok(message='grade saved successfully')

    def multi_grade(self, request: FakeRequest) -> Any:
        state = self._gradebook(request.ids['gradebookId'])
        if not isinstance(request.body, list):
            raise LmodError(400, 'the body must be a list of grades')
        failures = []
        for grade in request.body:
            failure = state.store_grade(grade)
            if failure:
                entry = dict(grade) if isinstance(grade, dict) else {
                    'entry': grade}
                entry['message'] = failure
                failures.append(entry)
        saved = len(request.body) - len(failures)
        log.info('fake LMod: multiGrades stored %d grades, %d failed',
                 saved, len(failures))
        return _ok(
            message='{0} grades saved, {1} failed'.format(
                saved, len(failures)),
            data={'numFailures': len(failures), 'results': failures})

    def get_sections(self, request: FakeRequest) -> Any:
        state = self._gradebook(request.ids['gradebookId'])
        return _ok(data=state.sections_by_type(
            _flag(request.params, 'includeMembers')))

    def get_students(self, request: FakeRequest) -> Any:
        state = self._gradebook(request.ids['gradebookId'])
        section = request.ids.get('sectionId')
        section_id = None if section is None else _int_id(section,
                                                          'sectionId')
        return _ok(data=state.student_list(
            section_id, _flag(request.params, 'includeGradeInfo')))

    def get_staff(self, request: FakeRequest) -> Any:
        state = self._gradebook(request.ids['gradebookId'])
        return _ok(data=copy.deepcopy(state.staff))

    # -- membership service handlers -----------------------------------------

    def get_group(self, request: FakeRequest) -> Any:
        group = self._find(self._groups, request.params.get('uuid'), 'group')
        return _docs([{key: value for key, value in group.items()
                       if key != 'members'}])

    def get_group_members(self, request: FakeRequest) -> Any:
        group = self._by_id(self._groups, request.ids['groupId'], 'group')
        return _docs(copy.deepcopy(group['members']))

    def get_course(self, request: FakeRequest) -> Any:
        course = self._find(self._courses, request.ids['uuid'], 'course')
        return _docs([{key: value for key, value in course.items()
                       if key != 'staff'}])

    def get_course_staff(self, request: FakeRequest) -> Any:
        course = self._by_id(self._courses, request.ids['courseId'],
                             'course')
        return _docs(copy.deepcopy(course['staff']))


Handler = Callable[[FakeLmod, FakeRequest], Any]

#: Endpoint name (a row of :data:`pylmod.endpoints.ENDPOINTS`) -> handler.
HANDLERS: Dict[str, Handler] = {
    # gradebook service
    'gradebook': FakeLmod.get_gradebook,        # GET gradebook?uuid=
    'options': FakeLmod.get_options,            # GET gradebook/options/{id}
    'assignments': FakeLmod.get_assignments,    # GET assignments/{id}
    'create_assignment': FakeLmod.create_assignment,  # POST assignment
    'delete_assignment': FakeLmod.delete_assignment,  # DELETE assignment/{a}
    'grade': FakeLmod.set_grade,                # POST grades/{id}
    'multi_grade': FakeLmod.multi_grade,        # POST multiGrades/{id}
    'sections': FakeLmod.get_sections,          # GET sections/{id}
    'students': FakeLmod.get_students,          # GET students/{id}
    'section_students': FakeLmod.get_students,  # GET students/{id}/section/{s}
    'staff': FakeLmod.get_staff,                # GET staff/{id}
    # membership service
    'group': FakeLmod.get_group,                # GET group?uuid=
    'group_members': FakeLmod.get_group_members,  # GET group/{g}/member
    'course': FakeLmod.get_course,              # GET courseguide/course?uuid=
    'course_staff': FakeLmod.get_course_staff,  # GET courseguide/.../staff
}

#: The routes of the fake, one per row of ENDPOINTS.
ROUTES: Tuple[Route, ...] = tuple(
    compile_route(endpoint) for endpoint in ENDPOINTS.values())
