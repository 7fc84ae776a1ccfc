"""Settings of the ``pylmod`` command: flags, environment, config file.

Every setting is a row of one table, :data:`SETTINGS`, and can be given
three ways; the first found wins:

1. the flag on the command line (``--cert``),
2. the environment variable (``PYLMOD_CERT``),
3. the config file (``cert =`` in section ``[pylmod]`` of
   ``~/.config/pylmod.ini``, or of the file named by ``--config`` /
   ``PYLMOD_CONFIG``; never one of the working directory unless named, and
   not one others may change: see :mod:`pylmod.cli.config_file`),

then the default.  Most settings are global options (a flag of every
command); the Open edX connection is a flag of the ``pylmod openedx``
commands only.  :func:`resolve_settings` writes the result on the
:class:`argparse.Namespace`, so a command handler reads ``args.cert``,
``args.url``, ``args.openedx_url`` … whatever the source;
:mod:`pylmod.cli.clients` turns them into library clients, and
``pylmod config`` shows them (:func:`setting_rows`).
"""
import argparse
import configparser
import logging
import os
import sys
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Collection,
    Dict,
    List,
    Mapping,
    Optional,
    Tuple,
)

from pylmod._transport import DEADLINE_FACTOR, Limits
from pylmod.base import DEFAULT_URLBASE, Base
from pylmod.cli.config_file import default_config_path, permission_problems
from pylmod.cli.errors import EXIT_USAGE, CliError
from pylmod.cli.values import (
    count,
    identifier,
    output_format,
    positive_count,
    positive_number,
    yes_no,
)

log = logging.getLogger(__name__)

#: The section of the config file holding the settings.
CONFIG_SECTION = 'pylmod'

#: The environment variable naming the config file.
CONFIG_ENV = 'PYLMOD_CONFIG'

#: :attr:`Setting.scope` of a global option: a flag of every command.
GLOBAL = 'global'
#: :attr:`Setting.scope` of an option of the ``pylmod openedx`` commands.
OPENEDX = 'openedx'
#: :attr:`Setting.scope` of an option of the ``openedx`` commands that write
#: to Open edX (``sync-roster``).
OPENEDX_WRITES = 'openedx writes'
#: :attr:`Setting.scope` of an option of ``pylmod openedx learner``.
OPENEDX_LEARNER = 'openedx learner'

#: What ``pylmod config`` shows for a secret that is set.
SECRET_SHOWN = '(set, not shown)'


@dataclass(frozen=True)
class Setting:
    """One setting: its flag, and where else it can come from.

    Attributes:
        name: the attribute on the parsed arguments and the config key.
        flag: the command line flag (``None``: none, for a secret that must
            not be seen in the process list).
        env: the environment variable.
        help: the help text.
        convert: turns the text into the value; raises
            :class:`argparse.ArgumentTypeError` with a reason.
        default: the value when no source gives one.
        is_path: a file path (``~`` is expanded; in the config file a
            relative path is relative to the file).
        metavar: the placeholder in the help.
        scope: whose flag it is: every command's (:data:`GLOBAL`), the
            ``pylmod openedx`` commands' (:data:`OPENEDX`), those that write
            to Open edX (:data:`OPENEDX_WRITES`) or ``pylmod openedx
            learner`` (:data:`OPENEDX_LEARNER`).  The environment and the
            config file give it to every command alike.
        secret: never printed; ``pylmod config`` shows only that it is set
            and where from.
        switch: a flag without a value (``--allow-http``); the environment
            and the config file say ``yes`` or ``no``.
    """

    name: str
    flag: Optional[str]
    env: str
    help: str
    convert: Callable[[str], Any] = str
    default: Any = None
    is_path: bool = False
    metavar: Optional[str] = None
    scope: str = GLOBAL
    secret: bool = False
    switch: bool = False


