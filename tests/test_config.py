"""groundswell.toml: the default loads, and every error names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.config import DEFAULT_CONFIG_TEXT, load_config, parse_config
from groundswell.errors import ConfigError, WorkspaceError
from groundswell.workspace import Workspace

GOOD = """\
brand = "Acme"

[[accounts]]
platform = "twitter"
handle = "AcmeHelp"

[[accounts]]
platform = "mastodon"
handle = "acme@mastodon.social"

[[campaigns]]
name = "Summer"
hashtags = ["AcmeSummer"]
start = 2026-06-01
end = 2026-06-30

[[goals]]
name = "Answer people"
[[goals.kpis]]
metric = "response_rate"
target = 0.9
[[goals.kpis]]
metric = "first_response_median_hours"
target = 2
direction = "at_most"
"""


def test_default_config_loads() -> None:
    config = parse_config(DEFAULT_CONFIG_TEXT)
    assert config.response.window_hours == 24


def test_good_config_values() -> None:
    config = parse_config(GOOD)
    assert config.brand_handles() == {
        "twitter": frozenset({"acmehelp"}),
        "mastodon": frozenset({"acme@mastodon.social"}),
    }
    assert config.campaigns[0].hashtags == ("#AcmeSummer",)
    assert config.goals[0].kpis[1].direction == "at_most"


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("change", "at", "field"),
    [
        (('platform = "mastodon"', 'platform = "myspace"'), 'platform = "myspace"', "accounts[1].platform"),
        (("end = 2026-06-30", "end = 2026-05-30"), "[[campaigns]]", "campaigns[0]"),
        (('direction = "at_most"', 'direction = "sideways"'), 'direction = "sideways"', "goals[0].kpis[1].direction"),
        (("target = 2\n", 'target = "two"\n'), 'target = "two"', "goals[0].kpis[1].target"),
        (('brand = "Acme"', 'brand = "Acme"\ncolour = "red"'), "colour", "colour"),
    ],
)
def test_errors_name_line_and_field(change: tuple[str, str], at: str, field: str) -> None:
    text = GOOD.replace(*change)
    line = _line_of(text, at)
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path="ws/groundswell.toml")
    assert (caught.value.line, caught.value.field) == (line, field)
    assert str(caught.value).startswith(f"ws/groundswell.toml:{line}: {field}: ")


@pytest.mark.parametrize(
    ("change", "at", "field", "hint"),
    [
        (("[[accounts]]", "[[acounts]]"), "[[acounts]]", "acounts", "did you mean 'accounts'?"),
        (('handle = "AcmeHelp"', 'handel = "AcmeHelp"'), "handel", "accounts[0].handel", "did you mean 'handle'?"),
        (("[[campaigns]]", "[[campaign]]"), "[[campaign]]", "campaign", "did you mean 'campaigns'?"),
        (('brand = "Acme"', 'brand = "Acme"\ncolour = "red"'), "colour", "colour", "the keys here are: accounts,"),
    ],
)
def test_an_unknown_key_names_its_line_and_the_nearest_valid_key(
    change: tuple[str, str], at: str, field: str, hint: str
) -> None:
    text = GOOD.replace(*change, 1)
    assert text != GOOD
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path="ws/groundswell.toml")
    line = _line_of(text, at)
    assert str(caught.value).startswith(f"ws/groundswell.toml:{line}: {field}: unknown key ")
    assert hint in str(caught.value)


def test_an_unknown_key_inside_a_named_table_is_checked_against_that_table() -> None:
    text = 'brand = "Acme"\n[scorecard.components.help_rate]\nwieght = 2\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, path="g.toml")
    assert str(caught.value) == (
        "g.toml:3: scorecard.components.help_rate.wieght: unknown key 'wieght'; did you mean 'weight'?"
    )


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config('brand = "Acme"\n[response\n', path="g.toml")
    assert caught.value.line == 2 and "not valid TOML" in str(caught.value)


def test_workspace_refuses_a_broken_config(tmp_path: Path) -> None:
    Workspace.init(tmp_path).close()
    (tmp_path / "groundswell.toml").write_text("[response]\nwindow_hours = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Workspace.open(tmp_path)
    assert caught.value.line == 2 and caught.value.field == "response.window_hours"


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    Workspace.init(tmp_path).close()
    with pytest.raises(WorkspaceError):
        Workspace.init(tmp_path)
    assert load_config(tmp_path / "groundswell.toml").brand == "My brand"
