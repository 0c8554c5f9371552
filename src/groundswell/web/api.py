"""The REST API under /api/v1: the same library calls as the CLI, as JSON. OpenAPI at /api/v1/openapi.json.

Reads need ``api.read`` (every role); the inbox needs ``inbox.view`` / ``inbox.act`` (agents and admins);
imports need ``imports.create`` (admins). Every change names the version of the item it was made on and
answers 409 with the item's current state when someone changed it first.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from groundswell.errors import NotFound, UsageError
from groundswell.ingest import ImportOptions
from groundswell.metrics.base import BY_CHOICES
from groundswell.query import Period, parse_period
from groundswell.records import Outcome
from groundswell.web.auth import Caller, app_state, authorize, authorize_async, authorize_before_body, check_form_csrf
from groundswell.web.state import AppState
from groundswell.web.uploads import UPLOADS, UploadTooLarge, read_upload, store_upload, upload_summary
from groundswell.workspace import PendingReply

router = APIRouter(prefix="/api/v1")

Job = tuple[tuple[Any, ...], Callable[[], Any], tuple[str, ...]]
"""A cached computation: its cache key, the function, and the data it depends on (``AppState.cached``)."""


def _scorecard_job(state: AppState, period: Period) -> Job:
    def compute() -> dict[str, Any]:
        with state.db() as ws:
            return dict(ws.scorecard(period=period).as_dict())

    return ("scorecard", period.since, period.until), compute, ("posts", "marks")


def scorecard_document(request: Request, period: Period) -> dict[str, Any]:
    """The scorecard, computed once per period and data version."""
    key, compute, on = _scorecard_job(app_state(request), period)
    document: dict[str, Any] = app_state(request).cached(key, compute, on=on)
    return document


@router.get("/me")
async def me(request: Request) -> dict[str, Any]:
    who = await authorize_async(request, "api.read")
    return {**who.user.as_dict(), "via": who.via, "csrf_token": who.csrf_token}


@router.get("/scorecard")
async def get_scorecard(request: Request, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    await authorize_async(request, "api.read")
    key, compute, on = _scorecard_job(app_state(request), parse_period(since, until))
    document: dict[str, Any] = await app_state(request).cached_async(key, compute, on=on)
    return document


@router.get("/metrics/{name}")
def get_metric(
    request: Request,
    name: str,
    by: Literal["account", "platform", "location", "month", "follower_band"] | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[dict[str, Any]]:
    from groundswell.metrics import METRIC_FAMILIES

    authorize(request, "api.read")
    if name not in METRIC_FAMILIES:
        raise NotFound(f"no metric family {name!r}; families: {', '.join(sorted(METRIC_FAMILIES))}")
    if by is not None and by not in BY_CHOICES:
        raise UsageError(f"unknown by {by!r}; choose one of: {', '.join(BY_CHOICES)}")
    period = parse_period(since, until)
    state = app_state(request)

    def compute() -> list[dict[str, Any]]:
        with state.db() as ws:
            return [row.as_dict() for row in ws.metrics(name, by=by, period=period)]

    return state.cached(("metric", name, by, period.since, period.until), compute)


@router.get("/counts")
def get_counts(request: Request, since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """Threads, replied, unanswered and waiting, and the moment waits run to: the counts every view shows.
    Not cached: for a workspace that syncs, "as of" is now."""
    authorize(request, "api.read")
    period = parse_period(since, until)
    with app_state(request).db() as ws:
        return dict(ws.counts(period=period).as_dict())


def _waiting_job(state: AppState) -> Job:
    """The waiting conversations in urgency order, and the moment their waits run to (None: now, for a
    workspace that syncs): they change with the posts only."""
    from groundswell.inbox.queue import waiting
    from groundswell.threads.counts import as_of

    def compute() -> tuple[list[Any], frozenset[tuple[str, str]], str | None, datetime | None]:
        with state.db() as ws, ws.computing() as sources:
            model = sources.model_version if sources.enrichments is not None else None
            found = waiting(sources)
            ends = None if sources.live else as_of(sources)
        return found, frozenset((c.platform, c.post_id) for c in found), model, ends

    return ("waiting",), compute, ("posts",)


PAGE_ON = ("posts", "inbox")
"""A page of the inbox changes with the waiting conversations and with the team's states."""


