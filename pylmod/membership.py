"""The LMod membership client: :class:`Membership` (groups, course guide).

One short method per call of :data:`pylmod.endpoints.ENDPOINTS` (each made
with :func:`pylmod.endpoints.call`), plus lookups over their results.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, List, Optional

from pylmod.answer import reading
from pylmod.base import DEFAULT_URLBASE, Base
from pylmod.endpoints import MEMBERSHIP, call, mount_create_policies
from pylmod.exceptions import (
    PyLmodMissingId,
    PyLmodNoSuchCourse,
    PyLmodUnexpectedData,
)

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from pylmod.shapes import (
        CourseGuideStaffMember,
        GroupAnswer,
        GroupMembersAnswer,
    )

log = logging.getLogger(__name__)


class Membership(Base):
    """Provide API for functions that return group membership data from
    MIT Learning Modules Web service.

    Args:
        cert (str): the client certificate (see :class:`pylmod.base.Base`)
        urlbase (str): the LMod server, default production
        uuid (str): course uuid, i.e. ``/project/mitxdemosite``; when given,
            the constructor looks up :attr:`course_id`.
        transport_options: ``verify``, ``timeout``, ``retries``,
            ``cert_password``, ``deadline``, ``max_response_bytes`` and
            ``allow_http`` as for :class:`pylmod.base.Base`.

    Attributes:
        uuid (str): the default uuid of the group methods.
        course_id (int): the default course of :meth:`get_course_guide_staff`
            (``None`` unless ``uuid`` was given).

    Example:

    .. code-block:: python

        membership = Membership('/path/to/cert.pem',
                                uuid='/project/mitxdemosite')
        membership.email_has_role('hduck@mit.edu', 'TA')
    """

    SERVICE = MEMBERSHIP

    def __init__(self, cert: Any, urlbase: str = DEFAULT_URLBASE,
                 uuid: Optional[str] = None, **transport_options: Any) -> None:
        super().__init__(cert, urlbase, **transport_options)
        mount_create_policies(self)
        self.course_id: Optional[Any] = None
        self.uuid = uuid
        if uuid is not None:
            self.course_id = self.get_course_id(uuid)

    @staticmethod
    def _required(value: Any, what: str) -> Any:
        if value is None or value == '':
            raise PyLmodMissingId(
                'No {0}: pass it to the method, or uuid= to '
                'Membership().'.format(what))
        return value

    def get_group(self, uuid: Optional[str] = None) -> GroupAnswer:
        """``GET service/membership/group?uuid=<uuid>``

        Get group data based on uuid.

        Args:
            uuid (str): optional uuid. defaults to self.uuid

        Raises:
            requests.RequestException: Exception connection error

        Returns:
            dict: group json, e.g. ``{'response': {'docs': [{'id': 1000000,
            ...}]}}``
        """
        if uuid is None:
            uuid = self.uuid
        return call(self, 'group', uuid=uuid)

    def get_group_id(self, uuid: Optional[str] = None) -> int:
        """Get group id based on uuid (via :meth:`get_group`).

        Args:
            uuid (str): optional uuid. defaults to self.uuid

        Raises:
            PyLmodUnexpectedData: No group data was returned.
            requests.RequestException: Exception connection error

        Returns:
            int: numeric group id
        """
        group_data = self.get_group(uuid)
        try:
            with reading(group_data, 'Membership.get_group_id'):
                return group_data['response']['docs'][0]['id']
        except PyLmodUnexpectedData:
            # The log line of 1.0.x, which callers' tests look for.
            log.exception('Error in get_group response data - '
                          'got {0}'.format(group_data))
            raise

    def get_membership(self, uuid: Optional[str] = None
                       ) -> GroupMembersAnswer:
        """``GET service/membership/group/{groupId}/member``

        Get membership data based on uuid (the group id comes from
        :meth:`get_group_id`).

        Args:
            uuid (str): optional uuid. defaults to self.uuid

        Raises:
            PyLmodUnexpectedData: No data was returned.
            requests.RequestException: Exception connection error

        Returns:
            dict: membership json, e.g. ``{'response': {'docs': [{'email':
            'hduck@mit.edu', 'roleType': 'TA'}, ...]}}``
        """
        group_id = self.get_group_id(uuid=uuid)
        return call(self, 'group_members', groupId=group_id)

    def email_has_role(self, email: str, role_name: str,
                       uuid: Optional[str] = None) -> bool:
        """Determine if an email is associated with a role.

        Args:
            email (str): user email (compared exactly)
            role_name (str): user role, i.e. ``TA``, ``Instructor``
            uuid (str): optional uuid. defaults to self.uuid

        Raises:
            PyLmodUnexpectedData: Unexpected data was returned.
            requests.RequestException: Exception connection error

        Returns:
            bool: True or False if email has role_name
        """
        mbr_data = self.get_membership(uuid=uuid)
        try:
            with reading(mbr_data, 'Membership.email_has_role'):
                return any((x.get('email') == email
                            and x.get('roleType') == role_name)
                           for x in mbr_data['response']['docs'])
        except PyLmodUnexpectedData as err:
            log.exception('{0} in membership data - got {1}'.format(
                _kind(err), mbr_data))
            raise

    def get_course_id(self, course_uuid: str) -> int:
        """``GET service/membership/courseguide/course?uuid=<course_uuid>``

        Get course id based on uuid.  The uuid is written into the path as
        it is (the real service expects it so), not encoded as a parameter.

        Args:
            course_uuid (str): course uuid, i.e. ``/project/mitxdemosite``

        Raises:
            PyLmodUnexpectedData: No course data was returned (no such
                key, or not a JSON object).
            PyLmodNoSuchCourse: an empty list of docs: no such course (a
                ``PyLmodUnexpectedData`` and an ``IndexError``).
            requests.RequestException: Exception connection error

        Returns:
            int: numeric course id
        """
        uuid = self._required(course_uuid or self.course_id, 'course uuid')
        course_data = call(self, 'course', uuid=uuid)
        try:
            with reading(course_data, 'Membership.get_course_id'):
                docs = course_data['response']['docs']
                if not (isinstance(docs, list) and not docs):
                    return docs[0]['id']
        except PyLmodUnexpectedData as err:
            log.exception('{0} in get_course_id - got {1}'.format(
                _kind(err), course_data))
            raise
        # Also an IndexError: what 1.0.x callers catch for this case.
        failure_message = ('No course with uuid {0!r} in get_course_id '
                           '- got {1}'.format(uuid, course_data))
        log.error(failure_message)
        raise PyLmodNoSuchCourse(failure_message)

    def get_course_guide_staff(self, course_id: Any = ''
                               ) -> List[CourseGuideStaffMember]:
        """``GET service/membership/courseguide/course/{courseId}/staff``

        Get a list of staff members for a given course, specified by a
        course id.

        Args:
            course_id (int): unique identifier for course, i.e. ``2314``;
                defaults to self.course_id

        Raises:
            requests.RequestException: Exception connection error
            ValueError: Unable to decode response content

        Returns:
            list: ``[{'displayName': 'Huey Duck', 'role': 'TA',
            'sortableDisplayName': 'Duck, Huey'}, ...]``
        """
        course_id = self._required(course_id or self.course_id, 'course id')
        staff_data = call(self, 'course_staff', courseId=course_id)
        with reading(staff_data, 'Membership.get_course_guide_staff'):
            return staff_data['response']['docs']  # type: ignore[no-any-return]


def _kind(err: BaseException) -> str:
    """The built-in error (``KeyError``, ``TypeError`` ...) an error is, as
    1.0.x logged it."""
    return next((kind.__name__ for kind in (KeyError, TypeError, IndexError,
                                            AttributeError)
                 if isinstance(err, kind)), type(err).__name__)
