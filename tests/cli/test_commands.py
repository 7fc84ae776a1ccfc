"""End-to-end tests of the ``pylmod`` command against the fake LMod.

Commands run through :func:`pylmod.cli.main` (output captured with
``capsys``), and once through the installed console script and
``python -m pylmod``.  Each test gets a fresh fake LMod from the
``lmod_server`` fixture and a clean environment (no ``PYLMOD_*`` variable,
no user config file).
"""
import argparse
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pylmod.cli import build_parser, main
from pylmod.cli import output as cli_output
from pylmod.cli import progress as cli_progress
from pylmod.cli.export import stored_grades
from pylmod.cli.options import (
    GLOBAL,
    OPENEDX,
    OPENEDX_LEARNER,
    OPENEDX_WRITES,
    SECRET_SHOWN,
    SETTINGS,
)
from pylmod.testing import (
    DEMO_COURSE_UUID,
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
)

DATA_DIR = Path(__file__).parents[1] / 'data'
MIDTERM = 16708850
JEANNE, STELLAR1, MOLLY = 1143, 1144, 1145
COMMANDS = ('students', 'assignments', 'sections', 'staff', 'options',
            'create-assignment', 'delete-assignment', 'set-grade', 'upload',
            'export-grades', 'has-role', 'course-staff', 'serve-fake', 'demo',
            'config')


class Result:
    """Exit status and captured output of one command."""

    def __init__(self, status, captured):
        self.status = status
        self.out = captured.out
        self.err = captured.err

    def __repr__(self):
        return 'Result({0}, out={1!r}, err={2!r})'.format(
            self.status, self.out[-500:], self.err[-500:])


@pytest.fixture(autouse=True)
def clean_environment(no_user_settings):
    """Every test: no user settings (see ``no_user_settings``)."""
    return no_user_settings


@pytest.fixture
def connection(lmod_server):
    """The global options that reach the demo gradebook of the fake."""
    return ['--url', lmod_server.url, '--cert', lmod_server.client_cert,
            '--ca-bundle', lmod_server.ca_cert, '--retries', '0']


@pytest.fixture
def pylmod(capsys, connection):
    """Run ``pylmod <global options> <args>`` in-process."""
    def run(*args, gradebook=True, course=True):
        argv = list(connection)
        if gradebook:
            argv += ['--gradebook', DEMO_GRADEBOOK_UUID]
        if course:
            argv += ['--course', DEMO_COURSE_UUID]
        return run_main(capsys, *argv, *args)
    return run


def run_main(capsys, *argv):
    capsys.readouterr()
    status = main([str(arg) for arg in argv])
    return Result(status, capsys.readouterr())


def table_mapping(text):
    """The name -> value lines of a two-column table."""
    return dict(line.rsplit(None, 1) for line in text.splitlines()[2:])


def read_csv(text_or_path):
    if isinstance(text_or_path, Path):
        text_or_path = text_or_path.read_text(encoding='utf-8')
    return list(csv.DictReader(io.StringIO(text_or_path)))


def free_port():
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# -- the parser -----------------------------------------------------------

def test_help_lists_every_command_and_global_option(capsys):
    result = run_main(capsys, '--help')
    assert result.status == 0
    for command in COMMANDS:
        assert command in result.out
    for setting in SETTINGS:
        if setting.flag is None:  # a secret: no flag, its variable named
            assert setting.env in result.out
        elif setting.scope == GLOBAL:
            assert setting.flag in result.out and setting.env in result.out
        else:
            assert setting.flag not in result.out


def test_openedx_commands_list_the_openedx_settings(capsys):
    scopes = {'push-grades': (GLOBAL, OPENEDX),
              'sync-roster': (GLOBAL, OPENEDX, OPENEDX_WRITES),
              'learner': (GLOBAL, OPENEDX_LEARNER)}
    for command, shown in scopes.items():
        result = run_main(capsys, 'openedx', command, '--help')
        assert result.status == 0
        for setting in SETTINGS:
            if setting.flag is None:  # a secret: no flag, its variable named
                assert (setting.env in result.out) == (
                    setting.scope in shown), (command, setting.name)
                continue
            listed = setting.flag in result.out and setting.env in result.out
            expected = setting.scope in shown or (
                command == 'learner' and setting.name == 'openedx_url')
            if setting.name == 'course':  # only sync-roster reads a course
                expected = command == 'sync-roster'
            assert listed == expected, (command, setting.name)


def _leaf_parsers(parser, prefix=''):
    groups = [action for action in parser._actions
              if isinstance(action, argparse._SubParsersAction)]
    if not groups:
        yield prefix.strip(), parser
    for group in groups:
        for name, subparser in group.choices.items():
            yield from _leaf_parsers(subparser, prefix + ' ' + name)


def test_every_command_has_a_handler():
    leaves = dict(_leaf_parsers(build_parser()))
    assert set(COMMANDS) <= set(leaves)
    for name, parser in leaves.items():
        assert callable(parser.get_default('handler')), name


def test_no_command_is_a_usage_error(capsys):
    result = run_main(capsys)
    assert result.status == 2
    assert 'COMMAND' in result.err


# -- listing ----------------------------------------------------------------

