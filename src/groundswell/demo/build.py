"""Build a demo workspace: its config, its posts file, the import.

The demo never touches a workspace that holds posts: synthetic posts mixed
into a brand's real ones would silently poison every figure.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from groundswell.config import CONFIG_FILENAME, parse_config
from groundswell.demo.outcomes import OUTCOMES_CONFIG
from groundswell.demo.profiles import DEFAULT_PROFILE, BrandProfile
from groundswell.demo.text import TEAM, Identity, identity
from groundswell.demo.world import (
    CLOSE_HOUR,
    DEFAULT_DAYS,
    DEFAULT_START,
    OPEN_HOUR,
    SHIFT_TIMEZONE,
    generate_labelled_world,
    generate_world,
    make_calendar,
)
from groundswell.demo.writers import write_posts_csv
from groundswell.errors import WorkspaceError
from groundswell.ingest.pipeline import ImportOptions, ProgressCallback
from groundswell.records import ImportReport, WorkspaceSummary
from groundswell.workspace import Workspace

DEMO_MARKER = "# groundswell demo world"
DATA_DIR = "demo-data"
DATA_FILE = "posts.csv"
REVIEW_FILE = "review.csv"
DEMO_REVIEW = 300  # customer posts the demo's team labels (``groundswell review``)
REVIEWER = "the demo's team (the world's true labels)"


@dataclass(frozen=True, slots=True)
class DemoResult:
    workspace: Path
    data_file: Path
    report: ImportReport
    summary: WorkspaceSummary


def store_denominators(ident: Identity) -> list[tuple[str, int, int]]:
    """(store, orders a year, employees): the first stores are the big-city ones."""
    n = len(ident.stores)
    out = []
    for i, store in enumerate(ident.stores):
        employees = 12 + int(60 * (1 - i / n) ** 1.5)
        out.append((store, employees * 2400 + (i * 7919) % 5000, employees))
    return out


def demo_config_text(
    profile: BrandProfile = DEFAULT_PROFILE, start: datetime | date = DEFAULT_START, days: int = DEFAULT_DAYS
) -> str:
    """The commented ``groundswell.toml`` for a demo world of ``profile``'s brand."""
    ident = identity(profile.brand, profile.stores)
    cal = make_calendar(start, days)
    stores = store_denominators(ident)
    low = ident.slug.lower()
    lines = [
        f"{DEMO_MARKER}: {ident.brand} (synthetic data from `groundswell demo`, profile {profile.name!r}).",
        "# Every post, person and store here is invented. Edit freely; re-run the commands that use it.",
        "",
        "# The brand this workspace is about.",
        f'brand = "{ident.brand}"',
        "",
        "# The brand's own accounts: support answers customers, the main account markets.",
        f'[[accounts]]\nplatform = "twitter"\nhandle = "{ident.support}"\nname = "{ident.slug} customer care"',
        f'\n[[accounts]]\nplatform = "twitter"\nhandle = "{ident.marketing}"\nname = "{ident.brand}"',
        f'\n[[accounts]]\nplatform = "mastodon"\nhandle = "{ident.mastodon}"\nname = "{ident.brand}"',
        f'\n[[accounts]]\nplatform = "bluesky"\nhandle = "{ident.bluesky}"\nname = "{ident.brand}"',
        "",
        "# Campaigns: a post matches by hashtag, keyword or link, within the dates.",
        "# The contest launches with a burst of entries; the film-style ad has a long tail of buzz.",
        f'[[campaigns]]\nname = "{ident.contest_name}"\nhashtags = ["{ident.contest_tag}"]',
        f'keywords = ["summit challenge"]\nlinks = ["{ident.contest_link}"]',
        f"start = {cal.date(cal.contest_start).isoformat()}\nend = {cal.date(cal.contest_end).isoformat()}",
        f'\n[[campaigns]]\nname = "{ident.ad_name}"\nhashtags = ["{ident.ad_tag}"]',
        f'keywords = ["{low} ad", "{low} advert", "into the wild"]\nlinks = ["{ident.ad_link}"]',
        f"start = {cal.date(cal.ad_start).isoformat()}",
        "# no end: people keep talking about a good ad long after it stops running",
        "",
        "# Stores, with what to divide by (fans per store, complaints per 1,000 orders).",
    ]
    for store, orders, employees in stores:
        aliases = f'"{store.lower()} store", "{low} {store.lower()}"'
        lines.append(
            f'[[locations]]\nname = "{store}"\naliases = [{aliases}]\n'
            f"denominators = {{ orders = {orders}, employees = {employees} }}\n"
        )
    total_staff = sum(e for _, _, e in stores) + 350
    total_orders = sum(o for _, o, _ in stores) + 1_250_000
    lines += [
        "# Business-wide denominators (employees include head office; orders include online).",
        f"[denominators]\nstores = {len(stores)}\nemployees = {total_staff}\norders = {total_orders}",
        "",
        "# Business goals, each with KPIs and targets.",
        '[[goals]]\nname = "Answer the people who need us"',
        '[[goals.kpis]]\nmetric = "response_rate"\ntarget = 0.8\ndirection = "at_least"',
        '[[goals.kpis]]\nmetric = "first_response_median_hours"\ntarget = 1\ndirection = "at_most"',
        '\n[[goals]]\nname = "Help, not just reply"',
        '[[goals.kpis]]\nmetric = "help_rate"\ntarget = 0.7\ndirection = "at_least"',
        '[[goals.kpis]]\nmetric = "sentiment_lift"\ntarget = 0.2\ndirection = "at_least"',
        '\n[[goals]]\nname = "Win on the visit, not only on the ad"',
        '[[goals.kpis]]\nmetric = "experience_share"\ntarget = 0.5\ndirection = "at_least"',
        '[[goals.kpis]]\nmetric = "complaints_per_1000_orders"\ntarget = 0.5\ndirection = "at_most"',
        "",
        "# Reply window, first-response target; automated replies match the default patterns.",
        "[response]\nwindow_hours = 24\ntarget_hours = 1",
        "",
        f"# The support team works {OPEN_HOUR:02d}:00-{CLOSE_HOUR:02d}:00, seven days a week.",
        f'[business_hours]\ntimezone = "{SHIFT_TIMEZONE}"',
        f'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\nstart = "{OPEN_HOUR:02d}:00"\nend = "{CLOSE_HOUR:02d}:00"',
        "",
        OUTCOMES_CONFIG,
        "# The team that answers customers.",
    ]
    for name, role in TEAM:
        email = f"{name.split()[0].lower()}@{ident.site}"
        lines.append(f'[[team]]\nname = "{name}"\nemail = "{email}"\nrole = "{role}"\n')
    return "\n".join(lines)


