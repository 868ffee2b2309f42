"""The admin page: one HTML shell; ``static/admin.js`` fills it from ``/api/v1/admin``.

The page is public (it holds no data) and extends the other pages' ``base.html`` (top bar,
banner, ``/static/css/hotline.css``); the API decides who may read (supervisors, admins) and who
may change (admins). The script sends people without a session to the login page and shows
supervisors the forms read-only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from hotline.core.channels import Channel
from hotline.core.definitions import Fallback, Ordering, Selection
from hotline.web.api_users import MIN_PASSWORD
from hotline.web.ports import ROLES

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

admin_router = APIRouter(tags=["pages"], include_in_schema=False)


def admin_config() -> dict[str, Any]:
    """The choices the forms offer, from the engine's own enums (read by ``pageConfig()``)."""
    return {"page": "admin", "channels": [c.value for c in Channel],
            "orderings": [o.value for o in Ordering], "selections": [s.value for s in Selection],
            "fallbacks": [f.value for f in Fallback], "roles": list(ROLES),
            "min_password": MIN_PASSWORD}


@admin_router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(
        request, "admin.html",
        {"title": "Administration", "page": "admin", "config": admin_config()},
        headers={"Cache-Control": "no-store"})
