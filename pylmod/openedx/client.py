"""A thin client for the Open edX REST calls the bridge needs.

:class:`OpenEdxClient` works over any authenticated :class:`requests.Session`
(see :mod:`pylmod.openedx.auth` to build one, or pass the one your Open edX
plugin already has).  It knows the documented behaviour of the calls:

* lists are cursor-paginated: it follows ``next`` until it is ``null``;
* the grades list answers 204 (no grades), 207 (some records are errors) or
  422 (every record is an error): all of them are data, not failures;
* enrollment writes take at most 25 learners: it sends chunks of 25 and
  returns one :class:`LearnerResult` per learner, whatever the status
  (200, 207 or 422) of the chunk.
"""
import logging
from dataclasses import dataclass
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
)

import requests

from pylmod.base import decode_json
from pylmod.exceptions import PyLmodBadResponse
from pylmod.openedx.endpoints import (
    ENDPOINTS,
    MAX_LEARNERS_PER_WRITE,
)
from pylmod.openedx.errors import OpenEdxAuthError, OpenEdxHTTPError

log = logging.getLogger(__name__)

#: Seconds to wait for Open edX: (connect, read).
DEFAULT_TIMEOUT = (5.0, 60.0)
#: Identifiers per ``bulk_enroll`` request (no documented limit; this keeps
#: one request short).
BULK_ENROLL_CHUNK_SIZE = 100
#: Statuses of a list page that carry records.
LIST_STATUSES = (200, 207, 422)
#: Statuses of an enrollment write that carry per-learner results.
WRITE_STATUSES = (200, 207, 422)


