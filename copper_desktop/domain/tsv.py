r"""Tab-separated text as spreadsheets put it on the clipboard, read and written.

Excel and LibreOffice copy a block of cells as lines of tab-separated cells. A cell holding a
tab, a line break or a double quote is wrapped in double quotes, and each quote inside it is
doubled; every other cell is written as it is. Reading accepts what they write: ``\r\n``,
``\n`` or ``\r`` between lines, quoted cells spanning lines, and one final line break (which
ends the block rather than adding an empty line): Python's ``csv`` reader, lenient, as CSV
files are read (``domain.csv_files``). Writing is done here: a cell is quoted only when it
must be, and an empty cell stays empty, as spreadsheets put it on the clipboard (the ``csv``
writer would quote a lone empty cell, and leaves a carriage return unquoted when lines end
with ``\n``). Pure Python.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["read_tsv", "write_tsv"]

_SPECIAL: Final = frozenset('\t\n\r"')
LINE_END: Final = "\n"
"""Between written lines (Excel writes \\r\\n; both read alike everywhere)."""


def _cell(text: str) -> str:
    if _SPECIAL.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def write_tsv(rows: Iterable[Sequence[str]]) -> str:
    """Lines of tab-separated cells, each line ended by a line break ("" for no rows)."""
    return "".join("\t".join(_cell(cell) for cell in row) + LINE_END for row in rows)


def read_tsv(text: str) -> list[list[str]]:
    """The cells of a tab-separated block, line by line (lines may differ in length; an empty
    line is one empty cell).

    Python's ``csv`` reader in its lenient mode, as ``domain.csv_files`` reads files: a cell
    that starts with a double quote runs to the next lone quote, and doubled quotes inside
    stand for one; text between that closing quote and the next tab or line break is kept
    (spreadsheets never write any, people sometimes type it); a quote inside an unquoted cell
    is kept; a quote that is never closed makes the rest of the text one cell, as spreadsheets
    read it. ValueError (user-fit text) for a cell longer than the reader takes (128 KiB; a
    spreadsheet cell holds 32,767 characters at most).
    """
    rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=False)
    try:
        return [row or [""] for row in rows]
    except csv.Error:
        limit = csv.field_size_limit()
        raise ValueError(f"A cell is longer than {limit:,} characters.") from None
