"""Threads: brand<->customer conversations rebuilt from reply links (see ``threads.build``)."""

from groundswell.threads.build import (
    MAX_ROUNDS,
    OUTCOMES,
    ROLES,
    THREAD_SILENCE_S,
    BrandAccountRef,
    Threads,
    brand_accounts,
    build_threads,
)

__all__ = [
    "MAX_ROUNDS",
    "OUTCOMES",
    "ROLES",
    "THREAD_SILENCE_S",
    "BrandAccountRef",
    "Threads",
    "brand_accounts",
    "build_threads",
]
