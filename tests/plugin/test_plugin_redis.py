"""The plugin on the LMS's real engine: a real ``redis-server`` (broker and
result backend) and real ``celery worker --pool prefork`` processes —
the fan-out, a worker killed mid-run, two fan-outs at once, and a broker
that is down or silent.

The test's database is a file the worker processes share (SQLite with a
write-ahead log); both fakes are served by this process.
"""
import gc
import os
import socket
import tempfile

import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')
pytest.importorskip('redis', reason='the Redis tests need the test extra')

from plugin_helpers import (  # noqa: E402
    COURSES,
    LEARNERS,
    WAIT,
    wait_for,
)
from plugin_project import courses  # noqa: E402
from redis_helpers import (  # noqa: E402
    BROKER_OPTIONS,
    Worker,
    free_port,
    kombu_version,
    start_redis,
    stop,
    sweep_seconds,
)

from pylmod.openedx.plugin import tasks  # noqa: E402
from pylmod.openedx.plugin.models import RunReport  # noqa: E402

FLOWS = ('grades', 'roster')


@pytest.fixture(scope='module')
def redis_url():
    """A redis-server of this module's tests, stopped at the end."""
    with tempfile.TemporaryDirectory(prefix='pylmod-redis-') as folder:
        process, url = start_redis(folder)
        try:
            yield url
        finally:
            gc.collect()  # (see redis_app)
            stop(process)


@pytest.fixture
def redis_app(redis_url):
    """The Celery app the test sends with: the stand-in LMS's, on Redis
    (the current app while the test runs; Redis emptied first)."""
    import redis
    from celery import Celery
    from plugin_project.celery_app import app as memory_app
    redis.Redis.from_url(redis_url).flushall()
    app = Celery('plugin_project', set_as_current=False)
    app.conf.update(broker_url=redis_url, result_backend=redis_url,
                    broker_transport_options=BROKER_OPTIONS)
    app.set_current()
    try:
        yield app
    finally:
        # The test's results are let go while Redis is up: an AsyncResult
        # unsubscribes when collected, and Celery 5.5 retries that against
        # a stopped server for seconds, inside whichever later test the
        # garbage collector happens to run in.
        gc.collect()
        memory_app.set_current()
        app.close()


@pytest.fixture
def engine(redis_app, redis_url, transactional_db, plugin_settings):
    """Start workers: ``engine(name, processes)``; all stopped at the
    end.  Reports are written by several processes: a write-ahead log."""
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute('PRAGMA journal_mode=WAL')
    database = connection.settings_dict['NAME']
    folder = tempfile.mkdtemp(prefix='pylmod-workers-')
    workers = []

    def start(name='worker', processes=4):
        worker = Worker(folder, name, redis_url, database,
                        dict(plugin_settings), processes)
        workers.append(worker)
        return worker
    yield start
    for worker in workers:
        worker.stop()


def slow_fakes(lmod_server, openedx, seconds):
    """Every request to either fake is answered ``seconds`` late."""
    lmod_server.delay_next(10 ** 6, seconds)
    openedx.fake.delay_next(10 ** 6, seconds, path_prefix='/api/')


def stored_points(lmod_fake, course):
    return {student: points for (student, assignment), points
            in lmod_fake.stored_grades(course.gradebook_id).items()
            if assignment == course.assignment_id}


def assert_fakes_done(lmod_fake, openedx, count=COURSES):
    for course in courses.courses(count):
        assert stored_points(lmod_fake, course) == courses.expected_points(
            course, LEARNERS)
        assert openedx.fake.program_enrollments(course.program_uuid) == {
            email: 'enrolled'
            for email in courses.iter_emails(course, LEARNERS)}


def test_the_fan_out_runs_on_worker_processes_and_again_sends_nothing(
        engine, make_link, lmod_fake, openedx, writes):
    engine()
    links = [make_link(number) for number in range(COURSES)]
    summaries = tasks.fan_out().get(timeout=WAIT)
    assert {(summary['link'], summary['flow'], summary['status'])
            for summary in summaries} == {
        (link.pk, flow, 'ok') for link in links for flow in FLOWS}
    assert_fakes_done(lmod_fake, openedx)
    sent = writes()
    assert sent == (COURSES, COURSES)
    assert tasks.send_runs() == 2 * COURSES  # the nightly path: no results
    wait_for(lambda: RunReport.objects.exclude(finished=None).count()
             == 4 * COURSES)
    assert writes() == sent
    assert not RunReport.objects.filter(finished=None).exists()


