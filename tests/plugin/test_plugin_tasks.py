"""The Celery tasks on a real worker (in this process, in-memory broker):
the fan-out over several links, retries of transient failures, and
failures that are not retried."""
from datetime import datetime, timezone

import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')

from plugin_helpers import (  # noqa: E402
    COURSES,
    LEARNERS,
    WAIT,
    finished_reports,
)
from plugin_project import courses  # noqa: E402

from pylmod.openedx.plugin import tasks  # noqa: E402
from pylmod.openedx.plugin.models import RunReport  # noqa: E402


def stored_points(lmod_fake, course):
    return {student: points for (student, assignment), points
            in lmod_fake.stored_grades(course.gradebook_id).items()
            if assignment == course.assignment_id}


def test_the_fan_out_runs_every_enabled_link_on_the_worker(
        celery_worker, make_link, lmod_fake, openedx, writes):
    links = [make_link(number) for number in range(COURSES)]
    make_link(0, name='disabled', enabled=False, assignment='nope')
    result = tasks.sync_all_links.delay().get(timeout=WAIT)
    assert result['runs'] == 2 * COURSES  # grades and roster per link
    reports = finished_reports(2 * COURSES)
    assert {(report.link_id, report.flow, report.status, report.trigger)
            for report in reports} == {
        (link.pk, flow, 'ok', 'schedule') for link in links
        for flow in ('grades', 'roster')}
    for course in courses.courses(COURSES):
        assert stored_points(lmod_fake, course) == courses.expected_points(
            course, LEARNERS)
        assert openedx.fake.program_enrollments(course.program_uuid) == {
            email: 'enrolled'
            for email in courses.iter_emails(course, LEARNERS)}
    assert writes() == (COURSES, COURSES)


def test_running_the_fan_out_again_sends_nothing_new(
        celery_worker, make_link, writes):
    for number in range(COURSES):
        make_link(number)
    first = tasks.fan_out().get(timeout=WAIT)
    assert {summary['status'] for summary in first} == {'ok'}
    sent = writes()
    again = tasks.fan_out().get(timeout=WAIT)
    assert writes() == sent
    assert {summary['status'] for summary in again} == {'ok'}
    grades = [summary for summary in again if summary['flow'] == 'grades']
    assert [summary['counts']['skipped'] for summary in grades] == (
        [LEARNERS] * COURSES)
    assert sum(summary['requests_sent'] for summary in again) == 0


def test_a_transient_503_is_retried_by_celery_and_succeeds(
        celery_worker, no_request_retries, make_link, openedx, lmod_fake):
    link = make_link(0)
    openedx.fake.fail_next(1, 503, path_prefix='/api/program_enrollments/',
                           method='GET')
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert summary['status'] == 'ok' and summary['attempts'] == 2
    assert summary['counts']['confirmed'] == LEARNERS
    report = RunReport.objects.get()
    assert (report.attempts, report.error) == (2, '')
    grade_reads = openedx.requests_to('program_course_grades', 'GET')
    assert [request.method for request in grade_reads] == ['GET', 'GET']
    assert stored_points(lmod_fake, courses.Course(0)) == (
        courses.expected_points(courses.Course(0), LEARNERS))


def test_a_non_transient_failure_is_stored_and_not_retried(
        celery_worker, no_request_retries, make_link, openedx):
    link = make_link(0)
    openedx.fake.fail_next(1, 403, path_prefix='/api/program_enrollments/',
                           method='GET')
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert summary['status'] == 'failed' and summary['attempts'] == 1
    assert summary['error'] == 'OpenEdxHTTPError'  # what Celery logs
    assert len(openedx.requests_to('program_course_grades')) == 1
    report = RunReport.objects.get()
    assert report.status == RunReport.FAILED and report.finished
    assert report.error.startswith('OpenEdxHTTPError: ')
    assert 'HTTP 403' in report.error


def test_a_transient_failure_past_the_deadline_is_not_retried(
        celery_worker, no_request_retries, make_link, openedx):
    no_request_retries['RETRY_DEADLINE'] = 0
    link = make_link(0)
    openedx.fake.fail_next(1, 503, path_prefix='/api/program_enrollments/',
                           method='GET')
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert (summary['status'], summary['attempts']) == ('failed', 1)
    assert RunReport.objects.get().error.endswith(
        'this run had no retry left)')


def test_retries_stop_after_max_retries(celery_worker, no_request_retries,
                                        make_link, openedx):
    no_request_retries['MAX_RETRIES'] = 1
    link = make_link(0)
    openedx.fake.fail_next(2, 502, path_prefix='/api/program_enrollments/',
                           method='GET')
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert (summary['status'], summary['attempts']) == ('failed', 2)
    assert len(openedx.requests_to('program_course_grades')) == 2


def test_a_throttled_run_waits_as_long_as_open_edx_asks(
        celery_worker, no_request_retries, make_link, openedx):
    """429 with Retry-After: 2 on a write: Celery retries 2 s later, not
    after its own backoff (1 s for a first retry here)."""
    from celery.signals import before_task_publish
    delays = []

    def record(headers=None, **_):
        if headers.get('retries') and headers.get('eta'):
            eta = datetime.fromisoformat(headers['eta'])
            delays.append((eta - datetime.now(timezone.utc)).total_seconds())
    before_task_publish.connect(record, weak=False)
    try:
        link = make_link(0)
        openedx.fake.fail_next(1, 429,
                               path_prefix='/api/program_enrollments/',
                               method='POST', retry_after=2)
        summary = tasks.sync_link_roster.delay(link.pk).get(timeout=WAIT)
    finally:
        before_task_publish.disconnect(record)
    assert (summary['status'], summary['attempts']) == ('ok', 2), [
        report.error for report in RunReport.objects.all()]
    assert len(delays) == 1 and delays[0] > 1.5


def test_a_roster_write_lost_under_celery_is_not_sent_twice(
        celery_worker, no_request_retries, make_link, openedx):
    link = make_link(0)
    openedx.fake.drop_next(1, path_prefix='/api/program_enrollments/',
                           method='POST')
    summary = tasks.sync_link_roster.delay(link.pk).get(timeout=WAIT)
    assert (summary['status'], summary['attempts']) == ('ok', 2)
    assert summary['counts']['unchanged'] == LEARNERS
    posts = [request for request in openedx.requests
             if request.method == 'POST' and '/enrollments/' in request.path]
    assert len(posts) == 1


def test_a_grade_push_whose_answer_was_lost_sends_nothing_again(
        celery_worker, no_request_retries, make_link, lmod_server,
        lmod_fake):
    """multiGrades stores every grade and the connection drops: Celery's
    retry reads them back from LMod, skips them all, sends nothing."""
    link = make_link(0)
    lmod_server.drop_next(1, path_prefix='multiGrades/',
                          after_processing=True)
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert (summary['status'], summary['attempts']) == ('ok', 2)
    assert summary['counts']['skipped'] == LEARNERS
    assert summary['requests_sent'] == 0
    assert sum(1 for request in lmod_server.requests
               if 'multiGrades' in request.path) == 1
    assert stored_points(lmod_fake, courses.Course(0)) == (
        courses.expected_points(courses.Course(0), LEARNERS))


def test_a_link_deleted_before_its_task_runs(celery_worker):
    summary = tasks.push_link_grades.delay(12345).get(timeout=WAIT)
    assert summary == {'link': 12345, 'flow': 'grades',
                       'status': 'no such link'}
