"""The report's glossary: each figure's definition in DESIGN.md's words ("Metric definitions", "Fine print")."""

from __future__ import annotations

GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Inbound",
        "A post by a non-brand account that mentions a brand account or replies into a brand conversation.",
    ),
    (
        "Response rate",
        (
            "Share of inbound posts that need a reply (needs_reply: questions, complaints, requests; not chit-chat) "
            "which got a brand reply within the window (default 24 h)."
        ),
    ),
    (
        "First response time",
        (
            "From a thread's first inbound post to the first brand reply in that thread. Report median and 90th "
            "percentile; never the mean alone. Replies sent by automation do not count as a brand reply; a thread "
            "that goes quiet for 24 h and starts again counts as a new thread; a thread the brand starts has no "
            "response time."
        ),
    ),
    (
        "Did we help?",
        (
            "A replied thread is helped when an agent marked it so, or the customer's last post after the brand's "
            "reply is positive or thanks the brand; not helped when that last post is negative or repeats the "
            "complaint; unknown when the customer went silent. Help rate = helped / (helped + not helped); always "
            "shown with its coverage = (helped + not helped) / replied."
        ),
    ),
    (
        "Sentiment lift",
        (
            "Mean customer sentiment at the end of replied threads minus at their start, beside the same for "
            "unreplied threads."
        ),
    ),
    (
        "Experience share",
        "Share of customer posts whose subject is the product or service experience.",
    ),
    (
        "Marketing-buzz share",
        "Share of customer posts about the marketing itself.",
    ),
    (
        "Net sentiment",
        "(positive − negative) / all posts, not / (positive + negative) as some vendors use.",
    ),
    (
        "Conversation ratio",
        "Brand replies to people / all brand posts (the rest is broadcast).",
    ),
    (
        "Participation",
        (
            "Among accounts that posted about the brand, the share of posts from the top 1% and top 10% of "
            "authors, the Gini coefficient of posts per author, and, given an audience size (followers), the "
            "lurker / contributor / creator split against the 90-9-1 rule."
        ),
    ),
    (
        "Groundswell",
        "Customer-to-customer replies inside brand conversations.",
    ),
    (
        "Relationships",
        (
            "Returning customers (active in two or more months), friends (two or more positive interactions), "
            "cohort retention by month."
        ),
    ),
    (
        "Per-denominator figures",
        "Any count divided by a business denominator (fans per store, complaints per 1,000 orders).",
    ),
    (
        "Fairness of response",
        (
            "Response rate and first response time by the customer's follower band (under 100, 100-1k, 1k-10k, "
            "over 10k), because brands are known to answer well-followed complainers more and faster."
        ),
    ),
    (
        "Spikes",
        (
            "Unusual surges of mentions, each labelled campaign-driven or organic by what its posts are about, "
            "with the posts that drove it."
        ),
    ),
    (
        "Goal attainment",
        "Each business goal's KPIs against their targets.",
    ),
    (
        "Scorecard",
        (
            "A social media index (experience share and sentiment, response rate and time, help rate, "
            "conversation ratio, relationships) and a social media marketing index (buzz volume, engagement on "
            "broadcast posts, follower growth), each 0-100 with its components and weights shown, placed on a "
            "quadrant: high both, marketing only, social only, neither."
        ),
    ),
)
