"""The draft checker: a post or reply against the five rules of engagement (DESIGN.md).

    from groundswell.lint import check_draft, describe_post

    check = check_draft("@sam Sorry about that! DM us your order number. ^JD",
                        reply_to=describe_post("@acme my order never came"))
    check.verdict                      # "pass", "warn" or "fail": the worst finding
    [f.as_dict() for f in check.findings]   # rule, name, level, message, evidence, suggestion

``check_draft`` is pure and fast (word lists, no model); building a
``ReplyContext`` from a text or a workspace post may load the fast models once.
"""

from groundswell.lint.check import check_draft
from groundswell.lint.context import describe_post, describe_posts, find_post, parse_post_ref, reply_context
from groundswell.lint.records import LEVELS, RULE_NAMES, DraftCheck, Finding, Level, ReplyContext

__all__ = [
    "LEVELS",
    "RULE_NAMES",
    "DraftCheck",
    "Finding",
    "Level",
    "ReplyContext",
    "check_draft",
    "describe_post",
    "describe_posts",
    "find_post",
    "parse_post_ref",
    "reply_context",
]
