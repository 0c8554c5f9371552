"""Every bad input named in the import contract: kept, explained, never stopping the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import break_parser

from groundswell.errors import StrictImportError
from groundswell.ingest import ImportOptions
from groundswell.workspace import Workspace

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
GOOD_1 = "1,111,True,Tue Oct 31 22:10:47 +0000 2017,@Acme my order is late,2,\n"
GOOD_2 = "2,Acme,False,Tue Oct 31 22:20:47 +0000 2017,@111 sorry! DM us your order number,,1\n"


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _rejects(ws: Workspace) -> list[tuple[int, str, str]]:
    return [(r.line, r.field, r.reason) for r in ws.rejects()]


def _balanced(ws: Workspace, report_read: int, imported: int, duplicates: int, rejected: int) -> None:
    assert report_read == imported + duplicates + rejected


def test_truncated_file_keeps_the_good_rows_and_rejects_the_cut_one(workspace: Workspace, tmp_path: Path) -> None:
    full = HEADER + GOOD_1 + GOOD_2 + '3,111,True,Tue Oct 31 22:30:47 +0000 2017,"@Acme still waiting, this is'
    report = workspace.import_files([_write(tmp_path / "cut.csv", full)])
    assert (report.read, report.imported, report.rejected) == (3, 2, 1)
    ((line, field, reason),) = _rejects(workspace)
    assert (line, field) == (4, "row")
    assert "fields" in reason and "truncated" in reason
    assert "still waiting, this is" in workspace.rejects()[0].raw  # the cut row's content is kept


def test_wrong_encoding_rejects_only_the_undecodable_rows(workspace: Workspace, tmp_path: Path) -> None:
    latin1 = (HEADER + GOOD_1 + "3,111,True,Tue Oct 31 22:30:47 +0000 2017,@Acme caf\u00e9 was closed,,\n").encode(
        "latin-1"
    )
    report = workspace.import_files([_write(tmp_path / "latin1.csv", latin1)])
    assert (report.read, report.imported, report.rejected) == (2, 1, 1)
    ((line, field, reason),) = _rejects(workspace)
    assert (line, field) == (3, "text")
    assert "0xE9" in reason and "--encoding" in reason
    assert "caf\\xe9" in workspace.rejects()[0].raw


def test_wrong_encoding_imports_with_the_right_encoding(workspace: Workspace, tmp_path: Path) -> None:
    latin1 = (HEADER + "3,111,True,Tue Oct 31 22:30:47 +0000 2017,@Acme caf\u00e9 was closed,,\n").encode("latin-1")
    report = workspace.import_files([_write(tmp_path / "latin1.csv", latin1)], ImportOptions(encoding="latin-1"))
    assert report.imported == 1
    assert workspace.store.con.execute("SELECT text FROM posts").fetchone() == ("@Acme caf\u00e9 was closed",)


def test_utf16_with_byte_order_mark_is_read(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.import_files(
        [_write(tmp_path / "u16.csv", (HEADER + GOOD_1).encode("utf-16"))], ImportOptions(format="twcs")
    )
    assert (report.imported, report.rejected) == (1, 0)


def test_missing_required_column_fails_the_file_and_says_which(workspace: Workspace, tmp_path: Path) -> None:
    bad = _write(
        tmp_path / "nocreated.csv", "tweet_id,author_id,inbound,text,in_response_to_tweet_id\n1,111,True,hi,\n"
    )
    good = _write(tmp_path / "good.csv", HEADER + GOOD_1)
    report = workspace.import_files([bad, good], ImportOptions(format="twcs"))
    failed, ok = report.files
    assert failed.error is not None and "created_at" in failed.error
    assert ok.imported == 1  # the run went on with the next file
    ((line, field, reason),) = _rejects(workspace)
    assert (line, field) == (1, "created_at") and "missing required column" in reason
    assert [i["status"] for i in workspace.store.imports()] == ["failed", "done"]


def test_unparsable_timestamp(workspace: Workspace, tmp_path: Path) -> None:
    text = HEADER + GOOD_1 + "3,111,True,31/10/2017 22:30,@Acme hello?,,\n"
    report = workspace.import_files([_write(tmp_path / "ts.csv", text)])
    assert (report.imported, report.rejected) == (1, 1)
    ((line, field, reason),) = _rejects(workspace)
    assert (line, field) == (3, "created_at") and "31/10/2017 22:30" in reason


def test_empty_text(workspace: Workspace, tmp_path: Path) -> None:
    text = HEADER + GOOD_1 + "3,111,True,Tue Oct 31 22:30:47 +0000 2017,   ,,\n"
    report = workspace.import_files([_write(tmp_path / "empty_text.csv", text)])
    assert (report.imported, report.rejected) == (1, 1)
    assert _rejects(workspace) == [(3, "text", "text is empty")]


def test_duplicate_ids_inside_one_file(workspace: Workspace, tmp_path: Path) -> None:
    same_again = GOOD_1
    other_content = "1,111,True,Tue Oct 31 22:10:47 +0000 2017,@Acme a different text,,\n"
    text = HEADER + GOOD_1 + GOOD_2 + same_again + other_content
    report = workspace.import_files([_write(tmp_path / "dups.csv", text)])
    assert (report.read, report.imported, report.duplicates, report.rejected) == (4, 2, 1, 1)
    ((line, field, reason),) = _rejects(workspace)
    assert (line, field) == (5, "post_id")
    assert "other content" in reason and "line 2" in reason
    assert "a different text" in workspace.rejects()[0].raw


def test_duplicate_ids_across_batches_of_one_file(workspace: Workspace, tmp_path: Path) -> None:
    text = HEADER + GOOD_1 + GOOD_2 + GOOD_1 + GOOD_2
    report = workspace.import_files([_write(tmp_path / "dups.csv", text)], ImportOptions(batch_size=1))
    assert (report.imported, report.duplicates, report.rejected) == (2, 2, 0)


def test_row_with_extra_columns(workspace: Workspace, tmp_path: Path) -> None:
    text = HEADER + GOOD_1 + "3,111,True,Tue Oct 31 22:30:47 +0000 2017,@Acme one, two,,,extra\n"
    report = workspace.import_files([_write(tmp_path / "extra.csv", text)])
    assert (report.imported, report.rejected) == (1, 1)
    ((line, field, reason),) = _rejects(workspace)
    assert (line, field) == (3, "row") and "9 fields, the header has 7" in reason


def test_zero_byte_file(workspace: Workspace, tmp_path: Path) -> None:
    report = workspace.import_files([_write(tmp_path / "empty.csv", b"")])
    (f,) = report.files
    assert (f.read, f.imported, f.error) == (0, 0, None)
    assert f.warnings == ["the file is empty: nothing to import"]


def test_file_that_is_not_the_named_format(workspace: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "posts.json", '[{"id": "1", "content": "<p>hi</p>"}]\n')
    report = workspace.import_files([path], ImportOptions(format="twcs"))
    (f,) = report.files
    assert f.error is not None and "not a TWCS file" in f.error
    assert workspace.store.post_count() == 0
    assert _rejects(workspace)[0][:2] == (1, "tweet_id")


def test_file_of_no_known_format(workspace: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.txt", "just some words\nno structure here\n")
    (f,) = workspace.import_files([path]).files
    assert f.error is not None and "cannot tell the file's format" in f.error


def test_bad_rows_in_many_places_keep_the_sum(workspace: Workspace, tmp_path: Path) -> None:
    rows = [GOOD_1, GOOD_2]
    for i in range(10, 60):
        ts = "not a time" if i % 7 == 0 else "Tue Oct 31 22:30:47 +0000 2017"
        body = "" if i % 11 == 0 else f"@Acme message {i}"
        rows.append(f"{i},{i}00,True,{ts},{body},,\n")
    rows.append(GOOD_1)
    report = workspace.import_files(
        [_write(tmp_path / "mixed.csv", HEADER + "".join(rows))], ImportOptions(batch_size=7)
    )
    assert report.read == len(rows)
    assert report.read == report.imported + report.duplicates + report.rejected
    assert report.rejected == len(workspace.rejects())
    assert workspace.store.post_count() == report.imported


def test_strict_stops_at_the_first_bad_row_and_keeps_nothing_of_the_file(workspace: Workspace, tmp_path: Path) -> None:
    text = HEADER + GOOD_1 + GOOD_2 + "3,111,True,yesterday,@Acme hi,,\n"
    path = _write(tmp_path / "strict.csv", text)
    with pytest.raises(StrictImportError) as caught:
        workspace.import_files([path], ImportOptions(strict=True, batch_size=1))
    assert (caught.value.line, caught.value.field) == (4, "created_at")
    assert str(path) in str(caught.value)
    assert workspace.store.post_count() == 0
    assert workspace.store.imports()[0]["status"] == "failed"


def test_json_no_platform_claims_is_not_taken_for_csv(workspace: Workspace, tmp_path: Path) -> None:
    path = _write(tmp_path / "other.jsonl", '{"conversation": [{"speaker": "a", "text": "hi, there"}]}\n')
    (f,) = workspace.import_files([path]).files
    assert f.error is not None and "cannot tell the file's format" in f.error


def test_an_import_stopped_by_an_unexpected_error_is_recorded_and_a_reimport_completes_it(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"{i},u{i},True,Tue Oct 31 22:{i:02d}:47 +0000 2017,@Acme post {i},,\n" for i in range(1, 7))
    path = _write(tmp_path / "posts.csv", HEADER + rows)
    break_parser(monkeypatch, "twcs", 4, RuntimeError("a parser bug"))
    with pytest.raises(RuntimeError, match="a parser bug"):
        workspace.import_files([path], ImportOptions(format="twcs", batch_size=2))
    [stopped] = workspace.imports()
    assert (stopped["status"], stopped["imported"]) == ("failed", 4)  # two full batches were written
    assert stopped["error"] == "RuntimeError: a parser bug"
    monkeypatch.undo()
    again = workspace.import_files([path], ImportOptions(format="twcs"))
    assert (again.read, again.imported, again.duplicates, again.rejected) == (6, 2, 4, 0)


def test_an_import_left_running_by_a_killed_process_is_interrupted_at_the_next_open(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws") as ws:
        ws.store.start_import(source="big.csv", format="twcs", size_bytes=10)  # as a process killed mid-file leaves it
        assert [i["status"] for i in ws.imports()] == ["running"]
    with Workspace.open(tmp_path / "ws") as ws:
        assert [i["status"] for i in ws.imports()] == ["interrupted"]
