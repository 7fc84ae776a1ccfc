"""A thin client for the Open edX REST calls the bridge needs.

:class:`OpenEdxClient` works over any authenticated :class:`requests.Session`
(see :mod:`pylmod.openedx.auth` to build one, or pass the one your Open edX
plugin already has).  It knows the documented behaviour of the calls:

* lists are cursor-paginated: it follows ``next`` until it is ``null``,
  one page after the other, asking for the largest page the API accepts
  when it reads everything;
* the grades list answers 204 (no grades), 207 (some records are errors) or
  422 (every record is an error): all of them are data, not failures;
* enrollment writes take at most 25 learners, named by ``student_key``: it
  sends chunks of 25, up to ``workers`` at a time, and returns one
  :class:`LearnerResult` per learner in input order, whatever the status
  (200, 207 or 422) of the chunk;
* ``bulk_enroll`` chunks go out the same way;
* 429 is retried after ``Retry-After`` (see :mod:`pylmod.openedx.retry`),
  and a learner is never written twice;
* every call has a deadline and every answer a size limit, as LMod's
  (:mod:`pylmod._transport.bounds`); a write follows no redirect
  (:class:`~pylmod.exceptions.PyLmodRedirected`), and only an answer that
  accounts for a learner confirms them
  (:mod:`pylmod.openedx.write_results`).

A :class:`requests.Session` may be shared by threads for this: its
connection pool is thread-safe (give it at least ``workers`` connections,
:func:`pylmod.openedx.auth.oauth_session` does) and the sessions of
:mod:`pylmod.openedx.auth` renew their token under a lock.
"""
import logging
from functools import partial
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import requests

from pylmod._transport import (
    MAX_RESPONSE_BYTES,
    CallBounds,
    Limits,
    deadline_timeout,
    decode_json,
    redirected,
    send_bounded,
)
from pylmod.answer import reading, unexpected_answer
from pylmod.exceptions import PyLmodBadResponse, PyLmodUnexpectedAnswer
from pylmod.openedx.endpoints import (
    ENDPOINTS,
    MAX_LEARNERS_PER_WRITE,
    MOBILE_API_VERSION,
    STUDENT_KEY,
)
from pylmod.openedx.errors import OpenEdxAuthError, OpenEdxHTTPError
from pylmod.openedx.pool import DEFAULT_WORKERS, check_workers, send_chunks
from pylmod.openedx.retry import throttled_error
from pylmod.openedx.write_results import (
    LearnerResult,
    chunk_error,
    learner_results,
    wire_items,
)

log = logging.getLogger(__name__)

#: Seconds to wait for Open edX: (connect, read).  A call's deadline is
#: three read timeouts (180 s) unless one is given.
DEFAULT_TIMEOUT = (5.0, 60.0)
#: Identifiers per ``bulk_enroll`` request (no documented limit; this keeps
#: one request short).
BULK_ENROLL_CHUNK_SIZE = 100
#: Statuses of a list page that carry records.
LIST_STATUSES = (200, 207, 422)
#: Statuses of an enrollment write that carry per-learner results.
WRITE_STATUSES = (200, 207, 422)
#: What a chunk's failure may be (anything else is a bug): the request
#: failed, or its answer cannot be read.
CHUNK_FAILURES = (requests.RequestException, PyLmodBadResponse,
                  PyLmodUnexpectedAnswer)

