"""Live connectors: brand accounts on Mastodon and Bluesky, kept in sync and answered from groundswell.

- ``connect_account``: sign in once, keep the secret (``connect.credentials``), register the account in the
  workspace and in groundswell.toml's brand accounts;
- ``connect.sync.sync_account``: fetch what is new and import it like a file (``connect.sync``);
- ``send_reply``: check a draft against the rules of engagement, post it in the right thread, and import
  the sent post so the response metrics see it at once; as three steps (``prepare_reply``, ``deliver_reply``
  with an idempotency key and no store, ``record_reply``) for ``Workspace.reply``, which records the intent
  before the platform is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from groundswell.config import CONFIG_FILENAME, load_config, normalize_handle
from groundswell.connect import credentials
from groundswell.connect.base import (
    AccountRef,
    ConnectorError,
    Page,
    SentPost,
    WorkspaceParts,
    new_idempotency_key,
)
from groundswell.connect.registry import PLATFORMS, account_ref, connector_for, open_connector
from groundswell.errors import GroundswellError, UsageError
from groundswell.store import connections
from groundswell.store.connections import ConnectedAccount


class DraftRefused(GroundswellError):
    """The draft checker failed the reply and ``force`` was not given: nothing was sent."""

    http_status = 422

    def __init__(self, message: str, check: Any):
        self.check = check
        super().__init__(message)


def account_name(platform: str, handle: str, server: str) -> str:
    """How an account is named: ``user@host`` on Mastodon, the handle on Bluesky."""
    handle = handle.lstrip("@")
    if platform == "mastodon" and "@" not in handle:
        return f"{handle}@{urlsplit(server).hostname or server}"
    return handle


def connect_account(
    workspace: WorkspaceParts,
    platform: str,
    *,
    server: str,
    secret: str,
    handle: str | None = None,
    connector: Any = None,
) -> ConnectedAccount:
    """Sign in to ``platform`` at ``server`` with ``secret``, keep the secret, register the account.

    The platform says whose account the secret opens (``verify``); that handle is added to groundswell.toml's
    brand accounts when it is not there yet, so the brand's posts count as the brand's.
    """
    if platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}: one of {', '.join(PLATFORMS)}")
    provisional = AccountRef(
        name=handle or platform, platform=platform, handle=handle or "", server=server, credential_key=""
    )
    client = connector if connector is not None else connector_for(provisional, secret)
    verified = client.verify()
    name = account_name(platform, verified, server)
    key = f"{platform}:{name}"
    credentials.store_secret(key, secret)
    connections.add_account(
        workspace.store, name=name, platform=platform, handle=verified, server=server, credential_key=key
    )
    _add_brand_account(workspace, platform, verified if platform != "mastodon" else name)
    return connections.account(workspace.store, name)


def _add_brand_account(workspace: WorkspaceParts, platform: str, handle: str) -> None:
    """Append the account to groundswell.toml's [[accounts]] unless it is there; reload the config."""
    known = workspace.config.brand_handles().get(platform, frozenset())
    if normalize_handle(handle) in known:
        return
    path = workspace.path / CONFIG_FILENAME
    text = path.read_text(encoding="utf-8")
    addition = (
        f'\n# added by `groundswell connect {platform}`\n[[accounts]]\nplatform = "{platform}"\nhandle = "{handle}"\n'
    )
    path.write_text(text.rstrip("\n") + "\n" + addition, encoding="utf-8")
    workspace.config = load_config(path)


@dataclass(frozen=True)
class ReplyResult:
    """A sent reply: the platform's id and link for it, the checker's verdict, and its import."""

    account: str
    post_id: str
    url: str | None
    verdict: str
    forced: bool
    imported: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "post_id": self.post_id,
            "url": self.url,
            "verdict": self.verdict,
            "forced": self.forced,
            "imported": self.imported,
        }


@dataclass(frozen=True)
class PreparedReply:
    """A reply checked and ready to go: the stored post it answers, the account it goes from, the verdict."""

    platform: str
    post_id: str
    text: str
    account: ConnectedAccount
    verdict: str
    forced: bool  # sent although the checker failed it


@dataclass(frozen=True)
class Delivery:
    """What the platform answered one attempt: the sent post, or the error (``error.unconfirmed``: it may be out)."""

    sent: SentPost | None = None
    error: ConnectorError | None = None


