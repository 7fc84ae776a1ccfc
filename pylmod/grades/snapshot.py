"""Snapshots: the grades LMod held before an upload changed them.

Before the first grade of an upload is sent (and before any assignment is
created), the pre-image of every grade it is about to send is written to a
snapshot file: the gradebook (uuid and id) and LMod's URL, then per grade
the student (id and email), the assignment (id and name; the id is
``null`` for an assignment the upload creates), the value LMod held
(``null``: none) and its approval, the value sent and its approval, and
when the old value was read.  The file is flushed and fsynced before the
first request, is readable by its owner only (mode 0600: grades are
protected student records), and is never overwritten.  A snapshot that
cannot be written stops the upload before it changes anything.

Ctrl-C, SIGTERM or a crash after that point leaves a snapshot that undoes
whatever went through: :func:`pylmod.grades.rollback.rollback` restores a
grade only where LMod still holds what the upload wrote.

The file is JSON (:data:`SNAPSHOT_FORMAT`, :data:`SNAPSHOT_VERSION`), with
a SHA-256 checksum of its content: a damaged or hand-edited snapshot is a
:class:`~pylmod.exceptions.PyLmodSnapshotError`, never a half-read one.
Its ``grades`` are columns (``student_id``, ``email``, ``assignment_id``,
``assignment``, ``old``, ``old_approved``, ``new``, ``new_approved``: one
list each, a grade per index) and ``read_at`` says when the old values
were read (one read for all): half a million grades are written in a
second, not ten.
By default snapshots go to ``$XDG_DATA_HOME/pylmod/snapshots`` (or
``~/.local/share/pylmod/snapshots``), named for the gradebook and the time
(:func:`default_snapshot_path`).
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, NamedTuple, Optional, Sequence, Tuple

from pylmod.exceptions import PyLmodSnapshotError

#: The ``format`` of a snapshot file.
SNAPSHOT_FORMAT = 'pylmod-grade-snapshot'
#: The version of the format written (and the only one read).
SNAPSHOT_VERSION = 1
#: What a snapshot is the pre-image of.
UPLOAD, ROLLBACK = 'upload', 'rollback'
#: The directory of snapshots under the data home.
SNAPSHOT_DIRECTORY = os.path.join('pylmod', 'snapshots')


class SnapshotGrade(NamedTuple):
    """One grade of a snapshot (a named tuple: a snapshot may hold half a
    million).

    Attributes:
        student_id: the ``studentId``.
        email: the student's email.
        assignment_id: the ``assignmentId`` (``None``: an assignment the
            upload created; a rollback finds it by name).
        assignment: the assignment's name.
        old: the number LMod held before (``None``: none).
        old_approved: whether it was approved (``None``: no grade).
        new: the number sent.
        new_approved: ``isGradeApproved`` sent.
        time: when ``old`` was read (ISO 8601, UTC).
    """

    student_id: Any
    email: str
    assignment_id: Any
    assignment: str
    old: Optional[float]
    old_approved: Optional[bool]
    new: float
    new_approved: bool
    time: str


@dataclass(frozen=True)
class Snapshot:
    """A snapshot: whose grades, and what they were.

    Attributes:
        gradebook_uuid: the gradebook's uuid (``None`` when the client was
            bound by id).
        gradebook_id: the gradebook's id.
        lmod_url: the LMod gradebook service the grades were sent to.
        kind: :data:`UPLOAD` or :data:`ROLLBACK`.
        created: when it was written (ISO 8601, UTC).
        grades: the grades, in the order sent.
    """

    gradebook_uuid: Optional[str]
    gradebook_id: Any
    lmod_url: str
    kind: str
    created: str
    grades: Tuple[SnapshotGrade, ...]


def utc_text(seconds: float) -> str:
    """A time as ISO 8601 UTC text, e.g. ``2026-12-06T14:30:05.123456Z``."""
    return datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def default_snapshot_path(gradebook: Any, seconds: float,
                          environ: Optional[Mapping[str, str]] = None
                          ) -> str:
    """The default file of a snapshot: in the XDG data home, named for the
    gradebook (its uuid or id) and the time.

    Example:

    .. code-block:: python

        default_snapshot_path('STELLAR:/project/x', 1796571005.0)
        # '~/.local/share/pylmod/snapshots/'
        # 'STELLAR-project-x-20261206T143005.000000Z.json' (expanded)
    """
    environ = os.environ if environ is None else environ
    data_home = environ.get('XDG_DATA_HOME') or os.path.join(
        os.path.expanduser('~'), '.local', 'share')
    label = re.sub(r'[^A-Za-z0-9._-]+', '-', str(gradebook)).strip('-.')
    stamp = datetime.datetime.fromtimestamp(
        seconds, datetime.timezone.utc).strftime('%Y%m%dT%H%M%S.%fZ')
    return os.path.join(data_home, SNAPSHOT_DIRECTORY,
                        '{0}-{1}.json'.format(label or 'gradebook', stamp))


def _canonical(document: Mapping[str, Any]) -> str:
    """The text the checksum is of: the document without its checksum, as
    compact JSON with sorted keys."""
    return json.dumps({key: value for key, value in document.items()
                       if key != 'checksum'}, sort_keys=True,
                      separators=(',', ':'), ensure_ascii=True)


def _checksum(text: str) -> str:
    return 'sha256:' + hashlib.sha256(text.encode('ascii')).hexdigest()


#: The columns of a snapshot's ``grades``.
COLUMNS = SnapshotGrade._fields[:-1]


def snapshot_document(snapshot: Snapshot) -> Dict[str, Any]:
    """The JSON document of a snapshot (without its checksum)."""
    grades = snapshot.grades
    columns = (list(zip(*grades)) if grades
               else [()] * len(SnapshotGrade._fields))
    return {
        'format': SNAPSHOT_FORMAT, 'version': SNAPSHOT_VERSION,
        'kind': snapshot.kind, 'created': snapshot.created,
        'gradebook_uuid': snapshot.gradebook_uuid,
        'gradebook_id': snapshot.gradebook_id,
        'lmod_url': snapshot.lmod_url,
        'read_at': grades[0].time if grades else snapshot.created,
        'grades': {name: list(column)
                   for name, column in zip(COLUMNS, columns)}}


def write_snapshot(path: str, snapshot: Snapshot) -> str:
    """Write a snapshot to a new file, flushed and fsynced, mode 0600.

    The directory is made (mode 0700) when missing; an existing file is
    never overwritten.  The file is one line of JSON (sorted keys), its
    ``checksum`` last.

    Returns:
        str: the path written.

    Raises:
        PyLmodSnapshotError: the file cannot be written (it exists, the
            directory cannot be made, the disk is full ...); what was
            written of it is removed.
    """
    text = _canonical(snapshot_document(snapshot))
    data = '{0},"checksum":"{1}"}}\n'.format(
        text[:-1], _checksum(text)).encode('ascii')
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o600)
    except OSError as err:
        raise PyLmodSnapshotError(
            'cannot write the snapshot {0}: {1}; nothing was sent'.format(
                path, err.strerror or err)) from err
    try:
        with os.fdopen(descriptor, 'wb') as snapshot_file:
            os.fchmod(snapshot_file.fileno(), 0o600)
            snapshot_file.write(data)
            snapshot_file.flush()
            os.fsync(snapshot_file.fileno())
        _fsync_directory(directory)
    except OSError as err:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise PyLmodSnapshotError(
            'cannot write the snapshot {0}: {1}; nothing was sent'.format(
                path, err.strerror or err)) from err
    return path


def _fsync_directory(directory: str) -> None:
    """Make the new file's name durable too (where the system allows)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def read_snapshot(path: str) -> Snapshot:
    """Read a snapshot written by :func:`write_snapshot`.

    Raises:
        PyLmodSnapshotError: the file cannot be read, is not a snapshot,
            is of another version, or was damaged or edited (its checksum
            does not match); the message names the file and what is wrong.
    """
    def broken(problem: str) -> PyLmodSnapshotError:
        return PyLmodSnapshotError(
            '{0} is not a usable pylmod snapshot: {1}; nothing was '
            'sent'.format(path, problem))

    try:
        with open(path, encoding='utf-8') as snapshot_file:
            document = json.load(snapshot_file)
    except OSError as err:
        raise PyLmodSnapshotError('cannot read the snapshot {0}: {1}'.format(
            path, err.strerror or err)) from err
    except ValueError as err:  # not JSON, or not UTF-8
        raise broken('it is not JSON ({0})'.format(err)) from err
    return _checked(document, broken)