def test_students_table_simple_and_section(pylmod):
    result = pylmod('students')
    assert result.status == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ['studentId', 'accountEmail', 'displayName',
                                'section']
    assert len(lines) == 2 + 300
    assert 'stellar.test2@gmail.com  Molly Parker' in result.out

    result = pylmod('students', '--simple', '--format', 'csv')
    rows = read_csv(result.out)
    assert list(rows[0]) == ['email', 'name', 'section']
    # As LMod stores it, as everywhere in the command (issue 23).
    assert {'email': 'student004@mit.edu', 'name': 'Claude Shannon',
            'section': 'r01'} in rows

    result = pylmod('--format', 'json', 'students', '--section', 'r01')
    students = json.loads(result.out)
    assert students and {s['section'] for s in students} == {'r01'}
    assert 'studentId' in students[0] and 'sortableName' in students[0]


def test_unknown_section_names_the_sections(pylmod):
    result = pylmod('students', '--section', 'r99')
    assert result.status == 1
    assert result.out == ''
    assert ("no section named 'r99' in the gradebook; the sections are: "
            "Unassigned, r01, r02, r03, r04, L01, L02") in result.err
    assert 'Traceback' not in result.err


def test_assignments_in_each_format(pylmod):
    table = pylmod('assignments').out.splitlines()
    assert table[0].split() == ['assignmentId', 'name', 'shortName',
                                'maxPointsTotal', 'weight', 'dueDateString']
    assert table[1].startswith('-')
    rows = read_csv(pylmod('assignments', '--format', 'csv').out)
    assert [row['name'] for row in rows] == [
        'midterm1', 'AB Assignment 01', 'AB Assignment 02', 'final']
    assert rows[0]['maxPointsTotal'] == '100.0'
    data = json.loads(pylmod('--format=json', 'assignments').out)
    assert data[0]['assignmentId'] == MIDTERM
    assert 'gradingSchemeType' in data[0]


def test_sections_staff_and_options(pylmod):
    sections = read_csv(pylmod('sections', '--format', 'csv').out)
    assert {'groupId': '1327601', 'name': 'L01', 'sectionType': 'lecture',
            'shortName': 'L01'} in sections
    staff = json.loads(pylmod('staff', '--format', 'json').out)
    assert {'accountEmail': 'hduck@mit.edu', 'displayName': 'Huey Duck',
            'role': 'COURSE_TA'} in staff
    options = json.loads(pylmod('options', '--format', 'json').out)
    assert options['gradebookId'] == DEMO_GRADEBOOK_ID
    table = pylmod('options').out
    assert 'gradebookName' in table and 'name' in table.splitlines()[0]


def test_gradebook_by_id(pylmod):
    result = pylmod('--gradebook-id', DEMO_GRADEBOOK_ID, 'assignments',
                    gradebook=False)
    assert result.status == 0
    assert 'midterm1' in result.out


# -- changes --------------------------------------------------------------

def test_create_set_grade_and_delete_assignment(pylmod, lmod_server):
    result = pylmod('create-assignment', 'CLI Project', '--short-name',
                    'CLIpr', '--max-points', '20', '--due', '12-15-2026')
    assert result.status == 0, result
    created = [a for a in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)
               if a['name'] == 'CLI Project']
    assert len(created) == 1
    assert created[0]['maxPointsTotal'] == 20.0
    assert created[0]['dueDateString'] == '12-15-2026'
    assignment_id = created[0]['assignmentId']
    assert result.out == "created assignment 'CLI Project' (id {0})\n".format(
        assignment_id)

    result = pylmod('set-grade', '--student', 'Stellar.Test2@gmail.com',
                    '--assignment', 'CLI Project', '17.5')
    assert result.status == 0, result
    stored = lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert stored[(MOLLY, assignment_id)] == 17.5

    result = pylmod('--format', 'json', 'delete-assignment', assignment_id)
    assert result.status == 0
    assert json.loads(result.out)['status'] == 1
    assert all(a['assignmentId'] != assignment_id
               for a in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID))

    result = pylmod('delete-assignment', assignment_id)
    assert result.status == 1
    assert 'LMod refused to delete assignment {0}: No assignment'.format(
        assignment_id) in result.err


def test_create_assignment_checks_the_due_date_before_sending(
        pylmod, lmod_server):
    result = pylmod('create-assignment', 'X', '--short-name', 'X',
                    '--max-points', '1', '--due', '2026-12-15')
    assert result.status == 2
    assert ("argument --due: expected a date as MM-DD-YYYY, e.g. 12-15-2026, "
            "got '2026-12-15'") in result.err
    assert pylmod('create-assignment', 'X', '--short-name', 'X',
                  '--max-points', '1', '--due', '02-30-2026').status == 2
    assert lmod_server.requests == []


def test_set_grade_errors(pylmod, lmod_server):
    result = pylmod('set-grade', '--student', 'nobody@example.org',
                    '--assignment', 'midterm1', '50')
    assert result.status == 1
    assert "no student with email 'nobody@example.org'" in result.err
    result = pylmod('set-grade', '--student', 'stellar.test2@gmail.com',
                    '--assignment', 'midterm9', '50')
    assert result.status == 1
    assert "no assignment named 'midterm9'" in result.err
    result = pylmod('set-grade', '--student', 'stellar.test2@gmail.com',
                    '--assignment', 'midterm1', 'fifty')
    assert result.status == 2
    assert "'fifty' is not a number" in result.err
    assert not [r for r in lmod_server.requests if r.method == 'POST']


