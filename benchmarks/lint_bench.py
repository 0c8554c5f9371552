"""How fast the draft checker answers: per draft as an agent types, and on long hostile input (a pattern that
backtracks badly would grow much faster than the input). Prints each figure beside a baseline measured in the
same run: one pass of Python's own ``str.split`` + ``str.lower`` over the same text.

    python benchmarks/lint_bench.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

from groundswell.lint import ReplyContext, check_draft

COMPLAINT = ReplyContext(text="@acme my order is two weeks late and nobody answers", intent="complaint",
                         sentiment="negative", needs_reply=True)  # fmt: skip
DRAFT = "@sam So sorry about that! Please DM us your order number and we'll fix it. ^JD"
LONG = {"spaces": "a" + " " * 5000 + "b", "dashes": "x-" * 3000 + "Y", "bangs": "!" * 5000, "caps": "AB " * 3000}


def _seconds(run: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        run()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    check_draft(DRAFT, reply_to=COMPLAINT)  # load the models once
    per_draft = _seconds(lambda: check_draft(DRAFT, reply_to=COMPLAINT), 200)
    print(f"one draft against a complaint: {per_draft * 1000:.2f} ms (target: under 10 ms, a keystroke)")
    for name, text in LONG.items():
        checked = _seconds(lambda text=text: check_draft(text), 5)
        small = _seconds(lambda text=text: check_draft(text[: len(text) // 10]), 5)
        baseline = _seconds(lambda text=text: text.lower().split(), 200)
        print(
            f"{name:7} {len(text):5} chars: {checked * 1000:8.1f} ms; x{checked / small:.1f} for 10x the text"
            f" (linear: ~10); {checked / baseline:,.0f}x split+lower"
        )


if __name__ == "__main__":
    main()
