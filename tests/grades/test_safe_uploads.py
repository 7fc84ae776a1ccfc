"""Safe uploads against the fake LMod over mutual TLS: the plan of an
upload against the stored grades, changes-only sending, the snapshot
written before the first grade is sent, and rolling an upload back."""
import json
import os
import stat
import threading

import pytest

from pylmod.exceptions import (
    PyLmodNearMissAssignment,
    PyLmodSnapshotError,
    PyLmodSnapshotMismatch,
)
from pylmod.grades import UploadOptions, UploadReport
from pylmod.grades.plan import CHANGED, NEW, UNCHANGED
from pylmod.grades.preview import plan_upload
from pylmod.grades.rollback import rollback
from pylmod.grades.safeguards import Safeguards, near_miss
from pylmod.grades.snapshot import read_snapshot
from pylmod.testing import FakeLmod

GRADEBOOK_ID = 500
UUID = 'STELLAR:/project/smallcourse'
ALICE, BOB, CAROL = 601, 602, 603
MIDTERM, HW1 = 701, 702

SEED = {'gradebooks': [{
    'gradebookId': GRADEBOOK_ID, 'uuid': UUID,
    'sections': {'recitation': [{'groupId': 511, 'name': 'r01'}]},
    'students': [
        {'studentId': ALICE, 'accountEmail': 'alice@mit.edu',
         'displayName': 'Alice Smith', 'section': 'r01'},
        {'studentId': BOB, 'accountEmail': 'bob@mit.edu',
         'displayName': 'Bob Jones', 'section': 'r01'},
        {'studentId': CAROL, 'accountEmail': 'carol@mit.edu',
         'displayName': 'Carol Wu', 'section': 'r01'}],
    'assignments': [
        {'assignmentId': MIDTERM, 'name': 'midterm1', 'maxPointsTotal': 100.0},
        {'assignmentId': HW1, 'name': 'hw1', 'maxPointsTotal': 10.0}],
    'grades': [
        {'studentId': ALICE, 'assignmentId': MIDTERM,
         'numericGradeValue': 93.5},
        {'studentId': BOB, 'assignmentId': MIDTERM,
         'numericGradeValue': 70.0},
        {'studentId': ALICE, 'assignmentId': HW1, 'numericGradeValue': 9.0}],
}, {
    'gradebookId': 900, 'uuid': 'STELLAR:/project/othercourse',
    'students': [{'studentId': ALICE, 'accountEmail': 'alice@mit.edu',
                  'displayName': 'Alice Smith'}],
    'assignments': [{'assignmentId': 901, 'name': 'midterm1',
                     'maxPointsTotal': 100.0}],
}]}

# Alice's midterm written three ways (all 93.5: unchanged), Bob's changed
# (70 -> 75), Carol's new, Alice's hw1 unchanged, Bob's hw1 new.
FILE = ('External email,midterm1,hw1\n'
        'alice@mit.edu,9.35e1,9\n'
        'bob@mit.edu,75,8\n'
        'carol@mit.edu,60,\n')


@pytest.fixture
def lmod_fake():
    return FakeLmod(SEED)


@pytest.fixture
def grades_csv(tmp_path):
    path = tmp_path / 'grades.csv'
    path.write_text(FILE)
    return path


def stored(lmod_fake):
    return lmod_fake.stored_grades(GRADEBOOK_ID)


def multigrades(lmod_server):
    return [request for request in lmod_server.requests
            if request.path.startswith('service/gradebook/multiGrades/')]


# The plan -------------------------------------------------------------------

def test_plan_classifies_each_grade_against_the_stored_one(gradebook,
                                                           grades_csv,
                                                           lmod_server):
    plan = plan_upload(gradebook, str(grades_csv))

    assert plan.counts() == {NEW: 2, CHANGED: 1, UNCHANGED: 2}
    changes = {(grade.email, grade.assignment): (grade.old, grade.new,
                                                 grade.kind)
               for grade in plan.changes()}
    assert changes == {('bob@mit.edu', 'midterm1'): (70.0, 75.0, CHANGED),
                       ('bob@mit.edu', 'hw1'): (None, 8.0, NEW),
                       ('carol@mit.edu', 'midterm1'): (None, 60.0, NEW)}
    assert not multigrades(lmod_server)
    reads = [request for request in lmod_server.requests
             if request.path.startswith('service/gradebook/students/')]
    assert len(reads) == 1
    assert reads[0].params.get('includeGradeInfo') == 'true'


