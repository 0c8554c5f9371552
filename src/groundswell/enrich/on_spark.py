"""The enrich stage's classification on Apache Spark's executors (``[engine] kind = "spark"``).

The posts to classify are chosen and the rows written as for a run on this machine
(``stage.enrich_posts``); only where batches are classified changes: a chunk of batches becomes a Spark
DataFrame, each executor's Python worker loads the models by name once (``stage.load_worker``, which
refuses files of another version) and classifies its partitions with the same function as a local run
(``stage.classify_in_worker``), and the rows come back to this process, which writes them. The texts travel to the
executors with the job: this is for classifiers that cost more than moving text (the accurate tier's 150
posts/s per core), not for the fast tier on one machine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from groundswell.config import Campaign
from groundswell.enrich import stage

# rows per Spark job: enough work to spread over the executors, little enough to hold on the driver
CHUNK_ROWS = 200_000


def classify_on_spark(
    session: Any,
    names: tuple[str, str],
    campaigns: Sequence[Campaign],
    model: str,
    version: str,
    *,
    partitions: int,
) -> stage.ClassifyBatches:
    """A ``stage.ClassifyBatches`` that classifies on ``session``'s executors, ``partitions`` tasks per job."""
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = from_arrow_schema(stage.ENRICHMENT_SCHEMA)
    campaign_list = list(campaigns)

    def classify_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        if not stage.worker_ready():
            stage.load_worker(names, campaign_list, model, version)
        for batch in batches:
            # Spark hands timestamps back in UTC with a zone; the rules compare naive UTC times
            naive = batch.set_column(
                batch.schema.get_field_index("created_at"),
                "created_at",
                pc.cast(batch.column("created_at"), pa.timestamp("us")),
            )
            yield from stage.classify_in_worker(naive).to_batches()

    def classify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
        for chunk in _chunks(batches, CHUNK_ROWS):
            frame = session.createDataFrame(chunk).repartition(partitions)
            found = frame.mapInArrow(classify_partition, schema).toArrow()
            yield found.cast(stage.ENRICHMENT_SCHEMA)

    return classify


def _chunks(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(held)
            held, count = [], 0
    if held:
        yield pa.Table.from_batches(held)
