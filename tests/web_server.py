"""The web tests' workspace, users and server handle, shared by tests/web/conftest.py's ``server`` fixture and
the web test modules (``from web_server import PASSWORDS, Server``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from postgres_server import free_port

__all__ = ["CONFIG", "LABELS", "PASSWORDS", "POSTS", "Server", "free_port"]

CONFIG = """brand = "Acme"
[[accounts]]
platform = "twitter"
handle = "AcmeHelp"
"""
HEAD = "platform,post_id,author_id,author_handle,author_followers,created_at,text,in_reply_to_post_id\n"
POSTS = HEAD + (
    "twitter,c1,u2,bo,10,2026-03-02T11:00:00Z,@AcmeHelp my parcel is lost,\n"
    'twitter,x1,u9,<b>eve</b>,10,2026-03-02T11:30:00Z,"@AcmeHelp <script>window.__pwned=1</script> broken again",\n'
    "twitter,q1,u1,ana,10,2026-03-02T10:00:00Z,@AcmeHelp do you ship to Spain?,\n"
    "twitter,a1,u7,fi,10,2026-03-02T07:00:00Z,@AcmeHelp refund missing,\n"
    "twitter,r1,h,AcmeHelp,9000,2026-03-02T07:30:00Z,@fi sorry - checking,a1\n"
    "twitter,a2,u7,fi,10,2026-03-02T08:30:00Z,@AcmeHelp still nothing!,r1\n"
)
LABELS = {
    "c1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "x1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "q1": {"sentiment": "neutral", "intent": "question", "needs_reply": True},
    "a1": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
    "a2": {"sentiment": "negative", "intent": "complaint", "needs_reply": True},
}
PASSWORDS = {"root": "root-password-123", "kim": "kim-password-123", "val": "val-password-123"}


@dataclass
class Server:
    url: str
    workspace: Path
    root_token: str  # an API token of the admin, made before the server started (the CLI's way)
    database: str | None = None  # the PostgreSQL URL the workspace's data is in; None: the embedded file