def test_the_ledger_tells_where_each_grade_came_from(gradebook, tmp_path):
    """places() walks every grade, places_at() finds a few: the same
    line, email and column, a grade a later row replaced at that row."""
    path = tmp_path / 'twice.csv'
    path.write_text('External email,midterm1,hw1\n'
                    'alice@mit.edu,90,9\nbob@mit.edu,75,8\n'
                    'ALICE@mit.edu,91,\ncarol@mit.edu,60,7\n')
    ledger = plan_upload(gradebook, str(path)).ledger
    walked = list(ledger.places())
    assert [(line, email.lower(), column)
            for _, line, email, column in walked] == [
        (4, 'alice@mit.edu', 'midterm1'), (2, 'alice@mit.edu', 'hw1'),
        (3, 'bob@mit.edu', 'midterm1'), (3, 'bob@mit.edu', 'hw1'),
        (5, 'carol@mit.edu', 'midterm1'), (5, 'carol@mit.edu', 'hw1')]
    assert ledger.places_at([4, 0, 5]) == [
        walked[4][1:], walked[0][1:], walked[5][1:]]


@pytest.mark.parametrize('written', ['93.5', '93.50', '9.35e1', ' 93.5 '])
def test_equal_numbers_written_differently_are_unchanged(gradebook, tmp_path,
                                                         written):
    path = tmp_path / 'one.csv'
    path.write_text('External email,midterm1\nalice@mit.edu,{0}\n'.format(
        written))
    assert plan_upload(gradebook, str(path)).counts()[UNCHANGED] == 1


def test_an_approval_the_upload_changes_is_a_change(gradebook, tmp_path):
    path = tmp_path / 'one.csv'
    path.write_text('External email,midterm1\nalice@mit.edu,93.5\n')
    plan = plan_upload(gradebook, str(path), approve_grades=True)
    [grade] = plan.changes()
    assert (grade.kind, grade.old, grade.new, grade.old_approved,
            grade.approved) == (CHANGED, 93.5, 93.5, False, True)


def test_the_plan_flags_grades_out_of_range_and_lists_new_assignments(
        gradebook, tmp_path):
    path = tmp_path / 'one.csv'
    path.write_text('External email,hw1,Final Exam\n'
                    'alice@mit.edu,12,1\nbob@mit.edu,-1,\n')
    plan = plan_upload(gradebook, str(path))
    assert [(flag.grade.email, flag.reason) for flag in plan.flagged()] == [
        ('alice@mit.edu', 'above max points 10'),
        ('bob@mit.edu', 'below 0')]
    [created] = plan.new_assignments
    assert (created.name, created.max_points, created.short_name,
            created.weight) == ('Final Exam', 1.0, 'Finam', 1.0)
    assert [grade.assignment_id for grade in plan.grades()
            if grade.assignment == 'Final Exam'] == [None]


# Changes only ---------------------------------------------------------------

def test_changes_only_sends_only_new_and_changed_grades(gradebook, grades_csv,
                                                        lmod_fake,
                                                        lmod_server):
    report = UploadReport()
    gradebook.spreadsheet2gradebook(str(grades_csv), report=report,
                                    changes_only=True)

    [request] = multigrades(lmod_server)
    assert sorted((grade['studentId'], grade['assignmentId'])
                  for grade in request.body) == [
        (BOB, MIDTERM), (BOB, HW1), (CAROL, MIDTERM)]
    assert report.ok
    assert report.status_counts()['confirmed'] == 3
    assert report.status_counts()[UNCHANGED] == 2
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0


def test_a_reupload_of_an_unchanged_file_sends_no_multigrades(
        gradebook, grades_csv, lmod_server):
    gradebook.spreadsheet2gradebook(str(grades_csv), changes_only=True)
    before = len(multigrades(lmod_server))
    report = UploadReport()
    gradebook.spreadsheet2gradebook(str(grades_csv), report=report,
                                    changes_only=True)
    assert len(multigrades(lmod_server)) == before == 1
    assert report.status_counts()[UNCHANGED] == 5
    assert report.requests_sent == 0 and report.ok


