"""The ``pylmod`` command (also ``python -m pylmod``).

Run ``pylmod --help`` for the commands; :doc:`/cli` documents them.

The commands come in groups, each added by one function
``add_*_commands(subparsers, parents)``: the LMod commands
(:mod:`pylmod.cli.commands`), ``serve-fake`` and ``demo``
(:mod:`pylmod.cli.fake_commands`) and ``pylmod openedx …``
(:mod:`pylmod.cli.openedx_commands`).  Every command sets
``handler=<callable(args) -> int exit status>`` with
``parser.set_defaults`` and passes ``parents=parents`` to ``add_parser`` so
the global options work after it too.  When the handler runs, the settings
are resolved on ``args`` (``args.cert``, ``args.url``, ``args.gradebook``,
``args.format`` …, see :func:`~pylmod.cli.options.resolve_settings`), and
these helpers follow the conventions of the built-in commands:

- :func:`make_gradebook`, :func:`make_membership`: library clients from
  the settings, with clear errors;
- :func:`print_rows`, :func:`print_mapping`: output in ``--format``;
- :func:`summarize`, :func:`write_report`, :func:`report_upload`: the
  summary, ``--report`` file and exit status of a grade upload;
  :class:`~pylmod.cli.output.Outcome` and :func:`~pylmod.cli.output.finish`
  do the same for any command that sends records;
- :class:`CliError`: raise it to stop with a message and an exit status
  (:data:`EXIT_USAGE` 2, :data:`EXIT_FAILURE` 1; see :mod:`pylmod.cli.errors`).
"""
import argparse
import contextlib
import signal
import sys
import threading
from typing import Any, Iterator, List, Optional, Sequence

import pylmod
from pylmod.cli.clients import make_gradebook, make_membership
from pylmod.cli.commands import add_commands
from pylmod.cli.completion import add_completion_command
from pylmod.cli.errors import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STATUSES_HELP,
    EXIT_USAGE,
    CliError,
    CommandParser,
    command_logging,
    report_error,
)
from pylmod.cli.fake_commands import add_fake_commands
from pylmod.cli.learner_command import add_learner_command
from pylmod.cli.openedx_commands import add_openedx_commands
from pylmod.cli.options import (
    global_options_parser,
    output_options_parser,
    resolve_settings,
    setting_rows,
)
from pylmod.cli.output import print_mapping, print_rows, silence_stdout
from pylmod.cli.upload_report import report_upload, summarize, write_report

__all__ = [
    'EXIT_FAILURE', 'EXIT_OK', 'EXIT_USAGE', 'CliError', 'build_parser',
    'main', 'make_gradebook', 'make_membership', 'print_mapping',
    'print_rows', 'report_upload', 'summarize', 'write_report',
]

def _config_command(args: argparse.Namespace) -> int:
    """``pylmod config``: the settings in effect and where each comes from."""
    print_rows(args, setting_rows(args), ['setting', 'value', 'source'])
    return EXIT_OK


def _version() -> str:
    return 'pylmod ' + pylmod.__version__


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``pylmod`` command.

    Every subcommand sets ``handler`` (see the module docstring).

    Returns:
        argparse.ArgumentParser: the parser; ``main`` resolves the settings
        and calls ``args.handler(args)``.

    Example:

    .. code-block:: python

        args = build_parser().parse_args(['--format', 'csv', 'students'])
        args.handler  # students_command
    """
    global_options = global_options_parser()
    parents: List[argparse.ArgumentParser] = [global_options]
    parser = CommandParser(
        prog='pylmod', parents=parents,
        description='Work with MIT Learning Modules (LMod) gradebooks and '
                    'course membership. Start with `pylmod demo`.',
        epilog=EXIT_STATUSES_HELP.replace(
            'operation failed', 'operation failed (or has-role said no)'))
    parser.add_argument('--version', action='version', version=_version())
    subparsers: Any = parser.add_subparsers(title='commands',
                                            metavar='COMMAND')
    subparsers.required = True
    add_commands(subparsers, parents)
    # Commands that do not talk to LMod take only the output options.
    add_fake_commands(subparsers, [output_options_parser()])
    completion = add_completion_command(subparsers, [output_options_parser()])
    config_parser = subparsers.add_parser(
        'config', parents=parents,
        help='show the settings in effect and where each comes from',
        description='Show every setting in effect and where it comes from: '
                    'a flag, a PYLMOD_* variable, the config file, or the '
                    'default.  Secrets are never shown.')
    config_parser.set_defaults(handler=_config_command)
    # `openedx learner` reads a gradebook, never a course.
    add_learner_command(add_openedx_commands(subparsers, parents),
                        [global_options_parser(without=('course',))])
    completion.set_defaults(root_parser=parser)
    _end_help_with_exit_statuses(parser)
    return parser


def _end_help_with_exit_statuses(parser: argparse.ArgumentParser) -> None:
    """Give every command's ``--help`` the exit statuses."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in set(action.choices.values()):
                if not command.epilog:
                    command.epilog = EXIT_STATUSES_HELP
                _end_help_with_exit_statuses(command)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that a command stops as on
    Ctrl-C: an upload writes its summary and report first."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated('terminated')


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Make SIGTERM raise :class:`Terminated` for the time of a command
    (in the main thread only: elsewhere Python has no signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``pylmod`` command.

    Args:
        argv: the arguments (default ``sys.argv[1:]``).

    Returns:
        int: the exit status: 0 done (also when the reader of the output
        went away, as in ``pylmod students | head``), 1 the operation
        failed, 2 usage or configuration error, 130 interrupted (Ctrl-C or
        SIGTERM).

    Example:

    .. code-block:: python

        main(['--cert', 'me.pem', '--gradebook', 'STELLAR:/project/x',
              'sections'])
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    # The command line as typed, for a command that prints how to go on
    # (`pylmod upload` prints its --resume command).
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.verbose = getattr(args, 'verbose', 0) or 0
    args.quiet = getattr(args, 'quiet', False)
    with command_logging(args.verbose), _terminate_as_interrupt():
        try:
            resolve_settings(args)
            status: Any = args.handler(args)
            sys.stdout.flush()
        except KeyboardInterrupt as interrupt:
            sys.stderr.write('pylmod: {0}\n'.format(
                str(interrupt) or 'interrupted'))
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader went away (`pylmod students | head`): it has read
            # what it wanted, which is not an error, and there is nobody to
            # report anything to.
            silence_stdout()
            return EXIT_OK
        except Exception as err:
            return report_error(err, args)
    return int(status or EXIT_OK)

