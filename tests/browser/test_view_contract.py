"""``static/js/view.js`` keeps the floor view exactly as ``hotline.live.view`` does.

A scenario on the unit tests' world (manual clock) touches every event the view shows. Node
runs view.js over the stream's events from a snapshot taken part-way; after every step its view
must be the server's fresh ``floor_view``, and its agent states and waiting counts what
``hotline.metrics.realtime`` says (the wallboard shows the browser's, between messages).
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from hotline.core.commands import (
    AbandonContact,
    AcceptReservation,
    Command,
    CompleteWrapUp,
    DivertContact,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    OfferContact,
    RejectReservation,
    RequestCallback,
    ResumeContact,
    SetPresence,
    TransferContact,
)
from hotline.live.view import floor_view
from hotline.metrics.realtime import agent_state, snapshot
from hotline.web.pages import STATIC_DIR
from hotline.web.stream_hub import public_event
from tests.unit.web.conftest import World, build_world

VIEW_JS = STATIC_DIR / "js" / "view.js"
RUN = """
import { readFileSync } from "node:fs";
const { applyEvent, agentState, waitingByQueue } = await import(process.argv[1]);
const { view, steps } = JSON.parse(readFileSync(0, "utf8"));
const seen = [];
for (const step of steps) {
  for (const { event } of step.events) applyEvent(view, event);
  const waiting = waitingByQueue(view, step.now);
  seen.push({
    view: structuredClone(view),
    states: Object.fromEntries(Object.entries(view.agents).map(([id, a]) => [id, agentState(a)])),
    waiting: Object.fromEntries(Object.entries(waiting).map(([q, w]) => [q, w.waiting])),
    longest: Object.fromEntries(Object.entries(waiting).map(([q, w]) => [q, w.longest_wait_s])),
  });
}
process.stdout.write(JSON.stringify(seen));
"""


def _reservation(world: World, contact_id: str) -> str:
    engine = world.services.centre.engine
    return next(rid for rid, r in engine.reservations.items() if r.contact.id == contact_id)


def _expected(world: World) -> dict[str, Any]:
    engine = world.services.centre.engine
    snap = snapshot(engine, world.services.today.kpis, world.clock.now())
    return {"view": json.loads(json.dumps(floor_view(engine))),
            "states": {a.id: agent_state(a) for a in engine.agents.values()},
            "waiting": {q: s.waiting for q, s in snap.queues.items() if s.waiting},
            "longest": {q: s.longest_wait_s for q, s in snap.queues.items() if s.waiting}}


def test_view_js_follows_every_event_as_view_py_does(node: str) -> None:
    world = build_world()
    centre = world.services.centre
    centre.execute(LogIn(agent_id="a1", ready=True))
    world.offer("c0", customer_id="cust-1", card="6222021234567890123")  # offered to a1
    world.clock.advance(2)
    start_view = json.loads(json.dumps(floor_view(centre.engine)))  # as the snapshot sends it
    steps: list[dict[str, Any]] = []
    expected: list[dict[str, Any]] = []

    def step(*commands: Command, advance: float = 1.0) -> None:
        events: list[dict[str, Any]] = []
        unsubscribe = centre.subscribe(lambda b: events.extend(public_event(s, e) for s, e in b))
        for command in commands:
            centre.execute(command)
        world.clock.advance(advance)  # timers fire here (their events are in this step too)
        unsubscribe()
        steps.append({"events": events, "now": world.clock.now()})
        expected.append(_expected(world))

    def offer(contact_id: str, **attributes: Any) -> OfferContact:
        return OfferContact(contact_id=contact_id, channel="voice", workflow="cards",
                            attributes=attributes)

    step(RejectReservation(reservation_id=_reservation(world, "c0")))  # a1: not ready
    step(LogIn(agent_id="a2", ready=True))  # offered to a2 ...
    step(advance=16)  # ... who does not answer: timed out, a2 not ready
    step(SetPresence(agent_id="a1", ready=True))
    step(AcceptReservation(reservation_id=_reservation(world, "c0")))
    step(HoldContact(contact_id="c0"))
    step(ResumeContact(contact_id="c0"))
    step(TransferContact(contact_id="c0", to_queue="vip"))  # waits in vip; a1 wraps up
    step(CompleteWrapUp(contact_id="c0", agent_id="a1", disposition="escalated"))
    step(offer("c1", customer_id="cust-2", segment="vip"))
    step(AcceptReservation(reservation_id=_reservation(world, "c1")))
    step(TransferContact(contact_id="c1", to_agent="a2"))  # waits in a2's own queue
    step(CompleteWrapUp(contact_id="c1", agent_id="a1", disposition="info"))
    step(SetPresence(agent_id="a2", ready=True))
    step(AcceptReservation(reservation_id=_reservation(world, "c1")))
    step(LogOut(agent_id="a2"))  # pending: a2 still has the call
    step(EndContact(contact_id="c1"))
    step(CompleteWrapUp(contact_id="c1", agent_id="a2", disposition="resolved",
                        notes="card 6222021234567890123"))  # a2 goes offline
    step(AbandonContact(contact_id="c0"))
    step(SetPresence(agent_id="a1", ready=False, reason="break"))
    step(offer("c2", customer_id="cust-3"), offer("c3"))
    step(RequestCallback(contact_id="c2", number="13800000000"))
    step(DivertContact(contact_id="c3"))

    kinds = {e["event"]["type"] for s in steps for e in s["events"]}
    shown = {"ReservationRejected", "ReservationTimedOut", "AgentLoggedIn", "PresenceChanged",
             "ReservationCreated", "ContactConnected", "ContactHeld", "ContactResumed",
             "ContactTransferred", "ContactCompleted", "ContactQueued", "ContactAbandoned",
             "AgentLogoutRequested", "AgentLoggedOut", "ContactEnded", "CallbackRequested",
             "ContactDiverted"}
    assert shown <= kinds, f"the scenario missed {sorted(shown - kinds)}"

    out = subprocess.run([node, "--input-type=module", "-e", RUN, VIEW_JS.as_uri()],
                         input=json.dumps({"view": start_view, "steps": steps}),
                         capture_output=True, text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr
    assert "6222021234567890123" not in out.stdout
    for i, (seen, want) in enumerate(zip(json.loads(out.stdout), expected, strict=True)):
        assert seen["view"] == want["view"], f"step {i}"
        assert seen["states"] == want["states"], f"step {i}"
        assert seen["waiting"] == want["waiting"], f"step {i}"
        for queue, longest in want["longest"].items():
            assert abs(seen["longest"][queue] - longest) < 1e-6, f"step {i}, {queue}"
