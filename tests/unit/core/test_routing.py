"""Routing: who gets which contact, in which order, within which capacity (design §3)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hotline.core import events as ev
from hotline.core.commands import LogIn, RejectReservation, SetPresence, TimerFired
from hotline.core.definitions import Ordering, Selection
from tests.unit.core.test_centre import (
    RING_S,
    Centre,
    kinds,
    one,
    standard_centre,
)


def serve_in_turn(centre: Centre, agent_id: str, start: float) -> list[str]:
    """Let one agent answer and finish every waiting contact; return the order served."""
    served: list[str] = []
    at = start
    out = centre.do(SetPresence(agent_id=agent_id, ready=True), at=at)
    while True:
        created = [e for e in out if isinstance(e, ev.ReservationCreated)]
        if not created:
            return served
        assert len(created) == 1 and created[0].agent_id == agent_id
        contact_id = created[0].contact_id
        served.append(contact_id)
        at += 1.0
        centre.connect(contact_id, at)
        at += 1.0
        out = centre.end(contact_id, at)
        centre.check_invariants()


# --- waiting and the first offer -------------------------------------------------------------
def test_contact_waits_when_no_agent_is_logged_in() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=None)
    out = centre.offer("c1", at=10.0, attributes={"segment": "vip"})
    assert out == [ev.ContactQueued(at=10.0, contact_id="c1", channel="voice", workflow="wf",
                                    queue="cards", priority=0, attributes={"segment": "vip"})]
    contact = centre.state()["contacts"]["c1"]  # type: ignore[index]
    assert contact["state"] == "waiting"
    assert contact["pool"] == ["cards"]
    assert contact["queued_at"] == 10.0


def test_contact_waits_when_the_only_ready_agent_is_not_in_the_queue() -> None:
    centre = standard_centre()
    centre.agent("loans_only", skills={"loans": 5})
    assert kinds(centre.offer("c1", at=1.0)) == ["ContactQueued"]
    assert centre.contact_state("c1") == "waiting"
    centre.check_invariants()


def test_contact_is_offered_at_once_to_a_ready_agent() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    out = centre.offer("c1", at=10.0)
    assert out == [
        ev.ContactQueued(at=10.0, contact_id="c1", channel="voice", workflow="wf",
                         queue="cards", priority=0, attributes={}),
        ev.ReservationCreated(at=10.0, reservation_id="c1/1", contact_id="c1", agent_id="a1",
                              queue="cards", expires_at=10.0 + RING_S),
        ev.WakeUpRequested(at=10.0, key="r\x1fc1/1", due=10.0 + RING_S),
    ]
    assert centre.contact_state("c1") == "reserved"
    assert centre.holder("c1") == "a1"


def test_waiting_contact_goes_to_the_agent_that_becomes_ready() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=None)
    centre.agent("a2", ready_at=None)
    centre.do(LogIn(agent_id="a1", ready=False), at=1.0)
    centre.offer("c1", at=5.0)
    out = centre.do(SetPresence(agent_id="a1", ready=True), at=20.0)
    assert kinds(out) == ["PresenceChanged", "ReservationCreated", "WakeUpRequested"]
    created = one(out, ev.ReservationCreated)
    assert (created.contact_id, created.agent_id, created.queue) == ("c1", "a1", "cards")
    assert created.expires_at == 20.0 + RING_S
    centre.check_invariants()


def test_auto_accept_agent_is_connected_in_the_same_step() -> None:
    centre = standard_centre()
    centre.agent("bot", auto_accept=True)
    out = centre.offer("c1", at=3.0)
    assert kinds(out) == ["ContactQueued", "ReservationCreated", "ContactConnected"]
    assert one(out, ev.ReservationCreated).expires_at is None
    connected = one(out, ev.ContactConnected)
    assert (connected.agent_id, connected.queued_at, connected.leg) == ("bot", 3.0, 0)
    assert centre.contact_state("c1") == "connected"


# --- agent selection -------------------------------------------------------------------------
def test_longest_idle_agent_gets_the_contact() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=30.0)
    centre.agent("a2", ready_at=10.0)
    centre.agent("a3", ready_at=20.0)
    for i in range(3):
        centre.offer(f"c{i}", at=40.0 + i)
    assert [centre.holder(f"c{i}") for i in range(3)] == ["a2", "a3", "a1"]


def test_idle_clock_restarts_when_an_agent_finishes_a_contact() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    centre.agent("a2", ready_at=5.0)
    centre.offer("c1", at=10.0)  # to a1, idle since 0
    centre.connect("c1", at=11.0)
    centre.end("c1", at=20.0)  # a1 idle again since 20; a2 has idled since 5
    centre.offer("c2", at=30.0)
    assert centre.holder("c2") == "a2"
    assert centre.engine.agents["a1"].idle_since == 20.0


def test_most_proficient_then_longest_idle() -> None:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1", selection=Selection.MOST_PROFICIENT,
                 proficiency_skill="cards")
    centre.workflow("wf", ("cards", None))
    centre.agent("low_long_idle", skills={"cards": 3}, ready_at=0.0)
    centre.agent("high_recent", skills={"cards": 8}, ready_at=20.0)
    centre.agent("high_longer", skills={"cards": 8}, ready_at=10.0)
    centre.offer("c1", at=30.0)
    centre.offer("c2", at=31.0)
    centre.offer("c3", at=32.0)
    assert [centre.holder(c) for c in ("c1", "c2", "c3")] == [
        "high_longer", "high_recent", "low_long_idle"]


@pytest.mark.parametrize(("selection", "expected"), [
    (Selection.LEAST_OCCUPIED, "fresh"),  # 0 of 3 in use beats 1 of 3
    (Selection.LONGEST_IDLE, "busy"),  # idle since its login at 1.0, before 'fresh' at 2.0
])
def test_least_occupied_prefers_the_agent_with_the_smaller_share_in_use(
        selection: Selection, expected: str) -> None:
    centre = Centre()
    centre.queue("mail", '"email" in channels', selection=selection)
    centre.workflow("wf", ("mail", None))
    centre.agent("busy", capacity={"email": 3}, ready_at=None)
    centre.agent("fresh", capacity={"email": 3}, ready_at=None)
    centre.offer("e1", at=0.0, channel="email")
    centre.do(LogIn(agent_id="busy", ready=True), at=1.0)  # takes e1 and stays indexed
    centre.connect("e1", at=1.5)
    centre.do(LogIn(agent_id="fresh", ready=True), at=2.0)
    centre.offer("e2", at=3.0, channel="email")
    assert centre.holder("e2") == expected
    centre.check_invariants()


@pytest.mark.parametrize("selection", list(Selection))
def test_ties_go_to_the_agent_registered_first(selection: Selection) -> None:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1", selection=selection, proficiency_skill="cards")
    centre.workflow("wf", ("cards", None))
    # Registered zulu, alpha, mike; all ready at the same instant with the same skill.
    for agent_id in ("zulu", "alpha", "mike"):
        centre.agent(agent_id, skills={"cards": 5}, ready_at=0.0)
    for i in range(3):
        centre.offer(f"c{i}", at=10.0)
    assert [centre.holder(f"c{i}") for i in range(3)] == ["zulu", "alpha", "mike"]


# --- contact ordering ------------------------------------------------------------------------
def ordering_centre(ordering: Ordering) -> Centre:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1", ordering=ordering, priority_weight_s=60.0)
    centre.workflow("wf", ("cards", None))
    centre.agent("a1", ready_at=None)
    centre.do(LogIn(agent_id="a1", ready=False), at=0.0)
    return centre


def test_blended_priority_is_worth_priority_weight_seconds_of_waiting() -> None:
    centre = ordering_centre(Ordering.BLENDED)
    centre.offer("n_at_0", at=0.0)
    centre.offer("n_at_50", at=50.0)
    # Virtual arrival 100 - 60 = 40: ahead of the contact of 50, behind the contact of 0.
    centre.offer("vip_at_100", at=100.0, priority=1)
    assert serve_in_turn(centre, "a1", start=200.0) == ["n_at_0", "vip_at_100", "n_at_50"]


def test_blended_two_levels_of_priority_are_worth_twice_the_weight() -> None:
    centre = ordering_centre(Ordering.BLENDED)
    centre.offer("n_at_0", at=0.0)
    centre.offer("vip2_at_100", at=100.0, priority=2)  # virtual arrival -20
    assert serve_in_turn(centre, "a1", start=200.0) == ["vip2_at_100", "n_at_0"]


def test_blended_equal_virtual_arrival_goes_to_the_contact_that_entered_first() -> None:
    centre = ordering_centre(Ordering.BLENDED)
    centre.offer("n_at_50", at=50.0)
    centre.offer("vip_at_110", at=110.0, priority=1)  # virtual arrival 50, entered later
    assert serve_in_turn(centre, "a1", start=200.0) == ["n_at_50", "vip_at_110"]


def test_strict_priority_always_goes_first() -> None:
    centre = ordering_centre(Ordering.STRICT)
    centre.offer("n_at_0", at=0.0)
    centre.offer("n_at_50", at=50.0)
    centre.offer("vip_at_5000", at=5000.0, priority=1)
    centre.offer("vip2_at_6000", at=6000.0, priority=2)
    assert serve_in_turn(centre, "a1", start=7000.0) == [
        "vip2_at_6000", "vip_at_5000", "n_at_0", "n_at_50"]


def test_same_priority_is_first_come_first_served() -> None:
    centre = ordering_centre(Ordering.STRICT)
    for i, at in enumerate((5.0, 1.0, 3.0)):
        centre.offer(f"c{i}", at=at)  # the engine trusts times as given: ordered by time
    assert serve_in_turn(centre, "a1", start=10.0) == ["c1", "c2", "c0"]


# --- capacity per channel --------------------------------------------------------------------
def mail_centre() -> Centre:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1")
    centre.workflow("wf", ("cards", None))
    return centre


def test_agent_with_email_capacity_three_takes_three_waiting_emails_at_login() -> None:
    centre = mail_centre()
    centre.agent("a1", capacity={"voice": 1, "email": 3}, ready_at=None)
    for i in range(4):
        centre.offer(f"e{i}", at=float(i), channel="email")
    out = centre.do(LogIn(agent_id="a1", ready=True), at=10.0)
    assert [e.contact_id for e in out if isinstance(e, ev.ReservationCreated)] == [
        "e0", "e1", "e2"]
    assert centre.contact_state("e3") == "waiting"
    centre.check_invariants()


def test_agent_with_email_capacity_three_gets_three_emails_as_they_arrive() -> None:
    centre = mail_centre()
    centre.agent("a1", capacity={"email": 3}, ready_at=0.0)
    for i in range(3):
        centre.offer(f"e{i}", at=1.0 + i, channel="email")
    assert [centre.holder(f"e{i}") for i in range(3)] == ["a1", "a1", "a1"]
    centre.check_invariants()


def test_agent_holding_a_call_gets_no_email() -> None:
    centre = mail_centre()
    centre.agent("a1", capacity={"voice": 1, "email": 3}, ready_at=0.0)
    centre.offer("c1", at=1.0)
    centre.connect("c1", at=2.0)
    assert kinds(centre.offer("e1", at=3.0, channel="email")) == ["ContactQueued"]
    centre.check_invariants()
    out = centre.end("c1", at=10.0)
    assert kinds(out) == ["ContactCompleted", "ReservationCreated", "WakeUpRequested"]
    assert one(out, ev.ReservationCreated).contact_id == "e1"


def test_agent_holding_an_email_gets_no_call() -> None:
    centre = mail_centre()
    centre.agent("a1", capacity={"voice": 1, "email": 3}, ready_at=0.0)
    centre.offer("e1", at=1.0, channel="email")
    centre.connect("e1", at=2.0)
    assert kinds(centre.offer("c1", at=3.0)) == ["ContactQueued"]
    centre.check_invariants()
    out = centre.end("e1", at=10.0)
    assert one(out, ev.ReservationCreated).contact_id == "c1"


def test_a_ringing_call_blocks_emails_too() -> None:
    centre = mail_centre()
    centre.agent("a1", capacity={"voice": 1, "email": 3}, ready_at=None)
    centre.offer("c1", at=0.0)
    centre.offer("e1", at=1.0, channel="email")
    out = centre.do(LogIn(agent_id="a1", ready=True), at=5.0)
    assert [e.contact_id for e in out if isinstance(e, ev.ReservationCreated)] == ["c1"]
    assert centre.contact_state("e1") == "waiting"


def test_callbacks_share_the_voice_capacity() -> None:
    centre = mail_centre()
    centre.agent("mail_only", capacity={"email": 2}, ready_at=0.0)
    centre.offer("c1", at=1.0)
    assert centre.contact_state("c1") == "waiting"  # no voice capacity, no calls
    centre.agent("phone", capacity={"voice": 1}, ready_at=2.0)
    assert centre.holder("c1") == "phone"


# --- the work-conserving invariant -----------------------------------------------------------
def test_no_ready_agent_idles_beside_a_waiting_call_through_a_busy_morning() -> None:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1")
    centre.queue("loans", "skills.loans >= 1")
    centre.workflow("wf", ("cards", None))
    centre.workflow("loans", ("loans", None))
    centre.agent("a1", skills={"cards": 5}, ready_at=None)
    centre.agent("a2", skills={"cards": 5, "loans": 5}, ready_at=None)
    centre.agent("a3", skills={"loans": 5}, ready_at=None)
    steps: list[Callable[[float], object]] = [
        lambda t: centre.offer("c1", at=t),
        lambda t: centre.offer("l1", at=t, workflow="loans"),
        lambda t: centre.do(LogIn(agent_id="a2", ready=True), at=t),
        lambda t: centre.offer("c2", at=t),
        lambda t: centre.do(LogIn(agent_id="a1", ready=True), at=t),
        lambda t: centre.connect("c1", at=t),
        lambda t: centre.offer("l2", at=t, workflow="loans"),
        lambda t: centre.do(LogIn(agent_id="a3", ready=True), at=t),
        lambda t: centre.end("c1", at=t),
        lambda t: centre.do(SetPresence(agent_id="a2", ready=False, reason="break"), at=t),
        lambda t: centre.offer("c3", at=t),
        lambda t: centre.do(SetPresence(agent_id="a2", ready=True), at=t),
    ]
    for i, step in enumerate(steps):
        step(10.0 * (i + 1))
        centre.check_invariants()
    waiting = sorted(c.id for c in centre.engine.contacts.values() if c.state == "waiting")
    # a2 came back at 120 and took l2 (waiting since 70) before c3 (since 110).
    assert waiting == ["c3"]
    assert "c1" not in centre.engine.contacts  # completed
    assert [centre.holder(c) for c in ("c2", "l1", "l2")] == ["a1", "a3", "a2"]


def test_invariant_holds_while_offers_are_rejected_and_time_out() -> None:
    centre = standard_centre()
    for agent_id in ("a1", "a2", "a3"):
        centre.agent(agent_id, ready_at=None)
    at = 0.0
    for i in range(5):
        at += 1.0
        centre.offer(f"c{i}", at=at)
        centre.check_invariants()
    for agent_id in ("a1", "a2", "a3"):
        at += 1.0
        centre.do(LogIn(agent_id=agent_id, ready=True), at=at)
        centre.check_invariants()
    # a1 rejects, a2 lets its offer ring out, a3 answers.
    rid = centre.engine.contacts["c0"].reservation_id
    assert rid is not None
    centre.do(RejectReservation(reservation_id=rid), at=at + 1.0)
    centre.check_invariants()
    rid = centre.engine.contacts["c1"].reservation_id
    assert rid is not None
    centre.do(TimerFired(key="r\x1f" + rid), at=at + RING_S)
    centre.check_invariants()
    centre.connect("c2", at=at + RING_S)
    centre.check_invariants()
    assert centre.presence("a1") == ("not_ready", "rejected")
    assert centre.presence("a2") == ("not_ready", "no_answer")
    waiting = sorted(c.id for c in centre.engine.contacts.values() if c.state == "waiting")
    assert waiting == ["c0", "c1", "c3", "c4"]
