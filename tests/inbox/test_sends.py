"""A reply through a connected account as the inbox records it: the intent before the platform is called
(``sending``, with its idempotency key), then sent, refused, or left unconfirmed for an agent to settle."""

from __future__ import annotations

from typing import Any

import pytest
from test_inbox import CONFIG, LABELS, POSTS

from groundswell.connect import ConnectorError, new_idempotency_key
from groundswell.inbox import InboxConflict, ReplyPending, assign, item_state, mark_outcome, mark_sent
from groundswell.inbox.actions import stored_states
from groundswell.inbox.queue import WAITING, page_of
from groundswell.inbox.sends import (
    attempt_unconfirmed,
    begin_retry,
    begin_send,
    item_view,
    resolve_send,
    send_confirmed,
    send_refused,
    sends,
)
from groundswell.store import connections

TEXT = "So sorry, Bo. A courier brings your parcel tomorrow. ^KM"


def _begin(ws: Any, post_id: str = "c1", *, version: int = 0, actor: str = "kim") -> Any:
    return begin_send(
        ws.store, "twitter", post_id, version=version, actor=actor, account="AcmeHelp", text=TEXT, verdict="pass",
        forced=False, key=new_idempotency_key(),
    )  # fmt: skip


def test_the_intent_is_recorded_and_every_agent_sees_the_item_sending(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    send = _begin(ws)
    assert (send.status, send.attempts, send.in_flight, send.started_by, send.prior_status) == (
        "sending", 1, True, "kim", "open",
    )  # fmt: skip
    assert len(send.send_key) == 13  # a TID: Bluesky's record key as it is
    item = item_state(ws.store, "twitter", "c1")
    assert item is not None and (item.status, item.updated_by, item.version) == ("sending", "kim", 1)
    # the inbox's default view shows it, with who started the send and when
    state = stored_states(ws.store)
    assert state[("twitter", "c1")]["send"]["send_key"] == send.send_key
    assert "sending" in WAITING
    view = item_view(ws.store, "twitter", "c1").as_dict()
    assert (view["status"], view["send"]["started_by"], view["send"]["in_flight"]) == ("sending", "kim", True)
    with ws.sources() as sources:
        from groundswell.inbox.queue import waiting

        listed = page_of(waiting(sources), state, statuses=WAITING)
    [c1] = [i for i in listed.items if i.post_id == "c1"]
    assert c1.status == "sending" and c1.send is not None and c1.send["started_at"] == send.started_at.isoformat()


def test_an_item_being_sent_takes_no_other_change_and_no_second_send(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    _begin(ws)
    with pytest.raises(InboxConflict, match="reply being sent"):
        assign(ws.store, "twitter", "c1", "lee", version=1, actor="lee")
    with pytest.raises(InboxConflict, match="reply being sent"):
        mark_outcome(ws.store, "twitter", "c1", "helped", version=1, actor="lee")
    with pytest.raises(InboxConflict, match="reply being sent"):
        _begin(ws, version=1, actor="lee")
    with pytest.raises(InboxConflict, match="changed by kim"):  # a stale version, as before
        _begin(ws, version=0, actor="lee")
    assert len(sends(ws.store, "twitter", "c1")) == 1


def test_unconfirmed_then_retried_with_the_same_key_then_confirmed(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    assign(ws.store, "twitter", "c1", "kim", version=0, actor="kim")
    send = _begin(ws, version=1)
    with pytest.raises(InboxConflict, match="being sent right now"):  # the first attempt may yet succeed
        begin_retry(ws.store, "twitter", "c1", version=2, actor="lee")
    view = attempt_unconfirmed(ws.store, send, error="timed out", actor="kim")
    assert view.state.status == "sending" and view.send is not None
    assert (view.send.in_flight, view.send.error) == (False, "timed out")
    with pytest.raises(InboxConflict):
        begin_retry(ws.store, "twitter", "c1", version=1, actor="lee")  # stale
    again = begin_retry(ws.store, "twitter", "c1", version=2, actor="lee")
    assert (again.send_key, again.attempts, again.in_flight, again.error) == (send.send_key, 2, True, None)
    done = send_confirmed(ws.store, again, actor="lee", reply_post_id="900", reply_url="https://x.example/900")
    assert (done.status, done.assignee) == ("sent", "kim")
    [kept] = sends(ws.store, "twitter", "c1")
    assert (kept.status, kept.reply_post_id, kept.attempts, kept.finished_by) == ("sent", "900", 2, "lee")
    with pytest.raises(InboxConflict, match="no reply being sent"):
        begin_retry(ws.store, "twitter", "c1", version=done.version, actor="lee")
    actions = [a for (a,) in ws.store.execute("SELECT action FROM audit_log ORDER BY audit_id")]
    assert actions == ["inbox.assign", "inbox.send", "inbox.send_unconfirmed", "inbox.send_retry", "inbox.sent"]


def test_a_refused_send_puts_the_item_back_as_it_was(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    assign(ws.store, "twitter", "c1", "lee", version=0, actor="kim")
    send = _begin(ws, version=1)
    back = send_refused(ws.store, send, error="422 text too long", actor="kim")
    assert (back.status, back.assignee) == ("assigned", "lee")
    [failed] = sends(ws.store, "twitter", "c1")
    assert (failed.status, failed.error) == ("failed", "422 text too long")
    assert _begin(ws, version=back.version).status == "sending"  # a new reply may go out


def test_an_agent_settles_a_send_sent_or_not_sent(make_workspace: Any) -> None:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    first = _begin(ws, "c1")
    attempt_unconfirmed(ws.store, first, error="connection dropped", actor="kim")
    with pytest.raises(InboxConflict):
        resolve_send(ws.store, "twitter", "c1", sent=False, version=0, actor="lee")  # stale
    reopened = resolve_send(ws.store, "twitter", "c1", sent=False, version=1, actor="lee")
    assert (reopened.status, reopened.assignee) == ("open", None)
    assert sends(ws.store, "twitter", "c1")[0].status == "not_sent"
    second = _begin(ws, "c2")
    found = resolve_send(ws.store, "twitter", "c2", sent=True, version=1, actor="lee", reply_url="https://x.example/7")
    assert found.status == "sent"
    assert (sends(ws.store, "twitter", "c2")[0].status, sends(ws.store, "twitter", "c2")[0].reply_url) == (
        "sent", "https://x.example/7",
    )  # fmt: skip
    # marking sent by hand settles a pending send too
    third = _begin(ws, "q1")
    marked = mark_sent(ws.store, "twitter", "q1", version=1, actor="lee", reply_post_id="901")
    assert marked.status == "sent" and sends(ws.store, "twitter", "q1")[0].reply_post_id == "901"
    assert {s.send_key for s in (first, second, third)} == {
        s.send_key for p in ("c1", "c2", "q1") for s in sends(ws.store, "twitter", p)
    }
    assert stored_states(ws.store)[("twitter", "q1")].get("send") is None  # nothing pending any more


class _Platform:
    """A platform client that fails the way it is told to."""

    def __init__(self, failure: Exception) -> None:
        self.failure = failure
        self.keys: list[str] = []

    def reply(self, platform_post_id: str, text: str, *, idempotency_key: str) -> Any:
        self.keys.append(idempotency_key)
        raise self.failure


def _connected(make_workspace: Any) -> Any:
    ws = make_workspace(CONFIG, POSTS, LABELS)
    connections.add_account(
        ws.store, name="AcmeHelp", platform="twitter", handle="AcmeHelp", server="https://x.example",
        credential_key="twitter:AcmeHelp",
    )  # fmt: skip
    return ws


def test_the_workspace_steps_leave_an_unexpected_failure_sending_and_put_a_refusal_back(make_workspace: Any) -> None:
    ws = _connected(make_workspace)
    pending = ws.begin_reply("twitter:c1", TEXT, actor="kim", version=0)
    broken = _Platform(RuntimeError("socket closed mid-write"))
    with pytest.raises(ReplyPending, match="stays sending") as unconfirmed:
        ws.finish_reply(pending, pending.deliver(connector=broken))
    assert unconfirmed.value.current.state.status == "sending"
    assert "RuntimeError: socket closed mid-write" in (unconfirmed.value.current.send.error or "")
    retry = ws.retry_reply("twitter", "c1", actor="lee", version=1)
    refusing = _Platform(ConnectorError("422 text too long", kind="bad_request", status=422))
    with pytest.raises(ConnectorError, match="422"):
        ws.finish_reply(retry, retry.deliver(connector=refusing))
    assert broken.keys == refusing.keys == [pending.send.send_key]  # one key for every attempt
    item = item_state(ws.store, "twitter", "c1")
    assert item is not None and (item.status, item.assignee) == ("open", None)
    assert [(s.status, s.attempts) for s in sends(ws.store, "twitter", "c1")] == [("failed", 2)]
