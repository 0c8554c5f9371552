from __future__ import annotations

import collections
import csv
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groundswell.config import DEFAULT_AUTOMATION_PATTERNS, parse_config
from groundswell.demo import (
    BUZZING_PROFILE,
    DEFAULT_PROFILE,
    HELPFUL_PROFILE,
    BrandProfile,
    DemoPost,
    demo_config_text,
    generate_world,
    write_posts_csv,
    write_twcs_csv,
)
from groundswell.demo import text as tx
from groundswell.demo.world import make_calendar
from groundswell.demo.writers import twitter_timestamp
from groundswell.errors import UsageError
from groundswell.ingest.pipeline import ImportOptions
from groundswell.workspace import Workspace

AUTOMATED = [re.compile(p) for p in DEFAULT_AUTOMATION_PATTERNS]
THANKS = re.compile(r"(?i)thank|cheers|legend|sorted|merci|danke|gracias|diolch|dank je|ありがとう")


def automated(text: str) -> bool:
    return any(p.search(text) for p in AUTOMATED)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def world() -> list[DemoPost]:
    return list(generate_world(posts=20_000, seed=11))


class Measured:
    """Behaviour measured from the posts alone, the way a later stage would."""

    def __init__(self, posts: list[DemoPost]):
        by_key = {(p.platform, p.post_id): p for p in posts}
        self.by_key = by_key
        brand = [p for p in posts if p.is_brand]
        self.brand_posts = len(brand)
        self.broadcasts = sum(1 for p in brand if p.in_reply_to_post_id is None)
        self.human_replies = [p for p in brand if p.in_reply_to_post_id is not None and not automated(p.text)]
        self.auto_replies = [p for p in brand if p.in_reply_to_post_id is not None and automated(p.text)]
        customers = [p for p in posts if not p.is_brand]
        self.customer_posts = len(customers)
        answered = {(p.platform, p.conversation_id) for p in self.human_replies}
        self.asking = [
            p for p in customers
            if p.in_reply_to_post_id is None and "?" in p.text and any(h in p.text for h in ("@Northwind", "@northwind"))
        ]  # fmt: skip
        self.unanswered = [p for p in self.asking if (p.platform, p.conversation_id) not in answered]
        self.buzz = sum(1 for p in customers if tx.identity().contest_tag in p.text or tx.identity().ad_tag in p.text)
        parent = {p.post_id: by_key[(p.platform, p.in_reply_to_post_id)] for p in posts if p.in_reply_to_post_id}
        self.parent = parent
        after_brand = [p for p in customers if p.post_id in parent and parent[p.post_id].is_brand]
        self.thanks_after = [p for p in after_brand if not automated(parent[p.post_id].text) and THANKS.search(p.text)]
        self.unhappy_after = [p for p in after_brand if p.text.split(" ", 1)[-1] in tx.UNHAPPY]
        self.peer_replies = [
            p for p in customers if p.post_id in parent and not parent[p.post_id].is_brand
            and parent[p.post_id].author_id != p.author_id
        ]  # fmt: skip
        self.consecutive = [p for p in brand if p.post_id in parent and parent[p.post_id].is_brand]
        per_day = collections.Counter(p.created_at.date() for p in customers)
        self.per_day = per_day

    @property
    def answer_share(self) -> float:
        return 1 - len(self.unanswered) / len(self.asking)

    @property
    def broadcast_share(self) -> float:
        return self.broadcasts / self.brand_posts

    @property
    def buzz_share(self) -> float:
        return self.buzz / self.customer_posts

    @property
    def thanks_per_reply(self) -> float:
        return len(self.thanks_after) / len(self.human_replies)


@pytest.fixture(scope="module")
def measured(world: list[DemoPost]) -> Measured:
    return Measured(world)


# -- determinism and shape ---------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    paths = [tmp_path / f"{i}.csv" for i in range(3)]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        write_posts_csv(generate_world(posts=3000, seed=seed), path)
    assert sha(paths[0]) == sha(paths[1])
    assert sha(paths[0]) != sha(paths[2])
    write_twcs_csv(generate_world(posts=3000, seed=5), tmp_path / "a.twcs")
    write_twcs_csv(generate_world(posts=3000, seed=5), tmp_path / "b.twcs")
    assert sha(tmp_path / "a.twcs") == sha(tmp_path / "b.twcs")


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from groundswell.demo import generate_world, write_posts_csv; "
        "write_posts_csv(generate_world(posts=2000, seed=5), sys.argv[1])"
    )
    out = tmp_path / "other.csv"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env)
    write_posts_csv(generate_world(posts=2000, seed=5), tmp_path / "here.csv")
    assert sha(out) == sha(tmp_path / "here.csv")


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 1001])
def test_exactly_the_requested_posts_and_no_orphans(n: int) -> None:
    posts = list(generate_world(posts=n, seed=2))
    assert len(posts) == n
    seen: set[tuple[str, str]] = set()
    for p in posts:
        if p.in_reply_to_post_id is not None:
            assert (p.platform, p.in_reply_to_post_id) in seen
        seen.add((p.platform, p.post_id))


