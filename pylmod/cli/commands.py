"""The ``pylmod`` subcommands that talk to LMod.

Each handler takes the parsed arguments, makes one library call (or a few),
prints the result and returns the exit status.  The logic lives in the
library; a handler only chooses what to show.
"""
import argparse
import logging
import sys
from typing import Any, Dict, List, Mapping

from pylmod.answer import reading
from pylmod.cli.clients import lmod_message, make_gradebook, make_membership
from pylmod.cli.errors import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_STATUSES_HELP,
    CliError,
)
from pylmod.cli.export import export_grades
from pylmod.cli.options import global_options_parser
from pylmod.cli.output import print_mapping, print_rows
from pylmod.cli.rollback_command import (
    add_rollback_arguments,
    rollback_command,
)
from pylmod.cli.upload_command import add_upload_arguments, upload_command
from pylmod.cli.values import (
    due_date,
    identifier,
    number,
    positive_points,
    short_name,
)
from pylmod.exceptions import PyLmodNoSuchSection
from pylmod.gradebook import GradeBook
from pylmod.grades import find_assignment, read_stored_grades

log = logging.getLogger(__name__)

STUDENT_COLUMNS = ('studentId', 'accountEmail', 'displayName', 'section')
SIMPLE_STUDENT_COLUMNS = ('email', 'name', 'section')
ASSIGNMENT_COLUMNS = ('assignmentId', 'name', 'shortName', 'maxPointsTotal',
                      'weight', 'dueDateString')
SECTION_COLUMNS = ('groupId', 'name', 'sectionType', 'shortName')
STAFF_COLUMNS = ('accountEmail', 'displayName', 'role')
COURSE_STAFF_COLUMNS = ('displayName', 'role', 'sortableDisplayName')


def _check_answer(body: Any, action: str) -> None:
    """Raise if LMod answered ``status`` -1 to a change."""
    if not isinstance(body, Mapping) or body.get('status') not in (1, '1'):
        raise CliError('LMod refused to {0}: {1}'.format(
            action, lmod_message(body)))


def _print_answer(args: argparse.Namespace, body: Any, text: str) -> None:
    if args.format == 'json':
        print_mapping(args, body)
    else:
        sys.stdout.write(text + '\n')


# -- gradebook ------------------------------------------------------------

def students_command(args: argparse.Namespace) -> int:
    """``pylmod students``: the students, of one section with --section."""
    gradebook = make_gradebook(args)
    try:
        students = gradebook.get_students(section_name=args.section or '')
    except PyLmodNoSuchSection:
        names = [section['SectionName']
                 for section in gradebook.get_sections(simple=True)]
        raise CliError('no section named {0!r} in the gradebook; the '
                       'sections are: {1}'.format(args.section,
                                                  ', '.join(names))) from None
    simple: List[Dict[str, Any]] = []
    if args.simple:
        # The email as LMod stores it, as in export-grades and the upload
        # report (the library's simple=True upper-cases @MIT.EDU, as 1.0.x
        # did for certificates).
        simple = [{'email': student['accountEmail'],
                   'name': student['displayName'],
                   'section': student['section']} for student in students]
    print_rows(args, simple if args.simple else students,
               SIMPLE_STUDENT_COLUMNS if args.simple else STUDENT_COLUMNS)
    return EXIT_OK


def assignments_command(args: argparse.Namespace) -> int:
    """``pylmod assignments``."""
    print_rows(args, make_gradebook(args).get_assignments(),
               ASSIGNMENT_COLUMNS)
    return EXIT_OK


def sections_command(args: argparse.Namespace) -> int:
    """``pylmod sections``: every section, with its type."""
    gradebook = make_gradebook(args)
    print_rows(args, GradeBook.unravel_sections(gradebook.get_sections()),
               SECTION_COLUMNS)
    return EXIT_OK


def staff_command(args: argparse.Namespace) -> int:
    """``pylmod staff``: one row per member and role."""
    gradebook = make_gradebook(args)
    print_rows(args, gradebook.get_staff(gradebook.gradebook_id, simple=True),
               STAFF_COLUMNS)
    return EXIT_OK


def options_command(args: argparse.Namespace) -> int:
    """``pylmod options``: the gradebook's options."""
    gradebook = make_gradebook(args)
    print_mapping(args, gradebook.get_options(gradebook.gradebook_id))
    return EXIT_OK


