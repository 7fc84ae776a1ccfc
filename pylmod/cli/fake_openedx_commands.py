"""Open edX from a shell, without an LMS: a fake Open edX beside the fake
LMod (``pylmod serve-fake --openedx``) and the Open edX steps of ``pylmod
demo``.

The fake (:mod:`pylmod.testing.fake_openedx`, plain HTTP on 127.0.0.1) is
seeded to match the demo course
(:func:`~pylmod.testing.fake_openedx.demo_course_openedx`): an account and
a grade for each LMod student, half of them enrolled in the demo program.
So ``pylmod openedx push-grades`` has grades to write to LMod and ``pylmod
openedx sync-roster`` learners to enroll.  Like :mod:`pylmod.cli.
fake_commands`, this module imports :mod:`pylmod.testing` only when a
command runs (the ``testing`` extra is optional).
"""
import shlex
from typing import Any, Callable, List, Sequence, TextIO, Tuple

from pylmod.gradebook import GradeBook


def start_fake_openedx(students: Sequence[Any]) -> Any:
    """Start a fake Open edX seeded with the LMod ``students``; return its
    :class:`~pylmod.testing.fake_openedx.OpenEdxServer` (stop it with
    ``.stop()``)."""
    from pylmod.testing.fake_openedx import (
        OpenEdxServer,
        demo_course_openedx,
    )
    return OpenEdxServer(demo_course_openedx(students)).start()


def openedx_exports(server: Any) -> List[Tuple[str, str]]:
    """The ``PYLMOD_OPENEDX_*`` variables that point ``pylmod openedx`` at
    the fake."""
    return [('PYLMOD_OPENEDX_URL', server.url),
            ('PYLMOD_OPENEDX_CLIENT_ID', server.fake.CLIENT_ID),
            ('PYLMOD_OPENEDX_CLIENT_SECRET', server.fake.CLIENT_SECRET)]


def print_openedx_serving(server: Any, out: TextIO) -> None:
    """The banner lines of the fake Open edX: where it is, what it holds,
    the variables to paste and a command to try."""
    from pylmod.testing.fake_openedx import (
        DEMO_COURSE_KEY,
        DEMO_OPENEDX_ASSIGNMENT,
        DEMO_PROGRAM_UUID,
    )
    out.write('Fake Open edX serving at {0}\n'.format(server.url))
    out.write('  client id (--client-id):      {0}\n'.format(
        server.fake.CLIENT_ID))
    out.write('  program (--program):          {0}\n'.format(
        DEMO_PROGRAM_UUID))
    out.write('  course (--course-key):        {0}\n'.format(
        DEMO_COURSE_KEY))
    out.write('Paste these lines too, for the pylmod openedx commands:\n')
    for name, value in openedx_exports(server):
        out.write('  export {0}={1}\n'.format(name, shlex.quote(value)))
    out.write('Then try:\n  {0}\n  {1}\n'.format(
        ' '.join(push_grades_command(DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                                     DEMO_OPENEDX_ASSIGNMENT)
                 + ['--dry-run']),
        ' '.join(['pylmod', 'openedx', 'sync-roster', '--program',
                  DEMO_PROGRAM_UUID, '--dry-run'])))


def push_grades_command(program: str, course_key: str,
                        assignment: str) -> List[str]:
    """``pylmod openedx push-grades`` of the demo course."""
    return ['pylmod', 'openedx', 'push-grades', '--program', program,
            '--course-key', course_key, '--assignment', assignment]


def openedx_demo_steps(gradebook: GradeBook, first: int,
                       step: Callable[[int, str, str], None],
                       say: Callable[[str], None]) -> None:
    """The Open edX steps of ``pylmod demo``: a fake Open edX with the demo
    course's learners, then its grades pushed to LMod and the LMod roster
    synced to its program, each with the library call and the command."""
    from pylmod.openedx.grades import push_grades
    from pylmod.openedx.roster import lmod_roster, sync_roster
    from pylmod.testing.fake_openedx import (
        DEMO_COURSE_KEY,
        DEMO_OPENEDX_ASSIGNMENT,
        DEMO_PROGRAM_UUID,
    )
    server = start_fake_openedx(gradebook.get_students())
    try:
        say('')
        say('Starting a fake Open edX with the same learners at {0} '
            '(`pylmod serve-fake --openedx` runs one beside the fake '
            'LMod)...'.format(server.url))
        client = server.client()
        step(first, 'Push the course grades from Open edX to LMod',
             'push_grades(client, gradebook, {0!r}, {1!r}, {2!r})'.format(
                 DEMO_PROGRAM_UUID, DEMO_COURSE_KEY,
                 DEMO_OPENEDX_ASSIGNMENT))
        report = push_grades(client, gradebook, DEMO_PROGRAM_UUID,
                             DEMO_COURSE_KEY, DEMO_OPENEDX_ASSIGNMENT)
        say('   {0} grades read from Open edX; {1}'.format(
            report.records_read, _counts(report.counts())))
        say('   ({0})'.format(' '.join(push_grades_command(
            DEMO_PROGRAM_UUID, DEMO_COURSE_KEY, DEMO_OPENEDX_ASSIGNMENT))))
        step(first + 1, 'Sync the LMod roster to the Open edX program',
             'sync_roster(client, lmod_roster(gradebook), '
             'program_uuid={0!r})'.format(DEMO_PROGRAM_UUID))
        roster = sync_roster(client, lmod_roster(gradebook),
                             program_uuid=DEMO_PROGRAM_UUID)
        say('   {0} learners in LMod: {1} to add, {2} enrolled already; '
            '{3}'.format(roster.roster_size, len(roster.to_add),
                         len(roster.unchanged), _counts(roster.counts())))
        say('   (pylmod openedx sync-roster --program {0})'.format(
            DEMO_PROGRAM_UUID))
    finally:
        server.stop()


def _counts(counts: Any) -> str:
    return ', '.join('{0} {1}'.format(value, name)
                     for name, value in counts.items() if value) or 'nothing'
