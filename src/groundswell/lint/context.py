"""The post a draft replies to, as a ``ReplyContext``: from the workspace, or from its text alone.

A stored post that was enriched keeps its stored intent and sentiment. One that
was not (and a bare text) is classified now by the enrichment rules over the
shipped fast models, the same ``intent`` and ``needs_reply`` that
``groundswell enrich`` would store. Loading those models takes a moment, so
this is done once per reply-to post, never per keystroke of the draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from groundswell.errors import NotFound, UsageError
from groundswell.lint.records import ReplyContext

if TYPE_CHECKING:
    from groundswell.enrich.base import Classifier
    from groundswell.records import PostLookup


class PostFinder(Protocol):
    """Where stored posts are looked up: a ``Workspace`` (or its store)."""

    @property
    def location(self) -> str: ...

    def lookup_posts(self, post_id: str, *, platform: str | None = None) -> list[PostLookup]: ...


DEFAULT_MODEL = "fast"


@lru_cache(maxsize=4)
def _models(model: str) -> tuple[Classifier, Classifier]:
    from groundswell.enrich.registry import load_classifier

    return load_classifier("sentiment", model), load_classifier("complaint", model)


def describe_posts(
    texts: Sequence[str],
    *,
    is_reply: Sequence[bool] | None = None,
    is_brand: Sequence[bool] | None = None,
    model: str = DEFAULT_MODEL,
) -> list[ReplyContext]:
    """Classify posts (customers' unless ``is_brand`` says otherwise) as the enrichment rules would."""
    from groundswell.enrich.rules import RuleInput, intent, needs_reply

    replies = list(is_reply) if is_reply is not None else [False] * len(texts)
    brands = list(is_brand) if is_brand is not None else [False] * len(texts)
    if not len(texts) == len(replies) == len(brands):
        raise UsageError("texts, is_reply and is_brand must have the same length")
    sentiment_model, complaint_model = _models(model)
    feelings = sentiment_model.predict(texts)
    complaints = complaint_model.predict(texts)
    contexts = []
    for i, text in enumerate(texts):
        post = RuleInput(
            text=text,
            is_brand=brands[i],
            is_reply=replies[i],
            sentiment=feelings[i].label,
            complaint_probability=complaints[i].probabilities.get("complaint", 0.0),
            campaign=None,
        )
        label = intent(post)
        contexts.append(
            ReplyContext(
                text=text,
                intent=label,
                sentiment=post.sentiment,
                needs_reply=needs_reply(post, label),
                is_brand=brands[i],
                source=f"rules over {sentiment_model.name}@{sentiment_model.version}",
            )
        )
    return contexts


def describe_post(text: str, *, is_reply: bool = False, model: str = DEFAULT_MODEL) -> ReplyContext:
    """One customer post's ``ReplyContext`` from its text alone."""
    return describe_posts([text], is_reply=[is_reply], model=model)[0]


def parse_post_ref(ref: str) -> tuple[str | None, str]:
    """``POST_ID`` or ``PLATFORM:POST_ID`` as (platform or None, post id)."""
    platform, sep, post_id = ref.strip().partition(":")
    if not sep:
        return None, platform
    if not platform or not post_id:
        raise UsageError(f"{ref!r} is not POST_ID or PLATFORM:POST_ID")
    return platform, post_id


def find_post(ws: PostFinder, ref: str) -> PostLookup:
    """The one stored post ``ref`` names; an unknown id, or a bare id on several platforms, is a user error."""
    platform, post_id = parse_post_ref(ref)
    found = ws.lookup_posts(post_id, platform=platform)
    if not found and platform is not None and ":" in ref:
        found = ws.lookup_posts(ref.strip())  # an id that itself holds a colon (Mastodon URIs, Bluesky)
    if not found:
        where = f" on {platform}" if platform else ""
        raise NotFound(f"no post {post_id!r}{where} in {ws.location}")
    if len(found) > 1:
        platforms = ", ".join(p.platform for p in found)
        raise UsageError(f"post id {post_id!r} is on several platforms ({platforms}); say which: PLATFORM:{post_id}")
    return found[0]


def reply_context(ws: PostFinder, ref: str, *, model: str = DEFAULT_MODEL) -> ReplyContext:
    """The ``ReplyContext`` of the stored post ``ref`` (``POST_ID`` or ``PLATFORM:POST_ID``)."""
    post = find_post(ws, ref)
    if post.intent is not None and post.sentiment is not None:
        intent, sentiment = post.intent, post.sentiment
        needs_reply, source = bool(post.needs_reply), f"enrichment {post.model_version}"
    else:
        described = describe_posts(
            [post.text], is_reply=[post.in_reply_to_post_id is not None], is_brand=[post.is_brand], model=model
        )[0]
        intent, sentiment, needs_reply, source = (
            described.intent, described.sentiment, described.needs_reply, described.source,
        )  # fmt: skip
    return ReplyContext(
        text=post.text,
        intent=intent,
        sentiment=sentiment,
        needs_reply=needs_reply,
        author=post.author_handle or post.author_id,
        is_brand=post.is_brand,
        platform=post.platform,
        post_id=post.post_id,
        brand_replies=post.brand_replies,
        recent_brand_replies=post.recent_brand_replies,
        source=source,
    )
