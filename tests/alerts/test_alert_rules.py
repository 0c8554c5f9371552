"""The watch loop's rules, made from the config: the care rules and the spike rule at the watch's interval."""

from __future__ import annotations

import pytest

from groundswell.alerts.rules import rules_of
from groundswell.alerts.spikes import SpikeRule, spike_bin_seconds
from groundswell.config import parse_config
from groundswell.errors import ConfigError


def test_every_rule_is_made_from_the_config() -> None:
    rules = rules_of(parse_config('brand = "Acme"\n[watch]\ninterval = "15m"\n'))
    assert {rule.name for rule in rules} >= {"spikes"} and len({rule.name for rule in rules}) == len(rules)
    spike = next(rule for rule in rules if isinstance(rule, SpikeRule))
    assert (spike.brand, spike.bin, spike.history_days, spike.min_posts) == ("Acme", 900, 28, 10)


def test_the_spike_settings_come_from_the_spikes_table() -> None:
    config = parse_config(
        'brand = "Acme"\n[watch]\ninterval = "5s"\n[spikes]\nbin = "1s"\nhistory_days = 7\n'
        'windows = ["10s", "20s"]\nmin_posts = 6\nmin_ratio = 4\nalpha = 1e-5\n'
    )
    spike = next(rule for rule in rules_of(config) if isinstance(rule, SpikeRule))
    assert (spike.bin, spike.history_days, spike.windows) == (1, 7, (10, 20))
    assert (spike.min_posts, spike.min_ratio, spike.alpha) == (6, 4.0, 1e-5)


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ('bin = "7m"', "spikes.bin"),
        ("history_days = 3", "spikes.history_days"),
        ('windows = ["soon"]', "spikes.windows"),
    ],
)
def test_a_bad_spike_setting_is_named(table: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        parse_config(f"[spikes]\n{table}\n")


def test_the_spike_bin_divides_an_hour_and_is_at_most_an_hour() -> None:
    assert [spike_bin_seconds(s) for s in (2, 7, 30, 300, 7 * 60, 25 * 60, 90 * 60, 86_400)] == [
        2, 6, 30, 300, 400, 1200, 3600, 3600,
    ]  # fmt: skip
