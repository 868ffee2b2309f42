"""A contact's life with an agent: hold and resume, blind transfers, callbacks, abandonment."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.core.commands import (
    AbandonContact,
    DivertContact,
    HoldContact,
    LogIn,
    RequestCallback,
    ResumeContact,
    SetPresence,
    TransferContact,
)
from hotline.core.errors import IllegalState
from tests.unit.core.test_centre import RING_S, Centre, kinds, one, wake_key

WRAP_S = 30.0


def centre_with(wrap_up_s: float = 0.0) -> Centre:
    """Queues 'cards' and 'loans'; workflow 'wf' to cards; a1, a2 in cards, l1 in loans."""
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1")
    centre.queue("loans", "skills.loans >= 1")
    centre.workflow("wf", ("cards", None), wrap_up_s=wrap_up_s)
    centre.agent("a1", skills={"cards": 5}, ready_at=None)
    centre.agent("a2", skills={"cards": 5}, ready_at=None)
    centre.agent("l1", skills={"loans": 5}, ready_at=None)
    return centre


def on_call(wrap_up_s: float = 0.0) -> Centre:
    """c1 queued at 0 and connected to a1 at 10."""
    centre = centre_with(wrap_up_s)
    centre.do(LogIn(agent_id="a1", ready=True), at=0.0)
    centre.offer("c1", at=0.0)
    centre.connect("c1", at=10.0)
    return centre


# --- hold and resume -------------------------------------------------------------------------
def test_hold_and_resume() -> None:
    centre = on_call()
    assert centre.do(HoldContact(contact_id="c1"), at=20.0) == [
        ev.ContactHeld(at=20.0, contact_id="c1", agent_id="a1")]
    assert centre.contact_state("c1") == "on_hold"
    assert centre.do(ResumeContact(contact_id="c1"), at=35.0) == [
        ev.ContactResumed(at=35.0, contact_id="c1", agent_id="a1")]
    assert centre.contact_state("c1") == "connected"


def test_hold_time_is_reported_on_completion() -> None:
    centre = on_call()
    centre.do(HoldContact(contact_id="c1"), at=20.0)
    centre.do(ResumeContact(contact_id="c1"), at=35.0)  # 15 s
    centre.do(HoldContact(contact_id="c1"), at=50.0)
    centre.do(ResumeContact(contact_id="c1"), at=60.0)  # 10 s
    completed = one(centre.end("c1", at=90.0), ev.ContactCompleted)
    assert completed.hold_s == 25.0
    assert completed.connected_at == 10.0


def test_ending_while_on_hold_counts_the_open_hold() -> None:
    centre = on_call()
    centre.do(HoldContact(contact_id="c1"), at=20.0)
    completed = one(centre.end("c1", at=32.0), ev.ContactCompleted)
    assert completed.hold_s == 12.0


def test_hold_time_survives_wrap_up() -> None:
    centre = on_call(wrap_up_s=WRAP_S)
    centre.do(HoldContact(contact_id="c1"), at=20.0)
    centre.do(ResumeContact(contact_id="c1"), at=27.0)
    centre.do(HoldContact(contact_id="c1"), at=40.0)
    centre.end("c1", at=44.0)  # ends on hold: 7 + 4 s
    completed = one(centre.complete("c1", "a1", at=60.0), ev.ContactCompleted)
    assert completed.hold_s == 11.0


# --- blind transfers -------------------------------------------------------------------------
def test_transfer_to_a_queue_offers_the_contact_there_and_frees_the_agent() -> None:
    centre = on_call()
    centre.do(LogIn(agent_id="l1", ready=True), at=5.0)
    centre.offer("c2", at=15.0)  # waits for a1
    out = centre.do(TransferContact(contact_id="c1", to_queue="loans"), at=50.0)
    assert out[0] == ev.ContactTransferred(at=50.0, contact_id="c1", agent_id="a1",
                                           to_queue="loans", to_agent=None, connected_at=10.0,
                                           wrap_up_until=None)
    created = [e for e in out if isinstance(e, ev.ReservationCreated)]
    assert [(e.contact_id, e.agent_id, e.queue) for e in created] == [
        ("c1", "l1", "loans"), ("c2", "a1", "cards")]
    connected = one(centre.accept("c1", at=52.0), ev.ContactConnected)
    assert (connected.queue, connected.first_queue, connected.leg, connected.queued_at) == (
        "loans", "cards", 1, 0.0)
    centre.check_invariants()


def test_transferred_contact_waits_in_the_new_queue_only() -> None:
    centre = on_call()
    centre.do(TransferContact(contact_id="c1", to_queue="loans"), at=50.0)
    # a1 is free and in cards, but the contact now wants loans.
    assert centre.contact_state("c1") == "waiting"
    assert centre.state()["contacts"]["c1"]["pool"] == ["loans"]  # type: ignore[index]
    centre.do(LogIn(agent_id="l1", ready=True), at=60.0)
    assert centre.holder("c1") == "l1"


def test_transfer_with_wrap_up_ends_the_first_leg_with_wrap_up_ended() -> None:
    centre = on_call(wrap_up_s=WRAP_S)
    centre.do(LogIn(agent_id="l1", ready=True), at=5.0)
    out = centre.do(TransferContact(contact_id="c1", to_queue="loans"), at=50.0)
    assert out[:2] == [
        ev.ContactTransferred(at=50.0, contact_id="c1", agent_id="a1", to_queue="loans",
                              to_agent=None, connected_at=10.0, wrap_up_until=50.0 + WRAP_S),
        ev.WakeUpRequested(at=50.0, key=wake_key(out, "w"), due=50.0 + WRAP_S),
    ]
    assert centre.holder("c1") == "l1"
    out = centre.complete("c1", "a1", at=60.0, disposition="to_loans")
    assert out == [ev.WrapUpEnded(at=60.0, contact_id="c1", agent_id="a1", connected_at=10.0,
                                  disposition="to_loans", notes="", timed_out=False)]
    centre.connect("c1", at=61.0)
    centre.end("c1", at=100.0)
    completed = one(centre.complete("c1", "l1", at=110.0), ev.ContactCompleted)
    assert (completed.agent_id, completed.connected_at, completed.first_queue) == (
        "l1", 61.0, "cards")


def test_transfer_to_an_idle_agent_goes_through_the_agents_own_queue() -> None:
    centre = on_call()
    centre.do(LogIn(agent_id="a2", ready=True), at=5.0)
    out = centre.do(TransferContact(contact_id="c1", to_agent="a2"), at=50.0)
    assert out[0] == ev.ContactTransferred(at=50.0, contact_id="c1", agent_id="a1",
                                           to_queue=None, to_agent="a2", connected_at=10.0,
                                           wrap_up_until=None)
    created = one(out, ev.ReservationCreated)
    assert (created.agent_id, created.queue) == ("a2", "@a2")


def test_transfer_to_a_busy_agent_waits_for_that_agent() -> None:
    centre = on_call()
    centre.do(LogIn(agent_id="l1", ready=True), at=1.0)
    centre.do(LogIn(agent_id="a2", ready=True), at=2.0)
    centre.offer("c9", at=3.0)  # to a2
    centre.connect("c9", at=4.0)
    out = centre.do(TransferContact(contact_id="c1", to_agent="a2"), at=50.0)
    assert kinds(out) == ["ContactTransferred"]  # a1 is free but not the target
    assert centre.state()["contacts"]["c1"]["pool"] == ["@a2"]  # type: ignore[index]
    centre.check_invariants()
    out = centre.end("c9", at=70.0)
    created = one(out, ev.ReservationCreated)
    assert (created.contact_id, created.agent_id, created.queue) == ("c1", "a2", "@a2")


def test_transfer_to_the_same_agent_is_refused() -> None:
    centre = on_call()
    before = centre.state()
    with pytest.raises(IllegalState) as info:
        centre.do(TransferContact(contact_id="c1", to_agent="a1"), at=50.0)
    assert str(info.value) == "contact 'c1' is already with agent 'a1'"
    assert centre.state() == before


def test_transfer_while_on_hold_counts_the_hold_in_the_first_leg_only() -> None:
    centre = on_call()
    centre.do(LogIn(agent_id="l1", ready=True), at=5.0)
    centre.do(HoldContact(contact_id="c1"), at=20.0)
    centre.do(TransferContact(contact_id="c1", to_queue="loans"), at=30.0)
    centre.connect("c1", at=31.0)
    completed = one(centre.end("c1", at=60.0), ev.ContactCompleted)
    assert completed.hold_s == 0.0


def test_transferred_email_is_not_offered_back_to_the_agent_wrapping_it_up() -> None:
    centre = Centre()
    centre.queue("mail", '"email" in channels')
    centre.workflow("wf", ("mail", None), wrap_up_s=60.0)
    centre.agent("a1", capacity={"email": 3}, ready_at=None)
    centre.offer("e1", at=0.0, channel="email")
    centre.offer("e2", at=0.5, channel="email")
    centre.do(LogIn(agent_id="a1", ready=True), at=1.0)  # takes e1 and e2
    centre.connect("e1", at=2.0)
    centre.connect("e2", at=2.0)
    centre.do(TransferContact(contact_id="e1", to_queue="mail"), at=3.0)
    assert centre.engine.agents["a1"].work["e1"].activity == "wrap_up"
    assert centre.holder("e1") is None


# --- callbacks -------------------------------------------------------------------------------
def test_callback_request_keeps_the_callers_place() -> None:
    centre = centre_with()
    centre.offer("c1", at=0.0)
    centre.offer("c2", at=10.0)
    out = centre.do(RequestCallback(contact_id="c1", number="13900000000"), at=20.0)
    assert out == [ev.CallbackRequested(at=20.0, contact_id="c1", number="13900000000")]
    contact = centre.state()["contacts"]["c1"]  # type: ignore[index]
    assert (contact["channel"], contact["state"], contact["queued_at"]) == (
        "callback", "waiting", 0.0)
    out = centre.do(LogIn(agent_id="a1", ready=True), at=30.0)
    assert one(out, ev.ReservationCreated).contact_id == "c1"
    connected = one(centre.accept("c1", at=31.0), ev.ContactConnected)
    assert (connected.channel, connected.queued_at) == ("callback", 0.0)


def test_callback_cannot_be_abandoned() -> None:
    centre = centre_with()
    centre.offer("c1", at=0.0)
    centre.do(RequestCallback(contact_id="c1", number="139"), at=5.0)
    before = centre.state()
    with pytest.raises(IllegalState) as info:
        centre.do(AbandonContact(contact_id="c1"), at=6.0)
    assert str(info.value) == "contact 'c1' is a callback: the caller is not waiting"
    assert centre.state() == before


def test_callback_only_for_calls() -> None:
    centre = centre_with()
    centre.offer("e1", at=0.0, channel="email")
    with pytest.raises(IllegalState, match="contact 'e1' is a email, not a call"):
        centre.do(RequestCallback(contact_id="e1", number="139"), at=1.0)


# --- abandonment and diversion ---------------------------------------------------------------
def test_abandon_while_waiting() -> None:
    centre = centre_with()
    centre.workflow("timed", ("cards", 60.0), ("loans", None))
    centre.offer("c1", at=0.0, workflow="timed")
    out = centre.do(AbandonContact(contact_id="c1"), at=42.0)
    assert out == [ev.ContactAbandoned(at=42.0, contact_id="c1", first_queue="cards",
                                       channel="voice", queued_at=0.0, agent_id=None)]
    assert "c1" not in centre.engine.contacts
    assert centre.engine.timers == {}  # the step timer went with the contact


def test_abandon_while_the_offer_rings_frees_the_agent() -> None:
    centre = centre_with()
    centre.do(LogIn(agent_id="a1", ready=True), at=0.0)
    ring_key = wake_key(centre.offer("c1", at=1.0), "r")
    centre.offer("c2", at=2.0)
    out = centre.do(AbandonContact(contact_id="c1"), at=5.0)
    assert out[0] == ev.ContactAbandoned(at=5.0, contact_id="c1", first_queue="cards",
                                         channel="voice", queued_at=1.0, agent_id="a1")
    assert one(out, ev.ReservationCreated).contact_id == "c2"  # a1 is free again
    assert ring_key not in centre.engine.timers
    assert centre.presence("a1") == ("ready", "")
    assert "c1/1" not in centre.engine.reservations


def test_connected_contact_cannot_be_abandoned() -> None:
    centre = on_call()
    with pytest.raises(IllegalState) as info:
        centre.do(AbandonContact(contact_id="c1"), at=20.0)
    assert str(info.value) == "contact 'c1' is connected, expected waiting or reserved"


def test_divert_to_voicemail_while_waiting() -> None:
    centre = centre_with()
    centre.offer("c1", at=0.0)
    out = centre.do(DivertContact(contact_id="c1"), at=9.0)
    assert out == [ev.ContactDiverted(at=9.0, contact_id="c1", first_queue="cards",
                                      channel="voice", queued_at=0.0, to="voicemail")]


def test_ring_timeout_of_a_transferred_contact_returns_it_to_the_target_queue() -> None:
    centre = on_call()
    centre.do(LogIn(agent_id="l1", ready=True), at=5.0)
    out = centre.do(TransferContact(contact_id="c1", to_queue="loans"), at=50.0)
    out = centre.fire(wake_key(out, "r"))
    assert kinds(out) == ["ReservationTimedOut", "PresenceChanged"]
    assert out[0].at == 50.0 + RING_S
    assert centre.contact_state("c1") == "waiting"
    centre.do(SetPresence(agent_id="l1", ready=True), at=80.0)
    assert centre.holder("c1") == "l1"