def _page_of(state: AppState, view: dict[str, Any], second: int) -> Any:
    """One page of the inbox for ``view`` (``page_of``'s filters), its waits as of ``second``."""
    from groundswell.inbox.queue import page_of

    key, compute, on = _waiting_job(state)
    candidates, keys, model_version, ends = state.cached(key, compute, on=on)
    at = ends if ends is not None else datetime.fromtimestamp(second, UTC)  # imported data: as of its last post
    return page_of(candidates, state.item_states(), model_version=model_version, keys=keys, now=at, **view)


def _page_key(view: dict[str, Any]) -> tuple[Any, ...]:
    return ("inbox-page", tuple(sorted(view.items())))


def inbox_page(request: Request, **view: Any) -> Any:
    """A page of the inbox: the waiting conversations (cached per data version) with the team's state now.
    ``view``: ``inbox.queue.page_of``'s filters (statuses, assignee, platform, account, limit, offset).

    Cached per view until the posts or the team's states change, and at most for the second it was made in:
    the many agents reading the same page between two changes share one page instead of each building it (the
    waits it shows are at most a second old)."""
    state = app_state(request)
    second = int(time.time())
    return state.cached(_page_key(view), lambda: _page_of(state, view, second), on=PAGE_ON, until=(second,))


_PAGE_JSON = TypeAdapter(dict[str, Any])