# -- upload -----------------------------------------------------------------

def test_upload_reports_every_row(pylmod, lmod_server, tmp_path):
    report_path = tmp_path / 'outcome.csv'
    result = pylmod('upload', DATA_DIR / 'cli_upload_mixed.csv',
                    '--report', report_path)
    # A cell that is not a number is an error, even though the rest is sent.
    assert result.status == 1, result
    counts = table_mapping(result.out)
    assert counts.pop('snapshot').endswith('.json')
    assert counts == {'rows read': '4', 'grades sent': '4',
                       'confirmed': '4', 'failed': '0',
                       'unchanged (not sent)': '0',
                       'unknown emails': '1', 'skipped cells': '1',
                       'empty cells': '1', 'assignments created': '1',
                       'requests': '1'}
    assert ("line 4, column 'midterm1': 'absent' is not a number; cell "
            "skipped") in result.err
    assert "line 5: 'nobody@example.org' is no student" in result.err
    assert 'pylmod: sending 4 grades\n' in result.err
    assert 'pylmod: sent 4 of 4 grades (4 confirmed)\n' in result.err
    assert "pylmod: created assignment 'CLI Quiz 1' (id " in result.err

    quiz = [a for a in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)
            if a['name'] == 'CLI Quiz 1'][0]['assignmentId']
    stored = lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert stored[(JEANNE, MIDTERM)] == 88.0
    assert stored[(MOLLY, MIDTERM)] == 71.5
    assert stored[(STELLAR1, quiz)] == 6.0
    assert (MOLLY, quiz) not in stored

    rows = read_csv(report_path)
    assert [(r['line'], r['assignment'], r['status']) for r in rows] == [
        ('2', 'CLI Quiz 1', 'confirmed'), ('2', 'midterm1', 'confirmed'),
        ('3', 'midterm1', 'confirmed'),
        ('4', 'CLI Quiz 1', 'confirmed'), ('4', 'midterm1', 'skipped'),
        ('5', '', 'unknown email')]
    assert rows[2]['email'] == 'STELLAR.TEST2@gmail.com'
    assert rows[2]['value'] == '71.5'
    assert rows[4]['value'] == 'absent'
    assert rows[4]['message'] == 'not a number'
    assert rows[5]['email'] == 'nobody@example.org'


def test_upload_clean_file_succeeds_and_json_summary(pylmod, lmod_server):
    result = pylmod('--format', 'json', 'upload',
                    DATA_DIR / 'cli_upload_clean.csv', '--approve')
    assert result.status == 0, result
    summary = json.loads(result.out)
    assert summary['confirmed'] == summary['grades_sent'] == 6
    assert summary['failed'] == summary['unknown_emails'] == 0
    sent = [r for r in lmod_server.requests if 'multiGrades' in r.path]
    assert len(sent) == 1
    assert all(grade['isGradeApproved'] is True for grade in sent[0].body)


def test_upload_dry_run_sends_nothing(pylmod, lmod_server):
    result = pylmod('upload', DATA_DIR / 'cli_upload_clean.csv', '--dry-run')
    assert result.status == 0, result
    counts = table_mapping(result.out)
    assert counts['would send'] == '6'
    # What a dry run has not done is not in its table (issue 23).
    assert not {'grades sent', 'confirmed', 'failed', 'dry run'} & set(counts)
    assert "dry run: would create assignment 'CLI Quiz 1'" in result.err
    assert result.err.splitlines()[-1] == (
        'pylmod: nothing sent; 6 grades would be sent')
    assert [r.method for r in lmod_server.requests] == ['GET'] * 3
    assert all(a['name'] != 'CLI Quiz 1'
               for a in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID))


def test_upload_options_email_field_delimiter_batches_max_points(
        pylmod, lmod_server):
    result = pylmod('upload',
                    DATA_DIR / 'cli_upload_semicolons_max_points.csv',
                    '--email-field', 'Email', '--delimiter', ';',
                    '--batch-size', '1', '--max-points-column', 'max_pts',
                    '--normalize-column', 'normalize')
    assert result.status == 0, result
    lab = [a for a in lmod_server.fake.assignments(DEMO_GRADEBOOK_ID)
           if a['name'] == 'CLI Lab 1']
    assert len(lab) == 1 and lab[0]['maxPointsTotal'] == 10.0
    assert len([r for r in lmod_server.requests
                if 'multiGrades' in r.path]) == 2
    stored = lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert stored[(MOLLY, lab[0]['assignmentId'])] == 9.5


def test_upload_max_points_columns_go_together(pylmod, lmod_server):
    result = pylmod('upload', DATA_DIR / 'cli_upload_clean.csv',
                    '--max-points-column', 'max_pts')
    assert result.status == 2
    assert '--max-points-column and --normalize-column go together' in (
        result.err)
    assert lmod_server.requests == []


def test_upload_without_the_email_column_names_the_columns(pylmod):
    result = pylmod('upload', DATA_DIR / 'cli_upload_no_email_column.csv')
    assert result.status == 2
    assert "no 'External email' column" in result.err
    assert "the columns are 'Student', 'midterm1'" in result.err
    assert '--email-field' in result.err
    assert pylmod('upload', DATA_DIR / 'cli_upload_no_email_column.csv',
                  '--email-field', 'Student').status == 0


