"""The one routine that sends grades in ``multiGrades`` batches,
:class:`BatchSender`: the spreadsheet upload and the Open edX grade push
both use it.  What each answer says is decided by
:func:`pylmod.grades.answers.classify_multigrade_response`.
"""
from __future__ import annotations

import time
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from pylmod.grades.answers import (
    CONFIRMED_STATUS,
    DRY_RUN,
    UNCONFIRMED,
    classify_multigrade_response,
    merge_multigrade_responses,
)

#: Most grades in one ``multiGrades`` request: a normal class needs one.
DEFAULT_BATCH_SIZE = 20000

#: What :class:`BatchSender` calls to tell its progress:
#: ``progress(sent, confirmed, total)``, grades sent so far (their answer
#: has come), of them confirmed, and grades to send.
Progress = Callable[[int, int, int], None]


def check_batch_size(batch_size: int) -> None:
    """Raise ValueError unless ``batch_size`` is a positive number of
    grades."""
    if batch_size < 1:
        raise ValueError('batch_size must be at least 1, got {0}'.format(
            batch_size))


def error_text(err: BaseException) -> str:
    """The message of the grades an error left unconfirmed (an interrupt
    says so in words, not as ``KeyboardInterrupt()``)."""
    if isinstance(err, KeyboardInterrupt):
        return '{0} before LMod answered'.format(str(err) or 'interrupted')
    return str(err) or repr(err)


class BatchSender:
    """Sends grades in ``multiGrades`` requests of at most ``batch_size``,
    and records what became of each one.

    It stops at the first request that raises: the grades of that request
    are :data:`UNCONFIRMED` (it may or may not have reached LMod), those
    after it are not sent, and the exception propagates.  What was done is
    in the sender's attributes, complete however :meth:`send` ends.

    Args:
        multi_grade: sends one array, e.g.
            :meth:`pylmod.GradeBook.multi_grade`.
        batch_size: most grades per request.
        dry_run: send nothing; every grade is :data:`DRY_RUN`.
        describe_error: the message of the grades an error left
            unconfirmed (default :func:`error_text`).
        statuses: the list to append the statuses to (a new one by default).
        progress: called as ``progress(sent, confirmed, total)`` before the
            first request (``sent`` 0) and after each request answered:
            ``sent`` grades have an answer, ``confirmed`` of them were
            stored, out of ``total``.  Not called in a dry run, nor for a
            request that raised.  It runs in the sending thread: keep it
            short (a progress bar, a log line).

    Attributes:
        statuses: ``(status, message)`` of each grade, in order, up to the
            last one sent; the grades past its end were not sent.
        responses: LMod's answer to each request.
        requests_sent: requests made, the one that raised included.
        seconds: time spent sending.
        error: the exception that stopped the sending, if any.
        in_flight: the grades of the request that raised (0 if none did).

    Raises:
        ValueError: ``batch_size`` is less than 1.

    Example:

    .. code-block:: python

        sender = BatchSender(gradebook.multi_grade, batch_size=5000)
        try:
            sender.send(entries)
        finally:
            print(sender.requests_sent, sender.statuses[:3])
    """

    def __init__(self,
                 multi_grade: Callable[[Sequence[Mapping[str, Any]]], Any],
                 batch_size: int = DEFAULT_BATCH_SIZE, *,
                 dry_run: bool = False,
                 describe_error: Callable[[BaseException], str] = error_text,
                 statuses: Optional[List[Tuple[str, str]]] = None,
                 progress: Optional[Progress] = None) -> None:
        check_batch_size(batch_size)
        self.multi_grade = multi_grade
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.describe_error = describe_error
        self.statuses: List[Tuple[str, str]] = (
            statuses if statuses is not None else [])
        self.responses: List[Any] = []
        self.requests_sent = 0
        self.seconds = 0.0
        self.error: Optional[BaseException] = None
        self.in_flight = 0
        self.progress = progress

    def request_count(self, grades: int, at_least_one: bool = False) -> int:
        """How many requests :meth:`send` makes for ``grades`` grades."""
        if self.dry_run:
            return 0
        count = -(-grades // self.batch_size)
        return max(count, 1) if at_least_one else count

    def send(self, grades: Sequence[Mapping[str, Any]],
             at_least_one: bool = False) -> None:
        """Send ``grades``; ``at_least_one`` sends one (empty) request when
        there is no grade, as PyLmod 1.0.x did."""
        if self.dry_run:
            self.statuses.extend([(DRY_RUN, '')] * len(grades))
            return
        size = self.batch_size
        started = time.time()
        # The statuses are complete up to ``done`` once a request's answer
        # is classified; an interrupt may come between any two steps.
        done = len(self.statuses)
        counts = [0, 0]  # sent, confirmed
        self._tell(counts, len(grades))
        try:
            for number in range(self.request_count(len(grades), at_least_one)):
                batch = grades[number * size:(number + 1) * size]
                done += len(batch)
                try:
                    response = self.multi_grade(batch)
                finally:
                    self.requests_sent += 1
                self.responses.append(response)
                self.statuses.extend(
                    classify_multigrade_response(batch, response))
                self._tell(counts, len(grades), batch)
        except BaseException as err:  # an interrupt stops it half way too
            self.error = err
            self.in_flight = done - len(self.statuses)
            self.statuses.extend(
                [(UNCONFIRMED, self.describe_error(err))] * self.in_flight)
            raise
        finally:
            self.seconds += time.time() - started

    def _tell(self, counts: List[int], total: int,
              batch: Sequence[Any] = ()) -> None:
        """Call ``progress`` with the counts, after ``batch`` is answered."""
        if self.progress is None:
            return
        if batch:
            counts[0] += len(batch)
            counts[1] += self.statuses[-len(batch):].count(CONFIRMED_STATUS)
        self.progress(counts[0], counts[1], total)

    def response(self) -> Dict[str, Any]:
        """LMod's answers merged into one (see
        :func:`merge_multigrade_responses`); ``{}`` when none came."""
        if self.dry_run:
            return {'status': 1, 'message': 'dry run: not sent',
                    'data': {'numFailures': 0, 'results': []}}
        if not self.responses:
            return {}
        return merge_multigrade_responses(self.responses)