def test_threads_are_well_formed(world: list[DemoPost]) -> None:
    by_key: dict[tuple[str, str], DemoPost] = {}
    children: collections.Counter[tuple[str, str]] = collections.Counter()
    finished: set[str] = set()
    current = None
    for p in world:
        key = (p.platform, p.post_id)
        assert key not in by_key, "post ids are unique per platform"
        assert p.post_id.isdigit()
        if p.conversation_id != current:
            assert p.conversation_id not in finished, "a conversation is contiguous in the stream"
            if current is not None:
                finished.add(current)
            current = p.conversation_id
            assert p.in_reply_to_post_id is None and p.conversation_id == p.post_id
        else:
            parent = by_key[(p.platform, p.in_reply_to_post_id or "")]
            assert parent.conversation_id == p.conversation_id
            assert parent.created_at < p.created_at
            children[(parent.platform, parent.post_id)] += 1
        by_key[key] = p
    assert all(p.reply_count == children[k] for k, p in by_key.items())
    start = make_calendar().start
    assert all(start <= p.created_at < start + timedelta(days=182) for p in world)


def test_brand_accounts_on_several_platforms(world: list[DemoPost]) -> None:
    ident = tx.identity()
    accounts = {(p.platform, p.author_handle) for p in world if p.is_brand}
    assert {("twitter", ident.support), ("twitter", ident.marketing), ("mastodon", ident.mastodon)} <= accounts
    assert len({platform for platform, _ in accounts}) >= 2
    config = parse_config(demo_config_text())
    configured = {(a.platform, a.handle) for a in config.accounts}
    assert accounts <= configured


# -- the ingredients -----------------------------------------------------------------------


def test_every_ingredient_is_there(measured: Measured, world: list[DemoPost]) -> None:
    assert len(measured.unanswered) > 50, "some customers who need an answer never get one"
    assert len(measured.thanks_after) > 50, "some thank the brand after its reply"
    assert len(measured.unhappy_after) > 20, "some stay unhappy after it"
    assert len(measured.peer_replies) > 50, "customers answer customers"
    assert len(measured.auto_replies) > 10, "a few automated replies"
    assert len(measured.consecutive) > 20, "consecutive brand replies"
    assert measured.broadcasts > 50, "broadcast posts"
    ident = tx.identity()
    assert sum(ident.contest_tag in p.text for p in world) > 50
    assert sum(ident.ad_tag in p.text for p in world) > 50
    assert any("https://" in p.text for p in world if p.is_brand and p.in_reply_to_post_id is None)


def test_stores_people_and_texts_look_real(world: list[DemoPost]) -> None:
    locations = collections.Counter(p.location for p in world if p.location)
    config = parse_config(demo_config_text())
    assert set(locations) <= {loc.name for loc in config.locations}
    assert len(locations) >= 30
    followers = {p.author_id: p.author_followers or 0 for p in world if not p.is_brand}
    values = list(followers.values())
    assert statistics.median(values) < 100
    assert sum(v < 100 for v in values) / len(values) > 0.7
    assert 0 < sum(v > 10_000 for v in values) < len(values) * 0.01
    assert len({p.text for p in world}) / len(world) > 0.5
    langs = collections.Counter(p.lang for p in world)
    assert langs["en"] > 0.9 * len(world) and len(langs) >= 4
    assert any(ord(ch) > 0x1F000 for p in world for ch in p.text), "emoji"
    assert any("\n" in p.text for p in world), "a few multi-line posts"
    assert all('"' not in p.text for p in world)
    assert any(p.like_count and p.like_count > 1000 for p in world)
    assert all(p.view_count is None for p in world if p.platform != "twitter")


def test_both_spikes(measured: Measured) -> None:
    cal = make_calendar()
    per_day = measured.per_day
    busiest = max(per_day, key=lambda d: per_day[d])
    assert per_day[busiest] >= 4 * statistics.median(per_day.values())
    assert busiest in (cal.date(cal.viral_day), cal.date(cal.contest_start))
    launch = per_day[cal.date(cal.contest_start)]
    assert launch >= 2.5 * statistics.median(per_day.values()), "the contest launch is a spike too"


def test_replies_come_faster_in_business_hours(measured: Measured) -> None:
    inside, outside = [], []
    for reply in measured.human_replies:
        asked = measured.parent[reply.post_id]
        if asked.is_brand:
            continue
        wait = (reply.created_at - asked.created_at).total_seconds()
        (inside if 8 <= asked.created_at.hour < 18 else outside).append(wait)
    assert statistics.median(inside) < statistics.median(outside)
    assert min(inside) < 15 * 60 and max(outside) > 24 * 3600, "minutes to days"


