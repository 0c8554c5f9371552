"""Threads: brand<->customer conversations rebuilt from reply links (see ``threads.build``), kept in the
workspace file (``threads.stored``)."""

from groundswell.records import OUTCOMES
from groundswell.threads.build import (
    MAX_ROUNDS,
    ROLES,
    THREAD_SILENCE_S,
    BrandAccountRef,
    Threads,
    brand_accounts,
    compute_threads,
)
from groundswell.threads.stage import build_threads
from groundswell.threads.stored import RefreshReport, drop_stored, refresh_after_write, refresh_stored

__all__ = [
    "MAX_ROUNDS",
    "OUTCOMES",
    "ROLES",
    "THREAD_SILENCE_S",
    "BrandAccountRef",
    "RefreshReport",
    "Threads",
    "brand_accounts",
    "build_threads",
    "compute_threads",
    "drop_stored",
    "refresh_after_write",
    "refresh_stored",
]
