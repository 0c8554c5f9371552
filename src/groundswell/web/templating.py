"""The pages' Jinja2 environment (autoescaping every template: post text is untrusted) and how a page is drawn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from groundswell.formatting import count, hours, interval_of, percent, wait

if TYPE_CHECKING:
    from groundswell.web.auth import Caller

# autoescape every template whatever its file name (Starlette's default only escapes *.html): post text is untrusted
templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
# the figures written as the CLI and the report write them (groundswell.formatting)
templates.env.filters.update(pct=percent, count=count, hours=hours, ci=interval_of, wait=wait)


def render(request: Request, name: str, who: Caller | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template ``name`` for the signed-in ``who`` (the navigation and forms need their role and CSRF token)."""
    return templates.TemplateResponse(
        request,
        name,
        {"user": who.user if who else None, "csrf_token": who.csrf_token if who else None, **context},
        status_code=status_code,
    )
