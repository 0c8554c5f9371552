"""The scorecard's raw component values, written plainly in pandas: the speed baseline beside the library.

    from pandas_scorecard import pandas_scorecard, pandas_indices
    raw = pandas_scorecard(posts, enrichments, config)   # {component name: raw value}
    indices = pandas_indices(raw, config)                # {index name: 0-100 or None}

``posts`` holds the columns of the ``posts`` table (store/schema.py), ``enrichments`` the rows of one
model version (``platform, post_id, sentiment, intent, subject, needs_reply, gratitude, ...``; empty: the
workspace is not enriched), e.g. read out of a workspace's DuckDB file with
``con.sql("SELECT * FROM posts").df()``. The figures are those of ``groundswell.metrics.scorecard`` for
the whole period (no ``--by``, no agents' marks; data whose dense period, ``query.period``, is all of it), by the same definitions (DESIGN, "Metric definitions"
and "Fine print"; each library module's docstring states them exactly), computed the way an analyst
would in pandas: merges, sorts, ``groupby``, vectorised columns; no ibis and no SQL. Only the scoring of
raw values into indices (``score``) and the component list are taken from the library.

Regular expressions (mentions, automated replies) run with Python's ``re`` in ASCII mode, since DuckDB's
RE2 reads ``\\w`` and ``\\b`` as ASCII only (``café@northwind`` mentions ``@northwind`` there).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from groundswell.config import WorkspaceConfig, normalize_handle
from groundswell.metrics.scorecard import COMPONENT_NAMES, COMPONENTS, MARKETING, SOCIAL, score

THREAD_SILENCE_S = 24 * 3600  # a non-brand post after a day of silence starts a new thread
MAX_ROUNDS = 40  # pointer-jumping rounds: 2^40 deep, only a reply cycle gets there
MAX_BRAND_CHAIN = 8  # brand posts followed up a brand reply's chain to find the person it answers
MONTH_DAYS = 30
POST_KEY = ["platform", "post_id"]
# after a handle: end of text, a character no handle holds, or a full stop ending the sentence
HANDLE_END = r"(?:$|[^\w@.-]|[.](?:$|[^\w]))"
WHITESPACE = " \t\n\r\v\f"  # what DuckDB's TRIM removes as ibis calls it


def pandas_scorecard(
    posts: pd.DataFrame, enrichments: pd.DataFrame, config: WorkspaceConfig
) -> dict[str, float | None]:
    """{component name: raw value} for every scorecard component, brand-wide over all ``posts``.

    A component is None where the library has no value either: nothing to measure, the workspace not
    enriched, or weight 0 in the workspace's ``[scorecard.components.NAME]``.
    """
    posts = posts.reset_index(drop=True)  # row labels are used below; any index the caller had is dropped
    enriched = len(enrichments) > 0
    enrich = enrichments if enriched else None
    values: dict[str, float | None] = {}

    subject = subject_counts(posts, enrich)
    values["experience_share"] = ratio(subject["experience"], subject["posts"])
    values["experience_net_sentiment"] = ratio(
        subject["experience_positive"] - subject["experience_negative"], subject["experience"]
    )

    per_post, per_thread = threads(posts, enrich, config)
    values["response_rate"] = response_rate(per_post, config) if enriched else None
    values["first_response_median_hours"] = first_response_median_hours(per_thread)
    values["help_rate"] = help_rate(per_thread)

    values["conversation_ratio"] = conversation_ratio(posts, config)
    returning, friends = relationships(posts, enrich, config)
    values["returning_customer_share"] = returning
    values["friend_share"] = friends

    values["buzz_per_day"] = ratio(subject["marketing"], period_days(posts)) if enriched else None
    values["broadcast_engagement"] = broadcast_engagement(posts)
    values["follower_growth_per_month"] = follower_growth_per_month(posts)

    for name, override in config.scorecard.components.items():
        if override.weight == 0 and name in values:
            values[name] = None  # the library leaves a weight-0 component out, without a figure
    return {name: values[name] for name in COMPONENT_NAMES}


def pandas_indices(values: dict[str, float | None], config: WorkspaceConfig) -> dict[str, float | None]:
    """The social media and social media marketing indices (0-100) from raw values, as the library scores them.

    Each component's score places its raw value between its ``bad`` and ``good`` ends (the workspace's
    overrides applied); an index is the weighted mean of the scores of the components that have a value.
    """
    out: dict[str, float | None] = {}
    for index in (SOCIAL, MARKETING):
        weighted = []
        for spec in COMPONENTS:
            override = config.scorecard.components.get(spec.name)
            weight, bad, good = spec.weight, spec.bad, spec.good
            if override is not None:
                weight = weight if override.weight is None else override.weight
                bad = bad if override.bad is None else override.bad
                good = good if override.good is None else override.good
            value = values.get(spec.name)
            if spec.index == index and value is not None and weight > 0:
                weighted.append((weight, score(value, bad, good, log=spec.log)))
        total = sum(w for w, _ in weighted)
        out[index] = sum(w * s for w, s in weighted) / total if total else None
    return out


# -- small helpers ------------------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator as a Python float; None when the denominator is 0 or unknown."""
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


