"""The demo floor: bank-hotline callers and rostered agents on a manual clock beside humans."""

from __future__ import annotations

import logging
import math
import random
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from hotline.core import events as ev
from hotline.core.commands import LogIn, RegisterAgent, RejectReservation
from hotline.core.definitions import AgentProfile
from hotline.core.errors import UnknownItem
from hotline.core.live import CONNECTED, NOT_READY, ON_HOLD, READY, WAITING, WRAP_UP
from hotline.live.centre import LiveCentre
from hotline.live.clock import ManualClock
from hotline.live.demo_agents import DISPOSITIONS
from hotline.live.demo_floor import DemoFloor
from hotline.sim.errors import ScenarioError
from hotline.sim.scenario import QueueModel, Scenario, load_scenario
from hotline.store.eventlog_memory import InMemoryEventLog

SPEED = 60.0
HUMAN = "bj-general-night-001"  # logged in by hand; the roster would log them out at 07:00
IDLE_HUMAN = "bj-general-early-001"  # the roster would log them in at 06:30
CUSTOMERS = ("c1", "c2", "c3", "c4", "c5")
VIPS = ("v1",)


@pytest.fixture(scope="module")
def bank() -> Scenario:
    return load_scenario("bank-hotline")


def local(scenario: Scenario, hour: int, minute: int = 0) -> float:
    """A Monday of the scenario's month, in its zone."""
    return datetime(2007, 6, 4, hour, minute, tzinfo=scenario.zone).timestamp()


def events(log: InMemoryEventLog, after: int = 0) -> list[ev.Event]:
    return [e for _, e in log.read(after=after)]


def shift_ids(scenario: Scenario, covers: time) -> set[str]:
    """Agents of the shifts that are on at ``covers`` (a shift may cross midnight)."""
    day = datetime(2007, 6, 4, tzinfo=scenario.zone)
    at = datetime.combine(day.date(), covers, tzinfo=scenario.zone)
    ids = set()
    for shift in scenario.shifts:
        for start_day in (day - timedelta(days=1), day):
            start = datetime.combine(start_day.date(), shift.start, tzinfo=scenario.zone)
            if start <= at < start + timedelta(hours=shift.hours):
                for g in scenario.agents:
                    ids |= {f"{g.group}-{shift.name}-{i + 1:03d}"
                            for i in range(g.shifts.get(shift.name, 0))}
    return ids


def new_floor(scenario: Scenario, clock: ManualClock, log: InMemoryEventLog | None = None,
              seed: int = 3, **kwargs: object) -> tuple[LiveCentre, DemoFloor, InMemoryEventLog]:
    log = InMemoryEventLog() if log is None else log
    centre = LiveCentre(log=log, clock=clock)
    floor = DemoFloor(centre, scenario, rng=random.Random(seed), **kwargs)  # type: ignore[arg-type]
    return centre, floor, log


def run(clock: ManualClock, seconds: int) -> None:
    for _ in range(seconds):
        clock.advance(1.0)


@dataclass
class Morning:
    """Two virtual hours, 06:00 to 08:00 on a Monday, at speed 60 (two clock minutes)."""

    scenario: Scenario
    t0: float
    centre: LiveCentre
    floor: DemoFloor
    log: InMemoryEventLog
    started_seq: int


@pytest.fixture(scope="module")
def morning(bank: Scenario) -> Iterator[Morning]:
    t0 = local(bank, 6)
    clock = ManualClock(t0)
    centre, floor, log = new_floor(bank, clock, speed=SPEED, humans=frozenset({HUMAN, IDLE_HUMAN}),
                                   customers=CUSTOMERS, vip_customers=VIPS)
    floor.configure()
    centre.execute(LogIn(agent_id=HUMAN, ready=True))
    started = log.last_seq()
    floor.start()
    run(clock, 120)
    yield Morning(bank, t0, centre, floor, log, started)
    floor.stop()


# --- callers and agents ----------------------------------------------------------------------
def test_calls_are_offered_answered_completed_with_dispositions_and_some_abandon(
        morning: Morning) -> None:
    happened = events(morning.log, morning.started_seq)
    queued = [e for e in happened if isinstance(e, ev.ContactQueued)]
    connected = [e for e in happened if isinstance(e, ev.ContactConnected)]
    completed = [e for e in happened if isinstance(e, ev.ContactCompleted)]
    abandoned = [e for e in happened if isinstance(e, ev.ContactAbandoned)]
    stats = morning.floor.stats
    assert len(queued) == stats.offered > 500
    assert len(connected) == stats.accepted > 300
    assert len(abandoned) == stats.abandoned > 0
    assert len(abandoned) < len(connected)
    by_floor = [c for c in completed if not c.wrap_up_timed_out]
    assert len(by_floor) == stats.wrapped_up > 300
    assert {c.disposition for c in by_floor} == set(DISPOSITIONS)
    assert stats.ivr_entered - stats.ivr_contained >= stats.offered
    assert stats.running and stats.virtual_time == local(morning.scenario, 8)


