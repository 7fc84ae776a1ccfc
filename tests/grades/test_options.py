"""pylmod.grades.options: what an upload is asked to do, checked once."""
import dataclasses
import inspect

import pytest

import pylmod.gradebook
from pylmod import GradeBook
from pylmod.grades.batches import DEFAULT_BATCH_SIZE
from pylmod.grades.options import (
    DEFAULT_MAX_POINTS,
    MAX_NEW_ASSIGNMENTS,
    UploadOptions,
)
from pylmod.grades.report import UploadReport
from pylmod.testing import DEMO_GRADEBOOK_UUID

UPLOAD_METHODS = [GradeBook.spreadsheet2gradebook,
                  GradeBook._spreadsheet2gradebook_multi]


def test_the_defaults_are_those_of_pylmod_2():
    options = UploadOptions()
    assert options.batch_size == DEFAULT_BATCH_SIZE == 20000
    assert options.max_new_assignments == MAX_NEW_ASSIGNMENTS == 20
    assert options.email_column == 'External email'
    assert options.columns_not_assignments() == [
        'ID', 'Username', 'Full Name', 'edX email', 'External email']
    assert not (options.dry_run or options.approve_grades
                or options.use_max_points_column)


@pytest.mark.parametrize('method', UPLOAD_METHODS)
def test_the_gradebook_methods_show_the_options_defaults(method):
    # GradeBook writes its defaults out (import pylmod loads no pipeline):
    # they must stay the options' own.
    parameters = inspect.signature(method).parameters
    defaults = {field.name: field.default
                for field in dataclasses.fields(UploadOptions)}
    for name, parameter in parameters.items():
        if parameter.default is not parameter.empty and name in defaults:
            expected = None if name == 'batch_size' else defaults[name]
            assert parameter.default == expected, name
    assert pylmod.gradebook.DEFAULT_MAX_POINTS == DEFAULT_MAX_POINTS == 1.0


def test_columns_named_by_options_are_not_assignments():
    options = UploadOptions(email_field='Mail', max_points_column='max',
                            normalize_column='norm')
    assert options.email_column == 'Mail'
    assert options.columns_not_assignments()[-3:] == ['max', 'norm', 'Mail']
    given = UploadOptions(email_field='Mail', non_assignment_fields=['ID'])
    assert given.non_assignment_fields == ('ID',)
    assert given.columns_not_assignments() == ['ID']


def test_options_are_frozen():
    options = UploadOptions(dry_run=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.dry_run = False  # type: ignore[misc]
    assert dataclasses.replace(options, batch_size=5).batch_size == 5


@pytest.mark.parametrize('options, error, message', [
    ({'batch_size': 0}, ValueError, 'batch_size must be at least 1, got 0'),
    ({'batch_size': -3}, ValueError, 'batch_size must be at least 1'),
    ({'batch_size': '100'}, TypeError,
     "batch_size must be a whole number, got '100'"),
    ({'batch_size': 2.5}, TypeError, 'batch_size must be a whole number'),
    ({'batch_size': True}, TypeError, 'batch_size must be a whole number'),
    ({'max_new_assignments': -1}, ValueError,
     'max_new_assignments must be at least 0, got -1'),
    ({'max_new_assignments': '5'}, TypeError,
     'max_new_assignments must be a whole number'),
    ({'email_field': 3}, TypeError, 'email_field must be a string or None'),
    ({'delimiter': b','}, TypeError, 'delimiter must be a string'),
    ({'encoding': 1252}, TypeError, 'encoding must be a string'),
    ({'non_assignment_fields': 'ID'}, TypeError,
     'non_assignment_fields must be a list of columns'),
    ({'resume_from': [('a@b.c', 'Quiz 1')]}, TypeError,
     'resume_from must be an UploadReport or a mapping'),
    ({'use_max_points_column': True, 'max_points_column': 'max'},
     ValueError, 'normalize_column must be set if use_max_points_column'),
    ({'use_max_points_column': True}, ValueError,
     'max_points_column must be set if use_max_points_column'),
])
def test_a_bad_option_is_named_when_made(options, error, message):
    with pytest.raises(error) as raised:
        UploadOptions(**options)
    assert message in str(raised.value)


def test_whole_numbers_of_any_integer_type_are_taken():
    class Count:
        def __index__(self):
            return 7

    options = UploadOptions(batch_size=Count(), max_new_assignments=None)
    assert options.batch_size == 7 and type(options.batch_size) is int
    assert options.max_new_assignments is None
    assert UploadOptions(resume_from=UploadReport()).resume_from is not None


@pytest.mark.parametrize('arguments', [
    {'batch_size': 0},
    {'max_new_assignments': -1},
    {'resume_from': 'report.csv'},
])
def test_the_gradebook_checks_its_options_before_any_request(
        lmod_server, tmp_path, arguments):
    gradebook = GradeBook(lmod_server.client_cert, lmod_server.url,
                          DEMO_GRADEBOOK_UUID, verify=lmod_server.ca_cert)
    path = tmp_path / 'grades.csv'
    path.write_text('External email,Quiz 1\nstellar.test1@gmail.com,1\n',
                    encoding='utf-8')
    lmod_server.requests.clear()
    with pytest.raises((TypeError, ValueError), match=next(iter(arguments))):
        gradebook.spreadsheet2gradebook(str(path), **arguments)
    with pytest.raises((TypeError, ValueError), match=next(iter(arguments))):
        gradebook._spreadsheet2gradebook_multi(
            [{'External email': 'stellar.test1@gmail.com', 'Quiz 1': '1'}],
            'External email', [], **arguments)
    assert list(lmod_server.requests) == []
