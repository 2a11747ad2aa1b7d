from datetime import date

import pytest

from services.intake.domain import parse_date
from services.intake.domain.dates import DateProblem, parse_date_steps


@pytest.mark.parametrize(
    "written",
    [
        "2023-05-16",
        "2023/5/16",
        "2023.5.16",
        "2023年5月16日",
        "2023年05月16日",
        "2023 年 5 月 16 日",
        "２０２３年５月１６日",
        "２０２３－０５－１６",
        "二〇二三年五月十六日",
        "二零二三年五月十六日",
        "二○二三年五月十六日",
        "二O二三年五月十六日",
        "20230516",
        " 2023-05-16 ",
    ],
)
def test_reads_the_date_forms_offices_write(written: str) -> None:
    assert parse_date(written) == date(2023, 5, 16)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("二〇二三年十月一日", date(2023, 10, 1)),
        ("二〇二三年十一月十日", date(2023, 11, 10)),
        ("二〇二三年十二月二十日", date(2023, 12, 20)),
        ("二〇二三年一月三十一日", date(2023, 1, 31)),
        ("二〇二三年三月廿一日", date(2023, 3, 21)),
        ("二〇二四年二月二十九日", date(2024, 2, 29)),
        ("一九九九年元月八日", date(1999, 1, 8)),
    ],
)
def test_reads_chinese_numerals_for_tens(written: str, expected: date) -> None:
    assert parse_date(written) == expected


def test_records_chinese_numerals_and_format_changes() -> None:
    parsed = parse_date_steps("二〇二三年五月十六日")
    assert [(s.kind, s.after) for s in parsed.steps] == [
        ("date.chinese_numerals", "2023年5月16日"),
        ("date.format", "2023-05-16"),
    ]


@pytest.mark.parametrize("written", ["2023-02-30", "二〇二三年二月三十日", "2023年13月1日", "2023-04-31", "2023-00-10"])
def test_invalid_calendar_dates_are_not_dates(written: str) -> None:
    parsed = parse_date_steps(written)
    assert parsed.value is None
    assert parsed.problem is DateProblem.NOT_A_CALENDAR_DATE


@pytest.mark.parametrize(
    "written",
    ["", "yesterday", "2023-05", "16/05/2023", "2023-05-16T10:00:00", "2023-5/16", "二〇二三年五月",
     "五月十六日", "二〇二三年十十月一日", "二〇二三年五月四十日", "2023年5月16日上午"],
)  # fmt: skip
def test_unrecognized_dates_are_not_guessed(written: str) -> None:
    assert parse_date(written) is None
