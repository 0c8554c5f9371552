"""The inbox of one workspace (``Workspace.inbox``): the item actions with the workspace's store bound, so the
web app and the CLI work items without touching the store."""

from __future__ import annotations

from groundswell.inbox import actions
from groundswell.inbox import sends as replies
from groundswell.store.base import Store
from groundswell.store.binding import store_bound


class Inbox:
    """Item states and the actions that change them (version-checked, audited), on one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    item_state = store_bound(actions.item_state)
    stored_states = store_bound(actions.stored_states)
    stored_state_of = store_bound(actions.stored_state_of)
    assign = store_bound(actions.assign)
    mark_sent = store_bound(actions.mark_sent)
    mark_outcome = store_bound(actions.mark_outcome)
    correct_label = store_bound(actions.correct_label)
    corrections = store_bound(actions.corrections)
    export_corrections = store_bound(actions.export_corrections)
    item_view = store_bound(replies.item_view)
    sends = store_bound(replies.sends)
    begin_send = store_bound(replies.begin_send)
    begin_retry = store_bound(replies.begin_retry)
    attempt_unconfirmed = store_bound(replies.attempt_unconfirmed)
    send_refused = store_bound(replies.send_refused)
    send_confirmed = store_bound(replies.send_confirmed)
    resolve_send = store_bound(replies.resolve_send)
