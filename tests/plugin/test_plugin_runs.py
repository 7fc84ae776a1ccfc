"""One run of one flow, synchronously (pylmod.openedx.plugin.runs): what
it sends to the fakes, what it stores, and when it asks for a retry."""
import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')

from plugin_helpers import LEARNERS  # noqa: E402
from plugin_project import courses  # noqa: E402

from pylmod.openedx.plugin import runs  # noqa: E402
from pylmod.openedx.plugin.failures import TransientFailure  # noqa: E402
from pylmod.openedx.plugin.models import (  # noqa: E402
    GRADES,
    ROSTER,
    GradebookLink,
    RunReport,
)

pytestmark = pytest.mark.django_db
COURSE = courses.Course(0)


def run(link, flow, **options):
    may_retry = options.pop('may_retry', False)
    return runs.execute(runs.start(link, flow, trigger='test', **options),
                        may_retry=may_retry)


def test_a_grade_push_stores_the_grades_and_its_report(
        plugin_settings, make_link, lmod_fake):
    report = run(make_link(0), GRADES)
    assert report.status == RunReport.OK and report.finished is not None
    assert report.counts['confirmed'] == LEARNERS
    assert report.counts['grade records read'] == LEARNERS
    assert report.problems == [] and report.error == ''
    stored = {student: points for (student, assignment), points
              in lmod_fake.stored_grades(COURSE.gradebook_id).items()
              if assignment == COURSE.assignment_id}
    assert stored == courses.expected_points(COURSE, LEARNERS)


def test_a_roster_sync_enrolls_the_gradebook_in_the_program(
        plugin_settings, make_link, openedx):
    report = run(make_link(0), ROSTER)
    assert report.status == RunReport.OK
    assert report.counts['to add'] == LEARNERS
    assert openedx.fake.program_enrollments(COURSE.program_uuid) == {
        email: 'enrolled' for email in courses.iter_emails(COURSE, LEARNERS)}


def test_running_again_with_nothing_changed_sends_nothing(
        plugin_settings, make_link, writes):
    link = make_link(0)
    run(link, GRADES), run(link, ROSTER)
    sent = writes()
    assert sent == (1, 1)
    again = run(link, GRADES), run(link, ROSTER)
    assert writes() == sent
    assert [report.status for report in again] == ['ok', 'ok']
    assert again[0].counts['skipped'] == LEARNERS
    assert again[1].counts['unchanged'] == LEARNERS
    assert again[0].problems == []  # an unchanged grade is no problem


def test_learners_with_a_problem_are_listed_without_their_grades(
        plugin_settings, make_link, openedx):
    openedx.fake.set_grade(COURSE.program_uuid, COURSE.course_key,
                           'stranger@example.edu', 0.5)
    openedx.fake.set_grade_error(COURSE.program_uuid, COURSE.course_key,
                                 'broken@example.edu', 'timeout')
    report = run(make_link(0), GRADES)
    assert report.status == RunReport.OK  # skipped on purpose
    assert report.problems_total == 2
    assert {problem['key']: problem['reason'] for problem in
            report.problems} == {
        'stranger@example.edu': 'no LMod student has this email',
        'broken@example.edu': 'Open edX could not load the grade: timeout'}
    assert all(set(problem) == {'key', 'outcome', 'what', 'reason'}
               for problem in report.problems)


def test_refused_grades_make_a_report_with_problems(
        plugin_settings, make_link, lmod_fake):
    def refuse_one(key):
        if key == COURSE.email(3):  # leaves LMod between read and write
            lmod_fake._gradebook(COURSE.gradebook_id).students.pop(
                COURSE.student_id(3))
        return key
    plugin_settings['EMAIL_FOR_STUDENT_KEY'] = refuse_one
    report = run(make_link(0), GRADES)
    assert report.status == RunReport.PROBLEMS
    assert [(problem['key'], problem['outcome']) for problem in
            report.problems] == [(COURSE.email(3), 'failed')]


def test_a_dry_run_sends_nothing(plugin_settings, make_link, writes):
    link = make_link(0, dry_run=True)
    reports = run(link, GRADES), run(link, ROSTER, dry_run=None)
    assert writes() == (0, 0)
    assert [report.dry_run for report in reports] == [True, True]
    assert reports[0].counts['dry run'] == LEARNERS
    assert run(make_link(1), GRADES, dry_run=True).counts['dry run'] == (
        LEARNERS)


def test_a_missing_assignment_fails_at_once(plugin_settings, make_link,
                                            writes):
    report = run(make_link(0, assignment='no such assignment'), GRADES,
                 may_retry=True)
    assert report.status == RunReport.FAILED
    assert report.error.startswith('OpenEdxConfigError: gradebook 1000 has '
                                   "no assignment named 'no such assignment'")
    assert writes() == (0, 0)


def test_a_bad_setting_fails_the_run_and_names_the_key(plugin_settings,
                                                       make_link):
    plugin_settings['WORKERS'] = 'many'
    report = run(make_link(0), GRADES, may_retry=True)
    assert report.status == RunReport.FAILED
    assert "PYLMOD_OPENEDX['WORKERS']: expected a whole number" in (
        report.error)


