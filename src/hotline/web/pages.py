"""The browser pages (login, agent desktop, supervisor wallboard) and their static files.

Pages are shells: the data comes from the API and the live stream, so a page loads without a
session and its script sends the browser to ``/login`` when the API answers 401. What a page
needs before its first API call (reason codes, queue names) is rendered into it as JSON.

``mount(app)`` adds the routes, ``/static`` (our files) and ``/static/vendor`` (the npm files
that ``frontend/build.sh`` copies; until it has run they answer 404 and the wallboard says
that its chart is missing).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.routing import Router

from hotline.web.deps import authenticate
from hotline.web.errors import ApiError
from hotline.web.services import Services

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


def _services(request: Request) -> Services | None:
    svc: Services | None = getattr(request.app.state, "services", None)
    return svc


def _queues(request: Request, svc: Services | None) -> list[str]:
    """Queue names for the transfer list, for a logged-in user only (no session: none)."""
    if svc is None:
        return []
    try:
        authenticate(request, svc)
    except ApiError:
        return []
    return sorted(svc.centre.engine.shared_queues)


def page_config(request: Request, page: str) -> dict[str, Any]:
    """What the page's script reads from ``<script id="config">`` before it calls the API."""
    svc = _services(request)
    reasons = svc.reasons if svc is not None else ()
    return {"page": page, "reasons": [{"code": c, "label": lbl} for c, lbl in reasons],
            "queues": _queues(request, svc) if page == "desktop" else []}


def _page(request: Request, name: str, page: str, title: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"config": page_config(request, page), "title": title, "page": page},
        headers={"Cache-Control": "no-store"})


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/login", status_code=303)


# Async handlers: they read the engine, which only the event loop may touch.
@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html", "login", "Sign in")


@router.get("/desktop", response_class=HTMLResponse)
async def desktop_page(request: Request) -> HTMLResponse:
    return _page(request, "desktop.html", "desktop", "Agent desktop")


@router.get("/wallboard", response_class=HTMLResponse)
async def wallboard_page(request: Request) -> HTMLResponse:
    return _page(request, "wallboard.html", "wallboard", "Wallboard")


def mount(app: FastAPI, *, vendor_dir: Path | None = None) -> None:
    """Serve the pages, ``/static/vendor`` (npm files) and ``/static`` (ours) from ``app``."""
    app.include_router(router)
    vendor = vendor_dir or VENDOR_DIR
    # Mounted first, as the first matching mount wins and /static would match these paths too.
    if vendor.is_dir():
        app.mount("/static/vendor", StaticFiles(directory=vendor), name="vendor")
    else:
        log.warning("no %s: run frontend/build.sh (the wallboard draws no chart without it)",
                    vendor)
        app.mount("/static/vendor", Router(), name="vendor")  # no routes: every file is a 404
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
