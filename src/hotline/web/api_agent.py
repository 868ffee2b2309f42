"""The agent's own actions: presence, offers, hold, transfer, end, wrap-up; contact context.

An agent acts on its own agent only (the user's ``agent_id``); a reservation or contact that is
not the agent's own is "not found" to it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, model_validator

from hotline.core.commands import (
    AcceptReservation,
    CompleteWrapUp,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    RejectReservation,
    ResumeContact,
    SetPresence,
    TransferContact,
)
from hotline.core.live import wrap_up_timer
from hotline.live.view import floor_view, safe_attributes
from hotline.web.deps import require, services
from hotline.web.errors import ApiError, Invalid, NotAnAgent, NotFound
from hotline.web.ports import Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1/agent", tags=["agent"])
AGENTS = ("agent", "supervisor")
_CARD_LIKE = re.compile(r"\d(?:[ -]?\d){11,18}")


def agent_id(who: Session) -> str:
    if who.user.agent_id is None:
        raise NotAnAgent(who.user.username)
    return who.user.agent_id


def scrub(text: str) -> str:
    """Free text (wrap-up notes) never keeps a card-number-like run of digits."""
    return _CARD_LIKE.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], text)


class LoginBody(BaseModel):
    ready: bool = False


class PresenceBody(BaseModel):
    ready: bool
    reason: str = Field(default="", max_length=64)


class TransferBody(BaseModel):
    to_queue: str | None = Field(default=None, min_length=1, max_length=128)
    to_agent: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def one_target(self) -> TransferBody:
        if (self.to_queue is None) == (self.to_agent is None):
            raise ValueError("give exactly one of to_queue and to_agent")
        return self


class WrapUpBody(BaseModel):
    disposition: str = Field(min_length=1, max_length=64)
    notes: str = Field(default="", max_length=2000)


def _events(batch: list[tuple[int, Any]]) -> dict[str, Any]:
    return {"seq": batch[-1][0] if batch else None,
            "events": [type(e).__name__ for _, e in batch]}


def _own_reservation(svc: Services, me: str, reservation_id: str) -> None:
    res = svc.centre.engine.reservations.get(reservation_id)
    if res is None or res.agent.id != me:
        raise NotFound("reservation", reservation_id)


def _own_contact(svc: Services, me: str, contact_id: str) -> None:
    agent = svc.centre.engine.agents.get(me)
    if agent is None or contact_id not in agent.work:
        raise NotFound("contact", contact_id)


def contact_context(svc: Services, contact_id: str) -> dict[str, Any]:
    """What the desktop shows about a contact: masked customer, IVR data, time waited."""
    contact = svc.centre.engine.contacts.get(contact_id)
    if contact is None:
        raise NotFound("contact", contact_id)
    attrs = safe_attributes(dict(contact.attributes))
    customer_id = str(attrs.get("customer_id", ""))
    customer = svc.customers(customer_id) if (svc.customers and customer_id) else None
    return {
        "contact_id": contact.id, "channel": str(contact.channel), "state": contact.state,
        "queue": contact.pool[-1].name, "first_queue": contact.first_queue,
        "priority": contact.priority, "queued_at": contact.queued_at,
        "waited_s": max(0.0, svc.now() - contact.queued_at),
        "vip": str(attrs.get("segment", "")).lower() == "vip",
        "province": attrs.get("province"), "language": attrs.get("language"),
        "intent": attrs.get("intent"), "authenticated": bool(attrs.get("authenticated", False)),
        "attributes": attrs, "customer": customer,
        "recent_contacts": [
            {k: v for k, v in row.items() if k != "notes"} | {"notes": scrub(row.get("notes")
                                                                            or "")}
            for row in svc.history.recent_for_customer(customer_id, 5) if row["contact_id"]
            != contact.id] if customer_id else [],
    }


@router.get("/state", summary="My agent, my offers and contacts with their context")
async def state(who: Session = require(*AGENTS),
                svc: Services = Depends(services)) -> dict[str, Any]:
    me = agent_id(who)
    if me not in svc.centre.engine.agents:
        raise NotFound("agent", me)
    view = floor_view(svc.centre.engine, me)
    engine = svc.centre.engine
    contacts = {cid: contact_context(svc, cid) for cid in view["contacts"]}
    for cid, ctx in contacts.items():
        # The wrap-up timer says when wrap-up ends, so a reloaded page can count down.
        ctx["wrap_up_until"] = engine.timers.get(wrap_up_timer(me, cid))
    return {"seq": svc.centre.seq, "agent_id": me, "view": view, "contacts": contacts,
            "queues": sorted(engine.shared_queues),
            "reasons": [{"code": c, "label": lbl} for c, lbl in svc.reasons],
            "dispositions": [{"code": c, "label": lbl} for c, lbl in svc.dispositions]}


@router.get("/contacts/{contact_id}", summary="One of my contacts, with the customer's context")
async def context(contact_id: str, who: Session = require(*AGENTS),
            svc: Services = Depends(services)) -> dict[str, Any]:
    _own_contact(svc, agent_id(who), contact_id)
    return contact_context(svc, contact_id)


@router.post("/login", summary="Log my agent in (ready or not ready)")
async def agent_login(body: LoginBody, who: Session = require(*AGENTS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    me = agent_id(who)
    directory = svc.extra.get("directory")
    record = directory.get_agent(me) if directory is not None else None
    if record is not None and not record.active:
        raise ApiError(403, "agent_inactive", f"agent '{me}' is deactivated; ask an admin",
                       {"agent_id": me})
    return _events(svc.run(LogIn(agent_id=me, ready=body.ready)))


@router.post("/presence", summary="Go ready, or not ready with a reason code")
async def presence(body: PresenceBody, who: Session = require(*AGENTS),
             svc: Services = Depends(services)) -> dict[str, Any]:
    codes = {c for c, _ in svc.reasons}
    if not body.ready and body.reason not in codes:
        raise Invalid("reason", f"must be one of {', '.join(sorted(codes))}")
    return _events(svc.run(SetPresence(agent_id=agent_id(who), ready=body.ready,
                                       reason="" if body.ready else body.reason)))


@router.post("/logout", summary="Log my agent out (after the work in hand)")
async def agent_logout(who: Session = require(*AGENTS),
                 svc: Services = Depends(services)) -> dict[str, Any]:
    return _events(svc.run(LogOut(agent_id=agent_id(who))))


@router.post("/reservations/{reservation_id:path}/accept", summary="Accept an offer")
async def accept(reservation_id: str, who: Session = require(*AGENTS),
           svc: Services = Depends(services)) -> dict[str, Any]:
    _own_reservation(svc, agent_id(who), reservation_id)
    return _events(svc.run(AcceptReservation(reservation_id=reservation_id)))


@router.post("/reservations/{reservation_id:path}/reject", summary="Reject an offer")
async def reject(reservation_id: str, who: Session = require(*AGENTS),
           svc: Services = Depends(services)) -> dict[str, Any]:
    _own_reservation(svc, agent_id(who), reservation_id)
    return _events(svc.run(RejectReservation(reservation_id=reservation_id)))


@router.post("/contacts/{contact_id}/hold", summary="Put the caller on hold")
async def hold(contact_id: str, who: Session = require(*AGENTS),
         svc: Services = Depends(services)) -> dict[str, Any]:
    _own_contact(svc, agent_id(who), contact_id)
    return _events(svc.run(HoldContact(contact_id=contact_id)))


@router.post("/contacts/{contact_id}/resume", summary="Take the caller off hold")
async def resume(contact_id: str, who: Session = require(*AGENTS),
           svc: Services = Depends(services)) -> dict[str, Any]:
    _own_contact(svc, agent_id(who), contact_id)
    return _events(svc.run(ResumeContact(contact_id=contact_id)))


@router.post("/contacts/{contact_id}/transfer", summary="Blind transfer to a queue or an agent")
async def transfer(contact_id: str, body: TransferBody, who: Session = require(*AGENTS),
             svc: Services = Depends(services)) -> dict[str, Any]:
    _own_contact(svc, agent_id(who), contact_id)
    return _events(svc.run(TransferContact(contact_id=contact_id, to_queue=body.to_queue,
                                           to_agent=body.to_agent)))


@router.post("/contacts/{contact_id}/end", summary="End the conversation (wrap-up follows)")
async def end(contact_id: str, who: Session = require(*AGENTS),
        svc: Services = Depends(services)) -> dict[str, Any]:
    _own_contact(svc, agent_id(who), contact_id)
    return _events(svc.run(EndContact(contact_id=contact_id)))


@router.post("/contacts/{contact_id}/wrap-up", summary="Finish wrap-up with a disposition code")
async def wrap_up(contact_id: str, body: WrapUpBody, who: Session = require(*AGENTS),
            svc: Services = Depends(services)) -> dict[str, Any]:
    me = agent_id(who)
    _own_contact(svc, me, contact_id)
    codes = {c for c, _ in svc.dispositions}
    if body.disposition not in codes:
        raise Invalid("disposition", f"must be one of {', '.join(sorted(codes))}")
    return _events(svc.run(CompleteWrapUp(contact_id=contact_id, agent_id=me,
                                          disposition=body.disposition,
                                          notes=scrub(body.notes))))
