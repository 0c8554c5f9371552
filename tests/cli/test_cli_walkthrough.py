"""The README's "Using it" lines on real data (TWCS), one brand configured among its 43, each printed figure
checked against the independent pandas computation of tests/twcs_brand.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import twcs_brand
from groundswell.cli import cli
from groundswell.formatting import count
from groundswell.workspace import Workspace


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _line(output: str, label: str) -> str:
    found = [line for line in output.splitlines() if line.startswith(label)]
    assert found, (label, output)
    return found[0][len(label) :].strip()


@pytest.mark.slow  # the scorecard of every brand, and the report with its peers section
def test_readme_lines_on_twcs_with_one_brand(tmp_path: Path, twcs_sample: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "acme")
    _run(runner, "init", "--workspace", ws)
    (tmp_path / "acme" / "groundswell.toml").write_text(twcs_brand.CONFIG, encoding="utf-8")

    imported = _run(runner, "import", "--workspace", ws, str(twcs_sample))
    frame = twcs_brand.load(twcs_sample)
    n = count(len(frame))
    assert f"read {n} = imported {n} + duplicates 0 + rejected 0" in imported

    status = _run(runner, "status", "--workspace", ws)
    assert _line(status, "posts") == n
    assert _line(status, "  brand accounts") == str(frame.loc[frame.outbound, "key"].nunique())

    assert f"enriched {n} posts" in _run(runner, "enrich", "--workspace", ws)
    with Workspace.open(tmp_path / "acme") as opened, opened.sources() as src:
        assert src.enrichments is not None
        labels = src.enrichments.select("post_id", "needs_reply", "subject").to_pandas()
    ref = twcs_brand.reference(twcs_sample, labels)

    card = json.loads(_run(runner, "scorecard", "--workspace", ws, "--json"))
    rate = next(c for i in card["indices"] for c in i["components"] if c["name"] == "response_rate")
    assert (rate["figure"]["numerator"], rate["figure"]["denominator"]) == (ref.replied, ref.needs_reply)
    scorecard_text = _run(runner, "scorecard", "--workspace", ws)
    # the table shows three significant digits (0.95 as "95%", 0.9412 as "94.1%")
    assert f"{100 * ref.replied / ref.needs_reply:.3g}%" in _line(scorecard_text, "response rate")

    by_brand = json.loads(_run(runner, "scorecard", "--by", "brand", "--workspace", ws, "--json"))
    assert len(by_brand) == ref.brands
    assert all(b["social_media_index"] is not None and "social_media_marketing_index" in b for b in by_brand)
    apple = next(b for b in by_brand if b["own"])
    assert apple["brand"] == "Apple" and apple["social_media_index"] == pytest.approx(card["social_media_index"])

    response = _run(runner, "metrics", "response", "--workspace", ws)
    assert _line(response, "inbound ") == str(ref.customer_posts)
    assert _line(response, "threads ") == str(ref.threads)
    assert _line(response, "timed threads") == str(ref.timed_threads)
    assert _line(response, "first reply median") == _hms(ref.first_response_median_s)
    per_reply = _run(runner, "metrics", "response", "--per", "reply", "--workspace", ws)
    figures = _line(per_reply, "per reply").split()
    assert figures[0] == str(len(ref.reply_times))
    assert figures[1] == _hms(float(np.percentile(ref.reply_times, 50)))

    out = tmp_path / "acme.html"
    report = json.loads(_run(runner, "report", "--workspace", ws, "--out", str(out), "--json"))
    assert report["unavailable"] == {}
    page = out.read_text(encoding="utf-8")
    assert "Apple beside its peers" in page and f"{ref.brands} brands on one quadrant" in page