def prepare_reply(
    workspace: WorkspaceParts, post_ref: str, text: str, *, account: str | None = None, force: bool = False
) -> PreparedReply:
    """Check ``text`` as a reply to the stored post ``post_ref`` and choose the account it goes from (reads only).

    A ``fail`` verdict raises ``DraftRefused`` unless ``force``.
    """
    from groundswell.lint import check_draft
    from groundswell.lint.context import find_post, reply_context

    post = find_post(workspace, post_ref)
    sender = _sending_account(workspace, post.platform, account)
    check = check_draft(text, reply_to=reply_context(workspace, f"{post.platform}:{post.post_id}"))
    if check.verdict == "fail" and not force:
        failed = "; ".join(f"rule {f.rule} {f.name}: {f.message}" for f in check.findings if f.level == "fail")
        raise DraftRefused(f"the draft checker fails this reply ({failed}); edit it, or send with --force", check)
    return PreparedReply(post.platform, post.post_id, text, sender, check.verdict, force and check.verdict == "fail")


def deliver_reply(prepared: PreparedReply, *, idempotency_key: str, connector: Any = None) -> Delivery:
    """Post the reply through its account with ``idempotency_key``. Touches no store: call it holding nothing."""
    try:
        client = connector if connector is not None else open_connector(prepared.account)
        return Delivery(sent=client.reply(prepared.post_id, prepared.text, idempotency_key=idempotency_key))
    except ConnectorError as exc:
        return Delivery(error=exc)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the reply may be out: recorded, never lost
        failure = ConnectorError(
            f"sending through {prepared.account.name} failed: {type(exc).__name__}: {exc}",
            kind="network", unconfirmed=True,
        )  # fmt: skip
        failure.__cause__ = exc
        return Delivery(error=failure)


def record_reply(workspace: WorkspaceParts, prepared: PreparedReply, sent: SentPost) -> ReplyResult:
    """Keep the sent reply (``sent_replies``) and import it, so the response metrics see it at once."""
    from groundswell.connect.sync import import_page

    connections.record_sent(
        workspace.store, account=prepared.account.name, platform=prepared.platform, in_reply_to=prepared.post_id,
        post_id=sent.post_id, text=prepared.text, verdict=prepared.verdict, forced=prepared.forced,
    )  # fmt: skip
    imported = import_page(workspace, prepared.account, sent.page)
    return ReplyResult(prepared.account.name, sent.post_id, sent.url, prepared.verdict, prepared.forced,
                       imported.imported)  # fmt: skip


def send_reply(
    workspace: WorkspaceParts,
    post_ref: str,
    text: str,
    *,
    account: str | None = None,
    force: bool = False,
    connector: Any = None,
    idempotency_key: str | None = None,
) -> ReplyResult:
    """Check ``text`` as a reply to the stored post ``post_ref``, send it through the account, import it: the
    three steps above in one call, with nothing recorded before the platform answers (``Workspace.reply``
    records the intent first and marks the inbox item).

    A ``fail`` verdict raises ``DraftRefused`` unless ``force``. A send the platform refuses or does not confirm
    raises ``ConnectorError`` and nothing is recorded as sent; ``idempotency_key`` (default: a new one) lets a
    caller retry it without a second post.
    """
    prepared = prepare_reply(workspace, post_ref, text, account=account, force=force)
    key = idempotency_key or new_idempotency_key()
    delivery = deliver_reply(prepared, idempotency_key=key, connector=connector)
    if delivery.sent is None:
        assert delivery.error is not None  # noqa: S101 - an invariant (a delivery is one or the other)
        raise delivery.error
    return record_reply(workspace, prepared, delivery.sent)


def _no_sender(platform: str) -> str:
    """Why nothing can send on ``platform``, naming only commands that exist: a platform without a connector
    (Twitter) is answered there, and the inbox item marked sent."""
    if platform in PLATFORMS:
        return f"no connected {platform} account to reply from: run `groundswell connect {platform}` first"
    return (
        f"groundswell cannot post to {platform} (it connects to {' and '.join(PLATFORMS)}): reply on {platform}"
        " itself, then mark the item sent in the inbox"
    )


def _sending_account(workspace: WorkspaceParts, platform: str, name: str | None) -> ConnectedAccount:
    if name is not None:
        chosen = connections.account(workspace.store, name)
        if chosen.platform != platform:
            raise UsageError(f"{name} is a {chosen.platform} account and the post is on {platform}")
        return chosen
    candidates = [a for a in connections.accounts(workspace.store) if a.platform == platform]
    if not candidates:
        raise UsageError(_no_sender(platform))
    if len(candidates) > 1:
        names = ", ".join(a.name for a in candidates)
        raise UsageError(f"several {platform} accounts could reply ({names}): choose one with --account")
    return candidates[0]


__all__ = [
    "PLATFORMS",
    "AccountRef",
    "ConnectedAccount",
    "ConnectorError",
    "Delivery",
    "DraftRefused",
    "Page",
    "PreparedReply",
    "ReplyResult",
    "SentPost",
    "account_name",
    "account_ref",
    "connect_account",
    "deliver_reply",
    "new_idempotency_key",
    "prepare_reply",
    "record_reply",
    "send_reply",
]