def contains(text: pd.Series, pattern: str) -> pd.Series:
    """Whether each text holds a match of ``pattern`` (RE2-like: ``\\w`` and ``\\b`` ASCII only)."""
    with warnings.catch_warnings():  # groups in a pattern are fine: only whether it matches is asked
        warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression", UserWarning)
        return text.str.contains(pattern, regex=True, flags=re.ASCII).astype(bool)


def is_automated(text: pd.Series, config: WorkspaceConfig) -> pd.Series:
    """The text matches one of ``[response] automation_patterns`` (auto-replies, away messages)."""
    found = pd.Series(False, index=text.index)
    for pattern in config.response.automation_patterns:
        found |= contains(text, pattern)
    return found


def mentions(posts: pd.DataFrame, keys: dict[str, list[str]]) -> pd.Series:
    """Whether each post's text mentions ``@handle`` of one of ``keys[platform]`` (normalized handles).

    Not inside a word before the ``@``, no handle character after it, case-insensitive; a Mastodon
    ``user@server`` also matches a bare ``@user``. A plain substring test on the lower-cased text picks the
    candidates, and only those are matched with the regular expression.
    """
    found = pd.Series(False, index=posts.index)
    for platform, handles in keys.items():
        options = set(handles)
        for handle in handles:
            user, at, _server = handle.partition("@")
            if at and user:
                options.add(user)  # a bare @user stands for the brand's user@server
        users = {"@" + handle.partition("@")[0] for handle in handles}
        on_platform = posts[posts["platform"] == platform]
        lower = on_platform["text"].str.lower()
        candidate = pd.Series(False, index=on_platform.index)
        for user in sorted(users):
            candidate |= lower.str.contains(user, regex=False)
        pattern = r"(?i)(?:^|[^\w])@(?:" + "|".join(re.escape(o) for o in sorted(options)) + ")" + HANDLE_END
        texts = on_platform.loc[candidate, "text"]
        found.loc[texts.index] = contains(texts, pattern)
    return found


def config_keys(config: WorkspaceConfig) -> dict[str, list[str]]:
    """The configured brand accounts' normalized handles, per platform."""
    keys: dict[str, list[str]] = {}
    for account in config.accounts:
        keys.setdefault(account.platform, []).append(normalize_handle(account.handle))
    return keys


def microseconds(ts: pd.Series) -> np.ndarray[Any, np.dtype[np.int64]]:
    """UTC timestamps as integer microseconds since the epoch."""
    found: np.ndarray[Any, np.dtype[np.int64]] = ts.to_numpy().astype("datetime64[us]").astype(np.int64)
    return found


def with_enrichments(table: pd.DataFrame, enrich: pd.DataFrame | None, columns: list[str], how: str) -> pd.DataFrame:
    """``table`` joined to the named enrichment columns (``how``: inner drops posts not enriched)."""
    if enrich is None:
        if how == "inner":
            return table.iloc[0:0].assign(**{c: pd.Series(dtype=object) for c in columns})
        return table.assign(**{c: None for c in columns})
    return table.merge(enrich[[*POST_KEY, *columns]], on=POST_KEY, how=how)


# -- subject: experience share and net sentiment, marketing buzz -------------------------------------------