def test_a_worker_killed_mid_run_loses_no_run(
        engine, make_link, lmod_server, lmod_fake, openedx, writes):
    """Kill a worker's whole process group while it runs: every flow is
    delivered again (after the visibility timeout) to the other worker,
    on its same report, without a re-trigger; nothing is left running."""
    for number in range(COURSES):
        make_link(number)
    slow_fakes(lmod_server, openedx, 0.3)
    doomed = engine('doomed', processes=2)
    result = tasks.fan_out()
    wait_for(lambda: RunReport.objects.filter(status='running').count() >= 2)
    doomed.kill()
    killed = set(RunReport.objects.filter(status='running').values_list(
        'pk', flat=True))
    engine('survivor', processes=4)
    # Redelivered after the visibility timeout, at kombu's next sweep.
    summaries = result.get(timeout=WAIT + sweep_seconds())
    assert {summary['status'] for summary in summaries} == {'ok'}
    reports = RunReport.objects.all()
    # One report per link and flow: the killed runs resumed on theirs.
    assert sorted((report.link_id, report.flow) for report in reports) == (
        sorted({(report.link_id, report.flow) for report in reports}))
    assert len(reports) == 2 * COURSES
    assert killed and {report.pk for report in reports
                       if report.attempts > 1} >= killed
    assert not RunReport.objects.filter(finished=None).exists()
    assert_fakes_done(lmod_fake, openedx)
    # Sent again at most: the one batch each killed run had in flight.
    grade_posts, enrollment_writes = writes()
    assert grade_posts <= COURSES + len(killed)
    assert enrollment_writes <= COURSES + len(killed)


def test_two_fan_outs_at_once_never_run_a_link_flow_twice_at_once(
        engine, make_link, lmod_server, lmod_fake, openedx):
    for number in range(COURSES):
        make_link(number)
    slow_fakes(lmod_server, openedx, 0.05)
    engine(processes=4)
    first, second = tasks.fan_out(), tasks.fan_out(trigger='admin')
    summaries = first.get(timeout=WAIT) + second.get(timeout=WAIT)
    assert len(summaries) == 4 * COURSES
    assert {summary['status'] for summary in summaries} <= {'ok', 'skipped'}
    ran = RunReport.objects.exclude(status='skipped')
    for link_flow in {(report.link_id, report.flow) for report in ran}:
        spans = sorted((report.started, report.finished) for report in ran
                       if (report.link_id, report.flow) == link_flow)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, 'two runs of {0} at once'.format(link_flow)
    assert not RunReport.objects.filter(finished=None).exists()
    assert_fakes_done(lmod_fake, openedx)


@pytest.fixture
def broker_at(plugin_settings, redis_app):
    """Point the sending app at another broker (and result backend)."""
    plugin_settings['SEND_TIMEOUT'] = 1

    def point(url):
        redis_app.conf.update(broker_url=url, result_backend=url)
        redis_app.pool.force_close_all()
        return redis_app
    return point


@pytest.fixture
def staff_client(client, django_user_model):
    django_user_model.objects.create_superuser('admin', 'admin@example.edu',
                                               'secret-password')
    client.login(username='admin', password='secret-password')
    return client


def run_now(client, links):
    return client.post('/admin/pylmod_openedx/gradebooklink/', {
        'action': 'run_now',
        '_selected_action': [link.pk for link in links]}, follow=True)


def test_run_now_with_the_broker_down_says_so(
        broker_at, staff_client, make_link, db):
    broker_at('redis://127.0.0.1:{0}/0'.format(free_port()))
    page = run_now(staff_client, [make_link(0)]).content.decode()
    assert 'could not be reached within 1 s' in page
    assert 'ConnectionError' in page or 'OperationalError' in page


def test_run_now_with_a_silent_broker_gives_up_after_the_timeout(
        broker_at, staff_client, make_link, db):
    """A broker that accepts connections and never answers (a hung host
    behind a load balancer): the send gives up after SEND_TIMEOUT."""
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(16)
        broker_at('redis://127.0.0.1:{0}/0'.format(
            silent.getsockname()[1]))
        page = run_now(staff_client, [make_link(0)]).content.decode()
    assert 'could not be reached within 1 s' in page
    assert not RunReport.objects.exists()


