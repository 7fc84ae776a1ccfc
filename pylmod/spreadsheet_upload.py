"""The grade upload of :class:`pylmod.GradeBook`:
:meth:`~SpreadsheetUpload.spreadsheet2gradebook` and the method 1.0.x code
calls (and patches) under it, ``_spreadsheet2gradebook_multi``.

They are a mixin of the client so that the client module holds the
endpoints only; both are short wrappers over :mod:`pylmod.grades.upload`,
and the mixin imports no client.  The grade pipeline is imported by the
first upload, not with ``import pylmod``: it would add about a third to the
time ``import pylmod`` takes beyond ``import requests`` (the pipeline and
:mod:`dataclasses`), for scripts that never upload.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Tuple

from pylmod.upload_defaults import MAX_NEW_ASSIGNMENTS

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from pylmod.grades import Progress, UploadReport
    from pylmod.grades.safeguards import Safeguards


class SpreadsheetUpload:
    """The grade upload of :class:`pylmod.GradeBook` (which see): a mixin
    for a client that has the methods of
    :class:`pylmod.grades.upload.Gradebook`."""

    def _spreadsheet2gradebook_multi(
            self,
            csv_reader: Iterable[Mapping[str, Any]],
            email_field: str,
            non_assignment_fields: Iterable[str],
            approve_grades: bool = False,
            use_max_points_column: bool = False,
            max_points_column: Optional[str] = None,
            normalize_column: Optional[str] = None,
            *,
            batch_size: Optional[int] = None,
            dry_run: bool = False,
            report: Optional[UploadReport] = None,
            progress: Optional[Progress] = None,
            max_new_assignments: Optional[int] = (
                MAX_NEW_ASSIGNMENTS),
            resume_from: Any = None,
            changes_only: bool = False,
            snapshot: Optional[str] = None,
            safeguards: Optional[Safeguards] = None,
    ) -> Tuple[dict, float]:
        """Transfer grades from rows of a spreadsheet with ``multi_grade()``.

        See :meth:`spreadsheet2gradebook`; this takes any iterable of row
        dictionaries (a :class:`csv.DictReader`, a list of dicts).

        Args:
            csv_reader (iterable): rows as dictionaries
            email_field (str): The name of the email field
            non_assignment_fields (list): list of column names in CSV file
                which should not be treated as assignment names
            approve_grades, use_max_points_column, max_points_column,
                normalize_column, batch_size, dry_run, report, progress,
                max_new_assignments, resume_from, changes_only, snapshot,
                safeguards: as for :meth:`spreadsheet2gradebook`

        Returns:
            tuple: ``(response, seconds)`` as for :meth:`spreadsheet2gradebook`
        """
        from pylmod.grades.upload import upload_rows  # (see the module)
        return upload_rows(
            self, csv_reader, email_field,  # type: ignore[arg-type]
            non_assignment_fields,
            approve_grades=approve_grades,
            use_max_points_column=use_max_points_column,
            max_points_column=max_points_column,
            normalize_column=normalize_column, batch_size=batch_size,
            dry_run=dry_run, report=report, progress=progress,
            max_new_assignments=max_new_assignments, resume_from=resume_from,
            changes_only=changes_only, snapshot=snapshot,
            safeguards=safeguards)

    def spreadsheet2gradebook(
            self,
            csv_file: Any,
            email_field: Optional[str] = None,
            approve_grades: bool = False,
            use_max_points_column: bool = False,
            max_points_column: Optional[str] = None,
            normalize_column: Optional[str] = None,
            *,
            batch_size: Optional[int] = None,
            delimiter: Optional[str] = None,
            dry_run: bool = False,
            report: Optional[UploadReport] = None,
            encoding: Optional[str] = None,
            progress: Optional[Progress] = None,
            max_new_assignments: Optional[int] = (
                MAX_NEW_ASSIGNMENTS),
            resume_from: Any = None,
            changes_only: bool = False,
            snapshot: Optional[str] = None,
            safeguards: Optional[Safeguards] = None,
    ) -> Tuple[dict, float]:
        """Upload grade spreadsheet to gradebook.

        Upload grades from CSV format spreadsheet file into the
        Learning Modules gradebook.  The spreadsheet must have a column
        named ``External email`` (or ``External_email``) which is used as
        the student's email address (for looking up and matching studentId).

        These columns are disregarded: ``ID``, ``Username``,
        ``Full Name``, ``edX email``, ``External email``,
        as well as the strings passed in ``max_points_column``
        and ``normalize_column``, if any.
        All other columns are taken as assignments; an assignment missing
        from the gradebook is created (at most ``max_new_assignments``,
        and only for a column that holds a grade to send).

        If ``email_field`` is specified, then that field name is taken as
        the student's email.

        .. code-block:: none

            External email,AB Assignment 01,AB Assignment 02
            jeannechiang@gmail.com,1.0,0.9
            stellar.test2@gmail.com,0.2,0.4
            stellar.test1@gmail.com,0.93,0.77

        The whole file is read and checked before anything is created or
        sent: a file that cannot be read as meant (bytes that cannot be
        decoded, two columns of one name, a column without a name between
        named ones) changes nothing.  A row with more or fewer cells than
        the header is not sent (its values may be shifted) and each of its
        cells is reported.  Empty cells are skipped (not sent as zero);
        cells that are not numbers as a spreadsheet writes them are skipped
        and reported (see :mod:`pylmod.grades.numbers`); when a student has
        two rows, the last value of each cell wins.  The grades are sent in
        ``multiGrades`` requests of at most ``batch_size`` grades (one
        request for a normal class).

        Args:
            csv_file (str): filename of csv data, or readable file object
                (text, or binary: decoded with ``encoding``)
            email_field (str): student's email
            approve_grades (bool): Should grades be auto approved?
            use_max_points_column (bool): If True, read the max points and
                normalize values from the CSV and use the max points value
                in place of the default if normalized is False.
            max_points_column (str): The name of the max_pts column. All
                rows contain the same number, the max points for
                the assignment.
            normalize_column (str): The name of the normalize column which
                indicates whether to use the max points value.
            batch_size (int): most grades per ``multiGrades`` request
                (default :data:`pylmod.grades.DEFAULT_BATCH_SIZE`, 20,000).
            delimiter (str): the CSV delimiter; by default the one of
                ``,``, ``;`` and tab that :class:`csv.Sniffer` finds in the
                header line (``,`` when it finds none).
            dry_run (bool): read and check everything, send nothing.
            report (UploadReport): filled in with the outcome of every
                grade (confirmed, failed, not sent), skipped cells, unknown
                emails and duplicates.
            encoding (str): the encoding of a path or binary file object
                (default UTF-8, a byte order mark ignored), e.g.
                ``'cp1252'``.
            progress (callable): ``progress(sent, confirmed, total)``,
                called before the first ``multiGrades`` request and after
                each (see :class:`pylmod.grades.BatchSender`).
            max_new_assignments (int): the most assignments the upload may
                create (default :data:`pylmod.grades.MAX_NEW_ASSIGNMENTS`,
                20; ``None``: any number).
            resume_from (UploadReport or dict): the report of an upload
                that stopped, or its
                :meth:`~pylmod.grades.UploadReport.confirmed_grades`: the
                grades it confirmed (same student, column and value) are
                not sent again.
            changes_only (bool): send only the grades LMod does not hold
                already: read the stored grades first (one read) and leave
                out each grade of the same number and approval (status
                ``unchanged`` in the report).  Default ``False``: every
                grade is sent, as PyLmod 1.0.x did.  See :doc:`/safe-uploads`.
            snapshot (str): write the grades LMod holds before the upload
                changes them to this new file (mode 0600) before anything
                is created or sent; :func:`pylmod.grades.rollback.rollback`
                undoes the upload from it.  Nothing is sent if it cannot be
                written.
            safeguards (Safeguards): instead of ``changes_only`` and
                ``snapshot``, a :class:`pylmod.grades.safeguards.Safeguards`
                whose ``plan`` and ``snapshot_path`` you read afterwards.

        Raises:
            PyLmodFailedAssignmentCreation: Failed to create assignment
            PyLmodCSVError: the file cannot be read as meant (names line
                and column); nothing was created or sent.
            PyLmodTooManyNewAssignments: more than ``max_new_assignments``
                would be created (a ``PyLmodCSVError``); nothing was
                created or sent.
            PyLmodDuplicateAssignment: a column names several assignments
                of the gradebook (a ``ValueError``); nothing was created or
                sent.
            requests.RequestException: Exception connection error; the
                exception's ``upload_report`` says which grades were
                confirmed before it and which were not.
            ValueError: Unable to decode response content

        Returns:
            tuple: tuple of dictionary containing response ``status``
            and ``message`` (with ``data.numFailures`` and ``data.results``
            over all requests), and duration of operation
        """
        from pylmod.grades.upload import upload_csv  # (see the module)
        return upload_csv(
            self._spreadsheet2gradebook_multi, csv_file, email_field,
            max_points_column, normalize_column, delimiter, encoding,
            approve_grades=approve_grades,
            use_max_points_column=use_max_points_column,
            batch_size=batch_size, dry_run=dry_run, report=report,
            progress=progress, max_new_assignments=max_new_assignments,
            resume_from=resume_from, changes_only=changes_only,
            snapshot=snapshot, safeguards=safeguards)
