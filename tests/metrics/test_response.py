"""The response family on hand-made conversations whose figures are worked out in the comments."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner
from generated import random_thread_sources, thread_post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.cli import cli
from groundswell.config import BusinessHours
from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics import METRIC_FAMILIES
from groundswell.metrics.response import ENRICH_NOTE, business_seconds, fairness, quantile, response
from groundswell.query import Period
from groundswell.threads import build_threads
from groundswell.workspace import Workspace

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
[[accounts]]
platform = "twitter"
handle = "AcmeShop"
[[accounts]]
platform = "mastodon"
handle = "acme@mastodon.social"
[business_hours]
timezone = "Europe/London"
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "17:00"
"""
HEADER = ["platform", "post_id", "author_id", "author_handle", "author_followers", "created_at", "text",
          "in_reply_to_post_id"]  # fmt: skip
# Monday 2 March 2026 (London is on GMT = UTC then).
POSTS = [
    ("twitter", "t1", "c1", "ann", 50, "2026-03-02T10:00:00Z", "@AcmeHelp it is broken", ""),
    ("twitter", "t1r", "b1", "AcmeHelp", 9000, "2026-03-02T10:10:00Z", "@ann on it", "t1"),  # 600 s
    ("twitter", "t2", "c2", "bea", 500, "2026-03-02T10:00:00Z", "@AcmeHelp do you ship to Spain?", ""),
    ("twitter", "t2r", "b1", "AcmeHelp", 9000, "2026-03-02T12:00:00Z", "@bea we do", "t2"),  # 7,200 s
    ("twitter", "t3", "c3", "cal", 5000, "2026-03-02T10:00:00Z", "@AcmeHelp need help", ""),
    ("twitter", "t3r", "b1", "AcmeHelp", 9000, "2026-03-03T11:00:00Z", "@cal sorry, late", "t3"),  # 90,000 s
    ("twitter", "t4", "c4", "dee", 50000, "2026-03-02T10:00:00Z", "@AcmeHelp love it", ""),  # chit-chat
    ("twitter", "t5", "c5", "eve", "", "2026-03-02T10:00:00Z", "@AcmeHelp hello?", ""),  # never answered
    ("mastodon", "m1", "c6", "fin@mas.to", 10, "2026-04-01T10:00:00Z", "@acme@mastodon.social broken", ""),
    ("mastodon", "m1r", "b3", "acme@mastodon.social", 900, "2026-04-01T10:20:00Z", "@fin on it", "m1"),  # 1,200 s
]
NEEDS_REPLY = {"t1", "t2", "t3", "t5", "m1"}


