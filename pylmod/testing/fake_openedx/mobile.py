"""The mobile users API of the fake Open edX (``lms.djangoapps.mobile_api.
users``): a learner's identity, course enrollments and course position.

Every view's ``permission_classes`` are ``IsAuthenticated`` and
``IsUserInUrl``: only the user named in the URL may call it (usernames
compared without case, as ``IsUserInUrl`` does); anyone else, staff or
service user, is answered 403.  Shapes follow the seed documentation:
``UserSerializer`` (``id, username, email, name, course_enrollments``),
``CourseEnrollmentSerializer`` (``audit_access_expires`` (not in v0.5),
``created, mode, is_active, course, certificate, course_modes``; active
enrollments only, newest first, ``?org=`` filters) and ``UserCourseStatus``
(GET; PATCH of ``last_visited_module_id`` with an optional
``modification_date`` that must be later than the stored one to count).
The 400 bodies of a bad PATCH are edx-platform's ``mobile_api.errors``
(the seed docs do not show them).
"""
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from pylmod.testing.fake_openedx.records import (
    Account,
    Call,
    CourseRun,
    course_block_id,
    course_parts,
)
from pylmod.testing.fake_openedx.rules import Answer
from pylmod.testing.fake_openedx.tokens import Identity

#: The versions the seed docs describe (``UserCourseEnrollmentsList``: v1
#: returns every enrollment, v0.5 only those still accessible).
MOBILE_VERSIONS = ('v0.5', 'v1')
FORBIDDEN = {'detail': 'You do not have permission to perform this action.'}
NOT_FOUND = {'detail': 'Not found.'}


def _error(code: str, message: str) -> Dict[str, Any]:
    return {'errors': {'code': code, 'message': message}}


def answer_mobile_call(accounts: Dict[str, Account],
                       courses: Dict[str, CourseRun], call: Call) -> Answer:
    """Answer a mobile users API call for ``call.identity``."""
    identity: Identity = call.identity
    username = call.ids['username']
    if call.ids['version'] not in MOBILE_VERSIONS:
        return 404, NOT_FOUND
    if identity.username.lower() != username.lower():
        return 403, FORBIDDEN
    account = next((found for found in accounts.values()
                    if found.username.lower() == username.lower()), None)
    if account is None:
        return 404, NOT_FOUND
    if call.name == 'mobile_user':
        return 200, {
            'id': account.id, 'username': account.username,
            'email': account.email, 'name': account.name,
            'course_enrollments': '{0}/api/mobile/{1}/users/{2}/'
            'course_enrollments/'.format(call.site_url, call.ids['version'],
                                         account.username)}
    if call.name == 'mobile_course_enrollments':
        return 200, _enrollments(account, courses, call)
    course = courses.get(call.ids['course_id'])
    if course is None or account.email not in course.enrolled:
        return 404, NOT_FOUND
    details = course.details[account.email]
    if call.method == 'PATCH':
        error = _patch_status(call.ids['course_id'], details, call.body)
        if error is not None:
            return 400, error
    return 200, _status(call.ids['course_id'], details, call.ids['version'])


def course_info(course_key: str, course: CourseRun,
                base_url: str) -> Dict[str, Any]:
    """The ``course`` of an enrollment, with the documented keys."""
    parts = course_parts(course_key)
    api = '{0}/api/mobile/v1/course_info/{1}'.format(base_url, course_key)
    return dict(
        id=course_key, name=course.name or parts['number'],
        number=parts['number'], org=parts['org'], start=course.start,
        start_display=course.start[:10], start_type='timestamp',
        end=course.end, courseware_access={'has_access': True},
        course_about='{0}/courses/{1}/about'.format(base_url, course_key),
        course_sharing_utm_parameters={}, course_handouts=api + '/handouts',
        course_image='/asset-v1:{0}+type@asset+block@images_course_image.jpg'
        .format(course_key.split(':', 1)[-1]),
        course_updates=api + '/updates', discussion_url=None,
        subscription_id=course_key.split(':', 1)[-1].replace('+', '_'),
        video_outline='{0}/api/mobile/v1/video_outlines/courses/{1}'.format(
            base_url, course_key))


def _enrollments(account: Account, courses: Dict[str, CourseRun],
                 call: Call) -> List[Dict[str, Any]]:
    org = call.params.get('org')
    rows = []
    for key, course in courses.items():
        if account.email not in course.enrolled or (
                org and course_parts(key)['org'] != org):
            continue
        details = course.details[account.email]
        url = details.get('certificate_url')
        row = {'audit_access_expires': None, 'created': details['created'],
               'mode': details['mode'], 'is_active': True,
               'course': course_info(key, course, call.site_url),
               'certificate': {'url': url} if url else {},
               'course_modes': [{'slug': details['mode'],
                                 'name': details['mode'].title(),
                                 'min_price': 0, 'currency': 'usd'}]}
        if call.ids['version'] == 'v0.5':
            del row['audit_access_expires']
        rows.append(row)
    return sorted(rows, key=lambda row: row['created'], reverse=True)


def _status(course_key: str, details: Dict[str, Any],
            version: str) -> Dict[str, Any]:
    root = course_block_id(course_key)
    module = details.get('last_visited_module_id') or root
    answer = {'last_visited_module_id': module,
              'last_visited_module_path': [module] + (
                  [root] if module != root else [])}
    if version == 'v1':
        answer['last_visited_block_id'] = module
    return answer


def _parse_date(text: Any) -> Optional[datetime]:
    try:
        date = datetime.fromisoformat(str(text).replace('Z', '+00:00'))
    except ValueError:
        return None
    # A date without a zone is UTC, as Django's USE_TZ reads it.
    return date if date.tzinfo else date.replace(tzinfo=timezone.utc)


def _patch_status(course_key: str, details: Dict[str, Any],
                  body: Any) -> Optional[Dict[str, Any]]:
    """Store the last visited module of a PATCH; the error body if it is
    not a block of the course or the date cannot be read."""
    body = body if isinstance(body, dict) else {}
    module = body.get('last_visited_module_id')
    prefix = 'block-v1:{0}+type@'.format(course_key.split(':', 1)[-1])
    if module is not None and not str(module).startswith(prefix):
        return _error('invalid-module-id',
                      'Could not find module for module_id')
    date = None
    if body.get('modification_date') is not None:
        date = _parse_date(body['modification_date'])
        if date is None:
            return _error('invalid-modification-date',
                          'Could not parse modification_date')
    saved = details.get('modification_date')
    if module is not None and (date is None or saved is None
                               or date > saved):
        details['last_visited_module_id'] = module
        details['modification_date'] = date or saved
    return None
