"""``pylmod openedx learner USERNAME``: one learner, both sides.

A support tool: with the learner's own Open edX access token (the mobile
users API answers nobody else), show their Open edX identity and course
enrollments (mode, active, certificate) beside their LMod record (section,
grades) in the configured gradebook, if any.  The token comes from
``--learner-token-file FILE`` or ``PYLMOD_OPENEDX_LEARNER_TOKEN`` (or the
config file); it is never printed nor logged.
"""
import argparse
import contextlib
import sys
from typing import Any, Iterator, List

from pylmod.cli.clients import make_gradebook
from pylmod.cli.errors import EXIT_OK, EXIT_USAGE, CliError
from pylmod.cli.openedx_commands import openedx_errors
from pylmod.cli.options import (
    OPENEDX,
    OPENEDX_LEARNER,
    add_setting_flags,
    missing_setting,
)
from pylmod.cli.output import print_mapping, print_rows

#: Columns of the enrollments a table or CSV shows.
ENROLLMENT_COLUMNS = ('course_id', 'course_name', 'mode', 'is_active',
                      'certificate_url', 'created')
#: What a refusal of the mobile API means, by status.
REFUSALS = {
    401: 'Open edX did not accept the learner token (401): it is expired, '
         'revoked or not a token of {url}',
    403: "Open edX refused (403): the token is not {username}'s, and the "
         "mobile users API answers only the learner's own token",
    404: 'Open edX has no user {username} (404)',
}


def add_learner_command(commands: Any,
                        parents: List[argparse.ArgumentParser]) -> None:
    """Add ``pylmod openedx learner`` to the ``openedx`` subcommands."""
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group(
        'Open edX (also from PYLMOD_OPENEDX_* variables and the config file)')
    add_setting_flags(group, OPENEDX, names=('openedx_url',))
    add_setting_flags(group, OPENEDX_LEARNER)
    learner = commands.add_parser(
        'learner', parents=parents + [options],
        help="show a learner's Open edX enrollments beside their LMod record",
        description="With the learner's own access token, show their Open "
                    'edX identity and course enrollments (mode, active, '
                    'certificate) and, when a gradebook is configured, '
                    'their LMod section and grades.')
    learner.add_argument('username', metavar='USERNAME',
                         help='the Open edX username')
    learner.set_defaults(handler=learner_command)


def read_learner_token(args: argparse.Namespace) -> str:
    """The learner token: ``--learner-token`` (flag, variable or config
    key), else the ``--learner-token-file`` (a flag beats both).

    Raises:
        CliError: neither is set, the file cannot be read or is empty
            (exit status 2).
    """
    path = args.openedx_learner_token_file
    file_flag = args.setting_sources.get('openedx_learner_token_file')
    if args.openedx_learner_token and file_flag != 'flag':
        return str(args.openedx_learner_token).strip()
    if not path:
        raise missing_setting('openedx_learner_token_file', args.config,
                              'no learner token',
                              " (or set PYLMOD_OPENEDX_LEARNER_TOKEN)")
    try:
        with open(path, encoding='utf-8') as token_file:
            token = token_file.read().strip()
    except (OSError, UnicodeDecodeError) as err:
        raise CliError('cannot read the learner token file {0}: {1}'.format(
            path, getattr(err, 'strerror', None) or err), EXIT_USAGE) from err
    if not token:
        raise CliError('the learner token file {0} is empty'.format(path),
                       EXIT_USAGE)
    return token


@contextlib.contextmanager
def _refusals(args: argparse.Namespace) -> Iterator[None]:
    from pylmod.openedx.errors import OpenEdxHTTPError
    try:
        yield
    except OpenEdxHTTPError as err:
        message = REFUSALS.get(err.status_code or 0)
        if message is None:
            raise
        raise CliError(message.format(username=args.username,
                                      url=args.openedx_url)) from err


def learner_command(args: argparse.Namespace) -> int:
    """``pylmod openedx learner USERNAME``."""
    from pylmod.openedx.client import OpenEdxClient
    from pylmod.openedx.learner import learner_record, learner_session
    if not args.openedx_url:
        raise missing_setting('openedx_url', args.config, 'no Open edX URL')
    try:
        session = learner_session(read_learner_token(args))
    except ValueError as err:
        raise CliError(str(err), EXIT_USAGE) from err
    gradebook = (make_gradebook(args)
                 if args.gradebook or args.gradebook_id is not None else None)
    client = OpenEdxClient(session, args.openedx_url)
    with openedx_errors(args), _refusals(args):
        record = learner_record(client, args.username, gradebook=gradebook)
    if args.format == 'json':
        print_mapping(args, record.as_dict())
        return EXIT_OK
    lmod = record.lmod
    print_mapping(args, {
        'username': record.username, 'user id': record.user_id,
        'name': record.name, 'email': record.email,
        'enrollments': len(record.enrollments),
        'LMod student id': lmod.student_id if lmod else record.lmod_note,
        'LMod section': lmod.section if lmod else ''})
    sys.stdout.write('\n')
    print_rows(args, [enrollment.__dict__
                      for enrollment in record.enrollments],
               ENROLLMENT_COLUMNS)
    if lmod is not None:
        sys.stdout.write('\n')
        print_rows(args, [{'assignment': name, 'grade': grade}
                          for name, grade in lmod.grades.items()],
                   ('assignment', 'grade'))
    return EXIT_OK
