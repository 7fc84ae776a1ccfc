"""``pylmod openedx push-grades`` and ``sync-roster`` through main(argv)."""
import csv
import json
import subprocess
import sys

import pytest

from pylmod.cli import main
from pylmod.testing import DEMO_GRADEBOOK_ID, DEMO_GRADEBOOK_UUID
from pylmod.testing.fake_openedx import (
    DEMO_COURSE_KEY,
    DEMO_CURRICULUM_UUID,
    DEMO_PROGRAM_UUID,
    OpenEdxServer,
)

FINAL_ID = 16708880


@pytest.fixture
def argv(lmod_server, openedx, monkeypatch, tmp_path):
    """The global and Open edX options; the secret comes from the
    environment, as documented."""
    config = tmp_path / 'empty.ini'
    config.write_text('[pylmod]\n', encoding='utf-8')
    monkeypatch.setenv('PYLMOD_CONFIG', str(config))
    monkeypatch.setenv('PYLMOD_OPENEDX_CLIENT_SECRET',
                       openedx.fake.CLIENT_SECRET)

    def build(command, *options):
        return ['--cert', lmod_server.client_cert, '--url', lmod_server.url,
                '--ca-bundle', lmod_server.ca_cert,
                '--gradebook', DEMO_GRADEBOOK_UUID, 'openedx', command,
                '--openedx-url', openedx.url,
                '--client-id', openedx.fake.CLIENT_ID] + list(options)
    return build


@pytest.fixture
def emails(lmod_fake):
    return sorted(student['accountEmail']
                  for student in lmod_fake.students(DEMO_GRADEBOOK_ID))


def test_push_grades_command(argv, openedx, lmod_fake, emails, tmp_path,
                             capsys):
    fake = openedx.fake
    for number, email in enumerate(emails[:30]):
        fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, email,
                       number / 100, 'B')
    fake.set_grade_error(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, 'x', 'Timeout')
    options = ('--program', DEMO_PROGRAM_UUID, '--course-key',
               DEMO_COURSE_KEY, '--assignment', 'final', '--page-size', '8')
    report_path = tmp_path / 'report.csv'
    assert main(argv('push-grades', *options, '--dry-run', '--format',
                     'json', '--report', str(report_path))) == 0
    planned = json.loads(capsys.readouterr().out)
    assert len(planned) == 30 and planned[0]['status'] == 'dry run'
    assert not any(key[1] == FINAL_ID
                   for key in lmod_fake.stored_grades(DEMO_GRADEBOOK_ID))
    rows = list(csv.DictReader(report_path.open(encoding='utf-8')))
    assert rows[-1]['student_key'] == 'x'
    assert rows[-1]['status'] == 'skipped'
    json_report = tmp_path / 'report.json'
    assert main(argv('push-grades', *options, '--report',
                     str(json_report))) == 0
    captured = capsys.readouterr()
    assert 'confirmed' in captured.out and '30' in captured.out
    assert fake.CLIENT_SECRET not in captured.out + captured.err
    stored = lmod_fake.stored_grades(DEMO_GRADEBOOK_ID)
    assert sum(1 for key in stored if key[1] == FINAL_ID) == 30
    saved = json.loads(json_report.read_text(encoding='utf-8'))
    assert saved['counts']['confirmed'] == 30 and saved['ok'] is True


def test_push_grades_reports_problems_and_fails(argv, openedx, capsys,
                                                tmp_path):
    mapping = tmp_path / 'mapping.csv'
    mapping.write_text('student_key,email\nk1,nobody@example.com\n',
                       encoding='utf-8')
    openedx.fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, 'k1', 0.5)
    options = ('--program', DEMO_PROGRAM_UUID, '--course-key',
               DEMO_COURSE_KEY, '--assignment', 'final')
    assert main(argv('push-grades', *options, '--mapping',
                     str(mapping))) == 0
    assert 'skipped: no LMod student has this email' in \
        capsys.readouterr().out
    assert main(argv('push-grades', '--program', DEMO_PROGRAM_UUID,
                     '--course-key', DEMO_COURSE_KEY, '--assignment',
                     'nope')) == 2
    assert "no assignment named 'nope'" in capsys.readouterr().err
    mapping.write_text('student_key,email\nk1,\n', encoding='utf-8')
    assert main(argv('push-grades', *options, '--mapping',
                     str(mapping))) == 2
    assert 'line 2: column email is empty' in capsys.readouterr().err


def test_missing_credentials_and_bad_secret(argv, monkeypatch, capsys):
    options = ('--program', DEMO_PROGRAM_UUID, '--course-key',
               DEMO_COURSE_KEY, '--assignment', 'final')
    monkeypatch.delenv('PYLMOD_OPENEDX_CLIENT_SECRET')
    assert main(argv('push-grades', *options)) == 2
    assert 'PYLMOD_OPENEDX_CLIENT_SECRET' in capsys.readouterr().err
    monkeypatch.setenv('PYLMOD_OPENEDX_CLIENT_SECRET', 'wrong-secret')
    assert main(argv('push-grades', *options)) == 1
    err = capsys.readouterr().err
    assert '401' in err and 'wrong-secret' not in err


