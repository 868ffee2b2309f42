"""A scripted engine session that emits every event type, for event-log tests.

Agents log in, reject and miss offers, take calls, hold, transfer, wrap up (by hand and by
timeout); calls overflow, abandon, divert and become callbacks; agents leave with and without
open work. It ends with live state left over (waiting contacts, a ringing offer, a wrap-up,
pending timers) so that a replay has something to rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.core import events as ev
from hotline.core.commands import (
    AbandonContact,
    AcceptReservation,
    Command,
    CompleteWrapUp,
    DefineQueue,
    DefineWorkflow,
    DivertContact,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    OfferContact,
    RegisterAgent,
    RejectReservation,
    RequestCallback,
    ResumeContact,
    SetPresence,
    TimerFired,
    TransferContact,
    UpdateAgent,
)
from hotline.core.definitions import AgentProfile, Fallback, QueueSpec, Workflow, WorkflowStep
from hotline.core.engine import Engine

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC


@dataclass
class Session:
    """Drives an engine and keeps every event it emitted, in order."""

    engine: Engine = field(default_factory=Engine)
    events: list[ev.Event] = field(default_factory=list)
    now: float = T0

    def do(self, command: Command, after_s: float = 0.0) -> list[ev.Event]:
        self.now += after_s
        out = self.engine.handle(command, self.now)
        self.events.extend(out)
        return out

    def reservation(self, contact_id: str) -> str:
        rid = self.engine.contacts[contact_id].reservation_id
        assert rid is not None, f"contact {contact_id} has no live reservation"
        return rid

    def fire(self, key_prefix: str, contact_id: str) -> list[ev.Event]:
        """Jump to the due time of the timer ``key_prefix…contact_id`` and fire it."""
        key = next(k for k in self.engine.timers
                   if k.startswith(key_prefix) and k.endswith(contact_id))
        self.now = max(self.now, self.engine.timers[key])
        return self.do(TimerFired(key=key))


def agent(agent_id: str, **skills: int) -> AgentProfile:
    # Keys in sorted order: the log's JSON sorts keys, and ``describe`` shows a profile by its
    # repr, which shows dict order (see the event-log test of key order).
    return AgentProfile(agent_id=agent_id, site="bj", skills=skills,
                        languages=frozenset({"zh", "en"}), attributes={"senior": 1, "team": "t1"})


def scripted_session() -> Session:
    s = Session()
    s.do(DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1")))
    s.do(DefineQueue(queue=QueueSpec(name="loans", expression="skills.loans >= 1", site="sh")))
    s.do(DefineWorkflow(workflow=Workflow(
        name="cards", steps=(WorkflowStep(queue="cards", timeout_s=30.0),
                             WorkflowStep(queue="loans", timeout_s=60.0)),
        fallback=Fallback.CALLBACK, wrap_up_s=20.0)))
    s.do(DefineWorkflow(workflow=Workflow(
        name="loans", steps=(WorkflowStep(queue="loans", timeout_s=45.0),),
        fallback=Fallback.VOICEMAIL, wrap_up_s=10.0)))
    s.do(RegisterAgent(profile=agent("a1", cards=5)))
    s.do(RegisterAgent(profile=agent("a2", loans=3)))
    s.do(RegisterAgent(profile=agent("a3", cards=2)))
    s.do(UpdateAgent(profile=agent("a3", cards=2, loans=7)))
    s.do(LogIn(agent_id="a1", ready=True))
    s.do(LogIn(agent_id="a2"))
    s.do(LogIn(agent_id="a3", ready=True))

    # c1: a1 rejects, a3 lets it ring out, a1 answers, holds, transfers it to loans.
    s.do(OfferContact(contact_id="c1", channel="voice", workflow="cards", priority=2,
                      attributes={"province": "北京", "vip": True, "score": 0.5}), 1.0)
    s.do(RejectReservation(reservation_id=s.reservation("c1")), 2.0)
    s.fire("r", s.reservation("c1"))
    s.do(SetPresence(agent_id="a1", ready=True), 1.0)
    s.do(AcceptReservation(reservation_id=s.reservation("c1")), 3.0)
    s.do(HoldContact(contact_id="c1"), 30.0)
    s.do(ResumeContact(contact_id="c1"), 15.0)
    s.do(SetPresence(agent_id="a2", ready=True), 1.0)
    s.do(TransferContact(contact_id="c1", to_queue="loans"), 10.0)
    s.do(CompleteWrapUp(contact_id="c1", agent_id="a1", disposition="moved", notes="to loans"),
         5.0)
    s.do(AcceptReservation(reservation_id=s.reservation("c1")), 2.0)
    s.do(EndContact(contact_id="c1"), 60.0)
    s.do(CompleteWrapUp(contact_id="c1", agent_id="a2", disposition="solved"), 8.0)

    # c2: answered by a1, wrap-up ends by timeout.
    s.do(OfferContact(contact_id="c2", channel="voice", workflow="cards"), 1.0)
    s.do(AcceptReservation(reservation_id=s.reservation("c2")), 2.0)
    s.do(EndContact(contact_id="c2"), 90.0)
    s.fire("w", "c2")

    # a1 and a3 step out; c3 waits, overflows to loans, then becomes a callback.
    s.do(SetPresence(agent_id="a3", ready=True), 1.0)
    s.do(SetPresence(agent_id="a3", ready=False, reason="lunch"), 1.0)
    s.do(SetPresence(agent_id="a1", ready=False, reason="training"), 1.0)
    s.do(SetPresence(agent_id="a2", ready=False, reason="break"), 1.0)
    s.do(OfferContact(contact_id="c3", channel="voice", workflow="cards",
                      attributes={"caller_number": "13800000000"}), 1.0)
    s.fire("s", "c3")
    s.fire("s", "c3")

    # c4 abandons, c5 is diverted to voicemail, c6 asks for a callback itself.
    s.do(OfferContact(contact_id="c4", channel="voice", workflow="loans"), 1.0)
    s.do(AbandonContact(contact_id="c4"), 20.0)
    s.do(OfferContact(contact_id="c5", channel="voice", workflow="loans"), 1.0)
    s.do(DivertContact(contact_id="c5", to="voicemail"), 5.0)
    s.do(OfferContact(contact_id="c6", channel="voice", workflow="cards"), 1.0)
    s.do(RequestCallback(contact_id="c6", number="13900000000"), 4.0)
    s.fire("s", "c6")  # overflows to loans as a callback
    s.fire("s", "c6")  # its last step times out: already a callback, the wake-up is spent

    # a2 comes back: the oldest callback rings at a2, whose going not ready revokes it.
    s.do(SetPresence(agent_id="a2", ready=True), 1.0)
    s.do(SetPresence(agent_id="a2", ready=False, reason="phone"), 2.0)
    # a1 comes back and takes a callback; a1 logs out with it open, and leaves after it.
    s.do(SetPresence(agent_id="a1", ready=True), 1.0)
    busy = next(c for c in s.engine.contacts.values() if c.agent_id == "a1")
    s.do(AcceptReservation(reservation_id=s.reservation(busy.id)), 1.0)
    s.do(LogOut(agent_id="a1"), 5.0)
    s.do(EndContact(contact_id=busy.id), 40.0)
    s.do(CompleteWrapUp(contact_id=busy.id, agent_id="a1"), 3.0)
    s.do(LogOut(agent_id="a3"), 1.0)

    # Left live: a3 logs back in and the callback rings there; a2 is in
    # wrap-up of c7; c8 waits.
    s.do(LogIn(agent_id="a3", ready=True), 1.0)
    s.do(SetPresence(agent_id="a2", ready=True), 1.0)
    s.do(OfferContact(contact_id="c7", channel="voice", workflow="loans"), 1.0)
    s.do(AcceptReservation(reservation_id=s.reservation("c7")), 1.0)
    s.do(EndContact(contact_id="c7"), 30.0)
    s.do(OfferContact(contact_id="c8", channel="voice", workflow="cards", priority=1), 1.0)
    return s