@router.get("/inbox", response_model=dict[str, Any])
async def get_inbox(
    request: Request,
    status: list[str] = Query(default=["open", "assigned", "sending"]),  # noqa: B008 - FastAPI's way to declare a list
    assignee: str | None = None,
    platform: str | None = None,
    account: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> Response:
    """Async: once the waiting list is computed, a page is a few milliseconds of Python, answered on the event
    loop instead of queueing for a worker thread behind every other request. The page is kept as its JSON:
    the many readers of one page between two changes share its encoding too."""
    from groundswell.inbox import STATUSES

    await authorize_async(request, "inbox.view")
    unknown = sorted(set(status) - set(STATUSES))
    if unknown:
        raise UsageError(f"unknown status {', '.join(unknown)}; statuses: {', '.join(STATUSES)}")
    state = app_state(request)
    view = {"statuses": tuple(status), "assignee": assignee, "platform": platform, "account": account,
            "limit": limit, "offset": offset}  # fmt: skip
    second = int(time.time())

    def compute() -> bytes:
        return _PAGE_JSON.dump_json(dict(_page_of(state, view, second).as_dict()))

    page: bytes = await state.cached_async(("json", *_page_key(view)), compute, on=PAGE_ON, until=(second,))
    return Response(page, media_type="application/json")


class AssignBody(BaseModel):
    assignee: str | None = Field(description="the agent to own the item; null gives it back (open)")
    version: int = Field(ge=0, description="the item's version this change was made on")


class SentBody(BaseModel):
    version: int = Field(ge=0)
    reply_post_id: str | None = None
    text: str | None = None  # the reply as sent by hand: kept and counted as the brand's reply


class OutcomeBody(BaseModel):
    outcome: Outcome
    version: int = Field(ge=0)


class SendBody(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    version: int = Field(ge=0)
    force: bool = Field(default=False, description="send even when the draft checker fails the reply")
    account: str | None = Field(default=None, description="the connected account to send from")


class LabelBody(BaseModel):
    field: Literal["sentiment", "intent", "subject", "needs_reply"]
    value: str


class LintBody(BaseModel):
    text: str = Field(max_length=10_000)
    reply_to: str | None = Field(default=None, description="PLATFORM:POST_ID of the post being answered")


@router.post("/inbox/{platform}/{post_id}/assign")
def post_assign(request: Request, platform: str, post_id: str, body: AssignBody) -> dict[str, Any]:

    who = authorize(request, "inbox.act")
    with app_state(request).writing("inbox", item=(platform, post_id)) as ws:
        return ws.inbox.assign(platform, post_id, body.assignee, version=body.version, actor=who.user.name).as_dict()


@router.post("/inbox/{platform}/{post_id}/sent")
def post_sent(request: Request, platform: str, post_id: str, body: SentBody) -> dict[str, Any]:

    who = authorize(request, "inbox.act")
    with app_state(request).writing(
        "inbox", "posts", item=(platform, post_id)
    ) as ws:  # a reply's text is kept as a post
        state = ws.mark_sent(
            platform, post_id, version=body.version, actor=who.user.name, reply_post_id=body.reply_post_id,
            text=body.text,
        )  # fmt: skip
    return state.as_dict()


def send_and_mark(
    request: Request,
    who: Caller,
    platform: str,
    post_id: str,
    *,
    text: str,
    version: int,
    force: bool,
    account: str | None,
) -> dict[str, Any]:
    """Send the reply through the platform's connected account, then mark the item sent.

    The item's version is checked, the draft checked, and the intent recorded (the item ``sending``) in one short
    write; the platform is called with no lock held, so every other request goes on meanwhile; what it answered
    is recorded in a second short write. A reply the platform refuses leaves the item as it was; one it does
    not confirm leaves it ``sending`` (504, ``ReplyPending``), to retry or settle.
    """
    state = app_state(request)
    with state.writing("inbox", item=(platform, post_id)) as ws:
        pending = ws.begin_reply(
            f"{platform}:{post_id}", text, actor=who.user.name, account=account, force=force, version=version
        )
    return _deliver(state, pending)


def retry_send(request: Request, who: Caller, platform: str, post_id: str, *, version: int) -> dict[str, Any]:
    """Send the item's reply left ``sending`` again, with its idempotency key (never a second reply)."""
    state = app_state(request)
    with state.writing("inbox", item=(platform, post_id)) as ws:
        pending = ws.retry_reply(platform, post_id, actor=who.user.name, version=version)
    return _deliver(state, pending)


def _deliver(state: AppState, pending: PendingReply) -> dict[str, Any]:
    delivery = pending.deliver()  # the platform is waited on here, holding nothing
    with state.writing("posts", "inbox", item=(pending.send.platform, pending.send.post_id)) as ws:
        done = ws.finish_reply(pending, delivery)
    return done.as_dict()


@router.post("/inbox/{platform}/{post_id}/send")
def post_send(request: Request, platform: str, post_id: str, body: SendBody) -> dict[str, Any]:
    """Send ``text`` as the reply through the connected account (``groundswell connect``) and mark it sent."""
    who = authorize(request, "inbox.act")
    return send_and_mark(
        request, who, platform, post_id, text=body.text, version=body.version, force=body.force, account=body.account
    )


class RetryBody(BaseModel):
    version: int = Field(ge=0, description="the item's version this change was made on")


class ResolveBody(BaseModel):
    sent: bool = Field(description="true: the reply is on the platform; false: it is not (the item reopens)")
    version: int = Field(ge=0)
    reply_post_id: str | None = Field(default=None, description="the reply's id on the platform, when sent")
    reply_url: str | None = Field(default=None, description="the reply's link, when sent")


@router.post("/inbox/{platform}/{post_id}/send/retry")
def post_send_retry(request: Request, platform: str, post_id: str, body: RetryBody) -> dict[str, Any]:
    """Send the reply left ``sending`` again with the same idempotency key: the platform posts it at most once."""
    who = authorize(request, "inbox.act")
    return retry_send(request, who, platform, post_id, version=body.version)


@router.post("/inbox/{platform}/{post_id}/send/resolve")
def post_send_resolve(request: Request, platform: str, post_id: str, body: ResolveBody) -> dict[str, Any]:
    """Settle the reply left ``sending`` from what the platform shows: sent (with its id or link) or not sent."""
    who = authorize(request, "inbox.act")
    with app_state(request).writing("inbox", item=(platform, post_id)) as ws:
        return ws.inbox.resolve_send(
            platform, post_id, sent=body.sent, version=body.version, actor=who.user.name,
            reply_post_id=body.reply_post_id, reply_url=body.reply_url,
        ).as_dict()  # fmt: skip


@router.get("/inbox/{platform}/{post_id}/sends")
def get_sends(request: Request, platform: str, post_id: str) -> list[dict[str, Any]]:
    """Every reply sent or tried for the item through a connected account, oldest first, with its state."""
    authorize(request, "inbox.view")
    with app_state(request).db() as ws:
        return [send.as_dict() for send in ws.inbox.sends(platform, post_id)]


@router.post("/inbox/{platform}/{post_id}/outcome")
def post_outcome(request: Request, platform: str, post_id: str, body: OutcomeBody) -> dict[str, Any]:

    who = authorize(request, "inbox.act")
    with app_state(request).writing("inbox", "marks", item=(platform, post_id)) as ws:
        return ws.inbox.mark_outcome(
            platform, post_id, body.outcome, version=body.version, actor=who.user.name
        ).as_dict()


@router.post("/posts/{platform}/{post_id}/labels")
def post_label(request: Request, platform: str, post_id: str, body: LabelBody) -> dict[str, Any]:

    who = authorize(request, "labels.correct")
    with app_state(request).writing() as ws:
        ws.inbox.correct_label(platform, post_id, body.field, body.value, actor=who.user.name)
    return {"platform": platform, "post_id": post_id, "field": body.field, "value": body.value.lower()}


@router.get("/posts/{platform}/{post_id}")
def get_post(request: Request, platform: str, post_id: str) -> dict[str, Any]:
    authorize(request, "api.read")
    with app_state(request).db() as ws:
        found = ws.lookup_posts(post_id, platform=platform)
    if not found:
        raise NotFound(f"no post {platform}:{post_id}")
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(found[0]).items()}


@router.get("/threads/{platform}/{post_id}")
def get_thread(request: Request, platform: str, post_id: str) -> dict[str, Any]:
    from groundswell.inbox.conversation import conversation

    authorize(request, "api.read")
    with app_state(request).db() as ws, ws.sources() as sources:
        return conversation(sources, platform, post_id).as_dict()


@router.post("/lint")
def post_lint(request: Request, body: LintBody) -> dict[str, Any]:
    from groundswell.lint import check_draft
    from groundswell.lint.context import reply_context

    authorize(request, "inbox.view")
    context = None
    if body.reply_to:
        with app_state(request).db() as ws:
            context = reply_context(ws, body.reply_to)
    return dict(check_draft(body.text, reply_to=context).as_dict())


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "description": "the file to import"}},
                }
            }
        },
    }
}
"""The upload's body, declared by hand: the endpoint reads it itself, after checking the caller."""


