"""Constants and helpers of the plugin's tests."""
import time

import pytest

#: Courses (links) and learners per course of the tests.
COURSES = 3
LEARNERS = 12
#: Seconds a test waits for the worker at most (not a timed assertion:
#: the work takes well under a second; this only bounds a hang).
WAIT = 60


def wait_for(condition, timeout=WAIT, interval=0.05):
    """Wait until ``condition()`` is true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail('still waiting after {0} s'.format(timeout))
        time.sleep(interval)


def finished_reports(count):
    """Wait for ``count`` finished reports; return them (oldest first)."""
    from pylmod.openedx.plugin.models import RunReport
    finished = RunReport.objects.exclude(finished=None).order_by('pk')
    wait_for(lambda: finished.count() >= count)
    return list(finished)
