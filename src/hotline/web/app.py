"""The FastAPI application: REST under /api/v1, the live stream, pages and static assets.

``create_app(build)`` calls ``build()`` when the server starts (inside the event loop, so the
asyncio clock can arm the timers that the replayed log asks for) and ``services.close()`` when
it stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hotline.core.errors import CoreError
from hotline.web import (
    api_admin,
    api_agent,
    api_approvals,
    api_auth,
    api_hours,
    api_settings,
    api_supervisor,
    api_transactions,
    api_users,
    pages,
    pages_admin,
    stream,
)
from hotline.web.collector import hold_survivors, release_survivors
from hotline.web.errors import ApiError
from hotline.web.services import Services, core_error


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def create_app(build: Callable[[], Services], *, close: Callable[[Services], None] | None = None
               ) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build()
        app.state.services = services
        sweeper = asyncio.create_task(hold_survivors())
        try:
            yield
        finally:
            sweeper.cancel()
            release_survivors()
            if close is not None:
                close(services)
            services.centre.close()

    app = FastAPI(title="Hotline", version="0.1.0", lifespan=lifespan,
                  description="Contact-centre platform: routing, agent desktop, wallboard.")

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        headers = {"Retry-After": str(exc.details["retry_after_s"])} \
            if "retry_after_s" in exc.details else None
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(CoreError)
    async def engine_error(request: Request, exc: CoreError) -> JSONResponse:
        err = core_error(exc)
        return JSONResponse(err.body(), status_code=err.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(tuple(e.get("loc", ()))), "reason": e.get("msg", "invalid")}
                  for e in exc.errors()]
        first = errors[0] if errors else {"field": "body", "reason": "invalid"}
        return JSONResponse({"error_id": "invalid", "message": f"{first['field']}: "
                             f"{first['reason']}", "details": {"field": first["field"],
                                                               "errors": errors}},
                            status_code=422)

    for module in (api_auth, api_agent, api_supervisor, api_admin, api_settings, api_hours,
                   api_users, api_transactions, api_approvals, stream):
        app.include_router(module.router)
    app.include_router(pages_admin.admin_router)
    pages.mount(app)
    return app
