"""Rolling a grade push back (pylmod.openedx.plugin.undo): the pre-image a
push keeps with its report, the rollback run (the library's rollback, its
own report and pre-image), and the task on a real worker (in this process,
in-memory broker)."""
import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')

from plugin_helpers import LEARNERS, WAIT  # noqa: E402
from plugin_project import courses  # noqa: E402

from pylmod.exceptions import PyLmodSnapshotError  # noqa: E402
from pylmod.grades.snapshot import (  # noqa: E402
    UPLOAD,
    snapshot_from_data,
)
from pylmod.openedx.plugin import runs, tasks  # noqa: E402
from pylmod.openedx.plugin.failures import TransientFailure  # noqa: E402
from pylmod.openedx.plugin.models import (  # noqa: E402
    GRADES,
    ROLLBACK,
    RunPreImage,
    RunReport,
)

COURSE = courses.Course(0)
#: Learners with a grade in LMod before the push (the others have none).
GRADED = range(6)


def old_points(learner):
    """A grade LMod holds before the push (never what the push sends)."""
    return 1.25 + learner


@pytest.fixture
def lmod(lmod_server):
    """A client of the course's gradebook (what a TA's edit goes through)."""
    from pylmod import GradeBook
    with GradeBook(lmod_server.client_cert, lmod_server.url,
                   gbuuid=COURSE.gradebook_uuid,
                   verify=lmod_server.ca_cert) as gradebook:
        yield gradebook


@pytest.fixture
def graded(lmod):
    """Learners ``GRADED`` have a grade before the push."""
    for learner in GRADED:
        lmod.set_grade(COURSE.assignment_id, COURSE.student_id(learner),
                       old_points(learner))
    return lmod


def stored(lmod_fake):
    return {student: points for (student, assignment), points
            in lmod_fake.stored_grades(COURSE.gradebook_id).items()
            if assignment == COURSE.assignment_id}


def pushed():
    return courses.expected_points(COURSE, LEARNERS)


def run(link, flow, **options):
    may_retry = options.pop('may_retry', False)
    return runs.execute(runs.start(link, flow, trigger='test', **options),
                        may_retry=may_retry)


def roll_back(report):
    begun = runs.begin(report.link, ROLLBACK, dry_run=False, trigger='test',
                       rollback_of=report)
    return runs.execute(begun.report)


def pre_image(report):
    kept = RunPreImage.objects.get(report=report)
    return snapshot_from_data(kept.snapshot, 'test')


@pytest.mark.django_db
def test_a_grade_push_keeps_the_pre_image_of_what_it_sends(
        plugin_settings, make_link, graded):
    report = run(make_link(0), GRADES)
    assert report.status == RunReport.OK
    taken = pre_image(report)
    assert report.pre_image.grades == len(taken.grades) == LEARNERS
    assert taken.kind == UPLOAD
    assert (taken.gradebook_uuid, taken.gradebook_id) == (
        COURSE.gradebook_uuid, COURSE.gradebook_id)
    by_student = {grade.student_id: grade for grade in taken.grades}
    for learner in range(LEARNERS):
        grade = by_student[COURSE.student_id(learner)]
        assert grade.email == COURSE.email(learner)
        assert grade.assignment_id == COURSE.assignment_id
        assert grade.new == pushed()[grade.student_id]
        assert grade.old == (old_points(learner) if learner in GRADED
                             else None)
        assert grade.old_approved == (False if learner in GRADED else None)


@pytest.mark.django_db
def test_a_dry_run_and_an_unchanged_push_keep_no_pre_image(
        plugin_settings, make_link):
    link = make_link(0)
    assert run(link, GRADES, dry_run=True).status == RunReport.OK
    assert run(link, GRADES).counts['confirmed'] == LEARNERS
    again = run(link, GRADES)
    assert again.counts['skipped'] == LEARNERS
    assert RunPreImage.objects.count() == 1  # the second run's only


@pytest.mark.django_db
def test_a_pre_image_edited_in_the_database_is_refused(
        plugin_settings, make_link, graded, lmod_fake):
    report = run(make_link(0), GRADES)
    kept = report.pre_image
    kept.snapshot['grades']['old'][0] = 99.0
    kept.save()
    rollback = roll_back(report)
    assert rollback.status == RunReport.FAILED
    assert 'checksum does not match' in rollback.error
    assert stored(lmod_fake) == pushed()
    with pytest.raises(PyLmodSnapshotError):
        pre_image(report)


