"""Request-level tests of pylmod.membership.Membership (the LMod contract)."""
import pytest
from responses import matchers

from pylmod.exceptions import (
    PyLmodMissingId,
    PyLmodNoSuchCourse,
    PyLmodUnexpectedData,
)
from pylmod.membership import Membership

URLBASE = 'https://learning-modules-test.mit.edu:8443/'
ROOT = URLBASE + 'service/membership/'
COURSE_UUID = '/project/mitxdemosite'
COURSE_ID = 2314
GROUP_ID = 1000000


@pytest.fixture
def membership(cert_path, lmod_mock, lmod_payload):
    """A Membership built with ``uuid``, so with a ``course_id``."""
    lmod_mock.get(ROOT + 'courseguide/course?uuid=' + COURSE_UUID,
                  json=lmod_payload('course_response'))
    client = Membership(cert_path, URLBASE, uuid=COURSE_UUID)
    lmod_mock.calls.reset()
    return client


def register_group(lmod_mock, body, uuid=COURSE_UUID):
    lmod_mock.get(ROOT + 'group',
                  match=[matchers.query_param_matcher({'uuid': uuid})],
                  json=body)


def test_constructor_looks_up_course_id_with_uuid_in_the_path(
        cert_path, lmod_mock, lmod_payload):
    lmod_mock.get(ROOT + 'courseguide/course?uuid=' + COURSE_UUID,
                  json=lmod_payload('course_response'))
    membership = Membership(cert_path, URLBASE[:-1], COURSE_UUID)
    assert membership.urlbase == ROOT
    assert membership.uuid == COURSE_UUID
    assert membership.course_id == COURSE_ID
    # Written into the path as is, not encoded as a query parameter.
    assert lmod_mock.calls[0].request.url == (
        ROOT + 'courseguide/course?uuid=/project/mitxdemosite')


def test_constructor_without_uuid_makes_no_request(cert_path, lmod_mock):
    membership = Membership(cert_path, URLBASE)
    assert membership.uuid is None
    assert membership.course_id is None
    assert len(lmod_mock.calls) == 0


def test_get_group_uses_own_uuid(membership, lmod_mock, lmod_payload):
    group = lmod_payload('group_response')
    register_group(lmod_mock, group)
    assert membership.get_group() == group


def test_get_group_with_uuid(membership, lmod_mock, lmod_payload):
    group = lmod_payload('group_response')
    register_group(lmod_mock, group, uuid='/project/other')
    assert membership.get_group('/project/other') == group


def test_get_group_id(membership, lmod_mock, lmod_payload):
    register_group(lmod_mock, lmod_payload('group_response'))
    assert membership.get_group_id() == GROUP_ID


@pytest.mark.parametrize('body', [
    {'response': {'docs': []}},
    {'response': {}},
    {'status': -1, 'message': 'no such group'},
])
def test_get_group_id_unexpected_data(membership, lmod_mock, body):
    register_group(lmod_mock, body)
    with pytest.raises(PyLmodUnexpectedData):
        membership.get_group_id()


def test_get_membership(membership, lmod_mock, lmod_payload):
    register_group(lmod_mock, lmod_payload('group_response'))
    members = lmod_payload('group_members_response')
    lmod_mock.get(ROOT + 'group/{0}/member'.format(GROUP_ID), json=members)
    assert membership.get_membership() == members
    assert lmod_mock.calls[1].request.url == (
        ROOT + 'group/{0}/member'.format(GROUP_ID))


@pytest.mark.parametrize('email, role, expected', [
    ('hduck@mit.edu', 'TA', True),
    ('benfranklin@mit.edu', 'Instructor', True),
    ('hduck@mit.edu', 'Instructor', False),
    ('HDUCK@mit.edu', 'TA', False),
    ('nobody@mit.edu', 'TA', False),
])
def test_email_has_role(membership, lmod_mock, lmod_payload, email, role,
                        expected):
    register_group(lmod_mock, lmod_payload('group_response'))
    lmod_mock.get(ROOT + 'group/{0}/member'.format(GROUP_ID),
                  json=lmod_payload('group_members_response'))
    assert membership.email_has_role(email, role) is expected


def test_email_has_role_without_docs(membership, lmod_mock, lmod_payload):
    register_group(lmod_mock, lmod_payload('group_response'))
    lmod_mock.get(ROOT + 'group/{0}/member'.format(GROUP_ID),
                  json=lmod_payload('error_response'))
    with pytest.raises(PyLmodUnexpectedData):
        membership.email_has_role('hduck@mit.edu', 'TA')


def test_get_course_id(membership, lmod_mock, lmod_payload):
    lmod_mock.get(ROOT + 'courseguide/course?uuid=/project/other',
                  json=lmod_payload('course_response'))
    assert membership.get_course_id('/project/other') == COURSE_ID


@pytest.mark.parametrize('body', [
    {'response': {'docs': {'enabled': True}}},  # KeyError
    ['arnold'],  # TypeError
    {'nada': 'nothing'},  # KeyError
    {'response': None},  # TypeError
    {'response': {'docs': []}},  # IndexError: no such course
])
def test_get_course_id_unexpected_data(membership, lmod_mock, body):
    lmod_mock.get(ROOT + 'courseguide/course?uuid=' + COURSE_UUID, json=body)
    with pytest.raises(PyLmodUnexpectedData):
        membership.get_course_id(COURSE_UUID)


def test_get_course_id_of_no_course_is_also_an_index_error(membership,
                                                          lmod_mock):
    # PyLmod 1.0.x let the IndexError of an empty list of docs through;
    # callers that catch it keep working.
    lmod_mock.get(ROOT + 'courseguide/course?uuid=/project/nosuch',
                  json={'response': {'docs': [], 'numFound': 0}})
    with pytest.raises(IndexError) as raised:
        membership.get_course_id('/project/nosuch')
    assert isinstance(raised.value, PyLmodNoSuchCourse)
    assert isinstance(raised.value, PyLmodUnexpectedData)
    assert '/project/nosuch' in str(raised.value)


def test_get_course_guide_staff_uses_own_course_id(membership, lmod_mock,
                                                   lmod_payload):
    staff = lmod_payload('course_guide_staff_response')
    lmod_mock.get(ROOT + 'courseguide/course/{0}/staff'.format(COURSE_ID),
                  json=staff)
    assert membership.get_course_guide_staff() == staff['response']['docs']


def test_get_course_guide_staff_with_course_id(cert_path, lmod_mock,
                                               lmod_payload):
    staff = lmod_payload('course_guide_staff_response')
    lmod_mock.get(ROOT + 'courseguide/course/42/staff', json=staff)
    membership = Membership(cert_path, URLBASE)
    assert membership.get_course_guide_staff(42) == staff['response']['docs']


def test_get_course_guide_staff_without_course_id(cert_path, lmod_mock):
    with pytest.raises(PyLmodMissingId) as raised:
        Membership(cert_path, URLBASE).get_course_guide_staff()
    assert 'uuid=' in str(raised.value)
    assert len(lmod_mock.calls) == 0
