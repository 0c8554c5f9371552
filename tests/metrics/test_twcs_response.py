"""Response figures on real support threads (TWCS), against a computation written here in plain Python.

The reference below reads the CSV with the csv module and applies DESIGN's definitions (as
``groundswell.threads`` documents their reading) with dictionaries and loops: reply trees by
following parent links, effective times, 24 h restarts, brand conversations, first replies,
linear-interpolation percentiles. It shares no code with groundswell, only the default automation
patterns (config data). needs_reply comes from the workspace's enrichment rows after enriching with
the shipped fast model, so every figure is compared, needs_reply-based ones included; brand accounts
are TWCS's outbound authors.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from groundswell.config import DEFAULT_AUTOMATION_PATTERNS
from groundswell.enrich.registry import shipped_model_dir
from groundswell.metrics.response import response
from groundswell.query import Period
from groundswell.workspace import Workspace

DAY = 24 * 3600
# The reference reads every tweet of the file; the default period would leave out its three from 2011-2016.
EVERY_POST = Period(since=datetime(2000, 1, 1))


@dataclass
class Post:
    post_id: str
    author: str
    brand: bool
    t: int
    text: str
    parent: str | None
    eff: int = 0
    root: str = ""
    mention: str | None = None
    automated: bool = False


@dataclass
class Thread:
    posts: list[Post]
    tree: list[Post]
    account: str | None = None
    response_s: int | None = None
    delays: dict[str, int | None] = field(default_factory=dict)


def _id(value: str) -> str | None:
    value = value.strip()
    return value.removesuffix(".0") if value else None


def _mention(text: str, keys: list[str]) -> str | None:
    """The brand key mentioned first (leftmost; the longest there), as a whole handle."""
    best: tuple[int, int, str] | None = None
    for key in keys:
        for m in re.finditer(r"(?<!\w)@" + re.escape(key) + r"(?![\w@-]|\.\w)", text, re.IGNORECASE):
            candidate = (m.start(), -len(key), key)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


def reference(path: Path, needs_reply: dict[str, bool]) -> dict[str, dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    posts: dict[str, Post] = {}
    for row in rows:
        moment = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y")
        post_id = _id(row["tweet_id"])
        assert post_id is not None
        posts[post_id] = Post(
            post_id, row["author_id"].strip(), row["inbound"].strip() == "False", int(moment.timestamp()),
            row["text"], _id(row["in_response_to_tweet_id"]),
        )  # fmt: skip
    shown: dict[str, str] = {}
    for p in posts.values():
        if p.brand:
            key = p.author.lower()
            shown[key] = min(shown.get(key, p.author), p.author)
    keys = sorted(shown)
    patterns = [re.compile(p) for p in DEFAULT_AUTOMATION_PATTERNS]
    for p in posts.values():
        p.mention = _mention(p.text, keys)
        p.automated = p.brand and any(pattern.search(p.text) for pattern in patterns)
        node, eff, seen = p, p.t, {p.post_id}
        while node.parent is not None and node.parent in posts and node.parent not in seen:
            node = posts[node.parent]
            seen.add(node.post_id)
            eff = max(eff, node.t)
        p.root, p.eff = node.post_id, eff

    trees: dict[str, list[Post]] = defaultdict(list)
    for p in posts.values():
        trees[p.root].append(p)
    threads: list[Thread] = []
    for tree in trees.values():
        tree.sort(key=lambda p: (p.eff, p.post_id))
        if not any(p.brand or p.mention for p in tree):
            continue  # not a brand conversation: nothing in it is inbound
        segments: list[list[Post]] = []
        for i, p in enumerate(tree):
            if i == 0 or (not p.brand and p.eff - tree[i - 1].eff >= DAY):
                segments.append([])
            segments[-1].append(p)
        for seg in segments:
            if all(p.brand for p in seg):
                continue  # no inbound post: no thread
            thread = Thread(seg, tree)
            first = next(i for i, p in enumerate(seg) if not p.brand)
            replies = [i for i, p in enumerate(seg) if p.brand and not p.automated and i > first]
            for i, p in enumerate(seg):
                if not p.brand:
                    after = [j for j, q in enumerate(seg) if j > i and q.brand and not q.automated]
                    thread.delays[p.post_id] = seg[after[0]].eff - p.eff if after else None
            if replies and not seg[0].brand:
                thread.response_s = seg[replies[0]].eff - seg[first].eff
            brand_in_seg = sorted(p.author.lower() for p in seg if p.brand)
            mentions_in_seg = sorted(p.mention for p in seg if p.mention)
            brand_in_tree = sorted(p.author.lower() for p in tree if p.brand)
            mentions_in_tree = sorted(p.mention for p in tree if p.mention)
            candidates = [
                seg[replies[0]].author.lower() if replies else None,
                brand_in_seg[0] if brand_in_seg else None,
                seg[first].mention,
                mentions_in_seg[0] if mentions_in_seg else None,
                brand_in_tree[0] if brand_in_tree else None,
                mentions_in_tree[0] if mentions_in_tree else None,
            ]
            key = next(c for c in candidates if c)
            thread.account = shown.get(key, key)
            threads.append(thread)

    out: dict[str, dict[str, Any]] = {name: _empty() for name in shown.values()}
    for thread in threads:
        figures = out.setdefault(thread.account or "(none)", _empty())
        figures["threads"] += 1
        if thread.response_s is not None:
            figures["times"].append(thread.response_s)
        for post_id, delay in thread.delays.items():
            in_window = delay is not None and delay <= DAY
            figures["inbound"] += 1
            figures["inbound_replied"] += in_window
            figures["needs_reply"] += needs_reply[post_id]
            figures["replied"] += needs_reply[post_id] and in_window
    for figures in out.values():
        times = sorted(figures.pop("times"))
        figures["first_response_median_s"] = _percentile(times, 0.5)
        figures["first_response_p90_s"] = _percentile(times, 0.9)
        figures["response_rate"] = figures["replied"] / figures["needs_reply"] if figures["needs_reply"] else None
    return out


def _empty() -> dict[str, Any]:
    return {"inbound": 0, "inbound_replied": 0, "needs_reply": 0, "replied": 0, "threads": 0, "times": []}


def _percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    rank = (len(values) - 1) * q
    below = int(rank)
    above = min(below + 1, len(values) - 1)
    return values[below] + (values[above] - values[below]) * (rank - below)


@pytest.fixture
def twcs_ws(tmp_path: Path, twcs_sample: Path) -> Iterator[Workspace]:
    if not shipped_model_dir("fast").joinpath("complaint", "model.json").is_file():
        pytest.skip("the shipped fast model is not in this checkout")
    ws = Workspace.init(tmp_path / "ws")
    assert ws.import_files([twcs_sample]).rejected == 0
    ws.enrich("fast", workers=1)
    yield ws
    ws.close()


def test_every_brand_account_matches_the_plain_python_reading(twcs_ws: Workspace, twcs_sample: Path) -> None:
    needs_reply = dict(twcs_ws.store.con.execute("SELECT post_id, needs_reply FROM enrichments").fetchall())
    expected = reference(twcs_sample, needs_reply)
    with twcs_ws.sources(period=EVERY_POST) as sources:
        found = {f.group["account"]: f.as_dict() for f in response(sources, by="account")}
    assert len(expected) >= 40  # 43 brand accounts in the excerpt
    assert set(found) == set(expected)
    for account, want in expected.items():
        got = found[account]
        for name in ("inbound", "inbound_replied", "needs_reply", "replied", "threads"):
            assert got[name] == want[name], (account, name)
        for name in ("response_rate", "first_response_median_s", "first_response_p90_s"):
            if want[name] is None:
                assert got[name] is None, (account, name)
            else:
                assert got[name] == pytest.approx(want[name], rel=1e-9), (account, name)
    assert sum(w["threads"] for w in expected.values()) > 250
    assert sum(w["needs_reply"] for w in expected.values()) > 100


def test_the_brand_as_a_whole(twcs_ws: Workspace, twcs_sample: Path) -> None:
    needs_reply = dict(twcs_ws.store.con.execute("SELECT post_id, needs_reply FROM enrichments").fetchall())
    expected = reference(twcs_sample, needs_reply)
    with twcs_ws.sources(period=EVERY_POST) as sources:
        (overall,) = response(sources)
    assert overall.inbound == sum(w["inbound"] for w in expected.values())
    assert overall.threads == sum(w["threads"] for w in expected.values())
    assert overall.replied == sum(w["replied"] for w in expected.values())
    assert overall.first_response_median_s is not None and 0 < overall.first_response_median_s < DAY
