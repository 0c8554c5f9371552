"""Terminal tables for ``groundswell metrics`` and ``groundswell scorecard`` (rich): aligned, with units.

A family's rows become one table (one row per group, or figures down the side when that fits the terminal
better); the lists inside a row (cohorts, per-location figures, spikes and their top posts, a goal's KPIs)
become tables of their own below it. Values that only make sense as data (the Lorenz curve, the daily series)
are left to ``--json``, and the caption says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from groundswell.cli.console import stderr_console
from groundswell.formatting import clock, interval, number, percent
from groundswell.query import Period

# Shown once above the table rather than in every row, when every row has the same value.
_CAPTION_KEYS = ("model_version", "window_hours")
# Data for charts, not for reading in a terminal.
_JSON_ONLY = ("lorenz", "series")
_SKIPPED = ("group", "period", "notes")
_POST_TEXT_WIDTH = 60


def print_table(name: str, documents: list[dict[str, Any]], period: Period, *, console: Console | None = None) -> None:
    """Rows as an aligned table with units; constant fields above it, nested lists below it, notes on stderr."""
    out = console or Console(highlight=False, emoji=False)
    flat = [_flatten(d) for d in documents]
    columns = _columns(flat)
    caption: list[str] = [f"period: {_period_text(period)}"]
    if any(key.endswith("_s") for d in flat for key in d):
        caption.append("times in h:mm:ss")
    for key in _CAPTION_KEYS:
        values = {repr(row.get(key)) for row in flat}
        if key in columns and len(values) == 1:
            value = flat[0].get(key) if flat else None
            if value is not None:
                caption.append(f"{key.replace('_', ' ')}: {_cell(key, value)}")
            for row in flat:
                row.pop(key, None)
    held_back = sorted({k for d in documents for k in _JSON_ONLY if d.get(k)})
    if held_back:
        caption.append(f"{', '.join(held_back)}: see --json")
    out.print(Text(f"{name}: {'; '.join(caption)}"), soft_wrap=True)
    _print_rows(out, flat)
    for title, rows in _sub_tables(documents):
        out.print(Text(""))
        out.print(Text(title))
        _print_rows(out, rows)
    notes = sorted({note for d in documents for note in d.get("notes", ()) or ()})
    if period.left_out is not None:
        notes.insert(0, period.left_out.note)
    if notes:
        console_err = stderr_console()
        for note in notes:
            console_err.print(f"note: {note}", markup=False, soft_wrap=True)


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return [c for c in columns if any(row.get(c) is not None for row in rows)]


def _print_rows(out: Console, rows: list[dict[str, Any]]) -> None:
    """One row per entry when that fits the terminal; else one column per entry; else one block per entry."""
    columns = _columns(rows)
    if not columns:
        return
    cells = [[_cell(c, row.get(c)) for c in columns] for row in rows]
    headers = [_header(c) for c in columns]
    numeric = [any(isinstance(row.get(c), (int, float, _Figure)) for row in rows) for c in columns]
    gap = 2
    wide = sum(max(len(h), *(len(r[i]) for r in cells)) + gap for i, h in enumerate(headers))
    tall = max((len(h) for h in headers), default=0) + sum(max((len(x) for x in r), default=0) + gap for r in cells)
    if wide <= out.width:
        table = Table(box=None, pad_edge=False, padding=(0, gap, 0, 0))
        for header, right in zip(headers, numeric, strict=True):
            table.add_column(Text(header), justify="right" if right else "left", no_wrap=True)
        for row_cells in cells:
            table.add_row(*(Text(c) for c in row_cells))
        out.print(table)
    elif tall <= out.width and len(rows) > 1:
        table = Table(box=None, pad_edge=False, padding=(0, gap, 0, 0), show_header=False)
        table.add_column("", no_wrap=True)
        for _ in rows:
            table.add_column("", justify="right", no_wrap=True)
        for i, header in enumerate(headers):
            table.add_row(Text(header), *(Text(r[i]) for r in cells))
        out.print(table)
    else:
        width = max((len(h) for h in headers), default=0)
        for n, row_cells in enumerate(cells):
            if n:
                out.print(Text(""))
            for header, cell in zip(headers, row_cells, strict=True):
                out.print(Text(f"{header:<{width}}  {cell}"), soft_wrap=True)


def _flatten(document: dict[str, Any]) -> dict[str, Any]:
    """Group keys first; a nested figure as one cell; a nested record's fields prefixed with its name.

    Lists are left out here: lists of records get tables of their own (``_sub_tables``).
    """
    flat: dict[str, Any] = dict(document.get("group") or {})
    for key, value in document.items():
        if key in _SKIPPED or isinstance(value, list):
            continue
        if isinstance(value, dict) and "value" in value:
            flat[key] = _Figure(value)
        elif isinstance(value, dict):
            for inner, item in value.items():
                if isinstance(item, list) or inner in _SKIPPED or inner == "subject":
                    continue
                flat[f"{key}_{inner}"] = _Figure(item) if isinstance(item, dict) and "value" in item else item
        else:
            flat[key] = value
    for key in [k for k in flat if f"{k}_ci_low" in flat]:  # a flat figure and its interval: one cell
        low, high = flat.pop(f"{key}_ci_low"), flat.pop(f"{key}_ci_high", None)
        flat[key] = _Figure({"value": flat[key], "ci_low": low, "ci_high": high})
    return {k: v for k, v in flat.items() if not isinstance(v, dict)}


def _sub_tables(documents: list[dict[str, Any]]) -> Iterable[tuple[str, list[dict[str, Any]]]]:
    """(title, rows) for each list of records in the documents, the rows of all documents together."""
    keys: list[str] = []
    for d in documents:
        keys.extend(
            k for k, v in d.items() if k not in keys and k not in _JSON_ONLY and v and isinstance(v, list)
            and all(isinstance(x, dict) for x in v)
        )  # fmt: skip
    for key in keys:
        rows: list[dict[str, Any]] = []
        for d in documents:
            owner = {k: v for k, v in (d.get("group") or {}).items()}
            if "goal" in d:
                owner["goal"] = d["goal"]
            for item in d.get(key) or []:
                rows.append({**owner, **_SUB_ROWS.get(key, _flatten)(item)})
        yield key.replace("_", " "), rows
        if key == "spikes":
            posts = [
                {"spike": n, **_post_row(p)}
                for n, spike in enumerate((s for d in documents for s in d.get("spikes") or []), start=1)
                for p in spike.get("top_posts") or []
            ]
            if posts:
                yield "top posts of each spike", posts


def _cohort_row(cohort: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"cohort": cohort["month"], "customers": cohort["size"]}
    for cell in cohort.get("retention") or []:
        row[f"+{cell['offset']}_share"] = cell["share"]
    return row


def _location_row(location: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"location": location["location"], **(location.get("counts") or {})}
    for figure in location.get("figures") or []:
        row[figure["metric"]] = _Figure(figure)
    return row


def _figure_row(figure: dict[str, Any]) -> dict[str, Any]:
    return {
        "figure": figure.get("unit") or figure["metric"],
        "value": _Figure(figure),
        "model": figure.get("model_version") or "",
    }


def _spike_row(spike: dict[str, Any]) -> dict[str, Any]:
    keys = ("start", "end", "posts", "expected_posts", "label", "campaign", "campaign_share", "surge_campaign_share")
    return {k: spike.get(k) for k in keys}


def _post_row(post: dict[str, Any]) -> dict[str, Any]:
    text = " ".join(str(post.get("text") or "").split())
    if len(text) > _POST_TEXT_WIDTH:
        text = text[: _POST_TEXT_WIDTH - 1] + "…"
    return {
        "created_at": str(post.get("created_at", "")).replace("T", " ")[:16],
        "author": post.get("author_handle"),
        "likes": post.get("likes"),
        "shares": post.get("shares"),
        "text": text,
    }


def _kpi_row(kpi: dict[str, Any]) -> dict[str, Any]:
    metric = kpi["metric"]
    sign = ">=" if kpi.get("direction") == "at_least" else "<="
    figure = kpi.get("figure") or {}
    value = _kpi_value(metric, kpi.get("value"))
    if figure.get("numerator") is not None and figure.get("denominator") is not None:
        value += f" ({number(figure['numerator'])}/{number(figure['denominator'])})"
    return {
        "kpi": metric,
        "target": f"{sign} {_kpi_value(metric, kpi.get('target'))}",
        "value": value,
        "status": kpi.get("status"),
        "note": kpi.get("note"),
    }


def _kpi_value(metric: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if metric.endswith(("_rate", "_share", "_ratio", "coverage")) or "growth" in metric:
        return percent(value)
    return number(value)


_SUB_ROWS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "cohorts": _cohort_row,
    "locations": _location_row,
    "figures": _figure_row,
    "spikes": _spike_row,
    "kpis": _kpi_row,
}


class _Figure:
    """A nested MetricValue: shown as its value, with numerator / denominator when it has them."""

    def __init__(self, document: dict[str, Any]):
        self.document = document

    def text(self, key: str) -> str:
        value = self.document.get("value")
        unit = str(self.document.get("unit") or "")
        share = any(word in key for word in ("rate", "share", "ratio")) or unit.startswith("share")
        shown = _cell("_share" if share else "", value)
        if share and value is not None and not key.endswith(("_rate", "_share", "_ratio")):
            shown += "%"  # the header carries no "(%)" for this one
        num, den = self.document.get("numerator"), self.document.get("denominator")
        if num is not None and den is not None:
            shown += f" ({number(num)}/{number(den)})"
        low, high = self.document.get("ci_low"), self.document.get("ci_high")
        if value is not None and low is not None and high is not None:
            shown += f" [95% CI {interval(low, high, share=share)}]"
        return shown


def _header(key: str) -> str:
    """A column's name: short, with its unit where the caption does not give it."""
    text = key.removesuffix("_s").replace("first_response_", "first reply ").replace("business_", "business-hours ")
    return text.replace("_", " ") + (" (%)" if key.endswith(("_rate", "_share", "_ratio")) else "")


