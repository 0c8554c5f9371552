"""The team's review of a random sample of its posts (``groundswell review``): the draw, the checks of a labelled
file, and the figures' intervals measured on it; on the embedded file and on PostgreSQL."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.errors import SourceError, UsageError
from groundswell.metrics import response, subject_shares
from groundswell.workspace import Workspace

CUSTOMERS = 40
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


@pytest.fixture
def database(backend: str | None) -> str | None:
    return backend


def _posts(folder: Path) -> Path:
    """40 customer posts to @Acme (a complaint of two answered by the brand) and the brand's 10 replies."""
    lines = [HEADER]
    for i in range(1, CUSTOMERS + 1):
        answered = i % 4 == 1
        text = "@Acme my order never arrived, where is it?" if i % 2 else "@Acme thanks, the new jacket is lovely"
        lines.append(f'{i},{100 + i},True,Tue Oct 31 {10 + i // 10}:{i % 60:02d}:00 +0000 2017,"{text}",'
                     f"{1000 + i if answered else ''},\n")  # fmt: skip
        if answered:
            lines.append(f"{1000 + i},Acme,False,Tue Oct 31 {10 + i // 10}:{i % 60:02d}:30 +0000 2017,"
                         f"@{100 + i} sorry to hear that! DM us,,{i}\n")  # fmt: skip
    path = folder / "posts.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def imported(workspace: Workspace, tmp_path: Path) -> Workspace:
    report = workspace.import_files([_posts(tmp_path)])
    assert report.imported == CUSTOMERS + CUSTOMERS // 4
    return workspace


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _seed_order(seed: str) -> list[str]:
    """The customer posts' ids in the order a draw with ``seed`` takes them (md5 orders, it does not protect)."""
    ids = (str(i) for i in range(1, CUSTOMERS + 1))
    return sorted(ids, key=lambda i: hashlib.md5(f"{seed}|twitter|{i}".encode(), usedforsecurity=False).hexdigest())


