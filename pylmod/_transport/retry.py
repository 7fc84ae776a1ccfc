"""The retry policy of pylmod's sessions: one :class:`urllib3.util.Retry`
subclass and the one function that builds it.

The LMod clients (:meth:`pylmod.base.Base.retry_policy`) and the Open edX
bridge (:func:`pylmod.openedx.retry.retry_adapter`) build their policies
with :func:`build_retry`: retries as data, mounted on an adapter, never a
loop by hand.  The waits are capped, and bounded by the deadline of the call
in progress (:mod:`pylmod._transport.bounds`).
"""
from __future__ import annotations

import socket
from typing import Any, Collection, FrozenSet, Optional, TypeVar

import requests
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from pylmod._transport.bounds import current_bounds

#: Statuses meaning "try again later": retried, honouring ``Retry-After``.
RETRY_STATUSES: FrozenSet[int] = frozenset({429, 502, 503, 504})


_RetryType = TypeVar('_RetryType', bound='LmodRetry')


# urllib3 waits ``backoff_factor * 2 ** (n - 1)`` seconds before retry n and
# sleeps as long as a Retry-After asks: an interactive client should neither
# sleep minutes between two quick attempts nor hang for an hour because a
# proxy said so, hence the caps.
class LmodRetry(Retry):
    """The :class:`urllib3.util.Retry` of pylmod's sessions (LMod and the
    Open edX bridge, see :func:`build_retry`), with its waits capped
    (:attr:`backoff_cap`, :attr:`retry_after_cap`: subclass to change them)
    and bounded by the deadline of the call.

    Within a call that has a deadline (every call of pylmod's clients, see
    :mod:`pylmod._transport.bounds`), no retry is made whose wait would pass
    it: a ``Retry-After`` asking for longer than the time left ends the call at
    once (the answer that asked is returned, and the client raises an error
    saying what the server asked), and so does a backoff longer than the
    time left.
    """

    #: Longest pause computed from the exponential backoff, in seconds.
    backoff_cap: float = 0.5
    #: Longest pause a ``Retry-After`` header may impose, in seconds.
    retry_after_cap: float = 60.0

    def get_backoff_time(self) -> float:
        """Return the backoff pause, at most :attr:`backoff_cap` seconds."""
        return min(super().get_backoff_time(), self.backoff_cap)

    def get_retry_after(self, response: Any) -> Optional[float]:
        """Return the server's ``Retry-After``, at most
        :attr:`retry_after_cap`."""
        seconds = super().get_retry_after(response)
        if seconds is None:
            return None
        return min(seconds, self.retry_after_cap)

    def asked_wait(self, response: Any) -> Optional[float]:
        """The ``Retry-After`` of a response in seconds, uncapped
        (``None``: none)."""
        return Retry.get_retry_after(self, response)

    def beyond_deadline(self, response: Any = None) -> str:
        """Why the next attempt would end past the deadline of the call in
        progress (``''``: it would not, or there is no deadline).

        Args:
            response: the answer that is retried, if it is one.
        """
        bounds = current_bounds()
        if bounds is None:
            return ''
        left = bounds.left()
        asked = (self.asked_wait(response) if response is not None
                 and self.respect_retry_after_header else None)
        if asked is not None and asked > left:
            return ('the server asked to wait {0:g} s (Retry-After) and the '
                    'deadline of {1:g} s leaves {2:.1f} s'.format(
                        asked, bounds.seconds, max(left, 0)))
        wait = self.get_backoff_time() if asked is None else min(
            asked, self.retry_after_cap)
        if wait >= left:
            return ('the deadline of {0:g} s came ({1} attempt{2} made)'
                    .format(bounds.seconds, len(self.history),
                            '' if len(self.history) == 1 else 's'))
        return ''

    def increment(self: _RetryType, method: Optional[str] = None,
                  url: Optional[str] = None, response: Any = None,
                  error: Optional[Exception] = None, _pool: Any = None,
                  _stacktrace: Any = None) -> _RetryType:
        """Count a failed attempt; give up at once on a host name that does
        not resolve (urllib3 counts it as a connection error, but asking
        the resolver again a few milliseconds later does not help).

        Raises:
            urllib3.exceptions.MaxRetryError: the retries are exhausted, or
                the host name did not resolve.
        """
        if error is not None and is_name_resolution_failure(error):
            raise MaxRetryError(_pool, url or '', error) from error
        retry = super().increment(method, url, response, error, _pool,
                                  _stacktrace)
        beyond = retry.beyond_deadline(response)
        if beyond:
            bounds = current_bounds()
            if bounds is not None:
                bounds.gave_up = beyond
            raise MaxRetryError(_pool, url or '',
                                error or ResponseError(beyond))
        return retry


def retry_after_seconds(response: requests.Response) -> Optional[float]:
    """The seconds a response's ``Retry-After`` header asks for (``None``:
    none that can be read)."""
    header = response.headers.get('Retry-After')
    try:
        return Retry().parse_retry_after(header) if header else None
    except InvalidHeader:  # neither seconds nor an HTTP date
        return None


def is_name_resolution_failure(error: BaseException) -> bool:
    """Return True when ``error`` comes from a host name that did not
    resolve (a :class:`socket.gaierror` in its causes)."""
    seen = 0
    cause: Optional[BaseException] = error
    while cause is not None and seen < 10:
        if isinstance(cause, socket.gaierror):
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


def build_retry(
        total: int,
        *,
        allowed_methods: Collection[str],
        backoff_factor: float,
        status_forcelist: Collection[int] = RETRY_STATUSES,
        other: Optional[int] = 0,
) -> LmodRetry:
    """Return the retry policy of a pylmod session: an :class:`LmodRetry`.

    The one place pylmod configures retries.  LMod clients get theirs from
    :meth:`pylmod.base.Base.retry_policy`, the Open edX bridge from
    :func:`pylmod.openedx.retry.retry_adapter`.  Whatever the arguments,
    ``Retry-After`` is honoured (capped by :class:`LmodRetry`) and the last
    response of a retried status is returned, not raised, so that its
    status reaches the caller.

    Args:
        total: retries of a request, all causes together (connection and
            read errors, retried statuses).
        allowed_methods: the verbs retried after a read error or a retried
            status.  A connection that failed is retried whatever the verb:
            the request cannot have reached the server.
        backoff_factor: retry ``n`` waits ``backoff_factor * 2 ** (n - 1)``
            seconds, at most :attr:`LmodRetry.backoff_cap`.
        status_forcelist: the statuses retried.
        other: retries of other errors, TLS and certificate errors among
            them (0: never, as repeating cannot help; ``None``: only
            ``total`` limits them).

    Returns:
        LmodRetry: the policy, to mount with an
        :class:`requests.adapters.HTTPAdapter`.

    Example:
        >>> build_retry(3, allowed_methods={'GET'}, backoff_factor=0.1).total
        3
    """
    return LmodRetry(
        total=total,
        other=other,
        allowed_methods=frozenset(allowed_methods),
        status_forcelist=frozenset(status_forcelist),
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