def test_a_changes_only_upload_reads_the_students_once(gradebook, grades_csv,
                                                      lmod_server):
    """The students are read once, with their stored grades: the same read
    maps the emails to ids and gives the plan its old values."""
    gradebook.spreadsheet2gradebook(str(grades_csv), changes_only=True)
    reads = [request for request in lmod_server.requests
             if request.path.startswith('service/gradebook/students/')]
    assert [read.params.get('includeGradeInfo') for read in reads] == [
        'true']


def test_the_ledger_knows_each_outcome_when_progress_is_told(
        gradebook, grades_csv):
    """A report written as the upload runs (the CLI's) reads the ledger's
    statuses in each progress call: the unchanged grades are there with
    the answered ones, in file order."""
    gradebook.spreadsheet2gradebook(str(grades_csv), changes_only=True)
    grades_csv.write_text(FILE.replace('bob@mit.edu,75', 'bob@mit.edu,80'))
    report = UploadReport()
    seen = []

    def progress(sent, confirmed, total):
        seen.append((sent, [grade.status for grade in report.grades]))

    gradebook.spreadsheet2gradebook(str(grades_csv), report=report,
                                    changes_only=True, progress=progress,
                                    batch_size=1)
    # Bob's midterm (the 3rd grade of the file) is the only change.
    assert seen[0] == (0, [UNCHANGED, UNCHANGED, 'not sent', 'not sent',
                           'not sent'])
    assert seen[-1] == (1, [UNCHANGED, UNCHANGED, 'confirmed', UNCHANGED,
                            UNCHANGED])


@pytest.mark.parametrize('options, error', [
    ({'changes_only': 'yes'}, TypeError),
    ({'snapshot': 3}, TypeError),
    ({'safeguards': object()}, TypeError),
    ({'safeguards': Safeguards(), 'changes_only': True}, ValueError),
    ({'safeguards': Safeguards(), 'snapshot': 'a.json'}, ValueError),
])
def test_upload_options_check_the_safeguards(options, error):
    with pytest.raises(error):
        UploadOptions(**options)


def test_upload_options_take_a_snapshot_path(tmp_path):
    options = UploadOptions(changes_only=True, snapshot=tmp_path / 'a.json')
    assert options.snapshot == str(tmp_path / 'a.json')
    assert Safeguards.of_options(options).changes_only
    assert Safeguards.of_options(UploadOptions()) is None
    given = Safeguards(True)
    assert Safeguards.of_options(UploadOptions(safeguards=given)) is given


def test_by_default_every_grade_is_sent_as_in_1_0(gradebook, grades_csv,
                                                  lmod_server):
    gradebook.spreadsheet2gradebook(str(grades_csv))
    [request] = multigrades(lmod_server)
    assert len(request.body) == 5
    reads = [request for request in lmod_server.requests
             if request.path.startswith('service/gradebook/students/')]
    assert 'includeGradeInfo' not in reads[0].params or reads[0].params[
        'includeGradeInfo'] == 'false'


# The snapshot ---------------------------------------------------------------

def upload_with_snapshot(gradebook, csv_path, snapshot_path, **options):
    report = UploadReport()
    gradebook.spreadsheet2gradebook(str(csv_path), report=report,
                                    changes_only=True,
                                    snapshot=str(snapshot_path), **options)
    return report