def snapshot_data(snapshot: Snapshot) -> Dict[str, Any]:
    """A snapshot as JSON-able data with its checksum: what a snapshot
    file holds, for keeping it elsewhere (e.g. in a database row, as the
    Open edX plugin does).  :func:`snapshot_from_data` reads it back.
    """
    document = snapshot_document(snapshot)
    document['checksum'] = _checksum(_canonical(document))
    return document


def snapshot_from_data(document: Any, where: str) -> Snapshot:
    """Read a snapshot kept by :func:`snapshot_data` (checked as
    :func:`read_snapshot` checks a file).

    Args:
        document: the data.
        where: what it is, for messages (e.g. ``'run 12's pre-image'``).

    Raises:
        PyLmodSnapshotError: as :func:`read_snapshot`, naming ``where``.
    """
    def broken(problem: str) -> PyLmodSnapshotError:
        return PyLmodSnapshotError(
            '{0} is not a usable pylmod snapshot: {1}; nothing was '
            'sent'.format(where, problem))

    return _checked(document, broken)


def _checked(document: Any, broken: Any) -> Snapshot:
    if not isinstance(document, dict) or document.get(
            'format') != SNAPSHOT_FORMAT:
        raise broken('it has no "format": "{0}"'.format(SNAPSHOT_FORMAT))
    if document.get('version') != SNAPSHOT_VERSION:
        raise broken('it is version {0!r}; this pylmod reads version '
                     '{1}'.format(document.get('version'), SNAPSHOT_VERSION))
    if document.get('checksum') != _checksum(_canonical(document)):
        raise broken('its checksum does not match its content (damaged or '
                     'edited by hand)')
    return _snapshot_of(document, broken)


