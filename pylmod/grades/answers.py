"""``multiGrades``: the entries, and what LMod's answers mean.

One ``multiGrades`` request sends an array of grade entries (built by
:func:`multigrade_entry`); LMod answers with the grades it did *not* store
(``data.numFailures`` and ``data.results``).
:func:`classify_multigrade_response` is the one place that decides what an
answer says about each grade; :class:`pylmod.grades.batches.BatchSender`
sends the batches.
"""
from __future__ import annotations

from typing import (
    Any,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

import requests

from pylmod.answer import http_status_of, json_kind, server_message
from pylmod.exceptions import PyLmodBadResponse

# Outcomes of one grade.
CONFIRMED = 'confirmed'      #: LMod stored it.
FAILED = 'failed'            #: LMod answered that it did not store it.
UNCONFIRMED = 'unconfirmed'  #: Sent, but the answer was lost: unknown.
NOT_SENT = 'not sent'        #: Never sent (an earlier request failed).
DRY_RUN = 'dry run'          #: Not sent because of ``dry_run``.
#: ``(status, message)`` of a grade LMod stored.
CONFIRMED_STATUS = (CONFIRMED, '')
#: Every outcome, in the order reports list them.
STATUSES = (CONFIRMED, FAILED, UNCONFIRMED, NOT_SENT, DRY_RUN)
#: The message of the grades after a request that failed.
NOT_SENT_AFTER_FAILURE = 'not sent: an earlier request failed'
#: Why a grade was not sent when Ctrl-C or SIGTERM stopped the upload.
NOT_SENT_INTERRUPTED = 'not sent: interrupted'

#: Errors after which a request may or may not have reached LMod.
AMBIGUOUS_ERRORS = (requests.RequestException, PyLmodBadResponse)

#: ``mode`` of an entry: the grade of an assignment, or the student's
#: overall (letter) grade.
ASSIGNMENT_GRADE_MODE = 2
OVERALL_GRADE_MODE = 1



def multigrade_entry(student_id: Any, assignment_id: Any, value: Any,
                     approved: bool = False, overall: bool = False
                     ) -> Dict[str, Any]:
    """Return one entry of a ``multiGrades`` array (see
    :ref:`shape-multigrade`).

    The keys are in the order of PyLmod 1.0.x.  (The spreadsheet upload
    writes the same dictionary inline in its loop over cells, where a call
    per grade would cost a tenth of its time; a test keeps the two equal.)

    Args:
        student_id: the ``studentId``.
        assignment_id: the ``assignmentId`` (``None`` for an overall grade).
        value: the number (``numericGradeValue``), or with ``overall`` the
            letter (``letterGradeValue``).
        approved: ``isGradeApproved``.
        overall: the student's overall grade (``mode`` 1) rather than the
            grade of an assignment (``mode`` 2).

    Example:

    .. code-block:: python

        multigrade_entry(1145, 16708850, 88.0)
        # {'studentId': 1145, 'assignmentId': 16708850,
        #  'numericGradeValue': 88.0, 'mode': 2, 'isGradeApproved': False}
        multigrade_entry(1145, None, 'A', overall=True)
        # {'studentId': 1145, 'assignmentId': None, 'letterGradeValue': 'A',
        #  'mode': 1, 'isGradeApproved': False}
    """
    if overall:
        return {'studentId': student_id, 'assignmentId': assignment_id,
                'letterGradeValue': value, 'mode': OVERALL_GRADE_MODE,
                'isGradeApproved': approved}
    return {'studentId': student_id, 'assignmentId': assignment_id,
            'numericGradeValue': value, 'mode': ASSIGNMENT_GRADE_MODE,
            'isGradeApproved': approved}


class _Answer:
    """The parts of a ``multiGrades`` answer that say what was stored:
    the HTTP status (``None``: unknown, a stand-in's answer), ``status``,
    LMod's message, ``data`` (``None``: not an object), ``numFailures`` as
    written and as a number (``None``: absent or unreadable), ``results``
    (``None``: not a list), whether ``status`` is 1 and whether LMod said
    it failed (``status`` -1, or HTTP 4xx)."""

    def __init__(self, response: Mapping[str, Any]) -> None:
        self.http_status = http_status_of(response)
        self.status = response.get('status')
        self.message = server_message(response)
        data = response.get('data')
        self.data = data if isinstance(data, Mapping) else None
        self.num_failures = (self.data or {}).get('numFailures')
        self.failures = _count(self.num_failures)
        results = (self.data or {}).get('results', [])
        self.results = results if isinstance(results, list) else None
        self.succeeded = self.status in (1, '1')
        self.refused = self.status in (-1, '-1') or 400 <= (
            self.http_status or 0) < 500


def _whole_answer(answer: _Answer) -> Optional[Tuple[str, str]]:
    """The outcome of every grade of an answer that says nothing grade by
    grade: an HTTP status other than 2xx, or no success and no list
    (``None``: the answer is read grade by grade)."""
    said = ': ' + answer.message if answer.message else ''
    if not 200 <= (answer.http_status or 200) < 300:
        return (FAILED if answer.refused else UNCONFIRMED,
                'LMod answered HTTP {0}{1}'.format(answer.http_status, said))
    if answer.results or answer.succeeded:
        return None
    if answer.refused:
        return FAILED, answer.message or 'request failed'
    return UNCONFIRMED, 'LMod answered without its success shape (status ' \
        '{0!r}{1})'.format(answer.status, said)


def classify_multigrade_response(
        grades: Sequence[Mapping[str, Any]], response: Any,
) -> List[Tuple[str, str]]:
    """Return ``(status, message)`` for each grade sent in one
    ``multiGrades`` request, from LMod's response.

    Only an HTTP 2xx answer of LMod's success shape confirms a grade:
    ``status`` 1 and ``data`` whose ``numFailures`` the grades listed in
    ``data.results`` account for; those listed are :data:`FAILED`, the
    others :data:`CONFIRMED`.  Anything else confirms nothing:

    * another HTTP status: :data:`FAILED` for a 4xx (LMod refused the
      request), :data:`UNCONFIRMED` for the others (a 5xx may come after
      some grades were stored);
    * ``status`` -1 without a list of failures: :data:`FAILED` (LMod said
      none was stored), with LMod's message;
    * no ``status`` 1 (``{}``, ``{"data": null}``, a list …):
      :data:`UNCONFIRMED`;
    * ``numFailures`` absent or unreadable, failures that name no grade
      sent, a count the list does not match, or a failing ``status``
      beside listed failures: the grades not listed are
      :data:`UNCONFIRMED`, with the reason.

    The HTTP status is that of an :class:`~pylmod.answer.AnswerDict` (what
    :meth:`pylmod.GradeBook.multi_grade` returns); a plain ``dict`` (a
    stand-in's) is judged by its body alone.

    Example:

    .. code-block:: python

        classify_multigrade_response(
            grades, {'status': 1, 'data': {'numFailures': 0, 'results': []}})
        # [('confirmed', ''), ('confirmed', ''), ...]
    """
    if not isinstance(response, Mapping):
        return [(UNCONFIRMED, 'LMod answered {0}, not an object'.format(
            json_kind(response)))] * len(grades)
    answer = _Answer(response)
    whole = _whole_answer(answer)
    if whole is not None:
        return [whole] * len(grades)
    outcomes, identified, unmatched = _listed_failures(
        grades, answer.results or [])
    doubt = _doubt_about_the_rest(answer, identified, unmatched)
    if doubt is None:
        return outcomes
    return [(UNCONFIRMED, doubt) if outcome == CONFIRMED_STATUS else outcome
            for outcome in outcomes]


def _grade_key(entry: Mapping[str, Any]) -> Tuple[str, str]:
    # Compared as text: LMod may write an id as a number or a string.
    return str(entry.get('studentId')), str(entry.get('assignmentId'))


def _listed_failures(grades: Sequence[Mapping[str, Any]],
                     results: List[Any]
                     ) -> Tuple[List[Tuple[str, str]], int, int]:
    """:data:`FAILED` for the grades LMod lists, confirmed for the others;
    with the number of grades identified as failed and of listed entries
    that name no grade sent."""
    if not results:
        # The usual answer: no key to build for 20,000 grades.
        return [CONFIRMED_STATUS] * len(grades), 0, 0
    sent = {_grade_key(grade) for grade in grades}
    failed: Dict[Tuple[str, str], Mapping[str, Any]] = {}
    unmatched = 0
    for entry in results:
        if isinstance(entry, Mapping) and _grade_key(entry) in sent:
            failed.setdefault(_grade_key(entry), entry)
        else:
            unmatched += 1
    outcomes = []
    for grade in grades:
        entry = failed.get(_grade_key(grade))
        if entry is None:
            outcomes.append(CONFIRMED_STATUS)
        else:
            outcomes.append((FAILED, str(
                entry.get('message') or entry.get('error') or 'rejected')))
    return outcomes, len(failed), unmatched


def _doubt_about_the_rest(answer: _Answer, identified: int,
                          unmatched: int = 0) -> Optional[str]:
    """Why the grades an answer does not list as failed are not confirmed
    (``None``: they are).

    This is the one rule of what confirms a grade: ``status`` 1, ``data``
    with a ``numFailures`` that the listed failures account for, each
    listed failure naming a grade sent.
    """
    if not answer.succeeded:
        return 'LMod answered status {0!r}: {1}'.format(answer.status,
                                                         answer.message)
    if answer.data is None:
        return "LMod's answer has status 1 but no data"
    if answer.results is None:
        return "LMod's data.results is not a list"
    if unmatched:
        return ('LMod listed {0} failures that name no grade sent'
                .format(unmatched))
    if answer.failures is None:
        return ('LMod did not say how many grades failed (numFailures '
                '{0!r})'.format(answer.num_failures))
    if answer.failures != identified:
        return 'LMod reported {0} failures and identified {1}'.format(
            answer.num_failures, identified)
    return None


def _count(value: Any) -> Optional[int]:
    """``numFailures`` as a number (``None``: absent or unreadable)."""
    try:
        return None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None


def merge_multigrade_responses(responses: Sequence[Any]) -> Dict[str, Any]:
    """Merge the responses of several ``multiGrades`` requests into one of
    the same shape: ``numFailures`` summed, ``results`` concatenated, and
    the first failing ``status``/``message`` kept.  A single response is
    returned as it is."""
    if len(responses) == 1:
        return responses[0]
    merged: Dict[str, Any] = {'status': 1, 'message': ''}
    num_failures = 0
    results: List[Any] = []
    for response in responses:
        if not isinstance(response, Mapping):
            continue
        if merged['status'] in (1, '1') and 'status' in response:
            merged['status'] = response['status']
            merged['message'] = response.get('message', '')
        data = response.get('data')
        if isinstance(data, Mapping):
            num_failures += _count(data.get('numFailures')) or 0
            if isinstance(data.get('results'), list):
                results.extend(data['results'])
    merged['data'] = {'numFailures': num_failures, 'results': results}
    return merged
