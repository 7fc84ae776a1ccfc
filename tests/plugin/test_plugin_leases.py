"""Leases and locks (pylmod.openedx.plugin.leases), on the database: a
run whose worker stopped renewing its lease is lost, shown so in the
admin, and taken over or ended; a live run keeps the others out."""
from datetime import timedelta

import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')

from plugin_helpers import LEARNERS  # noqa: E402

from pylmod.openedx.plugin import leases, runs  # noqa: E402
from pylmod.openedx.plugin.models import FlowLock, RunReport  # noqa: E402

pytestmark = pytest.mark.django_db


def lose(report):
    """Make ``report`` a run whose worker died 10 minutes ago."""
    past = report.started - timedelta(minutes=10)
    RunReport.objects.filter(pk=report.pk).update(
        heartbeat=past, lease_expires=past + timedelta(seconds=4),
        worker='gone-host:42')
    FlowLock.objects.filter(report_id=report.pk).update(
        expires=past + timedelta(seconds=4))
    report.refresh_from_db()
    return report


@pytest.fixture
def staff_client(client, django_user_model):
    django_user_model.objects.create_superuser('admin', 'admin@example.edu',
                                               'secret-password')
    client.login(username='admin', password='secret-password')
    return client


def test_a_live_run_keeps_a_second_one_out(make_link, plugin_settings):
    link = make_link(0)
    first = runs.begin(link, 'grades', trigger='schedule', worker='a:1')
    second = runs.begin(link, 'grades', trigger='admin', worker='b:2')
    assert first.run and not second.run
    assert second.holder.pk == first.report.pk
    skipped = second.report
    assert (skipped.status, bool(skipped.finished)) == ('skipped', True)
    assert 'run {0} of this link and flow was running on a:1'.format(
        first.report.pk) in skipped.error
    assert runs.execute(skipped) == skipped  # not run
    done = runs.execute(first.report)
    assert done.status == 'ok' and done.lease_expires is None
    assert done.progress == {'grade batches sent': 1,
                             'learners written': 0}
    third = runs.begin(link, 'grades', trigger='admin', worker='b:2')
    assert third.run  # the lock was freed at the end


def test_a_lost_run_is_shown_in_the_admin_with_its_worker(
        make_link, staff_client):
    report = lose(runs.begin(make_link(0), 'roster', worker='a:1').report)
    assert report.is_lost() and report.status == 'running'
    assert report.state().startswith('lost on gone-host:42 (last heartbeat ')
    page = staff_client.get('/admin/pylmod_openedx/runreport/')
    assert 'lost on gone-host:42' in page.content.decode()


def test_a_later_run_ends_a_lost_one_and_runs(make_link, plugin_settings):
    link = make_link(0)
    lost = lose(runs.begin(link, 'grades', worker='a:1').report)
    later = runs.begin(link, 'grades', trigger='schedule', worker='b:2')
    assert later.run
    lost.refresh_from_db()
    assert lost.status == 'lost' and lost.finished
    assert lost.error.startswith('lost: its worker gone-host:42 stopped')
    assert 'ended by run {0}'.format(later.report.pk) in lost.error
    assert runs.execute(later.report).counts['confirmed'] == LEARNERS


def test_a_redelivered_task_takes_its_lost_report_over(
        make_link, plugin_settings):
    link = make_link(0)
    first = runs.begin(link, 'grades', task_id='t-1', worker='a:1').report
    lose(first)
    again = runs.begin(link, 'grades', task_id='t-1', worker='b:2')
    assert again.run and again.report.pk == first.pk
    report = runs.execute(again.report)
    assert (report.status, report.attempts, report.worker) == ('ok', 2,
                                                               'b:2')
    assert [(loss['worker'], loss['by']) for loss in report.losses] == [
        ('gone-host:42', 'b:2')]
    done = runs.begin(link, 'grades', task_id='t-1', worker='c:3')
    assert not done.run and done.report.status == 'ok'  # not run twice


def test_the_sweep_ends_lost_runs_only(make_link):
    link = make_link(0)
    lost = lose(runs.begin(link, 'grades', worker='a:1').report)
    live = runs.begin(link, 'roster', worker='a:1').report
    assert leases.sweep_lost() == 1
    lost.refresh_from_db()
    live.refresh_from_db()
    assert (lost.status, live.status) == ('lost', 'running')
    assert 'gone-host:42' in lost.error


def test_the_heartbeat_renews_the_lease_and_writes_progress(make_link):
    report = runs.begin(make_link(0), 'grades', worker='a:1').report
    before = report.lease_expires
    assert leases.renew(report, 'a:1', 60, {'learners written': 3})
    report.refresh_from_db()
    assert report.lease_expires > before
    assert report.progress == {'learners written': 3}
    assert 'learners written' in report.state()
    assert not leases.renew(report, 'someone-else:9', 60)
