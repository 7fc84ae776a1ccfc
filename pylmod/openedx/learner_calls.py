"""The Open edX calls about one learner: their program views and the
mobile users API.

:class:`LearnerCalls` is part of
:class:`~pylmod.openedx.client.OpenEdxClient`.  Who may make these calls
differs from the program enrollment calls:

* the mobile users API (``/api/mobile/{version}/users/{username}...``)
  answers **only the learner's own token** (``IsUserInUrl``: 403 for
  anyone else, staff and service users included).  Build the client over
  the learner's session (:func:`pylmod.openedx.learner.learner_session`);
* the program overview and the programs readable answer for the user of
  the token;
* ``users/{username}/programs/{program_uuid}/courses`` answers the learner,
  or staff for any learner.
"""
from typing import Any, Dict, Iterator, List, Optional, Sequence

import requests

from pylmod.answer import reading, unexpected_answer
from pylmod.openedx.endpoints import MOBILE_API_VERSION


class LearnerCalls:
    """The learner calls of :class:`~pylmod.openedx.client.OpenEdxClient`
    (see the module docstring for whose token each needs)."""

    def url(self, endpoint: str, **ids: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def _send(self, method: str, url: str, what: str, expected: Sequence[int],
              **kwargs: Any) -> requests.Response:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def _json(response: requests.Response,
              what: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def iter_pages(self, endpoint: str, page_size: Optional[int] = None,
                   **ids: str
                   ) -> Iterator[Dict[str, Any]]:  # pragma: no cover
        raise NotImplementedError

    def _get(self, endpoint: str, params: Optional[Dict[str, Any]] = None,
             shape: type = dict, **ids: str) -> Any:
        """The answer of a GET, which must be a JSON object (``shape``
        ``dict``) or list (``list``)."""
        what = 'GET {0}'.format(endpoint)
        response = self._send('GET', self.url(endpoint, **ids), what, (200,),
                              params=params)
        body = self._json(response, what)
        if not isinstance(body, shape):
            raise unexpected_answer(body, TypeError(
                'a JSON {0} was expected, not {1}'.format(
                    'list' if shape is list else 'object',
                    type(body).__name__)), what, 'Open edX')
        return body

    def get_readable_programs(self) -> List[Dict[str, Any]]:
        """``GET programs/enrollments/``

        The programs the token's user may read: every program for staff,
        those with courses they are staff of for course staff, those they
        are enrolled in for a learner.

        Returns:
            list: ``{'uuid', 'slug'}`` per program.
        """
        return list(self._get('read_only_programs', shape=list))

    def get_program_overview(self, program_uuid: str) -> Dict[str, Any]:
        """``GET programs/{program_uuid}/overview/``

        The token's user's course runs in a program (deprecated by Open edX
        in favour of :meth:`get_user_program_course_enrollments`).

        Returns:
            dict: ``{'course_runs': [...]}``, each run ``{'course_run_id',
            'display_name', 'course_run_url', 'start_date', 'end_date',
            'course_run_status', 'emails_enabled', 'due_dates',
            'micromasters_title', 'certificate_download_url', ...}``.

        Raises:
            OpenEdxHTTPError: 403 when the user is not enrolled in the
                program, 404 for an unknown program.
        """
        return dict(self._get('program_overview', program_uuid=program_uuid))

    def get_user_program_course_enrollments(
            self, username: str, program_uuid: str,
            page_size: Optional[int] = None) -> List[Dict[str, Any]]:
        """``GET users/{username}/programs/{program_uuid}/courses``

        A learner's course runs in a program (the overview shape of
        :meth:`get_program_overview`), over all pages (at most 25 a page).
        The learner's token, or a staff token, may read it.

        Returns:
            list: one course run overview per run.
        """
        return [run for page in self.iter_pages(
            'user_program_course_enrollments', page_size, username=username,
            program_uuid=program_uuid) for run in page['results']]

    def get_mobile_user(self, username: str,
                        version: str = MOBILE_API_VERSION) -> Dict[str, Any]:
        """``GET /api/mobile/{version}/users/{username}``

        Needs the learner's own token.

        Returns:
            dict: ``{'id', 'username', 'email', 'name',
            'course_enrollments'}`` (the last: the URL of their enrollments).
        """
        return dict(self._get('mobile_user', version=version,
                              username=username))

    def get_mobile_course_enrollments(
            self, username: str, version: str = MOBILE_API_VERSION,
            org: Optional[str] = None) -> List[Dict[str, Any]]:
        """``GET /api/mobile/{version}/users/{username}/course_enrollments/``

        Needs the learner's own token.

        Args:
            username: the learner.
            version: the API version (``v1``: every enrollment; ``v0.5``:
                those still accessible, without ``audit_access_expires``).
            org: only the courses of this organization.

        Returns:
            list: ``{'audit_access_expires', 'created', 'mode', 'is_active',
            'course', 'certificate', 'course_modes'}`` per enrollment;
            ``course`` has ``id``, ``name``, ``number``, ``org``, ``start``,
            ``end`` …; ``certificate`` is ``{'url': ...}`` or ``{}``.
        """
        return list(self._get('mobile_course_enrollments',
                              {'org': org} if org else None, list,
                              version=version, username=username))

    def get_course_status(self, username: str, course_id: str,
                          version: str = MOBILE_API_VERSION
                          ) -> Dict[str, Any]:
        """``GET /api/mobile/{version}/users/{username}/course_status_info/``
        ``{course_id}``

        Where the learner was last in a course.  Needs the learner's own
        token.

        Returns:
            dict: ``{'last_visited_module_id', 'last_visited_module_path'}``
            (and, in v1, ``last_visited_block_id``).
        """
        return dict(self._get('mobile_course_status', version=version,
                              username=username, course_id=course_id))

    def set_course_status(self, username: str, course_id: str,
                          last_visited_module_id: str,
                          modification_date: Optional[str] = None,
                          version: str = MOBILE_API_VERSION
                          ) -> Dict[str, Any]:
        """``PATCH /api/mobile/{version}/users/{username}/``
        ``course_status_info/{course_id}``

        Record the module the learner visited last; with
        ``modification_date`` (ISO 8601) only if it is later than the one
        Open edX holds.  Needs the learner's own token.

        Returns:
            dict: the status after the update, as :meth:`get_course_status`.

        Raises:
            OpenEdxHTTPError: 400 for a module that is not in the course or
                a date that cannot be read.
        """
        body: Dict[str, Any] = {
            'last_visited_module_id': last_visited_module_id}
        if modification_date is not None:
            body['modification_date'] = modification_date
        what = 'PATCH mobile_course_status'
        response = self._send(
            'PATCH', self.url('mobile_course_status', version=version,
                              username=username, course_id=course_id),
            what, (200,), json=body)
        body = self._json(response, what)
        with reading(body, what, 'Open edX'):
            return dict(body)
