"""The demo world: a seeded synthetic retailer, its customers and its campaigns.

``generate_world`` streams the posts (``generate_labelled_world`` each with its true labels), ``write_posts_csv`` / ``write_twcs_csv``
write them, ``build_demo`` makes a workspace from them.
"""

from __future__ import annotations

from groundswell.demo.build import (
    DEMO_CONFIG_TEXT,
    DemoResult,
    build_demo,
    demo_config_text,
)
from groundswell.demo.profiles import BUZZING_PROFILE, DEFAULT_PROFILE, HELPFUL_PROFILE, PROFILES, BrandProfile
from groundswell.demo.truth import Truth
from groundswell.demo.world import DemoPost, LabelledPost, generate_labelled_world, generate_world
from groundswell.demo.writers import write_posts_csv, write_twcs_csv

__all__ = [
    "BUZZING_PROFILE",
    "DEFAULT_PROFILE",
    "DEMO_CONFIG_TEXT",
    "HELPFUL_PROFILE",
    "PROFILES",
    "BrandProfile",
    "DemoPost",
    "DemoResult",
    "LabelledPost",
    "Truth",
    "build_demo",
    "demo_config_text",
    "generate_labelled_world",
    "generate_world",
    "write_posts_csv",
    "write_twcs_csv",
]
