"""One brand among TWCS's many, computed independently with pandas: the reference the brand-and-peers tests
check groundswell against.

It reads the CSV with pandas and applies the documented rules with pandas operations and plain loops,
sharing no code with groundswell: a support account is an outbound author; each tweet is about the support
account that wrote it, else the first support account its text @mentions, else its parent's author or
first mention, else an outbound author replying to it; the brand's figures come from the tweets about its
accounts. Threads: reply trees, effective time (never before the parent), a new thread after 24 h of
silence before a customer tweet, first customer tweet to first brand reply. needs_reply and subject come
from the workspace's enrichment rows (what the classifier said), handed in as a frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DAY_S = 24 * 3600
CONFIG = 'brand = "Apple"\n\n[[accounts]]\nplatform = "twitter"\nhandle = "AppleSupport"\n'
BRAND_KEY = "applesupport"


def load(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.DataFrame(
        {
            "post_id": raw["tweet_id"].str.removesuffix(".0"),
            "author": raw["author_id"].str.strip(),
            "outbound": raw["inbound"].str.lower() == "false",
            "t": pd.to_datetime(raw["created_at"], format="%a %b %d %H:%M:%S %z %Y").map(lambda d: int(d.timestamp())),
            "text": raw["text"],
            "parent": raw["in_response_to_tweet_id"].str.removesuffix(".0").replace("", None),
        }
    )
    frame["key"] = frame["author"].str.lower()
    return frame


def about_account(frame: pd.DataFrame) -> pd.Series:
    support = sorted(set(frame.loc[frame.outbound, "key"]), key=lambda k: (-len(k), k))
    pattern = re.compile(r"(?:^|[^\w])@(" + "|".join(map(re.escape, support)) + r")(?:$|[^\w@.-]|[.](?:$|[^\w]))", re.I)

    def first_mention(text: str) -> str | None:
        found = pattern.search(text)
        return found.group(1).lower() if found else None

    own = frame["key"].where(frame["outbound"])
    mentioned = frame["text"].map(first_mention)
    by_id = pd.DataFrame({"own": own.values, "mentioned": mentioned.values}, index=frame["post_id"])
    parent_own = frame["parent"].map(by_id["own"])
    parent_mentioned = frame["parent"].map(by_id["mentioned"])
    answers = frame[frame.outbound & frame.parent.notna()].groupby("parent")["key"].min()
    answered = frame["post_id"].map(answers)
    return own.fillna(mentioned).fillna(parent_own).fillna(parent_mentioned).fillna(answered)


@dataclass(frozen=True)
class Reference:
    brand_posts: int
    customer_posts: int
    customers_about_any_brand: int
    share_by_subject: dict[str, tuple[int, int]]
    threads: int
    timed_threads: int
    first_response_median_s: float
    reply_times: np.ndarray
    needs_reply: int
    replied: int
    brands: int


def reference(path: Path, enrichments: pd.DataFrame) -> Reference:
    """The brand's figures; ``enrichments``: post_id, needs_reply, subject (the workspace's rows)."""
    frame = load(path)
    frame["about"] = about_account(frame)
    frame = frame.merge(enrichments, on="post_id", how="left")
    customers = frame[~frame.outbound & frame.about.notna()]
    mine = frame[frame.about == BRAND_KEY].copy()
    share = {
        subject: (int((customers[rows].about == BRAND_KEY).sum()), int(rows.sum()))
        for subject, rows in (
            ("all", customers.about.notna()),
            ("experience", customers.subject == "experience"),
            ("marketing", customers.subject == "marketing"),
        )
    }
    by_id = mine.set_index("post_id")
    eff: dict[str, int] = {}
    root: dict[str, str] = {}

    def walk(post_id: str) -> tuple[str, int]:
        if post_id not in root:
            parent = by_id.at[post_id, "parent"]
            t = int(by_id.at[post_id, "t"])
            if parent is None or parent not in by_id.index:
                root[post_id], eff[post_id] = post_id, t
            else:
                up_root, up_eff = walk(parent)
                root[post_id], eff[post_id] = up_root, max(t, up_eff)
        return root[post_id], eff[post_id]

    for post_id in by_id.index:
        walk(post_id)
    mine["root"] = mine.post_id.map(root)
    mine["eff"] = mine.post_id.map(eff)
    threads = timed = needs = replied = 0
    waits: list[float] = []
    for _, tree in mine.sort_values(["eff", "post_id"]).groupby("root", sort=False):
        segments: list[list[pd.Series]] = []
        last_t: int | None = None
        for _, post in tree.iterrows():
            if last_t is None or (not post.outbound and post.eff - last_t >= DAY_S):
                segments.append([])
            segments[-1].append(post)
            last_t = post.eff
        for segment in segments:
            inbound = [p for p in segment if not p.outbound]
            if not inbound:
                continue
            threads += 1
            first = inbound[0]
            reply = next((p for p in segment if p.outbound and (p.eff, p.post_id) > (first.eff, first.post_id)), None)
            if reply is not None and segment[0].post_id == first.post_id:
                timed += 1
                waits.append(float(reply.eff - first.eff))
            for post in inbound:
                later = [p.eff for p in segment if p.outbound and (p.eff, p.post_id) > (post.eff, post.post_id)]
                if post.needs_reply:
                    needs += 1
                    replied += bool(later) and later[0] - post.eff <= DAY_S
    parents = frame.set_index("post_id")
    replies = frame[(frame.key == BRAND_KEY) & frame.parent.isin(parents.index)]
    answered = replies[~replies.parent.map(parents.outbound)]
    delays = np.maximum(answered.t.to_numpy() - answered.parent.map(parents.t).to_numpy(), 0).astype(float)
    brand_names = {
        re.sub(r"(?i)^ask_?|_?(support|helps|help|cares|care|assist|service|tweets|team)$", "", k)
        for k in set(frame.loc[frame.outbound, "key"])
    }
    return Reference(
        brand_posts=int((mine.outbound).sum()),
        customer_posts=int((~mine.outbound).sum()),
        customers_about_any_brand=len(customers),
        share_by_subject=share,
        threads=threads,
        timed_threads=timed,
        first_response_median_s=float(np.percentile(waits, 50)),
        reply_times=delays,
        needs_reply=needs,
        replied=replied,
        brands=len(brand_names),
    )
