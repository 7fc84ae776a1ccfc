"""What the Open edX bridge repeats, and what it never does.

The policy is data (a :class:`urllib3.util.Retry`, built by
:func:`pylmod._transport.retry.build_retry` and mounted with
:func:`retry_adapter`), chosen so that **no learner is written twice**:

* a request whose connection failed is repeated, whatever its verb: it
  cannot have reached Open edX;
* **429** is repeated, whatever the verb, after the ``Retry-After`` Open edX
  asks for: DRF checks throttles before the view runs, so a throttled write
  wrote nothing.  When Open edX asks for longer than
  :attr:`OpenEdxRetry.retry_after_cap`, the bridge does not wait: the 429
  reaches the client, which raises
  :class:`~pylmod.openedx.errors.OpenEdxThrottled` saying how long Open edX
  asked for;
* reads (GET) are also repeated after a read timeout, a dropped connection
  and 502/503/504;
* writes (POST, PATCH, PUT) are **not** repeated once they may have reached
  Open edX (a read timeout, a dropped connection, 5xx): their outcome is
  unknown and the learners are reported ``unconfirmed``.  PUT and PATCH set
  a status, so a repeat would land on the same state, but it would be a
  second write of the learner (a second audit record, a second email); a
  repeated POST would even be answered ``conflict`` for learners the first
  one created.  Look, then write again (a re-run of the roster sync reads
  the current state first and sends only the difference).

Every call of the bridge has a deadline (see :mod:`pylmod._transport.bounds`):
the time left bounds every wait (:meth:`OpenEdxRetry.longest_wait`), and a
``Retry-After`` longer than it ends the call at once with
:class:`~pylmod.openedx.errors.OpenEdxThrottled` (:func:`throttled_error`)
saying what Open edX asked.
"""
from typing import Any, Optional, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError

from pylmod._transport import (
    DeadlineAdapter,
    LmodRetry,
    build_retry,
    current_bounds,
    retry_after_seconds,
)
from pylmod.openedx.errors import OpenEdxThrottled

#: The status of a throttled request.
TOO_MANY_REQUESTS = 429
#: Connections kept per host: at least the workers of a write.
DEFAULT_POOL_SIZE = 10


_OpenEdxRetryType = TypeVar('_OpenEdxRetryType', bound='OpenEdxRetry')


class OpenEdxRetry(LmodRetry):
    """:class:`pylmod._transport.retry.LmodRetry` that repeats a 429 for every
    verb and gives up, instead of waiting less than asked, when
    ``Retry-After`` is longer than :attr:`retry_after_cap`."""

    def longest_wait(self) -> float:
        """The longest ``Retry-After`` honoured, in seconds:
        :attr:`retry_after_cap`, or the time left before the deadline of
        the call in progress if that is shorter."""
        bounds = current_bounds()
        if bounds is None:
            return self.retry_after_cap
        return max(0.0, min(self.retry_after_cap, bounds.left()))

    def is_retry(self, method: str, status_code: int,
                 has_retry_after: bool = False) -> bool:
        """Repeat a 429 whatever the verb; else as :class:`LmodRetry`."""
        if status_code == TOO_MANY_REQUESTS:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def increment(self: _OpenEdxRetryType, method: Optional[str] = None,
                  url: Optional[str] = None, response: Any = None,
                  error: Optional[Exception] = None, _pool: Any = None,
                  _stacktrace: Any = None) -> _OpenEdxRetryType:
        """Count a retry; refuse one whose ``Retry-After`` is longer than
        :meth:`longest_wait` (urllib3 then returns that response)."""
        if response is not None and response.status == TOO_MANY_REQUESTS:
            asked = self.asked_wait(response)
            longest = self.longest_wait()
            if asked is not None and asked > longest:
                bounds = current_bounds()
                if bounds is not None and longest < self.retry_after_cap:
                    bounds.gave_up = (
                        'it asks to wait {0:g} s (Retry-After), longer than '
                        'the {1:.1f} s the deadline of {2:g} s leaves'.format(
                            asked, longest, bounds.seconds))
                raise MaxRetryError(_pool, url, ResponseError(
                    'Retry-After {0:g} s is longer than {1:g} s'.format(
                        asked, longest)))
        return super().increment(method, url, response, error, _pool,
                                 _stacktrace)


def throttled_error(what: str, response: requests.Response,
                    gave_up: str = '') -> OpenEdxThrottled:
    """The error of a 429 that reached the client: its ``Retry-After`` was
    longer than the bridge waits (``gave_up`` says why, when the deadline
    decided), or the retries ran out."""
    asked = retry_after_seconds(response)
    longest = OpenEdxRetry.retry_after_cap
    why = gave_up or (
        'it asks to wait {0:g} s (Retry-After), longer than the {1:g} s '
        'pylmod waits'.format(asked, longest)
        if asked is not None and asked > longest
        else 'still, after the retries')
    return OpenEdxThrottled(
        '{0}: Open edX answered HTTP 429 Too Many Requests: {1}; nothing '
        'was written by this request, try again later'.format(what, why),
        response, asked)


def retry_adapter(retries: int = 3,
                  pool_size: int = DEFAULT_POOL_SIZE) -> HTTPAdapter:
    """Return the adapter of the bridge's sessions: :class:`OpenEdxRetry`
    (see the module docstring for what is repeated) with a capped backoff,
    and a connection pool of ``pool_size`` per host (at least the workers
    of a concurrent write, so that none waits for a connection).  It is a
    :class:`pylmod._transport.adapters.DeadlineAdapter`: no read of an
    answer waits past the deadline of the call.

    Args:
        retries: retries of one request, all causes together.
        pool_size: connections kept per host.
    """
    policy = build_retry(
        retries, allowed_methods={'GET'}, backoff_factor=0.1,
        # TLS and certificate errors, among the others: repeating cannot
        # help.
        other=0)
    retry = OpenEdxRetry(**{name: getattr(policy, name) for name in (
        'total', 'other', 'allowed_methods', 'status_forcelist',
        'backoff_factor', 'respect_retry_after_header', 'raise_on_status')})
    return DeadlineAdapter(max_retries=retry, pool_connections=pool_size,
                           pool_maxsize=pool_size)
