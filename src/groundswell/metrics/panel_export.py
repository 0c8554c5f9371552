"""The weekly (or monthly) per-store panel, in the long "geo x time" form marketing-mix models read.

One row per store (``geo``) and period (``time``, the period's first day): each imported outcome with store
values (added up, averaged or last-valued to the period by its ``aggregation``), the social figures of
``social_panel`` as covariates, and one 0/1 column per configured campaign (``campaign_<name>``: 1 in the
periods its dates overlap; a campaign with no end runs to the last period). Google's Meridian
(``CoordToColumns(time="time", geo="geo", kpi=...)``) and PyMC-Marketing (``MMM(date_column="time",
dims=("geo",), ...)``) read it as it is; docs/outcomes.md says how. A figure with no posts under it is empty,
never a made-up 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from groundswell.config import Campaign
from groundswell.errors import UsageError
from groundswell.metrics.social_panel import MARKETING_FIGURES, SOCIAL_MEDIA_FIGURES, SocialCell

FIGURES = (*SOCIAL_MEDIA_FIGURES, *MARKETING_FIGURES)
FORMATS = {".csv": "csv", ".parquet": "parquet"}


def campaign_column(name: str) -> str:
    """``campaign_summer_contest`` for "Summer contest": lower case, runs of other characters as one ``_``."""
    return "campaign_" + (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "unnamed")


def marketing_mix_panel(
    outcomes: Mapping[str, Sequence[dict[str, Any]]],
    cells: Sequence[SocialCell],
    campaigns: Sequence[Campaign],
    *,
    granularity: str = "week",
) -> pd.DataFrame:
    """The panel: ``outcomes`` by name (rows of ``location``, ``period_start``, ``value``, already per
    ``granularity`` period), ``cells`` the social figures; every store and period either has, on a regular grid."""
    freq = "MS" if granularity == "month" else "W-MON"
    frames = [
        pd.DataFrame(
            [(v["location"], pd.Timestamp(v["period_start"]), float(v["value"])) for v in values],
            columns=["geo", "time", name],
        ).set_index(["geo", "time"])
        for name, values in outcomes.items()
    ]
    figures = pd.DataFrame(
        [{"geo": c.location, "time": pd.Timestamp(c.period_start), **c.figures} for c in cells],
        columns=["geo", "time", *FIGURES],
    ).set_index(["geo", "time"])
    panel = pd.concat([*frames, figures.astype(float)], axis=1)
    if panel.empty:
        return pd.DataFrame(columns=["geo", "time", *outcomes, *FIGURES, *(campaign_column(c.name) for c in campaigns)])
    stamps = panel.index.get_level_values("time")
    grid = pd.MultiIndex.from_product(
        [sorted(panel.index.get_level_values("geo").unique()), pd.date_range(stamps.min(), stamps.max(), freq=freq)],
        names=["geo", "time"],
    )
    panel = panel.reindex(grid).reset_index()
    last = panel.time.max().date()
    for campaign in campaigns:
        starts = panel.time.dt.date
        ends = (panel.time + (pd.offsets.MonthBegin() if granularity == "month" else pd.Timedelta(weeks=1))).dt.date
        first_day = campaign.start or date.min
        last_day = campaign.end or last + timedelta(days=31)
        panel[campaign_column(campaign.name)] = ((starts <= last_day) & (ends > first_day)).astype(int)
    panel["time"] = panel.time.dt.strftime("%Y-%m-%d")
    return panel


@dataclass(frozen=True, slots=True)
class PanelExport:
    """What ``Workspace.export_panel`` wrote: rows (stores x periods), the columns, and the outcomes left out
    (values coarser than the panel's periods)."""

    path: Path
    format: str
    rows: int
    stores: int
    periods: int
    columns: tuple[str, ...]
    left_out: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.format,
            "rows": self.rows,
            "stores": self.stores,
            "periods": self.periods,
            "columns": list(self.columns),
            "left_out": list(self.left_out),
        }


def write_panel(panel: pd.DataFrame, path: Path) -> str:
    """Write ``panel`` as CSV or Parquet, by ``path``'s suffix; returns the format."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UsageError(f"{path}: the panel is written as .csv or .parquet, not {path.suffix or 'no suffix'!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        panel.to_csv(path, index=False)
    else:
        panel.to_parquet(path, index=False)
    return kind
