"""The formula-injection guard every CSV writer of orderflow goes through."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow.csvsafe import FORMULA_STARTS, cell, write_rows
from orderflow.errors import InvalidValue


@pytest.mark.parametrize("value", ["=1+1", "+81", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_start_is_prefixed_with_a_quote(value: str) -> None:
    assert cell(value) == "'" + value


@pytest.mark.parametrize("value", ["", "山田 太郎", "1001-S1", "'already", " =spaced"])
def test_other_text_is_unchanged(value: str) -> None:
    assert cell(value) == value


@given(st.text())
def test_no_guarded_cell_starts_a_formula(value: str) -> None:
    guarded = cell(value)
    assert not guarded.startswith(FORMULA_STARTS)
    assert guarded in (value, "'" + value)


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(codec="cp932", include_characters="¢£¬‖−〜")), min_size=1
        ),
        max_size=5,
    )
)
def test_written_rows_read_back_guarded_in_cp932_with_crlf(rows: list[list[str]]) -> None:
    data = write_rows(rows, encoding="cp932")
    text = data.decode("cp932")
    back = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    # CP932 writes six characters in their Windows forms (〜 as ～, − as －, ¬ as ￢ …).
    as_cp932 = [[cell(value).encode("cp932").decode("cp932") for value in row] for row in rows]
    assert back == as_cp932
    for row in back:
        assert not any(value.startswith(FORMULA_STARTS) for value in row)
    assert text.count("\r\n") >= len(rows)


def test_rows_end_with_crlf_and_quote_only_when_needed() -> None:
    data = write_rows([["a", "b,c"], ['say "hi"', "=x"]], encoding="cp932")
    assert data == b'a,"b,c"\r\n"say ""hi""",\'=x\r\n'


def test_a_character_the_encoding_cannot_hold_is_refused_by_row_and_column() -> None:
    with pytest.raises(InvalidValue) as refused:
        write_rows([["ok"], ["ok", "山田😀太郎"]], encoding="cp932")
    assert str(refused.value) == ("row 2, column 2: expected text that cp932 can encode, got '😀'")
