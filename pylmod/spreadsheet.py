"""Reading grade spreadsheets: the names of pylmod 2.0, kept importable.

The code is in :mod:`pylmod.grades.csvfile`.
"""
from pylmod.grades.csvfile import (
    ALTERNATE_EMAIL_FIELD,
    DEFAULT_EMAIL_FIELD,
    DELIMITERS,
    NON_ASSIGNMENT_FIELDS,
    csv_read_error,
    guess_delimiter,
    header_columns,
    numbered_rows,
    open_grade_csv,
)
from pylmod.grades.numbers import parse_grade

__all__ = [
    'ALTERNATE_EMAIL_FIELD', 'DEFAULT_EMAIL_FIELD', 'DELIMITERS',
    'NON_ASSIGNMENT_FIELDS', 'csv_read_error', 'guess_delimiter',
    'header_columns', 'numbered_rows', 'open_grade_csv', 'parse_grade',
]
