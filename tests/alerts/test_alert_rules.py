"""The watch loop's rules, made from the config: the care rules and the spike rule at the watch's interval."""

from __future__ import annotations

from groundswell.alerts.rules import rules_of, spike_bin_minutes
from groundswell.alerts.spikes import SpikeRule
from groundswell.config import parse_config


def test_every_rule_is_made_from_the_config() -> None:
    rules = rules_of(parse_config('brand = "Acme"\n[watch]\ninterval = "15m"\n'))
    assert {rule.name for rule in rules} >= {"spikes"} and len({rule.name for rule in rules}) == len(rules)
    spike = next(rule for rule in rules if isinstance(rule, SpikeRule))
    assert (spike.brand, spike.interval) == ("Acme", 15)


def test_the_spike_bin_divides_a_day_and_is_at_most_an_hour() -> None:
    assert [spike_bin_minutes(s) for s in (30, 300, 7 * 60, 25 * 60, 90 * 60, 86_400)] == [1, 5, 6, 24, 60, 60]
