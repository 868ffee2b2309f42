"""The twin's wait estimate: the queue-length predictor over the engine's live staffing."""

from __future__ import annotations

import math

import pytest

from hotline.core.commands import DefineQueue, LogIn, RegisterAgent, SetPresence
from hotline.core.definitions import AgentProfile, QueueSpec
from hotline.core.engine import Engine
from hotline.sim.wait_board import SMOOTHING, Backlog, WaitBoard, estimate_wait


@pytest.mark.parametrize(("ahead", "staffed", "handle", "expected"), [
    (0, 10, 200.0, 0.0),          # nobody ahead: no wait
    (9, 20, 200.0, 100.0),        # ten of twenty agents must finish: half a handle time
    (1, 1, 300.0, 600.0),         # the one ahead, then this caller's turn
    (5, 0, 200.0, math.inf),      # nobody staffed: a wait nobody can tell
    (5, 3, 0.0, math.inf),        # no contact completed yet: nor with no handle time
])
def test_the_estimate_is_those_ahead_plus_one_handle_times_over_the_agents(
        ahead: int, staffed: int, handle: float, expected: float) -> None:
    assert estimate_wait(ahead=ahead, staffed=staffed, mean_handle_s=handle) == expected


def test_the_mean_handle_time_starts_at_the_first_contact_and_follows_recent_ones() -> None:
    backlog = Backlog("q")
    backlog.completed(100.0)
    assert backlog.handle_s == 100.0
    backlog.completed(300.0)
    assert backlog.handle_s == pytest.approx(100.0 + SMOOTHING * 200.0)
    for _ in range(500):  # the old level is forgotten
        backlog.completed(300.0)
    assert backlog.handle_s == pytest.approx(300.0, abs=0.01)


def centre() -> Engine:
    engine = Engine()
    engine.handle(DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1")), 0.0)
    engine.handle(DefineQueue(queue=QueueSpec(name="loans", expression="skills.loans >= 1")), 0.0)
    for name, skills in (("a1", {"cards": 5}), ("a2", {"cards": 5}), ("a3", {"cards": 5}),
                         ("b1", {"loans": 5})):
        engine.handle(RegisterAgent(profile=AgentProfile(agent_id=name, site="bj",
                                                         skills=skills, auto_accept=True)), 0.0)
    for name in ("a1", "a2", "a3", "b1"):
        engine.handle(LogIn(agent_id=name, ready=True), 0.0)
    return engine


def test_staffed_are_the_first_queues_ready_agents_counted_again_after_a_roster_change() -> None:
    engine = centre()
    engine.handle(SetPresence(agent_id="a3", ready=False, reason="break"), 1.0)
    board = WaitBoard(engine, {"cards-first": "cards", "loans-first": "loans"})
    backlog = board.backlogs["cards-first"]
    backlog.waiting, backlog.handle_s = 3, 100.0
    assert board.estimate("cards-first") == 4 * 100.0 / 2  # a3 is on a break; b1 not a member
    engine.handle(SetPresence(agent_id="a3", ready=True), 2.0)
    assert board.estimate("cards-first") == 200.0  # counted once until the roster moves
    board.roster_changed()
    assert board.estimate("cards-first") == pytest.approx(4 * 100.0 / 3)
    assert board.estimate("loans-first") == 0.0  # nobody waits there
