"""The report in a real browser (Debian's Chromium, headless, via Playwright): every chart draws, nothing is
fetched, nothing logs an error, and post text holding HTML or script shows as text and never runs.

Screenshots go to artifacts/ (report-demo.png, report-twcs.png, report-hostile.png).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from chart_layout import WIDTHS, chart_screenshots, layout_problems
from groundswell.report import ReportResult
from groundswell.workspace import Workspace
from report_page import LoadedPage, open_report, screenshot


def _check_drawn(loaded: LoadedPage) -> int:
    page = loaded.page
    charts = page.query_selector_all("div.chart")
    assert charts
    assert page.get_attribute("body", "data-charts-drawn") == str(len(charts))
    for chart in charts:
        svg = chart.query_selector("svg.main-svg")
        assert svg is not None, chart.get_attribute("id")
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, chart.get_attribute("id")
        # a drawn chart has marks: bars, lines, points, slices or heatmap cells
        assert chart.query_selector(".trace, .slice, .hm, image"), chart.get_attribute("id")
    assert loaded.console_errors == []
    assert loaded.requests == []
    return len(charts)


def test_demo_report_draws_every_chart_in_chromium(chromium: Any, demo_report: ReportResult) -> None:
    loaded = open_report(chromium, demo_report.path)
    assert _check_drawn(loaded) == 14
    assert "scores high on social media" in loaded.page.inner_text("#verdict")  # the verdict sentence is there
    assert screenshot(loaded, "report-demo.png").stat().st_size > 50_000


def test_report_of_real_support_threads_draws_in_chromium(chromium: Any, tmp_path: Path, twcs_sample: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.import_files([twcs_sample])
        ws.enrich("fast")
        result = ws.report(tmp_path / "twcs.html")
    assert result.unavailable == {}
    loaded = open_report(chromium, result.path)
    assert _check_drawn(loaded) >= 8
    accounts = loaded.page.inner_text("#response")
    assert "AppleSupport" in accounts or "AmazonHelp" in accounts
    screenshot(loaded, "report-twcs.png")
    _check_layout(chromium, result.path, "report-twcs")


def test_demo_report_charts_read_on_a_desktop_and_a_phone(chromium: Any, demo_report: ReportResult) -> None:
    _check_layout(chromium, demo_report.path, "report-demo")


def _check_layout(browser: Any, path: Path, prefix: str) -> None:
    """At each width: no label cut or overlapping, no annotation on a bar, no chart wider than the window; each
    chart saved as ARTIFACTS/{prefix}-{width}-chart-{name}.png."""
    for width in WIDTHS:
        loaded = open_report(browser, path, width=width)
        assert layout_problems(loaded.page) == [], width
        assert chart_screenshots(loaded.page, f"{prefix}-{width}")
        loaded.page.close()


@pytest.mark.slow  # every one of TWCS's 43 brands is scored for the peers section
def test_report_of_one_brand_among_peers_draws_its_peers_section(
    chromium: Any, tmp_path: Path, twcs_sample: Path
) -> None:
    Workspace.init(tmp_path / "ws").close()
    (tmp_path / "ws" / "groundswell.toml").write_text(
        'brand = "Apple"\n\n[[accounts]]\nplatform = "twitter"\nhandle = "AppleSupport"\n', encoding="utf-8"
    )
    with Workspace.open(tmp_path / "ws") as ws:
        ws.import_files([twcs_sample])
        ws.enrich("fast")
        result = ws.report(tmp_path / "apple.html")
    assert result.unavailable == {}
    loaded = open_report(chromium, result.path)
    _check_drawn(loaded)
    peers = loaded.page.inner_text("#peers")
    assert "Apple beside its peers" in peers and "43 brands" in peers and "share of voice" in peers
    assert loaded.page.query_selector("#chart-peers_quadrant .trace") is not None
    assert "AmazonHelp" not in loaded.page.inner_text("#response")  # a peer's account, not Apple's
    screenshot(loaded, "report-twcs-peers.png")


HOSTILE_TEXTS = (
    "<script>window.__pwned = 'script'; alert('script')</script> @acme my order never came, refund me now",
    "<img src=x onerror=\"window.__pwned = 'img'; alert(1)\"> @acme your app keeps crashing and I lost my work",
    "<a href=\"javascript:window.__pwned='link'\">click</a> @acme terrible service, nobody answers my complaint",
    "</script><script>window.__pwned='close'</script> @acme broken again, worst store ever",
    "<style>body{display:none}</style><b>bold</b> @acme the delivery was late and the box was damaged",
)


def test_hostile_post_text_shows_as_text_and_never_runs(chromium: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["platform", "post_id", "author_id", "author_handle", "created_at", "text", "url"])
        for i, text in enumerate(HOSTILE_TEXTS):
            handle = f"<b onmouseover=\"window.__pwned='handle'\">cust{i}</b>"
            url = "javascript:window.__pwned='url'" if i % 2 else f"https://example.org/{i}"
            writer.writerow(["twitter", str(100 + i), f"u{i}", handle, f"2026-01-0{i + 1}T10:00:00Z", text, url])
    with Workspace.init(tmp_path / "ws") as ws:
        config = (tmp_path / "ws" / "groundswell.toml").read_text(encoding="utf-8")
        (tmp_path / "ws" / "groundswell.toml").write_text(
            config.replace('brand = "My brand"', 'brand = "Acme <i>Inc</i>"')
            + '\n[[accounts]]\nplatform = "twitter"\nhandle = "acme"\n',
            encoding="utf-8",
        )
    with Workspace.open(tmp_path / "ws") as ws:
        report = ws.import_files([path])
        assert report.imported == len(HOSTILE_TEXTS)
        ws.enrich("fast")
        result = ws.report(tmp_path / "hostile.html")
    loaded = open_report(chromium, result.path)
    page = loaded.page
    page.hover("#attention table")
    assert page.evaluate("window.__pwned") is None
    assert loaded.dialogs == []
    assert page.query_selector_all("a[href^='javascript:' i]") == []
    assert page.query_selector_all("#attention img, #attention script, #attention style, #attention b") == []
    shown = page.inner_text("#attention")
    for text in HOSTILE_TEXTS:
        assert text.split(" @acme")[0] in shown
    assert "<b onmouseover=" in shown
    assert "Acme <i>Inc</i>" in page.inner_text("header")
    assert loaded.requests == []
    screenshot(loaded, "report-hostile.png")
