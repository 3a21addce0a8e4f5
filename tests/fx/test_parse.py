"""ECB files are read as the ECB writes them, and a bad file is refused whole with its lines named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner.fx import FxFileError, parse_ecb_csv

DATA = Path(__file__).resolve().parents[1] / "data" / "fx"
EXCERPT = (DATA / "eurofxref-hist-excerpt.csv").read_text(encoding="utf-8")


def _lines() -> list[str]:
    return EXCERPT.splitlines()


def _problems(text: str) -> list[str]:
    with pytest.raises(FxFileError) as caught:
        parse_ecb_csv(text, what="rates.csv")
    assert str(caught.value).startswith("rates.csv was not imported: line ")
    return [str(p) for p in caught.value.problems]


def test_the_ecb_layout_with_trailing_commas_and_na_cells() -> None:
    rates = parse_ecb_csv(EXCERPT)
    by_key = {(r.currency, r.as_of): r.per_eur for r in rates}
    assert by_key[("USD", dt.date(2026, 10, 30))] == 1.1172
    assert by_key[("ISK", dt.date(2026, 10, 30))] == 136.0  # an integer as the ECB prints it
    assert ("BGN", dt.date(2026, 10, 30)) not in by_key  # N/A
    assert len({r.as_of for r in rates}) == 8


def test_a_value_that_is_not_a_decimal_number_names_line_and_currency() -> None:
    lines = _lines()
    lines[2] = lines[2].replace("1.113,", "1.113x,", 1)  # line 3 of the file, 2026-10-29
    assert _problems("\n".join(lines)) == ["line 3: USD '1.113x' is not a positive decimal number"]
    lines = _lines()
    lines[1] = lines[1].replace(",0.8338,", ",-0.8338,", 1)
    assert _problems("\n".join(lines)) == ["line 2: GBP '-0.8338' is not a positive decimal number"]


def test_a_truncated_last_line_is_refused() -> None:
    text = EXCERPT.rstrip("\n")
    cut = text[: text.rindex(",", 0, len(text) - 200)]
    problems = _problems(cut)
    assert len(problems) == 1 and problems[0].startswith("line 9: ")
    assert "values for the 41 currencies of the header" in problems[0]


def test_a_repeated_date_and_a_bad_date() -> None:
    lines = _lines()
    lines.append(lines[1])
    lines[3] = "2026-13-01" + lines[3][10:]
    assert _problems("\n".join(lines)) == [
        "line 4: '2026-13-01' is not a date (YYYY-MM-DD)",
        "line 10: 2026-10-30 appears twice (first on line 2)",
    ]


def test_a_date_after_today_is_refused() -> None:
    with pytest.raises(FxFileError, match=r"line 2: 2026-10-30 is after today \(2026-10-29\)"):
        parse_ecb_csv(EXCERPT, not_after=dt.date(2026, 10, 29))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "line 1: the file is empty"),
        ('<?xml version="1.0"?>\n<gesmes/>', "line 1: expected the ECB header 'Date,USD,JPY,...'"),
        ("Date,USD,usd\n2026-10-30,1.1,1.1", "line 1: column 3 'usd' is not a three-letter currency code"),
        ("Date,USD,EUR\n2026-10-30,1.1,1", "line 1: column 3 is EUR, the base currency of every rate"),
        ("Date,USD,USD\n2026-10-30,1.1,1.1", "line 1: currency USD appears twice"),
        ("Date,USD\n2026-10-30,N/A\n", "line 1: the file holds no rate"),
        ('Date,USD\n2026-10-30,"1,1172"\n', "line 2: 2 values for the 1 currencies of the header"),
    ],
)
def test_files_that_are_not_ecb_rates(text: str, problem: str) -> None:
    assert _problems(text)[0].startswith(problem)


def test_many_problems_are_counted_not_all_printed() -> None:
    body = "\n".join(f"2026-01-{d:02d},x" for d in range(1, 31))
    with pytest.raises(FxFileError) as caught:
        parse_ecb_csv("Date,USD\n" + body, what="f.csv")
    assert len(caught.value.problems) == 30
    assert str(caught.value).endswith("(and 20 more)")
