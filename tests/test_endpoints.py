"""pylmod.endpoints: the table the clients make their calls from."""
import doctest

import pytest

import pylmod.endpoints
from pylmod.base import Base
from pylmod.endpoints import ENDPOINTS, call

URLBASE = 'https://learning-modules-test.mit.edu:8443/'


def test_query_gives_each_row_param_its_value_in_the_row_order():
    query = ENDPOINTS['assignments'].query(
        includeGradingStats='x', includeAvgStats=False,
        includeMaxPoints=True)
    assert list(query.items()) == [
        ('includeMaxPoints', 'true'), ('includeAvgStats', 'false'),
        ('includeGradingStats', 'x')]
    assert ENDPOINTS['group'].query(uuid=None) == {'uuid': None}
    assert ENDPOINTS['staff'].query() == {}


def test_query_needs_a_value_for_each_param_and_no_other():
    with pytest.raises(TypeError, match='includeMembers'):
        ENDPOINTS['sections'].query()
    with pytest.raises(TypeError, match='includeMembrs'):
        ENDPOINTS['sections'].query(includeMembers=True, includeMembrs=True)


def test_call_needs_a_value_for_each_path_name(cert_path):
    with pytest.raises(TypeError, match='gradebookId'):
        call(Base(cert_path, URLBASE), 'staff')
    with pytest.raises(TypeError, match='gradebookid'):
        call(Base(cert_path, URLBASE), 'staff', gradebookId=1,
             gradebookid=1)


def test_only_the_assignment_create_is_a_create():
    assert [row.name for row in ENDPOINTS.values() if row.creates] == [
        'create_assignment']


@pytest.mark.parametrize('name, values, method, url', [
    ('sections', {'includeMembers': False, 'gradebookId': 7}, 'GET',
     'sections/7?includeMembers=false'),
    ('course', {'uuid': '/project/x'}, 'GET',
     'courseguide/course?uuid=/project/x'),
    ('multi_grade', {'gradebookId': 7}, 'POST', 'multiGrades/7'),
    ('delete_assignment', {'assignmentId': 3}, 'DELETE', 'assignment/3'),
])
def test_call_makes_the_request_of_the_row(cert_path, lmod_mock, name, values,
                                           method, url):
    lmod_mock.add(method, URLBASE + url.partition('?')[0],
                  json={'status': 1})
    body = [] if method == 'POST' else None
    assert call(Base(cert_path, URLBASE), name, body=body,
                **values) == {'status': 1}
    request = lmod_mock.calls[0].request
    assert (request.method, request.url) == (method, URLBASE + url)
    if method == 'POST':
        assert request.body == '[]'


def test_docstring_examples_hold():
    result = doctest.testmod(pylmod.endpoints)
    assert result.attempted and not result.failed
