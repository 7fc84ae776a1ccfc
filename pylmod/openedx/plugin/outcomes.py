"""What of a flow's report is stored: counts, and the learners with a
problem.

The flows' reports (:class:`~pylmod.openedx.report.GradeSyncReport`,
:class:`~pylmod.openedx.report.RosterSyncReport`) hold every learner, their
grades and emails; a stored run keeps only:

* the number of records per outcome (``confirmed``, ``failed``,
  ``unconfirmed``, ``not sent``, ``dry run``, ``skipped``) and what was
  read (grade records; roster size, to add, to remove, unchanged);
* per learner with a problem: the Open edX key (what the admin needs to
  find the learner), the outcome and the reason — never a grade.  A
  problem is anything but ``confirmed``, ``dry run`` and a grade skipped
  because LMod already holds it.
"""
from typing import Any, Dict, List, Tuple

from pylmod.openedx.report import OK_STATUSES, SKIPPED, GradeSyncReport

#: Outcomes that are no problem (a skip is, unless the grade is unchanged).
_FINE = tuple(status for status in OK_STATUSES if status != SKIPPED)
#: How the grade push's reason for an unchanged grade starts.
UNCHANGED_REASON = 'unchanged'


def flow_counts(report: Any) -> Dict[str, int]:
    """Records per outcome, then what the flow read (a rollback: grades
    per outcome, :class:`~pylmod.openedx.plugin.undo.RollbackRun`)."""
    if hasattr(report, 'flow_counts'):
        return report.flow_counts()
    counts = dict(report.counts())
    if isinstance(report, GradeSyncReport):
        counts['grade records read'] = report.records_read
    else:
        counts.update({'in LMod': report.roster_size,
                       'to add': len(report.to_add),
                       'to remove': len(report.to_remove),
                       'unchanged': len(report.unchanged)})
    return counts


def _is_problem(item: Any) -> bool:
    if item.status in _FINE:
        return False
    return not (item.status == SKIPPED
                and item.reason.startswith(UNCHANGED_REASON))


def problems_of(report: Any, kept: int) -> Tuple[List[Dict[str, str]], int]:
    """The learners with a problem (at most ``kept``) and their number.

    Returns:
        ``([{'key', 'outcome', 'reason', 'what'}, ...], total)``: ``what``
        is the assignment (grade push) or the action (roster sync).
    """
    if hasattr(report, 'problems'):
        return report.problems(kept)
    is_grades = isinstance(report, GradeSyncReport)
    items = report.records if is_grades else report.changes
    problems = [item for item in items if _is_problem(item)]
    return [{'key': item.student_key if is_grades else item.key,
             'outcome': item.status,
             'what': str((item.assignment if is_grades else item.action)
                         or ''),
             'reason': item.reason} for item in problems[:kept]], len(problems)
