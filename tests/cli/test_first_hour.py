"""A new user's first hour with the ``pylmod`` command (issue 23): errors
that speak the command line, and interrupts that lose nothing.

Here the interface is the point, so the installed ``pylmod`` runs as a real
process: its exit status and stderr are what is checked, and Ctrl-C comes
from a terminal (a pty), SIGKILL from the test.
"""
import csv
import io
import json
import os
import pty
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pylmod.testing import DEMO_GRADEBOOK_ID, DEMO_GRADEBOOK_UUID

#: The ``pylmod`` script of the environment the tests run in.
PYLMOD = str(Path(sys.executable).with_name('pylmod'))
DATA_DIR = Path(__file__).parents[1] / 'data'
UNGRADED = ('AB Assignment 02', 'final')
STUDENTS, BATCH = 60, 40  # 120 grades: three requests


@pytest.fixture
def env(lmod_server, no_user_settings):
    """The environment of a user who pasted the serve-fake banner's
    ``export PYLMOD_*`` lines."""
    return dict(os.environ, PYLMOD_URL=lmod_server.url,
                PYLMOD_CERT=lmod_server.client_cert,
                PYLMOD_CA_BUNDLE=lmod_server.ca_cert,
                PYLMOD_GRADEBOOK=DEMO_GRADEBOOK_UUID, PYLMOD_RETRIES='0')