def test_upload_of_a_missing_file(pylmod, tmp_path):
    result = pylmod('upload', tmp_path / 'nothing.csv')
    assert result.status == 2
    assert 'nothing.csv: No such file or directory' in result.err


def test_upload_grades_lmod_rejects_fail_the_command(
        pylmod, lmod_server, tmp_path):
    lmod_server.fail_next(1, status=500, path_prefix='multiGrades/')
    report_path = tmp_path / 'outcome.csv'
    result = pylmod('upload', DATA_DIR / 'cli_upload_clean.csv',
                    '--report', report_path)
    assert result.status == 1
    assert table_mapping(result.out)['failed'] == '6'
    statuses = {row['status'] for row in read_csv(report_path)}
    assert statuses == {'failed'}


def test_upload_stopped_half_way_reports_what_is_unconfirmed(
        pylmod, lmod_server, tmp_path):
    lmod_server.drop_next(5, path_prefix='multiGrades/')
    report_path = tmp_path / 'outcome.csv'
    result = pylmod('upload', DATA_DIR / 'cli_upload_clean.csv',
                    '--batch-size', '4', '--report', report_path)
    assert result.status == 1
    assert 'unconfirmed' in result.out and 'not sent' in result.out
    statuses = sorted(row['status'] for row in read_csv(report_path))
    assert statuses == ['not sent'] * 2 + ['unconfirmed'] * 4
    assert 'pylmod: error: ' in result.err


# -- export ---------------------------------------------------------------

def test_export_upload_round_trip_is_lossless(pylmod, lmod_server, tmp_path,
                                              gradebook):
    # Values that need every digit of a float to come back the same.
    gradebook.set_grade(MIDTERM, JEANNE, 0.1 + 0.2)
    gradebook.set_grade(16708870, MOLLY, 1 / 3.0)
    gradebook.set_grade(16708880, STELLAR1, None, specialGradeValue='x',
                        numericGradeValue=None)
    before = {key: value for key, value in
              lmod_server.fake.stored_grades(DEMO_GRADEBOOK_ID).items()
              if value is not None}
    out = tmp_path / 'grades.csv'
    result = pylmod('export-grades', out)
    assert result.status == 0, result
    assert 'exported {0} grades of 300 students in 4 assignments'.format(
        len(before)) in result.err
    assert '1 stored grades are not numbers' in result.err
    rows = read_csv(out)
    assert list(rows[0])[:3] == ['External email', 'Full Name', 'midterm1']
    assert rows[0]['midterm1'] == repr(0.1 + 0.2)

    approved = {key for key, record in lmod_server.fake.grade_records(
        DEMO_GRADEBOOK_ID).items() if record['isGradeApproved']}
    lmod_server.requests.clear()
    result = pylmod('upload', out)
    assert result.status == 0, result
    # LMod holds every value already: only the approved grades are sent
    # (the upload sends them unapproved, a change); then nothing is.
    assert {(grade['studentId'], grade['assignmentId'])
            for request in lmod_server.requests
            if 'multiGrades' in request.path
            for grade in request.body} == approved & set(before)
    assert table_mapping(result.out)['unchanged (not sent)'] == str(
        len(set(before) - approved))
    lmod_server.requests.clear()
    assert pylmod('upload', out).status == 0
    assert not [request for request in lmod_server.requests
                if 'multiGrades' in request.path]
    result = pylmod('upload', out, '--send-all')
    assert result.status == 0, result
    sent = [grade for request in lmod_server.requests
            if 'multiGrades' in request.path for grade in request.body]
    assert {(g['studentId'], g['assignmentId']): g['numericGradeValue']
            for g in sent} == before
    assert 'assignments created' not in result.out


def test_export_to_stdout(pylmod):
    result = pylmod('export-grades', '-')
    assert result.status == 0
    rows = read_csv(result.out)
    assert len(rows) == 300
    assert rows[2]['External email'] == 'stellar.test2@gmail.com'


def test_stored_grades_reads_the_grade_info_of_the_fake(gradebook):
    students = gradebook.get_students(include_grade_info=True)
    molly = [s for s in students if s['studentId'] == MOLLY][0]
    grades = stored_grades(molly)
    assert set(grades) == {MIDTERM, 16708860}
    assert all(isinstance(value, float) for value in grades.values())
    assert stored_grades({'studentAssignmentInfo': None}) == {}


# -- membership -----------------------------------------------------------

def test_has_role_exit_status(pylmod):
    result = pylmod('has-role', 'hduck@mit.edu', 'TA')
    assert (result.status, result.out) == (
        0, 'hduck@mit.edu has role TA\n')
    result = pylmod('has-role', 'hduck@mit.edu', 'Instructor')
    assert (result.status, result.out) == (
        1, 'hduck@mit.edu does not have role Instructor\n')
    assert result.err == ''


def test_course_staff(pylmod):
    rows = read_csv(pylmod('course-staff', '--format', 'csv').out)
    assert {'displayName': 'Huey Duck', 'role': 'TA',
            'sortableDisplayName': 'Duck, Huey'} in rows


