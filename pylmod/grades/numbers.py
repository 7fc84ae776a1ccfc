"""What a grade cell is worth: numbers as a spreadsheet writes them.

A cell is a grade when, without the spaces around it, it is a number as
spreadsheets write one: an optional sign, the digits 0-9 with an optional
decimal point, and an optional exponent (``7``, ``-0.5``, ``.5``, ``1e2``,
``+3.``).  Python's :class:`float` reads more, and none of it is what a
spreadsheet means, so these are not grades, each with its reason:

* ``1_000`` (Python's digit grouping), ``١٢`` or ``１２`` (digits other
  than 0-9), ``0x1A`` (hexadecimal): not a number;
* ``nan``, ``inf``, ``Infinity``, ``1e999``: not a finite number;
* a thousands separator (``1,234.5``, ``1.234,5``, ``1 234``): not a
  number.

**Decimal commas.**  Spreadsheets of many European locales write ``1,5``
for 1.5, and then delimit their CSV files with ``;`` (or a tab).  So in a
file whose delimiter is not a comma, one comma between digits is the
decimal point (``1,5`` is 1.5, ``,5`` is 0.5).  In a comma-delimited file,
and in rows given as dictionaries (whose delimiter is not known), a comma
in a number is never read: ``"1,5"`` is not a number, as ``1,234`` might
be 1.234 or 1234.

Cells that are numbers already (``int``, ``float``, :mod:`decimal`, in rows
given as dictionaries) are grades when they are finite; ``True`` and
``False`` are not grades.
"""
from __future__ import annotations

import math
import re
from typing import Any, Optional, Tuple

#: A number as a spreadsheet writes it (after stripping spaces).
NUMBER = re.compile(r'[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)'
                    r'(?:[eE][+-]?[0-9]+)?')
#: A number with a decimal comma (read where the delimiter is not a comma).
DECIMAL_COMMA_NUMBER = re.compile(r'[+-]?[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?')

#: The reason of a cell with nothing in it (skipped, never sent as zero).
EMPTY = 'empty'
NOT_A_NUMBER = 'not a number'
NOT_FINITE = 'not a finite number'


def parse_grade(value: Any, decimal_comma: bool = False
                ) -> Tuple[Optional[float], str]:
    """Return ``(number, '')`` for a grade cell, or ``(None, reason)``.

    Empty cells are skipped (never zero); see the module for what a number
    is.

    Args:
        value: the cell (text, or a number in rows given as dictionaries).
        decimal_comma: read one comma between digits as the decimal point
            (in files delimited by ``;`` or tabs).

    Example:

    .. code-block:: python

        parse_grade(' 7.5 ')                    # (7.5, '')
        parse_grade('')                         # (None, 'empty')
        parse_grade('nan')                      # (None, 'not a finite number')
        parse_grade('1_0')                      # (None, 'not a number (...)')
        parse_grade('1,5', decimal_comma=True)  # (1.5, '')
    """
    if value is None:
        return None, EMPTY
    if not isinstance(value, str):
        # A number already (int, float, Decimal, Fraction, numpy's ...);
        # not True or False, nor bytes.
        if (hasattr(value, '__float__')
                and not isinstance(value, (bool, bytes))):
            return _finite(float(value))
        return None, NOT_A_NUMBER
    text = value.strip()
    if not text:
        return None, EMPTY
    if decimal_comma and DECIMAL_COMMA_NUMBER.fullmatch(text):
        text = text.replace(',', '.')
    if NUMBER.fullmatch(text):
        return _finite(float(text))
    return None, _why_not(text, decimal_comma)


def _finite(number: float) -> Tuple[Optional[float], str]:
    if math.isfinite(number):
        return number, ''
    return None, NOT_FINITE


def _why_not(text: str, decimal_comma: bool) -> str:
    """Why a text that is not a spreadsheet number is not one."""
    try:
        number: Optional[float] = float(text)
    except ValueError:
        number = None
    if number is not None and not math.isfinite(number):
        return NOT_FINITE
    if ',' in text:
        return NOT_A_NUMBER + (
            ' (a comma is a decimal point only between digits, once; no '
            'thousands separators)' if decimal_comma else
            ' (a decimal comma is read only in files delimited by ";" or '
            'tabs; write 1.5)')
    if number is None:
        return NOT_A_NUMBER
    if '_' in text:
        return NOT_A_NUMBER + " (a spreadsheet number has no '_')"
    return NOT_A_NUMBER + ' (digits other than 0-9)'
