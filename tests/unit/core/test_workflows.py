"""Workflows: step timeouts widen the pool (overflow to the other site), then a fallback."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.core.commands import LogIn, RejectReservation, TimerFired
from hotline.core.definitions import Fallback
from tests.unit.core.test_centre import RING_S, Centre, kinds, one, wake_key

STEP_S = 30.0


def two_sites(fallback: Fallback | None = None) -> Centre:
    """Beijing first, Shanghai after 30 s ('wf'); Shanghai's own callers use 'sh'."""
    centre = Centre()
    centre.queue("bj", 'site == "beijing"', site="beijing")
    centre.queue("sh", 'site == "shanghai"', site="shanghai")
    centre.workflow("wf", ("bj", STEP_S), ("sh", STEP_S if fallback else None),
                    fallback=fallback)
    centre.workflow("sh", ("sh", None))
    centre.workflow("bj_only", ("bj", STEP_S), fallback=fallback or Fallback.VOICEMAIL)
    return centre


def test_offer_with_a_step_timeout_asks_for_a_wake_up() -> None:
    centre = two_sites()
    out = centre.offer("c1", at=100.0)
    assert out[1:] == [ev.WakeUpRequested(at=100.0, key=wake_key(out, "s"), due=100.0 + STEP_S)]


def test_step_timeout_widens_the_pool_to_the_other_site() -> None:
    centre = two_sites()
    centre.agent("sh1", site="shanghai", ready_at=None)
    out = centre.offer("c1", at=0.0)
    key = wake_key(out, "s")
    centre.do(LogIn(agent_id="sh1", ready=True), at=10.0)
    assert centre.contact_state("c1") == "waiting"  # Shanghai is not yet in the pool

    out = centre.fire(key)
    assert out[0] == ev.ContactOverflowed(at=STEP_S, contact_id="c1", step=1, queue="sh")
    created = one(out, ev.ReservationCreated)
    assert (created.contact_id, created.agent_id, created.queue) == ("c1", "sh1", "sh")
    assert centre.state()["contacts"]["c1"]["pool"] == ["bj", "sh"]  # type: ignore[index]
    centre.check_invariants()


def test_widened_contact_is_still_served_by_the_first_site() -> None:
    centre = two_sites()
    out = centre.offer("c1", at=0.0)
    centre.fire(wake_key(out, "s"))
    assert centre.contact_state("c1") == "waiting"
    centre.agent("bj1", site="beijing", ready_at=40.0)
    assert centre.holder("c1") == "bj1"


def test_overflowed_contact_keeps_its_place_ahead_of_newer_contacts_of_that_queue() -> None:
    centre = two_sites()
    centre.agent("sh1", site="shanghai", ready_at=0.0)
    centre.offer("sh_caller_0", at=1.0, workflow="sh")  # keeps sh1 busy
    centre.connect("sh_caller_0", at=2.0)
    out = centre.offer("bj_caller", at=5.0)  # waits in Beijing, widens at 35
    centre.offer("sh_caller_1", at=10.0, workflow="sh")  # newer, but already in Shanghai
    overflow = centre.fire(wake_key(out, "s"))
    assert kinds(overflow) == ["ContactOverflowed"]  # nobody free in Shanghai: it waits
    assert overflow[0].at == 5.0 + STEP_S
    centre.check_invariants()

    out = centre.end("sh_caller_0", at=50.0)
    assert kinds(out) == ["ContactCompleted", "ReservationCreated", "WakeUpRequested"]
    assert one(out, ev.ReservationCreated).contact_id == "bj_caller"
    assert centre.contact_state("sh_caller_1") == "waiting"


def test_connected_contact_ignores_its_old_step_timer() -> None:
    centre = two_sites()
    centre.agent("bj1", ready_at=0.0)
    out = centre.offer("c1", at=0.0)
    key = wake_key(out, "s")
    centre.connect("c1", at=5.0)
    assert key not in centre.engine.timers
    before = centre.state()
    assert centre.do(TimerFired(key=key), at=STEP_S) == []
    assert centre.state() == before


def test_timer_fired_before_its_due_time_does_nothing() -> None:
    centre = two_sites()
    out = centre.offer("c1", at=0.0)
    before = centre.state()
    assert centre.do(TimerFired(key=wake_key(out, "s")), at=STEP_S - 1.0) == []
    assert centre.state() == before