def test_membership_commands_need_a_known_course(pylmod):
    result = pylmod('course-staff', course=False)
    assert result.status == 2
    assert 'this command needs a course: pass --course UUID' in result.err
    result = pylmod('--course', '/project/nope', 'has-role', 'a@b', 'TA',
                    course=False)
    assert result.status == 1
    assert "has no course with uuid '/project/nope': check --course" in (
        result.err)
    assert result.err.count('/project/nope') == 1  # said once


# -- clear errors -----------------------------------------------------------

def test_missing_certificate(capsys, lmod_server):
    result = run_main(capsys, '--url', lmod_server.url, '--gradebook',
                      DEMO_GRADEBOOK_UUID, 'sections')
    assert result.status == 2
    assert result.err.startswith('pylmod: error: no client certificate: '
                                 'pass --cert PATH')
    result = run_main(capsys, '--cert', '/no/such/cert.pem', '--gradebook',
                      DEMO_GRADEBOOK_UUID, 'sections')
    assert result.status == 2
    assert "Cannot read the client certificate file '/no/such/cert.pem'" in (
        result.err)
    assert lmod_server.requests == []


def test_connection_refused_names_the_url(capsys, lmod_server):
    url = 'https://127.0.0.1:{0}/'.format(free_port())
    result = run_main(capsys, '--url', url, '--cert',
                      lmod_server.client_cert, '--retries', '0',
                      '--gradebook', DEMO_GRADEBOOK_UUID, 'sections')
    assert result.status == 1
    assert 'pylmod: error: cannot connect to LMod at {0}: '.format(url) in (
        result.err)
    assert 'Check --url' in result.err
    assert 'Traceback' not in result.err


def test_url_that_is_not_lmod(pylmod, lmod_server):
    lmod_server.non_json_next(1, status=404, body='<html>Not Found</html>')
    result = pylmod('sections')
    assert result.status == 1
    assert "HTTP 404" in result.err and "'<html>Not Found</html>'" in (
        result.err)
    assert 'Is {0} the LMod service (--url)?'.format(lmod_server.url) in (
        result.err)


def test_verbose_errors_show_the_traceback(capsys, lmod_server):
    url = 'https://127.0.0.1:{0}/'.format(free_port())
    result = run_main(capsys, '-v', '--url', url, '--cert',
                      lmod_server.client_cert, '--retries', '0',
                      '--gradebook', DEMO_GRADEBOOK_UUID, 'sections')
    assert result.status == 1
    assert 'Traceback' in result.err
    assert 'pylmod: error: cannot connect' in result.err


def test_server_ca_not_trusted(capsys, lmod_server):
    result = run_main(capsys, '--url', lmod_server.url, '--cert',
                      lmod_server.client_cert, '--retries', '0',
                      '--gradebook', DEMO_GRADEBOOK_UUID, 'sections')
    assert result.status == 1
    assert ('This machine does not trust the server certificate of LMod at '
            '127.0.0.1:{0}'.format(lmod_server.port)) in result.err
    assert '--ca-bundle' in result.err


def test_unknown_gradebook(pylmod):
    result = pylmod('--gradebook', 'STELLAR:/project/nope', 'sections',
                    gradebook=False)
    assert result.status == 1
    assert ("has no gradebook with uuid 'STELLAR:/project/nope': check "
            '--gradebook (the uuid as LMod shows it, e.g. '
            'STELLAR:/project/mitxdemosite), or give the numeric '
            '--gradebook-id instead') in result.err
    assert result.err.count('/project/nope') == 1  # said once
    result = pylmod('--gradebook-id', '4242', 'sections', gradebook=False)
    assert result.status == 1
    assert ('has no gradebook with id 4242: check --gradebook-id, or give '
            '--gradebook UUID instead') in result.err
    assert result.err.count('4242') == 1
    result = pylmod('sections', gradebook=False)
    assert result.status == 2
    assert 'this command needs a gradebook' in result.err


# -- settings: flags > environment > config file > defaults -------------------

def settings_of(capsys, *argv):
    result = run_main(capsys, '--format', 'json', *argv, 'config')
    assert result.status == 0, result
    return {row['setting']: (row['value'], row['source'])
            for row in json.loads(result.out)}


def test_settings_precedence(capsys, monkeypatch, clean_environment):
    config_dir = clean_environment / '.config'
    config_dir.mkdir()
    (config_dir / 'pylmod.ini').write_text(
        '[pylmod]\n'
        'cert = certs/me.pem\n'
        'url = https://config.example/\n'
        'gradebook = STELLAR:/project/config\n'
        'timeout = 30\n'
        'retries = 3\n', encoding='utf-8')
    monkeypatch.setenv('PYLMOD_URL', 'https://env.example/')
    monkeypatch.setenv('PYLMOD_RETRIES', '4')
    monkeypatch.setenv('PYLMOD_COURSE', '/project/env')
    settings = settings_of(capsys, '--retries', '5')
    assert settings['cert'] == (str(config_dir / 'certs' / 'me.pem'),
                                'config ' + str(config_dir / 'pylmod.ini'))
    assert settings['url'] == ('https://env.example/', 'env PYLMOD_URL')
    assert settings['retries'] == (5, 'flag')
    assert settings['timeout'][0] == 30.0
    assert settings['course'] == ('/project/env', 'env PYLMOD_COURSE')
    assert settings['gradebook'][0] == 'STELLAR:/project/config'
    assert settings['format'] == ('json', 'flag')
    assert settings['key'] == (None, 'default')
    assert settings['config'][0] == str(config_dir / 'pylmod.ini')

    # A flag after the command counts too; a gradebook id given by a flag
    # beats a uuid from the config file.
    result = run_main(capsys, 'config', '--format', 'csv',
                      '--gradebook-id', '77')
    rows = {row['setting']: row for row in read_csv(result.out)}
    assert rows['gradebook_id']['value'] == '77'
    assert rows['gradebook']['value'] == ''


