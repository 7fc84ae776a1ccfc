"""Property-based tests: malformed spreadsheets never change the gradebook
by accident.

Hypothesis writes spreadsheets as instructors' tools and hands do: quoted
or not (a comma in a name shifts the cells after it), rows too short or
too long, repeated and empty header names, numbers as Python reads them
and spreadsheets do not (``1_0``, ``inf``, ``１２``, ``1,5``), bad bytes,
byte order marks, three delimiters; given as a path, a binary file object
or a list of row dictionaries.  Each is uploaded to a fake LMod (mutual
TLS) holding no grade, and what it then stores is checked against the
file, read here independently with :mod:`csv`:

* nothing but a pylmod exception (:class:`~pylmod.exceptions.PyLmodException`)
  is raised, and then the gradebook is unchanged;
* otherwise the fake stores exactly, for each student and column, the
  number the student's last row of the header's width holds there: nothing
  the file does not hold, nothing shifted, nothing lost;
* every cell that holds something is confirmed, replaced by a later row,
  reported as skipped, or in the row of an unknown email.

The budget is fixed (the ``ci`` profile: 150 examples, derandomized, so a
run is repeatable); ``PYLMOD_HYPOTHESIS_PROFILE=thorough`` explores more.
"""
import codecs
import csv
import io
import math
import os
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pylmod import GradeBook
from pylmod.exceptions import PyLmodException
from pylmod.grades import UploadReport
from pylmod.testing import FakeLmod, LmodServer

settings.register_profile(
    'ci', max_examples=150, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile('thorough', max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(
    os.environ.get('PYLMOD_HYPOTHESIS_PROFILE', 'ci'))

GRADEBOOK_ID = 10
STUDENTS = {'a@x.edu': 1, 'b@x.edu': 2, 'c@x.edu': 3}
SEED = {'gradebooks': [{
    'gradebookId': GRADEBOOK_ID, 'uuid': 'STELLAR:/project/properties',
    'students': [{'studentId': student_id, 'accountEmail': email,
                  'displayName': email} for email, student_id
                 in STUDENTS.items()],
    'assignments': [{'assignmentId': 101, 'name': 'HW1'},
                    {'assignmentId': 102, 'name': 'HW2'},
                    {'assignmentId': 103, 'name': 'Dup'},
                    {'assignmentId': 104, 'name': 'Dup'}]}]}
NOT_ASSIGNMENTS = {'ID', 'Username', 'Full Name', 'edX email',
                   'External email'}
#: A number as a spreadsheet writes it, as this test reads it.
NUMBER = re.compile(r'[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?')
DECIMAL_COMMA = re.compile(r'[+-]?[0-9]*,[0-9]+([eE][+-]?[0-9]+)?')

EMAILS = st.sampled_from(['a@x.edu', ' A@X.EDU ', 'b@x.edu', 'c@x.edu',
                          'nobody@x.edu', ''])
NAMES = st.sampled_from(['Doe', 'Doe, Jane', 'Ann "Jo"', 'José', 'Ann\nLee',
                         'x;y'])
NUMBERS = st.sampled_from([
    '1', '2.5', ' 3 ', '-0', '.5', '7.', '1e2', '1E-1', '+4', '1_0', '0x10',
    'inf', 'nan', '-Infinity', '1e999', '1,5', '1.234,5', '１２', '', ' ',
    'abc', '5%'])
CELLS = st.one_of(NUMBERS, EMAILS, NAMES, st.text(max_size=4))
COLUMNS = st.one_of(
    st.sampled_from(['External email', 'Full Name', 'HW1', 'HW2', 'New A',
                     'New B', 'Dup', '', ' ', 'ID']),
    st.text(min_size=1, max_size=3))


@st.composite
def spreadsheets(draw):
    """``(text, delimiter, quoted)`` of a spreadsheet."""
    header = draw(st.lists(COLUMNS, min_size=1, max_size=6))
    if draw(st.integers(0, 9)):  # mostly with the email column
        header.insert(draw(st.integers(0, len(header))), 'External email')
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, 0, -1, 1, 2]))
        row = [draw(CELLS) for _ in range(max(width, 0))]
        if 'External email' in header and draw(st.integers(0, 4)):
            at = header.index('External email')
            if at < len(row):
                row[at] = draw(EMAILS)
        rows.append(row)
    delimiter = draw(st.sampled_from([',', ',', ';', '\t']))
    quoted = draw(st.booleans())
    if quoted:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter,
                            lineterminator=draw(st.sampled_from(
                                ['\n', '\r\n'])))
        writer.writerows([header] + rows)
        text = out.getvalue()
    else:  # as a hand or a careless tool writes it: nothing quoted
        text = ''.join(delimiter.join(row) + '\n' for row in [header] + rows)
    return text, delimiter


@st.composite
def encoded(draw, text):
    data = text.encode('utf-8')
    if draw(st.booleans()):
        data = codecs.BOM_UTF8 + data
    if data and not draw(st.integers(0, 7)):  # a bad byte, now and then
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b'\xff' + data[at:]
    return data


def spreadsheet_number(cell, delimiter):
    """The number a cell holds, read here without pylmod, or ``None``."""
    text = cell.strip() if isinstance(cell, str) else ''
    if delimiter != ',' and DECIMAL_COMMA.fullmatch(text):
        text = text.replace(',', '.')
    if not NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def read_file(text, delimiter, count_lines):
    """``(header, [(line, cells)])`` of a decoded file: the line of a row
    as csv counts them (``count_lines``) or as the position of the row
    (the line pylmod gives a list of dictionaries)."""
    reader = csv.reader(io.StringIO(text.lstrip('\ufeff'), newline=''),
                        delimiter=delimiter)
    header = next(reader, None)
    rows = []
    for cells in reader:
        if cells:
            rows.append((reader.line_num if count_lines else len(rows) + 2,
                         cells))
    return header, rows


