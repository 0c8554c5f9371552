"""A CSV file cut into parts of its records (``ingest.parts.csv_cuts``): each part, read alone by Python's CSV
reader, gives the records the whole file gives there, whatever quotes, commas and line breaks the fields hold;
and an import on Spark, each part parsed after the header line, gives what the file read whole gives."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.ingest.base import ParseOptions, SourceFile
from groundswell.ingest.on_spark import SparkRecordReader, parse_part
from groundswell.ingest.parts import copy_part, csv_cuts
from groundswell.ingest.registry import get_format
from groundswell.records import PostRow

FIELDS = st.text(st.sampled_from('ab ,"\n\r\u00e9'), max_size=8)


def _records(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@given(
    rows=st.lists(st.lists(FIELDS, min_size=1, max_size=4), min_size=0, max_size=12),
    parts=st.integers(2, 6),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
)
def test_parts_read_alone_give_the_whole_files_records(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], parts: int, newline: str, quote_all: bool
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows([["h1", "h2"], *rows])
    path = tmp_path_factory.mktemp("cuts") / "file.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    data = path.read_bytes()
    cuts = csv_cuts(path, parts)
    assert cuts[0] == 0 and cuts[-1] == len(data)
    assert cuts == sorted(set(cuts)) and len(cuts) <= parts + 1
    pieces = [data[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]
    assert [record for piece in pieces for record in _records(piece)] == _records(data)
    header_ending = data[: data.index(b"\n") + 1][-2:] == b"\r\n"
    for piece in pieces[1:]:  # each later part's first line: one whole record, ending as the header does
        first = piece[: piece.index(b"\n") + 1]
        assert first.count(b'"') % 2 == 0 and (first[-2:] == b"\r\n") == header_ending


def test_a_large_file_is_cut_near_equal_parts_after_whole_records(tmp_path: Path) -> None:
    rows = [[str(i), "text with a\nline break" if i % 7 == 0 else "plain", 'say "hi"'] for i in range(5000)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["id", "text", "quote"], *rows])
    path = tmp_path / "large.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    cuts = csv_cuts(path, 4)
    sizes = [end - start for start, end in zip(cuts, cuts[1:], strict=False)]
    assert len(sizes) == 4 and max(sizes) - min(sizes) < 200  # each cut at the first record start past its target
    data = path.read_bytes()
    pieces = [_records(data[start:end]) for start, end in zip(cuts, cuts[1:], strict=False)]
    assert [record for piece in pieces for record in piece] == [["id", "text", "quote"], *rows]


def test_a_part_is_copied_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(bytes(range(256)) * 1000)
    copy_part(path, 1000, 200_000, tmp_path / "part")
    assert (tmp_path / "part").read_bytes() == path.read_bytes()[1000:200_000]


def test_a_file_of_only_a_header_has_no_parts(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("a,b\n", encoding="utf-8")
    assert csv_cuts(path, 3) == [0, 4]


SHARED_TWCS = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs" / "sample_head_1000.csv"


# the generic table format reads a TWCS file with its columns mapped
TABLE_OPTIONS = ParseOptions(
    column_map={"post_id": "tweet_id", "in_reply_to_post_id": "in_response_to_tweet_id"}, platform="twitter"
)


def _read_in_parts(path: Path, format_name: str, tmp_path: Path) -> tuple[list[object], int]:
    """What an import on Spark reads of ``path`` cut into parts of 4 KB, each part parsed as an executor parses it
    (``on_spark.parse_part``, here in this process), and the parts' count."""
    options = TABLE_OPTIONS if format_name == "csv" else ParseOptions()
    reader = SparkRecordReader(session=None, staging=tmp_path, part_bytes=4096)
    tasks = reader._tasks([path], format_name, None, options)
    for task in tasks:
        reader._parts.setdefault(task.path, []).append(parse_part(task))
    try:
        return list(reader.records(get_format(format_name), SourceFile(path), options)), len(tasks)
    finally:
        reader.close()


@pytest.mark.parametrize("format_name", ["twcs", "csv"])
def test_a_csv_file_read_in_parts_gives_what_it_gives_whole(tmp_path: Path, format_name: str) -> None:
    """Real TWCS posts (38 of 1,000 texts hold line breaks), cut into parts after whole records: the same posts and
    rejects with the same lines as the file read whole, by the TWCS parser and the generic table parser."""
    if not SHARED_TWCS.exists():
        pytest.skip("../shared/data is not beside the project")
    path = tmp_path / "twcs.csv"
    path.write_bytes(SHARED_TWCS.read_bytes())
    options = TABLE_OPTIONS if format_name == "csv" else ParseOptions()
    whole = list(get_format(format_name).parse(SourceFile(path), options))
    found, parts = _read_in_parts(path, format_name, tmp_path)
    assert parts > 20
    assert len(whole) == 1000 and sum(isinstance(item, PostRow) for item in whole) > 900
    assert found == whole


@given(
    rows=st.lists(st.lists(FIELDS, min_size=7, max_size=7), min_size=1, max_size=60),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_any_twcs_file_read_in_parts_gives_what_it_gives_whole(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], newline: str
) -> None:
    header = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"]
    good = ["1", "acme", "True", "Tue Oct 31 22:10:47 +0000 2017", "hi " * 700, "", ""]
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *(row if i % 3 else good for i, row in enumerate(rows))])
    folder = tmp_path_factory.mktemp("parts")
    path = folder / "file.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    whole = list(get_format("twcs").parse(SourceFile(path), ParseOptions()))
    found, _ = _read_in_parts(path, "twcs", folder)
    assert found == whole


@pytest.mark.parametrize("shape", ["one long quoted field", "records ending otherwise than the header"])
def test_a_file_without_a_cut_near_its_targets_is_read_in_fewer_parts(tmp_path: Path, shape: str) -> None:
    """A cut is looked for only a few MB past its target: past a long quoted field of many lines, or where no line
    ends as the header does, there are fewer parts (or none), each still of whole records."""
    path = tmp_path / "file.csv"
    if shape == "one long quoted field":
        long_field = '"' + "a line of a long quoted field\n" * 300_000 + '"'
        path.write_bytes(f"id,text\n1,{long_field}\n2,short\n".encode())
    else:
        path.write_bytes(b"id,text\r\n" + b"".join(b"%d,text of record %d\n" % (i, i) for i in range(300_000)))
    cuts = csv_cuts(path, 4)
    data = path.read_bytes()
    assert len(cuts) - 1 < 4
    pieces = [data[start:end] for start, end in zip(cuts, cuts[1:], strict=False)]
    assert [record for piece in pieces for record in _records(piece)] == _records(data)
