"""Wrap-up (after-contact work): its end by the agent, by the time limit, or none at all."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.core.commands import TimerFired
from hotline.core.errors import IllegalState
from tests.unit.core.test_centre import Centre, kinds, one, wake_key

WRAP_S = 30.0


def connected(wrap_up_s: float = WRAP_S) -> Centre:
    """c1 queued at 0, connected to a1 at 10; a newer c2 waits since 20."""
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1")
    centre.workflow("wf", ("cards", None), wrap_up_s=wrap_up_s)
    centre.agent("a1", ready_at=0.0)
    centre.offer("c1", at=0.0)
    centre.connect("c1", at=10.0)
    centre.offer("c2", at=20.0)
    return centre


def test_end_with_wrap_up_emits_contact_ended_and_a_wake_up() -> None:
    centre = connected()
    out = centre.end("c1", at=100.0)
    assert out == [
        ev.ContactEnded(at=100.0, contact_id="c1", agent_id="a1", wrap_up_until=100.0 + WRAP_S),
        ev.WakeUpRequested(at=100.0, key=wake_key(out, "w"), due=100.0 + WRAP_S),
    ]
    assert centre.contact_state("c1") == "wrap_up"
    assert centre.engine.agents["a1"].work["c1"].activity == "wrap_up"
    assert centre.contact_state("c2") == "waiting"  # no new call during wrap-up
    centre.check_invariants()


def test_complete_wrap_up_completes_the_contact_with_disposition_and_notes() -> None:
    centre = connected()
    key = wake_key(centre.end("c1", at=100.0), "w")
    out = centre.complete("c1", "a1", at=112.0, disposition="card_blocked", notes="lost card")
    assert out[0] == ev.ContactCompleted(
        at=112.0, contact_id="c1", agent_id="a1", first_queue="cards", channel="voice",
        queued_at=0.0, connected_at=10.0, hold_s=0.0, disposition="card_blocked",
        notes="lost card", wrap_up_timed_out=False)
    # The agent is free at once and takes the waiting c2.
    assert kinds(out[1:]) == ["ReservationCreated", "WakeUpRequested"]
    assert one(out, ev.ReservationCreated).contact_id == "c2"
    assert "c1" not in centre.engine.contacts
    assert key not in centre.engine.timers
    assert centre.do(TimerFired(key=key), at=100.0 + WRAP_S) == []


def test_wrap_up_time_limit_completes_the_contact_as_timed_out() -> None:
    centre = connected()
    key = wake_key(centre.end("c1", at=100.0), "w")
    out = centre.fire(key)
    assert out[0] == ev.ContactCompleted(
        at=100.0 + WRAP_S, contact_id="c1", agent_id="a1", first_queue="cards",
        channel="voice", queued_at=0.0, connected_at=10.0, hold_s=0.0, disposition="",
        notes="", wrap_up_timed_out=True)
    assert one(out, ev.ReservationCreated).contact_id == "c2"


def test_without_wrap_up_the_contact_completes_at_once() -> None:
    centre = connected(wrap_up_s=0.0)
    out = centre.end("c1", at=100.0)
    assert out[0] == ev.ContactCompleted(
        at=100.0, contact_id="c1", agent_id="a1", first_queue="cards", channel="voice",
        queued_at=0.0, connected_at=10.0, hold_s=0.0, disposition="", notes="",
        wrap_up_timed_out=False)
    assert kinds(out) == ["ContactCompleted", "ReservationCreated", "WakeUpRequested"]


def test_complete_wrap_up_twice_is_refused() -> None:
    centre = connected()
    centre.end("c1", at=100.0)
    centre.complete("c1", "a1", at=110.0)
    before = centre.state()
    with pytest.raises(IllegalState) as info:
        centre.complete("c1", "a1", at=111.0)
    assert str(info.value) == "agent 'a1' has no wrap-up of contact 'c1'"
    assert centre.state() == before


def test_complete_wrap_up_of_a_connected_contact_is_refused() -> None:
    centre = connected()
    with pytest.raises(IllegalState, match="agent 'a1' has no wrap-up of contact 'c1'"):
        centre.complete("c1", "a1", at=50.0)
    assert centre.contact_state("c1") == "connected"