def test_connection_from_the_config_file(lmod_server, openedx, lmod_fake,
                                        emails, monkeypatch, tmp_path,
                                        capsys):
    """The Open edX settings come from the config file like the others; the
    secret from the environment, as the docs advise."""
    config = tmp_path / 'pylmod.ini'
    config.write_text(
        '[pylmod]\nurl = {0}\ncert = {1}\nca_bundle = {2}\n'
        'gradebook = {3}\nopenedx_url = {4}\nopenedx_client_id = {5}\n'
        'openedx_page_size = 2\n'.format(
            lmod_server.url, lmod_server.client_cert, lmod_server.ca_cert,
            DEMO_GRADEBOOK_UUID, openedx.url, openedx.fake.CLIENT_ID),
        encoding='utf-8')
    monkeypatch.setenv('PYLMOD_CONFIG', str(config))
    monkeypatch.setenv('PYLMOD_OPENEDX_CLIENT_SECRET',
                       openedx.fake.CLIENT_SECRET)
    for email in emails[:5]:
        openedx.fake.set_grade(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, email, 0.5)
    assert main(['openedx', 'push-grades', '--program', DEMO_PROGRAM_UUID,
                 '--course-key', DEMO_COURSE_KEY, '--assignment', 'final',
                 '--format', 'json']) == 0
    assert json.loads(capsys.readouterr().out)['confirmed'] == 5
    pages = [request for request in openedx.requests
             if request.path.rstrip('/').endswith('/grades')]
    assert len(pages) == 3  # 5 grades, 2 a page
    monkeypatch.delenv('PYLMOD_OPENEDX_CLIENT_SECRET')
    assert main(['openedx', 'push-grades', '--program', DEMO_PROGRAM_UUID,
                 '--course-key', DEMO_COURSE_KEY, '--assignment',
                 'final']) == 2
    err = capsys.readouterr().err
    assert 'no Open edX client secret: pass --client-secret SECRET, or set ' \
        'PYLMOD_OPENEDX_CLIENT_SECRET, or openedx_client_secret = in the ' \
        '[pylmod] section of ' + str(config) in err


def test_sync_roster_command(argv, openedx, lmod_fake, tmp_path, capsys):
    fake = openedx.fake
    fake.enroll_in_program(DEMO_PROGRAM_UUID, 'gone@example.com')
    options = ('--program', DEMO_PROGRAM_UUID, '--curriculum',
               DEMO_CURRICULUM_UUID, '--section', 'r01')
    assert main(argv('sync-roster', *options, '--dry-run', '--format',
                     'csv')) == 0
    captured = capsys.readouterr()
    plan = list(csv.DictReader(captured.out.splitlines()))
    assert len(plan) > 25
    assert {(row['action'], row['status']) for row in plan} == {
        ('enroll', 'dry run')}
    assert '1 to remove' in captured.err
    assert '1 skipped: not in LMod' in captured.err
    assert fake.program_enrollments(DEMO_PROGRAM_UUID) == {
        'gone@example.com': 'enrolled'}
    report_path = tmp_path / 'roster.csv'
    assert main(argv('sync-roster', *options, '--unenroll-missing',
                     '--report', str(report_path))) == 0
    enrolled = fake.program_enrollments(DEMO_PROGRAM_UUID)
    assert enrolled.pop('gone@example.com') == 'canceled'
    assert len(enrolled) > 25 and set(enrolled.values()) == {'enrolled'}
    rows = list(csv.DictReader(report_path.open(encoding='utf-8')))
    assert {row['status'] for row in rows} == {'confirmed'}


def test_sync_roster_bulk_enroll_with_cohorts(argv, openedx, tmp_path,
                                             capsys):
    enrolled_file = tmp_path / 'enrolled.txt'
    enrolled_file.write_text('email\nleft@example.com\n', encoding='utf-8')
    assert main(argv('sync-roster', '--course-key', DEMO_COURSE_KEY,
                     '--cohorts-from-sections', '--section', 'r02',
                     '--enrolled', str(enrolled_file),
                     '--unenroll-missing')) == 0
    enrollments = openedx.fake.course_enrollments(DEMO_COURSE_KEY)
    assert enrollments and set(enrollments.values()) == {'r02'}
    assert main(argv('sync-roster')) == 2
    assert 'pass --program, --course-key' in capsys.readouterr().err


def test_open_edx_that_cannot_be_reached(argv, capsys):
    stopped = OpenEdxServer()
    url = stopped.url
    stopped.stop()  # never started: the port is closed now
    options = argv('push-grades', '--program', DEMO_PROGRAM_UUID,
                   '--course-key', DEMO_COURSE_KEY, '--assignment', 'final')
    options[options.index('--openedx-url') + 1] = url
    assert main(options) == 1
    assert 'cannot connect to Open edX at ' + url in capsys.readouterr().err


