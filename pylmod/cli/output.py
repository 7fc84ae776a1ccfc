"""What the ``pylmod`` command prints: tables, CSV, JSON, and the outcome
of a command that sends records.

Results go to stdout in the ``--format`` asked for; progress, warnings and
errors go to stderr, so ``pylmod --format csv students > students.csv`` holds
only the data.

``pylmod upload`` and ``pylmod openedx push-grades|sync-roster`` end the
same way: each turns its library report into an :class:`Outcome` (report
rows, counts, problem lines, ok or not), and :func:`finish` prints the
problems, writes the ``--report`` file and chooses the exit status
(:mod:`pylmod.cli.upload_report` builds the upload's).
"""
import argparse
import csv
import json
import os
import re
import stat
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
    Sequence,
    TextIO,
)

from pylmod.cli.errors import EXIT_FAILURE, EXIT_OK

#: Problems of each kind listed on stderr (the rest are counted, and all
#: are in the ``--report`` file).
PROBLEMS_SHOWN = 10

def _cell_text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def print_rows(args: argparse.Namespace, rows: Sequence[Mapping[str, Any]],
               columns: Sequence[str],
               stream: Optional[TextIO] = None) -> None:
    """Print rows in the format of ``args.format``.

    ``table`` and ``csv`` show the given columns; ``json`` prints the rows
    whole, as the library returned them (every field), for scripts.

    Args:
        args: the parsed arguments (``args.format``).
        rows: dictionaries, e.g. from ``GradeBook.get_students()``.
        columns: the keys to show in a table or CSV.
        stream: where to print (default stdout).

    Example:

    .. code-block:: python

        print_rows(args, gradebook.get_assignments(),
                   ['assignmentId', 'name', 'maxPointsTotal'])
    """
    stream = sys.stdout if stream is None else stream
    output_format = getattr(args, 'format', None) or 'table'
    if output_format == 'json':
        json.dump(list(rows), stream, indent=2, default=str,
                  ensure_ascii=False)
        stream.write('\n')
    elif output_format == 'csv':
        writer = csv.writer(stream, lineterminator='\n')
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell_text(row.get(column))
                             for column in columns])
    else:
        _print_table(stream, [list(columns)] + [
            [_cell_text(row.get(column)) for column in columns]
            for row in rows])


def json_key(name: str) -> str:
    """The key of a name the command made (a count, a field) in JSON:
    snake_case, ``'grades sent'`` -> ``'grades_sent'``, ``'skipped: no
    email'`` -> ``'skipped_no_email'``.  A name without spaces (a field of
    LMod or Open edX, ``studentId``) is kept as it is."""
    if not re.search(r'[\s:-]', name):
        return name
    return re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')


def json_keys(mapping: Mapping[str, Any]) -> Dict[str, Any]:
    """``mapping`` with :func:`json_key` keys."""
    return {json_key(str(name)): value for name, value in mapping.items()}


def print_mapping(args: argparse.Namespace, mapping: Mapping[str, Any],
                  stream: Optional[TextIO] = None) -> None:
    """Print one record (name -> value) in the format of ``args.format``:
    a two-column table or CSV, or a JSON object (its keys snake_case, see
    :func:`json_key`)."""
    stream = sys.stdout if stream is None else stream
    if getattr(args, 'format', None) == 'json':
        json.dump(json_keys(mapping), stream, indent=2, default=str,
                  ensure_ascii=False)
        stream.write('\n')
        return
    print_rows(args, [{'name': name, 'value': value}
                      for name, value in mapping.items()],
               ['name', 'value'], stream)


def _print_table(stream: TextIO, lines: List[List[str]]) -> None:
    widths = [max(len(line[index]) for line in lines)
              for index in range(len(lines[0]))]
    for number, line in enumerate(lines):
        stream.write('  '.join(cell.ljust(width) for cell, width
                               in zip(line, widths)).rstrip() + '\n')
        if number == 0:
            stream.write('  '.join('-' * width for width in widths) + '\n')


# -- the outcome of a command that sends records --------------------------

def exit_status(ok: bool) -> int:
    """Return the exit status of a command that sends records:
    :data:`~pylmod.cli.errors.EXIT_OK` (0) when everything went through,
    else :data:`~pylmod.cli.errors.EXIT_FAILURE` (1)."""
    return EXIT_OK if ok else EXIT_FAILURE


@dataclass
class Outcome:
    """What a command that sends records reports, in one shape for all of
    them (``pylmod upload``, ``pylmod openedx push-grades|sync-roster``).

    Attributes:
        counts: the summary, name -> value, in the order printed.
        ok: every record went through or was skipped on purpose; decides
            the exit status (:func:`exit_status`).
        columns: the columns of the ``--report`` CSV file (and of a plan).
        rows: returns one dict per record, in the order of the report file
            (called only when a report is written: an upload may have
            hundreds of thousands).
        document: returns what a report file named ``*.json`` holds.
        problems: lines for stderr, one list per kind of problem; the
            first :data:`PROBLEMS_SHOWN` of each kind are printed.
        notes: lines for stderr before the problems (what was created).
        shown_when_zero: counts a table or CSV shows even when they are 0
            (other zero counts are noise there; JSON has them all).
        report_holds: what the report file holds, for the line saying it
            was written.
        plan: what a dry run would send: printed on stdout (in
            ``--format``, the report columns) instead of the counts, which
            then go to stderr.
        verdict: the last line on stderr: what was done and what kept it
            from going through (``None``: none; ``--quiet`` shows it only
            when something did not go through).
    """

    counts: Dict[str, Any]
    ok: bool
    columns: Sequence[str]
    rows: Callable[[], Sequence[Mapping[str, Any]]]
    document: Callable[[], Any]
    problems: Sequence[Sequence[str]] = ()
    notes: Sequence[str] = ()
    shown_when_zero: Collection[str] = ()
    report_holds: str = 'every record'
    plan: Optional[Sequence[Mapping[str, Any]]] = None
    verdict: Optional[str] = None


