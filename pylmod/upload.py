"""Grade spreadsheets to LMod: the names of pylmod 2.0, kept importable.

The code is in :mod:`pylmod.grades` (one module per idea); this module and
:mod:`pylmod.spreadsheet` re-export what they held.
"""
from pylmod.grades.answers import (
    AMBIGUOUS_ERRORS,
    CONFIRMED,
    CONFIRMED_STATUS,
    DRY_RUN,
    FAILED,
    NOT_SENT,
    STATUSES,
    UNCONFIRMED,
    classify_multigrade_response,
    merge_multigrade_responses,
)
from pylmod.grades.assignments import (
    CREATE_ATTEMPTS,
    CREATED_DUE_DATE,
    index_assignments,
)
from pylmod.grades.batches import (
    DEFAULT_BATCH_SIZE,
    check_batch_size,
)
from pylmod.grades.csvfile import (
    ALTERNATE_EMAIL_FIELD,
    DEFAULT_EMAIL_FIELD,
    NON_ASSIGNMENT_FIELDS,
    csv_read_error,
    guess_delimiter,
    header_columns,
    numbered_rows,
    open_grade_csv,
)
from pylmod.grades.ledger import GradeLedger
from pylmod.grades.numbers import parse_grade
from pylmod.grades.report import GradeOutcome, SkippedCell, UploadReport
from pylmod.grades.students import index_students
from pylmod.grades.upload import GradeUpload

__all__ = [
    'ALTERNATE_EMAIL_FIELD', 'AMBIGUOUS_ERRORS', 'CONFIRMED',
    'CONFIRMED_STATUS', 'CREATED_DUE_DATE', 'CREATE_ATTEMPTS',
    'DEFAULT_BATCH_SIZE', 'DEFAULT_EMAIL_FIELD', 'DRY_RUN', 'FAILED',
    'GradeLedger', 'GradeOutcome', 'GradeUpload', 'NON_ASSIGNMENT_FIELDS',
    'NOT_SENT', 'STATUSES', 'SkippedCell', 'UNCONFIRMED', 'UploadReport',
    'check_batch_size', 'classify_multigrade_response', 'csv_read_error',
    'guess_delimiter', 'header_columns', 'index_assignments',
    'index_students', 'merge_multigrade_responses', 'numbered_rows',
    'open_grade_csv', 'parse_grade',
]
