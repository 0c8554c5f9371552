"""Docs are part of the product: they must cover every command and config section."""

from __future__ import annotations

from pathlib import Path

from groundswell.cli import cli
from groundswell.cli.reference import render
from groundswell.config import WorkspaceConfig

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_up_to_date() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: python -m groundswell.cli.reference > docs/cli.md"
    )


def test_every_command_has_help_text() -> None:
    for name, command in cli.commands.items():
        assert command.help and command.help.strip(), name


def test_every_config_section_is_documented() -> None:
    text = (DOCS / "config.md").read_text(encoding="utf-8")
    for name in WorkspaceConfig.model_fields:
        assert f"`{name}`" in text or f"[{name}]" in text or f"[[{name}]]" in text, name


def test_readme_gives_the_two_fresh_machine_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "groundswell demo" in readme
    assert ".venv/bin/python -m pytest" in readme
    ci = (DOCS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest" in ci


def test_the_architecture_page_names_every_layer_of_the_contracts() -> None:
    import tomllib

    project = tomllib.loads((DOCS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    [layers] = [c["layers"] for c in project["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    for layer in layers:
        for module in layer.replace(":", "|").split("|"):
            assert module.strip().removeprefix("groundswell.") in page, module
