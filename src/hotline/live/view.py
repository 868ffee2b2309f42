"""What a browser sees of the floor: a plain-data view, and how each event changes it.

The WebSocket stream sends ``floor_view`` once, then events; the browser applies each with the
same rules as ``apply_event`` (mirrored in ``web/static/js/view.js``). The contract test holds
them to it: the view at seq *n* plus the events after *n* equals a fresh view.

>>> view = {"agents": {}, "contacts": {}, "reservations": {}}
>>> apply_event(view, {"type": "AgentRegistered", "agent_id": "a1", "site": "bj", "at": 0.0})
>>> view["agents"]["a1"]["presence"]
'offline'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.banking.masking import mask_pan
from hotline.core.live import personal_queue
from hotline.core.state import CentreState

View = dict[str, Any]
_DIGITS_MASKED_FROM = 12  # a run of this many digits may be a card number: never show it whole


def safe_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """Attributes for display: any value that looks like a card number is masked."""
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, str) and value.isdigit() and len(value) >= _DIGITS_MASKED_FROM:
            value = mask_pan(value)
        out[key] = value
    return out


def floor_view(state: CentreState, agent_id: str | None = None) -> View:
    """The floor as plain data; only ``agent_id``'s own agent and contacts when given (found
    through the agent's work, so an agent's view costs the same on a floor of any size)."""
    if agent_id is None:
        agents = list(state.agents.values())
        contacts = list(state.contacts.values())
        reservations = list(state.reservations.values())
    else:
        own = state.agents.get(agent_id)
        agents = [] if own is None else [own]
        contacts = [] if own is None else [state.contacts[cid] for cid in sorted(own.work)
                                           if cid in state.contacts]
        contacts = [c for c in contacts if c.agent_id == agent_id]
        reservations = [state.reservations[c.reservation_id] for c in contacts
                        if c.reservation_id is not None and c.reservation_id in state.reservations]
    return {
        "agents": {
            a.id: {"site": a.profile.site, "presence": a.presence, "reason": a.reason,
                   "since": a.state_since, "pending_logout": a.pending_logout,
                   "work": {cid: leg.activity for cid, leg in sorted(a.work.items())}}
            for a in agents},
        "contacts": {
            c.id: {"state": c.state, "channel": str(c.channel), "queue": c.pool[-1].name,
                   "first_queue": c.first_queue, "priority": c.priority,
                   "queued_at": c.queued_at, "agent_id": c.agent_id,
                   "attributes": safe_attributes(dict(c.attributes))}
            for c in contacts},
        "reservations": {
            r.id: {"contact_id": r.contact.id, "agent_id": r.agent.id,
                   "expires_at": r.expires_at}
            for r in reservations},
    }


def _agent(view: View, e: dict[str, Any]) -> dict[str, Any] | None:
    agent: dict[str, Any] | None = view["agents"].get(e.get("agent_id"))
    return agent


def _registered(view: View, e: dict[str, Any]) -> None:
    old = view["agents"].get(e["agent_id"])
    if old is None:
        view["agents"][e["agent_id"]] = {"site": e["site"], "presence": "offline", "reason": "",
                                         "since": 0.0, "pending_logout": False, "work": {}}
    else:
        old["site"] = e["site"]


def _presence(view: View, e: dict[str, Any]) -> None:
    agent = _agent(view, e)
    if agent is not None:
        agent.update(presence="ready" if e["ready"] else "not_ready", reason=e["reason"],
                     since=e["at"])


def _logout_requested(view: View, e: dict[str, Any]) -> None:
    agent = _agent(view, e)
    if agent is not None:
        agent["pending_logout"] = True


def _logged_out(view: View, e: dict[str, Any]) -> None:
    agent = _agent(view, e)
    if agent is not None:
        agent.update(presence="offline", reason="", pending_logout=False, since=e["at"])


def _queued(view: View, e: dict[str, Any]) -> None:
    view["contacts"][e["contact_id"]] = {
        "state": "waiting", "channel": e["channel"], "queue": e["queue"],
        "first_queue": e["queue"], "priority": e["priority"], "queued_at": e["at"],
        "agent_id": None, "attributes": safe_attributes(e["attributes"])}


def _overflowed(view: View, e: dict[str, Any]) -> None:
    contact = view["contacts"].get(e["contact_id"])
    if contact is not None:
        contact["queue"] = e["queue"]


def _reserved(view: View, e: dict[str, Any]) -> None:
    contact = view["contacts"].get(e["contact_id"])
    if contact is not None:
        contact.update(state="reserved", agent_id=e["agent_id"])
    agent = _agent(view, e)
    if agent is not None:
        agent["work"][e["contact_id"]] = "reserved"
    view["reservations"][e["reservation_id"]] = {
        "contact_id": e["contact_id"], "agent_id": e["agent_id"], "expires_at": e["expires_at"]}


def _back_to_waiting(view: View, e: dict[str, Any]) -> None:
    view["reservations"].pop(e["reservation_id"], None)
    contact = view["contacts"].get(e["contact_id"])
    if contact is not None:
        contact.update(state="waiting", agent_id=None)
    agent = _agent(view, e)
    if agent is not None:
        agent["work"].pop(e["contact_id"], None)


def _activity(state: str) -> Callable[[View, dict[str, Any]], None]:
    def apply(view: View, e: dict[str, Any]) -> None:
        view["reservations"].pop(e.get("reservation_id"), None)
        contact = view["contacts"].get(e["contact_id"])
        if contact is not None:
            contact["state"] = state
        agent = _agent(view, e)
        if agent is not None and e["contact_id"] in agent["work"]:
            agent["work"][e["contact_id"]] = state
    return apply


def _ended(view: View, e: dict[str, Any]) -> None:
    _activity("wrap_up")(view, e)


def _transferred(view: View, e: dict[str, Any]) -> None:
    agent = _agent(view, e)
    if agent is not None:
        if e["wrap_up_until"] is None:
            agent["work"].pop(e["contact_id"], None)
        else:
            agent["work"][e["contact_id"]] = "wrap_up"
    contact = view["contacts"].get(e["contact_id"])
    if contact is not None:
        target = e["to_queue"] if e["to_queue"] is not None else personal_queue(e["to_agent"])
        contact.update(state="waiting", agent_id=None, queue=target)


def _wrap_up_ended(view: View, e: dict[str, Any]) -> None:
    agent = _agent(view, e)
    if agent is not None:
        agent["work"].pop(e["contact_id"], None)


def _gone(view: View, e: dict[str, Any]) -> None:
    contact = view["contacts"].pop(e["contact_id"], None)
    for rid, res in list(view["reservations"].items()):
        if res["contact_id"] == e["contact_id"]:
            del view["reservations"][rid]
    agent_id = e.get("agent_id") or (contact or {}).get("agent_id")
    agent = view["agents"].get(agent_id)
    if agent is not None:
        agent["work"].pop(e["contact_id"], None)


def _callback(view: View, e: dict[str, Any]) -> None:
    contact = view["contacts"].get(e["contact_id"])
    if contact is not None:
        contact["channel"] = "callback"


_APPLY: dict[str, Callable[[View, dict[str, Any]], None]] = {
    "AgentRegistered": _registered, "AgentUpdated": _registered,
    "AgentLoggedIn": _presence, "PresenceChanged": _presence,
    "AgentLogoutRequested": _logout_requested, "AgentLoggedOut": _logged_out,
    "ContactQueued": _queued, "ContactOverflowed": _overflowed,
    "ReservationCreated": _reserved, "ReservationRejected": _back_to_waiting,
    "ReservationTimedOut": _back_to_waiting, "ReservationRevoked": _back_to_waiting,
    "ContactConnected": _activity("connected"), "ContactHeld": _activity("on_hold"),
    "ContactResumed": _activity("connected"), "ContactTransferred": _transferred,
    "ContactEnded": _ended, "WrapUpEnded": _wrap_up_ended,
    "ContactCompleted": _gone, "ContactAbandoned": _gone, "ContactDiverted": _gone,
    "CallbackRequested": _callback,
}


def apply_event(view: View, event: dict[str, Any]) -> None:
    """Change ``view`` in place by one event (as ``hotline.core.events.to_dict`` writes it).

    Events the view does not show (queue and workflow definitions, timers) change nothing.
    """
    apply = _APPLY.get(event["type"])
    if apply is not None:
        apply(view, event)