DEMO_CONFIG_TEXT = demo_config_text()


def build_demo(
    path: Path | str,
    *,
    posts: int = 20_000,
    seed: int = 7,
    profile: BrandProfile = DEFAULT_PROFILE,
    progress: ProgressCallback | None = None,
    review: int = DEMO_REVIEW,
) -> DemoResult:
    """Create a demo workspace at ``path``, write its posts file and import it; then, as a team would, label
    ``review`` customer posts drawn at random (``groundswell review``), with the world's true labels
    (``demo-data/review.csv``), so the intervals of classified figures measure the classifiers' errors on
    the demo's own posts. ``review=0``: no review.

    Refuses (``WorkspaceError``) a workspace that holds posts, or one that is
    not a demo workspace of the same brand; an empty demo workspace is reused.
    The workspace is closed on return.
    """
    path = Path(path)
    config_text = demo_config_text(profile)
    parse_config(config_text)  # a broken demo config is a bug here, not the user's problem
    if Workspace.exists(path):
        ws = Workspace.open(path)
        try:
            _check_reusable(ws, profile)
        except BaseException:
            ws.close()
            raise
    else:
        ws = Workspace.init(path, config_text=config_text)
    with ws:
        data_file = path / DATA_DIR / DATA_FILE
        write_posts_csv(generate_world(posts=posts, seed=seed, profile=profile), data_file)
        report = ws.import_files([data_file], ImportOptions(format="csv"), progress=progress)
        if review:
            _label_review(ws, path / DATA_DIR, review, posts=posts, seed=seed, profile=profile)
        summary = ws.summary()
    return DemoResult(workspace=path, data_file=data_file, report=report, summary=summary)


def _label_review(ws: Workspace, folder: Path, size: int, *, posts: int, seed: int, profile: BrandProfile) -> None:
    """Draw ``size`` customer posts for review, label them with the world's truth (generated again, streaming,
    to keep memory flat) into ``REVIEW_FILE``, and load it."""
    drawn = folder / f".{REVIEW_FILE}.drawn"
    drawn.unlink(missing_ok=True)
    ws.write_review_sample(drawn, size, seed=f"demo-{seed}")
    with drawn.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    drawn.unlink()
    wanted = {(r["platform"], r["post_id"]) for r in rows}
    truth = {}
    for post, true in generate_labelled_world(posts=posts, seed=seed, profile=profile):
        if true is not None and (post.platform, post.post_id) in wanted:
            truth[post.platform, post.post_id] = true
    labelled = folder / REVIEW_FILE
    with labelled.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            true = truth.get((row["platform"], row["post_id"]))
            if true is not None:
                row.update(sentiment=true.sentiment, subject=true.subject, needs_reply=str(true.needs_reply).lower())
            writer.writerow(row)
    ws.load_review_labels(labelled, by=REVIEWER)


def _check_reusable(ws: Workspace, profile: BrandProfile) -> None:
    count = ws.store.post_count()
    if count:
        raise WorkspaceError(
            f"{ws.path} already holds a workspace with {count:,} posts; the demo only builds into a new or "
            "empty demo workspace, so synthetic posts never mix with real ones. Give another --workspace."
        )
    head = (ws.path / CONFIG_FILENAME).read_text(encoding="utf-8").lstrip()
    if not head.startswith(DEMO_MARKER) or ws.config.brand != profile.brand:
        raise WorkspaceError(
            f"{ws.path} already holds a workspace that is not a {profile.brand} demo workspace; "
            "the demo will not rewrite its config. Give another --workspace."
        )
