"""Previewing an upload: the plan, with nothing created or sent.

:func:`plan_upload` reads a grade file as an upload does (every check
included) and the grades LMod stores (one read), and returns the
:class:`~pylmod.grades.plan.UploadPlan`; ``pylmod upload --preview`` prints
it.
"""
from __future__ import annotations

from typing import Any, Collection, Optional

from pylmod.grades.csvfile import open_grade_csv
from pylmod.grades.options import UploadOptions
from pylmod.grades.plan import UploadPlan
from pylmod.grades.report import UploadReport
from pylmod.grades.safeguards import Safeguards
from pylmod.grades.upload import Gradebook, GradeUpload


def plan_upload(gradebook: Gradebook, csv_file: Any,
                email_field: Optional[str] = None,
                approve_grades: bool = False, *,
                max_points_column: Optional[str] = None,
                normalize_column: Optional[str] = None,
                delimiter: Optional[str] = None,
                encoding: Optional[str] = None,
                confirm_new_assignments: Optional[Collection[str]] = None,
                report: Optional[UploadReport] = None,
                **assignment_settings: Any) -> UploadPlan:
    """Plan the upload of a grade file: what each grade would do to the
    grades LMod stores.  Nothing is created or sent.

    Args:
        gradebook: the gradebook (a :class:`pylmod.GradeBook`).
        csv_file: a path or an open file, as for
            :meth:`pylmod.GradeBook.spreadsheet2gradebook` (and
            ``email_field``, ``approve_grades``, ``max_points_column``,
            ``normalize_column``, ``delimiter``, ``encoding`` likewise).
        confirm_new_assignments: check the columns that would create an
            assignment against the existing names: one that nearly names
            one is an error unless it is in this collection (``None``: no
            check).
        report: the report of the reading (skipped cells, unknown emails
            ...), filled in; the plan's ``report`` in any case.
        assignment_settings: ``max_points``, ``weight``, ``due_date`` of
            the assignments to create (see
            :class:`~pylmod.grades.safeguards.Safeguards`).

    Returns:
        UploadPlan: the plan; its ``report`` attribute is the reading's
        :class:`~pylmod.grades.report.UploadReport`.

    Raises:
        PyLmodCSVError: as the upload (the file cannot be read as meant).
        PyLmodNearMissAssignment: see ``confirm_new_assignments``.

    Example:

    .. code-block:: python

        plan = plan_upload(gradebook, 'grades.csv')
        plan.counts()      # {'new': 0, 'changed': 2, 'unchanged': 598}
        [(grade.email, grade.old, grade.new) for grade in plan.changes()]
    """
    report = report if report is not None else UploadReport()
    safeguards = Safeguards(True, None, confirm_new_assignments,
                            **assignment_settings)
    options = UploadOptions(
        email_field=email_field, approve_grades=approve_grades,
        use_max_points_column=max_points_column is not None,
        max_points_column=max_points_column,
        normalize_column=normalize_column, delimiter=delimiter,
        encoding=encoding, dry_run=True, safeguards=safeguards)
    with open_grade_csv(csv_file, delimiter, encoding) as rows:
        GradeUpload.with_options(gradebook, options, report).read(rows)
    plan = safeguards.plan
    assert plan is not None  # read() plans, or raises
    plan.report = report
    return plan
