"""The HTML report: one self-contained file that answers "social media, or only social media marketing?".

``write_report`` computes every section (``report.gather``), draws the charts (``report.charts``, Plotly)
and writes one HTML file (``report.render``) that opens offline, makes no request and can be mailed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from groundswell.errors import UsageError
from groundswell.files import write_atomically
from groundswell.query import Period, Sources
from groundswell.report.caught import caught_spikes
from groundswell.report.gather import SECTIONS, ProgressCallback, ReportData, gather
from groundswell.report.render import render_report
from groundswell.store.alerts import StoredAlert

DEFAULT_REPORT_NAME = "report.html"


@dataclass(frozen=True, slots=True)
class ReportResult:
    """Where the report went, its size, how long it took, and the sections it had to leave out (with why)."""

    path: Path
    bytes: int
    seconds: float
    unavailable: dict[str, str]
    period: Period = field(default_factory=Period)


def write_report(
    sources: Sources,
    out: Path,
    *,
    progress: ProgressCallback | None = None,
    alerts: Sequence[StoredAlert] | None = None,
) -> ReportResult:
    """Write the report of ``sources`` (``Workspace.report`` gives the workspace's) to the file ``out``.

    ``alerts``: the alerts the watch loop kept in the period; with them the report says which spikes were
    caught while they happened and how early (``report.caught``).

    The file is written beside its final name and renamed into place, so a failed run never leaves half a
    report where a good one was.
    """
    started = time.perf_counter()
    target = Path(out)
    if target.is_dir():
        raise UsageError(f"{target} is a folder: give the report's file name, e.g. {target / DEFAULT_REPORT_NAME}")
    if not target.parent.exists():
        raise UsageError(f"{target.parent} does not exist: create the folder first or pick another --out")
    data = gather(sources, progress=progress)
    if alerts is not None:
        data.sections["alerts"] = caught_spikes(sources, alerts, data.get("spikes"))
    html = render_report(data)
    encoded = html.encode("utf-8")
    write_atomically(target, encoded)
    return ReportResult(target, len(encoded), time.perf_counter() - started, dict(data.unavailable), data.period)


__all__ = [
    "DEFAULT_REPORT_NAME",
    "SECTIONS",
    "ReportData",
    "ReportResult",
    "gather",
    "render_report",
    "write_report",
]
