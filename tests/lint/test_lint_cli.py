"""`groundswell lint` with and without --json, and --reply-to over a real workspace."""

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
from click.testing import CliRunner, Result

from groundswell.cli import cli
from groundswell.enrich.registry import shipped_model_dir
from groundswell.errors import UsageError
from groundswell.lint import check_draft, find_post, reply_context
from groundswell.workspace import Workspace

CONFIG = 'brand = "Acme"\n[[accounts]]\nplatform = "twitter"\nhandle = "AcmeHelp"\n'
POSTS = [
    (
        "twitter",
        "1",
        "u1",
        "ana",
        "2026-01-05T10:00:00Z",
        "@AcmeHelp my order arrived broken, nobody answers. Terrible.",
        "",
    ),
    (
        "twitter",
        "2",
        "u2",
        "bo",
        "2026-01-05T11:00:00Z",
        "@AcmeHelp I love my new jacket, best purchase this year!",
        "",
    ),
    ("mastodon", "2", "u9", "cy", "2026-01-05T11:00:00Z", "@AcmeHelp hello from the fediverse", ""),
    ("twitter", "3", "u3", "di", "2026-01-05T12:00:00Z", "@AcmeHelp where is my parcel?", ""),
    ("twitter", "4", "h", "AcmeHelp", "2026-01-05T12:30:00Z", "@di It ships today.", "3"),
    # eve chats; the brand answered each of her last three posts
    ("twitter", "10", "u5", "eve", "2026-01-02T09:00:00Z", "@AcmeHelp morning!", ""),
    ("twitter", "11", "h", "AcmeHelp", "2026-01-02T09:05:00Z", "@eve Morning Eve!", "10"),
    ("twitter", "12", "u5", "eve", "2026-01-03T09:00:00Z", "@AcmeHelp morning again", ""),
    ("twitter", "13", "h", "AcmeHelp", "2026-01-03T09:05:00Z", "@eve Hi again!", "12"),
    ("twitter", "14", "u5", "eve", "2026-01-04T09:00:00Z", "@AcmeHelp and again", ""),
    ("twitter", "15", "h", "AcmeHelp", "2026-01-04T09:05:00Z", "@eve Hello!", "14"),
    ("twitter", "16", "u5", "eve", "2026-01-05T09:00:00Z", "@AcmeHelp nice weather today", ""),
]
# (post id, intent, sentiment, needs_reply) as an enrichment stored them
ENRICHED = [
    ("1", "complaint", "negative", True),
    ("3", "question", "neutral", True),
    ("16", "other", "positive", False),
]
PITCH = "@ana Have you seen our Black Friday deals? 30% off everything with code BF30, shop now!"


def _write_enrichments(ws: Workspace) -> None:
    n = len(ENRICHED)
    ws.store.write_enrichments(
        pa.table(
            {
                "platform": ["twitter"] * n,
                "post_id": [e[0] for e in ENRICHED],
                "model": ["hand"] * n,
                "model_version": ["hand-labelled@1"] * n,
                "sentiment": [e[2] for e in ENRICHED],
                "sentiment_score": [0.0] * n,
                "complaint_score": [0.9 if e[1] == "complaint" else 0.1 for e in ENRICHED],
                "intent": [e[1] for e in ENRICHED],
                "subject": ["experience"] * n,
                "needs_reply": [e[3] for e in ENRICHED],
                "gratitude": [False] * n,
                "campaign": pa.array([None] * n, pa.string()),
                "enriched_at": pa.array([datetime(2026, 1, 6)] * n, pa.timestamp("us")),
            }
        )
    )


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("lint")
    posts = root / "posts.csv"
    with posts.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["platform", "post_id", "author_id", "author_handle", "created_at", "text", "in_reply_to_post_id"]
        )
        writer.writerows(POSTS)
    with Workspace.init(root / "ws", config_text=CONFIG) as ws:
        report = ws.import_files([posts])
        assert report.rejected == 0, ws.rejects()
        _write_enrichments(ws)
    yield root / "ws"


def lint(*args: str, input: str | None = None) -> Result:
    # wide enough that no quote in the table wraps
    return CliRunner().invoke(cli, ["lint", *args], input=input, env={"COLUMNS": "250"})


def lint_json(*args: str) -> dict[str, Any]:
    result = lint("--json", *args)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_json_has_the_verdict_and_a_finding_per_rule_and_needs_no_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no workspace here, and none is needed
    monkeypatch.delenv("GROUNDSWELL_WORKSPACE", raising=False)
    document = lint_json("HUGE SALE!!! EVERYTHING MUST GO!!! SHOP NOW!!!")
    assert document["verdict"] == document["worst_level"] == "warn"
    assert [f["rule"] for f in document["findings"]] == [1, 2, 3, 4, 5]
    for finding in document["findings"]:
        assert {"rule", "level", "evidence", "suggestion"} <= set(finding)
    intrusive = document["findings"][3]
    assert intrusive["level"] == "warn" and "!!!" in intrusive["evidence"] and intrusive["suggestion"]
    assert document["reply_to"] is None


