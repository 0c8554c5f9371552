"""``groundswell connect`` refuses a plain-http server elsewhere than this machine unless ``--insecure``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from groundswell.cli import cli
from groundswell.connect.registry import check_server_url
from groundswell.errors import UsageError


@pytest.mark.parametrize(
    ("command", "option"), [(["connect", "mastodon"], "--instance"), (["connect", "bluesky", "--handle", "a.b"], "--service")]
)  # fmt: skip
def test_an_http_server_is_refused_before_the_secret_is_asked_for(
    tmp_path: Path, command: list[str], option: str
) -> None:
    result = CliRunner().invoke(cli, [*command, option, "http://social.example", "--workspace", str(tmp_path)], env={})
    assert result.exit_code != 0
    assert "plain http" in result.output and "--insecure" in result.output
    assert "set GROUNDSWELL" not in result.output  # refused before the secret was looked for


def test_insecure_allows_http_and_this_machine_needs_no_flag() -> None:
    with pytest.raises(UsageError, match="plain http"):
        check_server_url("http://10.0.0.5:3000")
    assert check_server_url("http://10.0.0.5:3000", insecure=True) == "http://10.0.0.5:3000"
    assert check_server_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert check_server_url(" https://mastodon.social ") == "https://mastodon.social"
    for bad in ("mastodon.social", "ftp://x.example", "https://"):
        with pytest.raises(UsageError, match="not a server URL"):
            check_server_url(bad, insecure=True)


def test_with_insecure_the_cli_goes_on_to_ask_for_the_secret(tmp_path: Path) -> None:
    args = ["connect", "mastodon", "--instance", "http://social.example", "--insecure", "--workspace", str(tmp_path)]
    result = CliRunner().invoke(cli, args, env={})
    assert "plain http" not in result.output and "set GROUNDSWELL_MASTODON_TOKEN" in result.output