__all__ = ['DEFAULT_TIMEOUT', 'DEFAULT_WORKERS', 'BULK_ENROLL_CHUNK_SIZE',
           'LearnerResult', 'OpenEdxClient', 'chunked']


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Yield ``items`` in slices of at most ``size``."""
    if size < 1:
        raise ValueError('chunk size must be at least 1, got {0}'.format(size))
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _limits(timeout: Union[float, Tuple[float, float], Limits],
            deadline: Optional[float],
            max_response_bytes: Optional[int]) -> Limits:
    """The limits of an :class:`OpenEdxClient`'s calls, from its
    arguments."""
    if isinstance(timeout, Limits):
        if deadline is not None or max_response_bytes is not None:
            raise ValueError('the limits are given twice: pass a deadline '
                             'and max_response_bytes in the Limits, or a '
                             'timeout in seconds')
        return timeout
    # deadline=0 means the default deadline, as it always did here.
    return Limits(timeout, deadline=deadline or None,
                  max_response_bytes=MAX_RESPONSE_BYTES
                  if max_response_bytes is None else max_response_bytes)


class OpenEdxClient:
    """The Open edX calls of the bridge, over an authenticated session.

    The program calls are written relative to
    ``/api/program_enrollments/v1/``.  The learner calls (a learner's
    programs, the mobile users API) answer other tokens: the mobile users
    API answers only the learner's own (403 for anyone else, staff and
    service users included: build the client over
    :func:`pylmod.openedx.learner.learner_session`); the program overview
    and the programs readable answer for the token's user; a learner's
    course runs in a program answer the learner, or staff.

    Args:
        session: a :class:`requests.Session` that authenticates its requests
            (e.g. ``edx_rest_api_client.client.OAuthAPIClient``, or
            :func:`pylmod.openedx.auth.oauth_session`).
        base_url: the LMS root, e.g. ``https://lms.example.edu``.
        timeout: seconds (or a ``(connect, read)`` pair) per attempt, or
            the :class:`~pylmod._transport.bounds.Limits` of every call
            (``pylmod.base.Limits``; then give no ``deadline`` nor
            ``max_response_bytes``).
        deadline: seconds a whole call may take, retries and waits
            included (default three read timeouts).
        max_response_bytes: the largest answer accepted, decompressed
            (default 256 MiB).
        page_size: ``page_size`` asked of paginated lists (``None``: the
            largest the API accepts, see
            :attr:`~pylmod.openedx.endpoints.OpenEdxEndpoint.largest_page_size`).
        write_chunk_size: learners per enrollment write, at most 25.
        workers: write requests in flight at once (1: one after the other).

    Raises:
        ValueError: ``write_chunk_size`` or ``workers`` out of range, or
            limits given twice.

    Attributes:
        limits (Limits): the limits of every call.

    Example:

    .. code-block:: python

        from pylmod.openedx import OpenEdxClient, oauth_session

        session = oauth_session(LMS_URL, CLIENT_ID, CLIENT_SECRET, workers=8)
        client = OpenEdxClient(session, LMS_URL, workers=8)
        for record in client.get_program_course_grades(program, course):
            print(record['student_key'], record.get('percent'))
    """

    def __init__(self, session: requests.Session, base_url: str, *,
                 timeout: Union[float, Tuple[float, float], Limits] = (
                     DEFAULT_TIMEOUT),
                 page_size: Optional[int] = None,
                 write_chunk_size: int = MAX_LEARNERS_PER_WRITE,
                 workers: int = DEFAULT_WORKERS,
                 deadline: Optional[float] = None,
                 max_response_bytes: Optional[int] = None) -> None:
        if not 1 <= write_chunk_size <= MAX_LEARNERS_PER_WRITE:
            raise ValueError(
                'write_chunk_size must be 1..{0}, got {1}'.format(
                    MAX_LEARNERS_PER_WRITE, write_chunk_size))
        self.session = session
        self.base_url = base_url.rstrip('/')
        self.limits = _limits(timeout, deadline, max_response_bytes)
        self.page_size = page_size
        self.write_chunk_size = write_chunk_size
        self.workers = check_workers(workers)

    @property
    def timeout(self) -> Tuple[Optional[float], Optional[float]]:
        """The ``(connect, read)`` timeouts of each attempt."""
        return self.limits.timeout

    def url(self, endpoint: str, **ids: str) -> str:
        """Return the absolute URL of an endpoint row, ``ids`` filled in."""
        return self.base_url + ENDPOINTS[endpoint].format(**ids)

    def _send(self, method: str, url: str, what: str, expected: Sequence[int],
              **kwargs: Any) -> requests.Response:
        """One call within its bounds; a write follows no redirect."""
        bounds = CallBounds(self.limits.deadline,
                            self.limits.max_response_bytes,
                            'Open edX: ' + what)
        try:
            # stream=True and a DeadlineTimeout: the bounds hold on any
            # session, not only on one with a DeadlineAdapter.
            response = send_bounded(
                partial(self.session.request, method), url, bounds,
                deadline_timeout(self.limits.timeout, bounds), stream=True,
                allow_redirects=method == 'GET', **kwargs)
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
        if response.is_redirect:
            raise redirected(response, url, 'Open edX')
        if response.status_code == 429:
            raise throttled_error(what, response, bounds.gave_up)
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

        ``GET <endpoint>?page_size=N`` then each ``next`` URL as given, one
        after the other (a cursor names the next page only once this one is
        read).

        Args:
            endpoint: the endpoint row's name.
            page_size: records per page (default: the client's, else the
                largest the endpoint accepts).
            ids: the path ids.

        Yields:
            dict: ``{'status': int, 'results': [...]}`` per page; a 204 is one
            empty page.

        Raises:
            OpenEdxHTTPError: any other status (401, 403, 404, ...).
            PyLmodBadResponse: a page that is not JSON.
        """
        url: Optional[str] = self.url(endpoint, **ids)
        size = page_size or self.page_size or ENDPOINTS[
            endpoint].largest_page_size
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

    def _write_chunk(self, method: str, url: str, what: str,
                     chunk: Sequence[Dict[str, Any]]) -> Tuple[int, Any]:
        response = self._send(method, url, what, WRITE_STATUSES,
                              json=list(chunk))
        return response.status_code, self._json(response, what)

    def write_enrollments(self, endpoint: str, method: str,
                          enrollments: Sequence[Mapping[str, Any]],
                          key_field: str = STUDENT_KEY,
                          **ids: str) -> List[LearnerResult]:
        """``POST|PATCH|PUT`` an enrollment list in chunks of at most 25,
        up to :attr:`workers` chunks at a time.

        Args:
            endpoint: ``'program_enrollments'`` or
                ``'program_course_enrollments'``.
            method: ``'POST'`` (create), ``'PATCH'`` (update) or ``'PUT'``.
            enrollments: the request items; each names its learner with
                ``student_key`` (an item with ``external_user_key`` only,
                as pylmod 2.0.0 documented, is renamed with a warning).
            key_field: the item field naming the learner (``student_key``,
                what Open edX reads).
            ids: the path ids.

        Returns:
            list: one :class:`LearnerResult` per item, in input order.

        Raises:
            OpenEdxHTTPError: a chunk answered neither 200, 207 nor 422 (or
                the request failed).  No chunk starts after it; those in
                flight finish.  ``learner_results`` holds what was answered,
                ``unsent`` the keys not confirmed, ``failures`` the chunks
                that failed (see :class:`~pylmod.openedx.errors.
                OpenEdxHTTPError`).
        """
        row = ENDPOINTS[endpoint]
        if method not in row.methods or method == 'GET':
            raise ValueError('{0} does not accept {1}'.format(
                endpoint, method))
        items = wire_items(enrollments)
        if key_field == 'external_user_key':
            key_field = STUDENT_KEY
        what = '{0} {1}'.format(method, endpoint)
        outcomes = send_chunks(
            partial(self._write_chunk, method, self.url(endpoint, **ids),
                    what),
            list(chunked(items, self.write_chunk_size)), self.workers,
            CHUNK_FAILURES)
        results: List[LearnerResult] = []
        for outcome in outcomes:
            if outcome.answer is not None:
                results.extend(learner_results(
                    row.ok_results, outcome.items, key_field,
                    *outcome.answer))
        failed = sum(1 for result in results if not result.ok)
        log.info('%s: %d learners, %d not ok', what, len(results), failed)
        if any(outcome.error is not None for outcome in outcomes):
            raise chunk_error(what, outcomes, results,
                              lambda item: str(item.get(key_field)))
        return results

    def write_program_enrollments(
            self, program_uuid: str,
            enrollments: Sequence[Mapping[str, Any]],
            method: str = 'POST') -> List[LearnerResult]:
        """``POST|PATCH|PUT programs/{program_uuid}/enrollments/``

        Args:
            program_uuid: the program.
            enrollments: ``{'student_key', 'status', 'curriculum_uuid'}``
                items (curriculum optional on PATCH).
            method: ``'POST'`` creates, ``'PATCH'`` updates, ``'PUT'`` both.

        Returns:
            list: one :class:`LearnerResult` per learner.
        """
        return self.write_enrollments(
            'program_enrollments', method, enrollments, STUDENT_KEY,
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
            'program_course_enrollments', method, enrollments, STUDENT_KEY,
            program_uuid=program_uuid, course_id=course_id)

    def _bulk_chunk(self, what: str, body: Dict[str, Any],
                    chunk: Sequence[str]) -> List[Dict[str, Any]]:
        response = self._send('POST', self.url('bulk_enroll'), what, (200,),
                              json=dict(body, identifiers=','.join(chunk)))
        answer = self._json(response, what)
        with reading(answer, 'OpenEdxClient.bulk_enroll', 'Open edX'):
            return [dict(result, course=course)
                    for course, course_answer in (answer.get('courses')
                                                  or {}).items()
                    for result in course_answer.get('results') or []]

    def bulk_enroll(self, identifiers: Iterable[str], courses: Sequence[str],
                    action: str = 'enroll',
                    cohorts: Optional[Sequence[str]] = None,
                    auto_enroll: bool = True, email_students: bool = False,
                    chunk_size: int = BULK_ENROLL_CHUNK_SIZE
                    ) -> List[Dict[str, Any]]:
        """``POST /api/bulk_enroll/v1/bulk_enroll/``

        Enroll (or unenroll) learners by email in one or more courses,
        ``chunk_size`` identifiers a request, up to :attr:`workers`
        requests at a time.  Open edX allows it to staff only.

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
            list: the per-identifier results of every request, in input
            order, each ``{'identifier', 'before', 'after'}`` (or
            ``invalidIdentifier`` / ``error``) plus ``'course'``: the course
            key.

        Raises:
            OpenEdxHTTPError: Open edX answered anything but 200 (400 for a
                bad course key or a cohort count that is not the course
                count, 403 for a user who is not staff); ``unsent`` lists
                the identifiers not confirmed, ``learner_results`` the
                results of the requests answered, ``failures`` the
                requests that failed.
        """
        if action not in ('enroll', 'unenroll'):
            raise ValueError('action must be enroll or unenroll, got {0!r}'
                             .format(action))
        if cohorts is not None and len(cohorts) != len(courses):
            raise ValueError('give one cohort per course ({0} courses, {1} '
                             'cohorts)'.format(len(courses), len(cohorts)))
        identifiers = list(identifiers)
        what = 'POST bulk_enroll ({0})'.format(action)
        body: Dict[str, Any] = {
            'auto_enroll': auto_enroll, 'email_students': email_students,
            'action': action, 'courses': ','.join(courses)}
        if cohorts is not None:
            body['cohorts'] = ','.join(cohorts)
        outcomes = send_chunks(partial(self._bulk_chunk, what, body),
                               list(chunked(identifiers, chunk_size)),
                               self.workers, CHUNK_FAILURES)
        results = [result for outcome in outcomes
                   for result in outcome.answer or ()]
        log.info('%s: %d identifiers, %d results', what, len(identifiers),
                 len(results))
        if any(outcome.error is not None for outcome in outcomes):
            raise chunk_error(what, outcomes, results, str)
        return results

    # The learner calls.

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