def _snapshot_of(document: Mapping[str, Any], broken: Any) -> Snapshot:
    grades = document.get('grades')
    if not isinstance(grades, dict) or set(grades) != set(COLUMNS):
        raise broken('"grades" is not the columns {0}'.format(
            ', '.join(COLUMNS)))
    columns = [grades[name] for name in COLUMNS]
    if not all(isinstance(column, list) for column in columns) or len(
            {len(column) for column in columns}) != 1:
        raise broken('the columns of "grades" are not lists of one length')
    for key in ('gradebook_id', 'lmod_url', 'kind', 'created', 'read_at'):
        if document.get(key) is None:
            raise broken('it has no {0!r}'.format(key))
    read_at = document['read_at']
    return Snapshot(document.get('gradebook_uuid'), document['gradebook_id'],
                    document['lmod_url'], document['kind'],
                    document['created'], tuple(
                        SnapshotGrade(*grade, read_at)  # type: ignore
                        for grade in zip(*columns)))


def snapshot_of_grades(gradebook: Any, kind: str,
                       grades: Sequence[SnapshotGrade],
                       seconds: float) -> Snapshot:
    """A :class:`Snapshot` of ``grades`` for a gradebook client (its
    ``gradebook_id``, ``gradebook_uuid`` when it has one, and
    ``urlbase``)."""
    return Snapshot(getattr(gradebook, 'gradebook_uuid', None),
                    getattr(gradebook, 'gradebook_id', None),
                    str(getattr(gradebook, 'urlbase', '')), kind,
                    utc_text(seconds), tuple(grades))