SETTINGS: Tuple[Setting, ...] = (
    Setting('cert', '--cert', 'PYLMOD_CERT',
            'your LMod client certificate: a PEM file with the certificate '
            'and its private key (or only the certificate, with --key), or '
            'a PKCS#12 file (.p12/.pfx)',
            is_path=True, metavar='PATH'),
    Setting('key', '--key', 'PYLMOD_KEY',
            'private key file, when it is not inside the --cert file',
            is_path=True, metavar='KEY'),
    Setting('cert_password_file', '--cert-password-file',
            'PYLMOD_CERT_PASSWORD_FILE',
            'file whose first line is the password of the key or of the '
            'PKCS#12 file (or set PYLMOD_CERT_PASSWORD; on a terminal, '
            'pylmod asks)', is_path=True, metavar='FILE'),
    Setting('cert_password', None, 'PYLMOD_CERT_PASSWORD',
            'the password of the key or of the PKCS#12 file; never printed',
            secret=True),
    Setting('url', '--url', 'PYLMOD_URL',
            'the LMod server (default: {0})'.format(DEFAULT_URLBASE),
            default=DEFAULT_URLBASE, metavar='URL'),
    Setting('gradebook', '--gradebook', 'PYLMOD_GRADEBOOK',
            'gradebook uuid, e.g. STELLAR:/project/mitxdemosite',
            metavar='UUID'),
    Setting('gradebook_id', '--gradebook-id', 'PYLMOD_GRADEBOOK_ID',
            'numeric gradebook id (instead of --gradebook)',
            convert=identifier, metavar='ID'),
    Setting('course', '--course', 'PYLMOD_COURSE',
            'course (membership group) uuid, e.g. /project/mitxdemosite',
            metavar='UUID'),
    Setting('format', '--format', 'PYLMOD_FORMAT',
            'output format: table (default), csv or json',
            convert=output_format, default='table', metavar='FORMAT'),
    Setting('timeout', '--timeout', 'PYLMOD_TIMEOUT',
            'read timeout of one request in seconds (default 200)',
            convert=positive_number, metavar='SECONDS'),
    Setting('retries', '--retries', 'PYLMOD_RETRIES',
            'retries of a failed request (default 10)', convert=count,
            metavar='N'),
    Setting('deadline', '--deadline', 'PYLMOD_DEADLINE',
            'seconds a whole call to LMod may take, retries and waits '
            'included (default {0:g} x the timeout)'.format(
                DEADLINE_FACTOR),
            convert=positive_number, metavar='SECONDS'),
    Setting('allow_http', '--allow-http', 'PYLMOD_ALLOW_HTTP',
            'accept an http:// --url (a test server without TLS: grades '
            'travel in clear text)', convert=yes_no, default=False,
            switch=True),
    Setting('ca_bundle', '--ca-bundle', 'PYLMOD_CA_BUNDLE',
            'CA bundle to verify the server with (for a test server such '
            'as `pylmod serve-fake`)', is_path=True, metavar='PATH'),
    Setting('openedx_url', '--openedx-url', 'PYLMOD_OPENEDX_URL',
            'the LMS root, e.g. https://lms.example.edu', metavar='URL',
            scope=OPENEDX),
    Setting('openedx_client_id', '--client-id', 'PYLMOD_OPENEDX_CLIENT_ID',
            'OAuth client id of the Open edX application', metavar='ID',
            scope=OPENEDX),
    Setting('openedx_client_secret', '--client-secret',
            'PYLMOD_OPENEDX_CLIENT_SECRET',
            'its secret (prefer the environment variable or the config '
            'file: a flag is visible to other users of the machine); never '
            'printed', metavar='SECRET', scope=OPENEDX, secret=True),
    Setting('openedx_page_size', '--page-size', 'PYLMOD_OPENEDX_PAGE_SIZE',
            'records per page read from Open edX (default: the largest it '
            'accepts)', convert=positive_count, metavar='N', scope=OPENEDX),
    Setting('openedx_workers', '--workers', 'PYLMOD_OPENEDX_WORKERS',
            # The default is the library's (pylmod.openedx.pool), which the
            # help must not import: `pylmod --help` loads no bridge.
            'write requests to Open edX in flight at once (default 4; 1: '
            'one after the other)', convert=positive_count, metavar='N',
            scope=OPENEDX_WRITES),
    Setting('openedx_learner_token', '--learner-token',
            'PYLMOD_OPENEDX_LEARNER_TOKEN',
            "the learner's Open edX access token (prefer the environment "
            'variable or --learner-token-file: a flag is visible to other '
            'users of the machine); never printed', metavar='TOKEN',
            scope=OPENEDX_LEARNER, secret=True),
    Setting('openedx_learner_token_file', '--learner-token-file',
            'PYLMOD_OPENEDX_LEARNER_TOKEN_FILE',
            "a file holding the learner's Open edX access token",
            is_path=True, metavar='FILE', scope=OPENEDX_LEARNER),
)

