"""The accounts of one workspace (``Workspace.accounts``): the package's verbs with the workspace's store bound,
so the web app and the CLI manage users, sessions, tokens and the audit log without touching the store."""

from __future__ import annotations

from groundswell.accounts import audit, bootstrap, sessions, tokens, users
from groundswell.store.base import Store
from groundswell.store.binding import store_bound


class Accounts:
    """Users, sessions, API tokens and the audit log of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    add_user = store_bound(users.add_user)
    get_user = store_bound(users.get_user)
    find_user = store_bound(users.find_user)
    list_users = store_bound(users.list_users)
    has_users = store_bound(users.has_users)
    set_role = store_bound(users.set_role)
    set_password = store_bound(users.set_password)
    disable_user = store_bound(users.disable_user)
    enable_user = store_bound(users.enable_user)
    authenticate = store_bound(users.authenticate)
    create_first_admin = store_bound(bootstrap.create_first_admin)

    create_session = store_bound(sessions.create_session)
    session_user = store_bound(sessions.session_user)
    end_session = store_bound(sessions.end_session)

    create_token = store_bound(tokens.create_token)
    token_user = store_bound(tokens.token_user)
    list_tokens = store_bound(tokens.list_tokens)
    revoke_token = store_bound(tokens.revoke_token)

    record = store_bound(audit.record)
    audit_entries = store_bound(audit.entries)
    export_audit = store_bound(audit.export_csv)
