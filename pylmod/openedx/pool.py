"""Sending the chunks of a write on a bounded pool of threads.

An enrollment write (25 learners a request) or a ``bulk_enroll`` (100
identifiers a request) of a large roster is many independent requests;
:func:`send_chunks` sends them with up to ``workers`` in flight and returns
one :class:`ChunkOutcome` per chunk, **in input order**, whatever order the
answers came in.  A chunk is sent at most once: the pool never repeats one
(repeats, where safe, are the session's retry policy's business, see
:mod:`pylmod.openedx.retry`).  After the first chunk that fails no new chunk
starts; those in flight finish and are reported, the rest are reported as
not sent.  ``workers=1`` sends one after the other in the calling thread,
as before pools existed.
"""
import logging
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    List,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
)

log = logging.getLogger(__name__)

#: Requests a write keeps in flight unless told otherwise.
DEFAULT_WORKERS = 4

Answer = TypeVar('Answer')


@dataclass
class ChunkOutcome(Generic[Answer]):
    """What became of one chunk.

    Attributes:
        items: the chunk.
        answer: what ``send`` returned, when it returned.
        error: what ``send`` raised (one of the ``failures``), when it did.
        sent: ``send`` was called for it (False: not sent, because an
            earlier chunk failed).
    """

    items: Sequence[Any]
    answer: Optional[Answer] = None
    error: Optional[BaseException] = None
    sent: bool = False


def check_workers(workers: int) -> int:
    """Return ``workers`` if it is a whole number of at least 1.

    Raises:
        ValueError: it is not.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) \
            or workers < 1:
        raise ValueError('workers must be a whole number of at least 1, got '
                         '{0!r}'.format(workers))
    return workers


def send_chunks(send: Callable[[Sequence[Any]], Answer],
                chunks: Sequence[Sequence[Any]], workers: int,
                failures: Tuple[Type[BaseException], ...]
                ) -> List[ChunkOutcome[Answer]]:
    """Call ``send(chunk)`` for every chunk, ``workers`` at a time.

    Args:
        send: sends one chunk and returns its answer; thread-safe.
        chunks: the chunks, in input order.
        workers: most calls in flight (1: one after the other, in this
            thread).
        failures: the exceptions that are a chunk's failure (recorded in
            its outcome); any other is a bug and is raised once the calls
            in flight have finished.

    Returns:
        list: one :class:`ChunkOutcome` per chunk, in input order.

    Example:
        >>> outcomes = send_chunks(len, [[1, 2], [3]], 2, (ValueError,))
        >>> [outcome.answer for outcome in outcomes]
        [2, 1]
    """
    check_workers(workers)
    outcomes: List[ChunkOutcome[Answer]] = [ChunkOutcome(chunk)
                                            for chunk in chunks]
    if workers == 1 or len(chunks) <= 1:
        for outcome in outcomes:
            outcome.sent = True
            try:
                outcome.answer = send(outcome.items)
            except failures as err:
                outcome.error = err
                break
        return outcomes
    with ThreadPoolExecutor(max_workers=workers,
                            thread_name_prefix='pylmod-openedx') as pool:
        _run(pool, send, outcomes, workers, failures)
    return outcomes


def _run(pool: ThreadPoolExecutor, send: Callable[[Sequence[Any]], Any],
         outcomes: List[ChunkOutcome[Any]], workers: int,
         failures: Tuple[Type[BaseException], ...]) -> None:
    """Keep ``workers`` chunks in flight until all are sent or one
    failed, then wait for those in flight."""
    in_flight: Dict['Future[Any]', ChunkOutcome[Any]] = {}
    waiting = iter(outcomes)
    stopped = False
    unexpected: Optional[BaseException] = None
    while True:
        while not stopped and len(in_flight) < workers:
            outcome = next(waiting, None)
            if outcome is None:
                break
            outcome.sent = True
            in_flight[pool.submit(send, outcome.items)] = outcome
        if not in_flight:
            break
        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            outcome = in_flight.pop(future)
            error = future.exception()
            if error is None:
                outcome.answer = future.result()
                continue
            stopped = True
            if isinstance(error, failures):
                outcome.error = error
            else:
                unexpected = unexpected or error
    if unexpected is not None:
        raise unexpected