#: Settings by name (also the keys allowed in the config file).
SETTINGS_BY_NAME: Dict[str, Setting] = {
    setting.name: setting for setting in SETTINGS}

# How a source ranks when two settings conflict (--gradebook, --gradebook-id).
_SOURCE_RANK = {'flag': 3, 'env': 2, 'config': 1, 'default': 0}


def global_options_parser(without: Collection[str] = ()
                          ) -> argparse.ArgumentParser:
    """Return the parser of the global options, to use as a parent.

    It is the parent of the main parser and of every subcommand, so global
    options may stand before or after the subcommand.  No option has a
    default here (``argparse.SUPPRESS``): a value that is absent was not
    given on the command line, and :func:`resolve_settings` looks further.

    Args:
        without: settings a command has no use for (its ``--help`` does
            not list them), e.g. ``('course',)`` for a gradebook command.

    Returns:
        argparse.ArgumentParser: a parser without ``-h``.
    """
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group(
        'global options (also from PYLMOD_* variables and the config file)')
    add_setting_flags(group, GLOBAL, [
        setting.name for setting in SETTINGS if setting.name not in without])
    group.add_argument(
        '--config', metavar='FILE', default=argparse.SUPPRESS,
        help='config file with a [pylmod] section '
             '(default ~/.config/pylmod.ini) [{0}]'.format(CONFIG_ENV))
    add_output_flags(group)
    return parser


def output_options_parser() -> argparse.ArgumentParser:
    """Return the parent parser of a command that does not talk to LMod
    (``serve-fake``, ``demo``, ``completion``): ``-v`` and ``-q`` only, so
    its ``--help`` lists only options that apply to it."""
    parser = argparse.ArgumentParser(add_help=False)
    add_output_flags(parser.add_argument_group('output options'))
    return parser


def add_output_flags(group: Any) -> None:
    """Add ``-v``/``--verbose`` and ``-q``/``--quiet`` to a parser or
    group."""
    group.add_argument(
        '-v', '--verbose', action='count', default=argparse.SUPPRESS,
        help='log what is done (-v: INFO, -vv: DEBUG, which shows student '
             'data); errors then show their traceback')
    group.add_argument(
        '-q', '--quiet', action='store_true', default=argparse.SUPPRESS,
        help='show no progress (results, problems and errors are still '
             'printed)')


def add_setting_flags(group: Any, scope: str,
                      names: Optional[Collection[str]] = None) -> None:
    """Add the flags of the settings of ``scope`` to a parser or group.

    A flag has no default (``argparse.SUPPRESS``): a value that is absent
    was not given on the command line, and :func:`resolve_settings` looks
    further.  The help names the environment variable.

    Args:
        group: an :class:`argparse.ArgumentParser` or argument group.
        scope: one of :data:`GLOBAL`, :data:`OPENEDX`,
            :data:`OPENEDX_WRITES`, :data:`OPENEDX_LEARNER`.
        names: only these settings of the scope (default: all).
    """
    for setting in SETTINGS:
        if (setting.scope == scope and setting.flag and setting.switch
                and (names is None or setting.name in names)):
            group.add_argument(
                setting.flag, dest=setting.name, action='store_true',
                default=argparse.SUPPRESS,
                help='{0} [{1}=yes]'.format(setting.help, setting.env))
        elif (setting.scope == scope and setting.flag
                and (names is None or setting.name in names)):
            group.add_argument(
                setting.flag, dest=setting.name, type=setting.convert,
                metavar=setting.metavar, default=argparse.SUPPRESS,
                help='{0} [{1}]'.format(setting.help, setting.env))


