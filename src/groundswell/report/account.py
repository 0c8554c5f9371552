"""One brand account's figures: its rows of the families that can be grouped by account (response, help,
subject, voice), for the dashboard's account filter. The indices stay brand-wide, as DESIGN defines them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from groundswell.config import normalize_handle
from groundswell.errors import MetricUnavailable, UsageError
from groundswell.metrics import conversation_ratio, help_figures, response, subject_shares
from groundswell.metrics.help import HelpFigures
from groundswell.metrics.response import ResponseFigures
from groundswell.metrics.subject import SubjectFigures
from groundswell.metrics.voice import VoiceFigures
from groundswell.query import Sources

Row = TypeVar("Row", ResponseFigures, HelpFigures, SubjectFigures, VoiceFigures)


@dataclass(frozen=True)
class AccountFigures:
    """The account's ``--by account`` rows; None where the family has no row for it. ``notes``: why a family
    could not be computed (e.g. the workspace is not enriched)."""

    account: str
    response: ResponseFigures
    help: HelpFigures | None
    subject: SubjectFigures | None
    voice: VoiceFigures | None
    notes: dict[str, str] = field(default_factory=dict)


def account_figures(sources: Sources, account: str) -> AccountFigures:
    """The figures of the brand account ``account`` (a handle, with or without ``@``, any case) in ``sources``;
    ``UsageError`` when no inbound post addresses it there."""
    answered = _matching(response(sources, by="account"), account)
    if answered is None:
        raise UsageError(f"no brand account {account!r} in this selection")
    notes: dict[str, str] = {}
    try:
        about = _matching(subject_shares(sources, by="account"), account)
    except MetricUnavailable as exc:
        about, notes["subject"] = None, str(exc)
    return AccountFigures(
        account,
        answered,
        _matching(help_figures(sources, by="account"), account),
        about,
        _matching(conversation_ratio(sources, by="account"), account),
        notes,
    )


def _matching(rows: Sequence[Row], account: str) -> Row | None:
    wanted = normalize_handle(account)
    for row in rows:
        if normalize_handle(str(row.group.get("account", ""))) == wanted:
            return row
    return None
