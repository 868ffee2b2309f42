"""Log in (cookie session for the browser, bearer token for the API), log out, who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from hotline.web.deps import require, services
from hotline.web.errors import BadCredentials, TooManyAttempts
from hotline.web.ports import ROLES, Session, User
from hotline.web.security import SESSION_COOKIE, new_token, token_hash
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1", tags=["auth"])
ANY = ROLES


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def user_json(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "agent_id": user.agent_id}


def check_password(svc: Services, creds: Credentials) -> User:
    """The user, if the password is right; throttled per username."""
    now = svc.now()
    policy = svc.settings.throttle
    if svc.accounts.failures_since(creds.username, now - policy.window_s) >= policy.max_failures:
        raise TooManyAttempts(creds.username, int(policy.window_s))
    user = svc.accounts.user_by_name(creds.username)
    # Verify against a real hash even for unknown users, so timing does not reveal who exists.
    ok = svc.hasher.verify(user.password_hash if user else _dummy_hash(svc), creds.password)
    ok = ok and user is not None and not user.disabled
    svc.accounts.record_login(creds.username, now, ok)
    if not ok or user is None:
        raise BadCredentials()
    return user


def _dummy_hash(svc: Services) -> str:
    cached = svc.extra.get("dummy_hash")
    if cached is None:
        cached = svc.extra["dummy_hash"] = svc.hasher.hash(new_token())
    return str(cached)


@router.post("/auth/login", summary="Log in; sets the session cookie, returns the CSRF token")
async def login(creds: Credentials, response: Response,
          svc: Services = Depends(services)) -> dict[str, Any]:
    user = check_password(svc, creds)
    token, csrf = new_token(), new_token()
    expires = svc.now() + svc.settings.session_ttl_s
    svc.accounts.store_token(token_hash=token_hash(token), user_id=user.id, kind="session",
                             csrf=csrf, expires_at=expires)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=svc.settings.secure_cookies,
                        max_age=int(svc.settings.session_ttl_s), path="/")
    return {"user": user_json(user), "csrf_token": csrf, "expires_at": expires}


@router.post("/auth/tokens", summary="Trade a password for an API bearer token")
async def api_token(creds: Credentials, svc: Services = Depends(services)) -> dict[str, Any]:
    user = check_password(svc, creds)
    token = new_token()
    expires = svc.now() + svc.settings.api_token_ttl_s
    svc.accounts.store_token(token_hash=token_hash(token), user_id=user.id, kind="api",
                             csrf=None, expires_at=expires)
    return {"token": token, "token_type": "bearer", "expires_at": expires,
            "user": user_json(user)}


@router.post("/auth/logout", summary="End this session or revoke this token")
async def logout(request: Request, response: Response, who: Session = require(*ANY),
           svc: Services = Depends(services)) -> dict[str, Any]:
    header = request.headers.get("authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") \
        else request.cookies.get(SESSION_COOKIE, "")
    svc.accounts.revoke_token(token_hash(raw))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"logged_out": who.user.username}


@router.get("/me", summary="The logged-in user")
async def me(who: Session = require(*ANY)) -> dict[str, Any]:
    return {"user": user_json(who.user), "csrf_token": who.csrf}