def test_second_step_timeout_arms_the_next_wake_up() -> None:
    centre = two_sites(fallback=Fallback.VOICEMAIL)
    out = centre.offer("c1", at=0.0)
    out = centre.fire(wake_key(out, "s"))
    assert out == [
        ev.ContactOverflowed(at=STEP_S, contact_id="c1", step=1, queue="sh"),
        ev.WakeUpRequested(at=STEP_S, key=wake_key(out, "s"), due=2 * STEP_S),
    ]


def test_fallback_voicemail_after_the_last_step() -> None:
    centre = two_sites(fallback=Fallback.VOICEMAIL)
    out = centre.offer("c1", at=0.0)
    out = centre.fire(wake_key(out, "s"))
    out = centre.fire(wake_key(out, "s"))
    assert out == [ev.ContactDiverted(at=2 * STEP_S, contact_id="c1", first_queue="bj",
                                      channel="voice", queued_at=0.0, to="voicemail")]
    assert "c1" not in centre.engine.contacts
    assert centre.engine.timers == {}


def test_fallback_message() -> None:
    centre = two_sites()
    centre.workflow("msg", ("bj", 20.0), fallback=Fallback.MESSAGE)
    out = centre.offer("c1", at=0.0, workflow="msg")
    out = centre.fire(wake_key(out, "s"))
    assert out == [ev.ContactDiverted(at=20.0, contact_id="c1", first_queue="bj",
                                      channel="voice", queued_at=0.0, to="message")]


def test_fallback_callback_keeps_the_place_and_uses_the_caller_number() -> None:
    centre = two_sites()
    centre.workflow("cb", ("bj", 20.0), fallback=Fallback.CALLBACK)
    out = centre.offer("c1", at=0.0, workflow="cb", attributes={"caller_number": "13800138000"})
    centre.offer("c2", at=10.0, workflow="cb")
    out = centre.fire(wake_key(out, "s"))
    assert out == [ev.CallbackRequested(at=20.0, contact_id="c1", number="13800138000")]
    contact = centre.state()["contacts"]["c1"]  # type: ignore[index]
    assert (contact["channel"], contact["state"], contact["callback_number"]) == (
        "callback", "waiting", "13800138000")
    out = centre.agent("bj1", ready_at=25.0)
    created = one(out, ev.ReservationCreated)
    assert created.contact_id == "c1"  # the callback kept its place ahead of c2
    connected = one(centre.accept("c1", at=26.0), ev.ContactConnected)
    assert (connected.channel, connected.queued_at) == ("callback", 0.0)


def test_fallback_callback_without_a_caller_number_uses_unknown() -> None:
    centre = two_sites()
    centre.workflow("cb", ("bj", 20.0), fallback=Fallback.CALLBACK)
    out = centre.fire(wake_key(centre.offer("c1", at=0.0, workflow="cb"), "s"))
    assert out == [ev.CallbackRequested(at=20.0, contact_id="c1", number="unknown")]


def test_last_step_timeout_while_ringing_waits_for_the_offer_to_settle() -> None:
    centre = two_sites()
    centre.agent("bj1", ready_at=None)
    out = centre.offer("c1", at=0.0, workflow="bj_only")
    step_key = wake_key(out, "s")
    out = centre.do(LogIn(agent_id="bj1", ready=True), at=25.0)
    expires = one(out, ev.ReservationCreated).expires_at
    assert expires == 25.0 + RING_S
    out = centre.fire(step_key)  # at 30, while c1 rings at bj1
    assert out == [ev.WakeUpRequested(at=STEP_S, key=step_key, due=expires)]
    rid = centre.engine.contacts["c1"].reservation_id
    assert rid is not None
    centre.do(RejectReservation(reservation_id=rid), at=32.0)
    out = centre.fire(step_key)
    assert kinds(out) == ["ContactDiverted"]
    assert out[0].at == expires


@pytest.mark.parametrize("fallback", [Fallback.VOICEMAIL, Fallback.MESSAGE, Fallback.CALLBACK])
def test_the_fallback_is_recorded_with_the_workflow(fallback: Fallback) -> None:
    centre = two_sites(fallback=fallback)
    defined = [e for e in centre.log if isinstance(e, ev.WorkflowDefined)]
    assert defined[0] == ev.WorkflowDefined(at=0.0, workflow="wf",
                                            steps=(("bj", STEP_S), ("sh", STEP_S)),
                                            fallback=fallback.value, wrap_up_s=0.0)
