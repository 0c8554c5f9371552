"""The default period is where the data is dense: outliers are left out once, said once, and per-day figures
divide by the period's active days (``query.period.dense_period``)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.query.period import DENSE_SHARE, GAP_DAYS, Period, dense_period
from groundswell.workspace import Workspace

START = date(2026, 3, 1)
# 15 active days in 20: a quiet day here and there is still the dense period, and not divided by
ACTIVE = [START + timedelta(days=d) for d in range(20) if d % 4 != 3]
OUTLIERS = [datetime(2019, 5, 1, 9), datetime(2019, 11, 2, 9), datetime(2020, 1, 3, 9)]


def _csv(with_outliers: bool = True) -> str:
    """300 customer posts to @Acme, each answered by the brand, on ``ACTIVE`` days; and three years-old posts."""
    lines = ["platform,post_id,author_id,author_handle,is_brand,created_at,text,in_reply_to_post_id"]
    for n in range(300):
        at = datetime.combine(ACTIVE[n % len(ACTIVE)], datetime.min.time()) + timedelta(hours=8 + n % 9)
        lines.append(f"twitter,c{n},u{n % 40},user{n % 40},false,{at.isoformat()},@Acme where is my order {n}?,")
        reply = at + timedelta(minutes=30)
        lines.append(f"twitter,b{n},acme,Acme,true,{reply.isoformat()},@user{n % 40} on its way!,c{n}")
    if with_outliers:
        for n, at in enumerate(OUTLIERS):
            lines.append(f"twitter,old{n},u{n},user{n},false,{at.isoformat()},@Acme an old complaint {n},")
    return "\n".join(lines) + "\n"


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    path = tmp_path / "ws"
    with Workspace.init(path) as ws:
        (tmp_path / "posts.csv").write_text(_csv(), encoding="utf-8")
        ws.config_path.write_text('brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "Acme"\n')
    with Workspace.open(path) as ws:
        report = ws.import_files([tmp_path / "posts.csv"])
        assert (report.imported, report.rejected) == (603, 0)
    return path


# -- the rule, on built days -------------------------------------------------------------------------------


def test_a_few_posts_years_away_are_left_out_and_named() -> None:
    days = {d: 50 for d in ACTIVE} | {date(2011, 8, 29): 1, date(2016, 8, 6): 2}
    period = dense_period(days)
    assert (period.since, period.until) == (datetime(2026, 3, 1), datetime(2026, 3, 20))
    assert period.left_out is not None
    assert (period.left_out.posts, period.left_out.first, period.left_out.last) == (
        3,
        date(2011, 8, 29),
        date(2016, 8, 6),
    )
    assert period.left_out.note == (
        "3 posts from 2011-2016 left out of the figures: the data is dense from 2026-03-01 to 2026-03-19;"
        " `--since 2011-08-29` to include them"
    )
    late = dense_period({d: 50 for d in ACTIVE} | {date(2027, 1, 1): 1})
    assert late.left_out is not None and late.until == datetime(2026, 3, 20)
    assert late.left_out.note.endswith("`--until 2027-01-01` to include them")


def test_data_without_a_long_gap_or_with_few_posts_keeps_every_post() -> None:
    assert dense_period({}) == Period()
    assert dense_period({d: 50 for d in ACTIVE}) == Period()
    # a gap of exactly GAP_DAYS is no cut
    assert dense_period({START: 500, START + timedelta(days=GAP_DAYS): 1}) == Period()
    # fewer than 1 / (1 - DENSE_SHARE) posts: one far away is more than the share that may be left out
    few = int(1 / (1 - DENSE_SHARE)) - 1
    assert dense_period({START: few - 1, date(2020, 1, 1): 1}) == Period()
    # two busy months a year apart are both dense
    assert dense_period({START: 300, date(2027, 3, 1): 300}) == Period()


def test_the_shortest_stretch_that_holds_the_share_wins() -> None:
    days = {date(2025, 1, 1): 2, START: 400, START + timedelta(days=45): 400, date(2028, 1, 1): 2}
    period = dense_period(days)
    assert (period.since, period.until) == (datetime(2026, 3, 1), datetime(2026, 4, 16))
    assert period.left_out is not None and period.left_out.posts == 4
    assert "`--since 2025-01-01` `--until 2028-01-01`" in period.left_out.note


# -- a workspace, through the library and the command line --------------------------------------------


def test_the_workspace_figures_cover_the_dense_period(ws_dir: Path) -> None:
    with Workspace.open(ws_dir) as ws:
        period = ws.figures_period()
        assert (period.since, period.until) == (datetime(2026, 3, 1), datetime(2026, 3, 20))
        assert period.left_out is not None and period.left_out.posts == 3
        (marketing,) = ws.metrics("marketing")
        assert marketing.as_dict()["days"] == len(ACTIVE) == 15  # active days, not the 19 calendar days
        assert marketing.as_dict()["period"]["left_out"]["posts"] == 3
        named = Period(datetime(2019, 1, 1), None)
        assert ws.figures_period(named) == named  # a named bound is kept as it is


def test_the_cli_says_it_once_and_since_includes_them(ws_dir: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["metrics", "response", "--workspace", str(ws_dir)])
    assert text.exit_code == 0, text.output
    assert text.stderr.count("3 posts from 2019-2020 left out") == 1
    assert "`--since 2019-05-01` to include them" in text.stderr
    dense = json.loads(runner.invoke(cli, ["metrics", "response", "--json", "--workspace", str(ws_dir)]).stdout)
    assert dense[0]["period"]["left_out"]["posts"] == 3
    assert dense[0]["inbound"] == 300
    every = runner.invoke(cli, ["metrics", "response", "--json", "--since", "2019-05-01", "--workspace", str(ws_dir)])
    document = json.loads(every.stdout)
    assert "left_out" not in document[0]["period"] and "left out" not in every.stderr
    assert document[0]["inbound"] == 303
    card = json.loads(runner.invoke(cli, ["scorecard", "--json", "--workspace", str(ws_dir)]).stdout)
    assert card["period"]["left_out"]["since"] == "2019-05-01"


def test_the_report_says_it_once(ws_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--out", str(out), "--workspace", str(ws_dir)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("3 posts from 2019-2020 left out") == 1
    assert out.read_text(encoding="utf-8").count("3 posts from 2019-2020 left out") == 1


def test_twcs_excerpt_leaves_out_its_three_old_tweets(tmp_path: Path) -> None:
    excerpt = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs" / "sample_head_1000.csv"
    if not excerpt.is_file():
        pytest.skip(f"{excerpt} is not here")
    with Workspace.init(tmp_path / "ws") as ws:
        ws.import_files([excerpt])
        period = ws.figures_period()
    assert period.left_out is not None
    assert period.left_out.note.startswith("3 posts from 2011-2016 left out")
    assert (period.since, period.until) == (datetime(2017, 10, 12), datetime(2017, 12, 3))
