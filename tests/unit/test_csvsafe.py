import csv
import io
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orderflow.csvsafe import FORMULA_STARTS, neutralize, write_csv, write_rows
from orderflow.errors import InvalidValue

DANGEROUS = "=+-@\t\r＝＋－＠\u2212"  # U+2212 − : CP932 writes it as －


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("given_text", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+81-3-1234-5678", "'+81-3-1234-5678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("＝1+2", "'＝1+2"),
        ("緑茶", "緑茶"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        ("'=1", "'=1"),
    ],
)
def test_the_rule(given_text: str, written: str) -> None:
    assert neutralize(given_text) == written


def test_the_documented_first_characters_are_the_ones_used() -> None:
    assert frozenset(DANGEROUS) == FORMULA_STARTS


@given(st.text())
@example("=1+2")
@example("-")
def test_a_neutralised_text_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    safe = neutralize(text)
    assert not safe or safe[0] not in FORMULA_STARTS
    assert safe in (text, "'" + text)
    assert (safe != text) == (bool(text) and text[0] in FORMULA_STARTS)


@given(st.lists(st.lists(st.text() | st.integers() | st.none(), min_size=3, max_size=3)))
def test_every_text_cell_read_back_is_safe_and_the_same_text(
    rows: list[list[str | int | None]],
) -> None:
    text = write_csv(["a", "b", "c"], rows)
    back = read(text)
    assert back[0] == ["a", "b", "c"]
    assert len(back) == len(rows) + 1
    for written, read_row in zip(rows, back[1:], strict=True):
        for value, cell in zip(written, read_row, strict=True):
            if isinstance(value, str):
                assert cell == neutralize(value)
                assert not cell or cell[0] not in FORMULA_STARTS
            elif value is None:
                assert cell == ""
            else:
                assert cell == str(value)


def test_numbers_are_written_as_numbers_a_negative_one_too() -> None:
    text = write_csv(["n", "d", "t"], [[-500, Decimal("-1.5"), "-500"]])
    assert read(text)[1] == ["-500", "-1.5", "'-500"]
    assert text.endswith("\r\n")


@pytest.mark.parametrize("bad", [1.5, True, object(), Decimal("NaN")])
def test_floats_bools_and_others_are_refused(bad: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        write_csv(["x"], [[bad]])  # type: ignore[list-item]
    assert caught.value.field == "rows[0][0]"


def test_a_row_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(InvalidValue, match=r"rows\[1\]"):
        write_csv(["a", "b"], [["1", "2"], ["1"]])
    with pytest.raises(InvalidValue, match="header"):
        write_csv("ab", [])
    with pytest.raises(InvalidValue, match="cell"):
        neutralize(3)  # type: ignore[arg-type]


def test_the_header_is_neutralised_too() -> None:
    assert read(write_csv(["=a"], []))[0] == ["'=a"]


# -- write_rows: bytes in one encoding (the carriers' files) ----------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+81", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_a_formula_start_is_prefixed_with_a_quote_in_rows(value: str) -> None:
    assert neutralize(value) == "'" + value


@pytest.mark.parametrize("value", ["", "山田 太郎", "1001-S1", "'already", " =spaced"])
def test_other_text_is_unchanged_in_rows(value: str) -> None:
    assert neutralize(value) == value


@given(st.text())
def test_no_guarded_cell_starts_a_formula(value: str) -> None:
    guarded = neutralize(value)
    assert not guarded[:1] or guarded[0] not in FORMULA_STARTS
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
    as_cp932 = [
        [neutralize(value).encode("cp932").decode("cp932") for value in row] for row in rows
    ]
    assert back == as_cp932
    for row in back:
        assert not any(value[:1] in FORMULA_STARTS and value for value in row)
    assert text.count("\r\n") >= len(rows)


def test_rows_end_with_crlf_and_quote_only_when_needed() -> None:
    data = write_rows([["a", "b,c"], ['say "hi"', "=x"]], encoding="cp932")
    assert data == b'a,"b,c"\r\n"say ""hi""",\'=x\r\n'


def test_a_character_the_encoding_cannot_hold_is_refused_by_row_and_column() -> None:
    with pytest.raises(InvalidValue) as refused:
        write_rows([["ok"], ["ok", "山田😀太郎"]], encoding="cp932")
    assert str(refused.value) == ("row 2, column 2: expected text that cp932 can encode, got '😀'")