def test_arrivals_follow_the_profile_of_the_virtual_hours(morning: Morning) -> None:
    arrivals = morning.scenario.traffic[0].arrivals
    assert arrivals.daily is not None and arrivals.profile is not None
    share = sum(arrivals.profile[12:16]) / sum(arrivals.profile)  # 06:00–08:00
    expected = arrivals.daily * arrivals.weekday[0] * share
    assert abs(morning.floor.stats.ivr_entered - expected) < 4 * math.sqrt(expected)


def test_talk_times_are_the_scenarios_run_speed_times_faster(morning: Morning) -> None:
    connected = {e.contact_id: e.at for _, e in morning.log.read()
                 if isinstance(e, ev.ContactConnected)}
    talk = [e.at - connected[e.contact_id] for _, e in morning.log.read()
            if isinstance(e, ev.ContactEnded)]
    traffic = morning.scenario.traffic[0]
    mix = traffic.attributes["intent"]
    means = {k: d.expected() for k, d in traffic.handle_time_by_intent.items()}
    expected = sum(w * means.get(k, traffic.handle_time.expected()) for k, w in mix.items()) \
        / sum(mix.values())
    assert statistics.mean(talk) * SPEED == pytest.approx(expected, rel=0.25)


def test_callers_carry_customer_intent_and_authentication(morning: Morning) -> None:
    queued = [e for e in events(morning.log) if isinstance(e, ev.ContactQueued)]
    for e in queued:
        a = e.attributes
        assert a["customer_id"] in (VIPS if a["segment"] == "vip" else CUSTOMERS)
        assert a["intent"] in morning.scenario.traffic[0].attributes["intent"]
        assert isinstance(a["authenticated"], bool)
    authenticated = sum(bool(e.attributes["authenticated"]) for e in queued) / len(queued)
    assert 0.7 < authenticated < 0.9
    assert any(e.attributes["segment"] == "vip" for e in queued)
    assert len({e.contact_id for e in queued}) == len(queued)


# --- roster ----------------------------------------------------------------------------------
def test_agents_on_shift_at_the_virtual_start_log_in_at_once_then_follow_the_roster(
        morning: Morning) -> None:
    at = morning.t0
    logins = [e for e in events(morning.log, morning.started_seq)
              if isinstance(e, ev.AgentLoggedIn)]
    night = shift_ids(morning.scenario, time(6, 0)) - {HUMAN}
    early = shift_ids(morning.scenario, time(6, 45)) - shift_ids(morning.scenario, time(6, 0))
    assert night and early
    assert {e.agent_id for e in logins if e.at == at} == night
    # 06:30 virtual is half a clock minute later at speed 60.
    assert {e.agent_id for e in logins if e.at == at + 30.0} == early - {IDLE_HUMAN}
    left = {e.agent_id for e in events(morning.log) if isinstance(e, ev.AgentLoggedOut)}
    assert left == night  # the night shift ends at 07:00 (once their work is done)


def test_human_agents_are_never_acted_for(morning: Morning) -> None:
    mine = [e for e in events(morning.log) if getattr(e, "agent_id", None) == HUMAN]
    kinds = {type(e) for e in mine}
    assert ev.ReservationCreated in kinds and ev.ReservationTimedOut in kinds  # offered, unanswered
    assert not kinds & {ev.ContactConnected, ev.ContactEnded, ev.AgentLoggedOut,
                        ev.AgentLogoutRequested, ev.WrapUpEnded}
    assert [e.at for e in mine if isinstance(e, ev.AgentLoggedIn)] == [morning.t0]
    agent = morning.centre.engine.agents[HUMAN]
    assert (agent.presence, agent.reason) == (NOT_READY, "no_answer")  # not put back to ready
    idle = [e for e in events(morning.log) if getattr(e, "agent_id", None) == IDLE_HUMAN]
    assert [type(e) for e in idle] == [ev.AgentRegistered]


# --- configure, restart, stop ----------------------------------------------------------------
def test_configure_defines_everything_once_with_agents_that_answer_offers(bank: Scenario) -> None:
    _, floor, log = new_floor(bank, ManualClock(local(bank, 3)))
    done = floor.configure()
    registered = [e for e in events(log) if isinstance(e, ev.AgentRegistered)]
    assert done == log.last_seq() == len(bank.queues) + len(bank.workflows) + len(registered)
    assert len(registered) == sum(sum(g.shifts.values()) for g in bank.agents)
    assert not any(e.auto_accept for e in registered)
    assert floor.configure() == 0 and log.last_seq() == done


