"""The care rules on a real workspace: posts imported from a CSV, classified by the shipped fast model."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from groundswell.alerts.care import FastPostRule, WaitingRule
from groundswell.clock import utcnow
from groundswell.config import BusinessHours
from groundswell.workspace import Workspace

HEADER = "platform,post_id,author_id,author_handle,author_followers,is_brand,created_at,text,in_reply_to_post_id,like_count,share_count\n"
CONFIG = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "acme"\n'
COMPLAINT = "@acme my order arrived broken and nobody answers. I want a refund"


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def workspace_with(tmp_path: Path, rows: list[str], database: str | None) -> Workspace:
    ws = Workspace.init(tmp_path / "ws", config_text=CONFIG, database=database or "")
    path = tmp_path / "posts.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    assert ws.import_files([path]).rejected == 0
    ws.enrich()
    return ws


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_wait_counts_business_hours_only_when_there_is_a_schedule(tmp_path: Path, database: str | None) -> None:
    friday = datetime(2026, 3, 6, 16, 30)  # a Friday, half an hour before closing
    with workspace_with(tmp_path, [f"twitter,c1,u1,ana,40,,{stamp(friday)},{COMPLAINT},,,"], database) as ws:
        hours = BusinessHours(timezone="UTC", start="09:00", end="17:00")
        office = WaitingRule(target_hours=1, window_hours=96, business_hours=hours)
        clock = WaitingRule(target_hours=1, window_hours=96)
        with ws.sources() as sources:
            saturday = friday + timedelta(hours=20)
            assert [a.key for a in clock.evaluate(sources, saturday)] == ["waiting:twitter:c1"]
            assert office.evaluate(sources, saturday) == []  # half a business hour so far
            monday = datetime(2026, 3, 9, 9, 31)
            [due] = office.evaluate(sources, monday)
            assert due.figures["waited_hours"] == round(1 + 1 / 60, 2) and due.started_at == friday
            assert office.evaluate(sources, friday + timedelta(days=5)) == []  # past the reply window


def test_a_post_gaining_engagement_fast_is_found_whoever_wrote_it(tmp_path: Path, database: str | None) -> None:
    now = utcnow()
    old = [
        f"twitter,o{i},u{i},fan{i},{100 + i},,{stamp(now - timedelta(days=3, hours=i))},@acme nice shop visit {i},,{i % 4},0"
        for i in range(20)
    ]
    recent = [
        # a small account whose post takes off
        f"twitter,fast,u90,nobody,12,,{stamp(now - timedelta(minutes=10))},@acme the whole street is queueing at your store,,400,150",
        # a famous account whose post does not: never an alert for followers alone
        f"twitter,famous,u91,celebrity,2000000,,{stamp(now - timedelta(minutes=10))},@acme hello from the airport,,3,0",
    ]
    with workspace_with(tmp_path, old + recent, database) as ws, ws.sources() as sources:
        found = FastPostRule(window_hours=24).evaluate(sources, utcnow())
    assert [a.key for a in found] == ["fast:twitter:fast"]
    [fast] = found
    assert fast.figures["engagement"] == 550 and fast.figures["per_minute"] > 10 * fast.figures["usual_per_minute"]


def test_the_fast_post_rule_reads_the_counts_a_later_sync_saw(tmp_path: Path, database: str | None) -> None:
    from groundswell.store.engagement import EngagementCount, record_engagement

    posted = utcnow() - timedelta(minutes=30)
    rows = [f"twitter,late,u5,quiet,40,,{stamp(posted)},@acme queue round the block today,,0,0"]
    with workspace_with(tmp_path, rows, database) as ws:
        rule = FastPostRule(window_hours=24)
        with ws.sources() as sources:
            assert rule.evaluate(sources, utcnow()) == []  # as imported: nothing
        seen = utcnow()  # a later sync reads the post's counts again
        record_engagement(
            ws.store, [EngagementCount("late", 300, 60, 4)], platform="twitter", seen_at=seen, source="sync:test"
        )
        with ws.sources() as sources:
            [fast] = rule.evaluate(sources, seen + timedelta(minutes=1))
            before = rule.evaluate(sources, seen - timedelta(seconds=1))  # a moment before that sighting
        minutes = (seen - posted.replace(microsecond=0)).total_seconds() / 60
        assert fast.key == "fast:twitter:late" and fast.figures["engagement"] == 360
        assert fast.figures["per_minute"] == pytest.approx(360 / minutes, rel=0.01)  # since posted, as last seen
        assert before == []
        [post] = ws.store.query("SELECT like_count, share_count FROM posts WHERE post_id = 'late'")
        assert (post["like_count"], post["share_count"]) == (0, 0)
