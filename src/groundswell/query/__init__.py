"""The query layer: the tables a figure reads (``Sources``) over any engine, the period, and the helpers
that run expressions. Threads and metrics are written against it; ``Workspace.sources(...)`` hands it out."""

from groundswell.query.engine import Engine, IbisEngine, rows, scalar
from groundswell.query.period import Period, in_period, parse_period
from groundswell.query.sources import Sources, newest_model_version, spark_sources, store_sources

__all__ = [
    "Engine",
    "IbisEngine",
    "Period",
    "Sources",
    "in_period",
    "newest_model_version",
    "parse_period",
    "rows",
    "scalar",
    "spark_sources",
    "store_sources",
]
