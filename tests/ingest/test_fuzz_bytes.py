"""Random bytes, given to format detection and to every format by name: a file-level message or rejects,
never an exception (see hostile.py for the checks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import FUZZ, FUZZ_SLOW, import_checked, write
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest import format_names
from groundswell.workspace import Workspace

# bytes that steer detection: byte-order marks, JSON openers, the archive prefix, a CSV header
PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"{", b"[", b'{"data": [', b"window.YTD.tweets.part0 = [",
            b"PAR1", b"tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id\n",
            b"platform,post_id,author_id,created_at,text\n"]  # fmt: skip


def _random_file(fuzz_ws: Workspace, fuzz_files: Path, prefix: bytes, body: bytes, format: str | None) -> None:
    outcome = import_checked(fuzz_ws, write(fuzz_files, "random.bin", prefix + body), format=format, platform="other")
    assert "Traceback" not in (outcome.report.error or "")


@FUZZ
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=300), format=st.sampled_from([None, *format_names()]))
def test_random_bytes_are_a_message_or_rejects(
    fuzz_ws: Workspace, fuzz_files: Path, prefix: bytes, body: bytes, format: str | None
) -> None:
    _random_file(fuzz_ws, fuzz_files, prefix, body, format)


def test_random_bytes_of_no_format_say_so(fuzz_ws: Workspace, fuzz_files: Path) -> None:
    noise = bytes(b for b in range(256) if b not in b",;\t") * 4  # no delimiter: not taken for a table
    outcome = import_checked(fuzz_ws, write(fuzz_files, "noise.bin", noise))
    assert outcome.report.error is not None and "cannot tell the file's format" in outcome.report.error


@pytest.mark.slow
@FUZZ_SLOW
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=2000), format=st.sampled_from([None, *format_names()]))
def test_many_random_files(
    fuzz_ws: Workspace, fuzz_files: Path, prefix: bytes, body: bytes, format: str | None
) -> None:
    _random_file(fuzz_ws, fuzz_files, prefix, body, format)
