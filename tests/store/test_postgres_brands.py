"""The brand and its peers on PostgreSQL: TWCS with one brand configured, imported and enriched into an embedded
workspace and a PostgreSQL one, gives the same brand scorecards, share of voice and scoped figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import twcs_brand
from engine_equality import same
from groundswell.ingest.pipeline import ImportOptions
from groundswell.store.duckdb import DuckDBStore
from groundswell.store.postgres import PostgresStore
from groundswell.workspace import DATABASE_ENV, Workspace
from postgres_server import PostgresServer

TWCS_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs" / "sample_head_1000.csv"
PEER_ACCOUNT = "AmazonHelp"  # a peer's support account in the sample, for --account


@pytest.fixture(scope="module")
def twcs_workspaces(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer
) -> Iterator[tuple[Workspace, Workspace]]:
    if not TWCS_SAMPLE.exists():
        pytest.skip(f"{TWCS_SAMPLE} is not here (../shared/data beside the project)")
    root = tmp_path_factory.mktemp("twcs_brands")
    opened = []
    with pytest.MonkeyPatch.context() as env:
        for name, database in (("duckdb", None), ("postgresql", postgres_server.new_database())):
            if database is None:
                env.delenv(DATABASE_ENV, raising=False)
            else:
                env.setenv(DATABASE_ENV, database)
            ws = Workspace.init(root / name, config_text=twcs_brand.CONFIG)
            ws.import_files([TWCS_SAMPLE], ImportOptions(format="twcs"))
            ws.enrich("fast", workers=1)
            opened.append(ws)
    on_duckdb, on_postgres = opened
    assert isinstance(on_duckdb.store, DuckDBStore) and isinstance(on_postgres.store, PostgresStore)
    yield on_duckdb, on_postgres
    for ws in opened:
        ws.close()


def test_every_brand_scores_the_same(twcs_workspaces: tuple[Workspace, Workspace]) -> None:
    on_duckdb, on_postgres = twcs_workspaces
    expected = [card.as_dict() for card in on_duckdb.brand_scorecards()]
    assert len(expected) > 10 and sum(card["own"] for card in expected) == 1
    same(expected, [card.as_dict() for card in on_postgres.brand_scorecards()], "brand scorecards")


@pytest.mark.parametrize("name", ["share_of_voice", "response", "subject"])
def test_the_brands_figures_are_the_same(twcs_workspaces: tuple[Workspace, Workspace], name: str) -> None:
    on_duckdb, on_postgres = twcs_workspaces
    expected = [row.as_dict() for row in on_duckdb.metrics(name)]
    assert expected
    same(expected, [row.as_dict() for row in on_postgres.metrics(name)], name)


def test_a_peers_account_and_every_reply_are_the_same(twcs_workspaces: tuple[Workspace, Workspace]) -> None:
    on_duckdb, on_postgres = twcs_workspaces
    expected = [row.as_dict() for row in on_duckdb.metrics("response", account=PEER_ACCOUNT, per="reply")]
    assert expected
    found = [row.as_dict() for row in on_postgres.metrics("response", account=PEER_ACCOUNT, per="reply")]
    same(expected, found, f"response --per reply --account {PEER_ACCOUNT}")
    card = on_duckdb.scorecard(brand="Amazon").as_dict()
    assert card["social_media_index"] is not None
    same(card, on_postgres.scorecard(brand="Amazon").as_dict(), "scorecard --brand Amazon")
