"""Library clients for the ``pylmod`` command, from its settings.

:func:`make_gradebook` and :func:`make_membership` build a
:class:`pylmod.GradeBook` / :class:`pylmod.Membership` from the resolved
settings (see :func:`pylmod.cli.options.resolve_settings`), and turn the
usual mistakes (no certificate, no gradebook, a gradebook or course LMod
does not know) into a :class:`~pylmod.cli.errors.CliError`.

The certificate is loaded before the first request
(:func:`client_certificate`), so that its problems are reported as such;
its password comes from ``--cert-password-file`` or
``PYLMOD_CERT_PASSWORD``, or, only when the command runs on a terminal and
was given none, from a prompt.
"""
import argparse
import getpass
import logging
import sys
import urllib.parse
import warnings
from typing import Any, Dict, Mapping, Optional

from pylmod._transport import PASSWORD_OPTIONS, ClientCertificate
from pylmod.base import DEFAULT_URLBASE
from pylmod.cli.errors import EXIT_USAGE, CliError
from pylmod.cli.options import SETTINGS_BY_NAME, missing_setting
from pylmod.endpoints import call
from pylmod.exceptions import (
    PyLmodCertificatePasswordError,
    PyLmodCertificateWarning,
    PyLmodNotAuthorized,
    PyLmodUnexpectedData,
)
from pylmod.gradebook import GradeBook
from pylmod.membership import Membership

log = logging.getLogger(__name__)

#: Where the command takes a certificate password from, for messages.
CLI_PASSWORD_OPTIONS = ('--cert-password-file FILE or PYLMOD_CERT_PASSWORD; '
                        'on a terminal, pylmod asks')


def certificate_password(args: argparse.Namespace) -> Optional[str]:
    """Return the password given by ``--cert-password-file`` (its first
    line) or ``PYLMOD_CERT_PASSWORD``, or ``None``.

    Raises:
        CliError: the password file cannot be read (exit status 2).
    """
    if args.cert_password_file:
        try:
            with open(args.cert_password_file, encoding='utf-8') as lines:
                return lines.readline().rstrip('\r\n')
        except (OSError, UnicodeDecodeError) as err:
            raise CliError('cannot read the certificate password file {0}: '
                           '{1}'.format(args.cert_password_file,
                                        getattr(err, 'strerror', err)),
                           EXIT_USAGE) from err
    return args.cert_password