def test_the_snapshot_is_complete_while_the_first_multigrades_is_in_flight(
        gradebook, grades_csv, lmod_fake, lmod_server, tmp_path):
    snapshot_path = tmp_path / 'snapshots' / 'before.json'
    release = threading.Event()
    lmod_server.hold_next(1, release, path_prefix='multiGrades/')
    upload = threading.Thread(target=upload_with_snapshot, args=(
        gradebook, grades_csv, snapshot_path))
    upload.start()
    try:
        for _ in range(2000):
            if multigrades(lmod_server):
                break
            upload.join(0.01)
        assert multigrades(lmod_server), 'the upload sent no multiGrades'
        # In flight: LMod has not stored anything yet, and the snapshot is
        # on disk, whole, readable by its owner only.
        assert stored(lmod_fake)[(BOB, MIDTERM)] == 70.0
        assert stat.S_IMODE(os.stat(snapshot_path).st_mode) == 0o600
        taken = read_snapshot(str(snapshot_path))
    finally:
        release.set()
        upload.join(30)
    assert (taken.gradebook_id, taken.gradebook_uuid, taken.kind) == (
        GRADEBOOK_ID, UUID, 'upload')
    assert taken.lmod_url == gradebook.urlbase
    assert sorted((grade.email, grade.assignment_id, grade.assignment,
                   grade.old, grade.new) for grade in taken.grades) == [
        ('bob@mit.edu', MIDTERM, 'midterm1', 70.0, 75.0),
        ('bob@mit.edu', HW1, 'hw1', None, 8.0),
        ('carol@mit.edu', MIDTERM, 'midterm1', None, 60.0)]
    assert all(grade.time and grade.old_approved in (None, False)
               for grade in taken.grades)
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0


def test_nothing_is_sent_or_created_when_the_snapshot_cannot_be_written(
        gradebook, tmp_path, lmod_fake, lmod_server):
    path = tmp_path / 'new.csv'
    path.write_text('External email,midterm1,Final\nbob@mit.edu,75,80\n')
    existing = tmp_path / 'taken.json'
    existing.write_text('{}')
    with pytest.raises(PyLmodSnapshotError, match='nothing was sent'):
        upload_with_snapshot(gradebook, path, existing)
    assert not multigrades(lmod_server)
    assert [assignment['name'] for assignment in
            lmod_fake.assignments(GRADEBOOK_ID)] == ['midterm1', 'hw1']
    assert existing.read_text() == '{}'


@pytest.mark.parametrize('damage, message', [
    (lambda text: text.replace('75.0', '76.0'), 'checksum'),
    (lambda text: text[:len(text) // 2], 'not JSON'),
    (lambda text: text.replace('"version":1', '"version":7'), 'version 7'),
    (lambda text: '[]', 'format'),
])
def test_a_damaged_or_edited_snapshot_is_a_clear_error(
        gradebook, grades_csv, tmp_path, lmod_server, damage, message):
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)
    snapshot_path.write_text(damage(snapshot_path.read_text()))
    sent = len(multigrades(lmod_server))
    with pytest.raises(PyLmodSnapshotError, match=message):
        rollback(gradebook, str(snapshot_path), snapshot=str(
            tmp_path / 'undo.json'))
    assert len(multigrades(lmod_server)) == sent


# Rollback -------------------------------------------------------------------

def test_a_rollback_restores_what_the_upload_changed(
        gradebook, grades_csv, tmp_path, lmod_fake):
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)

    result = rollback(gradebook, str(snapshot_path),
                      snapshot=str(tmp_path / 'undo.json'))

    assert stored(lmod_fake)[(BOB, MIDTERM)] == 70.0
    assert [(item.email, item.assignment, item.old, item.current)
            for item in result.restored] == [
        ('bob@mit.edu', 'midterm1', 70.0, 75.0)]
    # Empty before: LMod cannot clear them; listed with their value.
    assert sorted((item.email, item.assignment, item.current)
                  for item in result.cannot_clear) == [
        ('bob@mit.edu', 'hw1', 8.0), ('carol@mit.edu', 'midterm1', 60.0)]
    assert not result.conflicts and not result.ok
    assert result.snapshot == str(tmp_path / 'undo.json')


def test_a_grade_changed_since_the_upload_is_left_alone_unless_forced(
        gradebook, tmp_path, lmod_fake):
    path = tmp_path / 'changes.csv'
    path.write_text('External email,midterm1,hw1\n'
                    'alice@mit.edu,95,9.5\nbob@mit.edu,75,\n')
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, path, snapshot_path)
    gradebook.set_grade(MIDTERM, BOB, 77.0)  # a TA's correction since

    result = rollback(gradebook, str(snapshot_path),
                      snapshot=str(tmp_path / 'undo.json'))

    assert [(item.email, item.old, item.current)
            for item in result.conflicts] == [('bob@mit.edu', 70.0, 77.0)]
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 77.0
    assert stored(lmod_fake)[(ALICE, MIDTERM)] == 93.5
    assert stored(lmod_fake)[(ALICE, HW1)] == 9.0
    assert len(result.restored) == 2 and not result.ok

    forced = rollback(gradebook, str(snapshot_path), force=True,
                      snapshot=str(tmp_path / 'undo2.json'))
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 70.0
    assert [item.email for item in forced.restored] == ['bob@mit.edu']
    # The grades put back already need nothing, and are no conflict.
    assert len(forced.already) == 2 and forced.ok


