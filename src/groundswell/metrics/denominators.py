"""Per-denominator figures: counts of posts and people set against the size of the business.

DESIGN, "Metric definitions": **Per-denominator figures**: any count divided
by a business denominator (fans per store, complaints per 1,000 orders).

The denominators come from the workspace config: ``[denominators]``
(business-wide, e.g. ``stores``, ``employees``, ``orders``) and each
``[[locations]]``'s own ``denominators`` (e.g. that store's ``orders``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import ibis

from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics.base import MetricValue, ratio
from groundswell.metrics.frames import GROUP, annotated_customer_posts, check_by, location_key
from groundswell.metrics.participation import brand_audience
from groundswell.query import Period, Sources, rows

DENOMINATORS_BY = ("location",)
COUNTS = ("posts", "inbound", "customers", "complaints", "fans")
"""What can be counted. posts: customer posts; inbound: DESIGN's inbound posts; customers: distinct non-brand
authors; complaints: customer posts the enrichment classed as complaints; fans: the brand accounts' followers."""
LOCATION_COUNTS = ("posts", "inbound", "customers", "complaints")
NAME = re.compile(r"^(?P<count>[a-z]+)_per_(?:(?P<scale>[0-9][0-9_]*)_)?(?P<denominator>.+)$")
NO_ENRICHMENTS = "complaints need the posts' intent: run `groundswell enrich` first"
NO_FANS = "fans: no brand post carries a follower count"


@dataclass(frozen=True, slots=True)
class LocationFigures:
    """One configured location's counts and their figures against its own denominators."""

    location: str
    counts: dict[str, int | None]
    denominators: dict[str, float]
    figures: tuple[MetricValue, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "counts": dict(self.counts),
            "denominators": dict(self.denominators),
            "figures": [f.as_dict() for f in self.figures],
        }


@dataclass(frozen=True, slots=True)
class DenominatorFigures:
    """Brand-wide counts against ``[denominators]``, and each location's against its own."""

    counts: dict[str, int | None]
    denominators: dict[str, float]
    figures: tuple[MetricValue, ...]
    locations: tuple[LocationFigures, ...]
    model_version: str | None
    notes: tuple[str, ...] = ()
    period: Period = field(default_factory=Period)

    def metrics(self) -> list[MetricValue]:
        return [*self.figures, *(f for loc in self.locations for f in loc.figures)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "denominators": dict(self.denominators),
            "figures": [f.as_dict() for f in self.figures],
            "locations": [loc.as_dict() for loc in self.locations],
            "model_version": self.model_version,
            "notes": list(self.notes),
            "period": self.period.as_dict(),
        }


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") and len(name) > 1 else name


def auto_scale(value: float | None) -> int:
    """1, 1,000 or 1,000,000: the smallest that puts a figure at 0.1 or more (fans per store, complaints per 1,000
    orders)."""
    if value is None or value == 0 or value >= 0.1:
        return 1
    return 1000 if value * 1000 >= 0.1 else 1_000_000


def figure_name(count: str, denominator: str, scale: int = 1) -> str:
    """``fans_per_store``, ``complaints_per_1000_orders``."""
    return f"{count}_per_{scale}_{denominator}" if scale > 1 else f"{count}_per_{singular(denominator)}"


def per_figure(
    count: str,
    value: int | None,
    denominator: str,
    size: float,
    *,
    scale: int | None = None,
    src: Sources,
    group: dict[str, str] | None = None,
) -> MetricValue:
    """``value`` per ``scale`` ``denominator``: numerator the count, denominator the size / scale."""
    if scale is None:
        scale = auto_scale(ratio(value, size))
    return MetricValue(
        figure_name(count, denominator, scale),
        ratio(value, size / scale) if size else None,
        value,
        size / scale,
        f"{count} per {scale:,} {denominator}" if scale > 1 else f"{count} per {singular(denominator)}",
        model_version=src.model_version if count == "complaints" else None,
        period=src.period,
        group=group or {},
    )


def count_values(src: Sources, *, by_location: bool = False) -> dict[Any, dict[str, int | None]]:
    """The counts (``COUNTS``; ``LOCATION_COUNTS`` per location) brand-wide (key ``""``) or per location name.

    Counts a later figure cannot have are None: complaints without enrichments, fans without follower counts.
    """
    table = annotated_customer_posts(src)
    if src.enrichments is not None:
        e = src.enrichments.select(
            _e_platform=src.enrichments.platform, _e_post_id=src.enrichments.post_id, intent=src.enrichments.intent
        )
        table = table.left_join(e, [table.platform == e._e_platform, table.post_id == e._e_post_id])
    names = [loc.name for loc in src.config.locations]
    if by_location:
        if not names:
            return {}
        # grouped by every location key, the unconfigured dropped afterwards: a filter on the key would
        # evaluate it twice
        table = table.mutate(**{GROUP: location_key(table, src.config)})
    else:
        table = table.mutate(**{GROUP: ibis.literal("")})
    metrics: dict[str, Any] = {
        "posts": table.count(),
        "inbound": table.count(where=table.inbound),
        "customers": table.platform.concat("\x1f", table.author_id).nunique(),
    }
    if src.enrichments is not None:
        metrics["complaints"] = table.count(where=table.intent == "complaint")
    found = {r[GROUP]: r for r in rows(table.group_by(GROUP).aggregate(**metrics))}
    out: dict[Any, dict[str, int | None]] = {}
    keys = names if by_location else [""]
    for key in keys:
        r = found.get(key, {})
        out[key] = {
            "posts": int(r.get("posts", 0)),
            "inbound": int(r.get("inbound", 0)),
            "customers": int(r.get("customers", 0)),
            "complaints": int(r.get("complaints", 0)) if src.enrichments is not None else None,
        }
    if not by_location:
        out[""]["fans"] = brand_audience(src)
    return out