@router.post("/imports", openapi_extra=UPLOAD_BODY)
async def post_import(request: Request, format: str | None = None) -> dict[str, Any]:
    """Import an uploaded file (multipart field ``file``, at most ``serve --max-upload-mb``; larger: 413). It is
    streamed to ``uploads/`` in the workspace (never held in memory) and kept there: the posts' lineage names
    it, as for a file imported from the command line."""
    who = await authorize_before_body(request, "imports.create")
    return await import_upload(request, who, format)


async def import_upload(request: Request, who: Caller, format: str | None, *, form: bool = False) -> dict[str, Any]:
    """Read the upload (the caller's role already checked, before the body), check the CSRF token of a session
    (the form's ``csrf_token`` field when ``form``, else the header), store it in ``uploads/`` and import it:
    the API's and the admin page's one import path. Refused and done uploads are audit-logged."""
    state = app_state(request)
    try:
        upload, fields = await read_upload(request)
    except UploadTooLarge as exc:
        await run_in_threadpool(_audit_refused_upload, state, who, request, exc)
        raise
    try:
        check_form_csrf(request, who, fields.get("csrf_token") if form else None)
        chosen = (fields.get("format") or None) if form else format
        return await run_in_threadpool(_import_stored, state, who, upload, chosen)
    finally:
        await upload.close()


def _import_stored(state: AppState, who: Caller, upload: UploadFile, format: str | None) -> dict[str, Any]:
    path, size = store_upload(upload, state.workspace.path / UPLOADS)
    with state.writing("posts") as ws:
        report = ws.import_files([path], ImportOptions(format=format))
        [file_report] = report.files
        summary = upload_summary(path, state.workspace.path, file_report)
        detail = {k: summary[k] for k in ("stored_as", "format", "read", "imported", "duplicates", "rejected", "error")}
        ws.accounts.record(
            actor=who.user.name, action="imports.upload", target=summary["file"], detail={**detail, "bytes": size}
        )
    return summary


def _audit_refused_upload(state: AppState, who: Caller, request: Request, exc: UploadTooLarge) -> None:
    with state.db() as ws:
        ws.accounts.record(
            actor=who.user.name, action="imports.refused", target=request.url.path,
            detail={"reason": "too large", "limit_bytes": exc.limit, "declared_bytes": request.headers.get("content-length")},
        )  # fmt: skip