def test_a_definition_the_engine_refuses_names_the_scenario_and_field(bank: Scenario) -> None:
    vip = QueueModel(name="@vip", expression="skills.vip >= 1")
    _, floor, _ = new_floor(bank.model_copy(update={"queues": [vip]}), ManualClock(0.0))
    with pytest.raises(ScenarioError, match=r"bank-hotline: queue\.name: must not start with '@'"):
        floor.configure()


def test_restart_configures_nothing_twice_and_finishes_the_open_work(bank: Scenario) -> None:
    clock = ManualClock(local(bank, 3))
    centre, floor, log = new_floor(bank, clock, speed=SPEED)
    floor.configure()
    floor.start()
    run(clock, 30)
    floor.stop()  # the process dies: its callbacks go with it
    centre.close()
    clock.advance(0.5)
    centre, floor, _ = new_floor(bank, clock, log=log, seed=4, speed=SPEED)
    seq = log.last_seq()
    assert floor.configure() == 0 and log.last_seq() == seq
    engine = centre.engine
    busy = {cid for cid, c in engine.contacts.items() if c.state in (CONNECTED, ON_HOLD, WRAP_UP)}
    assert busy
    floor.start()
    # Everyone on shift is still logged in: nobody logs in again.
    assert not any(isinstance(e, ev.AgentLoggedIn) for e in events(log, seq))
    run(clock, 30)
    assert not busy & engine.contacts.keys()
    queued = [e.contact_id for e in events(log) if isinstance(e, ev.ContactQueued)]
    assert len(set(queued)) == len(queued) > len([e for e in events(log, seq)
                                                  if isinstance(e, ev.ContactQueued)]) > 0


def test_stop_cancels_every_callback_of_the_floor_and_nothing_else(bank: Scenario) -> None:
    clock = ManualClock(local(bank, 3))
    _, floor, log = new_floor(bank, clock, speed=SPEED)
    floor.configure()
    floor.start()
    run(clock, 20)
    own, pending = floor.stats.pending, clock.pending()
    assert own > 0
    floor.stop()
    assert floor.stats.pending == 0 and not floor.stats.running
    assert clock.pending() == pending - own  # the engine's timers stay armed
    seq = log.last_seq()
    run(clock, 600)
    acted = (ev.ContactQueued, ev.AgentLoggedIn, ev.AgentLoggedOut, ev.PresenceChanged,
             ev.ContactConnected, ev.ContactEnded, ev.ContactAbandoned)
    after = events(log, seq)
    assert not [e for e in after if isinstance(e, acted)
                and not (isinstance(e, ev.PresenceChanged) and e.reason == "no_answer")]
    assert all(c.wrap_up_timed_out for c in after if isinstance(c, ev.ContactCompleted))


def test_virtual_time_stands_still_while_stopped_and_resumes(bank: Scenario) -> None:
    t0 = local(bank, 3)
    clock = ManualClock(t0)
    _, floor, log = new_floor(bank, clock, speed=SPEED)
    floor.configure()
    assert floor.virtual_time == t0
    floor.start()
    run(clock, 10)
    floor.stop()
    run(clock, 100)
    assert floor.stats.virtual_time == t0 + 600.0
    seq = log.last_seq()
    floor.start()
    assert not events(log, seq)  # the same agents are on shift: nothing to change
    run(clock, 10)
    assert floor.virtual_time == t0 + 1200.0
    assert any(isinstance(e, ev.ContactQueued) for e in events(log, seq))


def test_same_seed_and_clock_give_the_same_floor(bank: Scenario) -> None:
    logs = []
    for _ in range(2):
        clock = ManualClock(local(bank, 3))
        _, floor, log = new_floor(bank, clock, speed=SPEED, customers=CUSTOMERS)
        floor.configure()
        floor.start()
        run(clock, 20)
        logs.append([ev.to_dict(e) for e in events(log)])
    assert logs[0] == logs[1] and len(logs[0]) > 300


# --- speed -----------------------------------------------------------------------------------
@pytest.mark.parametrize("speed", [0, -1.0, math.nan, math.inf])
def test_a_speed_must_be_a_positive_number(bank: Scenario, speed: float) -> None:
    _, floor, _ = new_floor(bank, ManualClock(0.0))
    with pytest.raises(ValueError, match="speed: must be a positive number"):
        floor.set_speed(speed)
    with pytest.raises(ValueError, match="speed: must be a positive number"):
        new_floor(bank, ManualClock(0.0), speed=speed)


