"""The Django admin of the plugin, through Django's test client: links
created in the admin form, enabled and disabled, run now on a real worker,
their last runs and reports shown."""
import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')

from plugin_helpers import LEARNERS, finished_reports  # noqa: E402
from plugin_project import courses  # noqa: E402

from pylmod.openedx.plugin.models import (  # noqa: E402
    GradebookLink,
    RunReport,
)

LINKS = '/admin/pylmod_openedx/gradebooklink/'
REPORTS = '/admin/pylmod_openedx/runreport/'


@pytest.fixture
def staff_client(client, django_user_model):
    django_user_model.objects.create_superuser('admin', 'admin@example.edu',
                                               'secret-password')
    client.login(username='admin', password='secret-password')
    return client


def form(course, **changes):
    """The add form of a link of ``course``, as a browser posts it."""
    data = dict(courses.link_fields(course), enabled='on',
                letter_grades='', dry_run='', cohorts_from_sections='',
                unenroll_missing='', _save='Save')
    data.update(changes)
    return {key: value for key, value in data.items() if value != ''}


def add_link(client, course, **changes):
    response = client.post(LINKS + 'add/', form(course, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return GradebookLink.objects.get(name=form(course, **changes)['name'])


def act(client, action, links):
    return client.post(LINKS, {'action': action,
                               '_selected_action': [link.pk for link in
                                                    links]}, follow=True)


def test_two_links_made_in_the_admin_run_now_then_again_sends_nothing(
        celery_worker, staff_client, lmod_fake, openedx, writes):
    """The issue's "done when": two links from the admin, run on a worker,
    grades in LMod and rosters in Open edX, reports stored; again, nothing
    new is sent."""
    links = [add_link(staff_client, courses.Course(number))
             for number in (0, 1)]
    page = act(staff_client, 'run_now', links)
    assert '4 runs sent to the workers' in page.content.decode()
    reports = finished_reports(4)
    assert {(report.link_id, report.flow, report.status, report.trigger)
            for report in reports} == {
        (link.pk, flow, 'ok', 'admin') for link in links
        for flow in ('grades', 'roster')}
    for number in (0, 1):
        course = courses.Course(number)
        stored = {student: points for (student, assignment), points
                  in lmod_fake.stored_grades(course.gradebook_id).items()
                  if assignment == course.assignment_id}
        assert stored == courses.expected_points(course, LEARNERS)
        assert set(openedx.fake.program_enrollments(course.program_uuid)) == (
            set(courses.iter_emails(course, LEARNERS)))
    sent = writes()
    assert sent == (2, 2)
    act(staff_client, 'run_now', links)
    again = finished_reports(8)[4:]
    assert writes() == sent
    assert {report.status for report in again} == {'ok'}
    assert [report.requests_sent for report in again] == [0] * 4
    listing = staff_client.get(LINKS).content.decode()
    assert listing.count('ok: ') >= 4  # the last run of each flow, shown


def test_the_list_and_a_link_page_show_the_last_runs(
        staff_client, plugin_settings, make_link, db):
    link = make_link(0, dry_run=True)
    from pylmod.openedx.plugin import runs
    runs.execute(runs.start(link, 'grades', trigger='test'))
    listing = staff_client.get(LINKS).content.decode()
    assert 'Course 0' in listing
    assert 'ok: {0} dry run'.format(LEARNERS) in listing
    page = staff_client.get(LINKS + '{0}/change/'.format(link.pk))
    assert 'recent runs' in page.content.decode().lower()
    assert 'grades: ok: {0} dry run'.format(LEARNERS) in page.content.decode()
    report = RunReport.objects.get()
    detail = staff_client.get(REPORTS + '{0}/change/'.format(report.pk))
    assert detail.status_code == 200
    assert 'learners with a problem' in detail.content.decode().lower()
    assert staff_client.get(REPORTS + 'add/').status_code == 403


def test_enable_and_disable(staff_client, make_link, db):
    links = [make_link(0), make_link(1)]
    page = act(staff_client, 'disable', links)
    assert '2 links disabled' in page.content.decode()
    assert not GradebookLink.objects.filter(enabled=True).exists()
    act(staff_client, 'enable', links[:1])
    assert list(GradebookLink.objects.filter(enabled=True)) == links[:1]


def test_a_link_that_cannot_run_is_refused_by_the_form(staff_client, db):
    response = staff_client.post(LINKS + 'add/', form(
        courses.Course(0), program_uuid='', roster_sync='program_course'))
    text = response.content.decode()
    assert response.status_code == 200  # the form again, with the errors
    assert 'a grade push needs both the program and the course run' in text
    assert 'This roster sync needs it.' in text
    assert not GradebookLink.objects.exists()


def test_a_dry_run_from_the_admin_sends_nothing(
        celery_worker, staff_client, make_link, writes):
    act(staff_client, 'run_now_dry', [make_link(0)])
    reports = finished_reports(2)
    assert {(report.dry_run, report.status) for report in reports} == {
        (True, 'ok')}
    assert writes() == (0, 0)


def roll_back_in_admin(client, reports):
    return client.post(REPORTS, {'action': 'roll_back',
                                 '_selected_action': [report.pk for report
                                                      in reports]},
                       follow=True)


def test_roll_back_this_run_sends_a_rollback_with_its_own_report(
        celery_worker, staff_client, make_link, lmod_fake):
    from pylmod.openedx.plugin import tasks
    course = courses.Course(0)
    link = make_link(0)
    tasks.push_link_grades.delay(link.pk).get(timeout=60)
    push = RunReport.objects.get()
    detail = staff_client.get(REPORTS + '{0}/change/'.format(push.pk))
    text = detail.content.decode()
    assert '{0} grades as they were before the run'.format(LEARNERS) in text
    assert 'Roll back this run' in staff_client.get(REPORTS).content.decode()
    page = roll_back_in_admin(staff_client, [push])
    assert '1 rollback sent to the workers (run {0})'.format(push.pk) in (
        page.content.decode())
    rollback = finished_reports(2)[1]
    assert (rollback.flow, rollback.rollback_of_id, rollback.trigger) == (
        'rollback', push.pk, 'admin')
    # Every grade was empty before the push: none can be cleared.
    assert rollback.counts['cannot clear'] == LEARNERS
    assert rollback.status == 'problems'
    assert set(lmod_fake.stored_grades(course.gradebook_id).values()) == set(
        courses.expected_points(course, LEARNERS).values())


def test_a_rollback_of_a_run_that_sent_nothing_or_elsewhere_is_refused(
        staff_client, plugin_settings, make_link, db, writes):
    from pylmod.openedx.plugin import runs
    link = make_link(0)
    dry = runs.execute(runs.start(link, 'grades', dry_run=True))
    roster = runs.execute(runs.start(link, 'roster'))
    pushed = runs.execute(runs.start(link, 'grades'))
    sent = writes()
    page = roll_back_in_admin(staff_client, [dry, roster]).content.decode()
    assert ('Not rolled back: run {0} sent no grades (a dry run): there is '
            'nothing to roll back.'.format(dry.pk)) in page
    assert ('Not rolled back: run {0} is a roster sync: only a grade push '
            '(or a rollback) can be rolled back.'.format(roster.pk)) in page
    link.gradebook_uuid = courses.Course(1).gradebook_uuid
    link.save()
    page = roll_back_in_admin(staff_client, [pushed]).content.decode()
    assert ('Not rolled back: run {0} wrote gradebook {1}, and link '
            '&quot;Course 0&quot; is now of gradebook {2}: its rollback is '
            'refused.'.format(pushed.pk, courses.Course(0).gradebook_uuid,
                              courses.Course(1).gradebook_uuid)) in page
    assert 'sent to the workers' not in page
    assert writes() == sent
    assert RunReport.objects.filter(flow='rollback').count() == 0


def test_rolling_back_needs_the_right_to_run_links(
        client, django_user_model, plugin_settings, make_link, db):
    from django.contrib.auth.models import Permission

    from pylmod.openedx.plugin import runs
    viewer = django_user_model.objects.create_user(
        'viewer', password='secret-password', is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(
        codename='view_runreport'))
    client.login(username='viewer', password='secret-password')
    pushed = runs.execute(runs.start(make_link(0), 'grades'))
    assert 'Roll back this run' not in client.get(REPORTS).content.decode()
    roll_back_in_admin(client, [pushed])
    assert RunReport.objects.filter(flow='rollback').count() == 0