def add_report_option(parser: Any, holds: str) -> None:
    """Add ``--report FILE`` (read by :func:`finish`) to a command.

    Args:
        parser: the command's parser (or an argument group).
        holds: what the file holds, e.g. ``'every record and its outcome'``.
    """
    parser.add_argument('--report', metavar='FILE',
                        help='write {0} to FILE (CSV; JSON when FILE ends '
                             'with .json)'.format(holds))


def print_problems(problems: Sequence[Sequence[str]],
                   stream: Optional[TextIO] = None,
                   report_path: Optional[str] = None) -> None:
    """Print problem lines on stderr (or ``stream``): the first
    :data:`PROBLEMS_SHOWN` of each kind, then how many more there are and
    where they are all listed (``report_path``, or ``--report FILE``)."""
    stream = sys.stderr if stream is None else stream
    where = ('see {0}'.format(report_path) if report_path
             else 'pass --report FILE to list them all')
    for lines in problems:
        for line in lines[:PROBLEMS_SHOWN]:
            stream.write('pylmod: ' + line + '\n')
        if len(lines) > PROBLEMS_SHOWN:
            stream.write('pylmod: ... and {0} more like this ({1})\n'.format(
                len(lines) - PROBLEMS_SHOWN, where))


def write_report_file(path: str, outcome: Outcome) -> None:
    """Write the ``--report`` file: :attr:`Outcome.document` as JSON when
    the name ends with ``.json``, else :attr:`Outcome.rows` as CSV with
    the :attr:`Outcome.columns` (empty for ``None``).

    The file is written beside ``path`` and then replaces it in one step:
    interrupted half way, the file at ``path`` is what it was (for an
    upload, the report streamed so far).
    """
    partial = '{0}.{1}.partial'.format(path, os.getpid())
    try:
        # Made as private as the file it replaces (a report in the data
        # directory is readable by its user only).
        mode = (stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path)
                else 0o666)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                             mode & 0o600 if mode & 0o077 == 0 else mode)
        with open(descriptor, 'w', newline='',
                  encoding='utf-8') as report_file:
            _write_report(report_file, path.endswith('.json'), outcome)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _write_report(report_file: TextIO, as_json: bool,
                  outcome: Outcome) -> None:
    if as_json:
        json.dump(outcome.document(), report_file, indent=2, default=str)
        report_file.write('\n')
        return
    writer = csv.writer(report_file, lineterminator='\n')
    writer.writerow(outcome.columns)
    for row in outcome.rows():
        writer.writerow([_cell_text(row.get(column))
                         for column in outcome.columns])


def finish(args: argparse.Namespace, outcome: Outcome) -> int:
    """Report the outcome of a command that sends records, and return its
    exit status.

    The notes and problems go to stderr; the report file is written when
    ``args.report`` is set; the counts go to stdout in ``args.format``
    (or, for a dry run with a plan, the plan goes to stdout and the counts
    to stderr).

    Args:
        args: the parsed arguments (``format``, optional ``report``).
        outcome: what the command did.

    Returns:
        int: :func:`exit_status` of :attr:`Outcome.ok`.
    """
    for note in outcome.notes:
        sys.stderr.write('pylmod: ' + note + '\n')
    report_path = getattr(args, 'report', None)
    print_problems(outcome.problems, report_path=report_path)
    if report_path:
        write_report_file(report_path, outcome)
    counts = _shown_counts(args, outcome)
    try:
        if outcome.plan is None:
            print_mapping(args, counts)
        else:
            print_rows(args, outcome.plan, outcome.columns)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader of the counts went away; the exit status still says
        # what the command did.
        silence_stdout()
    if outcome.plan is not None:
        sys.stderr.write('pylmod: dry run, nothing sent: {0}\n'.format(
            ', '.join('{0} {1}'.format(value, name)
                      for name, value in counts.items()
                      if isinstance(value, int))))
    if report_path:
        sys.stderr.write('pylmod: wrote {0} to {1}\n'.format(
            outcome.report_holds, report_path))
    if outcome.verdict and not (getattr(args, 'quiet', False) and outcome.ok):
        sys.stderr.write('pylmod: {0}\n'.format(outcome.verdict))
    return exit_status(outcome.ok)


def silence_stdout() -> None:
    """Send what is left for stdout to nowhere: its reader went away
    (``pylmod students | head``), and Python would complain at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _shown_counts(args: argparse.Namespace,
                  outcome: Outcome) -> Dict[str, Any]:
    if getattr(args, 'format', None) == 'json':
        return outcome.counts
    # Zero counts of outcomes that did not happen are noise in a table.
    return {name: value for name, value in outcome.counts.items()
            if value or name in outcome.shown_when_zero}
