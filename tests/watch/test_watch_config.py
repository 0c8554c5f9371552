"""``[watch]`` and ``[alerts]`` in groundswell.toml: defaults, and errors naming the file, line and field."""

from __future__ import annotations

import pytest

from groundswell.config import parse_config, resolve_env
from groundswell.errors import ConfigError


def test_defaults_and_durations() -> None:
    config = parse_config('brand = "Acme"\n')
    assert (config.watch.interval_s, config.alerts.quiet_s, config.alerts.notify) == (300.0, 3600.0, ())
    assert parse_config('[watch]\ninterval = "1.5h"\n').watch.interval_s == 5400.0


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('brand = "Acme"\n[watch]\ninterval = "every 5 minutes"\n', "groundswell.toml:3: watch.interval"),
        ('[watch]\ninterval = "0s"\n', "groundswell.toml:2: watch.interval"),
        ('[alerts]\nquiet = "1 hour"\n', "groundswell.toml:2: alerts.quiet"),
        ('[alerts]\nnotify = ["json://ok", "not a url"]\n', "groundswell.toml:2: alerts.notify"),
        ('[watch]\nintervall = "5m"\n', "groundswell.toml:2: watch.intervall"),
    ],
)
def test_a_bad_value_names_file_line_and_field(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(where), str(caught.value)


def test_secrets_resolve_from_the_environment_only_when_sending() -> None:
    url = "mailtos://${SMTP_USER}:${SMTP_PASSWORD}@mail.example.com"
    assert resolve_env(url, {"SMTP_USER": "u", "SMTP_PASSWORD": "p"}) == "mailtos://u:p@mail.example.com"
    with pytest.raises(KeyError, match="SMTP_PASSWORD"):
        resolve_env(url, {"SMTP_USER": "u"})
