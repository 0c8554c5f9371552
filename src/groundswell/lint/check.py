"""``check_draft``: a draft post or reply against the five rules of engagement.

Pure Python over word lists and regular expressions: no model, no database,
no side effects, so the web inbox can call it on every keystroke.
"""

from __future__ import annotations

from groundswell.lint.draft import read_draft
from groundswell.lint.records import DraftCheck, ReplyContext
from groundswell.lint.rules import RULES


def check_draft(text: str, *, reply_to: ReplyContext | None = None) -> DraftCheck:
    """One finding per rule (1-5) for ``text``; ``reply_to`` is the post it answers, if any.

    Without ``reply_to`` the rules that depend on what is being answered
    (thanks for feedback, owning a complaint) pass, and a draft that starts
    with ``@someone`` is still checked as a reply where it can be.
    """
    draft = read_draft(text)
    return DraftCheck(text=text, findings=tuple(rule(draft, reply_to) for rule in RULES), reply_to=reply_to)
