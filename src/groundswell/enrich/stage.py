"""The enrich stage: classify every post not yet classified by this model version.

Reads ``posts``, writes ``enrichments`` (one row per post and model version),
never touches ``posts``. Incremental: a second run with the same models does
nothing; ``force`` re-classifies. Batched, with an optional progress callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from groundswell.config import WorkspaceConfig
from groundswell.enrich import rules
from groundswell.enrich.base import Classifier
from groundswell.enrich.campaigns import CampaignMatcher
from groundswell.store.duckdb import DuckDBStore

RULES_VERSION = "rules-1"
DEFAULT_BATCH_SIZE = 4096

# (posts done, posts to do)
EnrichProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class EnrichReport:
    model: str
    model_version: str
    to_enrich: int
    enriched: int
    replaced: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "model_version": self.model_version,
            "to_enrich": self.to_enrich,
            "enriched": self.enriched,
            "replaced": self.replaced,
            "seconds": round(self.seconds, 3),
            "posts_per_second": round(self.enriched / self.seconds, 1) if self.seconds else None,
        }


def model_version(sentiment: Classifier, complaint: Classifier) -> str:
    """One string naming every model and rule set that produced a row."""
    return f"{sentiment.name}@{sentiment.version}+{complaint.name}@{complaint.version}+{RULES_VERSION}"


def enrich_posts(
    store: DuckDBStore,
    config: WorkspaceConfig,
    *,
    sentiment: Classifier,
    complaint: Classifier,
    model: str,
    force: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: EnrichProgress | None = None,
) -> EnrichReport:
    started = time.perf_counter()
    version = model_version(sentiment, complaint)
    replaced = store.delete_enrichments(version) if force else 0
    total = store.count_posts_to_enrich(version)
    matcher = CampaignMatcher(config.campaigns)
    done = 0
    for batch in store.posts_to_enrich(version, batch_size=batch_size):
        store.write_enrichments(_classify(batch, sentiment, complaint, matcher, model, version))
        done += batch.num_rows
        if progress is not None:
            progress(done, total)
    return EnrichReport(model, version, total, done, replaced, time.perf_counter() - started)


def _classify(
    batch: pa.RecordBatch,
    sentiment: Classifier,
    complaint: Classifier,
    matcher: CampaignMatcher,
    model: str,
    version: str,
) -> pa.Table:
    columns = batch.to_pydict()
    texts: list[str] = columns["text"]
    sentiments = sentiment.predict(texts)
    complaints = complaint.predict(texts)
    out: dict[str, list[Any]] = {name: [] for name in (
        "sentiment", "sentiment_score", "complaint_score", "intent", "subject", "needs_reply", "gratitude", "campaign",
    )}  # fmt: skip
    for i, text in enumerate(texts):
        feeling = sentiments[i]
        campaign = matcher.match(text, columns["created_at"][i])
        post = rules.RuleInput(
            text=text,
            is_brand=bool(columns["is_brand"][i]),
            is_reply=bool(columns["is_reply"][i]),
            sentiment=feeling.label,
            complaint_probability=complaints[i].probabilities.get("complaint", 0.0),
            campaign=campaign,
        )
        post_intent = rules.intent(post)
        out["sentiment"].append(feeling.label)
        out["sentiment_score"].append(feeling.probabilities.get("positive", 0.0) - feeling.probabilities.get("negative", 0.0))
        out["complaint_score"].append(post.complaint_probability)
        out["intent"].append(post_intent)
        out["subject"].append(rules.subject(post, post_intent))
        out["needs_reply"].append(rules.needs_reply(post, post_intent))
        out["gratitude"].append(rules.gratitude(text))
        out["campaign"].append(campaign)
    n = batch.num_rows
    now = datetime.now(UTC).replace(tzinfo=None)
    return pa.table(
        {
            "platform": columns["platform"],
            "post_id": columns["post_id"],
            "model": [model] * n,
            "model_version": [version] * n,
            **out,
            "enriched_at": pa.array([now] * n, pa.timestamp("us")),
        }
    )