def test_the_table_shows_each_rule_level_evidence_and_the_verdict() -> None:
    result = lint("Proud to partner with @GlowSkin! Grab yours at https://g.example")
    assert result.exit_code == 0, result.output  # advice: a fail is not an error
    for words in ("adds value", "grateful for feedback", "transparent", "not intrusive", "a dedicated team"):
        assert words in result.stdout
    assert '"Proud to partner with"' in result.stdout
    assert "verdict: fail" in result.stdout


def test_a_draft_from_stdin() -> None:
    result = lint("--json", "-", input="@sam Thanks so much, glad you like it! ^JD\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "pass"


def test_a_sales_pitch_to_a_stored_complaint_fails(ws_dir: Path) -> None:
    document = lint_json("--workspace", str(ws_dir), "--reply-to", "1", PITCH)
    assert document["verdict"] == "fail"
    assert document["reply_to"]["intent"] == "complaint"
    assert document["reply_to"]["source"] == "enrichment hand-labelled@1"
    assert document["reply_to"]["author"] == "ana"
    hard_sell = document["findings"][3]
    assert hard_sell["level"] == "fail" and "30% off" in hard_sell["evidence"]


def test_the_same_complaint_owned_and_apologised_for_passes(ws_dir: Path) -> None:
    good = "@ana So sorry your order arrived damaged! DM us your order number and we'll send a replacement. ^KL"
    assert lint_json("--workspace", str(ws_dir), "--reply-to", "twitter:1", good)["verdict"] == "pass"
    cold = lint_json("--workspace", str(ws_dir), "--reply-to", "1", "@ana Good evening!")
    assert cold["verdict"] == "fail" and cold["findings"][1]["level"] == "fail"


def test_a_post_already_answered_and_a_person_replied_to_too_often(ws_dir: Path) -> None:
    answered = lint_json("--workspace", str(ws_dir), "--reply-to", "3", "@di Sorry for the wait! It ships today. ^AB")
    assert answered["reply_to"]["brand_replies"] == 1
    assert answered["findings"][4]["level"] == "warn"
    chatty = lint_json("--workspace", str(ws_dir), "--reply-to", "16", "@eve Enjoy the sunshine!")
    assert chatty["reply_to"]["recent_brand_replies"] == 3
    assert chatty["findings"][3]["level"] == "warn"


def test_the_table_names_the_post_replied_to(ws_dir: Path) -> None:
    result = lint("--workspace", str(ws_dir), "--reply-to", "1", PITCH)
    assert result.exit_code == 0, result.output
    assert "reply to twitter:1 by ana: complaint, negative" in result.stdout
    assert "verdict: fail" in result.stdout


def test_an_unknown_post_id_is_a_user_error(ws_dir: Path) -> None:
    result = lint("--workspace", str(ws_dir), "--reply-to", "999", "@x hi")
    assert result.exit_code == 1
    assert "no post '999'" in result.stderr and result.stdout == ""


def test_an_id_on_two_platforms_must_be_named(ws_dir: Path) -> None:
    result = lint("--workspace", str(ws_dir), "--reply-to", "2", "@bo thanks!")
    assert result.exit_code == 1
    assert "mastodon, twitter" in result.stderr and "PLATFORM:2" in result.stderr
    assert lint_json("--workspace", str(ws_dir), "--reply-to", "mastodon:2", "@cy hello!")["reply_to"]["author"] == "cy"


def test_reply_to_needs_a_workspace(tmp_path: Path) -> None:
    result = lint("--workspace", str(tmp_path / "none"), "--reply-to", "1", "@x hi")
    assert result.exit_code == 1 and "no workspace" in result.stderr


def test_an_unenriched_post_is_classified_by_the_rules_now(ws_dir: Path) -> None:
    if not shipped_model_dir("fast").joinpath("sentiment", "model.json").is_file():
        pytest.skip("the shipped fast models are not in this checkout")
    with Workspace.open(ws_dir) as ws:
        ctx = reply_context(ws, "twitter:2")
        with pytest.raises(UsageError, match="several platforms"):
            find_post(ws, "2")
    assert ctx.source.startswith("rules over ") and ctx.intent == "praise"
    assert check_draft("@bo Thank you, enjoy wearing it!", reply_to=ctx).verdict == "pass"
    assert check_draft("@bo Complete the look: 15% off boots with code JACKET15", reply_to=ctx).verdict == "warn"


def test_print_check_renders_on_a_given_console() -> None:
    from rich.console import Console

    from groundswell.cli.lint_commands import print_check

    buffer = io.StringIO()
    print_check(check_draft("@sam Please contact customer service."), console=Console(file=buffer, width=120))
    text = buffer.getvalue()
    assert '"contact customer service"' in text and "verdict: warn" in text
