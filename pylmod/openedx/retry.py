"""What the Open edX bridge repeats, and what it never does.

The policy is data (a :class:`urllib3.util.Retry`, built by
:func:`pylmod.base.build_retry` and mounted with :func:`retry_adapter`),
chosen so that **no learner is written twice**:

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

A deadline per call (a later change) plugs in at
:meth:`OpenEdxRetry.longest_wait`: the time left bounds the wait.
"""
from typing import Any, Optional, TypeVar

from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from pylmod.base import LmodRetry, build_retry

#: The status of a throttled request.
TOO_MANY_REQUESTS = 429
#: Connections kept per host: at least the workers of a write.
DEFAULT_POOL_SIZE = 10


_OpenEdxRetryType = TypeVar('_OpenEdxRetryType', bound='OpenEdxRetry')


class OpenEdxRetry(LmodRetry):
    """:class:`pylmod.base.LmodRetry` that repeats a 429 for every verb and
    gives up, instead of waiting less than asked, when ``Retry-After`` is
    longer than :attr:`retry_after_cap`."""

    def longest_wait(self) -> float:
        """The longest ``Retry-After`` honoured, in seconds."""
        return self.retry_after_cap

    def asked_wait(self, response: Any) -> Optional[float]:
        """The ``Retry-After`` of a response in seconds, uncapped
        (``None``: none)."""
        return Retry.get_retry_after(self, response)

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
            if asked is not None and asked > self.longest_wait():
                raise MaxRetryError(_pool, url, ResponseError(
                    'Retry-After {0:g} s is longer than {1:g} s'.format(
                        asked, self.longest_wait())))
        return super().increment(method, url, response, error, _pool,
                                 _stacktrace)


def retry_adapter(retries: int = 3,
                  pool_size: int = DEFAULT_POOL_SIZE) -> HTTPAdapter:
    """Return the adapter of the bridge's sessions: :class:`OpenEdxRetry`
    (see the module docstring for what is repeated) with a capped backoff,
    and a connection pool of ``pool_size`` per host (at least the workers
    of a concurrent write, so that none waits for a connection).

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
    return HTTPAdapter(max_retries=retry, pool_connections=pool_size,
                       pool_maxsize=pool_size)
