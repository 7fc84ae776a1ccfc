"""How the ``pylmod`` command reports errors and logs.

An error is one line on stderr, ``pylmod: error: <what went wrong and what
to do>``, and an exit status: 2 for a usage or configuration error, 1 for
an operation that failed.  With ``-v`` the traceback follows.
"""
import argparse
import contextlib
import logging
import sys
from typing import Iterator, Optional, Tuple

import requests

from pylmod.cli.options import EXIT_FAILURE, EXIT_USAGE, CliError
from pylmod.exceptions import (
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodCSVError,
    PyLmodException,
    PyLmodHTTPError,
    PyLmodMissingId,
)

log = logging.getLogger(__name__)

#: Log level of pylmod's own loggers by ``-v`` count.  Without ``-v`` the
#: command speaks for itself and pylmod's log is silent.
LOG_LEVELS = {0: logging.CRITICAL + 1, 1: logging.INFO, 2: logging.DEBUG}


@contextlib.contextmanager
def command_logging(verbosity: int) -> Iterator[None]:
    """Log to stderr for the time of one command, then restore logging.

    ``-v`` shows pylmod's INFO messages (counts and ids), ``-vv`` DEBUG
    (student data); other libraries log their warnings (e.g. urllib3's
    retries) in any case.
    """
    level = LOG_LEVELS[min(verbosity, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        '%(levelname)s %(name)s: %(message)s'))
    root = logging.getLogger()
    package = logging.getLogger('pylmod')
    saved = root.level, package.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.WARNING))
    package.setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        package.setLevel(saved[1])


def _connection_reason(err: requests.RequestException) -> str:
    """The innermost reason of a connection error, without object reprs."""
    reason = err.args[0] if err.args else err
    reason = getattr(reason, 'reason', reason)
    text = str(reason)
    # urllib3 writes '<Connection object at 0x..>: Failed to establish...'.
    if text.startswith('<') and '>: ' in text:
        text = text.split('>: ', 1)[1]
    return text


def describe_error(err: BaseException, args: Optional[argparse.Namespace]
                   ) -> Optional[Tuple[str, int]]:
    """Return ``(message, exit status)`` for an expected error, or ``None``
    for an unexpected one (a bug: the caller shows the traceback).

    Args:
        err: the exception that ended the command.
        args: the resolved settings (for the URL in the messages).
    """
    url = getattr(args, 'url', None)
    if isinstance(err, CliError):
        return str(err), err.status
    if isinstance(err, (PyLmodCertificateError, PyLmodMissingId)):
        return str(err), EXIT_USAGE
    if isinstance(err, requests.exceptions.SSLError):
        return ('TLS with {0} failed: {1}. Check --cert; for a test server '
                '(e.g. `pylmod serve-fake`) pass its CA with --ca-bundle'
                .format(url, _connection_reason(err)), EXIT_FAILURE)
    if isinstance(err, requests.ConnectionError):
        return ('cannot connect to LMod at {0}: {1}. Check --url (or '
                'PYLMOD_URL)'.format(url, _connection_reason(err)),
                EXIT_FAILURE)
    if isinstance(err, requests.Timeout):
        return ('LMod at {0} did not answer in time: {1}. Try a larger '
                '--timeout'.format(url, _connection_reason(err)),
                EXIT_FAILURE)
    if isinstance(err, PyLmodHTTPError):
        return str(err) + ' (after the retries)', EXIT_FAILURE
    if isinstance(err, PyLmodBadResponse):
        return ('{0}. Is {1} the LMod service (--url)?'.format(err, url),
                EXIT_FAILURE)
    if isinstance(err, PyLmodCSVError):
        return str(err), EXIT_USAGE
    if isinstance(err, (PyLmodException, requests.RequestException)):
        return str(err), EXIT_FAILURE
    if isinstance(err, OSError) and err.filename is not None:
        return '{0}: {1}'.format(err.filename, err.strerror), EXIT_USAGE
    return None


def report_error(err: BaseException, args: Optional[argparse.Namespace]
                 ) -> int:
    """Print an error the ``pylmod`` way and return the exit status."""
    verbose = getattr(args, 'verbose', 0) or 0
    described = describe_error(err, args)
    if described is None:
        message, status = ('unexpected error {0}: {1}{2}'.format(
            type(err).__name__, err,
            '' if verbose else ' (run with -v to see where)'), EXIT_FAILURE)
    else:
        message, status = described
    if verbose:
        log.error('Traceback of the error below', exc_info=err)
    sys.stderr.write('pylmod: error: {0}\n'.format(message))
    return status
