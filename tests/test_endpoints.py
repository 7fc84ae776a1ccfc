"""pylmod.endpoints: the table the clients make their calls from."""
import doctest

import pytest

import pylmod.endpoints
from pylmod.base import Base
from pylmod.endpoints import ENDPOINTS, call

URLBASE = 'https://learning-modules-test.mit.edu:8443/'


def test_query_pairs_the_row_params_with_values_in_order():
    assert ENDPOINTS['assignments'].query(True, False, 'x') == {
        'includeMaxPoints': 'true', 'includeAvgStats': 'false',
        'includeGradingStats': 'x'}
    assert ENDPOINTS['group'].query(None) == {'uuid': None}
    assert ENDPOINTS['staff'].query() == {}


def test_query_needs_one_value_per_param():
    with pytest.raises(TypeError, match='includeMembers'):
        ENDPOINTS['sections'].query()


def test_only_the_assignment_create_is_a_create():
    assert [row.name for row in ENDPOINTS.values() if row.creates] == [
        'create_assignment']


@pytest.mark.parametrize('name, args, ids, method, url', [
    ('sections', (False,), {'gradebookId': 7}, 'GET',
     'sections/7?includeMembers=false'),
    ('course', (), {'uuid': '/project/x'}, 'GET',
     'courseguide/course?uuid=/project/x'),
    ('multi_grade', (), {'gradebookId': 7}, 'POST', 'multiGrades/7'),
    ('delete_assignment', (), {'assignmentId': 3}, 'DELETE', 'assignment/3'),
])
def test_call_makes_the_request_of_the_row(cert_path, lmod_mock, name, args,
                                           ids, method, url):
    lmod_mock.add(method, URLBASE + url.partition('?')[0],
                  json={'status': 1})
    body = [] if method == 'POST' else None
    assert call(Base(cert_path, URLBASE), name, *args, body=body,
                **ids) == {'status': 1}
    request = lmod_mock.calls[0].request
    assert (request.method, request.url) == (method, URLBASE + url)
    if method == 'POST':
        assert request.body == '[]'


def test_docstring_examples_hold():
    result = doctest.testmod(pylmod.endpoints)
    assert result.attempted and not result.failed
