"""Progress of a grade upload while its grades are sent (``pylmod upload``).

:class:`SendProgress` is the ``progress`` callback of
:meth:`pylmod.GradeBook.spreadsheet2gradebook`: a ``tqdm`` bar on stderr
when stderr is a terminal and ``tqdm`` is installed (``pip install
pylmod[cli]``), else a plain line on stderr at most every
:data:`PROGRESS_SECONDS` and at the end.  ``pylmod --quiet`` shows none.
"""
import sys
import time
from typing import Any, Callable, Optional, TextIO

#: Without a progress bar, the least seconds between two progress lines.
PROGRESS_SECONDS = 5.0


class SendProgress:
    """Shows the progress of the grades sent:
    ``progress(sent, confirmed, total)``.

    Args:
        stream: where progress goes (default stderr).
        clock: seconds, for the plain lines (default
            :func:`time.monotonic`).

    Example:

    .. code-block:: python

        progress = SendProgress()
        try:
            gradebook.spreadsheet2gradebook('grades.csv', progress=progress)
        finally:
            progress.close()
    """

    def __init__(self, stream: Optional[TextIO] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = sys.stderr if stream is None else stream
        self._clock = clock
        self._bar: Any = None
        self._shown_at: Optional[float] = None

    def __call__(self, sent: int, confirmed: int, total: int) -> None:
        if sent == 0:
            self._start(total)
        elif self._bar is not None:
            self._bar.update(sent - self._bar.n)
            self._bar.set_postfix(confirmed=confirmed, refresh=False)
        elif (sent == total
              or self._clock() - (self._shown_at or 0) >= PROGRESS_SECONDS):
            self._line(sent, confirmed, total)

    def _start(self, total: int) -> None:
        if self._bar is None and self._stream.isatty():
            try:
                from tqdm import tqdm
            except ImportError:
                pass
            else:
                self._bar = tqdm(total=total, unit=' grades', desc='sending',
                                 file=self._stream, leave=False,
                                 mininterval=0)
                return
        self._stream.write('pylmod: sending {0} grades\n'.format(total))
        self._shown_at = self._clock()

    def _line(self, sent: int, confirmed: int, total: int) -> None:
        self._stream.write('pylmod: sent {0} of {1} grades ({2} '
                           'confirmed)\n'.format(sent, total, confirmed))
        self._shown_at = self._clock()

    def close(self) -> None:
        """End the bar (it is erased: the summary follows)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
