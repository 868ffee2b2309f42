"""Callback offers in the twin: walks fork where the flow asks the wait, the twin answers with
the engine's estimate, and callers who accept are called back keeping their place."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from hotline.core import events as ev
from hotline.core.live import WAITING
from hotline.ivr.actions import NodeEntered
from hotline.ivr.library import shipped_flow
from hotline.sim.errors import ScenarioError
from hotline.sim.ivr_pools import WalkPools
from hotline.sim.ivr_section import IvrSettings
from hotline.sim.ivr_walk import Caller
from hotline.sim.scenario import Scenario, parse_scenario
from hotline.sim.twin import Twin

SCENARIO = Path(__file__).parents[3] / "src/hotline/sim/scenarios/bank-hotline.yaml"
# Every caller asks for an agent at once, so every caller reaches the callback offer.
TO_AGENTS = {"bank-hotline.main_menu": {"0": 1.0}}


def nodes(events: tuple[Any, ...]) -> list[str]:
    return [e.node for e in events if isinstance(e, NodeEntered)]


def caller(choices: dict[str, dict[str, float]], *, seed: int = 1,
           fork_seed: int = 2) -> Caller:
    s = IvrSettings.model_validate({"choices": choices})
    return Caller(shipped_flow("bank-hotline"), s, random.Random(seed), segment="retail",
                  fork_rng=random.Random(fork_seed))


def test_a_walk_forks_at_the_offer_short_to_the_queue_long_to_a_callback() -> None:
    walk = caller({**TO_AGENTS, "bank-hotline.callback_offer": {"1": 1.0}}).walk()
    assert walk.outcome == "enqueued" and walk.offered and not walk.callback
    assert nodes(walk.events)[-2:] == ["callback_offer", "general_queue"]
    long = walk.long
    assert long is not None and long.long is None
    assert long.outcome == "callback" and long.callback and long.offered
    assert nodes(long.events)[-2:] == ["callback_offer", "callback_booked"]
    assert long.attributes == walk.attributes  # the agent learns the same either way
    assert walk.threshold_s == 180.0
    assert 0 < walk.asks_s < walk.seconds < long.seconds  # the offer is said, then keyed


def test_silence_at_the_offer_holds_for_an_agent_after_the_timeout() -> None:
    walk = caller(TO_AGENTS).walk()  # no choices at the offer: silence
    long = walk.long
    assert long is not None and long.outcome == "enqueued"
    assert nodes(long.events)[-2:] == ["callback_offer", "general_queue"]
    node = shipped_flow("bank-hotline").nodes["callback_offer"]
    assert long.seconds - walk.seconds >= node.collect.timeout_s  # type: ignore[attr-defined]


def test_the_long_branches_draw_apart_so_the_short_walks_stay_as_they_were() -> None:
    choices = {"bank-hotline.main_menu": {"0": 0.3, "1": 0.4, "hangup": 0.3},
               "bank-hotline.callback_offer": {"1": 0.5, "junk": 0.5}}
    a, b = caller(choices, fork_seed=2), caller(choices, fork_seed=3)
    walks_a = [a.walk() for _ in range(400)]
    walks_b = [b.walk() for _ in range(400)]
    for x, y in zip(walks_a, walks_b, strict=True):
        assert (x.outcome, x.seconds, x.events, x.asks_s) == (y.outcome, y.seconds, y.events,
                                                               y.asks_s)
    longs = [(x.long.outcome, y.long.outcome) for x, y in zip(walks_a, walks_b, strict=True)
             if x.long is not None and y.long is not None]
    assert len(longs) > 50 and any(p != q for p, q in longs)
    assert all(w.long is None for w in walks_a if w.outcome != "enqueued")  # never asked


def test_a_key_the_offer_does_not_take_is_named() -> None:
    data = yaml.safe_load(SCENARIO.read_text("utf-8"))
    data["ivr"]["choices"]["bank-hotline.callback_offer"] = {"1": 0.5, "2": 0.5}
    with pytest.raises(ScenarioError, match=r"ivr\.choices\.bank-hotline\.callback_offer\.2: "
                                            r"'2' is not a choice at offer_callback"):
        parse_scenario(data, "bank-hotline.yaml")


# -- the twin -----------------------------------------------------------------------------------

def scenario(*, daily: float) -> Scenario:
    """72 minutes from midnight on the night shift (13 agents), every caller asking for one."""
    data: dict[str, Any] = yaml.safe_load(SCENARIO.read_text("utf-8"))
    data["days"] = 0.05
    data["traffic"][0]["arrivals"]["daily"] = daily
    data["ivr"].update(pool=2000, vip_pool=500, vip_share=0.0,
                       choices={**TO_AGENTS, "bank-hotline.callback_offer":
                                {"1": 0.5, "junk": 0.5}})
    return parse_scenario(data, "bank-hotline.yaml")


class BacklogCheck:
    """Compares, at every 20th contact queued, each workflow's backlog on the twin's board with
    the contacts waiting for it in the engine (the events before it are all accounted for).
    A sink, not a subclass: the compiled twin takes no interpreted subclass."""

    def __init__(self) -> None:
        self.twin: Twin | None = None
        self.checks = 0
        self.mismatches: list[tuple[str, int, int]] = []

    def __call__(self, e: ev.Event) -> None:
        if not isinstance(e, ev.ContactQueued) or int(e.contact_id) % 20 or self.twin is None:
            return
        self.checks += 1
        board, engine = self.twin.board, self.twin.engine
        waiting = {name: 0 for name in board.backlogs}
        for c in engine.contacts.values():
            if c.state == WAITING:
                waiting[c.workflow.name] += 1
        self.mismatches += [(w, b.waiting, waiting[w]) for w, b in board.backlogs.items()
                            if b.waiting != waiting[w]]


def run(s: Scenario) -> tuple[BacklogCheck, dict[str, Any], list[ev.Event]]:
    seen: list[ev.Event] = []
    kept = (ev.CallbackRequested, ev.ContactAbandoned, ev.ContactConnected)
    check = BacklogCheck()

    def sink(e: ev.Event) -> None:
        check(e)
        if isinstance(e, kept):
            seen.append(e)

    check.twin = Twin(s, event_sink=sink)
    return check, check.twin.run().to_dict(), seen


def test_an_overloaded_queue_offers_callbacks_and_the_accepted_keep_their_place() -> None:
    check, result, seen = run(scenario(daily=231_000))  # ~3,000 callers for 13 agents
    ivr, flow = result["ivr"], result["ivr_flows"]["bank-hotline"]
    offered, accepted = ivr["callbacks_offered"], ivr["callbacks_accepted"]
    assert 0 < accepted < offered < ivr["entered"]
    assert abs(accepted / offered - 0.5) < 0.1  # the scenario's share, through the pool
    # The JSON adds up: the flow's funnel took the branch each caller heard.
    assert flow["outcomes"]["callback"] == accepted
    assert flow["outcomes"]["enqueued"] == ivr["to_agents"]
    funnel = {s["node"]: s["entered"] for s in flow["funnel"]}
    assert funnel["callback_booked"] == accepted
    assert result["contacts"] == ivr["to_agents"] + accepted
    # Each booked callback is one CallbackRequested; none of them abandons, as nobody holds.
    booked = {e.contact_id for e in seen if isinstance(e, ev.CallbackRequested)}
    assert len(booked) == result["totals"]["callbacks"] == accepted
    assert not booked & {e.contact_id for e in seen if isinstance(e, ev.ContactAbandoned)}
    assert booked & {e.contact_id for e in seen if isinstance(e, ev.ContactConnected)}
    # The board's count of those waiting was the engine's whenever a contact queued.
    assert check.checks > 20 and not check.mismatches


def test_an_idle_centre_offers_no_callback() -> None:
    _, result, seen = run(scenario(daily=2_000))  # ~30 callers for 13 agents
    ivr, flow = result["ivr"], result["ivr_flows"]["bank-hotline"]
    funnel = {s["node"]: s["entered"] for s in flow["funnel"]}
    assert funnel["callback_offer"] == ivr["entered"] > 10  # every caller asked the wait
    assert ivr["callbacks_offered"] == ivr["callbacks_accepted"] == 0
    assert "callback_booked" not in funnel and "callback" not in flow["outcomes"]
    assert not [e for e in seen if isinstance(e, ev.CallbackRequested)]


def test_the_same_seed_gives_the_same_offers() -> None:
    s = scenario(daily=231_000)
    a, b = run(s)[1], run(s)[1]
    for d in (a, b):
        d.pop("wall_s"), d.pop("contacts_per_s")
    assert a == b


def test_heard_long_moves_the_call_to_the_branch_in_the_report() -> None:
    s = IvrSettings.model_validate({"choices": {**TO_AGENTS, "bank-hotline.callback_offer":
                                                {"1": 1.0}}, "pool": 200})
    pools = WalkPools.for_run(s, seed=9, cache=False)
    walk = pools.draw(0.5)
    assert walk.long is not None
    before = pools.reports()["bank-hotline"].outcomes
    assert pools.heard_long(walk) is walk.long
    after = pools.reports()["bank-hotline"].outcomes
    assert (walk.outcome, walk.long.outcome) == ("enqueued", "callback")
    assert after.get("enqueued", 0) == before["enqueued"] - 1 == 0
    assert after["callback"] == before.get("callback", 0) + 1 == 1