def subject_counts(posts: pd.DataFrame, enrich: pd.DataFrame | None) -> dict[str, int]:
    """Customer posts (non-brand, enriched) by subject, and the experience posts by sentiment."""
    customer = with_enrichments(posts.loc[~posts["is_brand"], POST_KEY], enrich, ["subject", "sentiment"], "inner")
    experience = customer[customer["subject"] == "experience"]
    return {
        "posts": len(customer),
        "experience": len(experience),
        "experience_positive": int((experience["sentiment"] == "positive").sum()),
        "experience_negative": int((experience["sentiment"] == "negative").sum()),
        "marketing": int((customer["subject"] == "marketing").sum()),
    }


# -- threads -------------------------------------------------------------------------------------


def resolve_roots(posts: pd.DataFrame) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each post's root (row position) and effective time (µs): the latest ``created_at`` on its root path.

    Every post points at its parent (a root, or a reply whose parent was never imported, at itself); each
    round replaces the pointer by the pointer's pointer and keeps the later time, until no pointer moves.
    """
    n = len(posts)
    ids = pd.DataFrame({"platform": posts["platform"].to_numpy(), "parent": posts["post_id"].to_numpy()})
    ids["parent_pos"] = np.arange(n)
    links = pd.DataFrame({"platform": posts["platform"].to_numpy(), "parent": posts["in_reply_to_post_id"].to_numpy()})
    parent = links.merge(ids, on=["platform", "parent"], how="left")["parent_pos"]
    own = np.arange(n)
    at = microseconds(posts["created_at"])
    linked = parent.notna().to_numpy() & (parent.fillna(-1).to_numpy() != own)
    ptr = np.where(linked, parent.fillna(-1).to_numpy().astype(np.int64), own)
    eff = np.where(linked, np.maximum(at, at[ptr]), at)
    moved = linked
    rounds = 0
    while moved.any() and rounds < MAX_ROUNDS:
        nxt = ptr[ptr]
        eff = np.maximum(eff, eff[ptr])
        moved = nxt != ptr
        ptr = nxt
        rounds += 1
    return ptr, eff


def threads(
    posts: pd.DataFrame, enrich: pd.DataFrame | None, config: WorkspaceConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Posts with their thread and reply facts, and one row per thread (``groundswell.threads``'s rules).

    A brand conversation is a reply tree in which a brand account posts or is mentioned; its non-brand
    posts are inbound. A tree's posts in effective-time order are split into threads wherever a non-brand
    post follows 24 h of silence; a thread is kept when it holds an inbound post.
    """
    root, eff = resolve_roots(posts)
    p = posts[["platform", "post_id", "author_id", "author_handle", "is_brand", "created_at", "text"]].copy()
    p["root"] = root
    p["t"] = eff // 1_000_000  # effective time, whole epoch seconds

    brand = p[p["is_brand"]]
    p["automated"] = False
    p.loc[brand.index, "automated"] = is_automated(brand["text"], config)
    # the brand's accounts: the configured ones, and the authors of brand posts (as handle keys)
    keys = config_keys(config)
    authors = brand["author_handle"].fillna(brand["author_id"]).str.strip(WHITESPACE).str.lower().str.lstrip("@")
    for platform, key in (
        pd.DataFrame({"platform": brand["platform"], "key": authors}).drop_duplicates().itertuples(index=False)
    ):
        if key not in keys.setdefault(platform, []):
            keys[platform].append(key)
    p["mentions_brand"] = mentions(p, keys)
    p = with_enrichments(p.drop(columns=["text"]), enrich, ["sentiment", "intent", "needs_reply", "gratitude"], "left")

    p = p.sort_values(["root", "t", "post_id"], kind="stable", ignore_index=True)
    p["brand_conversation"] = (p["is_brand"] | p["mentions_brand"]).groupby(p["root"]).transform("any")
    prev_t = p.groupby("root")["t"].shift()
    starts = prev_t.isna() | (~p["is_brand"] & (p["t"] - prev_t >= THREAD_SILENCE_S))
    p["thread"] = starts.cumsum()  # thread number; the frame is in thread order
    p["starts"] = starts

    replyable = p["is_brand"] & ~p["automated"]
    inbound_so_far = (~p["is_brand"]).astype(int).groupby(p["thread"]).cumsum()
    # times ascend within a thread, so the next brand reply at or after a post is the next one in order
    next_reply_t = p["t"].where(replyable).groupby(p["thread"]).bfill()
    counts_as_reply = replyable & (inbound_so_far > 0)
    replies_so_far = counts_as_reply.astype(int).groupby(p["thread"]).cumsum()
    p["first_inbound"] = ~p["is_brand"] & (inbound_so_far == 1)
    p["first_reply"] = counts_as_reply & (replies_so_far == 1)
    p["after_reply"] = replies_so_far > 0
    p["inbound"] = ~p["is_brand"] & p["brand_conversation"]
    p["reply_delay_s"] = (next_reply_t - p["t"]).where(~p["is_brand"])
    p["in_thread"] = p.groupby("thread")["inbound"].transform("any")
    customer = p.loc[p["first_inbound"]].set_index("thread")["author_id"]
    p["is_customer"] = ~p["is_brand"] & (p["author_id"] == p["thread"].map(customer))

    t = p[p["in_thread"]]
    per_thread = pd.DataFrame(
        {
            "started_by_brand": t.loc[t["starts"]].set_index("thread")["is_brand"],
            "first_inbound_t": t.loc[t["first_inbound"]].set_index("thread")["t"],
        }
    )
    per_thread["first_reply_t"] = t.loc[t["first_reply"]].set_index("thread")["t"]
    last = t.loc[t["is_customer"]].drop_duplicates("thread", keep="last").set_index("thread")
    per_thread = per_thread.join(last[["after_reply", "sentiment", "gratitude", "intent"]])
    per_thread["replied"] = per_thread["first_reply_t"].notna()
    per_thread["response_s"] = (per_thread["first_reply_t"] - per_thread["first_inbound_t"]).where(
        per_thread["replied"] & ~per_thread["started_by_brand"]
    )
    # DESIGN's "Did we help?" on the customer's last post after the first brand reply (no agents' marks here)
    label = per_thread["sentiment"]
    outcome = np.select(
        [
            ~per_thread["after_reply"],
            label == "positive",
            label == "negative",
            per_thread["gratitude"].eq(True),
            per_thread["intent"] == "complaint",
            label.notna(),
        ],
        ["unknown", "helped", "not_helped", "helped", "not_helped", "unknown"],
        default=None,  # type: ignore[call-overload]  # no outcome: not enriched
    )
    per_thread["outcome"] = pd.Series(outcome, index=per_thread.index).where(per_thread["replied"])
    return p, per_thread