def missing_setting(name: str, config_path: Optional[str], problem: str,
                    note: str = '') -> 'CliError':
    """Return the usage error of a setting a command needs and lacks, naming
    the three ways to give it.

    Args:
        name: the setting, e.g. ``'cert'``.
        config_path: the config file read (``args.config``), if any.
        problem: what is missing, e.g. ``'no client certificate'``.
        note: said after the flag, e.g. what the file holds.

    Returns:
        CliError: with exit status :data:`EXIT_USAGE`, to raise.

    Example:

    .. code-block:: python

        raise missing_setting('openedx_url', args.config, 'no Open edX URL')
    """
    setting = SETTINGS_BY_NAME[name]
    return CliError(
        '{0}: pass {1} {2}{3}, or set {4}, or {5} = in the [{6}] section of '
        '{7}'.format(problem, setting.flag, setting.metavar, note,
                     setting.env, setting.name, CONFIG_SECTION,
                     config_path or '~/.config/pylmod.ini'), EXIT_USAGE)


def read_config(path: str, required: bool) -> Dict[str, str]:
    """Read the ``[pylmod]`` section of a config file.

    Args:
        path: the file.
        required: the user named the file, so it must exist.

    Raises:
        CliError: the file is missing (when required), unreadable, not an
            INI file, has a key that is not a setting, or others may change
            it (see :func:`pylmod.cli.config_file.permission_problems`;
            what a group may change is a warning on stderr).

    Returns:
        dict: setting name -> text (relative paths made absolute).
    """
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding='utf-8') as config_file:
            refusal, warnings = permission_problems(
                path, os.fstat(config_file.fileno()))
            if refusal:
                raise CliError(refusal, EXIT_USAGE)
            for warning in warnings:
                sys.stderr.write('pylmod: warning: {0}\n'.format(warning))
            parser.read_file(config_file)
    except FileNotFoundError:
        if not required:
            return {}
        raise CliError('config file {0} does not exist'.format(path),
                       EXIT_USAGE) from None
    except (OSError, UnicodeDecodeError, configparser.Error) as err:
        raise CliError('cannot read config file {0}: {1}'.format(path, err),
                       EXIT_USAGE) from err
    if not parser.has_section(CONFIG_SECTION):
        raise CliError('config file {0} has no [{1}] section'.format(
            path, CONFIG_SECTION), EXIT_USAGE)
    values = {}
    for key, text in parser.items(CONFIG_SECTION):
        name = key.replace('-', '_')
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            raise CliError(
                'config file {0}: unknown key {1!r} in [{2}]; the keys are '
                '{3}'.format(path, key, CONFIG_SECTION,
                             ', '.join(SETTINGS_BY_NAME)), EXIT_USAGE)
        if setting.is_path and text:
            text = os.path.join(os.path.dirname(os.path.abspath(path)),
                                os.path.expanduser(text))
        values[name] = text
    return values


