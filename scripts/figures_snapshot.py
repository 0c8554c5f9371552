"""Every figure groundswell prints, on two workspaces, as one JSON document: to show a change leaves them equal.

Builds (in a temporary folder) the demo world and a workspace of the real TWCS excerpt in ``../shared/data``,
both enriched with the fast tier, then runs ``groundswell metrics NAME [--by B] --json`` for every family and
every ``--by`` and ``groundswell scorecard --json`` through the CLI (the contract that a refactor keeps), and
writes the documents keyed by workspace and command. A family that refuses a ``--by`` is recorded with its exit
status and message, so a change in what is refused shows too.

    python scripts/figures_snapshot.py --out before.json
    python scripts/figures_snapshot.py --compare before.json      # exit 1 and the differing keys if any
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from groundswell.cli import cli

BY_CHOICES = ("account", "platform", "location", "month", "follower_band")
FAMILIES = (
    "denominators",
    "fairness",
    "goals",
    "help",
    "marketing",
    "participation",
    "relationships",
    "response",
    "spikes",
    "subject",
    "voice",
)
TWCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs" / "sample_head_1000.csv"
DEMO_POSTS = 4000
DEMO_SEED = 7


def _run(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(cli, args, catch_exceptions=False)
    if result.exit_code != 0:
        return {"exit": result.exit_code, "error": (result.stderr or result.output).strip()}
    return json.loads(result.stdout)


def _figures(runner: CliRunner, workspace: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for family in FAMILIES:
        for by in (None, *BY_CHOICES):
            args = ["metrics", family, "--workspace", str(workspace), "--json"]
            if by:
                args += ["--by", by]
            found[f"metrics {family}" + (f" --by {by}" if by else "")] = _run(runner, args)
    found["scorecard"] = _run(runner, ["scorecard", "--workspace", str(workspace), "--json"])
    return found


def snapshot() -> dict[str, Any]:
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        built = runner.invoke(
            cli, ["demo", "--workspace", str(demo), "--posts", str(DEMO_POSTS), "--seed", str(DEMO_SEED)]
        )
        if built.exit_code != 0:
            raise SystemExit(f"demo failed: {built.output}")
        figures = {"demo": _figures(runner, demo)}
        if TWCS.exists():
            twcs = Path(tmp) / "twcs"
            for args in (["init"], ["import", str(TWCS), "--format", "twcs"], ["enrich"]):
                done = runner.invoke(cli, [*args[:1], "--workspace", str(twcs), *args[1:]])
                if done.exit_code != 0:
                    raise SystemExit(f"{args[0]} failed: {done.output}")
            figures["twcs"] = _figures(runner, twcs)
        return figures


def _differences(before: Any, after: Any, key: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            d for k in sorted(set(before) | set(after)) for d in _differences(before.get(k), after.get(k), f"{key}/{k}")
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d for i, (b, a) in enumerate(zip(before, after, strict=True)) for d in _differences(b, a, f"{key}[{i}]")
        ]
    return [] if before == after else [f"{key}: {before!r} -> {after!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the snapshot here")
    parser.add_argument("--compare", type=Path, help="compare with a snapshot written before")
    args = parser.parse_args()
    figures = snapshot()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.compare:
        differences = _differences(json.loads(args.compare.read_text(encoding="utf-8")), figures)
        count = sum(1 for _ in _leaves(figures))
        print(f"{count} figures compared, {len(differences)} differ")
        for line in differences[:50]:
            print(line)
        return 1 if differences else 0
    return 0


def _leaves(node: Any) -> Any:
    if isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node


if __name__ == "__main__":
    sys.exit(main())
