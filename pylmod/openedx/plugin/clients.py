"""The clients of a run, built from the plugin's settings.

The flows do not raise when a write fails half way: they stop, report the
learners ``unconfirmed`` or ``not sent`` and say why in the report's
``error`` (text).  To tell a transient failure from another, a run needs
the exception itself, so its clients remember the exceptions their writes
raised (:attr:`RecordingOpenEdxClient.write_failures`,
:attr:`RecordingGradeBook.write_failures`) before the flow turns them into
a report.
"""
import logging
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Tuple, TypeVar

from pylmod.gradebook import GradeBook
from pylmod.openedx.auth import oauth_session
from pylmod.openedx.client import OpenEdxClient
from pylmod.openedx.plugin.conf import PluginConf

log = logging.getLogger(__name__)

Result = TypeVar('Result')


def _recorded(failures: List[BaseException],
              call: Callable[[], Result]) -> Result:
    try:
        return call()
    except Exception as err:
        failures.append(err)
        raise


class RecordingOpenEdxClient(OpenEdxClient):
    """An :class:`~pylmod.openedx.client.OpenEdxClient` that remembers the
    exceptions of its writes (enrollment writes and ``bulk_enroll``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: The exceptions the writes raised, oldest first.
        self.write_failures: List[BaseException] = []
        #: Learners in the writes done so far (a run's progress).
        self.learners_written = 0

    def write_enrollments(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`OpenEdxClient.write_enrollments`, recording a failure."""
        written = _recorded(self.write_failures, lambda: super(
            RecordingOpenEdxClient, self).write_enrollments(*args, **kwargs))
        self.learners_written += len(written)
        return written

    def bulk_enroll(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`OpenEdxClient.bulk_enroll`, recording a failure."""
        written = _recorded(self.write_failures, lambda: super(
            RecordingOpenEdxClient, self).bulk_enroll(*args, **kwargs))
        self.learners_written += len(written)
        return written


class RecordingGradeBook(GradeBook):
    """A :class:`~pylmod.GradeBook` that remembers the exceptions of its
    POSTs (the grade push's only POST is ``multiGrades``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: The exceptions the POSTs raised, oldest first.
        self.write_failures: List[BaseException] = []
        #: POSTs answered so far (a run's progress).
        self.posts_sent = 0
        super().__init__(*args, **kwargs)

    def post(self, service: str, data: Any) -> Any:
        """:meth:`pylmod.base.Base.post`, recording a failure."""
        answer = _recorded(self.write_failures,
                           lambda: super(RecordingGradeBook, self).post(
                               service, data))
        self.posts_sent += 1
        return answer


def gradebook_options(conf: PluginConf) -> Dict[str, Any]:
    """The keyword arguments of the run's :class:`~pylmod.GradeBook`
    (``cert_password`` is a callable: the password is read when the
    certificate is first loaded)."""
    options: Dict[str, Any] = {'verify': conf.lmod_verify}
    if conf.lmod_retries is not None:
        options['retries'] = conf.lmod_retries
    if conf.cert_password is not None:
        options['cert_password'] = conf.cert_password
    return options


@contextmanager
def run_clients(conf: PluginConf, gradebook_uuid: str
                ) -> Iterator[Tuple[RecordingOpenEdxClient,
                                    RecordingGradeBook]]:
    """Open the Open edX client and the LMod gradebook of one run; close
    them after.

    Args:
        conf: the settings.
        gradebook_uuid: the LMod gradebook (looked up: one LMod call).
    """
    session = oauth_session(conf.lms_url, conf.client_id, conf.client_secret,
                            use_edx_client=conf.use_edx_client,
                            retries=conf.openedx_retries,
                            workers=conf.workers)
    try:
        client = RecordingOpenEdxClient(session, conf.lms_url,
                                        page_size=conf.page_size,
                                        workers=conf.workers)
        with RecordingGradeBook(conf.lmod_cert, conf.lmod_url,
                                gbuuid=gradebook_uuid,
                                **gradebook_options(conf)) as gradebook:
            yield client, gradebook
    finally:
        session.close()
