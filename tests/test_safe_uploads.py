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
from pylmod.grades import UploadReport
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


# Changes only -----------------------------------------------------------------

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


def test_by_default_every_grade_is_sent_as_in_1_0(gradebook, grades_csv,
                                                  lmod_server):
    gradebook.spreadsheet2gradebook(str(grades_csv))
    [request] = multigrades(lmod_server)
    assert len(request.body) == 5
    reads = [request for request in lmod_server.requests
             if request.path.startswith('service/gradebook/students/')]
    assert 'includeGradeInfo' not in reads[0].params or reads[0].params[
        'includeGradeInfo'] == 'false'