def test_a_dry_run_rollback_sends_nothing(gradebook, grades_csv, tmp_path,
                                          lmod_fake, lmod_server):
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)
    sent = len(multigrades(lmod_server))
    result = rollback(gradebook, str(snapshot_path), dry_run=True)
    assert len(result.restored) == 1 and result.snapshot is None
    assert len(multigrades(lmod_server)) == sent
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0


def test_a_rollback_of_a_rollback_puts_the_upload_back(
        gradebook, grades_csv, tmp_path, lmod_fake):
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)
    first = rollback(gradebook, str(snapshot_path),
                     snapshot=str(tmp_path / 'undo.json'))
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 70.0
    assert read_snapshot(first.snapshot).kind == 'rollback'

    second = rollback(gradebook, first.snapshot,
                      snapshot=str(tmp_path / 'redo.json'))

    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0
    assert [(item.old, item.current) for item in second.restored] == [
        (75.0, 70.0)]
    assert second.ok


def test_an_interrupted_upload_is_rolled_back(gradebook, tmp_path,
                                              lmod_fake, lmod_server):
    path = tmp_path / 'two.csv'
    path.write_text('External email,midterm1\n'
                    'alice@mit.edu,50\nbob@mit.edu,51\n')
    snapshot_path = tmp_path / 'before.json'

    def stop_after_first(sent, confirmed, total):
        if sent == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gradebook.spreadsheet2gradebook(
            str(path), changes_only=True, snapshot=str(snapshot_path),
            batch_size=1, progress=stop_after_first)
    assert stored(lmod_fake)[(ALICE, MIDTERM)] == 50.0
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 70.0  # never sent

    result = rollback(gradebook, str(snapshot_path),
                      snapshot=str(tmp_path / 'undo.json'))

    assert stored(lmod_fake)[(ALICE, MIDTERM)] == 93.5
    assert [item.email for item in result.restored] == ['alice@mit.edu']
    assert [item.email for item in result.already] == ['bob@mit.edu']
    assert result.ok


def test_another_gradebooks_snapshot_is_refused(gradebook, grades_csv,
                                                tmp_path, lmod_server,
                                                lmod_client_cert):
    from pylmod import GradeBook
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)
    other = GradeBook(lmod_client_cert, lmod_server.url,
                      gbuuid='STELLAR:/project/othercourse',
                      verify=lmod_server.ca_cert)
    sent = len(multigrades(lmod_server))
    with pytest.raises(PyLmodSnapshotMismatch,
                       match='snapshot of gradebook STELLAR:/project/'
                             'smallcourse .id 500., not of the gradebook '
                             'configured .STELLAR:/project/othercourse, '
                             'id 900.'):
        rollback(other, str(snapshot_path))
    assert len(multigrades(lmod_server)) == sent


def test_another_lmods_snapshot_is_refused(gradebook, grades_csv, tmp_path):
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)
    gradebook.urlbase = 'https://learning-modules.mit.edu:8443/service/' \
                        'gradebook/'
    with pytest.raises(PyLmodSnapshotMismatch, match='not of the one '
                                                     'configured'):
        rollback(gradebook, str(snapshot_path))


# Assignments created by mistake -------------------------------------------

@pytest.mark.parametrize('column, existing', [
    ('Midterm1', 'midterm1'), ('midterm 1', 'midterm1'),
    ('Midtrem1', 'midterm1'), ('HW1', 'hw1')])