def create_assignment_command(args: argparse.Namespace) -> int:
    """``pylmod create-assignment NAME``: refuses a name the gradebook has
    unless ``--allow-duplicate``."""
    gradebook = make_gradebook(args)
    same_name = [assignment['assignmentId']
                 for assignment in gradebook.get_assignments()
                 if assignment['name'] == args.name]
    if same_name and not args.allow_duplicate:
        raise CliError(
            'the gradebook has an assignment named {0!r} already (id {1}); '
            'nothing was created.  Pass --allow-duplicate to create another '
            '(then set-grade, upload and export-grades refuse the name until '
            'one of them is renamed)'.format(
                args.name, ', '.join(str(each) for each in same_name)))
    body = gradebook.create_assignment(args.name, args.short_name,
                                       args.weight, args.max_points, args.due)
    _check_answer(body, 'create assignment {0!r}'.format(args.name))
    with reading(body, 'pylmod create-assignment'):
        assignment_id = body['data']['assignmentId']
    _print_answer(args, body, 'created assignment {0!r} (id {1})'.format(
        args.name, assignment_id))
    return EXIT_OK


def delete_assignment_command(args: argparse.Namespace) -> int:
    """``pylmod delete-assignment ID``: says how many grades it deletes;
    on a terminal it asks first, unless ``--yes``."""
    gradebook = make_gradebook(args)
    assignment_id = args.assignment_id
    names = [assignment['name'] for assignment in gradebook.get_assignments()
             if assignment['assignmentId'] == assignment_id]
    grades = sum(assignment_id in read_stored_grades(student).by_assignment
                 for student in gradebook.get_students(
                     include_grade_info=True))
    what = '{0}(id {1}) and its {2} grades'.format(
        '{0!r} '.format(names[0]) if names else '', assignment_id, grades)
    if not args.yes and sys.stdin is not None and sys.stdin.isatty():
        sys.stderr.write('Delete assignment {0}? This cannot be undone. '
                         '[y/N] '.format(what))
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ('y', 'yes'):
            raise CliError('nothing was deleted')
    body = gradebook.delete_assignment(assignment_id)
    _check_answer(body, 'delete assignment {0}'.format(assignment_id))
    _print_answer(args, body, 'deleted assignment {0}'.format(what))
    return EXIT_OK


def set_grade_command(args: argparse.Namespace) -> int:
    """``pylmod set-grade --student EMAIL --assignment NAME VALUE``."""
    gradebook = make_gradebook(args)
    student_id, _ = gradebook.get_student_by_email(args.student)
    if student_id is None:
        raise CliError('no student with email {0!r} in the gradebook'.format(
            args.student))
    assignment = find_assignment(gradebook.get_assignments(),
                                 args.assignment)
    if assignment is None:
        raise CliError('no assignment named {0!r} in the gradebook (see '
                       '`pylmod assignments`)'.format(args.assignment))
    body = gradebook.set_grade(assignment['assignmentId'], student_id,
                               args.value,
                               isGradeApproved=args.approve)
    _check_answer(body, 'set the grade')
    _print_answer(args, body, 'set {0!r} of {1} to {2}'.format(
        args.assignment, args.student, args.value))
    return EXIT_OK


def export_grades_command(args: argparse.Namespace) -> int:
    """``pylmod export-grades OUT.csv``; the counts go to stdout as JSON
    with ``--format json`` (unless the grades do)."""
    counts = export_grades(make_gradebook(args), args.out)
    if args.format == 'json' and args.out != '-':
        print_mapping(args, counts)
    sys.stderr.write(
        'pylmod: exported {grades} grades of {students} students in '
        '{assignments} assignments to {0}\n'.format(args.out, **counts))
    if counts['not numeric']:
        sys.stderr.write(
            'pylmod: {0} stored grades are not numbers (excused or letter '
            'grades) and were left out\n'.format(counts['not numeric']))
    return EXIT_OK


# -- membership -----------------------------------------------------------

def has_role_command(args: argparse.Namespace) -> int:
    """``pylmod has-role EMAIL ROLE``: exit status 0 if yes, 1 if no."""
    has_role = make_membership(args).email_has_role(args.email, args.role)
    if args.format == 'json':
        print_mapping(args, {'email': args.email, 'role': args.role,
                             'has_role': has_role})
    else:
        sys.stdout.write('{0} {1} role {2}\n'.format(
            args.email, 'has' if has_role else 'does not have', args.role))
    return EXIT_OK if has_role else EXIT_FAILURE


