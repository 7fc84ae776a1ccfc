"""The ``pylmod`` command as a new user meets it (issue 14): uploads that
show progress, survive Ctrl-C and resume, errors that name the file and
line, reports with every email, JSON for every ``--format json``, a quiet
exit on a closed pipe, and help for every command and argument.

Commands run in-process through :func:`pylmod.cli.main` against the fake
LMod, or as real processes where signals and pipes are the point.
"""
import argparse
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pylmod.cli import build_parser, main
from pylmod.grades.snapshot import read_snapshot
from pylmod.testing import (
    DEMO_COURSE_UUID,
    DEMO_GRADEBOOK_ID,
    DEMO_GRADEBOOK_UUID,
)

JEANNE, STELLAR1, MOLLY = 1143, 1144, 1145
DATA_DIR = Path(__file__).parents[1] / 'data'
#: Demo assignments without grades: what the fake holds for them after a
#: test came from that test.
UNGRADED = ('AB Assignment 02', 'final')


pytestmark = pytest.mark.usefixtures('no_user_settings')


@pytest.fixture
def pylmod(capsys, lmod_server):
    """Run ``pylmod <connection> <args>`` in-process; return ``(status,
    stdout, stderr)``."""
    def run(*args):
        capsys.readouterr()
        status = main([str(arg) for arg in (
            '--url', lmod_server.url, '--cert', lmod_server.client_cert,
            '--ca-bundle', lmod_server.ca_cert, '--retries', '0',
            '--gradebook', DEMO_GRADEBOOK_UUID, '--course', DEMO_COURSE_UUID)
            + args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err
    return run


def table(text):
    """The name -> value lines of a two-column table."""
    return dict(line.rsplit(None, 1) for line in text.splitlines()[2:])


def read_csv(path):
    with open(path, newline='', encoding='utf-8') as csv_file:
        return list(csv.DictReader(csv_file))


def ungraded_grades(fake):
    """``(studentId, assignment name) -> value`` of the ungraded
    assignments."""
    names = {assignment['assignmentId']: assignment['name']
             for assignment in fake.assignments(DEMO_GRADEBOOK_ID)}
    return {(student, names[assignment]): value for (student, assignment),
            value in fake.stored_grades(DEMO_GRADEBOOK_ID).items()
            if names[assignment] in UNGRADED}


# -- reading the file ---------------------------------------------------------

LATIN1 = ('External email,Full Name,final\n'
          'stellar.test2@gmail.com,Molly Parker,5\n'
          'stellar.test1@gmail.com,José Test,6\n').encode('latin-1')


def test_a_file_in_another_encoding(pylmod, lmod_fake, tmp_path):
    # pylmod 2.0: "<pylmod.cli.output.ProgressFile object at 0x…>: line 1".
    path = tmp_path / 'latin1.csv'
    path.write_bytes(LATIN1)
    status, out, err = pylmod('upload', path)
    assert status == 2
    assert err.startswith('pylmod: error: {0}: line 3 is not valid UTF-8 '
                          '(byte 0xe9'.format(path))
    assert err.rstrip().endswith(
        'if the file has another encoding, pass it with --encoding (e.g. '
        '--encoding cp1252 for a file an older Excel saved)')
    assert 'encoding=' not in err
    assert ungraded_grades(lmod_fake) == {}
    status, out, err = pylmod('upload', path, '--encoding', 'latin-1')
    assert status == 0, err
    assert ungraded_grades(lmod_fake) == {(MOLLY, 'final'): 5.0,
                                          (STELLAR1, 'final'): 6.0}


def test_rows_not_sent_duplicates_and_emails_in_every_report_row(
        pylmod, lmod_fake, tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text('External email,Full Name,final\n'
                    'stellar.test2@gmail.com,Parker, Molly,5\n'
                    'stellar.test1@gmail.com,Test,1_0\n'
                    'jeannechiang@gmail.com,Chiang,7\n'
                    'JeanneChiang@gmail.com,Chiang,8\n', encoding='utf-8')
    report_path = tmp_path / 'outcome.csv'
    status, out, err = pylmod('upload', path, '--report', report_path)
    assert status == 1
    assert ("pylmod: line 2 (stellar.test2@gmail.com): row has 4 cells, the "
            "header 3: not sent") in err
    assert ("pylmod: line 3, column 'final': '1_0' is not a number (a "
            "spreadsheet number has no '_'); cell skipped") in err
    assert ("pylmod: line 5, column 'final': replaces the value of line 4 "
            "(same student)") in err
    assert ungraded_grades(lmod_fake) == {(JEANNE, 'final'): 8.0}
    rows = read_csv(report_path)
    assert [(row['line'], row['email'], row['assignment'], row['status'])
            for row in rows] == [
        ('2', 'stellar.test2@gmail.com', '', 'skipped'),
        ('2', 'stellar.test2@gmail.com', 'External email', 'skipped'),
        ('2', 'stellar.test2@gmail.com', 'Full Name', 'skipped'),
        ('2', 'stellar.test2@gmail.com', 'final', 'skipped'),
        ('3', 'stellar.test1@gmail.com', 'final', 'skipped'),
        ('4', 'JeanneChiang@gmail.com', 'final', 'replaced'),
        ('5', 'JeanneChiang@gmail.com', 'final', 'confirmed')]


def test_dry_run_says_what_it_would_create_in_one_wording(pylmod, tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text('External email,Quiz 9\nstellar.test2@gmail.com,5\n',
                    encoding='utf-8')
    status, out, err = pylmod('upload', path, '--dry-run')
    assert status == 0
    assert table(out)['assignments to create'] == '1'
    assert 'assignments created' not in out
    assert "pylmod: dry run: would create assignment 'Quiz 9'" in err
    assert 'sending' not in err


def test_many_new_assignments_need_an_option(pylmod, lmod_fake, tmp_path):
    path = tmp_path / 'grades.csv'
    names = ['Quiz {0}'.format(number) for number in range(21)]
    path.write_text('External email,' + ','.join(names) + '\n'
                    'stellar.test2@gmail.com,' + ','.join(['1'] * 21) + '\n',
                    encoding='utf-8')
    before = lmod_fake.assignments(DEMO_GRADEBOOK_ID)
    status, out, err = pylmod('upload', path)
    assert status == 2
    assert 'the file would create 21 new assignments, more than the 20' in err
    assert 'If they are meant, pass --allow-new-assignments 21; if not' in err
    assert 'max_new_assignments' not in err
    assert lmod_fake.assignments(DEMO_GRADEBOOK_ID) == before
    status, out, err = pylmod('upload', path, '--allow-new-assignments', 21)
    assert status == 0, err
    assert table(out)['assignments created'] == '21'


def test_quiet_shows_no_progress(pylmod, tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text('External email,final\nstellar.test2@gmail.com,5\n',
                    encoding='utf-8')
    status, out, err = pylmod('upload', path)
    assert status == 0
    assert err.startswith('pylmod: sending 1 grades\npylmod: sent 1 of '
                          '1 grades (1 confirmed)\npylmod: snapshot of the '
                          'grades before the upload: ')
    assert err.endswith('pylmod: done: 1 grade confirmed by LMod\n')
    path.write_text('External email,final\nstellar.test2@gmail.com,6\n',
                    encoding='utf-8')
    status, out, err = pylmod('--quiet', 'upload', path, '--snapshot',
                              tmp_path / 'quiet.json')
    # No progress; the snapshot, a result, is still named.
    assert (status, err) == (0, 'pylmod: snapshot of the grades before the '
                                'upload: {0}; undo with: pylmod rollback '
                                '{0}\n'.format(tmp_path / 'quiet.json'))
    # Nothing to send: no snapshot, nothing said.
    status, out, err = pylmod('--quiet', 'upload', path)
    assert (status, err) == (0, '')
    assert pylmod('upload', '-q', path)[2] == ''


# -- assignments of one name -------------------------------------------------

def test_create_assignment_refuses_a_name_the_gradebook_has(
        pylmod, lmod_fake, lmod_server, tmp_path):
    create = ('create-assignment', 'Problem Set 1', '--short-name', 'PS1',
              '--max-points', 10, '--due', '12-15-2026')
    status, out, err = pylmod(*create)
    assert status == 0, err
    first = [a['assignmentId'] for a in lmod_fake.assignments(
        DEMO_GRADEBOOK_ID) if a['name'] == 'Problem Set 1']
    status, out, err = pylmod(*create)
    assert status == 1
    assert ("the gradebook has an assignment named 'Problem Set 1' already "
            "(id {0}); nothing was created".format(first[0])) in err
    assert '--allow-duplicate' in err
    status, out, err = pylmod(*create, '--allow-duplicate')
    assert status == 0, err
    ids = [a['assignmentId'] for a in lmod_fake.assignments(
        DEMO_GRADEBOOK_ID) if a['name'] == 'Problem Set 1']
    both = 'ids {0}, {1}'.format(*ids)

    # Every command that names it now refuses the name, naming both ids.
    status, out, err = pylmod('set-grade', '--student',
                              'stellar.test2@gmail.com', '--assignment',
                              'Problem Set 1', 5)
    assert status == 1 and both in err
    path = tmp_path / 'grades.csv'
    path.write_text('External email,Problem Set 1\n'
                    'stellar.test2@gmail.com,5\n', encoding='utf-8')
    status, out, err = pylmod('upload', path)
    assert status == 1 and both in err
    status, out, err = pylmod('export-grades', tmp_path / 'out.csv')
    assert status == 1 and both in err
    assert not (tmp_path / 'out.csv').exists()
    assert all(key[1] not in ids for key in lmod_fake.stored_grades(
        DEMO_GRADEBOOK_ID))


@pytest.mark.parametrize('option, value, message', [
    ('--short-name', 'TOOLONGNAME', "expected one word of at most 5 "
                                    "characters, got 'TOOLONGNAME'"),
    ('--short-name', 'P S', "expected one word"),
    ('--max-points', '-5', "expected a number of points greater than 0, got "
                           "'-5'"),
    ('--max-points', '0', 'greater than 0'),
    ('--max-points', 'inf', "'inf' is not a finite number"),
])
def test_create_assignment_checks_its_values_before_sending(
        pylmod, lmod_server, option, value, message):
    values = {'--short-name': 'PS1', '--max-points': '10'}
    values[option] = value
    status, out, err = pylmod('create-assignment', 'Problem Set 1',
                              '--due', '12-15-2026', *[
                                  part for pair in values.items()
                                  for part in pair])
    assert status == 2
    assert message in err
    assert not [r for r in lmod_server.requests if r.method == 'POST']


# -- output ------------------------------------------------------------

def test_json_for_every_format_json(pylmod, tmp_path):
    status, out, err = pylmod('--format', 'json', 'has-role',
                              'hduck@mit.edu', 'TA')
    assert (status, json.loads(out)) == (0, {
        'email': 'hduck@mit.edu', 'role': 'TA', 'has_role': True})
    status, out, err = pylmod('--format', 'json', 'has-role',
                              'hduck@mit.edu', 'Instructor')
    assert (status, json.loads(out)['has_role']) == (1, False)
    status, out, err = pylmod('--format', 'json', 'export-grades',
                              tmp_path / 'out.csv')
    assert status == 0
    assert json.loads(out)['students'] == 300


def _parsers(parser, prefix='pylmod'):
    """Yield ``(command, parser, subcommand help)`` of every (sub)command."""
    yield prefix, parser, 'top'
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help
                     for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield from (
                    (command, each, helps.get(name) if each is sub else text)
                    for command, each, text in _parsers(
                        sub, prefix + ' ' + name))


def test_every_command_and_argument_has_help():
    missing = []
    for command, parser, help_text in _parsers(build_parser()):
        if not help_text or not parser.description:
            missing.append(command)
        missing.extend(
            '{0} {1}'.format(command, action.option_strings or action.dest)
            for action in parser._actions
            if not isinstance(action, argparse._SubParsersAction)
            and not action.help)
    assert missing == []


def test_a_closed_pipe_ends_quietly(lmod_fake, lmod_server, tmp_path):
    # More than a pipe holds, so that the writer meets the closed end.
    lmod_fake.add_generated_students(3000)
    env = dict(os.environ, PYLMOD_URL=lmod_server.url,
               PYLMOD_CERT=lmod_server.client_cert,
               PYLMOD_CA_BUNDLE=lmod_server.ca_cert,
               PYLMOD_GRADEBOOK=DEMO_GRADEBOOK_UUID)
    process = subprocess.Popen(
        [sys.executable, '-m', 'pylmod', 'students'], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert first.startswith(b'studentId')
    assert (process.returncode, err) == (0, b'')


# -- interrupted uploads -----------------------------------------------

STUDENTS, BATCH = 60, 40  # 120 grades: three requests


def write_grades(fake, path):
    students = fake.students(DEMO_GRADEBOOK_ID)[:STUDENTS]
    with open(path, 'w', newline='', encoding='utf-8') as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(['External email'] + list(UNGRADED))
        for index, student in enumerate(students):
            writer.writerow([student['accountEmail'], index + 0.5,
                             index + 100.25])


def wait_for(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, 'gave up waiting for ' + what
        time.sleep(0.05)


@pytest.mark.parametrize('signal_number', [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_upload_keeps_its_record_and_resumes(
        capsys, lmod_fake, lmod_server, tmp_path, signal_number):
    grades_csv, report_path = tmp_path / 'grades.csv', tmp_path / 'r.csv'
    write_grades(lmod_fake, grades_csv)
    # The first multiGrades request is answered; the second is carried out
    # and its answer held back, so the upload waits for it.
    lmod_server.delay_next(1, 0, path_prefix='multiGrades/')
    lmod_server.delay_next(1, 600, path_prefix='multiGrades/')
    env = dict(os.environ, PYLMOD_URL=lmod_server.url,
               PYLMOD_CERT=lmod_server.client_cert,
               PYLMOD_CA_BUNDLE=lmod_server.ca_cert,
               PYLMOD_GRADEBOOK=DEMO_GRADEBOOK_UUID)
    process = subprocess.Popen(
        [sys.executable, '-m', 'pylmod', 'upload', str(grades_csv),
         '--batch-size', str(BATCH), '--report', str(report_path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(ungraded_grades(lmod_fake)) == 2 * BATCH,
                 'the second request to be carried out')
        process.send_signal(signal_number)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert ('pylmod: {0}: LMod confirmed 40 of 120 grades; the report {1} '
            'says what became of each. To send the others, run:\n'
            '  pylmod upload {2} --batch-size {3} --report {1} --resume {1}\n'
            .format('interrupted' if signal_number == signal.SIGINT
                    else 'terminated', report_path, grades_csv, BATCH)) in err
    assert table(out)['confirmed'] == '40'
    assert table(out)['unconfirmed'] == '40'
    assert table(out)['not sent'] == '40'
    # The snapshot written before the first request undoes what went
    # through.
    assert 'undo with: pylmod rollback ' in err
    assert read_snapshot(table(out)['snapshot']).kind == 'upload'

    # The report against what the fake stores: confirmed grades are stored,
    # grades not sent are not; the unconfirmed ones were, as it happens.
    stored = ungraded_grades(lmod_fake)
    rows = read_csv(report_path)
    by_status = {}
    for row in rows:
        key = (row['email'], row['assignment'])
        by_status.setdefault(row['status'], {})[key] = float(row['value'])
    ids = {student['accountEmail']: student['studentId']
           for student in lmod_fake.students(DEMO_GRADEBOOK_ID)}
    as_stored = {status: {(ids[email], name): value for (email, name), value
                          in grades.items()}
                 for status, grades in by_status.items()}
    assert sorted(by_status) == ['confirmed', 'not sent', 'unconfirmed']
    assert as_stored['confirmed'].items() <= stored.items()
    assert as_stored['unconfirmed'].items() <= stored.items()
    assert not set(as_stored['not sent']) & set(stored)

    capsys.readouterr()
    resumed_path = tmp_path / 'resumed.csv'
    status = main(['--url', lmod_server.url, '--cert',
                   lmod_server.client_cert, '--ca-bundle',
                   lmod_server.ca_cert, '--gradebook', DEMO_GRADEBOOK_UUID,
                   'upload', str(grades_csv), '--batch-size', str(BATCH),
                   '--resume', str(report_path), '--report',
                   str(resumed_path)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert ('pylmod: not sent again: 40 grades the resumed report shows '
            'confirmed') in captured.err
    assert table(captured.out)['already confirmed'] == '40'
    # The unconfirmed batch was stored, as it happens: LMod holds those
    # grades, so they are not sent again either.
    assert table(captured.out)['confirmed'] == '40'
    assert table(captured.out)['unchanged (not sent)'] == '40'
    assert len(ungraded_grades(lmod_fake)) == 2 * STUDENTS
    assert {row['status'] for row in read_csv(resumed_path)} == {
        'already confirmed', 'confirmed', 'unchanged'}


def test_resume_needs_an_upload_report(pylmod, tmp_path):
    grades_csv = DATA_DIR / 'cli_upload_clean.csv'
    status, out, err = pylmod('upload', grades_csv, '--resume', grades_csv)
    assert status == 2
    assert 'is not a --report file of `pylmod upload`' in err
    status, out, err = pylmod('upload', grades_csv, '--resume',
                              tmp_path / 'missing.csv')
    assert status == 2
    assert 'cannot read the report to resume from' in err
    json_report = tmp_path / 'report.json'
    json_report.write_text(json.dumps({'rows': [
        {'line': 2, 'email': 'JeanneChiang@gmail.com',
         'assignment': 'midterm1', 'value': 88.0, 'status': 'confirmed'}]}),
        encoding='utf-8')
    status, out, err = pylmod('upload', grades_csv, '--resume', json_report)
    assert status == 0, err
    assert table(out)['already confirmed'] == '1'


def test_the_report_of_an_interrupt_in_process(pylmod, lmod_server,
                                               monkeypatch, tmp_path):
    # The in-process view of the same: KeyboardInterrupt while the second
    # batch is in flight.
    from pylmod import gradebook as gradebook_module
    calls = []
    send = gradebook_module.GradeBook.multi_grade

    def interrupted(self, grades, gradebook_id=''):
        calls.append(len(grades))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return send(self, grades, gradebook_id)

    monkeypatch.setattr(gradebook_module.GradeBook, 'multi_grade',
                        interrupted)
    report_path = tmp_path / 'r.json'
    status, out, err = pylmod('upload', DATA_DIR / 'cli_upload_clean.csv',
                              '--batch-size', 2, '--report', report_path)
    assert status == 130
    saved = json.loads(report_path.read_text(encoding='utf-8'))
    assert saved['counts']['confirmed'] == 2
    assert saved['counts']['unconfirmed'] == 2
    assert saved['counts']['not_sent'] == 2
    assert io.StringIO(err).readline().startswith(
        'pylmod: sending 6 grades')
