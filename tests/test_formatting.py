"""The figures as people read them, written by one module for the CLI, the report and the web."""

from __future__ import annotations

import math

from groundswell.formatting import clock, count, decimal, duration, hours, interval, number, percent, signed, wait


def test_missing_figures_are_na_everywhere() -> None:
    for write in (percent, count, number, decimal, signed, hours, clock, duration, wait):
        assert write(None) == "n/a"
        assert write(math.nan) == "n/a"


def test_percentages() -> None:
    assert percent(0.4567) == "45.7%"
    assert percent(1) == "100.0%"
    assert percent(0.4567, 0) == "46%"
    assert percent(0.4567, symbol=False) == "45.7"
    assert percent(0.004567, 3, significant=True) == "0.457%"
    assert percent(1.5, 3, significant=True) == "150%"


def test_counts_and_numbers() -> None:
    assert count(12345) == "12,345"
    assert count(1234.5) == "1,234.50"
    assert number(12345) == "12,345"
    assert number(0.12345) == "0.123"
    assert number(1234.56) == "1,235"
    assert number(3.0) == "3"
    assert decimal(1234.567) == "1,234.57"
    assert signed(0.25) == "+0.25"
    assert signed(-0.1, 3) == "-0.100"


def test_hours_and_durations() -> None:
    assert hours(9000) == "2.5 h"
    assert clock(3723) == "1:02:03"
    assert clock(93_784) == "1d 2:03:04"
    assert duration(45 * 60) == "45 min"
    assert duration(3 * 3600 + 5 * 60) == "3 h 05 min"
    assert duration(60 * 3600) == "2.5 days"


def test_intervals_are_never_printed_as_a_point() -> None:
    assert interval(0.41, 0.532) == "41.0–53.2%"
    assert interval(0.47121, 0.47139) == "47.12–47.14%"
    assert interval(-0.12, 0.05, share=False) == "-0.12 to +0.05"
    assert interval(0.1001, 0.1004, share=False) == "+0.1001 to +0.1004"
    assert interval(None, 0.5) == "n/a"


def test_waits_read_in_days_and_hours() -> None:
    assert wait(0) == "0 min"
    assert wait(59) == "0 min"
    assert wait(45 * 60) == "45 min"
    assert wait(3 * 3600 + 5 * 60 + 59) == "3 h 05 min"
    assert wait(24 * 3600) == "1 d 0 h"
    assert wait(2 * 86_400 + 4 * 3600 + 59 * 60) == "2 d 4 h"
    assert wait(80191.1 * 3600) == "3341 d 7 h"
    assert wait(-5) == "0 min"
