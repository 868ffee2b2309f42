"""Supervisor actions (each audited), the wallboard, today's report and the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from hotline.core.commands import LogOut, SetPresence
from hotline.live.wallboard import wallboard
from hotline.web.deps import require, services
from hotline.web.errors import ApiError, Invalid, NotFound
from hotline.web.ports import Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1", tags=["supervisor"])
SUPERVISORS = ("supervisor", "admin")
READERS = ("supervisor", "analyst", "admin")


def audit(svc: Services, who: Session, action: str, target: str,
          details: dict[str, Any]) -> None:
    svc.audit.record(at=svc.now(), actor=who.user.username, role=who.user.role, action=action,
                     target=target, details=details)


class ForcePresenceBody(BaseModel):
    ready: bool
    reason: str = Field(default="", max_length=64)


class ForceLogoutBody(BaseModel):
    force: bool = Field(default=True, description="end the agent's work in hand at once")


class InjectCallBody(BaseModel):
    workflow: str | None = Field(default=None, min_length=1, max_length=128)
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict)
    handle_s: float | None = Field(default=None, gt=0, le=86400)


@router.get("/supervisor/wallboard", summary="The live wallboard")
async def get_wallboard(who: Session = require(*READERS),
                  svc: Services = Depends(services)) -> dict[str, Any]:
    s = svc.settings
    return {"seq": svc.centre.seq, **wallboard(svc.centre.engine, svc.today, svc.now(),
                                               targets=s.targets, alerts=s.alerts,
                                               surveys=svc.extra.get("surveys"))}


@router.get("/supervisor/ivr", summary="Today's IVR: containment, the drop-out funnel per node, "
                                       "authentication successes and lockouts")
async def get_ivr(top: int = Query(default=12, ge=1, le=100),
                  who: Session = require(*READERS),
                  svc: Services = Depends(services)) -> dict[str, Any]:
    # hotline.live.ivr_runner.IvrToday when calls run through the IVR; absent: none do.
    today = svc.extra.get("ivr_today")
    if today is None:
        return {"enabled": False}
    runner = svc.extra.get("ivr_runner")
    return {"enabled": True, **today.to_dict(top=top),
            **(runner.stats() if runner is not None else {})}


@router.post("/supervisor/agents/{agent_id}/presence",
             summary="Force an agent ready or not ready (audited)")
async def force_presence(agent_id: str, body: ForcePresenceBody,
                         who: Session = require(*SUPERVISORS),
                         svc: Services = Depends(services)) -> dict[str, Any]:
    if agent_id not in svc.centre.engine.agents:
        raise NotFound("agent", agent_id)
    codes = {c for c, _ in svc.reasons}
    if not body.ready and body.reason not in codes:
        raise Invalid("reason", f"must be one of {', '.join(sorted(codes))}")
    batch = svc.run(SetPresence(agent_id=agent_id, ready=body.ready,
                                reason="" if body.ready else body.reason))
    audit(svc, who, "force_presence", agent_id, {"ready": body.ready, "reason": body.reason})
    return {"seq": batch[-1][0] if batch else None}


@router.post("/supervisor/agents/{agent_id}/logout", summary="Log an agent out (audited)")
async def force_logout(agent_id: str, body: ForceLogoutBody, who: Session = require(*SUPERVISORS),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    if agent_id not in svc.centre.engine.agents:
        raise NotFound("agent", agent_id)
    batch = svc.run(LogOut(agent_id=agent_id, force=body.force))
    audit(svc, who, "force_logout", agent_id, {"force": body.force})
    return {"seq": batch[-1][0] if batch else None}


@router.get("/supervisor/audit", summary="The audit log, newest first")
async def get_audit(limit: int = Query(default=100, ge=1, le=1000),
                    who: Session = require(*READERS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    return {"entries": svc.audit.recent(limit)}


@router.get("/reports/today", summary="Today's KPIs by queue, site, channel and interval, and "
                                     "CSAT by queue, agent, site and interval")
async def report_today(who: Session = require(*READERS),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    now = svc.now()
    surveys = svc.extra.get("surveys")  # hotline.live.surveys.Surveys; absent: no survey data
    return {**svc.today.report(now), "csat": None if surveys is None else surveys.report(now)}


@router.post("/demo/calls", summary="Demo only: a simulated caller calls now")
async def inject_call(body: InjectCallBody, who: Session = require(*SUPERVISORS),
                svc: Services = Depends(services)) -> dict[str, Any]:
    if svc.demo is None:
        raise ApiError(404, "not_demo", "simulated calls exist only in the demo")
    contact_id = svc.demo.inject_call(workflow=body.workflow, attributes=dict(body.attributes),
                                      handle_s=body.handle_s)
    audit(svc, who, "demo_call", str(contact_id), {"workflow": body.workflow})
    return {"contact_id": contact_id}
