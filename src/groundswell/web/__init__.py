"""The web app: dashboard, report, engagement inbox and the REST API, over one workspace.

``create_app(path)`` builds the FastAPI application; ``groundswell serve`` runs it with uvicorn. Library
first: every page and endpoint calls the same functions as the CLI (metrics, report, inbox, accounts), and
every ``GroundswellError`` becomes, in one place here, a JSON error for the API or a page for a person.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from groundswell._version import __version__
from groundswell.accounts import CsrfRejected, Forbidden
from groundswell.errors import GroundswellError, StoreError, driver_errors
from groundswell.inbox import InboxConflict
from groundswell.web import api, api_alerts, pages
from groundswell.web.auth import NotSignedIn
from groundswell.web.headers import DOCS_PATH, SecurityHeaders
from groundswell.web.refusals import audit_refusal
from groundswell.web.state import AppState
from groundswell.web.uploads import DEFAULT_MAX_UPLOAD_MB

log = logging.getLogger(__name__)


def create_app(
    workspace: Path,
    *,
    secure_cookies: bool = False,
    database: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1_000_000,
    watch: bool = False,
) -> FastAPI:
    """The app over the workspace at ``workspace`` (opened now, closed when the app shuts down), its data in
    ``database``: a PostgreSQL URL for a team (default ``$GROUNDSWELL_DATABASE``; unset: the embedded file).
    ``max_upload_bytes``: the largest import upload's request body (larger: 413). ``watch``: run the watch
    loop in a background thread while the app runs (``web.watching``)."""
    state = AppState.open(workspace, secure_cookies=secure_cookies, database=database)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from groundswell.web.watching import BackgroundWatch

        background = BackgroundWatch(state) if watch else None
        if background is not None:
            background.start()
        yield
        if background is not None:
            background.stop()
        state.close()

    app = FastAPI(
        title="groundswell",
        version=__version__,
        description="Does a brand succeed at social media, or only at social media marketing?",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from the app's own files, under the page's CSP (no CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.groundswell = state
    app.state.max_upload_bytes = max_upload_bytes
    app.include_router(api.router)
    app.include_router(api_alerts.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    app.mount(f"{DOCS_PATH}/assets", StaticFiles(directory=_swagger_ui_files()), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_PAGE)

    app.add_middleware(SecurityHeaders, hsts=secure_cookies)

    @app.exception_handler(GroundswellError)
    async def on_error(request: Request, exc: GroundswellError) -> Response:
        status = exc.http_status
        if isinstance(exc, (Forbidden, CsrfRejected)):
            await run_in_threadpool(audit_refusal, state, request, exc)
        message = _public(str(exc), state.workspace.path)
        if request.url.path.startswith("/api/"):
            body: dict[str, Any] = {"error": type(exc).__name__, "message": message}
            current = getattr(exc, "current", None)
            if current is not None:
                body["current"] = current.as_dict()
            headers = {"Retry-After": "60"} if status == 429 else None
            return JSONResponse(body, status_code=status, headers=headers)
        if isinstance(exc, NotSignedIn):
            return RedirectResponse("/login?msg=Sign+in+first", status_code=303)
        if isinstance(exc, InboxConflict) and request.method == "POST":
            back = request.url.path.rsplit("/", 1)[0]
            return RedirectResponse(f"{back}?msg=" + _quote(str(exc)), status_code=303)
        return pages.templates.TemplateResponse(
            request,
            "error.html.j2",
            {"user": None, "csrf_token": None, "status": status, "title": _title(status), "detail": message},
            status_code=status,
        )

    async def on_driver_error(request: Request, exc: Exception) -> Response:
        # a database failure no library code named: a StoreError (503), its detail in the log, not in the answer
        log.error("the database failed a request to %s", request.url.path, exc_info=exc)
        failed = StoreError(f"the database failed ({type(exc).__name__}); try again, or see the server's log")
        return await on_error(request, failed)

    for kind in driver_errors():
        app.add_exception_handler(kind, on_driver_error)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "ValidationError", "message": "invalid request", "detail": exc.errors()},
                                status_code=422)  # fmt: skip
        return HTMLResponse("invalid request", status_code=422)

    return app


def _swagger_ui_files() -> str:
    """Swagger UI's script and styles as the ``fastapi-offline`` package ships them (a current Swagger UI)."""
    import fastapi_offline

    return str(Path(fastapi_offline.__file__).parent / "static")


_DOCS_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>groundswell API</title>
<link rel="stylesheet" href="{DOCS_PATH}/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{DOCS_PATH}/assets/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""


def _public(message: str, workspace: Path) -> str:
    """An error's message as answered: paths within the workspace as the workspace names them (never the
    server's own folders), and bytes that are no text (an uploaded file's, quoted back) replaced."""
    for folder in {str(workspace), str(workspace.resolve())}:
        message = message.replace(folder + "/", "")
    return message.encode("utf-8", "replace").decode("utf-8")


def _title(status: int) -> str:
    return {
        401: "Sign in first",
        403: "Not allowed",
        413: "Too large",
        404: "Not found",
        409: "Changed meanwhile",
        429: "Too many attempts",
        503: "The database is not answering",
    }.get(status, "That did not work")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


__all__ = ["create_app"]
