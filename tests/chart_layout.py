"""Whether the Plotly charts of a page read, measured in the browser from what it drew: no label cut off by
the chart's edge or its plotting area, no two labels on top of each other, no annotation over a bar, no chart
wider than the window. Used by the report's and the dashboard's browser tests at a desktop and a phone width.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chromium_session import ARTIFACTS

WIDTHS = (1400, 390)
"""A desktop window and a phone's (CSS pixels)."""

_CHECK = """
(chart) => {
  const problems = [];
  const name = chart.id;
  const box = (el) => el.getBoundingClientRect();
  const meets = (a, b, slack) => a.left + slack < b.right && b.left + slack < a.right
                              && a.top + slack < b.bottom && b.top + slack < a.bottom;
  const inside = (a, b, slack) => a.left >= b.left - slack && a.right <= b.right + slack
                               && a.top >= b.top - slack && a.bottom <= b.bottom + slack;
  const words = (el) => el.textContent.trim();
  // a label's four corners on the screen, rotation included (a tilted tick label's box is no rectangle)
  const quad = (el) => {
    const b = el.getBBox(), m = el.getScreenCTM(), s = 0.75;
    return [[b.x + s, b.y + s], [b.x + b.width - s, b.y + s], [b.x + b.width - s, b.y + b.height - s],
            [b.x + s, b.y + b.height - s]].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  };
  // two convex shapes meet unless some edge's normal separates them
  const cross = (p, q) => {
    for (const shape of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = shape[i], [x2, y2] = shape[(i + 1) % 4], nx = y1 - y2, ny = x2 - x1;
        const along = (pts) => pts.map(([x, y]) => x * nx + y * ny);
        const a = along(p), b = along(q);
        if (Math.max(...a) <= Math.min(...b) || Math.max(...b) <= Math.min(...a)) { return false; }
      }
    }
    return true;
  };
  const outer = box(chart.querySelector("svg.main-svg"));
  if (outer.right > document.documentElement.clientWidth + 1) {
    problems.push(`${name}: ${Math.round(outer.right)} px wide in a ${document.documentElement.clientWidth} px window`);
  }
  const texts = [...chart.querySelectorAll("svg text")].filter((t) => {
    const b = box(t);
    return words(t) && b.width > 0 && b.height > 0 && getComputedStyle(t).visibility !== "hidden"
      && getComputedStyle(t).opacity !== "0" && !t.closest(".hoverlayer");
  });
  const area = chart.querySelector("rect.nsewdrag");
  for (const t of texts) {
    const b = box(t);
    if (!inside(b, outer, 1)) { problems.push(`${name}: "${words(t)}" runs past the chart's edge`); }
    // a label of the data layer drawn clipped shows only inside the plotting area
    const clipped = t.parentElement.closest(".cartesianlayer [clip-path]");
    if (area && clipped && !inside(b, box(area), 1)) {
      problems.push(`${name}: "${words(t)}" is cut by the plotting area`);
    }
  }
  const quads = texts.map(quad);
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      if (meets(box(texts[i]), box(texts[j]), 1) && cross(quads[i], quads[j])) {
        problems.push(`${name}: "${words(texts[i])}" overlaps "${words(texts[j])}"`);
      }
    }
  }
  const bars = [...chart.querySelectorAll(".bars .point path")].map(box).filter((b) => b.width > 0 && b.height > 0);
  for (const note of chart.querySelectorAll(".annotation text")) {
    if (bars.some((b) => meets(box(note), b, 1))) { problems.push(`${name}: "${words(note)}" lies on a bar`); }
  }
  return problems;
}
"""


def layout_problems(page: Any) -> list[str]:
    """Every chart on ``page`` (``div.chart``, drawn), checked as the module says: the problems found, in words."""
    found: list[str] = []
    for chart in page.query_selector_all("div.chart"):
        found.extend(chart.evaluate(_CHECK))
    return found


def chart_screenshots(page: Any, prefix: str) -> list[Path]:
    """Each chart of ``page`` on its own, as ``ARTIFACTS/{prefix}-{chart id}.png`` (a sticky header would cover
    the chart it scrolls over, so it is let go first)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelectorAll('nav, header').forEach((e) => { e.style.position = 'static'; })")
    saved = []
    for chart in page.query_selector_all("div.chart"):
        target = ARTIFACTS / f"{prefix}-{chart.get_attribute('id')}.png"
        chart.screenshot(path=str(target))
        saved.append(target)
    return saved
