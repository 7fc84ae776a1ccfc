"""Faults the fake servers can inject into their next answers.

Both fakes (:class:`~pylmod.testing.LmodServer` and
:class:`~pylmod.testing.fake_openedx.FakeOpenEdx`) keep their faults in a
:class:`FaultQueue`.  Each fault applies to the next ``count`` requests
whose path starts with its ``path_prefix`` (any request when that is
``None``) and, when it names one, whose verb is its ``method``.  Which path
is compared is the server's choice: the fake LMod compares the path relative
to the service root (``multiGrades/1293808``), the fake Open edX the path
from the site root (``/api/program_enrollments/...``).  Faults are taken in
the order they were added, one per request.
"""
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

#: The kinds of fault: answer an error without processing (``fail``),
#: process then answer late (``delay``), close the connection without an
#: answer (``drop``), answer a body that is not JSON (``non_json``),
#: answer a JSON body and headers of the test's choosing, a redirect among
#: them (``answer``), send the answer a byte at a time (``drip``), send a
#: huge body, maybe gzipped (``huge``), carry the request out late, after
#: the client gave up (``late_commit``), hold the request until the test
#: releases it, then carry it out (``hold``).
FAULT_KINDS = ('fail', 'delay', 'drop', 'non_json', 'answer', 'drip', 'huge',
               'late_commit', 'hold')


@dataclass
class Fault:
    """One injected fault (see :meth:`pylmod.testing.LmodServer.fail_next`
    and its siblings for what each kind does)."""

    kind: str
    count: int
    path_prefix: Optional[str] = None
    status: int = 503
    retry_after: Optional[float] = None
    seconds: float = 0.0
    after_processing: bool = False
    body: str = ''
    method: Optional[str] = None
    answer: Any = None
    headers: Optional[Dict[str, str]] = None
    where: str = 'body'
    size: int = 0
    gzip: bool = False
    content_length: bool = False
    release: Any = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError('fault kind must be one of {0}, got {1!r}'.format(
                FAULT_KINDS, self.kind))
        if self.count < 0:
            raise ValueError('count must be 0 or more, got {0}'.format(
                self.count))

    def applies_to(self, path: str, method: Optional[str] = None) -> bool:
        """True if this fault applies to a ``method`` request for ``path``."""
        return ((self.path_prefix is None or path.startswith(self.path_prefix))
                and self.method in (None, method))


class FaultQueue:
    """The faults waiting for requests; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: List[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            if fault.count:
                self._faults.append(fault)

    def take(self, path: str, method: Optional[str] = None
             ) -> Optional[Fault]:
        """Return the fault for a request (counting it), or ``None``."""
        with self._lock:
            for fault in self._faults:
                if fault.applies_to(path, method):
                    fault.count -= 1
                    if not fault.count:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._faults.clear()
