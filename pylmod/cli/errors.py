"""How the ``pylmod`` command reports errors and logs.

An error is one line on stderr, ``pylmod: error: <what went wrong and what
to do>``, and an exit status: 2 for a usage or configuration error, 1 for
an operation that failed.  With ``-v`` the traceback follows.
"""
import argparse
import contextlib
import logging
import re
import sys
from typing import Any, Iterator, NoReturn, Optional, Tuple

import requests

from pylmod.exceptions import (
    CLIENT_REFUSED,
    SERVER_UNTRUSTED,
    UNKNOWN_SIDE,
    PyLmodBadResponse,
    PyLmodCertificateError,
    PyLmodCSVError,
    PyLmodException,
    PyLmodHTTPError,
    PyLmodInsecureURL,
    PyLmodMissingId,
    PyLmodTimeout,
    PyLmodTLSError,
)

log = logging.getLogger(__name__)

#: Exit status of a command that did what was asked.
EXIT_OK = 0
#: Exit status of an operation that failed (LMod refused, a grade was not
#: stored, the server cannot be reached), or a ``has-role`` answer of no.
EXIT_FAILURE = 1
#: Exit status of a usage or configuration error (nothing was done).
EXIT_USAGE = 2
#: Exit status of a command stopped by Ctrl-C or SIGTERM (128 + SIGINT).
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """An error the command reports as one line on stderr.

    Args:
        message: what went wrong and what to do about it.
        status: the exit status, :data:`EXIT_USAGE` or :data:`EXIT_FAILURE`.

    Example:

    .. code-block:: python

        raise CliError('no client certificate: pass --cert PATH', EXIT_USAGE)
    """

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


#: What every command's ``--help`` ends with.
EXIT_STATUSES_HELP = ('Exit status: 0 done, 1 the operation failed, 2 usage '
                      'or configuration error, 130 interrupted (Ctrl-C or '
                      'SIGTERM).')


class CommandParser(argparse.ArgumentParser):
    """The parser of ``pylmod`` and its commands: a usage error is one line
    that points to the command's ``--help``, not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, '{0}: error: {1}; see `{0} --help`\n'.format(
            self.prog, message))


#: Log level of pylmod's own loggers by ``-v`` count.  Without ``-v`` the
#: command speaks for itself and pylmod's log is silent.
LOG_LEVELS = {0: logging.CRITICAL + 1, 1: logging.INFO, 2: logging.DEBUG}

#: What to do about a failed TLS handshake, by
#: :attr:`~pylmod.exceptions.PyLmodTLSError.side`.
TLS_ADVICE = {
    CLIENT_REFUSED: 'check --cert (is it your LMod certificate? renew it if '
                    'it has expired or was revoked) and --url',
    SERVER_UNTRUSTED: 'for a test server (e.g. `pylmod serve-fake`) or a '
                      'proxy that inspects TLS, pass its CA with --ca-bundle',
    UNKNOWN_SIDE: 'check --url; a server that closes the connection during '
                  'the handshake may also be refusing --cert',
}


class RetryWarnings(logging.Filter):
    """Say urllib3's "Retrying (LmodRetry(total=9, ...)) after connection
    broken by ..." warnings as a user reads them, ``retrying (2 of 10):
    connection refused``; with ``-vv`` as urllib3 wrote them."""

    def __init__(self, verbosity: int) -> None:
        super().__init__()
        self.show_all = verbosity >= 2

    def filter(self, record: logging.LogRecord) -> bool:
        if (self.show_all or not record.name.startswith('urllib3')
                or not str(record.msg).startswith('Retrying')):
            return True
        record.msg, record.args = short_retry_line(record.args), None
        record.pylmod_line = True
        return True


def short_retry_line(args: Any) -> str:
    """``retrying (2 of 10): connection refused`` from the arguments of
    urllib3's warning ``(retry, error, url)``."""
    retry, error = (tuple(args) + (None, None))[:2] if isinstance(
        args, tuple) else (None, None)
    history = getattr(retry, 'history', None) or ()
    remaining = getattr(retry, 'total', None)
    attempt = len(history) or 1
    of = ' of {0}'.format(attempt + remaining) if isinstance(
        remaining, int) else ''
    return 'retrying ({0}{1}): {2}'.format(attempt, of, retry_reason(error))


def retry_reason(error: Any) -> str:
    """The reason of a retry in a few words: ``connection refused``,
    ``read timed out``."""
    text = str(error) if error is not None else 'no answer'
    errno_text = re.search(r'\[Errno -?\d+\] ([^\'")]+)', text)
    if errno_text:
        text = errno_text.group(1)
    elif text.startswith('<') and '>: ' in text:
        text = text.split('>: ', 1)[1]
    elif "timed out" in text.lower():
        text = 'read timed out'
    return text.strip().rstrip('.').lower()[:120]


class CommandLogFormatter(logging.Formatter):
    """``LEVEL logger: message``, but a line the command says itself (a
    retry) as ``pylmod: message``."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, 'pylmod_line', False):
            return 'pylmod: ' + record.getMessage()
        return super().format(record)


@contextlib.contextmanager
def command_logging(verbosity: int) -> Iterator[None]:
    """Log to stderr for the time of one command, then restore logging.

    ``-v`` shows pylmod's INFO messages (counts and ids), ``-vv`` DEBUG
    (student data); other libraries log their warnings in any case, but
    urllib3's retries as one short line each (see :class:`RetryWarnings`;
    as urllib3 wrote them with ``-vv``).
    """
    level = LOG_LEVELS[min(verbosity, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(CommandLogFormatter(
        '%(levelname)s %(name)s: %(message)s'))
    handler.addFilter(RetryWarnings(verbosity))
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
    if isinstance(err, (PyLmodCertificateError, PyLmodMissingId,
                        PyLmodInsecureURL)):
        return str(err), EXIT_USAGE
    if isinstance(err, PyLmodTimeout):
        # Before ConnectionError, which it also is.
        return '{0} (--deadline, --timeout)'.format(err), EXIT_FAILURE
    if isinstance(err, PyLmodTLSError):
        return ('{0}: {1}'.format(err.diagnosis, TLS_ADVICE[err.side]),
                EXIT_FAILURE)
    if isinstance(err, requests.exceptions.SSLError):
        return ('TLS with {0} failed: {1}. Check --cert; for a test server '
                '(e.g. `pylmod serve-fake`) pass its CA with --ca-bundle'
                .format(url, _connection_reason(err)), EXIT_FAILURE)
    if isinstance(err, requests.ConnectionError):
        return ('cannot connect to LMod at {0}: {1}. Check --url (or '
                'PYLMOD_URL)'.format(url, retry_reason(
                    _connection_reason(err))),
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