def run(env, *args):
    """Run the installed ``pylmod``; return ``(status, stdout, stderr)``."""
    done = subprocess.run([PYLMOD] + [str(arg) for arg in args], env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def read_csv(path):
    with open(path, newline='', encoding='utf-8') as csv_file:
        return list(csv.DictReader(csv_file))


# -- errors that speak the command line --------------------------------------

@pytest.mark.parametrize('start, said', [
    (b'PK\x03\x04\x14\x00\x06\x00', 'is an Excel workbook (.xlsx) or another '
                                     'zip file, not a CSV file: save it as '
                                     'CSV'),
    (b'%PDF-1.7\n%\xe2\xe3', 'is a PDF document, not a CSV file'),
    ('External email,final\n'.encode('utf-16'),
     "is UTF-16 text (Excel's 'Unicode Text'), not UTF-8: pass --encoding "
     'utf-16'),
])
def test_a_file_that_is_not_csv_text_is_named(env, lmod_server, tmp_path,
                                                start, said):
    path = tmp_path / 'grades.csv'
    path.write_bytes(start + bytes(range(256)))
    status, out, err = run(env, 'upload', path)
    assert (status, out) == (2, '')
    assert err.startswith('pylmod: error: {0} {1}'.format(path, said))
    assert err.count('\n') == 1
    assert 'cp1252' not in err  # no advice that loops back
    assert lmod_server.requests == []


def test_utf16_uploads_with_the_encoding_named(env, lmod_fake, tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text('External email,final\nstellar.test2@gmail.com,5\n',
                    encoding='utf-16')
    status, out, err = run(env, 'upload', path, '--encoding', 'utf-16')
    assert status == 0, err


def test_library_keywords_are_said_as_flags(env, tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_bytes('External email,final\nJosé,5\n'.encode('latin-1'))
    status, _, err = run(env, 'upload', path)
    assert status == 2
    assert 'pass it with --encoding (e.g. --encoding cp1252' in err
    status, _, err = run(env, 'upload',
                         DATA_DIR / 'cli_upload_no_email_column.csv')
    assert status == 2
    assert 'Pass --email-field COLUMN to name the email column.' in err
    assert '=' not in err.replace('pylmod: error:', '')


@pytest.mark.parametrize('url, problem', [
    ('127.0.0.1:8443', 'it does not start with https://'),
    ('ftp://127.0.0.1/', 'pylmod speaks https, not ftp'),
    ('https:///', 'it names no host'),
    ('{root}service/', 'it has a path, /service/: give the server root'),
])
def test_a_url_not_of_the_lmod_form_is_a_usage_error(env, lmod_server, url,
                                                      problem):
    url = url.format(root=lmod_server.url)
    status, out, err = run(env, '--url', url, 'students')
    assert (status, out) == (2, '')
    assert err == (
        "pylmod: error: --url {0!r} is not the address of an LMod server "
        '({1}); give it as https://HOST[:PORT]/, e.g. '
        'https://learning-modules.mit.edu:8443/\n'.format(
            url, problem.replace(': give the server root', ': give the '
                                 'server root, pylmod adds service/... '
                                 'itself')))
    assert lmod_server.requests == []
    env['PYLMOD_URL'] = url
    status, _, err = run(env, 'students')
    assert status == 2
    assert err.startswith('pylmod: error: PYLMOD_URL {0!r}'.format(url))


# -- interrupts that lose nothing --------------------------------------------

def write_grades(fake, path):
    students = fake.students(DEMO_GRADEBOOK_ID)[:STUDENTS]
    with open(path, 'w', newline='', encoding='utf-8') as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(['External email'] + list(UNGRADED))
        for index, student in enumerate(students):
            writer.writerow([student['accountEmail'], index + 0.5,
                             index + 100.25])


def stored_count(fake):
    names = {assignment['assignmentId']: assignment['name']
             for assignment in fake.assignments(DEMO_GRADEBOOK_ID)}
    return sum(1 for (_, assignment) in fake.stored_grades(DEMO_GRADEBOOK_ID)
               if names[assignment] in UNGRADED)


def wait_for(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, 'gave up waiting for ' + what
        time.sleep(0.05)


def hold_the_second_request(lmod_server):
    """The first multiGrades request is answered; the second is carried
    out and its answer held back, so the upload waits in it."""
    lmod_server.delay_next(1, 0, path_prefix='multiGrades/')
    lmod_server.delay_next(1, 600, path_prefix='multiGrades/')


def test_sigkill_leaves_the_streamed_report_and_resume_sends_the_rest(
        env, lmod_fake, lmod_server, tmp_path):
    grades_csv, report_path = tmp_path / 'grades.csv', tmp_path / 'r.csv'
    write_grades(lmod_fake, grades_csv)
    hold_the_second_request(lmod_server)
    process = subprocess.Popen(
        [PYLMOD, 'upload', str(grades_csv), '--batch-size', str(BATCH),
         '--report', str(report_path)], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: stored_count(lmod_fake) == 2 * BATCH,
                 'the second request to be carried out')
        process.kill()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    rows = read_csv(report_path)
    assert len(rows) == BATCH
    assert {row['status'] for row in rows} == {'confirmed'}
    status, out, err = run(env, 'upload', grades_csv, '--batch-size', BATCH,
                           '--resume', report_path)
    assert status == 0, err
    assert 'not sent again: 40 grades the resumed report shows confirmed' in (
        err)
    assert stored_count(lmod_fake) == 2 * STUDENTS


def run_in_terminal(argv, env, interrupts, ready):
    """Run ``argv`` on a pty; once ``ready()``, type Ctrl-C ``interrupts``
    times.  Return ``(exit status, what the terminal showed)``."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    shown = b''
    try:
        wait_for(ready, 'the upload to be under way')
        for _ in range(interrupts):
            os.write(terminal, b'\x03')
            time.sleep(0.05)
        while True:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:  # the child is gone
                break
            if not chunk:
                break
            shown += chunk
    finally:
        _, wait_status = os.waitpid(pid, 0)
        os.close(terminal)
    return os.waitstatus_to_exitcode(wait_status), shown.decode(
        'utf-8', 'replace').replace('\r\n', '\n')


@pytest.mark.skipif(not hasattr(os, 'waitstatus_to_exitcode'),
                    reason='Python 3.9+')
def test_ctrl_c_twice_without_report_keeps_one_and_prints_the_resume(
        env, lmod_fake, lmod_server, no_user_settings, tmp_path):
    grades_csv = tmp_path / 'grades.csv'
    write_grades(lmod_fake, grades_csv)
    hold_the_second_request(lmod_server)
    status, shown = run_in_terminal(
        [PYLMOD, 'upload', str(grades_csv), '--batch-size', str(BATCH)],
        env, 2, lambda: stored_count(lmod_fake) == 2 * BATCH)
    # 130, or killed by SIGINT when the second Ctrl-C comes as Python
    # exits (which a shell shows as 130 too).
    assert status in (130, -signal.SIGINT), shown
    reports = list((no_user_settings / '.local' / 'share' / 'pylmod'
                    / 'reports').glob('upload-*-grades-*.csv'))
    assert len(reports) == 1, shown
    report_path = reports[0]
    assert oct(report_path.stat().st_mode & 0o777) == oct(0o600)
    said = ('pylmod: interrupted: LMod confirmed 40 of 120 grades; the '
            'report {0} says what became of each. To send the others, '
            'run:\n'.format(report_path))
    assert said in shown
    resume = shown.split(said, 1)[1].splitlines()[0].strip()
    assert resume == 'pylmod upload {0} --batch-size {1} --resume {2}'.format(
        grades_csv, BATCH, report_path)
    by_status = {}
    for row in read_csv(report_path):
        by_status.setdefault(row['status'], set()).add(row['message'])
    # The second Ctrl-C may land before, in or after the whole report is
    # written: the confirmed grades are in it whenever it does.
    assert 'confirmed' in by_status
    if 'not sent' in by_status:
        assert by_status['not sent'] == {'not sent: interrupted'}
        assert by_status['unconfirmed'] == {'interrupted before LMod '
                                            'answered'}

    status, out, err = run(env, *shlex.split(resume)[1:])
    assert status == 0, err
    assert stored_count(lmod_fake) == 2 * STUDENTS


def test_an_upload_that_goes_through_keeps_no_report(env, no_user_settings):
    status, _, err = run(env, 'upload', DATA_DIR / 'cli_upload_clean.csv')
    assert status == 0, err
    reports = no_user_settings / '.local' / 'share' / 'pylmod' / 'reports'
    assert list(reports.glob('*')) == []


def test_interrupted_rows_read_not_sent_interrupted(env, lmod_fake,
                                                    lmod_server, tmp_path):
    grades_csv, report_path = tmp_path / 'grades.csv', tmp_path / 'r.csv'
    write_grades(lmod_fake, grades_csv)
    hold_the_second_request(lmod_server)
    process = subprocess.Popen(
        [PYLMOD, 'upload', str(grades_csv), '--batch-size', str(BATCH),
         '--report', str(report_path)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: stored_count(lmod_fake) == 2 * BATCH,
                 'the second request to be carried out')
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    messages = {row['status']: row['message'] for row in read_csv(report_path)}
    assert messages == {'confirmed': '',
                        'unconfirmed': 'interrupted before LMod answered',
                        'not sent': 'not sent: interrupted'}
    assert 'KeyboardInterrupt' not in err + str(messages)


# -- every run ends with a verdict --------------------------------------------

def test_a_dry_run_that_fails_says_why_in_its_last_line(env, lmod_server,
                                                         tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text('External email,final\nstellar.test2@gmail.com,5\n'
                    'stellar.test1@gmail.com,n/a\n'
                    'jeannechiang@gmail.com,7\n', encoding='utf-8')
    status, out, err = run(env, 'upload', path, '--dry-run')
    assert status == 1
    assert err.splitlines()[-1] == (
        'pylmod: nothing sent; 2 grades would be sent; 1 cell is not a '
        'number')
    counts = dict(line.rsplit(None, 1) for line in out.splitlines()[2:])
    assert counts['would send'] == '2'
    assert not {'grades sent', 'confirmed', 'failed'} & set(counts)
    assert not [request for request in lmod_server.requests
                if request.method == 'POST']


def test_an_upload_ends_with_its_verdict(env, tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text('External email,final\nstellar.test2@gmail.com,5\n'
                    'nobody@example.edu,6\n', encoding='utf-8')
    status, _, err = run(env, 'upload', path)
    assert status == 0
    assert err.splitlines()[-1] == (
        'pylmod: done: 1 grade confirmed by LMod; 1 email is no student of '
        'the gradebook')


# -- the command line as people expect it ------------------------------------

def test_a_usage_error_is_one_line_that_points_to_help(env):
    status, out, err = run(env, 'upload')
    assert (status, out) == (2, '')
    assert err == ('pylmod upload: error: the following arguments are '
                   'required: CSV; see `pylmod upload --help`\n')
    status, _, err = run(env, 'upload', 'grades.csv', '--batch-size', 'x')
    assert status == 2
    assert err.count('\n') == 1
    assert err.endswith('; see `pylmod upload --help`\n')


def every_command(parser, prefix='pylmod'):
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield prefix + ' ' + name, command
                yield from every_command(command, prefix + ' ' + name)


def test_every_help_lists_the_exit_statuses():
    from pylmod.cli import build_parser
    commands = dict(every_command(build_parser()))
    assert len(commands) > 15
    for name, parser in commands.items():
        assert '130 interrupted (Ctrl-C or SIGTERM)' in ' '.join(
            parser.format_help().split()), name


def test_help_lists_only_the_options_that_apply(env):
    for command in ('serve-fake', 'demo', 'completion'):
        status, out, _ = run(env, command, '--help')
        assert status == 0
        words = set(out.replace('[', ' ').replace(']', ' ').split())
        for unrelated in ('--cert', '--gradebook', '--url', '--format'):
            assert unrelated not in words, (command, unrelated)
        assert '--verbose' in out
    status, out, _ = run(env, 'upload', '--help')
    assert '--cert' in out and '--gradebook' in out
    assert '--course' not in out  # a gradebook command
    status, out, _ = run(env, 'has-role', '--help')
    assert '--course' in out and '--gradebook' not in out
    for openedx_command in ('push-grades', 'learner'):  # a gradebook's
        status, out, _ = run(env, 'openedx', openedx_command, '--help')
        assert status == 0
        words = set(out.replace('[', ' ').replace(']', ' ').split())
        assert '--gradebook' in words and '--course' not in words
    status, out, _ = run(env, 'openedx', 'sync-roster', '--help')
    words = set(out.replace('[', ' ').replace(']', ' ').split())
    assert '--gradebook' in words and '--course' in words  # either roster


def complete_in_terminal(typed, tmp_path):
    """Type ``typed`` and a Tab into an interactive bash on a pty that has
    loaded ``pylmod completion bash``; return what the terminal shows."""
    script = tmp_path / 'completion.bash'
    script.write_text(subprocess.run(
        [PYLMOD, 'completion', 'bash'], capture_output=True, text=True,
        check=True).stdout, encoding='utf-8')
    pid, terminal = pty.fork()
    if pid == 0:
        os.execve('/bin/bash', ['bash', '--norc', '--noprofile', '-i'],
                  {'PATH': os.path.dirname(PYLMOD) + ':/usr/bin:/bin',
                   'HOME': str(tmp_path), 'TERM': 'dumb', 'PS1': '$ '})
    shown = b''
    try:
        os.write(terminal, 'source {0}\n'.format(script).encode())
        os.write(terminal, typed.encode() + b'\t')
        time.sleep(0.5)
        os.write(terminal, b'\x15exit\n')
        while True:
            try:
                chunk = os.read(terminal, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.waitpid(pid, 0)
        os.close(terminal)
    return shown.decode('utf-8', 'replace')


@pytest.mark.skipif(not os.path.exists('/bin/bash'), reason='no bash')
def test_bash_completes_commands_and_options(tmp_path):
    assert 'pylmod upload ' in complete_in_terminal('pylmod uplo', tmp_path)
    assert '--dry-run' in complete_in_terminal(
        'pylmod --cert me.pem upload --dry', tmp_path)
    assert 'push-grades' in complete_in_terminal('pylmod openedx pus',
                                                 tmp_path)


def test_completion_scripts_for_bash_and_zsh(env):
    for shell in ('bash', 'zsh'):
        status, out, _ = run(env, 'completion', shell)
        assert status == 0
        assert 'complete -o default -F _pylmod pylmod' in out
    assert 'bashcompinit' in run(env, 'completion', 'zsh')[1]
    assert run(env, 'completion', 'fish')[0] == 2


def test_json_keys_are_snake_case(env, tmp_path):
    report_path = tmp_path / 'report.json'
    status, out, err = run(env, '--format', 'json', 'upload',
                           DATA_DIR / 'cli_upload_clean.csv', '--report',
                           report_path)
    assert status == 0, err
    counts = json.loads(out)
    assert (counts['grades_sent'], counts['rows_read']) == (6, 3)
    saved = json.loads(report_path.read_text(encoding='utf-8'))
    assert saved['counts']['grades_sent'] == 6
    status, out, _ = run(env, '--format', 'json', 'export-grades',
                         tmp_path / 'out.csv')
    keys = set(counts) | set(saved['counts']) | set(json.loads(out))
    assert all(re.fullmatch('[a-z0-9_]+', key) for key in keys), keys


def test_one_email_spelling_in_students_export_and_reports(env, tmp_path):
    _, out, _ = run(env, '--format', 'csv', 'students', '--simple')
    simple = {row['email'] for row in csv.DictReader(io.StringIO(out))}
    _, out, _ = run(env, '--format', 'csv', 'students')
    full = {row['accountEmail'] for row in csv.DictReader(io.StringIO(out))}
    assert 'student004@mit.edu' in simple
    assert simple == full
    exported, report_path = tmp_path / 'grades.csv', tmp_path / 'r.csv'
    run(env, 'export-grades', exported)
    status, _, err = run(env, 'upload', exported, '--report', report_path)
    assert status == 0, err
    assert {row['email'] for row in read_csv(report_path)} <= full


# -- a path without MIT access ------------------------------------------------

def test_the_serve_fake_banner_exports_paste_into_a_shell(no_user_settings,
                                                          tmp_path):
    server = subprocess.Popen(
        [PYLMOD, 'serve-fake', '--cert-dir', str(tmp_path / 'certs')],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = []
        for line in server.stdout:
            banner.append(line)
            if line.startswith('Press Ctrl-C'):
                break
        exports = [line.strip() for line in banner
                   if line.startswith('  export PYLMOD_')]
        assert [line.split('=')[0] for line in exports] == [
            'export PYLMOD_URL', 'export PYLMOD_CERT',
            'export PYLMOD_CA_BUNDLE', 'export PYLMOD_GRADEBOOK',
            'export PYLMOD_COURSE']
        env = {name: value for name, value in os.environ.items()
               if not name.startswith('PYLMOD_')}
        done = subprocess.run(
            ['/bin/sh', '-c', '\n'.join(exports + [
                '"{0}" sections && "{0}" has-role hduck@mit.edu TA'.format(
                    PYLMOD)])],
            env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert 'Unassigned' in done.stdout
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


# -- Open edX from a shell ----------------------------------------------------

def test_serve_fake_with_openedx_from_a_shell(no_user_settings, tmp_path):
    server = subprocess.Popen(
        [PYLMOD, 'serve-fake', '--openedx', '--cert-dir',
         str(tmp_path / 'certs')],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = []
        for line in server.stdout:
            banner.append(line)
            if line.startswith('Press Ctrl-C'):
                break
        text = ''.join(banner)
        assert 'Fake Open edX serving at http://127.0.0.1:' in text
        exports = [line.strip() for line in banner
                   if line.startswith('  export PYLMOD_')]
        assert {line.split('=')[0] for line in exports} >= {
            'export PYLMOD_OPENEDX_URL', 'export PYLMOD_OPENEDX_CLIENT_ID',
            'export PYLMOD_OPENEDX_CLIENT_SECRET'}
        tries = [line.strip() for line in banner
                 if line.startswith('  pylmod openedx')]
        assert len(tries) == 2
        env = {name: value for name, value in os.environ.items()
               if not name.startswith('PYLMOD_')}
        script = '\n'.join(exports + [
            '"{0}" {1} || exit $?'.format(PYLMOD, line.split(None, 1)[1])
            for line in tries] + [
            '"{0}" --format json openedx push-grades {1}'.format(
                PYLMOD, tries[0].split('push-grades', 1)[1].replace(
                    '--dry-run', ''))])
        done = subprocess.run(['/bin/sh', '-c', script], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        counts = json.loads(done.stdout[done.stdout.rindex('{'):])
        assert counts['records_read'] == counts['confirmed'] == 300
        # Every run ends with its verdict (issue 23).
        verdicts = [line for line in done.stderr.splitlines()
                    if line.startswith(('pylmod: nothing sent',
                                        'pylmod: done'))]
        assert verdicts == ['pylmod: nothing sent; 300 would be sent',
                            'pylmod: nothing sent; 150 would be sent',
                            'pylmod: done: 300 confirmed'], done.stderr
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)


def test_the_demo_pushes_grades_and_syncs_a_roster(no_user_settings,
                                                    tmp_path):
    status, out, err = run(dict(os.environ), 'demo', '--dir', tmp_path)
    assert status == 0, err
    assert '8. Push the course grades from Open edX to LMod' in out
    assert '300 grades read from Open edX; 300 confirmed' in out
    assert '9. Sync the LMod roster to the Open edX program' in out
    assert '150 to add, 150 enrolled already; 150 confirmed' in out
