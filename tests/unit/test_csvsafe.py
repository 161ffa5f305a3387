import csv
import io
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orderflow.csvsafe import FORMULA_STARTS, neutralize, write_csv
from orderflow.errors import InvalidValue

DANGEROUS = "=+-@\t\r＝＋－＠"


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