def _cell(key: str, value: Any) -> str:
    if isinstance(value, _Figure):
        return value.text(key)
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and key.endswith("_s"):
        return clock(value)
    if isinstance(value, (int, float)) and key.endswith(("_rate", "_share", "_ratio", "rate", "share", "ratio")):
        return percent(value, symbol=False)  # the header carries the "(%)"
    if key == "window_hours":
        return f"{value:g} h"
    if isinstance(value, (int, float)):
        return number(value)
    return str(value)


def _period_text(period: Period) -> str:
    if period.since is None and period.until is None:
        return "all posts"
    since = period.since.isoformat(sep=" ") if period.since else "the start"
    until = period.until.isoformat(sep=" ") if period.until else "the end"
    return f"{since} to {until} (UTC, until exclusive)"


def print_scorecard(document: dict[str, Any], period: Period, *, console: Console | None = None) -> None:
    """The quadrant and both indices, then each index's components: weight, raw value, score."""
    out = console or Console(highlight=False, emoji=False)
    caption = [f"period: {_period_text(period)}"]
    if document.get("model_version"):
        caption.append(f"model version: {document['model_version']}")
    out.print(Text(f"scorecard: {'; '.join(caption)}"), soft_wrap=True)
    out.print(Text(f"quadrant: {document['quadrant']}  (an index is high at {document['threshold']:g} or more)"))
    titles = {"social_media": "social media index", "social_media_marketing": "social media marketing index"}
    for index in document["indices"]:
        value = index["value"]
        out.print(Text(""))
        out.print(
            Text(f"{titles.get(index['name'], index['name'])}: {'n/a' if value is None else f'{value:.0f} / 100'}")
        )
        table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
        table.add_column("component", no_wrap=True)
        for header in ("weight", "value", "score"):
            table.add_column(header, justify="right", no_wrap=True)
        table.add_column("0 -> 100 at", no_wrap=True)
        for c in index["components"]:
            raw = "n/a" if c["raw"] is None else _component_value(c["name"], c["raw"])
            figure = c.get("figure") or {}
            if c["raw"] is not None and figure.get("ci_low") is not None and figure.get("ci_high") is not None:
                share = c["name"].endswith(("_rate", "_share", "_ratio"))
                raw += f" [95% CI {interval(figure['ci_low'], figure['ci_high'], share=share)}]"
            points = "n/a" if c["score"] is None else f"{c['score']:.0f}"
            ends = (_component_value(c["name"], c[end]) for end in ("bad", "good"))
            scale = " -> ".join(ends) + (" (log)" if c["scale"] == "log" else "")
            table.add_row(Text(c["label"]), Text(f"{c['weight']:g}"), Text(raw), Text(points), Text(scale))
        out.print(table)
    notes = sorted({f"{c['name']}: {c['note']}" for i in document["indices"] for c in i["components"] if c["note"]})
    if period.left_out is not None:
        notes.insert(0, period.left_out.note)
    if notes:
        console_err = stderr_console()
        for note in notes:
            console_err.print(f"note: {note}", markup=False, soft_wrap=True)


