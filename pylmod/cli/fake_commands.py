"""``pylmod serve-fake`` and ``pylmod demo``: the fake LMod of
:mod:`pylmod.testing` from the command line.

Both need the ``testing`` extra (``pip install "pylmod[testing]"``) for the
throwaway certificates.
"""
import argparse
import contextlib
import csv
import logging
import os
import shlex
import signal
import sys
import tempfile
import time
from typing import (
    Any,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from pylmod.cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CliError
from pylmod.cli.export import export_grades
from pylmod.cli.fake_openedx_commands import (
    openedx_demo_steps,
    print_openedx_serving,
    start_fake_openedx,
)
from pylmod.cli.upload_report import summarize
from pylmod.cli.values import count
from pylmod.gradebook import GradeBook
from pylmod.grades import DEFAULT_EMAIL_FIELD, UploadReport
from pylmod.membership import Membership

log = logging.getLogger(__name__)

#: The assignments of the demo's sample CSV (not in the demo gradebook, so
#: the upload creates them).
DEMO_NEW_ASSIGNMENTS = ('Demo Homework 1', 'Demo Quiz 1')

#: Students with a row in the sample CSV.
DEMO_CSV_STUDENTS = 8

#: A row of the sample CSV whose email matches no student.
DEMO_UNKNOWN_EMAIL = 'not.enrolled@example.com'


def _testing() -> Any:
    """Import :mod:`pylmod.testing`, or explain how to install what it
    needs.

    The only import of :mod:`pylmod.testing` outside it, made when a command
    of this module runs: the ``testing`` extra is optional, and the other
    commands work without it.
    """
    try:
        import trustme  # noqa: F401 - the fake's certificates are made with it

        import pylmod.testing
    except ImportError as err:
        raise CliError('the fake LMod needs the testing extra ({0}): pip '
                       'install "pylmod[testing]"'.format(err),
                       EXIT_USAGE) from err
    return pylmod.testing


@contextlib.contextmanager
def _certificates_made(testing: Any) -> Iterator[None]:
    """Say why the fake's certificates could not be made (the message
    names the packages' versions and what to do), without a traceback."""
    try:
        yield
    except testing.FakeCertificateError as err:
        raise CliError(str(err), EXIT_FAILURE) from err


def _stop_on_signals() -> Dict[int, Any]:
    """Make Ctrl-C (SIGINT) and SIGTERM stop ``serve-fake``.

    SIGINT gets Python's default handler back even where the process was
    started with it ignored (a background job of a script), and SIGTERM
    acts the same.

    Returns:
        dict: the previous handlers by signal, to restore.
    """
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt
    previous = {}
    for name, handler in (('SIGINT', signal.default_int_handler),
                          ('SIGTERM', interrupt)):
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            old_handler = signal.signal(number, handler)
        except ValueError:  # not the main thread: leave it as it is
            continue
        if old_handler is not None:
            previous[number] = old_handler
    return previous


def _serving_fake(args: argparse.Namespace, testing: Any) -> Any:
    """The fake of ``serve-fake``: ``--data`` or the demo, plus
    ``--students`` generated students."""
    if args.data:
        try:
            fake = testing.FakeLmod.from_file(args.data)
        except (OSError, ValueError) as err:
            raise CliError('cannot load the fake LMod data from {0}: '
                           '{1}'.format(args.data, err), EXIT_USAGE) from err
    else:
        fake = testing.FakeLmod.demo()
    if args.students:
        try:
            fake.add_generated_students(args.students)
        except ValueError as err:
            raise CliError('cannot add --students: {0}'.format(err),
                           EXIT_USAGE) from err
    return fake


def _start_server(args: argparse.Namespace, testing: Any, fake: Any) -> Any:
    cert_dir = os.path.abspath(args.cert_dir) if args.cert_dir else None
    try:
        with _certificates_made(testing):
            server = testing.LmodServer(
                fake, cert_dir=cert_dir, port=args.port,
                client_cas=args.client_ca or (),
                trusted_certs=args.trust_cert or ())
    except OSError as err:
        raise CliError('{0}: {1}'.format(err.filename, err.strerror or err),
                       EXIT_USAGE) from err
    except ValueError as err:  # a --trust-cert or --client-ca without PEM
        raise CliError(str(err), EXIT_USAGE) from err
    try:
        server.start()
    except OSError as err:
        raise CliError('cannot serve on port {0}: {1}'.format(
            args.port, err.strerror or err), EXIT_USAGE) from err
    return server


def _print_serving(server: Any, fake: Any) -> None:
    out = sys.stdout
    out.write('Fake LMod serving at {0}\n'.format(server.url))
    out.write('  client certificate (--cert):  {0}\n'.format(
        server.client_cert))
    for path in server.trusted_certs:
        out.write('  also trusted (--cert):        {0}\n'.format(path))
    for path in server.client_cas:
        out.write('  certificates of this CA:      {0}\n'.format(path))
    out.write('  CA bundle (--ca-bundle):      {0}\n'.format(server.ca_cert))
    gradebooks, courses = fake.gradebook_uuids(), fake.course_uuids()
    if gradebooks:
        out.write('  gradebook (--gradebook):      {0}\n'.format(
            gradebooks[0]))
    if courses:
        out.write('  course (--course):            {0}\n'.format(courses[0]))
    cert = (server.trusted_certs or [server.client_cert])[0]
    command = ['pylmod', '--url', server.url, '--cert', cert,
               '--ca-bundle', server.ca_cert]
    if gradebooks:
        command += ['--gradebook', "'{0}'".format(gradebooks[0]), 'sections']
    else:
        command += ['--course', "'{0}'".format(courses[0] if courses
                                               else 'UUID'), 'course-staff']
    out.write('Try, in another terminal:\n  {0}\n'.format(' '.join(command)))
    out.write('Or paste these lines there, and every pylmod command uses '
              'this fake:\n')
    for name, value in _exports(server, cert, gradebooks, courses):
        out.write('  export {0}={1}\n'.format(name, shlex.quote(value)))


def _exports(server: Any, cert: str, gradebooks: List[str],
             courses: List[str]) -> List[Tuple[str, str]]:
    """The ``PYLMOD_*`` variables that point the command at the fake."""
    exports = [('PYLMOD_URL', server.url), ('PYLMOD_CERT', cert),
               ('PYLMOD_CA_BUNDLE', server.ca_cert)]
    if gradebooks:
        exports.append(('PYLMOD_GRADEBOOK', gradebooks[0]))
    if courses:
        exports.append(('PYLMOD_COURSE', courses[0]))
    return exports


def _demo_students(fake: Any, testing: Any) -> List[Any]:
    """The students of the demo gradebook (none when ``--data`` has no
    such gradebook)."""
    if testing.DEMO_GRADEBOOK_UUID not in fake.gradebook_uuids():
        return []
    return list(fake.students(testing.DEMO_GRADEBOOK_ID))


def serve_fake_command(args: argparse.Namespace) -> int:
    """``pylmod serve-fake``: run the fake LMod until Ctrl-C."""
    testing = _testing()
    fake = _serving_fake(args, testing)
    server = _start_server(args, testing, fake)
    previous_handlers: Dict[int, Any] = {}
    openedx = None
    try:
        _print_serving(server, fake)
        if args.openedx:
            openedx = start_fake_openedx(_demo_students(fake, testing))
            print_openedx_serving(openedx, sys.stdout)
        sys.stdout.write('Press Ctrl-C to stop.\n')
        sys.stdout.flush()
        previous_handlers = _stop_on_signals()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sys.stdout.write('Stopped.\n')
    finally:
        server.stop()
        if openedx is not None:
            openedx.stop()
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
    return EXIT_OK


# -- demo -----------------------------------------------------------------

def _say(text: str = '') -> None:
    sys.stdout.write(text + '\n')


def _step(number: int, title: str, call: str) -> None:
    _say()
    _say('{0}. {1}'.format(number, title))
    _say('   >>> ' + call)


@contextlib.contextmanager
def _work_dir(directory: Optional[str]) -> Iterator[str]:
    if directory:
        os.makedirs(directory, exist_ok=True)
        yield os.path.abspath(directory)
    else:
        with tempfile.TemporaryDirectory(prefix='pylmod-demo-') as temporary:
            yield temporary


def write_sample_csv(path: str, students: Sequence[Mapping[str, Any]]
                     ) -> List[List[str]]:
    """Write the demo's grade spreadsheet: a few students of the gradebook,
    two new assignments, an empty cell and an email nobody has.

    Returns:
        list: the rows written (header first).
    """
    rows = [[DEFAULT_EMAIL_FIELD, 'Full Name'] + list(DEMO_NEW_ASSIGNMENTS)]
    for index, student in enumerate(students[:DEMO_CSV_STUDENTS]):
        homework = '{0:.2f}'.format(0.5 + (index * 13 % 50) / 100.0)
        quiz = '' if index == 3 else '{0:.1f}'.format(6 + index % 5)
        rows.append([student['accountEmail'], student['displayName'],
                     homework, quiz])
    rows.append([DEMO_UNKNOWN_EMAIL, 'Not Enrolled', '0.75', '8.0'])
    with open(path, 'w', newline='', encoding='utf-8') as csv_file:
        csv.writer(csv_file, lineterminator='\n').writerows(rows)
    return rows


def demo_command(args: argparse.Namespace) -> int:
    """``pylmod demo``: a guided session against an in-process fake LMod."""
    testing = _testing()
    with _work_dir(args.dir) as work_dir:
        _say('Starting a fake LMod (HTTPS, client certificate required) with '
             'the demo course...')
        with _certificates_made(testing):
            server = testing.LmodServer(testing.FakeLmod.demo())
        with server:
            _say('Fake LMod at {0}'.format(server.url))
            _demo_session(server, testing, work_dir)
        _say()
        _say('Done. The fake LMod is stopped.')
        if args.dir:
            _say('The files are in {0}.'.format(work_dir))
    _say('Run your own: `pylmod serve-fake` starts the fake LMod and prints '
         'the options to use; `pylmod --help` lists the commands.')
    return EXIT_OK


def _demo_session(server: Any, testing: Any, work_dir: str) -> None:
    transport = {'verify': server.ca_cert}
    _step(1, 'Open the gradebook with the client certificate',
          'gradebook = GradeBook(cert, url, gbuuid={0!r}, verify=ca)'.format(
              testing.DEMO_GRADEBOOK_UUID))
    gradebook = GradeBook(server.client_cert, server.url,
                          gbuuid=testing.DEMO_GRADEBOOK_UUID, **transport)
    _say('   gradebook id {0}  (pylmod options)'.format(
        gradebook.gradebook_id))

    _step(2, 'List the sections', 'gradebook.get_sections(simple=True)')
    sections = gradebook.get_sections(simple=True)
    _say('   {0} sections: {1}  (pylmod sections)'.format(
        len(sections), ', '.join(s['SectionName'] for s in sections)))

    _step(3, 'List the staff',
          'gradebook.get_staff(gradebook.gradebook_id, simple=True)')
    for member in gradebook.get_staff(gradebook.gradebook_id, simple=True):
        _say('   {role:<14}{displayName} <{accountEmail}>'.format(**member))

    csv_path = os.path.join(work_dir, 'sample-grades.csv')
    _step(4, 'Write a grade spreadsheet with two new assignments',
          'students = gradebook.get_students()')
    students = gradebook.get_students()
    _say('   {0} students in the gradebook; grading the first {1}, plus a '
         'row nobody matches, in {2}'.format(
             len(students), DEMO_CSV_STUDENTS, csv_path))
    for row in write_sample_csv(csv_path, students):
        _say('   | ' + ','.join(row))

    _step(5, 'Upload it (missing assignments are created)',
          'gradebook.spreadsheet2gradebook({0!r}, report=report)'.format(
              csv_path))
    report = UploadReport()
    gradebook.spreadsheet2gradebook(csv_path, report=report)
    for name, assignment_id in report.created_assignments.items():
        _say('   created assignment {0!r} (id {1})'.format(
            name, assignment_id))
    for name, value in summarize(report).items():
        if value:
            _say('   {0}: {1}'.format(name, value))
    _say('   (pylmod upload {0} --report outcome.csv)'.format(csv_path))

    export_path = os.path.join(work_dir, 'exported-grades.csv')
    _step(6, 'Export the stored grades (a file `pylmod upload` reads back)',
          'gradebook.get_students(include_grade_info=True)')
    counts = export_grades(gradebook, export_path)
    _say('   {grades} grades of {students} students in {assignments} '
         'assignments written to {0}'.format(export_path, **counts))
    _say('   (pylmod export-grades {0})'.format(export_path))
    with open(export_path, encoding='utf-8') as exported:
        for line in list(exported)[:4]:
            _say('   | ' + line.rstrip('\n'))

    _step(7, 'Check a role in the course membership',
          'Membership(cert, url, uuid={0!r}).email_has_role(email, '
          'role)'.format(testing.DEMO_COURSE_UUID))
    membership = Membership(server.client_cert, server.url,
                            uuid=testing.DEMO_COURSE_UUID, **transport)
    group_member = membership.get_membership()['response']['docs'][0]
    for role in (group_member['roleType'], 'Student'):
        _say('   {0} has role {1}: {2}  (pylmod has-role)'.format(
            group_member['email'], role,
            membership.email_has_role(group_member['email'], role)))
    staff = membership.get_course_guide_staff()
    _say('   course guide staff: {0}  (pylmod course-staff)'.format(
        ', '.join('{displayName} ({role})'.format(**person)
                  for person in staff)))

    openedx_demo_steps(gradebook, 8, _step, _say)


def add_fake_commands(subparsers: Any,
                      parents: List[argparse.ArgumentParser]) -> None:
    """Add ``serve-fake`` and ``demo`` to the ``pylmod`` parser."""
    parser = subparsers.add_parser(
        'serve-fake', parents=parents,
        help='run the fake LMod (HTTPS with client certificates) until '
             'Ctrl-C',
        description='Run the fake LMod of pylmod.testing in the foreground '
                    'and print the URL, client certificate and CA bundle to '
                    'use with it.')
    parser.add_argument('--port', type=int, default=0,
                        help='port on 127.0.0.1 (default: a free one)')
    parser.add_argument('--data', metavar='FILE',
                        help='JSON seed to serve (default: the demo course)')
    parser.add_argument('--cert-dir', metavar='DIR',
                        help='write the certificates here (default: a '
                             'temporary directory removed on exit)')
    parser.add_argument('--trust-cert', metavar='FILE', action='append',
                        help='also trust and authorize this client '
                             'certificate (PEM; a key in the file is '
                             'ignored), e.g. your own LMod certificate; '
                             'repeatable')
    parser.add_argument('--client-ca', metavar='FILE', action='append',
                        help='also trust and authorize every client '
                             'certificate this CA (PEM) issued; repeatable')
    parser.add_argument('--students', metavar='N', type=count, default=0,
                        help='add N generated students to the first '
                             'gradebook (for load tests)')
    parser.add_argument('--openedx', action='store_true',
                        help='also run a fake Open edX (HTTP) whose demo '
                             'course holds the same learners, for the '
                             'pylmod openedx commands')
    parser.set_defaults(handler=serve_fake_command)

    parser = subparsers.add_parser(
        'demo', parents=parents,
        help='run a short session against an in-process fake LMod',
        description='Start the fake LMod with the demo course, then list '
                    'sections and staff, upload a sample spreadsheet, export '
                    'the grades and check a role, showing each library call.')
    parser.add_argument('--dir', metavar='DIR',
                        help='keep the sample and exported CSV files here '
                             '(default: a temporary directory)')
    parser.set_defaults(handler=demo_command)