def test_help_does_not_load_the_bridge():
    """``pylmod openedx --help`` is quick: the bridge (and Django, through
    ``edx_rest_api_client``) loads only when an openedx command runs."""
    code = ('import sys\n'
            'from pylmod.cli import main\n'
            'main(["openedx", "push-grades", "--help"])\n'
            'print(sorted(name for name in sys.modules if name.split(".")[0] '
            'in ("django", "edx_rest_api_client") or name.startswith('
            '"pylmod.openedx.")))\n')
    result = subprocess.run([sys.executable, '-c', code], check=True,
                            capture_output=True, text=True)
    assert 'push-grades' in result.stdout
    assert result.stdout.splitlines()[-1] == '[]'


# -- pylmod openedx learner ----------------------------------------------

@pytest.fixture
def learner(openedx, lmod_fake, tmp_path, monkeypatch):
    """A learner of the demo gradebook with an Open edX account, a verified
    enrollment with a certificate, and their token in a file."""
    student = lmod_fake.students(DEMO_GRADEBOOK_ID)[3]
    fake = openedx.fake
    fake.add_account('learner3', student['accountEmail'], 'Learner Three')
    fake.add_account('other', 'other@example.com')
    fake.enroll_learner(DEMO_COURSE_KEY, student['accountEmail'], 'verified',
                        'https://lms.example.edu/certificates/abc')
    token = fake.learner_token('learner3')
    path = tmp_path / 'token'
    path.write_text(token + '\n', encoding='utf-8')
    config = tmp_path / 'empty.ini'
    config.write_text('[pylmod]\n', encoding='utf-8')
    monkeypatch.setenv('PYLMOD_CONFIG', str(config))
    return student, token, str(path)


def test_learner_command_shows_both_sides(learner, lmod_server, openedx,
                                          capsys):
    student, token, token_file = learner
    lmod = ['--cert', lmod_server.client_cert, '--url', lmod_server.url,
            '--ca-bundle', lmod_server.ca_cert, '--gradebook',
            DEMO_GRADEBOOK_UUID]
    command = ['openedx', 'learner', 'learner3', '--openedx-url',
               openedx.url, '--learner-token-file', token_file]
    assert main(lmod + ['--format', 'json'] + command) == 0
    output = capsys.readouterr()
    record = json.loads(output.out)
    assert (record['username'], record['email']) == (
        'learner3', student['accountEmail'])
    assert [(row['course_id'], row['mode'], row['is_active'],
             row['certificate_url']) for row in record['enrollments']] == [
        (DEMO_COURSE_KEY, 'verified', True,
         'https://lms.example.edu/certificates/abc')]
    assert record['lmod']['student_id'] == student['studentId']
    assert record['lmod']['section'] == student['section']
    assert isinstance(record['lmod']['grades'], dict)
    assert main(lmod + command) == 0
    table = capsys.readouterr()
    assert DEMO_COURSE_KEY in table.out and 'verified' in table.out
    assert student['section'] in table.out
    for shown in (output, table):
        assert token not in shown.out + shown.err


def test_learner_command_without_a_gradebook_or_a_token(learner, openedx,
                                                        capsys, monkeypatch):
    _, token, _ = learner
    monkeypatch.setenv('PYLMOD_OPENEDX_LEARNER_TOKEN', token)
    assert main(['--format', 'json', 'openedx', 'learner', 'learner3',
                 '--openedx-url', openedx.url]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record['lmod'] is None and record['lmod_note'] == \
        'no gradebook given'
    monkeypatch.delenv('PYLMOD_OPENEDX_LEARNER_TOKEN')
    assert main(['openedx', 'learner', 'learner3', '--openedx-url',
                 openedx.url]) == 2
    assert 'no learner token: pass --learner-token-file' in \
        capsys.readouterr().err


@pytest.mark.parametrize('username, token, message', [
    ('other', None, "the token is not other's"),
    ('learner3', 'not-a-token', 'did not accept the learner token (401)'),
])
def test_learner_command_refusals(learner, openedx, capsys, monkeypatch,
                                  username, token, message):
    monkeypatch.setenv('PYLMOD_OPENEDX_LEARNER_TOKEN', token or learner[1])
    assert main(['openedx', 'learner', username, '--openedx-url',
                 openedx.url]) == 1
    err = capsys.readouterr().err
    assert message in err and learner[1] not in err


def test_sync_roster_workers(argv, openedx, lmod_fake, capsys):
    assert main(argv('sync-roster', '--program', DEMO_PROGRAM_UUID,
                     '--curriculum', DEMO_CURRICULUM_UUID, '--workers', '8',
                     '--format', 'json')) == 0
    counts = json.loads(capsys.readouterr().out)
    students = lmod_fake.students(DEMO_GRADEBOOK_ID)
    assert counts['confirmed'] == len(students)
    assert counts['requests'] == -(-len(students) // 25)
    assert main(argv('sync-roster', '--program', DEMO_PROGRAM_UUID,
                     '--workers', '0')) == 2
    assert '--workers' in capsys.readouterr().err


def test_the_workers_help_names_the_library_default(capsys):
    from pylmod.openedx.pool import DEFAULT_WORKERS
    assert main(['openedx', 'sync-roster', '--help']) == 0
    assert '(default {0}; 1:'.format(DEFAULT_WORKERS) in ' '.join(
        capsys.readouterr().out.split())
