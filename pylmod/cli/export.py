"""Stored grades of a gradebook as a spreadsheet ``pylmod upload`` reads.

``pylmod export-grades`` writes one row per student and one column per
assignment, with the student's email in the ``External email`` column, so
uploading the file again stores the same grades (a lossless round trip).
"""
import csv
import logging
import sys
from typing import Any, Dict, List, Mapping, Sequence, TextIO, Tuple

from pylmod.answer import reading
from pylmod.cli.errors import CliError
from pylmod.gradebook import GradeBook
from pylmod.grades import (
    DEFAULT_EMAIL_FIELD,
    NON_ASSIGNMENT_FIELDS,
    duplicate_assignment_names,
    read_stored_grades,
)

log = logging.getLogger(__name__)

#: The column with the student's name (not an assignment for ``upload``).
NAME_COLUMN = 'Full Name'


def stored_grades(student: Mapping[str, Any]) -> Dict[Any, Any]:
    """Return the grades LMod stores for a student, by assignment id, as
    the export writes them (read by :func:`pylmod.grades.read_stored_grades`,
    which says what an excused or a letter grade is worth).

    Args:
        student: one student dictionary with grade info.

    Returns:
        dict: ``assignmentId -> numericGradeValue``; ``None`` for a grade
        that is not a number (excused, or a letter grade).

    Example:

    .. code-block:: python

        stored_grades({'studentAssignmentInfo': [
            {'assignmentId': 7, 'numericGradeValue': 0.5,
             'specialGradeValue': None}]})
        # {7: 0.5}
    """
    return read_stored_grades(student).numbers()


def grades_table(students: Sequence[Mapping[str, Any]],
                 assignments: Sequence[Mapping[str, Any]],
                 ) -> Tuple[List[str], List[Dict[str, Any]], int]:
    """Return the columns and rows of the export, and how many stored
    grades could not be written because they are not numbers.

    Args:
        students: from ``get_students(include_grade_info=True)``.
        assignments: from ``get_assignments()``, in gradebook order.

    Raises:
        CliError: an assignment is named like a column ``upload`` does not
            read as an assignment, or several are named alike (one column
            would merge them), so the file could not be uploaded back.

    Returns:
        tuple: ``(columns, rows, not_numeric)``; a missing grade is an
        empty cell (``upload`` skips empty cells).
    """
    names: Dict[Any, str] = {}
    with reading(assignments, 'pylmod export-grades: the assignments'):
        for name, ids in duplicate_assignment_names(assignments).items():
            raise CliError(
                'the gradebook has {0} assignments named {1!r} (ids {2}): one '
                'column would merge them; rename or delete all but one before '
                'exporting'.format(len(ids), name,
                                   ', '.join(str(each) for each in ids)))
        for assignment in assignments:
            name = assignment['name']
            if name in NON_ASSIGNMENT_FIELDS or name == NAME_COLUMN:
                raise CliError(
                    'assignment {0!r} (id {1}) is named like a column that '
                    '`pylmod upload` does not read as an assignment; rename '
                    'it before exporting'.format(
                        name, assignment['assignmentId']))
            names[assignment['assignmentId']] = name
    rows = []
    not_numeric = 0
    for student in students:
        with reading(student, 'pylmod export-grades: a student'):
            email = student['accountEmail']
            display_name = student.get('displayName', '')
        row: Dict[str, Any] = {DEFAULT_EMAIL_FIELD: email,
                               NAME_COLUMN: display_name}
        for assignment_id, value in stored_grades(student).items():
            if assignment_id not in names:
                continue
            if value is None:
                not_numeric += 1
                continue
            row[names[assignment_id]] = value
        rows.append(row)
    columns = [DEFAULT_EMAIL_FIELD, NAME_COLUMN] + list(names.values())
    return columns, rows, not_numeric


def write_grades_csv(stream: TextIO, columns: Sequence[str],
                     rows: Sequence[Mapping[str, Any]]) -> None:
    """Write the export as CSV (excel dialect, the one ``upload`` reads).

    Numbers are written with :func:`repr`, which reads back as the same
    float.
    """
    writer = csv.DictWriter(stream, fieldnames=list(columns),
                            lineterminator='\n')
    writer.writeheader()
    for row in rows:
        writer.writerow({key: repr(value) if isinstance(value, float)
                         else value for key, value in row.items()})


def export_grades(gradebook: GradeBook, path: str) -> Dict[str, int]:
    """Write the stored grades of a gradebook to a CSV file.

    Args:
        gradebook: a :class:`pylmod.GradeBook` with ``gradebook_id`` set.
        path: the file to write; ``-`` writes to stdout.

    Returns:
        dict: counts: ``students``, ``assignments``, ``grades`` written and
        ``not numeric`` grades left out.

    Example:

    .. code-block:: python

        export_grades(gradebook, 'grades.csv')
        gradebook.spreadsheet2gradebook('grades.csv')  # stores the same
    """
    assignments = gradebook.get_assignments()
    students = gradebook.get_students(include_grade_info=True)
    columns, rows, not_numeric = grades_table(students, assignments)
    if path == '-':
        write_grades_csv(sys.stdout, columns, rows)
    else:
        with open(path, 'w', newline='', encoding='utf-8') as out:
            write_grades_csv(out, columns, rows)
    grades = sum(len(row) - 2 for row in rows)
    log.info('Exported %d grades of %d students', grades, len(rows))
    return {'students': len(rows), 'assignments': len(columns) - 2,
            'grades': grades, 'not numeric': not_numeric}
