"""What a grade upload is asked to do: :class:`UploadOptions`, and the
defaults of an upload.

Adding an option takes two edits: a field of :class:`UploadOptions` (with
its check in :meth:`UploadOptions.__post_init__`, and a line in its
docstring), and the code of the pipeline that reads it (``options.<name>``
in :mod:`pylmod.grades.upload` or below).  A caller passes it in
``UploadOptions(...)``; ``pylmod upload`` shows it once it has a flag.
"""
from __future__ import annotations

import operator
import os
from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from pylmod.grades.batches import DEFAULT_BATCH_SIZE
from pylmod.grades.csvfile import DEFAULT_EMAIL_FIELD, NON_ASSIGNMENT_FIELDS
from pylmod.grades.report import UploadReport

# pylmod.gradebook writes these two numbers in GradeBook's signatures and
# its 1.0.x DEFAULT_MAX_POINTS: it cannot import them without loading the
# pipeline with `import pylmod`.  tests/grades/test_options.py keeps them
# equal.

#: The max points of an assignment created from a spreadsheet, unless the
#: spreadsheet gives them (``use_max_points_column``).
DEFAULT_MAX_POINTS = 1.0

#: The most assignments one upload creates unless told otherwise
#: (``max_new_assignments``).
MAX_NEW_ASSIGNMENTS = 20


