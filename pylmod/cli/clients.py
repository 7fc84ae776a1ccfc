"""Library clients for the ``pylmod`` command, from its settings.

:func:`make_gradebook` and :func:`make_membership` build a
:class:`pylmod.GradeBook` / :class:`pylmod.Membership` from the resolved
settings (see :func:`pylmod.cli.options.resolve_settings`), and turn the
usual mistakes (no certificate, no gradebook, a gradebook or course LMod
does not know) into a :class:`~pylmod.cli.options.CliError`.
"""
import argparse
from typing import Any, Dict, Mapping, Tuple, Union

from pylmod.cli.options import EXIT_USAGE, CliError, missing_setting
from pylmod.endpoints import call
from pylmod.exceptions import PyLmodUnexpectedData
from pylmod.gradebook import GradeBook
from pylmod.membership import Membership


def client_certificate(args: argparse.Namespace
                       ) -> Union[str, Tuple[str, str]]:
    """Return the certificate to pass to the library: a path, or a
    ``(certificate, key)`` pair.

    Raises:
        CliError: no certificate is configured (exit status 2).
    """
    if not args.cert:
        raise missing_setting(
            'cert', args.config, 'no client certificate',
            ' (the PEM file with your LMod certificate and key)')
    if args.key:
        return args.cert, args.key
    return args.cert


def transport_options(args: argparse.Namespace) -> Dict[str, Any]:
    """Return the ``verify``, ``timeout`` and ``retries`` keyword arguments
    of :class:`pylmod.base.Base` from the settings."""
    return {
        'verify': args.ca_bundle or True,
        'timeout': args.timeout,
        'retries': args.retries,
    }


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
    cert = client_certificate(args)
    if args.gradebook:
        try:
            return GradeBook(cert, args.url, gbuuid=args.gradebook,
                             **transport_options(args))
        except PyLmodUnexpectedData as err:
            raise CliError('LMod has no gradebook with uuid {0!r} '
                           '({1})'.format(args.gradebook, err)) from err
    if args.gradebook_id is None:
        raise CliError(
            'this command needs a gradebook: pass --gradebook UUID or '
            '--gradebook-id ID (or set PYLMOD_GRADEBOOK)', EXIT_USAGE)
    gradebook = GradeBook(cert, args.url, **transport_options(args))
    # A wrong id would otherwise surface as a body without data deep inside
    # a command: ask for the gradebook's options once, up front.
    body = call(gradebook, 'options', gradebookId=args.gradebook_id)
    if not isinstance(body, Mapping) or 'data' not in body:
        raise CliError('LMod has no gradebook with id {0} ({1})'.format(
            args.gradebook_id, lmod_message(body)))
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
    cert = client_certificate(args)
    if not args.course:
        raise CliError(
            'this command needs a course: pass --course UUID (or set '
            'PYLMOD_COURSE)', EXIT_USAGE)
    try:
        return Membership(cert, args.url, uuid=args.course,
                          **transport_options(args))
    except PyLmodUnexpectedData as err:
        raise CliError('LMod has no course with uuid {0!r} ({1})'.format(
            args.course, err)) from err
