"""Tab-separated text as Excel and LibreOffice put it on the clipboard: read and written, with
any text in a cell surviving the round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copper_desktop.domain.tsv import read_tsv, write_tsv

CELL = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", '"', '""', "\t", "\n", "\r\n", "\r", 'a"b', '"quoted"', " x "]
)


@given(st.lists(st.lists(CELL, min_size=1, max_size=5), max_size=6))
def test_any_block_of_text_cells_reads_back_as_written(rows: list[list[str]]) -> None:
    assert read_tsv(write_tsv(rows)) == rows


def test_cells_with_tabs_newlines_or_quotes_are_quoted_as_excel_does() -> None:
    rows = [["plain", "two\nlines", "tab\there", 'say "hi"'], ["", "last"]]
    assert write_tsv(rows) == ('plain\t"two\nlines"\t"tab\there"\t"say ""hi"""\n' + "\tlast\n")


def test_what_spreadsheets_put_on_the_clipboard_is_read() -> None:
    excel = 'Name\tNotes\r\nAnn\t"line one\r\nline two"\r\nBob\t\r\n'
    assert read_tsv(excel) == [["Name", "Notes"], ["Ann", "line one\r\nline two"], ["Bob", ""]]
    assert read_tsv("one value") == [["one value"]]
    assert read_tsv("a\tb") == [["a", "b"]]
    assert read_tsv("a\rb\r") == [["a"], ["b"]]
    assert read_tsv("") == []


def test_a_quote_inside_an_unquoted_cell_is_kept_and_an_unclosed_one_runs_to_the_end() -> None:
    assert read_tsv('5" screen\tok\n') == [['5" screen', "ok"]]
    assert read_tsv('"open\tquote\nrest') == [["open\tquote\nrest"]]
    assert read_tsv('"a"b\tc') == [["ab", "c"]]


def test_a_cell_longer_than_the_reader_takes_is_refused_with_a_clear_message() -> None:
    """A stray opening quote makes the rest of a long text one cell: refused, not a crash."""
    with pytest.raises(ValueError, match=r"A cell is longer than 131,072 characters\."):
        read_tsv('"' + "x" * 140_000)
    assert read_tsv("x" * 30_000) == [["x" * 30_000]]  # Excel's longest cell reads
