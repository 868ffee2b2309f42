"""Who is asking: cookie sessions (browser, with CSRF) and bearer tokens (API); roles.

Every route declares its roles with ``require(...)``; ``ROUTE_ROLES`` collects them so a test
can walk the whole matrix of roles × endpoints.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from hotline.web.errors import CsrfRejected, Forbidden, NotAuthenticated
from hotline.web.ports import Session
from hotline.web.security import CSRF_HEADER, SESSION_COOKIE, same, token_hash
from hotline.web.services import Services

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def authenticate(request: Request, svc: Services) -> Session:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = svc.accounts.session(token_hash(header[7:].strip()), svc.now())
        if found is None or found.kind != "api":
            raise NotAuthenticated("unknown or expired API token")
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticated()
    found = svc.accounts.session(token_hash(cookie), svc.now())
    if found is None or found.kind != "session":
        raise NotAuthenticated("session expired; log in again")
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or found.csrf is None or not same(sent, found.csrf):
            raise CsrfRejected()
    return found


def require(*roles: str) -> Any:
    """A dependency that lets in the given roles only (403 for the others, 401 for nobody)."""

    async def dependency(request: Request) -> Session:
        svc: Services = request.app.state.services
        session = authenticate(request, svc)
        if session.user.role not in roles:
            raise Forbidden(session.user.role, roles)
        return session

    dependency.roles = roles  # type: ignore[attr-defined]
    return Depends(dependency)


def route_roles(route: Any) -> tuple[str, ...] | None:
    """The roles a route lets in (None: public)."""
    dependant = getattr(route, "dependant", None)
    for dep in dependant.dependencies if dependant is not None else ():
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            return tuple(roles)
    return None