def test_defaults_without_any_setting(capsys):
    settings = settings_of(capsys)
    assert settings['url'] == ('https://learning-modules.mit.edu:8443/',
                               'default')
    assert settings['timeout'] == (200, 'library default')
    assert settings['config'] == (None, 'no file')
    assert settings['openedx_url'] == (None, 'default')
    assert settings['openedx_client_secret'] == (None, 'default')
    assert set(settings) == {setting.name for setting in SETTINGS} | {
        'config'}


def test_openedx_settings_from_config_file_and_environment(
        capsys, monkeypatch, clean_environment):
    config_dir = clean_environment / '.config'
    config_dir.mkdir()
    config_path = config_dir / 'pylmod.ini'
    config_path.write_text(
        '[pylmod]\n'
        'openedx_url = https://lms.example.edu\n'
        'openedx-client-id = from-config\n'
        'openedx_client_secret = CONFIG-SECRET\n'
        'openedx_page_size = 50\n', encoding='utf-8')
    monkeypatch.setenv('PYLMOD_OPENEDX_CLIENT_ID', 'from-env')
    settings = settings_of(capsys)
    source = 'config ' + str(config_path)
    assert settings['openedx_url'] == ('https://lms.example.edu', source)
    assert settings['openedx_client_id'] == (
        'from-env', 'env PYLMOD_OPENEDX_CLIENT_ID')
    assert settings['openedx_page_size'] == (50, source)
    # The secret: that it is set and where from, never its value.
    assert settings['openedx_client_secret'] == (SECRET_SHOWN, source)
    monkeypatch.setenv('PYLMOD_OPENEDX_CLIENT_SECRET', 'ENV-SECRET')
    for output_format in ('table', 'csv', 'json'):
        result = run_main(capsys, '--format', output_format, 'config')
        assert result.status == 0, result
        assert 'PYLMOD_OPENEDX_CLIENT_SECRET' in result.out
        assert 'SECRET' not in (result.out + result.err).replace(
            'PYLMOD_OPENEDX_CLIENT_SECRET', '')


def test_config_file_and_environment_reach_the_server(
        capsys, monkeypatch, lmod_server, tmp_path):
    config = tmp_path / 'lmod.ini'
    config.write_text('[pylmod]\nurl = {0}\nca-bundle = {1}\nformat = csv\n'
                      'gradebook = {2}\nretries = 0\n'.format(
                          lmod_server.url, lmod_server.ca_cert,
                          DEMO_GRADEBOOK_UUID), encoding='utf-8')
    monkeypatch.setenv('PYLMOD_CONFIG', str(config))
    monkeypatch.setenv('PYLMOD_CERT', lmod_server.client_cert)
    result = run_main(capsys, 'sections')
    assert result.status == 0, result
    assert result.out.splitlines()[0] == 'groupId,name,sectionType,shortName'


@pytest.mark.parametrize('variable, value, expected', [
    ('PYLMOD_TIMEOUT', 'soon', 'environment variable PYLMOD_TIMEOUT '
                               '(--timeout): expected a number of seconds'),
    ('PYLMOD_RETRIES', '-1', 'environment variable PYLMOD_RETRIES '
                             '(--retries): expected a whole number'),
    ('PYLMOD_FORMAT', 'yaml', "expected one of table, csv, json, got "
                              "'yaml'"),
    ('PYLMOD_GRADEBOOK_ID', 'abc', 'expected a numeric LMod id'),
    ('PYLMOD_OPENEDX_PAGE_SIZE', '0', 'environment variable '
                                      'PYLMOD_OPENEDX_PAGE_SIZE '
                                      '(--page-size): expected a whole '
                                      'number of 1 or more'),
])
def test_invalid_environment_values(capsys, monkeypatch, variable, value,
                                    expected):
    monkeypatch.setenv(variable, value)
    result = run_main(capsys, 'config')
    assert result.status == 2
    assert expected in result.err


def test_config_file_errors(capsys, tmp_path):
    result = run_main(capsys, '--config', tmp_path / 'none.ini', 'config')
    assert result.status == 2
    assert 'none.ini does not exist' in result.err
    bad_key = tmp_path / 'bad.ini'
    bad_key.write_text('[pylmod]\npassword = hunter2\n', encoding='utf-8')
    result = run_main(capsys, '--config', bad_key, 'config')
    assert result.status == 2
    assert "unknown key 'password'" in result.err
    no_section = tmp_path / 'other.ini'
    no_section.write_text('[other]\nurl = x\n', encoding='utf-8')
    result = run_main(capsys, '--config', no_section, 'config')
    assert result.status == 2
    assert 'has no [pylmod] section' in result.err


