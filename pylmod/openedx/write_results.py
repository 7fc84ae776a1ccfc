"""What an Open edX enrollment write answered, learner by learner.

An enrollment write (``POST``/``PATCH``/``PUT`` of at most 25 learners) is
answered 200 (all ok), 207 (some) or 422 (none) with ``{student_key:
result}``.  :func:`learner_results` reads that answer into one
:class:`LearnerResult` per learner sent: a learner the answer does not
account for (missing, or an answer that is not an object) is not ok and
not answered, so that reports call it ``unconfirmed``, never
``confirmed``.  :func:`chunk_error` is the error of a write some of whose
chunks failed; :func:`bulk_enroll_outcome` reads one ``bulk_enroll``
result.
"""
import warnings
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from pylmod.grades import CONFIRMED, FAILED, UNCONFIRMED
from pylmod.openedx.endpoints import STUDENT_KEY
from pylmod.openedx.errors import OpenEdxHTTPError
from pylmod.openedx.pool import ChunkOutcome

#: The result of a learner an answer does not account for.
MISSING = 'missing from the response'


@dataclass
class LearnerResult:
    """What Open edX answered for one learner of an enrollment write.

    Attributes:
        key: the ``student_key`` sent.
        result: the status Open edX answered for it (``enrolled``,
            ``conflict``, ...), or why there is none.
        ok: True when ``result`` is one of the endpoint's success statuses.
        http_status: the status of the response that carried it.
        answered: False when the answer does not account for the learner
            (missing from it, or not an object): the write's outcome for
            them is unknown.
    """

    key: str
    result: str
    ok: bool
    http_status: int
    answered: bool = True


def learner_results(ok_results: Sequence[str], chunk: Sequence[Any],
                    key_field: str, status: int,
                    body: Any) -> List[LearnerResult]:
    """One :class:`LearnerResult` per item of an answered chunk: Open edX's
    answer maps each ``student_key`` sent to its result."""
    answer: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    results = []
    for item in chunk:
        key = str(item.get(key_field))
        result = answer.get(key)
        if result is None:
            results.append(LearnerResult(key, MISSING, False, status,
                                         answered=False))
        else:
            results.append(LearnerResult(key, str(result),
                                         result in ok_results, status))
    return results


def wire_items(items: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Enrollment items as Open edX accepts them: the learner named by
    ``student_key``.  pylmod 2.0.0 documented ``external_user_key``, which
    Open edX refuses (400): such items are renamed, with a warning."""
    wire = []
    renamed = False
    for item in items:
        if STUDENT_KEY in item or 'external_user_key' not in item:
            wire.append(dict(item))
            continue
        renamed = True
        wire.append({(STUDENT_KEY if name == 'external_user_key' else name):
                     value for name, value in item.items()})
    if renamed:
        # The documented entry points call this through write_enrollments.
        warnings.warn('enrollment items name the learner student_key; '
                      'external_user_key was renamed (Open edX refuses it)',
                      DeprecationWarning, stacklevel=4)
    return wire


def chunk_error(what: str, outcomes: Sequence[ChunkOutcome[Any]],
                answered: List[Any], key_of: Any) -> OpenEdxHTTPError:
    """The error of a chunked write that failed: the first failure, with
    what was answered (``learner_results``), what was not (``unsent``), the
    failures and the requests made."""
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    first = failed[0].error
    if isinstance(first, OpenEdxHTTPError):
        error = first
    else:
        error = OpenEdxHTTPError('{0}: {1}'.format(what, first),
                                 getattr(first, 'response', None))
    error.learner_results = answered
    error.unsent = [key_of(item) for outcome in outcomes
                    if outcome.answer is None for item in outcome.items]
    error.failures = [([key_of(item) for item in outcome.items],
                       outcome.error) for outcome in failed
                      if outcome.error is not None]
    error.requests_sent = sum(1 for outcome in outcomes if outcome.sent)
    return error


def bulk_enroll_outcome(unenrolling: bool, result: Any
                        ) -> Tuple[str, str, str]:
    """``(status, result, reason)`` of one ``bulk_enroll`` result: what the
    state ``after`` says, :data:`~pylmod.grades.UNCONFIRMED` when the
    answer has no result for the identifier (or one that cannot be read).

    Args:
        unenrolling: the action was ``unenroll``.
        result: the result for the identifier (``None``: none).
    """
    if not isinstance(result, Mapping):
        return UNCONFIRMED, '', ('missing from the bulk_enroll response'
                                 if result is None else
                                 'unreadable in the bulk_enroll response')
    if result.get('invalidIdentifier'):
        return FAILED, 'invalidIdentifier', 'Open edX: not a valid identifier'
    if result.get('error'):
        return FAILED, 'error', 'Open edX reported an error'
    before, after = (state if isinstance(state, Mapping) else {}
                     for state in (result.get('before'), result.get('after')))
    if unenrolling:
        if not after.get('enrollment') and not after.get('allowed'):
            return CONFIRMED, 'unenrolled', ''
        return FAILED, 'still enrolled', 'Open edX did not unenroll'
    if after.get('enrollment'):
        return CONFIRMED, ('already enrolled' if before.get('enrollment')
                           else 'enrolled'), ''
    if after.get('allowed'):
        return CONFIRMED, 'allowed', ''
    return FAILED, 'not enrolled', 'Open edX did not enroll'
