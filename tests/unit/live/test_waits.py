"""The live centre's wait estimate: contacts ahead, recent handle time, agents staffed."""

from __future__ import annotations

import math

from hotline.core import events as ev
from hotline.core.commands import AcceptReservation, CompleteWrapUp, EndContact, LogIn
from hotline.live.waits import LiveWaits
from tests.unit.web.conftest import World, build_world


def accept(world: World, contact_id: str) -> None:
    centre = world.services.centre
    offer = next(e for _, e in reversed(list(centre.log.read()))
                 if isinstance(e, ev.ReservationCreated) and e.contact_id == contact_id)
    centre.execute(AcceptReservation(reservation_id=offer.reservation_id))


def handle(world: World, contact_id: str, agent_id: str, talk_s: float) -> None:
    accept(world, contact_id)
    world.clock.advance(talk_s)
    world.services.centre.execute(EndContact(contact_id=contact_id))
    world.services.centre.execute(CompleteWrapUp(contact_id=contact_id, agent_id=agent_id))


def test_the_estimate_follows_the_backlog_the_handle_time_and_the_staffing() -> None:
    world = build_world()
    centre = world.services.centre
    waits = LiveWaits(centre)
    centre.subscribe(waits.heard)
    assert waits.estimate("cards") == 0.0  # nobody ahead
    assert math.isinf(waits.estimate("no-such-workflow"))

    centre.execute(LogIn(agent_id="a1", ready=True))
    world.offer("c1")  # reserved to a1: still not connected, so still ahead
    world.offer("c2")
    assert waits.queued.keys() == {"c1", "c2"}
    assert math.isinf(waits.estimate("cards"))  # no handle time seen yet

    handle(world, "c1", "a1", talk_s=120.0)  # completes; c2 goes to a1
    assert waits.queued.keys() == {"c2"}
    world.offer("c3")
    world.offer("c4")
    # c2 (reserved), c3 and c4 ahead, one agent staffed, 120 s a contact: (3 + 1) × 120 / 1
    assert waits.estimate("cards") == 480.0

    centre.execute(LogIn(agent_id="a2", ready=True))  # a second agent halves it
    assert waits.queued.keys() == {"c2", "c3", "c4"}  # c3 reserved to a2: still ahead
    assert waits.estimate("cards") == 240.0
    accept(world, "c2")
    assert waits.estimate("cards") == 180.0  # c3 and c4 ahead: (2 + 1) × 120 / 2


def test_a_restart_counts_what_the_replayed_log_left_waiting() -> None:
    world = build_world()
    world.offer("c1")
    world.offer("c2")  # nobody logged in: both wait
    waits = LiveWaits(world.services.centre)  # built after the fact, as after a replay
    assert waits.queued.keys() == {"c1", "c2"}
    assert waits.board.backlogs["cards"].waiting == 2