def course_staff_command(args: argparse.Namespace) -> int:
    """``pylmod course-staff``: the course guide's staff of --course."""
    print_rows(args, make_membership(args).get_course_guide_staff(),
               COURSE_STAFF_COLUMNS)
    return EXIT_OK


def add_commands(subparsers: Any, parents: List[argparse.ArgumentParser]
                 ) -> None:
    """Add the LMod subcommands to the ``pylmod`` parser.

    A gradebook command's ``--help`` does not list ``--course``, nor a
    membership command's ``--gradebook`` (``parents`` keeps them for the
    other commands; before the command they work as ever).
    """
    scoped = {'gradebook': [global_options_parser(without=('course',))],
              'membership': [global_options_parser(
                  without=('gradebook', 'gradebook_id'))]}

    def add(name: str, handler: Any, help_text: str,
            scope: str = 'gradebook') -> argparse.ArgumentParser:
        parser = subparsers.add_parser(
            name, parents=scoped.get(scope, parents), help=help_text,
            description=help_text + '.')
        parser.set_defaults(handler=handler)
        return parser

    parser = add('students', students_command, 'list the students')
    parser.add_argument('--section', metavar='NAME',
                        help='only the students of this section')
    parser.add_argument('--simple', action='store_true',
                        help='only email, name and section')
    add('assignments', assignments_command, 'list the assignments')
    add('sections', sections_command, 'list the sections')
    add('staff', staff_command, 'list the gradebook staff and their roles')
    add('options', options_command, 'show the gradebook options')

    parser = add('create-assignment', create_assignment_command,
                 'create an assignment')
    parser.add_argument('name', metavar='NAME',
                        help='the name (refused if the gradebook has an '
                             'assignment of that name)')
    parser.add_argument('--short-name', required=True, type=short_name,
                        help='short name (one word, at most 5 characters)')
    parser.add_argument('--max-points', type=positive_points, required=True,
                        metavar='POINTS',
                        help='the most points a grade may have (more than '
                             '0)')
    parser.add_argument('--due', type=due_date, required=True,
                        metavar='MM-DD-YYYY', help='due date')
    parser.add_argument('--weight', type=number, default=1.0,
                        help='weight (default 1.0)')
    parser.add_argument('--allow-duplicate', action='store_true',
                        help='create it even if the gradebook has an '
                             'assignment of that name')

    parser = add('delete-assignment', delete_assignment_command,
                 'delete an assignment and its grades')
    parser.add_argument('assignment_id', metavar='ID', type=identifier,
                        help='the assignment id (see `pylmod assignments`)')
    parser.add_argument('--yes', action='store_true',
                        help='do not ask for confirmation (on a terminal, '
                             'the command asks first, saying how many '
                             'grades it would delete)')

    parser = add('set-grade', set_grade_command,
                 'set one grade of one student')
    parser.add_argument('--student', required=True, metavar='EMAIL',
                        help="the student's email")
    parser.add_argument('--assignment', required=True, metavar='NAME',
                        help='the name of the assignment')
    parser.add_argument('--approve', action='store_true',
                        help='send the grade as approved')
    parser.add_argument('value', metavar='VALUE', type=number,
                        help='the grade, a number')

    add_upload_arguments(add(
        'upload', upload_command,
        'upload a CSV spreadsheet of grades (one row per student, one column '
        'per assignment; missing assignments are created once the whole '
        'file is read and checked)'))

    parser = add('rollback', rollback_command,
                 'undo an upload from its snapshot: restore the grades LMod '
                 'still holds as the upload wrote them')
    add_rollback_arguments(parser)
    parser.epilog = EXIT_STATUSES_HELP.replace(
        'the operation failed', 'a grade left as it is (changed since, '
        'empty before, or not restored)').replace(
        'configuration error', 'configuration error or a snapshot refused '
        '(nothing sent)')

    parser = add('export-grades', export_grades_command,
                 'write the stored grades as a CSV that `pylmod upload` '
                 'reads')
    parser.add_argument('out', metavar='OUT.csv', help='the file (- for '
                                                      'stdout)')

    parser = add('has-role', has_role_command,
                 'tell whether EMAIL has ROLE in --course (exit status 0 '
                 'if yes, 1 if no)', scope='membership')
    parser.add_argument('email', metavar='EMAIL', help='the email to look '
                                                       'up')
    parser.add_argument('role', metavar='ROLE', help='e.g. TA, Instructor')
    add('course-staff', course_staff_command,
        'list the course guide staff of --course', scope='membership')