@dataclass
class LearnerResult:
    """What Open edX answered for one learner of an enrollment write.

    Attributes:
        key: the ``external_user_key`` (program) or ``student_key``
            (program course) sent.
        result: the status Open edX answered for it (``enrolled``,
            ``conflict``, ...), or why there is none.
        ok: True when ``result`` is one of the endpoint's success statuses.
        http_status: the status of the response that carried it.
    """

    key: str
    result: str
    ok: bool
    http_status: int


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Yield ``items`` in slices of at most ``size``."""
    if size < 1:
        raise ValueError('chunk size must be at least 1, got {0}'.format(size))
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _chunk_error(err: Exception, what: str, done: List[Any],
                 unsent: List[str]) -> OpenEdxHTTPError:
    """Return ``err`` as an :class:`OpenEdxHTTPError` that says which
    learners were written (``learner_results``) and which not (``unsent``).
    """
    if isinstance(err, OpenEdxHTTPError):
        wrapped = err
    else:
        wrapped = OpenEdxHTTPError('{0}: {1}'.format(what, err),
                                   getattr(err, 'response', None))
    wrapped.learner_results = done
    wrapped.unsent = unsent
    return wrapped


class OpenEdxClient:
    """The Open edX calls of the bridge, over an authenticated session.

    The program calls below are written relative to
    ``/api/program_enrollments/v1/``.

    Args:
        session: a :class:`requests.Session` that authenticates its requests
            (e.g. ``edx_rest_api_client.client.OAuthAPIClient``, or
            :func:`pylmod.openedx.auth.oauth_session`).
        base_url: the LMS root, e.g. ``https://lms.example.edu``.
        timeout: seconds (or a ``(connect, read)`` pair) per request.
        page_size: ``page_size`` asked of paginated lists (``None``: the
            server's default, 100).
        write_chunk_size: learners per enrollment write, at most 25.

    Example:

    .. code-block:: python

        from pylmod.openedx import OpenEdxClient, oauth_session

        session = oauth_session(LMS_URL, CLIENT_ID, CLIENT_SECRET)
        client = OpenEdxClient(session, LMS_URL)
        for record in client.get_program_course_grades(program, course):
            print(record['student_key'], record.get('percent'))
    """

    def __init__(self, session: requests.Session, base_url: str, *,
                 timeout: Any = DEFAULT_TIMEOUT,
                 page_size: Optional[int] = None,
                 write_chunk_size: int = MAX_LEARNERS_PER_WRITE) -> None:
        if not 1 <= write_chunk_size <= MAX_LEARNERS_PER_WRITE:
            raise ValueError(
                'write_chunk_size must be 1..{0}, got {1}'.format(
                    MAX_LEARNERS_PER_WRITE, write_chunk_size))
        self.session = session
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        self.page_size = page_size
        self.write_chunk_size = write_chunk_size

    def url(self, endpoint: str, **ids: str) -> str:
        """Return the absolute URL of an endpoint row, ``ids`` filled in."""
        return self.base_url + ENDPOINTS[endpoint].format(**ids)

    def _send(self, method: str, url: str, what: str, expected: Sequence[int],
              **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, url,
                                            timeout=self.timeout, **kwargs)
        except OpenEdxHTTPError:
            raise
        except requests.HTTPError as err:
            # edx_rest_api_client raises the token endpoint's refusal.
            refused = getattr(err, 'response', None)
            if refused is None or not str(refused.url).endswith(
                    ENDPOINTS['access_token'].path):
                raise
            raise OpenEdxAuthError.from_response(
                'OAuth token (client credentials refused) for {0}'.format(
                    what), refused) from err
        log.debug('%s %s -> %s', method, url, response.status_code)
        if response.status_code not in expected:
            raise OpenEdxHTTPError.from_response(what, response)
        return response

    @staticmethod
    def _json(response: requests.Response, what: str) -> Any:
        return decode_json(response, '{0}: Open edX answered HTTP {1}'
                           .format(what, response.status_code))

    def iter_pages(self, endpoint: str, page_size: Optional[int] = None,
                   **ids: str) -> Iterator[Dict[str, Any]]:
        """Yield the pages of a cursor-paginated list, following ``next``.

        ``GET <endpoint>?page_size=N`` then each ``next`` URL as given.

        Yields:
            dict: ``{'status': int, 'results': [...]}`` per page; a 204 is one
            empty page.

        Raises:
            OpenEdxHTTPError: any other status (401, 403, 404, ...).
            PyLmodBadResponse: a page that is not JSON.
        """
        url: Optional[str] = self.url(endpoint, **ids)
        size = page_size or self.page_size
        params: Optional[Dict[str, Any]] = (
            {'page_size': size} if size else None)
        what = 'GET {0}'.format(endpoint)
        pages = 0
        while url:
            response = self._send('GET', url, what, LIST_STATUSES + (204,),
                                  params=params)
            pages += 1
            if response.status_code == 204:
                yield {'status': 204, 'results': []}
                return
            body = self._json(response, what)
            if not isinstance(body, Mapping) or not isinstance(
                    body.get('results'), list):
                raise OpenEdxHTTPError(
                    '{0}: page {1} has no "results" list'.format(what, pages),
                    response=response)
            yield {'status': response.status_code, 'results': body['results']}
            url, params = body.get('next'), None
        log.info('%s: %d pages', what, pages)

    def _list(self, endpoint: str, page_size: Optional[int],
              **ids: str) -> List[Dict[str, Any]]:
        records: List[Dict[str, Any]] = []
        for page in self.iter_pages(endpoint, page_size, **ids):
            records.extend(page['results'])
        return records

    def get_program_course_grades(
            self, program_uuid: str, course_id: str,
            page_size: Optional[int] = None) -> List[Dict[str, Any]]:
        """``GET programs/{program_uuid}/courses/{course_id}/grades/``

        Read every grade record of a program course, over all pages.

        Args:
            program_uuid: the program.
            course_id: the course run key, e.g. ``course-v1:MITx+6.002x+2026``.
            page_size: records per page (default: the client's).

        Returns:
            list: loaded records ``{'student_key', 'letter_grade', 'percent',
            'passed'}`` and failed ones ``{'student_key', 'error'}``; empty
            when Open edX answers 204.
        """
        return self._list('program_course_grades', page_size,
                          program_uuid=program_uuid, course_id=course_id)

    def get_program_enrollments(self, program_uuid: str,
                                page_size: Optional[int] = None
                                ) -> List[Dict[str, Any]]:
        """``GET programs/{program_uuid}/enrollments/``

        Returns:
            list: ``{'student_key', 'status', 'account_exists',
            'curriculum_uuid'}`` for every enrollment, over all pages.
        """
        return self._list('program_enrollments', page_size,
                          program_uuid=program_uuid)

    def get_program_course_enrollments(
            self, program_uuid: str, course_id: str,
            page_size: Optional[int] = None) -> List[Dict[str, Any]]:
        """``GET programs/{program_uuid}/courses/{course_id}/enrollments/``

        Returns:
            list: ``{'student_key', 'status', 'account_exists',
            'curriculum_uuid'}`` for every enrollment, over all pages.
        """
        return self._list('program_course_enrollments', page_size,
                          program_uuid=program_uuid, course_id=course_id)

    def write_enrollments(self, endpoint: str, method: str,
                          enrollments: Sequence[Mapping[str, Any]],
                          key_field: str, **ids: str) -> List[LearnerResult]:
        """``POST|PATCH|PUT`` an enrollment list in chunks of at most 25.

        Args:
            endpoint: ``'program_enrollments'`` or
                ``'program_course_enrollments'``.
            method: ``'POST'`` (create), ``'PATCH'`` (update) or ``'PUT'``.
            enrollments: the request items.
            key_field: the item field naming the learner.
            ids: the path ids.

        Returns:
            list: one :class:`LearnerResult` per item, in order.

        Raises:
            OpenEdxHTTPError: a chunk answered neither 200, 207 nor 422 (or
                the request failed); ``learner_results`` holds the results
                of the chunks before it, ``unsent`` the keys not confirmed.
        """
        row = ENDPOINTS[endpoint]
        if method not in row.methods or method == 'GET':
            raise ValueError('{0} does not accept {1}'.format(
                endpoint, method))
        url = self.url(endpoint, **ids)
        what = '{0} {1}'.format(method, endpoint)
        results: List[LearnerResult] = []
        for chunk in chunked(list(enrollments), self.write_chunk_size):
            keys = [str(item.get(key_field)) for item in chunk]
            try:
                response = self._send(method, url, what, WRITE_STATUSES,
                                      json=list(chunk))
                body = self._json(response, what)
            except (requests.RequestException, PyLmodBadResponse) as err:
                wrapped = _chunk_error(err, what, results, [
                    str(item.get(key_field))
                    for item in list(enrollments)[len(results):]])
                if wrapped is err:
                    raise
                raise wrapped from err
            if not isinstance(body, Mapping):
                body = {}
            for key in keys:
                result = body.get(key)
                if result is None:
                    results.append(LearnerResult(
                        key, 'missing from the response', False,
                        response.status_code))
                else:
                    results.append(LearnerResult(
                        key, str(result), result in row.ok_results,
                        response.status_code))
        failed = sum(1 for result in results if not result.ok)
        log.info('%s: %d learners, %d not ok', what, len(results), failed)
        return results

    def write_program_enrollments(
            self, program_uuid: str,
            enrollments: Sequence[Mapping[str, Any]],
            method: str = 'POST') -> List[LearnerResult]:
        """``POST|PATCH|PUT programs/{program_uuid}/enrollments/``

        Args:
            program_uuid: the program.
            enrollments: ``{'external_user_key', 'status',
                'curriculum_uuid'}`` items (curriculum optional on PATCH).
            method: ``'POST'`` creates, ``'PATCH'`` updates, ``'PUT'`` both.

        Returns:
            list: one :class:`LearnerResult` per learner.
        """
        return self.write_enrollments(
            'program_enrollments', method, enrollments, 'external_user_key',
            program_uuid=program_uuid)

    def write_program_course_enrollments(
            self, program_uuid: str, course_id: str,
            enrollments: Sequence[Mapping[str, Any]],
            method: str = 'POST') -> List[LearnerResult]:
        """``POST|PATCH|PUT programs/{program_uuid}/courses/{course_id}/``
        ``enrollments/``

        Args:
            program_uuid: the program.
            course_id: the course run key.
            enrollments: ``{'student_key', 'status', 'course_staff'}`` items
                (status ``active`` or ``inactive``).
            method: ``'POST'`` creates, ``'PATCH'`` updates, ``'PUT'`` both.

        Returns:
            list: one :class:`LearnerResult` per learner.
        """
        return self.write_enrollments(
            'program_course_enrollments', method, enrollments, 'student_key',
            program_uuid=program_uuid, course_id=course_id)

    def bulk_enroll(self, identifiers: Iterable[str], courses: Sequence[str],
                    action: str = 'enroll',
                    cohorts: Optional[Sequence[str]] = None,
                    auto_enroll: bool = True, email_students: bool = False,
                    chunk_size: int = BULK_ENROLL_CHUNK_SIZE
                    ) -> List[Dict[str, Any]]:
        """``POST /api/bulk_enroll/v1/bulk_enroll/``

        Enroll (or unenroll) learners by email in one or more courses.

        Args:
            identifiers: emails (or usernames).
            courses: course keys.
            action: ``'enroll'`` or ``'unenroll'``.
            cohorts: one cohort name per course, or ``None``.
            auto_enroll: enroll learners without an account when they
                register.
            email_students: let Open edX email the learners.
            chunk_size: identifiers per request.

        Returns:
            list: the per-identifier results of every request, each
            ``{'identifier', 'before', 'after'}`` (or ``invalidIdentifier``
            / ``error``) plus ``'course'``: the course key.

        Raises:
            OpenEdxHTTPError: Open edX answered anything but 200 (400 for a
                bad course key or a cohort count that is not the course
                count); ``unsent`` lists the identifiers not confirmed.
        """
        if action not in ('enroll', 'unenroll'):
            raise ValueError('action must be enroll or unenroll, got {0!r}'
                             .format(action))
        if cohorts is not None and len(cohorts) != len(courses):
            raise ValueError('give one cohort per course ({0} courses, {1} '
                             'cohorts)'.format(len(courses), len(cohorts)))
        identifiers = list(identifiers)
        url = self.url('bulk_enroll')
        what = 'POST bulk_enroll ({0})'.format(action)
        results: List[Dict[str, Any]] = []
        for done, chunk in enumerate(chunked(identifiers, chunk_size)):
            body: Dict[str, Any] = {
                'auto_enroll': auto_enroll,
                'email_students': email_students,
                'action': action,
                'courses': ','.join(courses),
                'identifiers': ','.join(chunk),
            }
            if cohorts is not None:
                body['cohorts'] = ','.join(cohorts)
            try:
                response = self._send('POST', url, what, (200,), json=body)
                answer = self._json(response, what)
            except (requests.RequestException, PyLmodBadResponse) as err:
                wrapped = _chunk_error(err, what, results,
                                       identifiers[done * chunk_size:])
                if wrapped is err:
                    raise
                raise wrapped from err
            for course, course_answer in (answer.get('courses') or {}).items():
                for result in course_answer.get('results') or []:
                    results.append(dict(result, course=course))
        log.info('%s: %d identifiers, %d results', what, len(identifiers),
                 len(results))
        return results