def test_a_near_miss_column_is_an_error_naming_the_assignment(
        gradebook, tmp_path, lmod_fake, lmod_server, column, existing):
    path = tmp_path / 'one.csv'
    path.write_text('External email,{0}\nalice@mit.edu,50\n'.format(column))
    with pytest.raises(PyLmodNearMissAssignment,
                       match="did you mean '{0}'".format(existing)):
        gradebook.spreadsheet2gradebook(
            str(path), safeguards=Safeguards(
                True, None, confirm_new_assignments=()))
    assert len(lmod_fake.assignments(GRADEBOOK_ID)) == 2
    assert not multigrades(lmod_server)


def test_a_near_miss_named_to_be_created_is_created(gradebook, tmp_path,
                                                    lmod_fake):
    path = tmp_path / 'one.csv'
    path.write_text('External email,Midterm1\nalice@mit.edu,50\n')
    gradebook.spreadsheet2gradebook(str(path), safeguards=Safeguards(
        True, None, confirm_new_assignments=['Midterm1']))
    assert 'Midterm1' in [assignment['name'] for assignment in
                          lmod_fake.assignments(GRADEBOOK_ID)]


@pytest.mark.parametrize('column, names', [
    ('Quiz 10', ['Quiz 1']), ('hw2', ['hw1']), ('Final', ['midterm1'])])
def test_names_that_are_not_near_misses(column, names):
    assert near_miss(column, names) is None


# The command line -----------------------------------------------------------

