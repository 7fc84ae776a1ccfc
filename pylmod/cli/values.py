"""What a value on the ``pylmod`` command line may be: the argparse
``type`` functions of the settings and the commands.

Each returns the parsed value or raises :class:`argparse.ArgumentTypeError`
saying what was expected and what was given; argparse turns that into a
usage error (exit status 2), and :func:`pylmod.cli.options.resolve_settings`
into one naming the variable or config file the value came from.
"""
import argparse
import datetime

from pylmod.grades import parse_grade

#: The output formats of ``--format``.
FORMATS = ('table', 'csv', 'json')

#: The due date format of LMod (``--due``).
DUE_DATE_FORMAT = '%m-%d-%Y'


def positive_number(text: str) -> float:
    """Parse a number of seconds greater than 0 (``--timeout``)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = float('nan')
    if not seconds > 0 or seconds == float('inf'):
        raise argparse.ArgumentTypeError(
            'expected a number of seconds greater than 0, got {0!r}'.format(
                text))
    return seconds


def yes_no(text: str) -> bool:
    """Parse a switch given by a variable or the config file
    (``PYLMOD_ALLOW_HTTP=yes``): yes, true, on, 1 or no, false, off, 0."""
    answer = text.strip().lower()
    if answer in ('yes', 'true', 'on', '1'):
        return True
    if answer in ('no', 'false', 'off', '0'):
        return False
    raise argparse.ArgumentTypeError(
        'expected yes or no, got {0!r}'.format(text))


def whole_number(text: str, minimum: int = 0,
                 what: str = 'a whole number') -> int:
    """Parse a whole number of at least ``minimum``.

    Raises:
        argparse.ArgumentTypeError: it is not one; the message says what
            was expected and what was given.
    """
    try:
        whole = int(text)
    except ValueError:
        whole = minimum - 1
    if whole < minimum:
        raise argparse.ArgumentTypeError('expected {0}, got {1!r}'.format(
            what, text))
    return whole


def count(text: str) -> int:
    """Parse a whole number of 0 or more (``--retries``)."""
    return whole_number(text, 0, 'a whole number of 0 or more')


def positive_count(text: str) -> int:
    """Parse a whole number of 1 or more (``--batch-size``); an argparse
    ``type`` for commands added to ``pylmod``."""
    return whole_number(text, 1, 'a whole number of 1 or more')


def identifier(text: str) -> int:
    """Parse a numeric LMod id (``--gradebook-id``, assignment ids)."""
    return whole_number(text, 0, 'a numeric LMod id')


def output_format(text: str) -> str:
    """Parse ``--format`` (``table``, ``csv`` or ``json``)."""
    if text not in FORMATS:
        raise argparse.ArgumentTypeError(
            'expected one of {0}, got {1!r}'.format(', '.join(FORMATS), text))
    return text


def due_date(text: str) -> str:
    """Check a due date is ``MM-DD-YYYY`` (``--due``) and return it."""
    try:
        parsed = datetime.datetime.strptime(text, DUE_DATE_FORMAT)
    except ValueError:
        parsed = None
    if parsed is None or parsed.strftime(DUE_DATE_FORMAT) != text:
        raise argparse.ArgumentTypeError(
            'expected a date as MM-DD-YYYY, e.g. 12-15-2026, got {0!r}'.format(
                text))
    return text


def number(text: str) -> float:
    """Parse a finite number (``--max-points``, a grade)."""
    value, reason = parse_grade(text)
    if value is None:
        raise argparse.ArgumentTypeError('{0!r} is {1}'.format(text, reason))
    return value


def delimiter(text: str) -> str:
    """Parse ``--delimiter``: one character, or ``tab``."""
    if text in ('tab', '\\t'):
        return '\t'
    if len(text) != 1:
        raise argparse.ArgumentTypeError(
            'expected one character (or "tab"), got {0!r}'.format(text))
    return text


#: The longest short name of an assignment LMod takes.
SHORT_NAME_LENGTH = 5


def short_name(text: str) -> str:
    """Parse ``--short-name``: one word of 1 to
    :data:`SHORT_NAME_LENGTH` characters."""
    if not text or len(text) > SHORT_NAME_LENGTH or text.split() != [text]:
        raise argparse.ArgumentTypeError(
            'expected one word of at most {0} characters, got {1!r}'.format(
                SHORT_NAME_LENGTH, text))
    return text


def positive_points(text: str) -> float:
    """Parse ``--max-points``: a finite number greater than 0."""
    value = number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(
            'expected a number of points greater than 0, got {0!r}'.format(
                text))
    return value