def test_the_tasks_are_delivered_at_least_once():
    for task in (tasks.push_link_grades, tasks.sync_link_roster):
        assert task.acks_late and task.reject_on_worker_lost


def test_a_send_cut_short_says_how_many_runs_went():
    error = tasks.BrokerUnreachable(3, ConnectionError('reset'), 2, 6)
    assert str(error).startswith('the Celery broker could not be reached '
                                 'within 3 s, so only 2 of the 6 runs were '
                                 'sent (ConnectionError: reset)')


def tutor_patches():
    """Run the Tutor plugin of the docs with a stand-in ``tutor.hooks``;
    return the patches it adds."""
    import runpy
    import sys
    import types
    patches = []
    hooks = types.SimpleNamespace(Filters=types.SimpleNamespace(
        ENV_PATCHES=types.SimpleNamespace(add_item=patches.append)))
    tutor = types.ModuleType('tutor')
    tutor.hooks = hooks
    saved = sys.modules.get('tutor')
    sys.modules['tutor'] = tutor
    try:
        runpy.run_path(os.path.join(os.path.dirname(courses.__file__),
                                    'tutor_pylmod.py'))
    finally:
        if saved is None:
            del sys.modules['tutor']
        else:
            sys.modules['tutor'] = saved
    return dict(patches)


def test_the_tutor_example_gives_the_lms_its_broker_settings(redis_url):
    """The patch, laid over settings as edx-platform's production settings
    leave them, keeps their options and adds a visibility timeout longer
    than the plugin's longest run; Celery and kombu read it."""
    from celery import Celery

    from pylmod.openedx.plugin.conf import DEFAULTS
    settings = {'BROKER_TRANSPORT_OPTIONS': {'fanout_patterns': True,
                                             'fanout_prefix': True},
                'PYLMOD_OPENEDX': dict(DEFAULTS, CLIENT_ID='sync')}
    exec(tutor_patches()['openedx-lms-common-settings'], settings)
    for name in ('BROKER_TRANSPORT_OPTIONS',
                 'CELERY_BROKER_TRANSPORT_OPTIONS'):
        options = settings[name]
        # Longer than a run may last: its retries end by RETRY_DEADLINE.
        assert options['visibility_timeout'] > DEFAULTS['RETRY_DEADLINE']
        assert options['visibility_timeout'] > 10 * settings[
            'PYLMOD_OPENEDX']['LEASE']
    assert settings['BROKER_TRANSPORT_OPTIONS']['fanout_prefix'] is True
    assert settings['PYLMOD_OPENEDX']['CLIENT_ID'] == 'sync'
    app = Celery('lms', set_as_current=False)
    app.config_from_object({'broker_url': redis_url,
                            'broker_transport_options': settings[
                                'CELERY_BROKER_TRANSPORT_OPTIONS']})
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        assert channel.visibility_timeout == 6 * 3600
        if kombu_version() >= (5, 7):  # before, the sweep was fixed
            assert channel.unacked_restore_throttle == 6
    app.close()


def test_a_rollback_sent_as_the_admin_sends_it_runs_on_a_worker_process(
        engine, make_link, lmod_server, lmod_fake):
    """A grade push, then its rollback through the bounded send path of
    "Roll back this run": the old grades are back, by a worker process."""
    from pylmod import GradeBook
    course = courses.Course(0)
    with GradeBook(lmod_server.client_cert, lmod_server.url,
                   gbuuid=course.gradebook_uuid,
                   verify=lmod_server.ca_cert) as gradebook:
        for learner in range(LEARNERS):
            gradebook.set_grade(course.assignment_id,
                                course.student_id(learner), 0.5 + learner)
    before = stored_points(lmod_fake, course)
    engine(processes=2)
    link = make_link(0, roster_sync='none')
    summary = tasks.push_link_grades.delay(link.pk).get(timeout=WAIT)
    assert summary['status'] == 'ok'
    assert stored_points(lmod_fake, course) == courses.expected_points(
        course, LEARNERS)
    push = RunReport.objects.get(pk=summary['report'])
    assert tasks.send_rollbacks([push]) == 1
    wait_for(lambda: RunReport.objects.filter(
        flow='rollback').exclude(finished=None).exists())
    rollback = RunReport.objects.get(flow='rollback')
    assert (rollback.status, rollback.rollback_of_id) == ('ok', push.pk)
    assert rollback.counts['restored'] == LEARNERS
    assert stored_points(lmod_fake, course) == before