# -- response and help ------------------------------------------------------------------------------


def response_rate(per_post: pd.DataFrame, config: WorkspaceConfig) -> float | None:
    """Inbound posts needing a reply that got a non-automated brand reply in their thread within the window."""
    inbound = per_post[per_post["inbound"]]
    needs = inbound["needs_reply"].eq(True)
    in_window = inbound["reply_delay_s"].notna() & (inbound["reply_delay_s"] <= config.response.window_hours * 3600)
    return ratio(int((needs & in_window).sum()), int(needs.sum()))


def first_response_median_hours(per_thread: pd.DataFrame) -> float | None:
    """Median seconds from a thread's first inbound post to its first brand reply, in hours."""
    timed = per_thread["response_s"].dropna()
    return None if timed.empty else float(timed.median()) / 3600


def help_rate(per_thread: pd.DataFrame) -> float | None:
    """helped / (helped + not helped) over the replied threads."""
    helped = int((per_thread["outcome"] == "helped").sum())
    not_helped = int((per_thread["outcome"] == "not_helped").sum())
    return ratio(helped, helped + not_helped)


# -- voice: conversation ratio ---------------------------------------------------------------------------


def conversation_ratio(posts: pd.DataFrame, config: WorkspaceConfig) -> float | None:
    """Brand replies to people (not automated) / all brand posts.

    A brand reply whose parent is a non-brand post, or was never imported, is to a person; one to a brand
    post is followed up that chain of brand posts (at most ``MAX_BRAND_CHAIN``) and is to a person when the
    chain leads to one; a chain ending at a brand post that replies to nobody, or longer, is a thread
    continuation. A post that replies to nobody is a broadcast.
    """
    brand = posts.loc[posts["is_brand"], ["platform", "post_id", "in_reply_to_post_id", "text"]]
    if brand.empty:
        return None
    nodes = brand[["platform", "post_id", "in_reply_to_post_id"]].rename(
        columns={"post_id": "cursor", "in_reply_to_post_id": "next"}
    )
    kind = pd.Series("broadcast", index=brand.index, dtype=object)
    pending = pd.DataFrame({"platform": brand["platform"], "cursor": brand["in_reply_to_post_id"]})
    pending = pending[pending["cursor"].notna()]
    for _ in range(MAX_BRAND_CHAIN):
        if pending.empty:
            break
        step = pending.reset_index(names="row").merge(nodes, on=["platform", "cursor"], how="left", indicator=True)
        step = step.set_index("row")
        kind.loc[step.index[step["_merge"] == "left_only"]] = "reply"  # not a brand post: a person
        kind.loc[step.index[(step["_merge"] == "both") & step["next"].isna()]] = "continuation"
        up = step[(step["_merge"] == "both") & step["next"].notna()]
        pending = pd.DataFrame({"platform": up["platform"], "cursor": up["next"]})
    kind.loc[pending.index] = "continuation"  # a chain longer than MAX_BRAND_CHAIN
    to_people = (kind == "reply") & ~is_automated(brand["text"], config)
    return ratio(int(to_people.sum()), len(brand))


