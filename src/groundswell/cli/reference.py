"""The CLI reference (docs/cli.md), generated from every command's --help.

    python -m groundswell.cli.reference > docs/cli.md

A test fails when docs/cli.md differs from what this prints.
"""

from __future__ import annotations

from click.testing import CliRunner

from groundswell.cli import cli


def render() -> str:
    runner = CliRunner()
    parts = [
        "# Command line reference\n",
        "Generated from `--help` by `python -m groundswell.cli.reference > docs/cli.md`.\n",
        "Exit status: 0 success, 1 a user error (a message on stderr), 2 bad usage.\n",
    ]
    for name in sorted(cli.commands):
        help_text = runner.invoke(cli, [name, "--help"], prog_name="groundswell", terminal_width=100).output
        parts.append(f"## groundswell {name}\n\n```\n{help_text.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
