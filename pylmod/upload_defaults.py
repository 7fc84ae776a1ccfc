"""The defaults of a grade upload that :class:`pylmod.GradeBook` shows in
its signatures and constants.

They live apart from the grade pipeline (:mod:`pylmod.grades`, which
re-exports them) so that ``import pylmod`` does not load the pipeline: it is
imported by the first upload (see :mod:`pylmod.spreadsheet_upload`).
"""

#: The max points of an assignment created from a spreadsheet, unless the
#: spreadsheet gives them (``use_max_points_column``).
DEFAULT_MAX_POINTS = 1.0

#: The most assignments one upload creates unless told otherwise
#: (``max_new_assignments``).
MAX_NEW_ASSIGNMENTS = 20
