"""The report of ``pylmod upload`` while it runs: nothing is lost to an
interrupt.

:class:`StreamedReport` writes the report rows of the grades as LMod
answers each request (CSV, flushed after each request), so the file is
complete up to its last line at any moment: a second Ctrl-C, SIGKILL or a
crash still leaves every grade LMod confirmed on disk, and ``--resume``
takes the file as it is.  When the upload ends, the whole report (every
row, in file order) replaces it in one step (:func:`os.replace`).

Without ``--report`` (or with a ``.json`` one, which cannot grow line by
line) the stream goes to a new file in the per-user data directory
(:func:`report_directory`); it is removed when the upload went through and
kept, and named, when it stopped half way.  :func:`resume_command` is the
command line that sends the rest.
"""
import csv
import datetime
import os
import shlex
import sys
from typing import (
    Any,
    Callable,
    List,
    Mapping,
    Optional,
    Sequence,
    TextIO,
    Tuple,
)

from pylmod.cli.upload_report import REPORT_COLUMNS, grade_row
from pylmod.grades import UploadReport

#: ``progress(sent, confirmed, total)`` of an upload.
ProgressCallback = Callable[[int, int, int], None]


def report_directory(environ: Optional[Mapping[str, str]] = None) -> str:
    """Return the per-user directory of the reports ``pylmod upload``
    keeps when it was not given ``--report``: ``pylmod/reports`` in
    ``$XDG_DATA_HOME`` (``~/.local/share``), in ``%LOCALAPPDATA%`` on
    Windows, in ``~/Library/Application Support`` on macOS."""
    environ = os.environ if environ is None else environ
    if sys.platform == 'win32' and environ.get('LOCALAPPDATA'):
        base = environ['LOCALAPPDATA']
    elif sys.platform == 'darwin':
        base = os.path.expanduser('~/Library/Application Support')
    else:
        base = environ.get('XDG_DATA_HOME') or ''
        if not os.path.isabs(base):
            base = os.path.expanduser('~/.local/share')
    return os.path.join(base, 'pylmod', 'reports')


def new_report_path(csv_path: str, directory: Optional[str] = None) -> str:
    """Return a new report file in :func:`report_directory` (made, readable
    by you only: it holds grades), named for the time and the grade file."""
    directory = report_directory() if directory is None else directory
    os.makedirs(directory, mode=0o700, exist_ok=True)
    stem = os.path.splitext(os.path.basename(csv_path))[0] or 'grades'
    return os.path.join(directory, 'upload-{0}-{1}-{2}.csv'.format(
        datetime.datetime.now().strftime('%Y%m%d-%H%M%S'), stem,
        os.getpid()))


def resume_command(argv: Sequence[str], report_path: str) -> str:
    """Return the ``pylmod`` command line ``argv`` with ``--resume
    report_path`` (replacing any ``--resume``), quoted for a POSIX shell."""
    words: List[str] = []
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == '--resume':
            skip = True
        elif not word.startswith('--resume='):
            words.append(word)
    words += ['--resume', report_path]
    return ' '.join(shlex.quote(word) for word in ['pylmod'] + words)


def _report_row(line: int, email: Any, column: str, grade: Mapping[str, Any],
                status: str, message: str) -> Tuple[Any, ...]:
    """A row of :data:`REPORT_COLUMNS`, built straight from the ledger (no
    record objects: a million grades are streamed in seconds)."""
    value = grade.get('numericGradeValue')
    return (line, email, column, '' if value is None else value, status,
            message)


class StreamedReport:
    """The report file of an upload, written as LMod answers.

    Pass :meth:`progress` as the upload's ``progress``: after each request
    the rows of the grades just answered are appended and flushed.

    Args:
        path: the file to write (CSV, :data:`REPORT_COLUMNS`).
        report: the upload's report.
        kept: the file is the report the user asked for (``--report``);
            else it is removed by :meth:`discard`.

    Example:

    .. code-block:: python

        stream = StreamedReport('report.csv', report)
        gradebook.spreadsheet2gradebook(
            'grades.csv', report=report, progress=stream.progress(None))
    """

    def __init__(self, path: str, report: UploadReport,
                 kept: bool = True) -> None:
        self.path = path
        self.report = report
        self.kept = kept
        self.written = 0
        self._file: Optional[TextIO] = None
        self._writer: Any = None
        self._done = False

    def _open(self) -> None:
        # Opened at the first request, not before: a file that cannot be
        # read changes nothing, not even the report a --resume names.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        self._file = open(os.open(self.path, flags,
                                  0o666 if self.kept else 0o600),
                          'w', newline='', encoding='utf-8')
        self._writer = csv.writer(self._file, lineterminator='\n')
        self._writer.writerow(REPORT_COLUMNS)
        for grade in self.report.already_confirmed:
            self._write(grade)

    def _write(self, grade: Any) -> None:
        row = grade_row(grade)
        self._writer.writerow(['' if row[column] is None else row[column]
                               for column in REPORT_COLUMNS])

    def progress(self, shown: Optional[ProgressCallback]) -> ProgressCallback:
        """Return the ``progress`` callback that writes the new rows, then
        calls ``shown`` (a progress display), if any."""
        def progress(sent: int, confirmed: int, total: int) -> None:
            self.write_answered()
            if shown is not None:
                shown(sent, confirmed, total)
        return progress

    def write_answered(self) -> None:
        """Append the rows of the grades answered since the last call (the
        first call opens the file, with the grades a resumed report shows
        confirmed)."""
        if self._done:
            return
        if self._file is None:
            self._open()
        answered = self.report.answered_grades(self.written, _report_row)
        self.written += len(answered)
        self._writer.writerows(answered)
        if self._file is not None:
            self._file.flush()

    @property
    def started(self) -> bool:
        """True once the file is written (the first request was due)."""
        return self._file is not None or self._done

    def close(self) -> None:
        """Close the file (it stays as written)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._done = True

    def discard(self) -> None:
        """Close the file and remove it unless it is :attr:`kept`."""
        started = self.started
        self.close()
        if started and not self.kept:
            try:
                os.remove(self.path)
            except OSError:
                pass
