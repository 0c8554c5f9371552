"""The command line: init, import, rejects, status; JSON on stdout; exit codes 0/1/2."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from groundswell.cli import cli
from groundswell.cli.console import PROGRESS_MIN_BYTES, file_progress
from groundswell.workspace import Workspace

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
ROWS = (
    "1,111,True,Tue Oct 31 22:10:47 +0000 2017,@Acme my order is late,2,\n"
    "2,Acme,False,Tue Oct 31 22:20:47 +0000 2017,@111 sorry! DM us,,1\n"
    "3,111,True,not a time,@Acme hello?,,\n"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ws_dir(tmp_path: Path, runner: CliRunner) -> Path:
    path = tmp_path / "ws"
    result = runner.invoke(cli, ["init", "--workspace", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def posts_file(tmp_path: Path) -> Path:
    path = tmp_path / "posts.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def test_init_creates_config_and_database(ws_dir: Path) -> None:
    assert (ws_dir / "groundswell.toml").read_text(encoding="utf-8").startswith("# groundswell workspace config")
    assert (ws_dir / "groundswell.duckdb").exists()


def test_init_twice_is_a_user_error(ws_dir: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["init", "--workspace", str(ws_dir)])
    assert result.exit_code == 1
    assert "already holds a workspace" in result.stderr


def test_import_json_is_one_document_on_stdout(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--json", str(posts_file)])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {k: document[k] for k in ("read", "imported", "duplicates", "rejected")} == {
        "read": 3,
        "imported": 2,
        "duplicates": 0,
        "rejected": 1,
    }
    assert result.stderr == ""
    with Workspace.open(ws_dir) as ws:
        assert ws.store.post_count() == 2


def test_import_text_summary_states_the_sum(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["import", "--workspace", str(ws_dir), str(posts_file)])
    assert result.exit_code == 0
    assert "read 3 = imported 2 + duplicates 0 + rejected 1" in result.stdout
    assert f"rejects --workspace {ws_dir}" in result.stdout


def test_rejects_json_lists_file_line_field_reason(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    runner.invoke(cli, ["import", "--workspace", str(ws_dir), str(posts_file)])
    result = runner.invoke(cli, ["rejects", "--workspace", str(ws_dir), "--json"])
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert (row["file"], row["line"], row["field"]) == (str(posts_file), 4, "created_at")
    assert "not a time" in row["reason"] and "not a time" in row["raw"]
    text = runner.invoke(cli, ["rejects", "--workspace", str(ws_dir)])
    assert "created_at" in text.stdout and "1 rejected row" in text.stdout


def test_workspace_from_environment(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["import", "--json", str(posts_file)], env={"GROUNDSWELL_WORKSPACE": str(ws_dir)})
    assert result.exit_code == 0 and json.loads(result.stdout)["imported"] == 2


def test_strict_is_a_user_error_naming_file_line_field(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--strict", str(posts_file)])
    assert result.exit_code == 1
    assert f"{posts_file}:4: created_at:" in result.stderr
    with Workspace.open(ws_dir) as ws:
        assert ws.store.post_count() == 0


def test_file_of_the_wrong_format_exits_1_after_importing_the_rest(
    ws_dir: Path, posts_file: Path, tmp_path: Path, runner: CliRunner
) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--format", "twcs", str(wrong), str(posts_file)])
    assert result.exit_code == 1
    assert "wrong.csv" in result.stderr and "not a TWCS file" in result.stderr
    with Workspace.open(ws_dir) as ws:
        assert ws.store.post_count() == 2


def test_bad_usage_exits_2(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    assert (
        runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--format", "myspace", str(posts_file)]).exit_code
        == 2
    )
    assert runner.invoke(cli, ["import", "--workspace", str(ws_dir), "/no/such/file.csv"]).exit_code == 2
    assert (
        runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--map", "nonsense", str(posts_file)]).exit_code == 2
    )


def test_missing_workspace_is_a_user_error(tmp_path: Path, posts_file: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["import", "--workspace", str(tmp_path / "nothing"), str(posts_file)])
    assert result.exit_code == 1 and "groundswell init" in result.stderr


def test_status_json(ws_dir: Path, posts_file: Path, runner: CliRunner) -> None:
    runner.invoke(cli, ["import", "--workspace", str(ws_dir), str(posts_file)])
    result = runner.invoke(cli, ["status", "--workspace", str(ws_dir), "--json"])
    status = json.loads(result.stdout)
    assert (status["posts"], status["brand_posts"], status["threads"], status["rejects"]) == (2, 1, 1, 1)


def test_every_command_has_help(runner: CliRunner) -> None:
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help text"
        assert runner.invoke(cli, [name, "--help"]).exit_code == 0


# -- progress -------------------------------------------------------------------------


def _terminal(quiet: bool = False) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=100, quiet=quiet), buffer


def test_progress_draws_for_big_files_on_a_terminal() -> None:
    console, buffer = _terminal()
    with file_progress(console) as update:
        assert update is not None
        update("big.csv", PROGRESS_MIN_BYTES, PROGRESS_MIN_BYTES * 2, 5000)
    assert "big.csv" in buffer.getvalue() and "5,000 records" in buffer.getvalue()


def test_no_progress_for_small_files_quiet_or_not_a_terminal() -> None:
    console, buffer = _terminal()
    with file_progress(console) as update:
        assert update is not None
        update("small.csv", 10, 100, 2)
    assert "small.csv" not in buffer.getvalue()
    quiet, _ = _terminal(quiet=True)
    with file_progress(quiet) as update:
        assert update is None
    piped = Console(file=io.StringIO(), force_terminal=False)
    with file_progress(piped) as update:
        assert update is None


def test_a_named_format_that_cannot_read_the_file_names_the_one_it_looks_like(
    ws_dir: Path, posts_file: Path, runner: CliRunner
) -> None:
    result = runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--format", "mastodon", str(posts_file)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr
    assert "the file looks like twcs" in result.stderr and "try --format twcs" in result.stderr
    (reject,) = json.loads(runner.invoke(cli, ["rejects", "--workspace", str(ws_dir), "--json"]).stdout)
    assert "looks like twcs" in reject["reason"]


def test_an_import_whose_every_row_is_rejected_exits_1(ws_dir: Path, tmp_path: Path, runner: CliRunner) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "1,111,True,yesterday,@Acme hi,,\n2,111,True,today,@Acme hello,,\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "--workspace", str(ws_dir), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: every one of its 2 record(s) was rejected (twcs)" in result.stderr
    assert f"rejects --workspace {ws_dir}" in result.stderr
    document = json.loads(runner.invoke(cli, ["import", "--workspace", str(ws_dir), "--json", str(bad)]).stdout)
    assert document["all_rejected_files"] == 1 and document["rejected"] == 2


def test_replying_on_a_platform_without_a_connector_names_no_command_that_does_not_exist(
    ws_dir: Path, posts_file: Path, runner: CliRunner
) -> None:
    runner.invoke(cli, ["import", "--workspace", str(ws_dir), str(posts_file)])
    result = runner.invoke(cli, ["reply", "--workspace", str(ws_dir), "twitter:1", "Sorry about that! DM us. ^JD"])
    assert result.exit_code == 1
    assert "cannot post to twitter" in result.stderr and "mark the item sent in the inbox" in result.stderr
    for named in re.findall(r"`groundswell ([\w-]+)(?: ([\w-]+))?", result.stderr):
        assert runner.invoke(cli, [w for w in named if w] + ["--help"]).exit_code == 0, named
    assert "connect twitter" not in result.stderr
