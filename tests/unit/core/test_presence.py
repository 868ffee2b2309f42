"""Presence: not ready revokes offers; logout waits for open work; forced logout ends wrap-ups."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.core.commands import LogIn, LogOut, SetPresence, UpdateAgent
from hotline.core.definitions import AgentProfile
from hotline.core.errors import IllegalState
from tests.unit.core.test_centre import Centre, kinds, one, standard_centre, wake_key

WRAP_S = 30.0


def centre_with_wrap_up() -> Centre:
    centre = standard_centre()
    centre.workflow("wrap", ("cards", None), wrap_up_s=WRAP_S)
    return centre


# --- not ready -------------------------------------------------------------------------------
def test_not_ready_revokes_a_ringing_offer_and_the_contact_keeps_its_place() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    ring_key = wake_key(centre.offer("c1", at=1.0), "r")
    centre.offer("c2", at=2.0)
    out = centre.do(SetPresence(agent_id="a1", ready=False, reason="break"), at=3.0)
    assert out == [
        ev.PresenceChanged(at=3.0, agent_id="a1", ready=False, reason="break"),
        ev.ReservationRevoked(at=3.0, reservation_id="c1/1", contact_id="c1", agent_id="a1",
                              reason="not_ready"),
    ]
    assert centre.presence("a1") == ("not_ready", "break")
    assert centre.contact_state("c1") == "waiting"
    assert ring_key not in centre.engine.timers
    out = centre.agent("a2", ready_at=4.0)
    assert one(out, ev.ReservationCreated).contact_id == "c1"  # still ahead of c2


def test_not_ready_without_a_reason_says_not_ready() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    assert centre.do(SetPresence(agent_id="a1", ready=False), at=1.0) == [
        ev.PresenceChanged(at=1.0, agent_id="a1", ready=False, reason="not_ready")]


def test_not_ready_during_a_call_keeps_the_call() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0)
    centre.connect("c1", at=2.0)
    out = centre.do(SetPresence(agent_id="a1", ready=False, reason="lunch"), at=3.0)
    assert kinds(out) == ["PresenceChanged"]
    centre.offer("c2", at=4.0)
    out = centre.end("c1", at=10.0)
    assert kinds(out) == ["ContactCompleted"]  # not ready: c2 keeps waiting
    assert centre.contact_state("c2") == "waiting"


def test_login_not_ready_then_ready() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=None)
    centre.offer("c1", at=0.0)
    assert centre.do(LogIn(agent_id="a1"), at=1.0) == [
        ev.AgentLoggedIn(at=1.0, agent_id="a1", ready=False, reason="logged_in")]
    assert centre.contact_state("c1") == "waiting"
    out = centre.do(SetPresence(agent_id="a1", ready=True), at=2.0)
    assert one(out, ev.ReservationCreated).agent_id == "a1"


def test_update_agent_moves_queue_membership_and_routes_waiting_work() -> None:
    centre = standard_centre()
    centre.agent("a1", skills={"loans": 3}, ready_at=0.0)
    centre.offer("c1", at=1.0)
    assert centre.contact_state("c1") == "waiting"
    out = centre.do(UpdateAgent(profile=AgentProfile(
        agent_id="a1", site="beijing", skills={"cards": 2}, languages=frozenset({"zh"}))),
        at=5.0)
    assert kinds(out) == ["AgentUpdated", "ReservationCreated", "WakeUpRequested"]
    assert sorted(centre.engine.queues["cards"].members) == ["a1"]


# --- logout ----------------------------------------------------------------------------------
def test_logout_when_idle_is_immediate() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    assert centre.do(LogOut(agent_id="a1"), at=5.0) == [ev.AgentLoggedOut(at=5.0, agent_id="a1")]
    assert centre.presence("a1") == ("offline", "")


def test_logout_during_a_call_waits_for_the_call_to_end() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0)
    centre.connect("c1", at=2.0)
    assert centre.do(LogOut(agent_id="a1"), at=10.0) == [
        ev.AgentLogoutRequested(at=10.0, agent_id="a1")]
    assert centre.engine.agents["a1"].pending_logout
    # Asking again changes nothing; going ready is refused.
    assert centre.do(LogOut(agent_id="a1"), at=11.0) == []
    with pytest.raises(IllegalState, match="agent 'a1' is logging out"):
        centre.do(SetPresence(agent_id="a1", ready=True), at=12.0)
    centre.offer("c2", at=13.0)  # no new work for a leaving agent
    assert centre.contact_state("c2") == "waiting"
    out = centre.end("c1", at=20.0)
    assert kinds(out) == ["ContactCompleted", "AgentLoggedOut"]
    assert out[1] == ev.AgentLoggedOut(at=20.0, agent_id="a1")
    assert centre.contact_state("c2") == "waiting"
    centre.check_invariants()


def test_logout_revokes_ringing_offers_back_to_their_place() -> None:
    centre = standard_centre()
    centre.agent("a1", capacity={"email": 2}, ready_at=None)
    centre.offer("e1", at=0.0, channel="email")
    centre.offer("e2", at=1.0, channel="email")
    centre.offer("e3", at=2.0, channel="email")
    centre.do(LogIn(agent_id="a1", ready=True), at=5.0)  # e1 and e2 ring
    centre.connect("e1", at=6.0)
    out = centre.do(LogOut(agent_id="a1"), at=7.0)
    assert out == [
        ev.AgentLogoutRequested(at=7.0, agent_id="a1"),
        ev.ReservationRevoked(at=7.0, reservation_id="e2/1", contact_id="e2", agent_id="a1",
                              reason="logged_out"),
    ]
    out = centre.agent("a2", capacity={"email": 1}, ready_at=8.0)
    assert one(out, ev.ReservationCreated).contact_id == "e2"  # ahead of e3
    out = centre.end("e1", at=9.0)
    assert kinds(out) == ["ContactCompleted", "AgentLoggedOut"]


def test_logout_with_only_a_ringing_offer_hands_it_to_another_agent() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0)
    centre.agent("a2", ready_at=2.0)
    out = centre.do(LogOut(agent_id="a1"), at=3.0)
    assert kinds(out) == ["ReservationRevoked", "ReservationCreated", "WakeUpRequested",
                          "AgentLoggedOut"]
    assert one(out, ev.ReservationCreated).agent_id == "a2"


def test_logout_during_wrap_up_waits_for_the_wrap_up() -> None:
    centre = centre_with_wrap_up()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0, workflow="wrap")
    centre.connect("c1", at=2.0)
    centre.end("c1", at=10.0)
    assert kinds(centre.do(LogOut(agent_id="a1"), at=11.0)) == ["AgentLogoutRequested"]
    out = centre.complete("c1", "a1", at=15.0, disposition="done")
    assert kinds(out) == ["ContactCompleted", "AgentLoggedOut"]


def test_forced_logout_ends_wrap_ups() -> None:
    centre = centre_with_wrap_up()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0, workflow="wrap")
    centre.connect("c1", at=2.0)
    wrap_key = wake_key(centre.end("c1", at=10.0), "w")
    out = centre.do(LogOut(agent_id="a1", force=True), at=12.0)
    assert out == [
        ev.ContactCompleted(at=12.0, contact_id="c1", agent_id="a1", first_queue="cards",
                            channel="voice", queued_at=1.0, connected_at=2.0, hold_s=0.0,
                            disposition="forced_logout", notes="", wrap_up_timed_out=False),
        ev.AgentLoggedOut(at=12.0, agent_id="a1"),
    ]
    assert wrap_key not in centre.engine.timers
    assert centre.presence("a1") == ("offline", "")


def test_forced_logout_with_a_waiting_contact_logs_the_agent_out() -> None:
    centre = centre_with_wrap_up()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0, workflow="wrap")
    centre.connect("c1", at=2.0)
    centre.end("c1", at=10.0)
    centre.offer("c2", at=11.0, workflow="wrap")
    out = centre.do(LogOut(agent_id="a1", force=True), at=12.0)
    assert kinds(out) == ["ContactCompleted", "AgentLoggedOut"]
    assert centre.contact_state("c2") == "waiting"


def test_forced_logout_during_a_call_still_waits_for_the_call() -> None:
    centre = centre_with_wrap_up()
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=1.0, workflow="wrap")
    centre.connect("c1", at=2.0)
    assert kinds(centre.do(LogOut(agent_id="a1", force=True), at=5.0)) == [
        "AgentLogoutRequested"]
    assert centre.contact_state("c1") == "connected"


def test_logout_when_offline_is_refused() -> None:
    centre = standard_centre()
    centre.agent("a1", ready_at=None)
    before = centre.state()
    with pytest.raises(IllegalState) as info:
        centre.do(LogOut(agent_id="a1"), at=1.0)
    assert str(info.value) == "agent 'a1' is not logged in"
    assert centre.state() == before
