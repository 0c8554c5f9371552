"""The engagement team's inbox: who is waiting for an answer, who owns it, what was sent, whether it helped.

``queue.inbox`` lists the waiting conversations, most urgent first (never by follower count);
``actions`` changes an item (assign, mark sent, record the outcome) with a version check so two agents
never overwrite each other, records label corrections, and writes the audit log; ``sends`` records a reply
sent through a connected account before and after the platform is called (the ``sending`` state).
"""

from __future__ import annotations

from groundswell.inbox.actions import (
    LABEL_VALUES,
    OUTCOMES,
    InboxConflict,
    ItemState,
    assign,
    correct_label,
    corrections,
    export_corrections,
    item_state,
    mark_outcome,
    mark_sent,
)
from groundswell.inbox.queue import STATUSES, WAITING, InboxItem, InboxPage, inbox
from groundswell.inbox.sends import ItemView, ReplyPending, ReplySend

__all__ = [
    "LABEL_VALUES",
    "OUTCOMES",
    "STATUSES",
    "WAITING",
    "InboxConflict",
    "InboxItem",
    "InboxPage",
    "ItemState",
    "ItemView",
    "ReplyPending",
    "ReplySend",
    "assign",
    "correct_label",
    "corrections",
    "export_corrections",
    "inbox",
    "item_state",
    "mark_outcome",
    "mark_sent",
]