@pytest.mark.django_db
def test_push_then_roll_back_restores_the_old_grades_and_can_be_undone(
        plugin_settings, make_link, lmod, lmod_fake):
    for learner in range(LEARNERS):
        lmod.set_grade(COURSE.assignment_id, COURSE.student_id(learner),
                       old_points(learner))
    before = stored(lmod_fake)
    report = run(make_link(0), GRADES)
    assert stored(lmod_fake) == pushed()
    rollback = roll_back(report)
    assert (rollback.flow, rollback.rollback_of_id) == (ROLLBACK, report.pk)
    assert rollback.status == RunReport.OK, rollback.error
    assert rollback.counts == {'restored': LEARNERS, 'conflicts': 0,
                               'cannot clear': 0, 'failed': 0,
                               'already as before': 0}
    assert rollback.requests_sent == 1
    assert stored(lmod_fake) == before
    # Rolled back twice: the grades hold their old values already.
    twice = roll_back(report)
    assert twice.status == RunReport.OK and twice.requests_sent == 0
    assert (twice.counts['restored'], twice.counts['already as before']) == (
        0, LEARNERS)
    assert not RunPreImage.objects.filter(report=twice).exists()
    # The rollback kept its own pre-image: rolling it back puts the
    # pushed grades back.
    assert rollback.pre_image.grades == LEARNERS
    again = roll_back(rollback)
    assert again.status == RunReport.OK
    assert again.counts['restored'] == LEARNERS
    assert stored(lmod_fake) == pushed()


@pytest.mark.django_db
def test_a_grade_changed_since_is_a_conflict_and_an_empty_one_cannot_clear(
        plugin_settings, make_link, graded, lmod_fake):
    report = run(make_link(0), GRADES)
    changed = COURSE.student_id(2)
    graded.set_grade(COURSE.assignment_id, changed, 42.0)  # a TA, since
    rollback = roll_back(report)
    assert rollback.status == RunReport.PROBLEMS
    empty = LEARNERS - len(GRADED)
    assert rollback.counts == {
        'restored': len(GRADED) - 1, 'conflicts': 1, 'cannot clear': empty,
        'failed': 0, 'already as before': 0}
    now = stored(lmod_fake)
    assert now[changed] == 42.0  # left alone
    for learner in range(LEARNERS):
        student = COURSE.student_id(learner)
        if learner in GRADED and student != changed:
            assert now[student] == old_points(learner)
        elif learner not in GRADED:
            assert now[student] == pushed()[student]  # cannot be cleared
    problems = {problem['key']: problem for problem in rollback.problems}
    assert rollback.problems_total == 1 + empty
    assert problems[str(changed)]['outcome'] == 'conflict'
    assert problems[str(COURSE.student_id(LEARNERS - 1))]['outcome'] == (
        'cannot clear')
    # The report names students by LMod id and holds no grade.
    assert '42' not in repr(rollback.problems) + repr(rollback.counts)


@pytest.mark.django_db
def test_a_retried_push_keeps_the_first_old_value_of_each_grade(
        no_request_retries, make_link, lmod_server, lmod_fake):
    """The first batch is stored and its answer lost: the retry skips
    those grades, and the pre-image still holds them (as they were before
    the first attempt), so a rollback undoes the whole run."""
    no_request_retries['BATCH_SIZE'] = 5
    lmod_server.drop_next(1, path_prefix='multiGrades/',
                          after_processing=True)
    link = make_link(0)
    with pytest.raises(TransientFailure):
        run(link, GRADES, may_retry=True, task_id='task-1')
    report = run(link, GRADES, may_retry=True, task_id='task-1')
    assert report.status == RunReport.OK and report.attempts == 2
    taken = pre_image(report)
    assert len(taken.grades) == LEARNERS
    assert {grade.old for grade in taken.grades} == {None}


def test_the_rollback_task_runs_on_the_worker(
        celery_worker, make_link, graded, lmod_fake):
    link = make_link(0)
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert summary['status'] == 'ok'
    result = tasks.roll_back_run.delay(summary['report']).get(timeout=WAIT)
    assert result['flow'] == ROLLBACK and result['status'] == 'problems'
    assert result['counts']['restored'] == len(GRADED)
    assert result['counts']['cannot clear'] == LEARNERS - len(GRADED)
    now = stored(lmod_fake)
    assert [now[COURSE.student_id(learner)] for learner in GRADED] == [
        old_points(learner) for learner in GRADED]
    gone = tasks.roll_back_run.delay(10 ** 6).get(timeout=WAIT)
    assert gone['status'] == 'no such run'


@pytest.mark.django_db
def test_the_pre_image_is_kept_before_the_first_grade_is_sent(
        no_request_retries, make_link, lmod_server, lmod_fake, monkeypatch):
    """The pre-image is stored while LMod has seen no multiGrades; LMod
    then refuses it: nothing stored, and the pre-image of every grade the
    run was about to send is there."""
    from pylmod.openedx.plugin import undo
    keep, seen = undo.keep_pre_image, []

    def keep_and_look(report, gradebook, grades):
        keep(report, gradebook, grades)
        seen.append(sum(1 for request in lmod_server.requests
                        if 'multiGrades' in request.path))
    monkeypatch.setattr(undo, 'keep_pre_image', keep_and_look)
    lmod_server.fail_next(1, 403, path_prefix='multiGrades/')
    report = run(make_link(0), GRADES)
    assert seen == [0]
    assert report.status == RunReport.FAILED
    assert stored(lmod_fake) == {}
    assert len(pre_image(report).grades) == LEARNERS
