"""Reservations: one atomic offer of one contact to one agent; accepted, rejected, timed out."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.core.commands import (
    AcceptReservation,
    AssignContact,
    LogIn,
    RejectReservation,
    TimerFired,
)
from hotline.core.errors import IllegalState, ReservationNotLive
from tests.unit.core.test_centre import RING_S, Centre, kinds, one, standard_centre, wake_key


def ringing() -> tuple[Centre, ev.ReservationCreated, str]:
    """c1 rings at a1 (since 10); a newer c2 waits; a2 is registered but logged out."""
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    centre.agent("a2", ready_at=None)
    out = centre.offer("c1", at=10.0)
    centre.offer("c2", at=12.0)
    return centre, one(out, ev.ReservationCreated), wake_key(out, "r")


def test_accept_connects_the_contact() -> None:
    centre, res, key = ringing()
    out = centre.do(AcceptReservation(reservation_id=res.reservation_id), at=14.0)
    assert out == [ev.ContactConnected(at=14.0, contact_id="c1", agent_id="a1",
                                       reservation_id="c1/1", queue="cards",
                                       first_queue="cards", channel="voice", queued_at=10.0,
                                       leg=0)]
    assert centre.contact_state("c1") == "connected"
    assert centre.engine.reservations == {}
    assert key not in centre.engine.timers  # the ring timer is moot
    assert centre.do(TimerFired(key=key), at=10.0 + RING_S) == []


def test_reject_puts_the_contact_back_in_its_place_and_the_agent_not_ready() -> None:
    centre, res, key = ringing()
    out = centre.do(RejectReservation(reservation_id=res.reservation_id), at=13.0)
    assert out == [
        ev.ReservationRejected(at=13.0, reservation_id="c1/1", contact_id="c1", agent_id="a1"),
        ev.PresenceChanged(at=13.0, agent_id="a1", ready=False, reason="rejected"),
    ]
    assert centre.contact_state("c1") == "waiting"
    assert centre.presence("a1") == ("not_ready", "rejected")
    assert key not in centre.engine.timers
    # c1 (since 10) is still ahead of c2 (since 12).
    out = centre.do(LogIn(agent_id="a2", ready=True), at=20.0)
    assert one(out, ev.ReservationCreated).contact_id == "c1"
    assert one(out, ev.ReservationCreated).reservation_id == "c1/2"
    centre.check_invariants()


def test_reject_hands_the_contact_to_another_ready_agent_at_once() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    out = centre.offer("c1", at=10.0)
    centre.agent("a2", ready_at=11.0)
    out = centre.do(RejectReservation(reservation_id="c1/1"), at=12.0)
    assert kinds(out) == ["ReservationRejected", "PresenceChanged", "ReservationCreated",
                          "WakeUpRequested"]
    assert one(out, ev.ReservationCreated).agent_id == "a2"


def test_ring_timeout_sends_the_agent_not_ready_no_answer() -> None:
    centre, res, key = ringing()
    assert res.expires_at == 10.0 + RING_S
    out = centre.fire(key)
    assert out == [
        ev.ReservationTimedOut(at=res.expires_at, reservation_id="c1/1", contact_id="c1",
                               agent_id="a1"),
        ev.PresenceChanged(at=res.expires_at, agent_id="a1", ready=False, reason="no_answer"),
    ]
    assert centre.presence("a1") == ("not_ready", "no_answer")
    assert centre.contact_state("c1") == "waiting"
    out = centre.do(LogIn(agent_id="a2", ready=True), at=40.0)
    assert one(out, ev.ReservationCreated).contact_id == "c1"  # ahead of the newer c2


def test_ring_timer_fired_early_does_nothing() -> None:
    centre, _res, key = ringing()
    before = centre.state()
    assert centre.do(TimerFired(key=key), at=10.0 + RING_S - 0.5) == []
    assert centre.state() == before


def test_accepting_an_expired_reservation_is_refused() -> None:
    centre, res, key = ringing()
    centre.fire(key)
    before = centre.state()
    with pytest.raises(ReservationNotLive) as info:
        centre.do(AcceptReservation(reservation_id=res.reservation_id), at=30.0)
    assert str(info.value) == ("reservation 'c1/1' is not live "
                               "(it expired, was answered, rejected or withdrawn)")
    assert info.value.reservation_id == "c1/1"
    assert info.value.error_id == "reservation_not_live"
    assert centre.state() == before


def test_rejecting_an_accepted_reservation_is_refused() -> None:
    centre, res, _key = ringing()
    centre.connect("c1", at=12.0)
    with pytest.raises(ReservationNotLive, match="reservation 'c1/1' is not live"):
        centre.do(RejectReservation(reservation_id=res.reservation_id), at=13.0)


def test_never_two_live_reservations_for_one_contact() -> None:
    centre, res, key = ringing()
    centre.do(LogIn(agent_id="a2", ready=True), at=11.0)  # takes c2, not c1 a second time
    assert centre.holder("c2") == "a2"
    assert sorted(r.contact.id for r in centre.engine.reservations.values()) == ["c1", "c2"]
    centre.fire(key)
    centre.agent("a3", ready_at=30.0)
    # c1 is offered again, to a3, under a new id; the old id stays dead.
    assert centre.engine.contacts["c1"].reservation_id == "c1/2"
    assert sorted(centre.engine.reservations) == ["c1/2", "c2/1"]
    with pytest.raises(ReservationNotLive):
        centre.do(AcceptReservation(reservation_id=res.reservation_id), at=31.0)
    centre.check_invariants()


def test_assigning_a_ringing_contact_is_refused() -> None:
    centre, _res, _key = ringing()
    centre.agent("a3", ready_at=11.0)  # takes c2
    centre.agent("a4", ready_at=12.0)
    before = centre.state()
    with pytest.raises(IllegalState) as info:
        centre.do(AssignContact(contact_id="c1", agent_id="a4"), at=13.0)
    assert str(info.value) == "contact 'c1' is reserved, expected waiting"
    assert centre.state() == before
