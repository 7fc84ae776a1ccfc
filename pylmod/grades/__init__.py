"""The grade pipeline: spreadsheets to LMod, and what LMod answered.

One idea per module:

* :mod:`pylmod.grades.csvfile`: grade files (delimiter, email column, line
  numbers, errors), read as text by :mod:`pylmod.grades.decoding`
  (encodings, binary file objects, the line of bad bytes);
* :mod:`pylmod.grades.numbers`: what a cell is worth as a grade;
* :mod:`pylmod.grades.header`: what a header names, and where;
* :mod:`pylmod.grades.answers`: ``multiGrades`` entries and what LMod's
  answers mean; :mod:`pylmod.grades.batches`: the one routine that sends
  them in batches;
* :mod:`pylmod.grades.ledger`: the grades of an upload, compactly;
* :mod:`pylmod.grades.report`: the report of an upload;
* :mod:`pylmod.grades.rows`: reading rows into the ledger, for the
  students of :mod:`pylmod.grades.students`;
* :mod:`pylmod.grades.assignments`: assignments by name, planned and
  created; :mod:`pylmod.grades.creation`: creating them once the file is
  read, within a limit;
* :mod:`pylmod.grades.options`: what an upload is asked to do, and its
  defaults;
* :mod:`pylmod.grades.upload`: the upload itself;
* :mod:`pylmod.grades.stored`: reading the grades LMod stores;
* safe uploads (see :doc:`/safe-uploads`): the plan of an upload against
  the stored grades (:mod:`pylmod.grades.plan`, previewed by
  :mod:`pylmod.grades.preview`), the safeguards between reading and the
  first change (:mod:`pylmod.grades.safeguards`), snapshots
  (:mod:`pylmod.grades.snapshot`) and rollback
  (:mod:`pylmod.grades.rollback`).

The pipeline imports no client: an upload takes any object with the methods
of :class:`~pylmod.grades.upload.Gradebook`.  Every public name is
importable from here (and, as in pylmod 2.0, from :mod:`pylmod.upload` and
:mod:`pylmod.spreadsheet`).
"""
from typing import TYPE_CHECKING

from pylmod._faces import lazy_names

if TYPE_CHECKING:  # pragma: no cover
    from pylmod.grades.answers import (
        AMBIGUOUS_ERRORS,
        CONFIRMED,
        CONFIRMED_STATUS,
        DRY_RUN,
        FAILED,
        NOT_SENT,
        NOT_SENT_AFTER_FAILURE,
        NOT_SENT_INTERRUPTED,
        STATUSES,
        UNCONFIRMED,
        classify_multigrade_response,
        merge_multigrade_responses,
        multigrade_entry,
    )
    from pylmod.grades.assignments import (
        AssignmentResolver,
        PendingAssignment,
        duplicate_assignment_names,
        find_assignment,
        index_assignments,
    )
    from pylmod.grades.batches import (
        DEFAULT_BATCH_SIZE,
        BatchSender,
        Progress,
        check_batch_size,
    )
    from pylmod.grades.csvfile import (
        ALTERNATE_EMAIL_FIELD,
        DEFAULT_EMAIL_FIELD,
        NON_ASSIGNMENT_FIELDS,
        find_email_column,
        guess_delimiter,
        open_grade_csv,
    )
    from pylmod.grades.header import check_header
    from pylmod.grades.ledger import GradeLedger
    from pylmod.grades.numbers import parse_grade
    from pylmod.grades.options import (
        DEFAULT_MAX_POINTS,
        MAX_NEW_ASSIGNMENTS,
        UploadOptions,
    )
    from pylmod.grades.plan import (
        NewAssignment,
        PlannedGrade,
        UploadPlan,
    )
    from pylmod.grades.preview import plan_upload
    from pylmod.grades.report import (
        ALREADY_CONFIRMED,
        UNCHANGED,
        GradeOutcome,
        SkippedCell,
        UploadReport,
    )
    from pylmod.grades.rollback import (
        RollbackResult,
        rollback,
    )
    from pylmod.grades.safeguards import Safeguards
    from pylmod.grades.stored import (
        StoredGrade,
        StoredGrades,
        read_stored_grades,
    )
    from pylmod.grades.students import index_students
    from pylmod.grades.upload import (
        Gradebook,
        GradeUpload,
        upload_csv,
        upload_rows,
    )