def per_denominator(src: Sources, *, by: str | None = None) -> DenominatorFigures:
    """Counts divided by the business's denominators, brand-wide and per configured location.

    DESIGN: "**Per-denominator figures**: any count divided by a business
    denominator (fans per store, complaints per 1,000 orders)."

    - counts (``COUNTS``): posts (customer posts), inbound (DESIGN's inbound posts), customers (distinct
      non-brand authors), complaints (customer posts whose enrichment intent is ``complaint``: needs
      enrichments, and carries the model version), fans (the brand accounts' followers on their latest
      posts: ``participation.brand_audience``);
    - brand-wide: every count / every ``[denominators]`` entry;
    - per location: a post is at a location as ``frames.location_key`` says (its location field names the
      location or an alias, else its text holds an alias); each location's counts (``LOCATION_COUNTS``) /
      each of its own ``denominators``; the counts are given even when it has no denominators;
    - each figure is scaled per 1, 1,000 or 1,000,000 of the denominator, whichever first makes it 0.1 or
      more, and named for it: ``fans_per_store``, ``complaints_per_1000_orders`` (goals may name any scale).

    ``by``: only location (given anyway: the locations are always listed).
    """
    check_by(by, DENOMINATORS_BY, "per-denominator figures (locations are always listed)")
    brand = count_values(src)[""]
    notes: list[str] = []
    if src.enrichments is None:
        notes.append(NO_ENRICHMENTS)
    if brand.get("fans") is None:
        notes.append(NO_FANS)
    figures = [
        per_figure(count, brand.get(count), name, size, src=src)
        for name, size in src.config.denominators.items()
        for count in COUNTS
        if brand.get(count) is not None
    ]
    locations = []
    if src.config.locations:
        per_location = count_values(src, by_location=True)
        for loc in src.config.locations:
            counts = per_location[loc.name]
            group = {"location": loc.name}
            loc_figures = tuple(
                per_figure(count, counts[count], name, size, src=src, group=group)
                for name, size in loc.denominators.items()
                for count in LOCATION_COUNTS
                if counts[count] is not None
            )
            locations.append(LocationFigures(loc.name, counts, dict(loc.denominators), loc_figures))
    return DenominatorFigures(
        counts=brand,
        denominators=dict(src.config.denominators),
        figures=tuple(figures),
        locations=tuple(locations),
        model_version=src.model_version if src.enrichments is not None else None,
        notes=tuple(notes),
        period=src.period,
    )


def parse_figure_name(name: str, denominators: dict[str, float]) -> tuple[str, int, str] | None:
    """``complaints_per_1000_orders`` -> (count, scale, denominator key), or None when it names no such figure.

    The denominator may be given singular or plural (``fans_per_store`` for ``[denominators] stores``).
    """
    match = NAME.match(name)
    if not match or match["count"] not in COUNTS:
        return None
    scale = int(match["scale"].replace("_", "")) if match["scale"] else 1
    wanted = match["denominator"]
    for key in (wanted, f"{wanted}s", singular(wanted)):
        if key in denominators:
            return match["count"], scale, key
    return None


def resolve_figure(src: Sources, name: str, counts: dict[str, int | None] | None = None) -> MetricValue | None:
    """The brand-wide figure ``name`` (``COUNT_per_[SCALE_]DENOMINATOR``), None when ``name`` is no such figure.

    Raises ``MetricUnavailable`` when its count cannot be had (complaints without enrichments, fans without
    follower counts).
    """
    parsed = parse_figure_name(name, src.config.denominators)
    if parsed is None:
        return None
    count, scale, denominator = parsed
    if scale < 1:
        raise UsageError(f"{name}: the scale must be 1 or more")
    if counts is None:
        counts = count_values(src)[""]
    if counts.get(count) is None:
        raise MetricUnavailable(NO_ENRICHMENTS if count == "complaints" else NO_FANS)
    figure = per_figure(
        count, counts.get(count), denominator, src.config.denominators[denominator], scale=scale, src=src
    )
    return MetricValue(
        name, figure.value, figure.numerator, figure.denominator, figure.unit, figure.model_version, figure.period
    )