def _csv(posts: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(posts)
    return out.getvalue()


def _label(ws: Workspace, needs_reply: set[str]) -> None:
    rows = ws.store.con.execute("SELECT platform, post_id FROM posts ORDER BY post_id").fetchall()
    n = len(rows)
    ws.store.write_enrichments(
        pa.table(
            {
                "platform": [r[0] for r in rows],
                "post_id": [r[1] for r in rows],
                "model": ["hand"] * n,
                "model_version": ["hand@1"] * n,
                "sentiment": ["neutral"] * n,
                "sentiment_score": [0.0] * n,
                "complaint_score": [0.0] * n,
                "intent": ["other"] * n,
                "subject": ["experience"] * n,
                "needs_reply": [r[1] in needs_reply for r in rows],
                "gratitude": [False] * n,
                "campaign": pa.array([None] * n, pa.string()),
                "enriched_at": pa.array([datetime(2026, 5, 1)] * n, pa.timestamp("us")),
            }
        )
    )


def _workspace(root: Path, *, enriched: bool = True) -> Workspace:
    ws = Workspace.init(root / "ws", config_text=CONFIG)
    path = root / "posts.csv"
    path.write_text(_csv(POSTS), encoding="utf-8")
    assert ws.import_files([path]).imported == len(POSTS)
    if enriched:
        _label(ws, NEEDS_REPLY)
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = _workspace(tmp_path_factory.mktemp("response"))
    yield workspace
    workspace.close()


def _by(ws: Workspace, by: str | None, **kwargs: Any) -> dict[str, dict[str, Any]]:
    with ws.sources(**kwargs) as sources:
        found = response(sources, by=by)
    return {"/".join(f.group.values()) or "all": f.as_dict() for f in found}


def test_brand_wide_figures(ws: Workspace) -> None:
    everything = _by(ws, None)["all"]
    # needs a reply: t1, t2, t3, t5, m1; answered within 24 h: t1, t2, m1 (t3 after 25 h)
    assert (everything["inbound"], everything["needs_reply"], everything["replied"]) == (6, 5, 3)
    assert everything["response_rate"] == pytest.approx(0.6) and everything["inbound_replied"] == 3
    assert (everything["threads"], everything["replied_threads"], everything["timed_threads"]) == (6, 4, 4)
    # response times 600, 1,200, 7,200, 90,000 s: median (1,200 + 7,200) / 2; p90 at rank 2.7
    assert everything["first_response_median_s"] == pytest.approx(4200)
    assert everything["first_response_p90_s"] == pytest.approx(7200 + 0.7 * (90000 - 7200))
    assert everything["model_version"] == "hand@1" and everything["notes"] == []
    assert everything["window_hours"] == 24


def test_business_hours_leave_out_the_night(ws: Workspace) -> None:
    everything = _by(ws, None)["all"]
    # t1 600 s, m1 1,200 s and t2 7,200 s all in office hours; t3 Mon 10:00 -> Tue 11:00 is 7 h + 2 h
    assert everything["first_response_business_median_s"] == pytest.approx((1200 + 7200) / 2)
    assert everything["first_response_business_p90_s"] == pytest.approx(7200 + 0.7 * (9 * 3600 - 7200))
    with ws.sources() as sources:
        (calendar_only,) = response(sources, business_hours=False)  # what the scorecard asks for
    assert calendar_only.first_response_business_median_s is None
    assert calendar_only.first_response_median_s == everything["first_response_median_s"]


def test_by_account_lists_every_brand_account(ws: Workspace) -> None:
    rows = _by(ws, "account")
    assert list(rows) == ["AcmeHelp", "AcmeShop", "acme@mastodon.social"]
    help_desk = rows["AcmeHelp"]
    assert (help_desk["inbound"], help_desk["needs_reply"], help_desk["replied"], help_desk["threads"]) == (5, 4, 2, 5)
    assert help_desk["response_rate"] == pytest.approx(0.5)
    assert help_desk["first_response_median_s"] == pytest.approx(7200)
    assert rows["AcmeShop"]["inbound"] == 0 and rows["AcmeShop"]["response_rate"] is None  # never 0 / 0
    assert rows["acme@mastodon.social"]["first_response_median_s"] == pytest.approx(1200)


def test_by_platform_month_and_follower_band(ws: Workspace) -> None:
    assert {k: v["inbound"] for k, v in _by(ws, "platform").items()} == {"mastodon": 1, "twitter": 5}
    assert {k: v["inbound"] for k, v in _by(ws, "month").items()} == {"2026-03": 5, "2026-04": 1}
    bands = _by(ws, "follower_band")
    assert list(bands) == ["under 100", "100-1k", "1k-10k", "over 10k", "unknown"]
    assert {k: v["inbound"] for k, v in bands.items()} == {
        "under 100": 2, "100-1k": 1, "1k-10k": 1, "over 10k": 1, "unknown": 1,
    }  # fmt: skip
    assert bands["1k-10k"]["replied"] == 0 and bands["1k-10k"]["replied_threads"] == 1
    assert bands["unknown"]["response_rate"] == 0.0


def test_fairness_is_response_by_follower_band(ws: Workspace) -> None:
    with ws.sources() as sources:
        assert fairness(sources) == response(sources, by="follower_band")
        crossed = {tuple(f.group.values()): f.inbound for f in fairness(sources, by="platform")}
    assert crossed[("mastodon", "under 100")] == 1 and crossed[("twitter", "under 100")] == 1


def test_period_limits_inbound_posts_and_threads(ws: Workspace) -> None:
    april = _by(ws, None, period=Period(since=datetime(2026, 4, 1)))["all"]
    assert (april["inbound"], april["threads"], april["first_response_median_s"]) == (1, 1, 1200)
    assert april["period"] == {"since": "2026-04-01T00:00:00", "until": None}


def test_not_enriched_says_so_and_keeps_the_rest(tmp_path: Path) -> None:
    with _workspace(tmp_path, enriched=False) as ws, ws.sources() as sources:
        (found,) = response(sources)
    assert (found.needs_reply, found.replied, found.response_rate) == (None, None, None)
    assert found.inbound == 6 and found.first_response_median_s == pytest.approx(4200)
    assert found.notes == (ENRICH_NOTE,) and "groundswell enrich" in ENRICH_NOTE
    assert found.model_version is None


def test_unknown_model_version_and_by(ws: Workspace) -> None:
    with pytest.raises(MetricUnavailable, match="hand@1"):
        ws.sources(model_version="nope@0")
    with ws.sources() as sources, pytest.raises(UsageError, match="--by"):
        response(sources, by="colour")


def test_metric_values_carry_numerator_and_denominator(ws: Workspace) -> None:
    with ws.sources() as sources:
        (found,) = response(sources)
    rate = next(m for m in found.metrics() if m.metric == "response_rate")
    assert (rate.value, rate.numerator, rate.denominator, rate.model_version) == (0.6, 3.0, 5.0, "hand@1")


# -- business hours and quantiles -------------------------------------------------------------------------

LONDON = BusinessHours(timezone="Europe/London")


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        (datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 10, 10), 600),  # inside one day
        (datetime(2026, 3, 6, 16), datetime(2026, 3, 9, 10), 7200),  # Friday 16-17, Monday 9-10
        (datetime(2026, 3, 7, 10), datetime(2026, 3, 8, 20), 0),  # a weekend
        (datetime(2026, 3, 30, 7), datetime(2026, 3, 30, 9), 3600),  # BST: opens 08:00 UTC
        (datetime(2026, 3, 2, 18), datetime(2026, 3, 2, 17), 0),  # end before start
    ],
)
def test_business_seconds(start: datetime, end: datetime, seconds: int) -> None:
    assert business_seconds(start, end, LONDON) == seconds


