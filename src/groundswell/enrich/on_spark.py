"""The enrich stage's classification on Apache Spark's executors (``[engine] kind = "spark"``).

The posts to classify are chosen and the rows written as for a run on this machine
(``stage.enrich_posts``); only where batches are classified changes. A chunk of the stage's batches
becomes a Spark DataFrame, each batch a group; each executor's Python worker loads the models by name
once (``stage.load_worker``, which refuses files of another version) and classifies each group whole,
in its order, with the same function as a local run (``stage.classify_in_worker``); the rows come back
to this process, which writes them. The texts travel to the executors with the job: this is for
classifiers that cost more than moving text (the accurate tier), not for the fast tier on one machine.
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
) -> stage.ClassifyBatches:
    """A ``stage.ClassifyBatches`` that classifies on ``session``'s executors.

    Each batch of the stage is classified whole, its rows in their order, as a group of one Spark job: a
    classifier's output for a post may depend on the posts it is batched with (the accurate tier's int8
    encoder quantizes each batch's activations with one scale), so the executors get exactly the batches a
    local run classifies, and give exactly its labels."""
    from pyspark.sql.pandas.types import from_arrow_schema

    # the rows as Spark types them: its timestamps carry the session's zone, UTC
    spark_arrow = pa.schema(
        [
            f.with_type(pa.timestamp("us", tz="UTC")) if pa.types.is_timestamp(f.type) else f
            for f in stage.ENRICHMENT_SCHEMA
        ]
    )
    schema = from_arrow_schema(spark_arrow)
    campaign_list = list(campaigns)

    def classify_batch(group: pa.Table) -> pa.Table:
        stage.load_worker(names, campaign_list, model, version)  # once per Python worker and models
        ordered = group.sort_by(_ROW).drop_columns([_BATCH, _ROW])
        # Spark hands timestamps back in UTC with a zone; the rules compare naive UTC times
        naive = ordered.set_column(
            ordered.schema.get_field_index("created_at"),
            "created_at",
            pc.cast(ordered.column("created_at"), pa.timestamp("us")),
        )
        found: pa.Table = stage.classify_in_worker(naive.combine_chunks().to_batches()[0])
        return found.cast(spark_arrow)

    def classify(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
        for chunk in _chunks(batches, CHUNK_ROWS):
            frame = session.createDataFrame(chunk)
            found = frame.groupBy(_BATCH).applyInArrow(classify_batch, schema).toArrow()
            yield found.cast(stage.ENRICHMENT_SCHEMA)

    return classify


_BATCH, _ROW = "_gs_batch", "_gs_row"


def _chunks(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Up to ``rows`` posts at a time, each row with its batch's number and its place in the batch."""
    held: list[pa.Table] = []
    count = 0
    for number, batch in enumerate(batches):
        table = pa.Table.from_batches([batch])
        table = table.append_column(_BATCH, pa.array([number] * batch.num_rows, pa.int64()))
        table = table.append_column(_ROW, pa.array(range(batch.num_rows), pa.int64()))
        held.append(table)
        count += batch.num_rows
        if count >= rows:
            yield pa.concat_tables(held)
            held, count = [], 0
    if held:
        yield pa.concat_tables(held)