#: Where each public name is defined: imported when first used.
_HOMES = {
    'ALREADY_CONFIRMED': 'report',
    'ALTERNATE_EMAIL_FIELD': 'csvfile',
    'AMBIGUOUS_ERRORS': 'answers',
    'AssignmentResolver': 'assignments',
    'BatchSender': 'batches',
    'CONFIRMED': 'answers',
    'CONFIRMED_STATUS': 'answers',
    'DEFAULT_BATCH_SIZE': 'batches',
    'DEFAULT_EMAIL_FIELD': 'csvfile',
    'DEFAULT_MAX_POINTS': 'options',
    'DRY_RUN': 'answers',
    'FAILED': 'answers',
    'GradeLedger': 'ledger',
    'GradeOutcome': 'report',
    'GradeUpload': 'upload',
    'Gradebook': 'upload',
    'MAX_NEW_ASSIGNMENTS': 'options',
    'NON_ASSIGNMENT_FIELDS': 'csvfile',
    'NOT_SENT': 'answers',
    'NOT_SENT_AFTER_FAILURE': 'answers',
    'NOT_SENT_INTERRUPTED': 'answers',
    'NewAssignment': 'plan',
    'PendingAssignment': 'assignments',
    'PlannedGrade': 'plan',
    'Progress': 'batches',
    'RollbackResult': 'rollback',
    'STATUSES': 'answers',
    'Safeguards': 'safeguards',
    'SkippedCell': 'report',
    'StoredGrade': 'stored',
    'StoredGrades': 'stored',
    'UNCHANGED': 'report',
    'UNCONFIRMED': 'answers',
    'UploadOptions': 'options',
    'UploadPlan': 'plan',
    'UploadReport': 'report',
    'check_batch_size': 'batches',
    'check_header': 'header',
    'classify_multigrade_response': 'answers',
    'duplicate_assignment_names': 'assignments',
    'find_assignment': 'assignments',
    'find_email_column': 'csvfile',
    'guess_delimiter': 'csvfile',
    'index_assignments': 'assignments',
    'index_students': 'students',
    'merge_multigrade_responses': 'answers',
    'multigrade_entry': 'answers',
    'open_grade_csv': 'csvfile',
    'parse_grade': 'numbers',
    'plan_upload': 'preview',
    'read_stored_grades': 'stored',
    'rollback': 'rollback',
    'upload_csv': 'upload',
    'upload_rows': 'upload',
}

__all__ = [
    'ALREADY_CONFIRMED', 'ALTERNATE_EMAIL_FIELD', 'AMBIGUOUS_ERRORS',
    'AssignmentResolver', 'BatchSender', 'CONFIRMED', 'CONFIRMED_STATUS',
    'DEFAULT_BATCH_SIZE', 'DEFAULT_EMAIL_FIELD', 'DEFAULT_MAX_POINTS',
    'DRY_RUN', 'FAILED', 'GradeLedger', 'GradeOutcome', 'GradeUpload',
    'Gradebook', 'MAX_NEW_ASSIGNMENTS', 'NON_ASSIGNMENT_FIELDS', 'NOT_SENT',
    'NOT_SENT_AFTER_FAILURE', 'NOT_SENT_INTERRUPTED', 'NewAssignment',
    'PendingAssignment', 'PlannedGrade', 'Progress', 'RollbackResult',
    'STATUSES', 'Safeguards', 'SkippedCell', 'StoredGrade', 'StoredGrades',
    'UNCHANGED', 'UNCONFIRMED', 'UploadOptions', 'UploadPlan', 'UploadReport',
    'check_batch_size', 'check_header', 'classify_multigrade_response',
    'duplicate_assignment_names', 'find_assignment', 'find_email_column',
    'guess_delimiter', 'index_assignments', 'index_students',
    'merge_multigrade_responses', 'multigrade_entry', 'open_grade_csv',
    'parse_grade', 'plan_upload', 'read_stored_grades', 'rollback',
    'upload_csv', 'upload_rows',
]

__getattr__, __dir__ = lazy_names(__name__, _HOMES)
