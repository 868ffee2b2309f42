"""Users of Hotline: list, create, change (name, role, agent, disabled), reset a password.

Admins change, supervisors read; every change is audited, never with a password in it. A user
who is disabled, changes role or gets a new password loses every session and token at once,
and an agent disabled while logged in is logged out of the floor (after the work in hand). The
centre cannot lose its last active admin, and an admin cannot disable or demote themself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from hotline.core.commands import LogOut
from hotline.core.errors import CoreError
from hotline.core.live import OFFLINE
from hotline.web.api_admin import ADMINS, READERS, Body, directory, stored
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.errors import Conflict, Invalid, NotFound
from hotline.web.ports import ROLES, Session, User
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
MIN_PASSWORD = 10
_USERNAME = r"^[A-Za-z0-9_.@-]{1,64}$"


class UserBody(Body):
    username: str = Field(pattern=_USERNAME,
                          description="1–64 letters, digits, '_', '.', '@' or '-'")
    display_name: str = Field(min_length=1, max_length=200)
    role: str = Field(description=", ".join(ROLES))
    agent_id: str | None = Field(default=None, min_length=1, max_length=128,
                                 description="the agent this user works as (agents need one)")
    password: str = Field(min_length=MIN_PASSWORD, max_length=256)


class UserChangeBody(Body):
    """Only the fields sent change; ``agent_id: null`` unlinks the agent."""

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: str | None = Field(default=None, description=", ".join(ROLES))
    agent_id: str | None = Field(default=None, min_length=1, max_length=128)
    disabled: bool | None = None


class PasswordBody(Body):
    password: str = Field(min_length=MIN_PASSWORD, max_length=256)


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "agent_id": user.agent_id, "disabled": user.disabled}


def _check_role_and_agent(svc: Services, role: str, agent_id: str | None) -> None:
    if role not in ROLES:
        raise Invalid("role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    if role == "agent" and agent_id is None:
        raise Invalid("agent_id", "an agent user needs the agent it works as")
    if agent_id is not None:
        agent = directory(svc).get_agent(agent_id)
        if agent is None or not agent.active:
            raise Invalid("agent_id", f"no active agent '{agent_id}'")


def _existing(svc: Services, username: str) -> User:
    user = svc.accounts.user_by_name(username)
    if user is None:
        raise NotFound("user", username)
    return user


@router.get("/users", summary="Users (never their password hashes)")
async def list_users(who: Session = require(*READERS),
                     svc: Services = Depends(services)) -> dict[str, Any]:
    return {"users": [_user_json(u) for u in svc.accounts.list_users()]}


@router.post("/users", status_code=201, summary="Create a user")
async def create_user(body: UserBody, who: Session = require(*ADMINS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    if not body.display_name.strip():
        raise Invalid("display_name", "is empty")
    _check_role_and_agent(svc, body.role, body.agent_id)
    if svc.accounts.user_by_name(body.username) is not None:
        raise Conflict(f"user '{body.username}' already exists", {"field": "username"})
    # argon2 takes a while on purpose: off the event loop, so the floor does not stall.
    password_hash = await run_in_threadpool(svc.hasher.hash, body.password)
    try:
        with stored():
            user = svc.accounts.add_user(username=body.username, display_name=body.display_name,
                                         role=body.role, agent_id=body.agent_id,
                                         password_hash=password_hash)
    except Conflict as exc:  # a concurrent request took the name first
        raise Conflict(exc.message, {"field": "username"}) from None
    audit(svc, who, "create_user", body.username,
          {"role": body.role, "agent_id": body.agent_id})
    return {"user": _user_json(user)}


@router.patch("/users/{username}", summary="Change a user's name, role, agent or status")
async def change_user(username: str, body: UserChangeBody, who: Session = require(*ADMINS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    user = _existing(svc, username)
    sent = body.model_fields_set
    if not sent:
        raise Invalid("body", "names no field to change")
    if body.display_name is not None and not body.display_name.strip():
        raise Invalid("display_name", "is empty")
    for name in ("display_name", "role", "disabled"):
        if name in sent and getattr(body, name) is None:
            raise Invalid(name, "cannot be null")
    changed = replace(
        user,
        display_name=body.display_name or user.display_name,
        role=body.role or user.role,
        agent_id=body.agent_id if "agent_id" in sent else user.agent_id,
        disabled=user.disabled if body.disabled is None else body.disabled)
    _check_role_and_agent(svc, changed.role, changed.agent_id)
    _keep_an_admin(svc, who, user, changed)
    with stored():
        saved = svc.accounts.update_user(changed)
    revoked = 0
    if saved.disabled != user.disabled or saved.role != user.role \
            or saved.agent_id != user.agent_id:
        revoked = svc.accounts.revoke_sessions(saved.id)
    logged_out = saved.disabled and not user.disabled and _log_out(svc, user.agent_id)
    was = _user_json(user)
    differences = {k: v for k, v in _user_json(saved).items() if was[k] != v}
    audit(svc, who, "change_user", username,
          {**differences, "sessions_ended": revoked, "logged_out": logged_out})
    return {"user": _user_json(saved), "sessions_ended": revoked}


@router.post("/users/{username}/password", summary="Set a new password (ends the user's sessions)")
async def reset_password(username: str, body: PasswordBody, who: Session = require(*ADMINS),
                         svc: Services = Depends(services)) -> dict[str, Any]:
    user = _existing(svc, username)
    password_hash = await run_in_threadpool(svc.hasher.hash, body.password)
    with stored():
        svc.accounts.set_password(user.id, password_hash)
    revoked = svc.accounts.revoke_sessions(user.id)
    audit(svc, who, "reset_password", username, {"sessions_ended": revoked})
    return {"user": _user_json(user), "sessions_ended": revoked}


def _keep_an_admin(svc: Services, who: Session, before: User, after: User) -> None:
    if before.role != "admin" or before.disabled:
        return
    if after.disabled or after.role != "admin":
        field = "disabled" if after.disabled else "role"
        if before.id == who.user.id:
            raise Conflict(f"{field}: an admin cannot disable or demote themself",
                           {"field": field})
        admins = [u for u in svc.accounts.list_users() if u.role == "admin" and not u.disabled]
        if len(admins) <= 1:
            raise Conflict(f"{field}: '{before.username}' is the last active admin",
                           {"field": field})


def _log_out(svc: Services, agent_id: str | None) -> bool:
    """Log a disabled user's agent out of the floor, after the work in hand."""
    agent = svc.centre.engine.agents.get(agent_id) if agent_id else None
    if agent is None or agent.presence == OFFLINE:
        return False
    try:
        svc.run(LogOut(agent_id=agent.id, force=False))
    except CoreError:
        return False
    return True
