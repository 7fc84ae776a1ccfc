"""Reading a grade spreadsheet with progress on stderr (``pylmod upload``)."""
import sys
from typing import Any, Iterator, Optional, TextIO

#: Without a progress bar, a line on stderr every this many lines read.
PROGRESS_EVERY = 10000


class ProgressFile:
    """A text file whose lines are counted as they are read, for a grade
    upload: a ``tqdm`` bar on stderr when it is a terminal and ``tqdm`` is
    installed (``pip install pylmod[cli]``), else a line on stderr every
    :data:`PROGRESS_EVERY` lines and at the end.

    It is what :func:`pylmod.grades.open_grade_csv` needs (``read``,
    ``readline``, iteration, ``name``).

    Args:
        path: the CSV file, read as UTF-8 (with or without a byte order
            mark), like the library does.
        stream: where progress goes (default stderr).
    """

    def __init__(self, path: str, stream: Optional[TextIO] = None) -> None:
        self.name = path
        self._stream = sys.stderr if stream is None else stream
        self._file = open(path, newline='', encoding='utf-8-sig')
        self.lines_read = 0
        self._bar = self._progress_bar(path)

    def _progress_bar(self, path: str) -> Any:
        if not self._stream.isatty():
            return None
        try:
            from tqdm import tqdm
        except ImportError:
            return None
        with open(path, 'rb') as raw:
            total = sum(1 for _ in raw)
        return tqdm(total=total, unit=' lines', desc='reading ' + path,
                    file=self._stream, leave=False)

    def _count(self, line: str) -> str:
        if not line:
            self.close_progress()
            return line
        self.lines_read += 1
        if self._bar is not None:
            self._bar.update(1)
        elif self.lines_read % PROGRESS_EVERY == 0:
            self._stream.write('pylmod: read {0} lines\n'.format(
                self.lines_read))
        return line

    def read(self, size: int = -1) -> str:
        """Read the rest (not counted; the library reads line by line)."""
        return self._file.read(size)

    def readline(self) -> str:
        """Read and count one line."""
        return self._count(self._file.readline())

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close_progress(self) -> None:
        """End the progress display (once), saying how many lines were read."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._stream is None:
            return
        self._stream.write('pylmod: read {0} lines of {1}\n'.format(
            self.lines_read, self.name))
        self._stream = None  # type: ignore[assignment]

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> 'ProgressFile':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