def test_helpful_and_buzzing_brands_behave_differently() -> None:
    helpful = Measured(list(generate_world(posts=15_000, seed=4, profile=HELPFUL_PROFILE)))
    buzzing = Measured(list(generate_world(posts=15_000, seed=4, profile=BUZZING_PROFILE)))
    assert helpful.answer_share > buzzing.answer_share + 0.3
    assert buzzing.broadcast_share > 3 * helpful.broadcast_share
    assert buzzing.buzz_share > 3 * helpful.buzz_share
    assert helpful.thanks_per_reply > 2 * buzzing.thanks_per_reply
    assert len(buzzing.auto_replies) > 5 * len(helpful.auto_replies)


def test_two_brands_never_share_ids_or_handles() -> None:
    other = DEFAULT_PROFILE.with_brand("Fjell & Fell Outdoor")
    a = list(generate_world(posts=2000, seed=1))
    b = list(generate_world(posts=2000, seed=1, profile=other))
    assert not {(p.platform, p.post_id) for p in a} & {(p.platform, p.post_id) for p in b}
    assert not {p.author_handle for p in a if p.is_brand} & {p.author_handle for p in b if p.is_brand}
    assert any("#FjellSummit" in p.text for p in generate_world(posts=20_000, seed=1, profile=other))


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(UsageError):
        BrandProfile(reply_rate=1.5)
    with pytest.raises(UsageError):
        BrandProfile(viral_story="alien invasion")
    with pytest.raises(UsageError):
        generate_world(posts=-1, seed=1)
    with pytest.raises(UsageError):
        generate_world(posts=10, seed=1, days=0)


def test_a_short_period_from_an_aware_start() -> None:
    start = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    posts = list(generate_world(posts=3000, seed=9, start=start, days=14))
    assert len(posts) == 3000
    first = datetime(2026, 3, 2)
    assert all(first <= p.created_at < first + timedelta(days=14) for p in posts)


def test_memory_stays_flat() -> None:
    tracemalloc.start()
    try:
        for _ in generate_world(posts=60_000, seed=1):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 60,000 posts held at once would take ~40 MB; the generator keeps a bounded cache only
    assert peak < 12 * 2**20


# -- writers ---------------------------------------------------------------------------------


def test_hand_written_csv_is_what_the_csv_module_writes(tmp_path: Path, world: list[DemoPost]) -> None:
    odd = [
        p._replace(text=text, author_handle=handle, location=loc)
        for p, text, handle, loc in zip(
            world[:6],
            ["a\rb", 'say "hi"', "x\ny", "", " lead", "a,b"],
            ["h,x", 'h"q', None, "h\nn", "ok", "ok"],
            [None, "A,B", 'C"', "D\r", "E", "F"],
            strict=True,
        )
    ]
    posts = [*world[:3000], *odd]
    expected = tmp_path / "expected.csv"
    with expected.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DemoPost._fields)
        for p in posts:
            writer.writerow((*p[:5], "true" if p.is_brand else "false", p.created_at.isoformat() + "Z", *p[7:]))
    assert write_posts_csv(posts, tmp_path / "got.csv") == len(posts)
    assert (tmp_path / "got.csv").read_bytes() == expected.read_bytes()


def test_twcs_output_matches_the_real_layout(tmp_path: Path, world: list[DemoPost]) -> None:
    posts = world[:4000]
    path = tmp_path / "twcs.csv"
    written = write_twcs_csv(posts, path)
    tweets = [p for p in posts if p.platform == "twitter"]
    assert written == len(tweets)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == written
    replies = collections.defaultdict(list)
    for p in tweets:
        if p.in_reply_to_post_id:
            replies[p.in_reply_to_post_id].append(p.post_id)
    for p, row in zip(tweets, rows, strict=True):
        assert row["tweet_id"] == p.post_id
        assert row["inbound"] == ("False" if p.is_brand else "True")
        assert row["author_id"] == (p.author_handle if p.is_brand else p.author_id)
        assert row["author_id"].isdigit() != p.is_brand
        assert row["created_at"] == twitter_timestamp(p.created_at)
        assert row["response_tweet_id"] == ",".join(replies[p.post_id])
        assert row["in_response_to_tweet_id"].removesuffix(".0") == (p.in_reply_to_post_id or "")
    parents = [r["in_response_to_tweet_id"] for r in rows if r["in_response_to_tweet_id"]]
    assert any(v.endswith(".0") for v in parents) and any(not v.endswith(".0") for v in parents)
    assert any("," in r["response_tweet_id"] for r in rows)


def test_twcs_output_imports_with_no_rejects(tmp_path: Path) -> None:
    path = tmp_path / "twcs.csv"
    written = write_twcs_csv(generate_world(posts=3000, seed=8), path)
    with Workspace.init(tmp_path / "ws", config_text=demo_config_text()) as ws:
        report = ws.import_files([path], ImportOptions(format="twcs"))
        summary = ws.summary()
    assert report.read == written and report.imported == written
    assert report.rejected == 0 and report.duplicates == 0
    assert summary.brand_accounts == 2 and summary.counts is not None and summary.counts.threads > 0
