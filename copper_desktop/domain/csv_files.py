"""CSV files as people have them: reading (encoding, delimiter, quoted newlines) and writing.

Reading takes bytes and keeps the rules simple and documented:

* **encoding**: UTF-8 (a byte-order mark is dropped) when the bytes decode as UTF-8, else
  Windows-1252 (what Excel writes on Western Windows); the five bytes Windows-1252 leaves
  undefined fall back to Latin-1, which maps every byte, so any file reads;
* **delimiter**: ``,`` ``;`` or tab, guessed by ``csv.Sniffer`` on the first lines; when it
  cannot tell, the one of the three that occurs most often in the header line (``,`` on a tie);
* **quoting**: RFC 4180 (fields in double quotes may hold delimiters, doubled quotes and line
  breaks); blank lines are skipped; each row keeps the file line it starts on, for messages.

Writing is RFC 4180 through the stdlib ``csv`` module: CRLF line ends, fields quoted when they
hold the delimiter, a quote or a line break; UTF-8, with a BOM on request (Excel needs one to
read UTF-8). Pure Python: no Qt, no HTTP.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, TextIO

__all__ = [
    "DELIMITERS",
    "CsvTable",
    "CsvWriter",
    "decode",
    "encode_rows",
    "read_csv",
    "sniff_delimiter",
    "write_rows",
]

DELIMITERS: Final = (",", ";", "\t")
DELIMITER_NAMES: Final = {",": "comma", ";": "semicolon", "\t": "tab"}
SNIFF_CHARS: Final = 64 * 1024
"""How much of the text the sniffer looks at (the first lines tell)."""


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A file's header and data rows (cells as text, never padded or cut: ragged rows stay
    ragged so the importer can say so)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    """The file line each data row starts on (1-based; the header is line 1 or later)."""
    encoding: str
    """ "utf-8", "utf-8-sig" (with a BOM), "cp1252" or "latin-1"."""
    delimiter: str

    @property
    def description(self) -> str:
        """ "UTF-8, comma-separated" for the import wizard."""
        names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252",
                 "latin-1": "Latin-1"}  # fmt: skip
        separated = DELIMITER_NAMES[self.delimiter]
        return f"{names.get(self.encoding, self.encoding)}, {separated}-separated"


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with (see the module docstring)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """``,`` ``;`` or tab (see the module docstring)."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS:  # a cut last line would mislead the sniffer
        sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = ""
    if found in DELIMITERS:
        return found
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, delimiter: str | None = None) -> CsvTable:
    """Decode, sniff and parse a whole file. An empty file has no headers and no rows;
    ``csv.Error`` (e.g. a quote left open at the end of the file) is raised as ValueError."""
    text, encoding = decode(data)
    chosen = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=False)
    headers: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    start = 1
    try:
        for cells in reader:
            line = start
            start = reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue  # a blank line
            if headers is None:
                headers = tuple(c.strip() for c in cells)
                continue
            rows.append(tuple(cells))
            lines.append(line)
    except csv.Error as error:
        raise ValueError(f"The file is not valid CSV near line {start}: {error}") from None
    return CsvTable(headers or (), tuple(rows), tuple(lines), encoding, chosen)


class CsvWriter:
    """RFC 4180 rows to a text stream opened with ``newline=""``."""

    def __init__(self, stream: TextIO, delimiter: str = ",") -> None:
        self._writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")

    def row(self, cells: Iterable[str]) -> None:
        self._writer.writerow(list(cells))

    def rows(self, rows: Iterable[Sequence[str]]) -> int:
        count = 0
        for cells in rows:
            self._writer.writerow(list(cells))
            count += 1
        return count


def write_rows(stream: TextIO, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """A header and rows as RFC 4180 CSV; returns the number of data rows."""
    writer = CsvWriter(stream)
    writer.row(headers)
    return writer.rows(rows)


def encode_rows(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, bom: bool = False
) -> bytes:
    """A whole small file's bytes (UTF-8, a BOM on request): tests and errors files."""
    buffer = io.StringIO(newline="")
    write_rows(buffer, headers, rows)
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
