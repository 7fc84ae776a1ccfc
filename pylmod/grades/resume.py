"""Resuming an upload: what an upload that stopped had confirmed is not
sent again.

Setting a grade twice is harmless, but an upload of 100,000 grades that
stopped after 80,000 need not send them again.  ``resume_from=`` takes the
:class:`~pylmod.grades.report.UploadReport` of the upload that stopped, or
its :meth:`~pylmod.grades.report.UploadReport.confirmed_grades` (``pylmod
upload --resume`` reads them from its ``--report`` file): a grade of the
same student (by email, in any case), column and value is not sent, and is
in the new report's ``already_confirmed``.  The batch that was in flight
when the upload stopped is ``unconfirmed`` there: it is sent again.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Tuple

from pylmod.grades.report import ALREADY_CONFIRMED, GradeOutcome, UploadReport

#: Grades a resumed upload does not send again: ``(email, assignment) ->
#: value`` (the email lower-cased).
ConfirmedGrades = Mapping[Tuple[str, str], Any]


def confirmed_grades(resume_from: Any) -> Dict[Tuple[str, str], Any]:
    """``resume_from`` (a report, a mapping or ``None``) as ``(email
    lower-cased, assignment) -> value``."""
    if resume_from is None:
        return {}
    if isinstance(resume_from, UploadReport):
        resume_from = resume_from.confirmed_grades()
    return {(str(email or '').strip().lower(), column): value
            for (email, column), value in resume_from.items()}


def drop_confirmed(confirmed: ConfirmedGrades, report: UploadReport,
                   line: int, email: Any, columns: Sequence[str],
                   grades: List[Dict[str, Any]],
                   ) -> Tuple[Tuple[str, ...], List[Dict[str, Any]]]:
    """Leave out of a row's grades those ``confirmed`` holds (same student,
    column and value); they go to ``report.already_confirmed``.

    Returns:
        tuple: the columns and grades left, in order.
    """
    email_key = str(email or '').strip().lower()
    kept: List[Tuple[str, Dict[str, Any]]] = []
    for column, grade in zip(columns, grades):
        if confirmed.get((email_key, column)) == grade['numericGradeValue']:
            report.already_confirmed.append(GradeOutcome(
                line, email, column, grade, ALREADY_CONFIRMED))
        else:
            kept.append((column, grade))
    return (tuple(column for column, _ in kept),
            [grade for _, grade in kept])