def test_set_speed_keeps_virtual_time_and_changes_the_rate_at_once(bank: Scenario) -> None:
    clock = ManualClock(local(bank, 3))
    _, floor, _ = new_floor(bank, clock, speed=6.0)
    floor.configure()
    floor.start()
    run(clock, 10)
    slow = floor.stats.ivr_entered
    before = floor.stats.virtual_time
    floor.set_speed(60.0)
    assert floor.stats.virtual_time == before and floor.speed == 60.0
    run(clock, 10)
    fast = floor.stats.ivr_entered - slow
    assert floor.stats.virtual_time == pytest.approx(before + 600.0)
    assert 5 * slow < fast < 20 * slow


# --- injected calls --------------------------------------------------------------------------
def alice(centre: LiveCentre) -> None:
    centre.execute(RegisterAgent(profile=AgentProfile(agent_id="alice", site="beijing",
                                                      skills={"cards": 5})))
    centre.execute(LogIn(agent_id="alice", ready=True))


def test_an_injected_call_rings_a_ready_human_and_nobody_answers_for_them(
        bank: Scenario) -> None:
    clock = ManualClock(local(bank, 10))
    centre, floor, log = new_floor(bank, clock, speed=SPEED)
    floor.configure()
    alice(centre)
    seq = log.last_seq()
    cid = floor.inject_call(workflow="retail-north", attributes={"customer_id": "c-42"})
    offered = events(log, seq)
    assert isinstance(offered[0], ev.ContactQueued) and offered[0].contact_id == cid
    assert offered[0].attributes["customer_id"] == "c-42"
    assert isinstance(offered[0].attributes["authenticated"], bool)
    reservations = [e for e in offered if isinstance(e, ev.ReservationCreated)]
    assert [(r.contact_id, r.agent_id) for r in reservations] == [(cid, "alice")]
    run(clock, 5)
    assert centre.engine.contacts[cid].agent_id == "alice"
    assert not any(isinstance(e, ev.ContactConnected) for e in events(log, seq))


def test_an_injected_caller_waits_for_ever_unless_given_a_patience(bank: Scenario) -> None:
    clock = ManualClock(local(bank, 10))
    centre, floor, log = new_floor(bank, clock)
    floor.configure()
    patient = floor.inject_call(workflow="english")
    hasty = floor.inject_call(workflow="retail-north", patience_s=5.0)
    clock.advance(4.9)
    assert centre.engine.contacts[hasty].state == WAITING
    clock.advance(0.2)
    assert hasty not in centre.engine.contacts
    assert [e.contact_id for e in events(log) if isinstance(e, ev.ContactAbandoned)] == [hasty]
    clock.advance(3600.0)
    assert patient in centre.engine.contacts and floor.stats.abandoned == 1
    with pytest.raises(UnknownItem, match="unknown workflow 'nope'"):
        floor.inject_call(workflow="nope")
    with pytest.raises(ValueError, match="patience_s: must be ≥ 0 seconds"):
        floor.inject_call(patience_s=-1.0)


def test_a_simulated_agent_talks_for_the_injected_handle_time(bank: Scenario) -> None:
    clock = ManualClock(local(bank, 3))
    _, floor, log = new_floor(bank, clock, speed=1.0)
    floor.configure()
    floor.start()
    cid = floor.inject_call(workflow="retail-north", handle_s=30.0)
    run(clock, 60)
    mine = [e for e in events(log) if getattr(e, "contact_id", None) == cid]
    connected = next(e for e in mine if isinstance(e, ev.ContactConnected))
    ended = next(e for e in mine if isinstance(e, ev.ContactEnded))
    assert connected.agent_id.startswith("bj-")
    assert ended.at - connected.at == pytest.approx(30.0)


def test_a_simulated_agent_whose_offer_was_refused_gets_back_to_work(
        bank: Scenario, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hotline.live.demo_floor")
    clock = ManualClock(local(bank, 3))
    centre, floor, log = new_floor(bank, clock, speed=1.0)
    floor.configure()
    floor.start()
    seq = log.last_seq()
    cid = floor.inject_call(workflow="retail-north")
    offer = next(e for e in events(log, seq) if isinstance(e, ev.ReservationCreated))
    # Someone else refuses the offer before the agent picks up.
    centre.execute(RejectReservation(reservation_id=offer.reservation_id))
    agent = centre.engine.agents[offer.agent_id]
    assert (agent.presence, agent.reason) == (NOT_READY, "rejected")
    clock.advance(3.01)
    assert agent.presence == READY
    assert f"accept skipped: reservation '{offer.reservation_id}' is not live" in caplog.text
    run(clock, 10)
    connected = [e for e in events(log, seq)
                 if isinstance(e, ev.ContactConnected) and e.contact_id == cid]
    assert len(connected) == 1 and connected[0].agent_id != offer.agent_id