def test_both_gradebook_flags_is_a_usage_error(capsys):
    result = run_main(capsys, '--gradebook', 'A', '--gradebook-id', '1',
                      'config')
    assert result.status == 2
    assert 'give one' in result.err


def test_key_contents_are_never_printed(capsys, lmod_server, tmp_path):
    key = tmp_path / 'secret.key'
    key.write_text('-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n',
                   encoding='utf-8')
    outputs = []
    for command in (['config'], ['-vv', '--retries', '0', 'sections']):
        result = run_main(capsys, '--url', lmod_server.url, '--cert',
                          lmod_server.client_cert, '--key', key,
                          '--ca-bundle', lmod_server.ca_cert, '--gradebook',
                          DEMO_GRADEBOOK_UUID, *command)
        outputs.append(result.out + result.err)
    assert str(key) in outputs[0]
    assert all('SECRET-KEY-MATERIAL' not in text for text in outputs)


# -- the outcome of a command that sends records (shared output) ------------

def make_outcome(**fields):
    rows = [{'key': 'a', 'status': 'confirmed', 'value': 0.5, 'note': None},
            {'key': 'b', 'status': 'failed', 'value': True,
             'note': {'why': 'refused'}}]
    values = dict(counts={'read': 2, 'confirmed': 1, 'failed': 1,
                          'skipped': 0, 'requests': 1},
                  ok=False, columns=('key', 'status', 'value', 'note'),
                  rows=lambda: rows, document=lambda: {'records': rows},
                  shown_when_zero=('confirmed',))
    values.update(fields)
    return cli_output.Outcome(**values)


def test_problems_show_the_first_of_each_kind():
    stream = io.StringIO()
    many = ['problem {0}'.format(number) for number in range(13)]
    cli_output.print_problems([many, [], ['stopped: no answer']], stream)
    lines = stream.getvalue().splitlines()
    assert lines[:cli_output.PROBLEMS_SHOWN] == [
        'pylmod: problem {0}'.format(number)
        for number in range(cli_output.PROBLEMS_SHOWN)]
    assert lines[cli_output.PROBLEMS_SHOWN:] == [
        'pylmod: ... and 3 more like this (pass --report FILE to list '
        'them all)',
        'pylmod: stopped: no answer']


def test_report_file_is_csv_or_json_by_its_name(tmp_path):
    outcome = make_outcome()
    cli_output.write_report_file(str(tmp_path / 'report.csv'), outcome)
    assert (tmp_path / 'report.csv').read_text(encoding='utf-8') == (
        'key,status,value,note\n'
        'a,confirmed,0.5,\n'
        'b,failed,true,"{""why"": ""refused""}"\n')
    cli_output.write_report_file(str(tmp_path / 'report.json'), outcome)
    saved = json.loads((tmp_path / 'report.json').read_text(
        encoding='utf-8'))
    assert saved == {'records': outcome.rows()}


def test_finish_prints_counts_and_chooses_the_exit_status(capsys, tmp_path):
    args = argparse.Namespace(format='table', report=None)
    status = cli_output.finish(args, make_outcome(notes=['created x'],
                                                  problems=[['b: failed']]))
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err == 'pylmod: created x\npylmod: b: failed\n'
    # A zero count is left out of a table unless asked for; JSON has all.
    assert table_mapping(captured.out) == {
        'read': '2', 'confirmed': '1', 'failed': '1', 'requests': '1'}
    args = argparse.Namespace(format='json',
                              report=str(tmp_path / 'out.csv'))
    assert cli_output.finish(args, make_outcome(ok=True)) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)['skipped'] == 0
    assert captured.err == 'pylmod: wrote every record to {0}\n'.format(
        args.report)
    assert len(read_csv(Path(args.report))) == 2


def test_finish_of_a_dry_run_prints_the_plan(capsys):
    args = argparse.Namespace(format='csv', report=None)
    plan = [{'key': 'a', 'status': 'dry run', 'value': 1}]
    assert cli_output.finish(args, make_outcome(ok=True, plan=plan)) == 0
    captured = capsys.readouterr()
    assert read_csv(captured.out) == [
        {'key': 'a', 'status': 'dry run', 'value': '1', 'note': ''}]
    assert captured.err == ('pylmod: dry run, nothing sent: 2 read, '
                            '1 confirmed, 1 failed, 1 requests\n')


def test_upload_report_as_json(pylmod, tmp_path):
    report_path = tmp_path / 'outcome.json'
    result = pylmod('upload', DATA_DIR / 'cli_upload_mixed.csv',
                    '--report', report_path)
    assert result.status == 1, result
    assert 'pylmod: wrote the outcome of every row to {0}'.format(
        report_path) in result.err
    saved = json.loads(report_path.read_text(encoding='utf-8'))
    assert saved['ok'] is False and saved['error'] is None
    assert saved['counts']['confirmed'] == 4
    assert saved['counts']['skipped_cells'] == 1
    assert list(saved['created_assignments']) == ['CLI Quiz 1']
    assert [(row['line'], row['assignment'], row['status'])
            for row in saved['rows']] == [
        (2, 'CLI Quiz 1', 'confirmed'), (2, 'midterm1', 'confirmed'),
        (3, 'midterm1', 'confirmed'), (4, 'CLI Quiz 1', 'confirmed'),
        (4, 'midterm1', 'skipped'), (5, '', 'unknown email')]
    assert saved['rows'][2]['value'] == 71.5