def _loaded(certificate: ClientCertificate) -> ClientCertificate:
    """Load a certificate, saying on stderr if it expires soon."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', PyLmodCertificateWarning)
        certificate.load()
    for warning in caught:
        sys.stderr.write('pylmod: warning: {0}\n'.format(warning.message))
    return certificate


def require_certificate(args: argparse.Namespace) -> None:
    """Raise the usage error of a command run without a certificate.

    Raises:
        CliError: no certificate is configured (exit status 2).
    """
    if not args.cert:
        raise missing_setting(
            'cert', args.config, 'no client certificate',
            ' (the PEM or PKCS#12 file with your LMod certificate and key)')


def client_certificate(args: argparse.Namespace) -> ClientCertificate:
    """Return the client certificate, loaded (checked before any request).

    An encrypted key without a password given is asked for with
    :func:`getpass.getpass` when stdin is a terminal; never otherwise.

    Raises:
        CliError: no certificate is configured, or its password is missing
            or wrong (exit status 2).
        PyLmodCertificateError: the certificate cannot be used (the
            message says why and what to do).
    """
    require_certificate(args)
    cert = (args.cert, args.key) if args.key else args.cert
    password = certificate_password(args)
    try:
        try:
            return _loaded(ClientCertificate(cert, password))
        except PyLmodCertificatePasswordError as err:
            if (password is not None or not sys.stdin
                    or not sys.stdin.isatty()):
                raise
            prompt = 'Password for {0}: '.format(err.path)
        return _loaded(ClientCertificate(cert, getpass.getpass(prompt)))
    except PyLmodCertificatePasswordError as err:
        # Say it in the command's words.
        message = str(err).replace(PASSWORD_OPTIONS, CLI_PASSWORD_OPTIONS)
        raise CliError(message, EXIT_USAGE) from err


def transport_options(args: argparse.Namespace) -> Dict[str, Any]:
    """Return the ``verify``, ``timeout``, ``retries``, ``deadline`` and
    ``allow_http`` keyword arguments of :class:`pylmod.base.Base` from the
    settings."""
    return {
        'verify': args.ca_bundle or True,
        'timeout': args.timeout,
        'retries': args.retries,
        'deadline': args.deadline,
        'allow_http': bool(args.allow_http),
    }


#: The form of an LMod URL, for the usage error of one that is not.
URL_FORM = 'https://HOST[:PORT]/, e.g. {0}'.format(DEFAULT_URLBASE)


def setting_source(args: argparse.Namespace, name: str) -> str:
    """Where a setting came from, in the user's words: its flag, its
    variable or the config file (see :func:`resolve_settings`)."""
    source = getattr(args, 'setting_sources', {}).get(name, 'flag')
    setting = SETTINGS_BY_NAME[name]
    if source.startswith('env '):
        return setting.env
    if source.startswith('config '):
        return '{0} = in {1}'.format(name, source[len('config '):])
    return setting.flag or setting.env


def url_problem(url: str) -> Optional[str]:
    """Return what keeps ``url`` from being the root of an LMod server
    (``https://host[:port]/``), or ``None``; ``http://`` is left to
    ``--allow-http`` (the library refuses it without)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ('https', 'http') or '://' not in url:
        if '://' not in url:
            return 'it does not start with https://'
        return 'pylmod speaks https, not {0}'.format(parts.scheme)
    if not parts.hostname:
        return 'it names no host'
    try:
        if parts.port == 0:
            raise ValueError(parts.port)
    except ValueError:
        return 'its port is not a number from 1 to 65535'
    if parts.path not in ('', '/'):
        return ('it has a path, {0}: give the server root, pylmod adds '
                'service/... itself'.format(parts.path))
    if parts.query or parts.fragment:
        return 'it has a query or fragment'
    return None


def lmod_url(args: argparse.Namespace) -> str:
    """Return the LMod URL of the settings.

    Raises:
        CliError: it is not of the form ``https://HOST[:PORT]/`` (exit
            status 2), naming where it came from.
    """
    problem = url_problem(args.url)
    if problem is not None:
        raise CliError('{0} {1!r} is not the address of an LMod server '
                       '({2}); give it as {3}'.format(
                           setting_source(args, 'url'), args.url, problem,
                           URL_FORM), EXIT_USAGE)
    return str(args.url)


def lmod_message(body: Any) -> str:
    """Return the ``message`` of an LMod answer, or the start of the body."""
    if isinstance(body, Mapping) and body.get('message'):
        return str(body['message'])
    return repr(body)[:200]


def make_gradebook(args: argparse.Namespace) -> GradeBook:
    """Return a :class:`pylmod.GradeBook` bound to the configured gradebook.

    Args:
        args: resolved settings (see :func:`resolve_settings`).

    Raises:
        CliError: no certificate or no gradebook configured (exit status 2),
            or LMod has no such gradebook (exit status 1, with LMod's
            answer).

    Returns:
        GradeBook: with ``gradebook_id`` set.

    Example:

    .. code-block:: python

        def push_grades(args):
            gradebook = make_gradebook(args)
            print(gradebook.gradebook_id)
            return EXIT_OK
    """
    require_certificate(args)
    if not args.gradebook and args.gradebook_id is None:
        raise CliError(
            'this command needs a gradebook: pass --gradebook UUID or '
            '--gradebook-id ID (or set PYLMOD_GRADEBOOK)', EXIT_USAGE)
    url = lmod_url(args)
    cert = client_certificate(args)
    if args.gradebook:
        try:
            return GradeBook(cert, url, gbuuid=args.gradebook,
                             **transport_options(args))
        except PyLmodNotAuthorized:
            raise
        except PyLmodUnexpectedData as err:
            # Said once, with the next step (LMod's answer is in -v).
            raise CliError(
                'LMod at {0} has no gradebook with uuid {1!r}: check {2} '
                '(the uuid as LMod shows it, e.g. STELLAR:/project/'
                'mitxdemosite), or give the numeric --gradebook-id '
                'instead'.format(url, args.gradebook,
                                 setting_source(args, 'gradebook'))
            ) from err
    gradebook = GradeBook(cert, url, **transport_options(args))
    # A wrong id would otherwise surface as a body without data deep inside
    # a command: ask for the gradebook's options once, up front.
    body = call(gradebook, 'options', gradebookId=args.gradebook_id)
    if not isinstance(body, Mapping) or 'data' not in body:
        log.debug('LMod on gradebook id %s: %s', args.gradebook_id,
                  lmod_message(body))
        raise CliError('LMod at {0} has no gradebook with id {1}: check {2}, '
                       'or give --gradebook UUID instead'.format(
                           url, args.gradebook_id,
                           setting_source(args, 'gradebook_id')))
    gradebook.gradebook_id = args.gradebook_id
    return gradebook


def make_membership(args: argparse.Namespace) -> Membership:
    """Return a :class:`pylmod.Membership` bound to the configured course.

    Args:
        args: resolved settings (see :func:`resolve_settings`).

    Raises:
        CliError: no certificate or no course configured (exit status 2),
            or LMod has no such course (exit status 1).

    Returns:
        Membership: with ``uuid`` and ``course_id`` set.
    """
    require_certificate(args)
    if not args.course:
        raise CliError(
            'this command needs a course: pass --course UUID (or set '
            'PYLMOD_COURSE)', EXIT_USAGE)
    url = lmod_url(args)
    cert = client_certificate(args)
    try:
        return Membership(cert, url, uuid=args.course,
                          **transport_options(args))
    except PyLmodNotAuthorized:
        raise
    except PyLmodUnexpectedData as err:
        raise CliError(
            'LMod at {0} has no course with uuid {1!r}: check {2} (the '
            'membership group uuid, e.g. /project/mitxdemosite)'.format(
                url, args.course, setting_source(args, 'course'))) from err