def wrong_width(header, cells, given_as):
    """The row has not the header's cell count (empty header cells at the
    end may be left out).  In a list of dictionaries a missing cell is
    ``None``, an empty cell there: only surplus cells are seen."""
    if given_as == 'dictionaries':
        return len(cells) > len(header)
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    return not named <= len(cells) <= len(header)


def expected_grades(header, rows, delimiter, given_as):
    """``(email, column) -> (value, line)`` the file holds: the last number
    of each student and assignment column, in rows of the header's
    width."""
    if 'External email' not in header:
        return {}
    email_at = header.index('External email')
    # A list of dictionaries has no delimiter: a decimal comma in it is not
    # read as one (it is reported), whatever file it came from.
    if given_as == 'dictionaries':
        delimiter = ','
    expected = {}
    for line, cells in rows:
        if wrong_width(header, cells, given_as) or email_at >= len(cells):
            continue
        email = cells[email_at].strip().lower()
        if email not in STUDENTS:
            continue
        for column, cell in zip(header, cells):
            number = spreadsheet_number(cell, delimiter)
            if (column.strip() and column not in NOT_ASSIGNMENTS
                    and number is not None):
                expected[(email, column)] = (number, line)
    return expected


def stored_grades(fake):
    """``(email, assignment name) -> value`` the fake stores."""
    emails = {student_id: email for email, student_id in STUDENTS.items()}
    names = {assignment['assignmentId']: assignment['name']
             for assignment in fake.assignments(GRADEBOOK_ID)}
    return {(emails[student], names[assignment]): value for
            (student, assignment), value in
            fake.stored_grades(GRADEBOOK_ID).items()}


def check_every_cell_is_accounted_for(header, rows, report, given_as):
    """Every cell that holds something is confirmed, replaced, skipped, or
    in the row of an unknown email, or in a column that is no grade's; and
    every cell of a row of the wrong width is reported."""
    confirmed = {(grade.line, grade.assignment) for grade in report.grades
                 if grade.status == 'confirmed'}
    replaced = {(earlier, column)
                for _, earlier, column in report.duplicates}
    skipped = {(cell.line, cell.column) for cell in report.skipped_cells}
    unknown = {line for line, _ in report.unknown_emails}
    for line, cells in rows:
        rejected = wrong_width(header, cells, given_as)
        for index, cell in enumerate(cells):
            column = header[index] if index < len(header) else ''
            key = (line, column if column.strip() else '')
            if rejected:
                assert key in skipped, (line, column, cell)
            elif cell.strip() and column not in NOT_ASSIGNMENTS:
                assert (key in confirmed or key in replaced
                        or key in skipped or line in unknown), (
                    line, column, cell)


@pytest.fixture(scope='module')
def server(lmod_certificates):
    with LmodServer(FakeLmod(SEED), certificates=lmod_certificates) as served:
        yield served


@pytest.fixture(scope='module')
def gradebook(server):
    with GradeBook(server.client_cert, server.url, verify=server.ca_cert,
                   retries=0) as client:
        client.gradebook_id = GRADEBOOK_ID
        yield client


@pytest.fixture(scope='module')
def work_dir(tmp_path_factory):
    return tmp_path_factory.mktemp('spreadsheets')


@settings(PROFILE)
@given(spreadsheet=spreadsheets(), data=st.data(),
       given_as=st.sampled_from(['path', 'binary file', 'dictionaries']))
def test_a_spreadsheet_changes_only_what_it_holds(server, gradebook, work_dir,
                                                  spreadsheet, data,
                                                  given_as):
    text, delimiter = spreadsheet
    raw = data.draw(encoded(text))
    fake = server.fake = FakeLmod(SEED)
    before = fake.assignments(GRADEBOOK_ID)
    try:
        decoded = raw.decode('utf-8-sig')
        header, rows = read_file(decoded, delimiter,
                                 count_lines=given_as != 'dictionaries')
    except (UnicodeDecodeError, csv.Error):
        decoded = header = None
    report = UploadReport()
    options = dict(report=report, max_new_assignments=3)
    if given_as == 'dictionaries':
        # A caller's rows are text already, and a dictionary cannot hold
        # two columns of one name.
        assume(header is not None and len(set(header)) == len(header))
    try:
        if given_as == 'dictionaries':
            gradebook._spreadsheet2gradebook_multi(
                list(csv.DictReader(io.StringIO(decoded.lstrip('\ufeff')),
                                    delimiter=delimiter)),
                'External email', list(NOT_ASSIGNMENTS), **options)
        elif given_as == 'binary file':
            gradebook.spreadsheet2gradebook(io.BytesIO(raw),
                                            delimiter=delimiter, **options)
        else:
            path = work_dir / 'grades.csv'
            path.write_bytes(raw)
            gradebook.spreadsheet2gradebook(str(path), delimiter=delimiter,
                                            **options)
    except PyLmodException:
        assert stored_grades(fake) == {}
        assert fake.assignments(GRADEBOOK_ID) == before
        return
    assert header is not None, 'bytes that are not UTF-8 were uploaded'
    expected = expected_grades(header, rows, delimiter, given_as)
    assert stored_grades(fake) == {key: value for key, (value, _)
                                   in expected.items()}
    check_every_cell_is_accounted_for(header, rows, report, given_as)