@dataclass(frozen=True)
class UploadOptions:
    """How to upload a grade spreadsheet; checked once, when made.

    Attributes:
        email_field: the column of the students' emails (``None`` or
            ``''``: ``External email``, or ``External_email`` when the
            file has that).
        non_assignment_fields: the columns that are not assignments
            (``None``: :data:`~pylmod.grades.csvfile.NON_ASSIGNMENT_FIELDS`
            and the email, max points and normalize columns given).
        approve_grades: send the grades as approved.
        use_max_points_column: take the max points of a created assignment
            from ``max_points_column`` when ``normalize_column`` is 0.
        max_points_column: the name of the max points column.
        normalize_column: the name of the normalize column.
        batch_size: the most grades per ``multiGrades`` request (``None``:
            :data:`~pylmod.grades.batches.DEFAULT_BATCH_SIZE`, 20,000).
        delimiter: the CSV delimiter of a file (``None``: the one of ``,``,
            ``;`` and tab found in the header line).
        encoding: the encoding of a path or binary file (``None``: UTF-8,
            a byte order mark ignored).
        dry_run: read and check everything, create and send nothing.
        max_new_assignments: the most assignments the upload may create
            (:data:`MAX_NEW_ASSIGNMENTS` by default; ``None``: any number).
        resume_from: the grades not to send again: the
            :class:`~pylmod.grades.report.UploadReport` of an upload that
            stopped, or its :meth:`~pylmod.grades.report.UploadReport.\
confirmed_grades`, ``(email, assignment) -> value``.
        changes_only: send only the grades LMod does not hold already:
            the upload reads the students with their stored grades (the
            one read it makes of them) and leaves out each grade of the
            same number and approval (status ``unchanged``).  ``False``
            (the default): every grade is sent, as PyLmod 1.0.x did.  See
            :doc:`/safe-uploads`.
        snapshot: a new file (a path) to write the grades LMod holds
            before the upload changes them to (mode 0600), before anything
            is created or sent; :func:`~pylmod.grades.rollback.rollback`
            undoes the upload from it.  Nothing is sent if it cannot be
            written.
        safeguards: instead of ``changes_only`` and ``snapshot``, a
            :class:`~pylmod.grades.safeguards.Safeguards` (near-miss
            checks, settings of created assignments, a reviewed plan) whose
            ``plan`` and ``snapshot_path`` the caller reads afterwards; one
            per upload.

    Raises:
        TypeError: an option of the wrong type (the message names it).
        ValueError: an option out of range, or ``use_max_points_column``
            without both column names.

    Example:

    .. code-block:: python

        options = UploadOptions(email_field='Email', dry_run=True)
        upload_csv(gradebook, 'grades.csv', options, report=report)
    """

    email_field: Optional[str] = None
    non_assignment_fields: Optional[Tuple[str, ...]] = None
    approve_grades: bool = False
    use_max_points_column: bool = False
    max_points_column: Optional[str] = None
    normalize_column: Optional[str] = None
    batch_size: int = DEFAULT_BATCH_SIZE
    delimiter: Optional[str] = None
    encoding: Optional[str] = None
    dry_run: bool = False
    max_new_assignments: Optional[int] = MAX_NEW_ASSIGNMENTS
    resume_from: Any = None
    changes_only: bool = False
    snapshot: Optional[str] = None
    safeguards: Any = None

    def __post_init__(self) -> None:
        for name in ('email_field', 'max_points_column', 'normalize_column',
                     'delimiter', 'encoding'):
            _check_type(name, getattr(self, name), str, 'a string')
        if self.non_assignment_fields is not None:
            _check_type('non_assignment_fields', self.non_assignment_fields,
                        (list, tuple, set, frozenset), 'a list of columns')
            # A tuple whatever the caller gave: the options stay frozen.
            object.__setattr__(self, 'non_assignment_fields',
                               tuple(self.non_assignment_fields))
        object.__setattr__(self, 'batch_size', _whole_number(
            'batch_size', self.batch_size, 1, DEFAULT_BATCH_SIZE))
        if self.max_new_assignments is not None:
            object.__setattr__(self, 'max_new_assignments', _whole_number(
                'max_new_assignments', self.max_new_assignments, 0, None))
        _check_type('resume_from', self.resume_from,
                    (UploadReport, Mapping),
                    'an UploadReport or a mapping (email, assignment) -> '
                    'value')
        _check_type('changes_only', self.changes_only, bool, 'True or False')
        if self.snapshot is not None:
            _check_type('snapshot', self.snapshot, (str, os.PathLike),
                        'a path')
            object.__setattr__(self, 'snapshot', os.fspath(self.snapshot))
        if self.safeguards is not None:
            # Checked by what the upload calls: importing the class would
            # make a circle (the safeguards read the assignments, which
            # read these defaults).
            if not all(callable(getattr(self.safeguards, name, None))
                       for name in ('before_changes', 'sending', 'sent')):
                raise TypeError('UploadOptions: safeguards must be a '
                                'pylmod.grades.Safeguards or None, got '
                                '{0!r}'.format(self.safeguards))
            if self.changes_only or self.snapshot is not None:
                raise ValueError('UploadOptions: give changes_only and '
                                 'snapshot to the Safeguards, not beside '
                                 'them')
        if self.use_max_points_column:
            for name in ('max_points_column', 'normalize_column'):
                if getattr(self, name) is None:
                    raise ValueError('{0} must be set if use_max_points_column'
                                     ' is set'.format(name))

    @property
    def email_column(self) -> str:
        """The email column asked for (:attr:`email_field` or
        ``External email``)."""
        return self.email_field or DEFAULT_EMAIL_FIELD

    def columns_not_assignments(self) -> List[str]:
        """The columns that are not assignments (see
        :attr:`non_assignment_fields`)."""
        if self.non_assignment_fields is not None:
            return list(self.non_assignment_fields)
        return list(NON_ASSIGNMENT_FIELDS) + [
            column for column in (self.max_points_column,
                                  self.normalize_column, self.email_field)
            if column is not None]


def _check_type(name: str, value: Any, types: Any, expected: str) -> None:
    if value is not None and not isinstance(value, types):
        raise TypeError('UploadOptions: {0} must be {1} or None, got '
                        '{2!r}'.format(name, expected, value))


def _whole_number(name: str, value: Any, least: int,
                  default: Optional[int]) -> int:
    """``value`` as an int of at least ``least`` (``None``: ``default``)."""
    if value is None and default is not None:
        return default
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise TypeError('UploadOptions: {0} must be a whole number, got '
                        '{1!r}'.format(name, value)) from None
    if number < least:
        # "batch_size must be at least 1": the message of pylmod 2.0.
        raise ValueError('{0} must be at least {1}, got {2}'.format(
            name, least, number))
    return number