def resolve_settings(args: argparse.Namespace,
                     environ: Optional[Mapping[str, str]] = None) -> None:
    """Fill in every setting on ``args``: flag > env > config > default.

    Afterwards every setting of :data:`SETTINGS` is an attribute
    (``args.cert``, ``args.key``, ``args.cert_password_file``,
    ``args.cert_password``, ``args.url``, ``args.gradebook``,
    ``args.gradebook_id``, ``args.course``, ``args.format``,
    ``args.timeout``, ``args.retries``, ``args.deadline``,
    ``args.allow_http``, ``args.ca_bundle``,
    ``args.openedx_url``, ``args.openedx_client_id``,
    ``args.openedx_client_secret``, ``args.openedx_page_size``,
    ``args.openedx_workers``, ``args.openedx_learner_token``,
    ``args.openedx_learner_token_file``), as are
    ``args.verbose`` and ``args.config``, and
    ``args.setting_sources`` maps each name to where its value came from
    (``'flag'``, ``'env PYLMOD_URL'``, ``'config /path'``, ``'default'``).

    Args:
        args: the parsed command line.
        environ: the environment (default :data:`os.environ`).

    Raises:
        CliError: a value from the environment or the config file is
            invalid (the message names the variable or the file), or the
            config file cannot be read.

    Example:

    .. code-block:: python

        args = build_parser().parse_args(['students'])
        resolve_settings(args, {'PYLMOD_CERT': '/secure/me.pem'})
        args.cert  # '/secure/me.pem'
    """
    environ = os.environ if environ is None else environ
    config_path = getattr(args, 'config', None)
    if not config_path and environ.get(CONFIG_ENV):
        config_path = os.path.expanduser(environ[CONFIG_ENV])
        if not os.path.isabs(config_path):
            raise CliError(
                '{0} must be an absolute path, not {1!r}: pylmod reads no '
                'config file from the working directory unless --config '
                'names it'.format(CONFIG_ENV, config_path), EXIT_USAGE)
    config_required = bool(config_path)
    if not config_path:
        config_path = default_config_path(environ)
    config: Dict[str, str] = {}
    if config_path:
        config_path = os.path.expanduser(config_path)
        config = read_config(config_path, required=config_required)
    args.config = (config_path if config_path and os.path.exists(config_path)
                   else None)
    args.verbose = getattr(args, 'verbose', None) or 0

    sources = {}
    for setting in SETTINGS:
        if hasattr(args, setting.name):
            sources[setting.name] = 'flag'
            value = getattr(args, setting.name)
            if setting.is_path and value:
                value = os.path.expanduser(value)
        elif environ.get(setting.env):
            sources[setting.name] = 'env ' + setting.env
            value = _convert(setting, environ[setting.env],
                             'environment variable ' + setting.env)
        elif config.get(setting.name):
            sources[setting.name] = 'config {0}'.format(config_path)
            value = _convert(setting, config[setting.name],
                             'config file {0}, key {1!r}'.format(
                                 config_path, setting.name))
        else:
            sources[setting.name] = 'default'
            value = setting.default
        setattr(args, setting.name, value)
    args.setting_sources = sources
    _keep_stronger(args, 'gradebook', 'gradebook_id',
                   'a gradebook uuid ({0}) and a gradebook id ({1})'.format(
                       args.gradebook, args.gradebook_id))
    _keep_stronger(args, 'cert_password', 'cert_password_file',
                   'a certificate password and a password file')


def _convert(setting: Setting, text: str, source: str) -> Any:
    if setting.is_path:
        return os.path.expanduser(text)
    try:
        return setting.convert(text)
    except argparse.ArgumentTypeError as err:
        raise CliError('{0} ({1}): {2}'.format(source, setting.flag, err),
                       EXIT_USAGE) from None


def _keep_stronger(args: argparse.Namespace, first: str, second: str,
                   what: str) -> None:
    """Keep one of two settings that say the same thing (a gradebook uuid or
    id; a password or a password file): the one from the stronger source (a
    flag beats a variable); both from one source is an error."""
    if getattr(args, first) is None or getattr(args, second) is None:
        return
    source_first = args.setting_sources[first]
    source_second = args.setting_sources[second]
    rank_first = _SOURCE_RANK[source_first.split()[0]]
    rank_second = _SOURCE_RANK[source_second.split()[0]]
    if rank_first == rank_second:
        raise CliError('both {0} are given by {1}: give one'.format(
            what, source_first), EXIT_USAGE)
    setattr(args, second if rank_first > rank_second else first, None)


def setting_rows(args: argparse.Namespace) -> List[Dict[str, Any]]:
    """Return ``{'setting', 'value', 'source'}`` for each setting.

    The key is shown as its path (file contents are never printed), a
    secret as :data:`SECRET_SHOWN` when it is set.
    """
    from pylmod.openedx.pool import DEFAULT_WORKERS
    library_defaults = {'timeout': Base.TIMEOUT, 'retries': Base.RETRIES,
                        'openedx_workers': DEFAULT_WORKERS,
                        'deadline': Limits(
                            args.timeout or Base.TIMEOUT).deadline}
    rows = []
    for setting in SETTINGS:
        value = getattr(args, setting.name)
        source = args.setting_sources[setting.name]
        if value is None and setting.name in library_defaults:
            value, source = library_defaults[setting.name], 'library default'
        if setting.secret and value:
            value = SECRET_SHOWN
        rows.append({'setting': setting.name, 'value': value,
                     'source': source})
    rows.append({'setting': 'config', 'value': args.config,
                 'source': 'file read' if args.config else 'no file'})
    return rows
