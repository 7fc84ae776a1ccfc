"""``manage.py lms pylmod_sync``: the same runs, synchronously."""
import pytest

pytest.importorskip('django', reason='the plugin needs the openedx extra')
pytest.importorskip('celery', reason='the plugin needs the openedx extra')

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from plugin_helpers import LEARNERS  # noqa: E402

from pylmod.openedx.plugin.models import RunReport  # noqa: E402

pytestmark = pytest.mark.django_db


def sync(*args):
    from io import StringIO
    out = StringIO()
    call_command('pylmod_sync', *args, stdout=out)
    return out.getvalue().splitlines()


def test_every_enabled_link_runs_once_per_flow(plugin_settings, make_link,
                                               writes):
    links = [make_link(0), make_link(1)]
    make_link(2, enabled=False)
    lines = sync()
    assert lines == [
        'link {0} (Course {1}) {2}: ok: {3} confirmed, {3} grade records '
        'read'.format(link.pk, number, 'grades', LEARNERS)
        if flow == 'grades' else
        'link {0} (Course {1}) roster: ok: {2} confirmed, {2} in LMod, '
        '{2} to add'.format(link.pk, number, LEARNERS)
        for number, link in enumerate(links) for flow in ('grades', 'roster')]
    assert writes() == (2, 2)
    assert set(RunReport.objects.values_list('trigger', flat=True)) == {
        'command'}


def test_links_flows_and_dry_run_can_be_chosen(plugin_settings, make_link,
                                               writes):
    make_link(0)
    disabled = make_link(1, enabled=False)
    lines = sync('--link', str(disabled.pk), '--flow', 'grades', '--dry-run')
    assert lines == ['link {0} (Course 1) grades: ok: {1} dry run, {1} grade '
                     'records read'.format(disabled.pk, LEARNERS)]
    assert writes() == (0, 0)


def test_a_failed_run_makes_the_command_fail(plugin_settings, make_link):
    link = make_link(0, assignment='no such assignment', roster_sync='none')
    with pytest.raises(CommandError) as raised:
        sync('--link', str(link.pk))
    assert str(raised.value) == '1 runs failed'
    with pytest.raises(CommandError) as raised:
        sync('--link', '999')
    assert str(raised.value) == 'no link with id 999'
