"""CSV files as people have them: RFC 4180 round trips of any text, encodings (UTF-8 with and
without a BOM, Windows-1252, Latin-1), sniffed delimiters, quoted newlines, line numbers."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copper_desktop.domain.csv_files import (
    CsvWriter,
    decode,
    encode_rows,
    read_csv,
    sniff_delimiter,
)

CELL = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    max_size=30,
) | st.sampled_from(['"', '""', ",", ";", "\t", "\n", "\r\n", "a\nb", 'say "hi"', "é ü ß €", "—"])
"""Any text, and the characters CSV has to quote, more often than chance would give them."""
HEADERS = ("Name", "Title", "Notes")


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]), bom=st.booleans())  # fmt: skip
def test_any_text_survives_a_round_trip(rows: list[list[str]], delimiter: str, bom: bool) -> None:
    buffer = io.StringIO(newline="")
    writer = CsvWriter(buffer, delimiter)
    writer.row(HEADERS)
    writer.rows(rows)
    data = buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
    table = read_csv(data, delimiter)
    assert table.headers == HEADERS
    expected = [tuple(r) for r in rows if not all(not c.strip() for c in r)]
    assert list(table.rows) == expected
    assert table.encoding == ("utf-8-sig" if bom else "utf-8")


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6))
def test_the_delimiter_of_an_exported_file_is_found(rows: list[list[str]]) -> None:
    """What the export writes (commas) is read back without saying the delimiter."""
    table = read_csv(encode_rows(HEADERS, rows))
    assert table.delimiter == ","
    assert list(table.rows) == [tuple(r) for r in rows if any(c.strip() for c in r)]


@settings(max_examples=100, deadline=None, database=None, derandomize=True)
@given(text=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                           blacklist_characters="\x7f"), max_size=40))  # fmt: skip
def test_windows_1252_and_latin_1_files_read_as_written(text: str) -> None:
    data = text.encode("latin-1")
    decoded, encoding = decode(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert encoding in ("cp1252", "latin-1")
        assert decoded == data.decode(encoding)
    else:
        assert (decoded, encoding) == (text, "utf-8")


def test_encodings_by_example() -> None:
    assert decode("Zoë €5".encode("cp1252")) == ("Zoë €5", "cp1252")
    assert decode("Zoë €5".encode("utf-8-sig")) == ("Zoë €5", "utf-8-sig")
    assert decode("Zoë €5".encode()) == ("Zoë €5", "utf-8")
    # 0x81 is undefined in Windows-1252: Latin-1 reads every byte
    assert decode(b"a\x81b") == ("a\x81b", "latin-1")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Name;Title\nAda;Dr\n", ";"),
        ("Name\tTitle\nAda\tDr\n", "\t"),
        ("Name,Title\nAda,Dr\n", ","),
        ('Name;Notes\n"Ada";"one, two"\n', ";"),
        ("Name\n", ","),  # one column: no delimiter to find
        ("", ","),
    ],
)
def test_delimiters_are_sniffed(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_quoted_newlines_keep_the_line_each_row_starts_on() -> None:
    data = b'Name,Notes\r\n"Ada","first\r\nsecond"\r\n\r\nBob,x\r\n'
    table = read_csv(data)
    assert table.rows == (("Ada", "first\r\nsecond"), ("Bob", "x"))
    assert table.lines == (2, 5)


def test_ragged_rows_are_kept_ragged() -> None:
    table = read_csv(b"a,b,c\n1,2\n1,2,3,4\n")
    assert table.rows == (("1", "2"), ("1", "2", "3", "4"))


def test_writing_is_rfc_4180() -> None:
    data = encode_rows(["a", "b"], [["x,y", 'say "hi"'], ["line\nbreak", "plain"]], bom=True)
    assert data == (b'\xef\xbb\xbfa,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",plain\r\n')
