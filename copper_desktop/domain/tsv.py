r"""Tab-separated text as spreadsheets put it on the clipboard, read and written.

Excel and LibreOffice copy a block of cells as lines of tab-separated cells. A cell holding a
tab, a line break or a double quote is wrapped in double quotes, and each quote inside it is
doubled; every other cell is written as it is. Reading accepts what they write: ``\r\n``,
``\n`` or ``\r`` between lines, quoted cells spanning lines, and one final line break (which
ends the block rather than adding an empty line). Pure Python, so the grid's copy and paste
and any importer read the same way.
"""

from __future__ import annotations

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
    """The cells of a tab-separated block, line by line (lines may differ in length).

    A cell that starts with a double quote is quoted: it runs to the next lone quote, and
    doubled quotes inside stand for one; text between that closing quote and the next tab or
    line break is kept (spreadsheets never write any, people sometimes type it). A quote
    that is never closed makes the rest of the text one cell, as spreadsheets read it.
    """
    rows: list[list[str]] = []
    row: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            parts: list[str] = []
            i += 1
            while i < n:
                close = text.find('"', i)
                if close < 0:
                    parts.append(text[i:])
                    i = n
                    break
                parts.append(text[i:close])
                if close + 1 < n and text[close + 1] == '"':
                    parts.append('"')
                    i = close + 2
                    continue
                i = close + 1
                break
            end = _cell_end(text, i)
            parts.append(text[i:end])
            cell, i = "".join(parts), end
        else:
            end = _cell_end(text, i)
            cell, i = text[i:end], end
        row.append(cell)
        if i >= n:
            rows.append(row)
            break
        if text[i] == "\t":
            i += 1
            if i >= n:  # a tab before the end: one more, empty cell
                row.append("")
                rows.append(row)
            continue
        # a line break: \r\n, \n or \r
        i += 2 if text.startswith("\r\n", i) else 1
        rows.append(row)
        row = []
    return rows


def _cell_end(text: str, start: int) -> int:
    """Where the unquoted cell starting at `start` ends: the next tab or line break."""
    end = len(text)
    for stop in ("\t", "\n", "\r"):
        found = text.find(stop, start, end)
        if found >= 0:
            end = found
    return end