@pytest.fixture
def pylmod(lmod_server, capsys, no_user_settings):
    from pylmod.cli import main

    def run(*argv):
        status = main(['--url', lmod_server.url, '--cert',
                       lmod_server.client_cert, '--ca-bundle',
                       lmod_server.ca_cert, '--gradebook', UUID]
                      + [str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def test_preview_prints_the_plan_and_sends_nothing(pylmod, grades_csv,
                                                   lmod_server):
    status, out, err = pylmod('upload', grades_csv, '--preview')
    assert status == 0, err
    assert out.splitlines() == [
        'preview, nothing sent: 2 new, 1 changed, 2 unchanged',
        'bob@mit.edu  midterm1  70 \u2192 75']
    status, out, err = pylmod('upload', grades_csv, '--preview', '--show',
                              'all')
    assert 'carol@mit.edu  midterm1  - \u2192 60' in out.splitlines()
    assert not multigrades(lmod_server)


def test_preview_as_json(pylmod, tmp_path, lmod_fake, lmod_server):
    path = tmp_path / 'one.csv'
    path.write_text('External email,midterm1,Final\n'
                    'bob@mit.edu,75,80\nalice@mit.edu,93.50,\n')
    status, out, err = pylmod('--format', 'json', 'upload', path,
                              '--preview')
    assert status == 0, err
    document = json.loads(out)
    assert (document['new'], document['changed'],
            document['unchanged']) == (1, 1, 1)
    assert [{key: change[key] for key in ('email', 'student_id',
                                          'assignment', 'assignment_id',
                                          'old', 'new')}
            for change in document['changes']] == [
        {'email': 'bob@mit.edu', 'student_id': BOB,
         'assignment': 'midterm1', 'assignment_id': MIDTERM, 'old': 70.0,
         'new': 75.0},
        {'email': 'bob@mit.edu', 'student_id': BOB, 'assignment': 'Final',
         'assignment_id': None, 'old': None, 'new': 80.0}]
    assert document['assignments_to_create'] == [
        {'name': 'Final', 'max_points': 1.0, 'short_name': 'Final',
         'weight': 1.0, 'due_date': '12-15-2013'}]
    # 80 is above the 1 point a created assignment gets: flagged.
    assert document['flagged'] and 'above max points 1' in err
    assert err.splitlines()[-1] == (
        'pylmod: preview, nothing sent; 2 grades would be sent (1 new, 1 '
        'changed), 1 unchanged; 1 assignment would be created; 1 grade out '
        'of range')
    assert len(lmod_fake.assignments(GRADEBOOK_ID)) == 2
    assert not multigrades(lmod_server)


def test_pylmod_upload_reads_the_students_once(pylmod, grades_csv,
                                               lmod_server):
    status, out, err = pylmod('upload', grades_csv)
    assert status == 0, err
    reads = [request for request in lmod_server.requests
             if request.path.startswith('service/gradebook/students/')]
    assert [read.params.get('includeGradeInfo') for read in reads] == [
        'true']
    assert err.endswith('pylmod: done: 3 grades confirmed by LMod; 2 '
                        'unchanged (not sent)\n')


def test_upload_then_rollback_on_the_command_line(pylmod, grades_csv,
                                                  tmp_path, lmod_fake):
    snapshot_path = tmp_path / 'before.json'
    status, out, err = pylmod('--format', 'json', 'upload', grades_csv,
                              '--snapshot', snapshot_path)
    assert status == 0, err
    counts = json.loads(out)
    assert counts['snapshot'] == str(snapshot_path)
    assert counts['unchanged_not_sent'] == 2 and counts['confirmed'] == 3
    assert 'undo with: pylmod rollback {0}'.format(snapshot_path) in err

    status, out, err = pylmod('--format', 'json', 'rollback', snapshot_path,
                              '--dry-run')
    assert status == 1  # the empty-before grades stay
    assert json.loads(out)['restored'][0]['current'] == 75.0
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0

    status, out, err = pylmod('--format', 'json', 'rollback', snapshot_path,
                              '--snapshot', tmp_path / 'undo.json')
    document = json.loads(out)
    assert status == 1
    assert document['restored'] == [{'email': 'bob@mit.edu',
                                     'assignment': 'midterm1', 'old': 70.0,
                                     'current': 75.0}]
    assert sorted(item['email'] for item in document['cannot_clear']) == [
        'bob@mit.edu', 'carol@mit.edu']
    assert document['conflicts'] == []
    assert document['snapshot'] == str(tmp_path / 'undo.json')
    assert "LMod cannot clear a grade: it holds 60" in err
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 70.0

    status, out, err = pylmod('rollback', tmp_path / 'undo.json',
                              '--snapshot', tmp_path / 'redo.json')
    assert status == 0, err
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0


def test_rollback_refuses_a_damaged_snapshot(pylmod, grades_csv, tmp_path):
    snapshot_path = tmp_path / 'before.json'
    pylmod('upload', grades_csv, '--snapshot', snapshot_path)
    snapshot_path.write_text(snapshot_path.read_text().replace('75', '65'))
    status, out, err = pylmod('rollback', snapshot_path)
    assert status == 2
    assert 'checksum does not match' in err and 'nothing was sent' in err


def test_a_near_miss_header_is_an_error_on_the_command_line(pylmod, tmp_path,
                                                            lmod_fake):
    path = tmp_path / 'one.csv'
    path.write_text('External email,Midterm1\nalice@mit.edu,50\n')
    status, out, err = pylmod('upload', path)
    assert status == 2
    assert "did you mean 'midterm1'?" in err
    assert "--new-assignment 'Midterm1'" in err
    status, out, err = pylmod('upload', path, '--new-assignment', 'Midterm1')
    assert status == 0, err
    assert "created assignment 'Midterm1'" in err


def test_delete_assignment_asks_on_a_terminal_saying_how_many_grades(
        terminal, lmod_server, lmod_fake, no_user_settings):
    import sys
    argv = [sys.executable, '-m', 'pylmod', '--url', lmod_server.url,
            '--cert', lmod_server.client_cert, '--ca-bundle',
            lmod_server.ca_cert, '--gradebook', UUID, 'delete-assignment',
            str(MIDTERM)]
    command = terminal(argv)
    assert (b"Delete assignment 'midterm1' (id 701) and its 2 grades? "
            in command.read_until(b'[y/N] '))
    command.type('n\n')
    assert b'nothing was deleted' in command.read_until(b'deleted\r\n')
    assert command.process.wait(60) == 1
    assert len(lmod_fake.assignments(GRADEBOOK_ID)) == 2

    command = terminal(argv + ['--yes'])
    output = command.read_until(b'grades\r\n')
    assert command.process.wait(60) == 0, output
    assert b"deleted assignment 'midterm1' (id 701) and its 2 grades" in output
    assert [assignment['name'] for assignment in
            lmod_fake.assignments(GRADEBOOK_ID)] == ['hw1']


def test_created_assignments_take_their_settings_from_the_command_line(
        pylmod, tmp_path, lmod_fake):
    path = tmp_path / 'one.csv'
    path.write_text('External email,Final Exam\nalice@mit.edu,150\n')
    options = ('--max-points', '120', '--weight', '2', '--due', '05-20-2027')
    status, out, err = pylmod('upload', path, '--preview', *options)
    assert status == 0, err
    assert ("would create assignment 'Final Exam': max points 120, short "
            "name 'Finam', weight 2, due 05-20-2027") in out
    assert 'is above max points 120' in err
    status, out, err = pylmod('upload', path, *options)
    assert status == 0, err
    [created] = [assignment for assignment in
                 lmod_fake.assignments(GRADEBOOK_ID)
                 if assignment['name'] == 'Final Exam']
    assert (created['maxPointsTotal'], created['weight'],
            created['dueDateString']) == (120.0, 2.0, '05-20-2027')
    assert "line 2, column 'Final Exam' (alice@mit.edu): 150 is above max " \
           "points 120" in err
    assert ("pylmod: assignment 'Final Exam': max points 120, short name "
            "'Finam', weight 2, due 05-20-2027") in err


def test_stored_values_read_every_shape_of_grade_info():
    from pylmod.grades.stored import stored_values
    students = [
        {'studentId': 1, 'studentAssignmentInfo': [
            {'assignmentId': 7, 'numericGradeValue': 93.5,
             'specialGradeValue': None, 'isGradeApproved': True},
            {'assignmentId': 8, 'numericGradeValue': '93.50',
             'specialGradeValue': None, 'isGradeApproved': False}]},
        {'studentId': 2, 'studentAssignmentInfo': [
            {'assignmentId': 7, 'numericGradeValue': 9,
             'specialGradeValue': None},
            {'assignmentId': 8, 'numericGradeValue': None,
             'specialGradeValue': 'x', 'isGradeApproved': True},
            'not a grade', {'numericGradeValue': 3.0}]},
        {'studentId': 3, 'studentAssignmentInfo': None}]
    assert stored_values(students) == {
        (1, 7): (93.5, True), (1, 8): (93.5, False),
        (2, 7): (9.0, False), (2, 8): (None, True)}


def test_a_grade_lmod_refuses_to_restore_is_listed_as_failed(
        gradebook, grades_csv, tmp_path, lmod_fake, lmod_server):
    snapshot_path = tmp_path / 'before.json'
    upload_with_snapshot(gradebook, grades_csv, snapshot_path)
    lmod_server.answer_next(1, {'status': -1, 'message': 'gradebook locked'},
                            path_prefix='multiGrades/')
    result = rollback(gradebook, str(snapshot_path),
                      snapshot=str(tmp_path / 'undo.json'))
    assert [(item.email, item.current) for item in result.failed] == [
        ('bob@mit.edu', 75.0)]
    assert 'gradebook locked' in result.failed[0].message
    assert not result.restored and not result.ok
    assert stored(lmod_fake)[(BOB, MIDTERM)] == 75.0


def test_an_upload_given_the_reviewed_plan_sends_what_it_showed(
        gradebook, grades_csv, lmod_fake, lmod_server):
    plan = plan_upload(gradebook, str(grades_csv))
    gradebook.spreadsheet2gradebook(str(grades_csv), safeguards=Safeguards(
        True, expected=plan))
    [request] = multigrades(lmod_server)
    assert sorted((grade['studentId'], grade['assignmentId'],
                   grade['numericGradeValue']) for grade in request.body) == \
        sorted((grade.student_id, grade.assignment_id, grade.new)
               for grade in plan.changes())


def test_an_upload_given_a_plan_lmod_has_moved_away_from_changes_nothing(
        gradebook, grades_csv, lmod_fake, lmod_server):
    from pylmod.exceptions import PyLmodPlanChanged
    plan = plan_upload(gradebook, str(grades_csv))
    gradebook.set_grade(MIDTERM, BOB, 71.0)  # after the review
    with pytest.raises(PyLmodPlanChanged, match='1 grades differ') as caught:
        gradebook.spreadsheet2gradebook(
            str(grades_csv), safeguards=Safeguards(True, expected=plan))
    assert caught.value.differences == 1  # Bob's midterm: 71 -> 75 now
    assert not multigrades(lmod_server)