# -- progress -----------------------------------------------------------------

class TerminalStream(io.StringIO):
    def isatty(self):
        return True


def test_progress_plain_lines_at_most_every_few_seconds():
    stream = io.StringIO()
    now = [100.0]
    progress = cli_progress.SendProgress(stream, clock=lambda: now[0])
    progress(0, 0, 30)
    progress(10, 10, 30)            # too soon after the first line
    now[0] += cli_progress.PROGRESS_SECONDS
    progress(20, 19, 30)
    progress(30, 29, 30)            # the last one is always shown
    progress.close()
    assert stream.getvalue() == (
        'pylmod: sending 30 grades\n'
        'pylmod: sent 20 of 30 grades (19 confirmed)\n'
        'pylmod: sent 30 of 30 grades (29 confirmed)\n')


def test_progress_bar_on_a_terminal():
    pytest.importorskip('tqdm')
    stream = TerminalStream()
    progress = cli_progress.SendProgress(stream)
    progress(0, 0, 30)
    progress(20, 19, 30)
    assert 'sending' in stream.getvalue()
    assert '20/30' in stream.getvalue()
    progress(30, 29, 30)
    progress.close()
    assert 'pylmod: sent' not in stream.getvalue()


# -- the openedx command group -----------------------------------------------

def test_openedx_commands_are_part_of_pylmod(capsys, monkeypatch):
    result = run_main(capsys, 'openedx', '--help')
    assert result.status == 0
    assert 'push-grades' in result.out and 'sync-roster' in result.out
    result = run_main(capsys, 'openedx', 'sync-roster')
    assert result.status == 2
    assert 'pass --program, --course-key, or both' in result.err
    # The global settings reach an openedx command as they reach the others:
    # with the certificate from the environment, what is missing next is
    # the gradebook.
    result = run_main(capsys, 'openedx', 'sync-roster', '--program', 'P')
    assert result.status == 2
    assert 'no client certificate' in result.err
    monkeypatch.setenv('PYLMOD_CERT', '/nowhere/me.pem')
    result = run_main(capsys, 'openedx', 'sync-roster', '--program', 'P')
    assert result.status == 2
    assert 'this command needs a gradebook' in result.err


# -- installed entry points ----------------------------------------------

def test_console_script_and_python_m(lmod_server, tmp_path):
    script = Path(sys.executable).with_name('pylmod')
    assert script.exists(), 'pip install -e . installs the pylmod script'
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path),
               PYLMOD_CERT=lmod_server.client_cert,
               PYLMOD_CA_BUNDLE=lmod_server.ca_cert,
               PYLMOD_URL=lmod_server.url)
    done = subprocess.run(
        [str(script), '--gradebook', DEMO_GRADEBOOK_UUID, '--format', 'csv',
         'sections'], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == 'groupId,name,sectionType,shortName'

    done = subprocess.run(
        [sys.executable, '-m', 'pylmod', '--course', DEMO_COURSE_UUID,
         'has-role', 'hduck@mit.edu', 'Instructor'],
        env=env, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (
        1, 'hduck@mit.edu does not have role Instructor\n')


def test_serve_fake_until_interrupted(capsys, tmp_path):
    cert_dir = tmp_path / 'certs'
    server = subprocess.Popen(
        [sys.executable, '-m', 'pylmod', 'serve-fake', '--cert-dir',
         str(cert_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        banner = []
        for line in server.stdout:
            banner.append(line)
            if line.startswith('Press Ctrl-C'):
                break
        text = ''.join(banner)
        url = text.split('Fake LMod serving at ')[1].split()[0]
        assert '--cert):  {0}'.format(cert_dir / 'pylmod-test-client.pem') in (
            text)
        assert '--ca-bundle):      {0}'.format(cert_dir / 'ca.pem') in text
        assert 'pylmod --url {0} --cert'.format(url) in text
        result = run_main(capsys, '--url', url, '--cert',
                          cert_dir / 'pylmod-test-client.pem', '--ca-bundle',
                          cert_dir / 'ca.pem', '--course', DEMO_COURSE_UUID,
                          'has-role', 'hduck@mit.edu', 'TA')
        assert result.status == 0, result
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert 'Stopped.' in out


def test_serve_fake_with_bad_data(capsys, tmp_path):
    data = tmp_path / 'seed.json'
    data.write_text('{not json', encoding='utf-8')
    result = run_main(capsys, 'serve-fake', '--data', data)
    assert result.status == 2
    assert 'cannot load the fake LMod data from' in result.err


def test_demo(capsys, tmp_path):
    result = run_main(capsys, 'demo', '--dir', tmp_path)
    assert result.status == 0, result
    for step in ('1. Open the gradebook', '2. List the sections',
                 '3. List the staff', '4. Write a grade spreadsheet',
                 '5. Upload it', '6. Export the stored grades',
                 '7. Check a role'):
        assert step in result.out
    assert "created assignment 'Demo Homework 1'" in result.out
    assert 'has role Instructor: True' in result.out
    exported = read_csv(tmp_path / 'exported-grades.csv')
    assert exported[0]['Demo Homework 1'] == '0.5'
    assert (tmp_path / 'sample-grades.csv').exists()