def test_the_draw_is_random_customer_posts_in_the_seeds_order(imported: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    assert imported.write_review_sample(out, 5, seed="spring") == 5
    drawn = _read(out)
    expected = _seed_order("spring")
    assert [r["post_id"] for r in drawn] == expected[:5]  # the same order on DuckDB and PostgreSQL
    assert {r["sentiment"] + r["subject"] + r["needs_reply"] for r in drawn} == {""}
    assert drawn[0]["text"].startswith("@Acme")
    with pytest.raises(UsageError, match="already exists"):
        imported.write_review_sample(out, 5)
    labelled = [{**r, "sentiment": "negative"} for r in drawn[:2]]
    imported.load_review_labels(_write(tmp_path / "l.csv", list(drawn[0]), labelled), by="ana")
    again = tmp_path / "again.csv"
    imported.write_review_sample(again, 5, seed="spring")
    # labelled posts are not drawn again; the draw goes on in the same order
    assert [r["post_id"] for r in _read(again)] == expected[2:7]


def test_a_labelled_file_keeps_good_rows_and_rejects_bad_ones_by_line(imported: Workspace, tmp_path: Path) -> None:
    header = ["platform", "post_id", "text", "sentiment", "subject", "needs_reply"]
    rows = [
        {"platform": "twitter", "post_id": "1", "sentiment": "Negative", "subject": "experience", "needs_reply": "yes"},
        {"platform": "twitter", "post_id": "2"},  # not labelled yet
        {"platform": "twitter", "post_id": "3", "sentiment": "angry"},
        {"platform": "twitter", "post_id": "999", "sentiment": "neutral"},
        {"platform": "twitter", "post_id": "1", "sentiment": "positive"},
        {"platform": "twitter", "post_id": "1001", "subject": "experience"},  # the brand's own post
        {"platform": "", "post_id": "5", "sentiment": "neutral"},
        {"platform": "twitter", "post_id": "6", "needs_reply": "maybe"},
        {"platform": "twitter", "post_id": "7", "subject": "other", "text": "a line\nbreak inside"},
    ]
    report = imported.load_review_labels(_write(tmp_path / "labels.csv", header, rows), by="ana")
    assert (report.read, report.labelled, report.blank) == (9, 2, 1)
    assert [(r.line, r.field) for r in report.rejected] == [
        (4, "sentiment"), (5, "post_id"), (6, "post_id"), (7, "post_id"), (8, "platform"), (9, "needs_reply"),
    ]  # fmt: skip
    reasons = [r.reason for r in report.rejected]
    assert "'angry' is none of negative, neutral, positive" in reasons[0]
    assert "labelled already on line 2" in reasons[2]
    assert imported.review_counts() == {"posts": 2, "sentiment": 1, "subject": 2, "needs_reply": 1}
    # a later load of the same post is the one that counts
    later = [{"platform": "twitter", "post_id": "1", "sentiment": "neutral", "subject": "other", "needs_reply": "no"}]
    imported.load_review_labels(_write(tmp_path / "later.csv", header, later), by="ben")
    with imported.sources() as sources:
        assert sources.review is not None
        newest = {(r["post_id"]): r for r in sources.review.to_pyarrow().to_pylist()}
    assert newest["1"]["review_sentiment"] == "neutral" and newest["1"]["review_needs_reply"] is False
    assert newest["7"]["review_subject"] == "other" and newest["7"]["review_sentiment"] is None


def test_a_file_that_is_no_review_file_is_refused_with_its_name(imported: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,label\n1,negative\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad\.csv:1: no platform and no post_id column"):
        imported.load_review_labels(bad, by="ana")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"platform,post_id,sentiment\ntwitter,1,\xff\n")
    with pytest.raises(SourceError, match="not UTF-8"):
        imported.load_review_labels(binary, by="ana")
    assert imported.review_counts()["posts"] == 0


def test_with_enough_reviewed_posts_the_intervals_are_measured_on_them(imported: Workspace, tmp_path: Path) -> None:
    imported.enrich("fast")
    with imported.sources() as sources:
        before = subject_shares(sources)[0].experience.share.interval
    assert before is not None and "held-out" in before.method
    sample = tmp_path / "sample.csv"
    imported.write_review_sample(sample, CUSTOMERS)
    rows = _read(sample)
    for row in rows:  # the team's labels: a complaint or praise about the order, by the text
        praise = "thanks" in row["text"]
        row.update(sentiment="positive" if praise else "negative", subject="experience",
                   needs_reply="false" if praise else "true")  # fmt: skip
    imported.load_review_labels(_write(tmp_path / "labelled.csv", list(rows[0]), rows), by="ana")
    with imported.sources() as sources:
        after = subject_shares(sources)[0].experience
        rate = response(sources)[0].metrics()[1]
    assert after.share.interval is not None and f"on {CUSTOMERS} of these posts" in after.share.interval.method
    assert after.share.interval.low <= 1.0 <= after.share.interval.high + 1e-9  # every post is truly experience
    assert rate.interval is not None and "prediction-powered" in rate.interval.method
    assert rate.interval.low <= 0.5 <= rate.interval.high  # 10 of the 20 complaints answered


def test_the_review_commands(tmp_path: Path) -> None:
    location = str(tmp_path / "cli")
    with Workspace.init(location) as ws:  # the embedded file: the command line is the same on both
        ws.import_files([_posts(tmp_path)])
    runner = CliRunner()
    sample = tmp_path / "s.csv"
    drawn = runner.invoke(cli, ["review", "sample", str(sample), "--size", "3", "--workspace", location])
    assert drawn.exit_code == 0, drawn.output
    assert "3 posts drawn" in drawn.output
    rows = _read(sample)
    rows[0]["sentiment"], rows[1]["sentiment"] = "positive", "furious"
    labelled = _write(tmp_path / "l.csv", list(rows[0]), rows)
    loaded = runner.invoke(cli, ["review", "load", str(labelled), "--by", "ana", "--workspace", location])
    assert loaded.exit_code == 0, loaded.output
    assert "3 rows read: 1 posts labelled, 1 without a label yet, 1 rejected" in loaded.output
    assert f"{labelled}:3: sentiment: 'furious' is none of" in loaded.output
    status = runner.invoke(cli, ["review", "status", "--json", "--workspace", location])
    assert json.loads(status.output) == {"posts": 1, "sentiment": 1, "subject": 0, "needs_reply": 0}
    again = runner.invoke(cli, ["review", "sample", str(sample), "--workspace", location])
    assert again.exit_code == 1 and "already exists" in again.output
