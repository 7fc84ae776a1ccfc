"""``pylmod rollback SNAPSHOT``: undo an upload from its snapshot.

The library does the work (:func:`pylmod.grades.rollback.rollback`): the
grades LMod still holds as the upload wrote them get their old value back;
those changed since are left alone and listed (``--force`` restores them
too); those that had no value before cannot be cleared through LMod's API
and are listed with their current value.  The rollback writes its own
snapshot first, so it can be rolled back in turn.  The exit status is 1
when any grade was left as it is.
"""
import argparse
import sys
from typing import Any, Dict, List

from pylmod.cli.clients import make_gradebook
from pylmod.cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, CliError
from pylmod.cli.output import exit_status, print_mapping
from pylmod.cli.values import positive_count
from pylmod.exceptions import PyLmodSnapshotError
from pylmod.grades import DEFAULT_BATCH_SIZE
from pylmod.grades.rollback import RollbackItem, RollbackResult, rollback


def _text(value: Any) -> str:
    if value is None:
        return 'no grade'
    return '{0:g}'.format(value) if isinstance(value, float) else str(value)


def _items(items: List[RollbackItem]) -> List[Dict[str, Any]]:
    return [{'email': item.email, 'assignment': item.assignment,
             'old': item.old, 'current': item.current,
             **({'message': item.message} if item.message else {})}
            for item in items]


def rollback_document(result: RollbackResult) -> Dict[str, Any]:
    """The JSON of ``pylmod rollback --format json``: the lists
    ``restored``, ``conflicts``, ``cannot_clear``, ``failed`` (items with
    ``email``, ``assignment``, ``old``, ``current``), the count
    ``already`` (grades holding their old value already), ``snapshot``
    (the rollback's own) and ``dry_run``."""
    return {'restored': _items(result.restored),
            'conflicts': _items(result.conflicts),
            'cannot_clear': _items(result.cannot_clear),
            'failed': _items(result.failed),
            'already': len(result.already),
            'snapshot': result.snapshot, 'dry_run': result.dry_run}


def _left_alone(result: RollbackResult) -> List[str]:
    """One line per grade left as it is."""
    return (
        ['{0} {1!r}: changed since the upload (now {2}; {3} before it): '
         'left as it is (--force restores it)'.format(
             item.email, item.assignment, _text(item.current),
             _text(item.old)) for item in result.conflicts]
        + ['{0} {1!r}: had no grade before the upload, and LMod cannot '
           'clear a grade: it holds {2} (clear it in the LMod web '
           'gradebook if it must go)'.format(
               item.email, item.assignment, _text(item.current))
           for item in result.cannot_clear]
        + ['{0} {1!r}: not restored ({2})'.format(
            item.email, item.assignment, item.message)
           for item in result.failed])


def report_rollback(args: argparse.Namespace, result: RollbackResult) -> int:
    """Print what a rollback did; return its exit status."""
    for line in _left_alone(result):
        sys.stderr.write('pylmod: ' + line + '\n')
    if args.format == 'json':
        print_mapping(args, rollback_document(result))
    else:
        counts = {'restored' if not result.dry_run else 'would restore':
                  len(result.restored),
                  'changed since (left alone)': len(result.conflicts),
                  'empty before (cannot clear)': len(result.cannot_clear),
                  'holding the old value already': len(result.already),
                  'failed': len(result.failed)}
        if result.snapshot:
            counts['snapshot'] = result.snapshot  # type: ignore
        print_mapping(args, counts)
    if result.snapshot:
        sys.stderr.write('pylmod: snapshot of the grades before the '
                         'rollback: {0}; undo with: pylmod rollback '
                         '{0}\n'.format(result.snapshot))
    if not (getattr(args, 'quiet', False) and result.ok):
        sys.stderr.write('pylmod: {0}\n'.format(rollback_verdict(result)))
    return exit_status(result.ok)


def rollback_verdict(result: RollbackResult) -> str:
    """The last line of a rollback: what it did, and what it left as it
    is, e.g. ``not done: 3 grades restored; 1 changed since (left
    alone)``."""
    left = ['{0} {1}'.format(number, text) for number, text in (
        (len(result.conflicts), 'changed since (left alone)'),
        (len(result.cannot_clear), 'empty before (cannot clear)'),
        (len(result.failed), 'failed'),
    ) if number]
    restored = len(result.restored)
    if result.dry_run:
        said = ['nothing sent', '{0} {1} would be restored'.format(
            restored, 'grade' if restored == 1 else 'grades')]
        return '; '.join(said + left)
    said = ['{0} {1} restored'.format(
        restored, 'grade' if restored == 1 else 'grades')]
    return '{0}: {1}'.format('done' if result.ok else 'not done',
                             '; '.join(said + left))


def rollback_command(args: argparse.Namespace) -> int:
    """``pylmod rollback SNAPSHOT``: see the module."""
    gradebook = make_gradebook(args)
    try:
        result = rollback(gradebook, args.snapshot_file, force=args.force,
                          dry_run=args.dry_run, snapshot=args.snapshot,
                          batch_size=args.batch_size)
    except PyLmodSnapshotError as err:
        raise CliError(str(err), EXIT_USAGE) from err
    except KeyboardInterrupt as interrupt:
        partial = getattr(interrupt, 'rollback_result', None)
        if partial is None:
            raise
        sys.stderr.write('pylmod: {0}: the rollback stopped; what it did is '
                         'below\n'.format(str(interrupt) or 'interrupted'))
        report_rollback(args, partial)
        return EXIT_INTERRUPTED
    return report_rollback(args, result)


def add_rollback_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``pylmod rollback``."""
    parser.add_argument('snapshot_file', metavar='SNAPSHOT',
                        help='the snapshot an upload (or a rollback) wrote')
    parser.add_argument('--force', action='store_true',
                        help='restore also the grades changed since the '
                             'upload')
    parser.add_argument('--dry-run', action='store_true',
                        help='say what would be restored; send nothing')
    parser.add_argument('--snapshot', metavar='PATH',
                        help="write the rollback's own snapshot to PATH "
                             '(default: a new file under '
                             '$XDG_DATA_HOME/pylmod/snapshots)')
    parser.add_argument('--batch-size', type=positive_count,
                        default=DEFAULT_BATCH_SIZE, metavar='N',
                        help='grades per request (default %(default)s)')