def test_a_transient_read_failure_asks_for_a_retry(
        no_request_retries, make_link, openedx):
    openedx.fake.fail_next(1, 503, path_prefix='/api/program_enrollments/')
    link = make_link(0)
    with pytest.raises(TransientFailure) as raised:
        run(link, GRADES, may_retry=True)
    assert 'OpenEdxHTTPError' in str(raised.value)
    report = RunReport.objects.get()
    assert report.status == RunReport.RETRYING and report.finished is None
    openedx.fake.fail_next(1, 503, path_prefix='/api/program_enrollments/')
    report = run(link, GRADES, may_retry=False)
    assert report.status == RunReport.FAILED
    assert report.error.endswith('(transient: worth running again later; '
                                 'this run had no retry left)')


def test_a_retry_does_not_send_again_what_a_lost_answer_stored(
        no_request_retries, make_link, lmod_server, lmod_fake):
    """multiGrades stores the first batch and the connection drops: the
    retry reads what LMod holds and sends only the rest."""
    plugin_settings = no_request_retries
    plugin_settings['BATCH_SIZE'] = 5
    lmod_server.drop_next(1, path_prefix='multiGrades/',
                          after_processing=True)
    link = make_link(0)
    with pytest.raises(TransientFailure):
        run(link, GRADES, may_retry=True, task_id='task-1')
    first = RunReport.objects.get()
    assert first.counts['unconfirmed'] == 5
    assert first.counts['not sent'] == LEARNERS - 5
    report = run(link, GRADES, may_retry=True, task_id='task-1')
    assert report.pk == first.pk and report.attempts == 2
    assert report.status == RunReport.OK
    assert report.counts['skipped'] == 5  # stored by the lost answer
    assert report.counts['confirmed'] == LEARNERS - 5
    bodies = [request.body for request in lmod_server.requests
              if 'multiGrades' in request.path]
    sent = [grade['studentId'] for body in bodies for grade in body]
    assert sorted(sent) == sorted(courses.expected_points(COURSE, LEARNERS))


def test_a_roster_retry_reads_first_and_enrolls_nobody_twice(
        no_request_retries, make_link, lmod_fake, openedx):
    """The first POST of 25 learners reaches Open edX, its answer is lost:
    the retry reads the enrollments and sends only the other 15."""
    big = courses.Course(7)
    lmod_fake.add_gradebook(courses.gradebook_seed(big, 40))
    courses.seed_course(openedx.fake, big, 40)
    no_request_retries['WORKERS'] = 1
    openedx.fake.drop_next(1, path_prefix='/api/program_enrollments/',
                           method='POST')
    link = make_link(7)
    with pytest.raises(TransientFailure):
        run(link, ROSTER, may_retry=True, task_id='task-2')
    first = RunReport.objects.get()
    assert (first.counts['unconfirmed'], first.counts['not sent']) == (25, 15)
    report = run(link, ROSTER, may_retry=True, task_id='task-2')
    assert report.status == RunReport.OK and report.attempts == 2
    assert (report.counts['unchanged'], report.counts['confirmed']) == (
        25, 15)
    posts = [request for request in openedx.requests
             if request.method == 'POST' and '/enrollments/' in request.path]
    keys = [item['student_key'] for request in posts for item in request.body]
    assert len(keys) == len(set(keys)) == 40
    assert set(openedx.fake.program_enrollments(big.program_uuid)) == set(
        courses.iter_emails(big, 40))


def test_a_course_roster_without_a_reader_is_not_sent_twice(
        no_request_retries, make_link, openedx):
    link = make_link(0, roster_sync=GradebookLink.ROSTER_COURSE,
                     assignment='')
    openedx.fake.drop_next(1, path_prefix='/api/bulk_enroll/')
    report = run(link, ROSTER, may_retry=True)
    assert report.status == RunReport.FAILED
    assert 'not retried: a write may have reached Open edX' in report.error


def test_a_course_roster_with_a_reader_reads_back_and_retries(
        no_request_retries, make_link, openedx, monkeypatch):
    from plugin_project import readers
    monkeypatch.setattr(readers, 'served', openedx.fake)
    no_request_retries['COURSE_ENROLLMENTS_READER'] = (
        'plugin_project.readers.course_enrollments')
    link = make_link(0, roster_sync=GradebookLink.ROSTER_COURSE,
                     assignment='')
    openedx.fake.drop_next(1, path_prefix='/api/bulk_enroll/')
    with pytest.raises(TransientFailure):
        run(link, ROSTER, may_retry=True, task_id='task-3')
    report = run(link, ROSTER, may_retry=True, task_id='task-3')
    assert report.status == RunReport.OK
    assert report.counts['unchanged'] == LEARNERS
    assert sorted(openedx.fake.course_enrollments(COURSE.course_key)) == (
        sorted(courses.iter_emails(COURSE, LEARNERS)))


def test_old_reports_are_pruned(plugin_settings, make_link):
    plugin_settings['REPORTS_KEPT'] = 2
    link = make_link(0, dry_run=True)
    made = [run(link, GRADES).pk for _ in range(4)]
    run(link, ROSTER)
    assert sorted(RunReport.objects.filter(flow=GRADES).values_list(
        'pk', flat=True)) == made[-2:]
    assert RunReport.objects.filter(flow=ROSTER).count() == 1
