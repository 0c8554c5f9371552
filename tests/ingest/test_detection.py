"""Format detection: every fixture is claimed by its own format and by no other platform format."""

from __future__ import annotations

from pathlib import Path

import pytest

from groundswell.ingest.base import SourceFile
from groundswell.ingest.registry import detect_format, get_format

DATA = Path(__file__).resolve().parents[1] / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"

FIXTURES: dict[Path, str] = {
    DATA / "twitter" / "api_v2_search.json": "twitter",
    DATA / "twitter" / "api_v2_stream.jsonl": "twitter",
    DATA / "twitter" / "archive" / "tweets.js": "twitter",
    DATA / "mastodon" / "statuses.json": "mastodon",
    DATA / "mastodon" / "context.json": "mastodon",
    DATA / "mastodon" / "outbox.json": "mastodon",
    DATA / "bluesky" / "author_feed.json": "bluesky",
    DATA / "bluesky" / "search_posts.json": "bluesky",
    DATA / "bluesky" / "post_thread.json": "bluesky",
    SHARED / "twcs" / "sample_head_1000.csv": "twcs",
}
PLATFORM_FORMATS = ("twcs", "twitter", "mastodon", "bluesky")


def _present(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


@pytest.mark.parametrize(("path", "expected"), FIXTURES.items(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_detected_as_its_format(path: Path, expected: str) -> None:
    assert detect_format(SourceFile(_present(path))).name == expected


@pytest.mark.parametrize("name", PLATFORM_FORMATS)
@pytest.mark.parametrize(("path", "expected"), FIXTURES.items(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_sniff_claims_only_its_own_files(path: Path, expected: str, name: str) -> None:
    claimed = get_format(name).sniff(SourceFile(_present(path)).head(), path)
    assert claimed == (name == expected)
