"""The report's HTML without a browser: every section and chart is there, figures match the library, it is
self-contained, and the page's own scripts are the only ones its Content-Security-Policy lets run."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from groundswell.cli import cli
from groundswell.metrics import response
from groundswell.report import SECTIONS, ReportResult
from groundswell.report.charts import CHARTS
from groundswell.report.glossary import GLOSSARY
from groundswell.report.render import _json_for_script, _safe_url
from groundswell.workspace import Workspace

SECTION_IDS = (
    "verdict", "conversation", "response", "help", "voice", "participation", "relationships", "stores", "fairness",
    "spikes", "goals", "attention", "glossary",
)  # fmt: skip


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_demo_report_has_every_section_chart_and_definition(demo_report: ReportResult) -> None:
    soup = _soup(demo_report.path)
    assert demo_report.unavailable == {}
    for section in SECTION_IDS:
        assert soup.find("section", id=section) is not None, section
    drawn = {div["data-chart"] for div in soup.select("div.chart")}
    assert drawn == set(CHARTS) - {"peers_quadrant"}  # the demo's brand has no peers
    assert soup.find("section", id="peers") is None
    charts = json.loads(soup.find("script", id="chart-data").string)
    assert set(charts) == drawn
    assert all(figure["data"] for figure in charts.values())
    glossary = soup.find("section", id="glossary").get_text(" ")
    for term, definition in GLOSSARY:
        assert term in glossary and definition in glossary


def test_report_figures_are_the_librarys_with_numerator_denominator_and_model(demo_report: ReportResult) -> None:
    with Workspace.open(demo_report.path.parent / "ws") as ws, ws.sources() as sources:
        figures = response(sources)[0]
        model_version = sources.model_version
    text = _soup(demo_report.path).find("section", id="response").get_text(" ")
    assert f"{100 * figures.response_rate:.1f}%" in text
    assert f"{figures.replied:,} / {figures.needs_reply:,}" in text
    assert f"model {model_version}" in text


def test_report_is_self_contained_and_only_its_own_scripts_may_run(demo_report: ReportResult) -> None:
    html = demo_report.path.read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    allowed = set(re.findall(r"'sha256-([A-Za-z0-9+/=]+)'", csp))
    scripts = [s for s in soup.find_all("script") if s.get("type") != "application/json"]
    assert len(scripts) == 2 and not any(s.get("src") for s in scripts)
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.string.encode("utf-8")).digest()).decode("ascii")
        assert digest in allowed
    assert not soup.find_all("link") and not soup.find_all("img") and not soup.find_all("iframe")


def test_every_section_is_computed_by_the_library(demo_report: ReportResult) -> None:
    assert set(SECTIONS) >= {"scorecard", "response", "help", "spikes", "attention", "participation", "goals"}


def test_workspace_not_enriched_gives_a_report_that_says_what_is_missing(tmp_path: Path, twcs_sample: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.import_files([twcs_sample])
        result = ws.report(tmp_path / "r.html")
    assert "subject" in result.unavailable and "enrich" in result.unavailable["subject"]
    soup = _soup(result.path)
    assert "Not shown:" in soup.find("section", id="conversation").get_text(" ")
    assert "groundswell enrich" in soup.find("section", id="help").get_text(" ")
    assert soup.select("div.chart")  # the figures that need no classifier are still drawn


def test_report_command_writes_the_file_and_reports_it(demo_report: ReportResult, tmp_path: Path) -> None:
    out = tmp_path / "mail-me.html"
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--workspace", str(demo_report.path.parent / "ws"), "--out", str(out),
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["path"] == str(out) and out.stat().st_size == document["bytes"] > 0
    bad = runner.invoke(cli, ["report", "--workspace", str(demo_report.path.parent / "ws"), "--out", str(tmp_path)])
    assert bad.exit_code != 0


def test_report_command_refuses_a_missing_folder(demo_report: ReportResult, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["report", "--workspace", str(demo_report.path.parent / "ws"), "--out", str(tmp_path / "no" / "r.html")]
    )
    assert result.exit_code == 1
    assert "does not exist" in result.output


@given(st.text())
def test_chart_json_cannot_close_its_script_element(text: str) -> None:
    encoded = _json_for_script({"label": text, "list": [text]})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"label": text, "list": [text]}


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://twitter.com/a/status/1", True),
        ("http://example.org/x", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:x", False),
        ("//evil.example/x", False),
        (None, False),
    ],
)
def test_only_plain_http_urls_become_links(url: str | None, link: bool) -> None:
    assert (_safe_url(url) is not None) is link


def test_classified_figures_show_their_interval_and_the_verdict_its_weak_component(demo_report: ReportResult) -> None:
    soup = _soup(demo_report.path)
    with Workspace.open(demo_report.path.parent / "ws") as ws, ws.sources() as sources:
        figures = response(sources)[0]
    assert figures.response_rate_interval is not None
    shown = {
        f.select_one(".label").get_text(): f.select_one(".interval").get_text()
        for f in soup.select(".figure")
        if f.select_one(".interval")
    }
    assert set(shown) >= {"experience share", "experience net sentiment", "marketing-buzz share", "response rate",
                          "help rate"}  # fmt: skip
    low, high = (float(x) for x in re.findall(r"\d+\.\d+", shown["response rate"]))
    assert (low, high) == (round(100 * figures.response_rate_interval.low, 1),
                           round(100 * figures.response_rate_interval.high, 1))  # fmt: skip
    assert low != high
    verdict = soup.select_one("p.verdict").get_text()
    assert figures.response_rate_interval.high < 0.8  # the demo brand misses its 80% response-rate target
    assert "get answers" not in verdict and "fewer than half of the people who need a reply get one" in verdict
