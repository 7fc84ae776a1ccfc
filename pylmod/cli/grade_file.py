"""The grade file of ``pylmod upload``, in the command's words.

:func:`check_text_file` names a file that is not text at all (an Excel
workbook renamed ``.csv``, a PDF, UTF-16 text) before the library tries to
read it, so the advice is what to do with that file rather than an encoding
to try; :func:`in_cli_words` turns the library's advice about a file that
cannot be read (``Pass email_field=``) into the command's flags
(``--email-field COLUMN``).
"""
import codecs
import re
from typing import Optional, Tuple

from pylmod.cli.errors import EXIT_USAGE, CliError

#: Bytes read from the start of the file to tell what it is.
SNIFFED_BYTES = 4096

#: What to tell the user to do with a spreadsheet that is not CSV.
SAVE_AS_CSV = ("save it as CSV (in Excel: File > Save As > 'CSV UTF-8 "
               "(Comma delimited)') and upload that file")

#: ``(start of the file, what it is, what to do)``.
FILE_SIGNATURES: Tuple[Tuple[bytes, str, str], ...] = (
    (b'PK\x03\x04', 'an Excel workbook (.xlsx) or another zip file',
     SAVE_AS_CSV),
    (b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1',
     'an Excel 97-2003 workbook (.xls) or another Office file', SAVE_AS_CSV),
    (b'%PDF', 'a PDF document',
     'export the grades as CSV from the program that made the PDF'),
)

#: Library advice (a keyword argument) -> the same advice in flags.
CLI_WORDS: Tuple[Tuple[str, str], ...] = (
    (r'Pass email_field= to name the email column\.',
     'Pass --email-field COLUMN to name the email column.'),
    (r'pass max_new_assignments=(\d+);',
     r'pass --allow-new-assignments \1;'),
    (r"if the file has another encoding, give it \(encoding='cp1252', "
     r"for one\)",
     'if the file has another encoding, pass it with --encoding (e.g. '
     '--encoding cp1252 for a file an older Excel saved)'),
)


def check_text_file(path: str, encoding: Optional[str]) -> None:
    """Raise a usage error when the file at ``path`` is not text a CSV
    reader can take: a zip (``.xlsx``), an old Office file, a PDF, or
    UTF-16 (or other text with NUL bytes) while ``encoding`` is not given.

    A file that cannot be opened is left for the upload to report.

    Raises:
        CliError: with exit status 2, naming what the file is and what to
            do.
    """
    try:
        with open(path, 'rb') as grade_file:
            start = grade_file.read(SNIFFED_BYTES)
    except OSError:
        return
    for signature, what, advice in FILE_SIGNATURES:
        if start.startswith(signature):
            raise CliError('{0} is {1}, not a CSV file: {2}'.format(
                path, what, advice), EXIT_USAGE)
    if encoding is not None:
        return
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CliError(
            "{0} is UTF-16 text (Excel's 'Unicode Text'), not UTF-8: pass "
            '--encoding utf-16, or save it as CSV UTF-8'.format(path),
            EXIT_USAGE)
    if b'\x00' in start:
        raise CliError(
            '{0} is not a text file (it holds NUL bytes): if it is UTF-16 '
            'without a byte order mark pass --encoding utf-16-le; if it is '
            'a spreadsheet, {1}'.format(path, SAVE_AS_CSV), EXIT_USAGE)


def in_cli_words(message: str) -> str:
    """Return a library message with its keyword arguments said as the
    flags of ``pylmod upload``."""
    for pattern, replacement in CLI_WORDS:
        message = re.sub(pattern, replacement, message)
    return message
