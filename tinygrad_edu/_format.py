"""Text and numbers for people: shared by explain, train, viz and the command line."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["count", "number", "table"]


def number(x: float | None, digits: int = 12) -> str:
    """`x` to `digits` significant digits ("" for None): 0.0721570729 rather than 0.07215707291...

    >>> number(0.07215707291226384), number(None), number(2.0)
    ('0.0721570729123', '', '2')
    """
    return "" if x is None else f"{x:.{digits}g}"


def count(n: int) -> str:
    """A count for people: 2 or 1,024; past 30 digits, its order of magnitude.

    >>> count(1024), count(2**1500)
    ('1,024', 'about 10^452')
    """
    if n < 10**30:
        return f"{n:,}"
    return f"about 10^{n.bit_length() * math.log10(2):.0f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """Columns padded to their widest cell; text left-aligned, numbers right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    numeric = [all(_is_number(row[k]) for row in rows) for k in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(width) if is_number else cell.ljust(width)
            for cell, width, is_number in zip(cells, widths, numeric)
        )
        return (indent + "  ".join(padded)).rstrip()

    rule = indent + "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