# -- relationships: returning customers and friends ----------------------------------------------------


def relationships(
    posts: pd.DataFrame, enrich: pd.DataFrame | None, config: WorkspaceConfig
) -> tuple[float | None, float | None]:
    """Returning customer share (posts in two or more calendar months) and friend share.

    A friend has two or more positive posts directed at the brand: mentioning a configured brand account,
    or replying to a brand post.
    """
    customer = posts[~posts["is_brand"]]
    months = customer["created_at"].dt.year * 12 + customer["created_at"].dt.month - 1
    active = months.groupby([customer["platform"], customer["author_id"]]).nunique()
    customers = len(active)
    returning = ratio(int((active >= 2).sum()), customers)
    if enrich is None:
        return returning, None

    positive = with_enrichments(customer, enrich, ["sentiment"], "inner")
    positive = positive[positive["sentiment"] == "positive"]
    parents = posts[["platform", "post_id", "is_brand"]].rename(
        columns={"post_id": "in_reply_to_post_id", "is_brand": "parent_is_brand"}
    )
    positive = positive.merge(parents, on=["platform", "in_reply_to_post_id"], how="left")
    replies_to_brand = positive["in_reply_to_post_id"].notna() & positive["parent_is_brand"].eq(True)
    directed = positive[mentions(positive, config_keys(config)) | replies_to_brand]
    per_author = directed.groupby(["platform", "author_id"]).size()
    return returning, ratio(int((per_author >= 2).sum()), customers)


# -- marketing: buzz, broadcast engagement, follower growth --------------------------------------------


def period_days(posts: pd.DataFrame) -> int:
    """Active days: UTC days with at least one post (at least 1)."""
    return max(1, int(posts["created_at"].dt.floor("D").nunique())) if not posts.empty else 1


def broadcast_engagement(posts: pd.DataFrame) -> float | None:
    """Mean likes + shares + replies per brand broadcast (a post replying to nobody) that carries any count."""
    broadcasts = posts[posts["is_brand"] & posts["in_reply_to_post_id"].isna()]
    counts = broadcasts[["like_count", "share_count", "reply_count"]].astype("Float64")
    counted = counts.notna().any(axis=1)
    if not counted.any():
        return None
    interactions = counts[counted].fillna(0).sum(axis=1).astype(float)
    return ratio(float(interactions.sum()), int(counted.sum()))


def follower_growth_per_month(posts: pd.DataFrame) -> float | None:
    """Growth of the brand accounts' followers from their first to their last post, per 30 days between."""
    known = posts.loc[posts["is_brand"] & posts["author_followers"].notna()]
    if known.empty:
        return None
    known = known.assign(at=microseconds(known["created_at"])).sort_values("at", kind="stable")
    per_account = known.groupby(["platform", "author_id"]).agg(
        first=("author_followers", "first"),
        last=("author_followers", "last"),
        first_at=("at", "min"),
        last_at=("at", "max"),
    )
    first, last = int(per_account["first"].sum()), int(per_account["last"].sum())
    growth = ratio(last - first, first)
    span_days = (int(per_account["last_at"].max()) - int(per_account["first_at"].min())) / 10**6 / 86_400
    if growth is None or span_days < 1:
        return None
    return growth * MONTH_DAYS / span_days
