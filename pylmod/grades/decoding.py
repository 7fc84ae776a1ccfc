"""The text of a grade file: its encoding, binary file objects, and the
line of bytes that cannot be decoded.

A grade file is UTF-8 unless the caller names another encoding; a byte
order mark is ignored.  A binary file object (``io.BytesIO``, a file
opened with ``'rb'``) is read whole and decoded here.  When bytes cannot
be decoded, the error names the line that holds them: a text layer decodes
whole blocks ahead of the CSV reader, so the line it was reading is not
that line; the file is decoded again from its bytes to find it.
"""
from __future__ import annotations

import codecs
import io
import os
from typing import Any, Optional

from pylmod.exceptions import PyLmodCSVError

#: The codec of a grade file unless ``encoding`` is given: UTF-8, with or
#: without a byte order mark.
DEFAULT_CODEC = 'utf-8-sig'


def reading_codec(encoding: Optional[str]) -> str:
    """The codec to read a grade file with (UTF-8 is read as
    :data:`DEFAULT_CODEC`, so that a byte order mark is ignored).

    Raises:
        PyLmodCSVError: Python has no such encoding.
    """
    if encoding is None:
        return DEFAULT_CODEC
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise PyLmodCSVError(
            'unknown encoding {0!r}: give one Python knows, e.g. utf-8, '
            'cp1252 or latin-1'.format(encoding)) from None
    return DEFAULT_CODEC if name in ('utf-8', DEFAULT_CODEC) else encoding


def encoding_name(codec: Optional[str]) -> str:
    """``'UTF-8'`` for the UTF-8 codecs, else the codec's name."""
    if codec is None or codecs.lookup(codec).name in ('utf-8',
                                                      DEFAULT_CODEC):
        return 'UTF-8'
    return codec


def decode_error(line: int, err: UnicodeDecodeError) -> PyLmodCSVError:
    """The error of bytes on ``line`` that ``err`` could not decode."""
    return PyLmodCSVError(
        'line {0} is not valid {1} ({2}); if the file has another '
        "encoding, give it (encoding='cp1252', for one)".format(
            line, encoding_name(err.encoding), _reason(err)))


def _reason(err: UnicodeDecodeError) -> str:
    return 'byte 0x{0:02x}: {1}'.format(err.object[err.start], err.reason)


def line_of_bad_bytes(data: bytes, codec: str) -> Optional[PyLmodCSVError]:
    """The error naming the first line of ``data`` that ``codec`` cannot
    decode (``None``: it all decodes)."""
    if codec == DEFAULT_CODEC:
        codec = 'utf-8'
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
    try:
        data.decode(codec)
    except UnicodeDecodeError as err:
        before = data[:err.start].decode(codec)
        # The CSV reader ends a line at \n, \r or \r\n.
        line = (before.count('\n') + before.count('\r')
                - before.count('\r\n') + 1)
        return decode_error(line, err)
    return None


def is_binary(csv_file: Any) -> bool:
    """True for a file object that reads bytes."""
    if isinstance(csv_file, io.TextIOBase):
        return False
    if isinstance(csv_file, (io.RawIOBase, io.BufferedIOBase)):
        return True
    try:
        return isinstance(csv_file.read(0), (bytes, bytearray))
    except Exception:  # not a file's read(): take it for text
        return False


def decoded_text(binary_file: Any, codec: str) -> io.StringIO:
    """The text of a binary file object, read whole.

    Raises:
        PyLmodCSVError: bytes that ``codec`` cannot decode (naming the
            line).
    """
    data = bytes(binary_file.read())
    error = line_of_bad_bytes(data, codec)
    if error is not None:
        raise error
    return io.StringIO(data.decode(codec), newline='')


def file_name(csv_file: Any) -> Optional[str]:
    """The name of a grade file for messages: a path, or a file object's
    ``name`` when it is text (``None`` otherwise)."""
    if not hasattr(csv_file, 'read'):
        name = os.fspath(csv_file) if isinstance(
            csv_file, (str, os.PathLike)) else None
        return name if isinstance(name, str) else None
    name = getattr(csv_file, 'name', None)
    return name if isinstance(name, str) else None


def name_bad_line(path: str, codec: str, err: PyLmodCSVError) -> bool:
    """Make the message of a decoding error met reading the file at
    ``path`` name the line of the bad bytes; return whether it did."""
    cause: Optional[BaseException] = err
    while cause is not None and not isinstance(cause, UnicodeDecodeError):
        cause = cause.__cause__
    if cause is None or not os.path.isfile(path):
        return False
    with open(path, 'rb') as raw:
        exact = line_of_bad_bytes(raw.read(), codec)
    if exact is None:
        return False
    err.args = ('{0}: {1}'.format(path, exact),)
    return True