def test_quantile_interpolates_like_numpy() -> None:
    assert quantile([], 0.5) is None
    assert quantile([5.0], 0.9) == 5.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([0.0, 10.0], 0.9) == pytest.approx(9.0)


# -- the command ---------------------------------------------------------------------------------------


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, ["metrics", *args])


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    """A closed workspace, for the command to open itself."""
    _workspace(tmp_path).close()
    return tmp_path / "ws"


def test_cli_json_by_account(ws_dir: Path) -> None:
    result = _cli("response", "--by", "account", "--json", "--workspace", str(ws_dir))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert isinstance(document, list) and document[0]["account"] == "AcmeHelp"
    required = {"account", "inbound", "needs_reply", "replied", "response_rate", "first_response_median_s",
                "first_response_p90_s", "threads"}  # fmt: skip
    assert all(required <= set(d) for d in document)
    assert document[0]["response_rate"] == 0.5 and document[0]["first_response_median_s"] == 7200


def test_cli_table_and_usage(ws_dir: Path) -> None:
    result = _cli("response", "--by", "platform", "--until", "2026-03-31", "--workspace", str(ws_dir))
    assert result.exit_code == 0, result.output
    assert "twitter" in result.stdout and "mastodon" not in result.stdout  # April is after --until
    assert "response rate (%)" in result.stdout and "h:mm:ss" in result.stdout and "2:00:00" in result.stdout
    assert _cli("response", "--since", "March", "--workspace", str(ws_dir)).exit_code == 2
    assert _cli("response", "--by", "colour", "--workspace", str(ws_dir)).exit_code == 2
    assert _cli("nonsense", "--workspace", str(ws_dir)).exit_code == 2
    missing = _cli("response", "--model-version", "nope", "--workspace", str(ws_dir))
    assert missing.exit_code == 1 and "hand@1" in missing.stderr


def test_cli_not_enriched_says_so(tmp_path: Path) -> None:
    _workspace(tmp_path, enriched=False).close()
    plain = _cli("response", "--workspace", str(tmp_path / "ws"))
    assert plain.exit_code == 0 and "groundswell enrich" in plain.stderr
    assert "2,017" not in plain.stdout and "inbound" in plain.stdout  # rates that need enrichment read n/a


def test_registry_names_the_families() -> None:
    assert {"response", "fairness"} <= set(METRIC_FAMILIES)


# -- invariants ------------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(thread_post, min_size=1, max_size=12))
def test_invariants(posts: list[dict[str, Any]]) -> None:
    with random_thread_sources(posts) as sources:
        (overall,) = response(sources)
        threads = build_threads(sources).threads.to_pyarrow().to_pylist()
        bands = response(sources, by="follower_band")
    assert overall.needs_reply is not None and overall.replied is not None
    assert 0 <= overall.replied <= overall.needs_reply <= overall.inbound
    assert 0 <= overall.inbound_replied <= overall.inbound
    assert overall.response_rate is None or 0.0 <= overall.response_rate <= 1.0
    assert overall.timed_threads <= overall.replied_threads <= overall.threads == len(threads)
    times = [t["response_s"] for t in threads if t["response_s"] is not None]
    assert all(t >= 0 for t in times) and len(times) == overall.timed_threads
    if times:
        assert overall.first_response_median_s is not None and overall.first_response_p90_s is not None
        assert min(times) <= overall.first_response_median_s <= overall.first_response_p90_s <= max(times)
    outcomes = [t["outcome"] for t in threads]
    assert outcomes.count("helped") + outcomes.count("not_helped") <= overall.replied_threads
    assert all(t["outcome"] is None for t in threads if not t["replied"])
    assert sum(b.inbound for b in bands) == overall.inbound  # the bands partition the inbound posts
    assert sum(b.threads for b in bands) == overall.threads
