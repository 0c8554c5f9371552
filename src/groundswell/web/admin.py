"""The admin pages: users, the workspace config, imports, models. Admins only (``users.manage``,
``config.change``, ``imports.create``, ``models.train``); every other role gets 403 on the pages and on their
forms.

Every change goes through the library (``groundswell.accounts``, ``groundswell.config``, the import path the
API uses) and is in the audit log. Forms carry the session's CSRF token.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from groundswell.accounts import (
    ROLES,
    AccountError,
)
from groundswell.errors import ConfigError, UsageError
from groundswell.web.auth import app_state, authorize, authorize_before_body
from groundswell.web.templating import render

router = APIRouter(prefix="/admin")

REJECTS_SHOWN = 200
CONFIG_CHANGES = ("posts", "marks", "inbox")
"""What a config change stales: brand accounts, campaigns, rules and targets change every figure and the inbox."""


def _back(path: str, message: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?msg={quote(message)}", status_code=303)


@router.get("", include_in_schema=False)
def admin_home(request: Request) -> Response:
    authorize(request, "users.manage")
    return RedirectResponse("/admin/users", status_code=303)


# -- users ------------------------------------------------------------------------------------


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, msg: str | None = None) -> HTMLResponse:
    who = authorize(request, "users.manage")
    with app_state(request).db() as ws:
        users = ws.accounts.list_users()
    return render(request, "admin_users.html.j2", who, users=users, roles=ROLES, message=msg, section="users")


@router.post("/users")
def add_user_form(
    request: Request, name: str = Form(...), role: str = Form(...), password: str = Form(...),
    csrf_token: str = Form(""),
) -> Response:  # fmt: skip
    who = authorize(request, "users.manage", form_token=csrf_token)
    try:
        with app_state(request).writing() as ws:
            user = ws.accounts.add_user(name.strip(), role, password, actor=who.user.name)
    except (AccountError, UsageError) as exc:
        return _back("/admin/users", f"not added: {exc}")
    return _back("/admin/users", f"added {user.name} ({user.role})")


@router.post("/users/{name}/role")
def role_form(request: Request, name: str, role: str = Form(...), csrf_token: str = Form("")) -> Response:
    who = authorize(request, "users.manage", form_token=csrf_token)
    state = app_state(request)
    try:
        with state.writing() as ws:
            user = ws.accounts.set_role(name, role, actor=who.user.name)
    except (AccountError, UsageError) as exc:
        return _back("/admin/users", f"role not changed: {exc}")
    state.forget_callers()  # the user's next request is checked with the new role
    return _back("/admin/users", f"{user.name} is now {user.role}")


@router.post("/users/{name}/disable")
def disable_form(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    who = authorize(request, "users.manage", form_token=csrf_token)
    state = app_state(request)
    try:
        with state.writing() as ws:
            user = ws.accounts.disable_user(name, actor=who.user.name)
    except (AccountError, UsageError) as exc:
        return _back("/admin/users", f"not disabled: {exc}")
    state.forget_callers()  # sessions and tokens of the user are refused from now on
    return _back("/admin/users", f"disabled {user.name}")


@router.post("/users/{name}/enable")
def enable_form(request: Request, name: str, csrf_token: str = Form("")) -> Response:
    who = authorize(request, "users.manage", form_token=csrf_token)
    state = app_state(request)
    try:
        with state.writing() as ws:
            user = ws.accounts.enable_user(name, actor=who.user.name)
    except (AccountError, UsageError) as exc:
        return _back("/admin/users", f"not enabled: {exc}")
    state.forget_callers()
    return _back("/admin/users", f"enabled {user.name}")


# -- config -----------------------------------------------------------------------------------


@router.get("/config", response_class=HTMLResponse)
def config_page(request: Request, msg: str | None = None) -> HTMLResponse:
    who = authorize(request, "config.change")
    path = app_state(request).workspace.config_path
    return render(
        request, "admin_config.html.j2", who, text=path.read_text(encoding="utf-8"), path=path.name, error=None,
        message=msg, section="config",
    )  # fmt: skip


@router.post("/config", response_class=HTMLResponse)
def config_form(request: Request, text: str = Form(...), csrf_token: str = Form("")) -> Response:
    """Validate the new text with the config loader; write it (atomically) only when it loads. An invalid
    config answers 400 with the loader's message (line and field) and the text as given, and writes nothing."""
    who = authorize(request, "config.change", form_token=csrf_token)
    state = app_state(request)
    text = text.replace("\r\n", "\n")
    path = state.workspace.config_path
    try:
        with state.writing(*CONFIG_CHANGES) as ws:
            changed = ws.replace_config(text, actor=who.user.name)
    except ConfigError as exc:
        return render(
            request, "admin_config.html.j2", who, status_code=400, text=text, path=path.name, error=exc,
            message=None, section="config",
        )  # fmt: skip
    return _back("/admin/config", f"saved {path.name}" if changed else "no change")


# -- imports ----------------------------------------------------------------------------------


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, import_id: int | None = None, msg: str | None = None) -> HTMLResponse:
    who = authorize(request, "imports.create")
    with app_state(request).db() as ws:
        imports = list(reversed(ws.imports()))
        rejects = ws.rejects(import_id=import_id, limit=REJECTS_SHOWN) if import_id is not None else []
    return render(
        request, "admin_imports.html.j2", who, imports=imports, rejects=rejects, import_id=import_id, message=msg,
        shown=REJECTS_SHOWN, section="imports",
    )  # fmt: skip


@router.post("/imports", include_in_schema=False)
async def import_form(request: Request) -> Response:
    """The upload form (multipart: ``file``, ``format``, ``csrf_token``): the caller's role is checked before the
    body is read, the CSRF token once it is."""
    from groundswell.web.api import import_upload

    who = await authorize_before_body(request, "imports.create")
    found = await import_upload(request, who, None, form=True)
    if found["error"]:
        return _back("/admin/imports", f"{found['file']}: {found['error']}")
    return _back(
        "/admin/imports",
        f"{found['file']} ({found['format']}): read {found['read']}, imported {found['imported']}, "
        f"duplicates {found['duplicates']}, rejected {found['rejected']}",
    )


# -- models -----------------------------------------------------------------------------------

MODEL_TASKS = ("all", "sentiment", "complaint", "subject")


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request, msg: str | None = None) -> HTMLResponse:
    who = authorize(request, "models.train")
    with app_state(request).db() as ws:
        counts = ws.correction_counts()
        trained = ws.trained_models()
    return render(
        request, "admin_models.html.j2", who, counts=counts, trained=trained, tasks=MODEL_TASKS, message=msg,
        section="models",
    )  # fmt: skip


@router.post("/models")
def train_form(request: Request, task: str = Form("all"), csrf_token: str = Form("")) -> Response:
    """Adapt the fast tier to the corrections (``Workspace.train_from_corrections``); the page says what was
    written, or why nothing was. Enrichment keeps its model until someone runs it with ``--model workspace``."""
    who = authorize(request, "models.train", form_token=csrf_token)
    if task not in MODEL_TASKS:
        return _back("/admin/models", f"not trained: no task {task!r}")
    try:
        with app_state(request).writing() as ws:
            trained = ws.train_from_corrections(None if task == "all" else [task], actor=who.user.name)
    except UsageError as exc:
        return _back("/admin/models", f"not trained: {exc}")
    return _back("/admin/models", f"trained {trained.out.name}")