def print_brand_scorecards(cards: list[dict[str, Any]], period: Period, *, console: Console | None = None) -> None:
    """Every brand's two indices and quadrant, highest social media index first; the workspace's brand marked."""
    out = console or Console(highlight=False, emoji=False)
    out.print(Text(f"scorecard by brand: period: {_period_text(period)}; {len(cards)} brands"), soft_wrap=True)
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("brand", no_wrap=True)
    for header in ("social media", "marketing"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("quadrant", no_wrap=True)
    table.add_column("accounts")

    def order(card: dict[str, Any]) -> tuple[bool, float, str]:
        social = card["social_media_index"]
        return (social is None, -(social or 0.0), str(card["brand"]).lower())

    for card in sorted(cards, key=order):
        indices = (card["social_media_index"], card["social_media_marketing_index"])
        shown = ["n/a" if v is None else f"{v:.0f}" for v in indices]
        name = f"{card['brand']} *" if card["own"] else str(card["brand"])
        table.add_row(
            Text(name), Text(shown[0]), Text(shown[1]), Text(card["quadrant"]), Text(", ".join(card["accounts"]))
        )
    out.print(table)
    if any(card["own"] for card in cards):
        out.print(Text("* the workspace's brand (groundswell.toml)"))


def _component_value(name: str, value: float) -> str:
    """A share (or growth) as a percentage, anything else as a number."""
    if name.endswith(("_rate", "_share", "_ratio")) or "growth" in name:
        return percent(value, 3, significant=True)
    return number(float(value))
