"""Simulated callers walk the real IVR flows: choices, bank answers, pools and the twin."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hotline.cli import app
from hotline.core import events as ev
from hotline.ivr.actions import BankRequest, IvrEnded, NodeEntered
from hotline.ivr.inputs import BankReplied
from hotline.ivr.library import shipped_flow
from hotline.ivr.metrics import ivr_report
from hotline.sim.errors import ScenarioError
from hotline.sim.ivr_answers import WalkBank
from hotline.sim.ivr_pools import Pool, WalkPools, build_pools
from hotline.sim.ivr_section import IvrSettings
from hotline.sim.ivr_walk import MAX_INPUTS, Caller
from hotline.sim.scenario import Scenario, load_scenario, parse_scenario
from hotline.sim.twin import Twin

SCENARIO = Path(__file__).parents[3] / "src/hotline/sim/scenarios/bank-hotline.yaml"
runner = CliRunner()


def bank_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SCENARIO.read_text("utf-8"))
    return data


def settings(choices: dict[str, dict[str, float]], **fields: Any) -> IvrSettings:
    return IvrSettings.model_validate({"choices": choices, **fields})


def caller(s: IvrSettings, *, seed: int = 1, flow: str = "bank-hotline",
           memo: bool = True) -> Caller:
    return Caller(shipped_flow(flow), s, random.Random(seed), segment="retail", memo=memo)


def nodes(events: tuple[Any, ...]) -> list[str]:
    return [e.node for e in events if isinstance(e, NodeEntered)]


class RecordingBank(WalkBank):
    """The walk's bank, recording the operations the flow asked for."""

    def __init__(self, inner: WalkBank) -> None:
        self.__dict__.update(inner.__dict__)
        self.asked: list[str] = []

    def answer(self, request: BankRequest, rng: random.Random) -> BankReplied:
        self.asked.append(request.operation)
        return super().answer(request, rng)


def small_twin(choices: dict[str, dict[str, float]] | None = None, *, days: float = 0.05,
               **fields: Any) -> Scenario:
    data = bank_data()
    data["days"] = days
    data["ivr"].update(pool=2000, vip_pool=500, **fields)
    if choices is not None:
        data["ivr"]["choices"] = choices
    return parse_scenario(data, "bank-hotline.yaml")


# -- single walks -------------------------------------------------------------------------------

LOST_CARD = {"bank-hotline.main_menu": {"4": 1.0}, "bank-hotline.anything_else": {"hangup": 1.0}}


def test_a_lost_card_caller_reaches_the_freeze_and_ends_in_the_ivr() -> None:
    c = caller(settings(LOST_CARD, authenticate_ok=1.0))
    bank = c.bank = RecordingBank(c.bank)
    walk = c.walk()
    assert bank.asked == ["verify_pin", "freeze_card"]
    assert nodes(walk.events)[-3:] == ["lost_card_auth", "freeze_card", "anything_else"]
    assert walk.outcome == "abandoned" and walk.contained and not walk.offered
    assert walk.attributes == {}


def test_a_card_already_frozen_is_said_so_and_still_contained() -> None:
    c = caller(settings(LOST_CARD, authenticate_ok=1.0, bank={"freeze_card": {"card_frozen": 1}}))
    walk = c.walk()
    assert nodes(walk.events)[-3:] == ["freeze_card", "card_already_frozen", "anything_else"]
    assert walk.contained


def test_a_caller_asking_for_an_agent_after_the_balance_is_offered_with_the_flows_attributes(
) -> None:
    s = settings({"bank-hotline.main_menu": {"1": 1.0}, "bank-hotline.anything_else": {"0": 1.0}},
                 authenticate_ok=1.0, intents={"balance": "accounts"})
    walk = caller(s).walk()
    assert walk.offered and walk.outcome == "enqueued" and not walk.contained
    assert nodes(walk.events)[-4:] == ["anything_else", "agent_hours", "callback_offer",
                                       "general_queue"]
    assert dict(walk.attributes) == {"intent": "accounts", "language": "zh",
                                     "authenticated": "true", "segment": "retail"}


def test_an_english_caller_pressing_0_at_once_is_offered_without_an_intent() -> None:
    s = settings({"bank-hotline.choose_language": {"2": 1.0},
                  "bank-hotline.main_menu": {"0": 1.0}})
    walk = caller(s).walk()
    assert walk.offered
    assert dict(walk.attributes) == {"language": "en", "authenticated": "false",
                                     "segment": "retail"}


def test_three_wrong_pins_lock_the_caller_out_to_an_agent() -> None:
    s = settings({"bank-hotline.main_menu": {"2": 1.0}}, authenticate_ok=0.0)
    c = caller(s)
    bank = c.bank = RecordingBank(c.bank)
    walk = c.walk()
    assert bank.asked == ["verify_pin"] * 3
    assert "pin_locked" in nodes(walk.events) and walk.offered
    assert walk.attributes["intent"] == "transactions"  # no mapping given: the flow's word


def test_a_vip_walk_reaches_the_manager_as_a_vip() -> None:
    s = settings({"bank-vip.menu": {"0": 1.0}}, vip_flow="bank-vip", vip_share=0.1)
    walk = Caller(shipped_flow("bank-vip"), s, random.Random(3), segment="vip").walk()
    assert walk.offered and walk.attributes["segment"] == "vip"
    assert nodes(walk.events)[-3:] == ["manager", "callback_offer", "vip_queue"]


def said(*prompts: str, rate: float = 5.0) -> float:
    flow = shipped_flow("bank-hotline")
    return sum(len(flow.prompts[p].render("zh", {}).text) for p in prompts) / rate


def test_the_time_is_prompts_at_the_speaking_rate_plus_think_times_and_timeouts() -> None:
    timing = {"think_s": {"kind": "constant", "mean": 2.0}, "chars_per_s": {"zh": 5.0, "en": 9.0}}
    walk = caller(settings({"bank-hotline.main_menu": {"0": 1.0}}, **timing)).walk()
    # Two keys (language, menu) of two seconds each.
    assert walk.seconds == pytest.approx(
        said("welcome", "choose_language", "main_menu", "to_agent") + 2 * 2.0)
    slow = caller(settings({"bank-hotline.main_menu": {"timeout": 1.0}}, **timing)).walk()
    # Silence at the menu instead of a key: three times its 6 s timeout, the menu said again
    # twice after the retry prompt, then the timeout branch to agents.
    assert slow.offered
    assert slow.seconds == pytest.approx(walk.seconds - 2.0 + 3 * 6.0
                                         + 2 * said("not_understood", "main_menu"))


def test_a_caller_looping_for_ever_hangs_up() -> None:
    walk = caller(settings({"bank-hotline.main_menu": {"*": 1.0}})).walk()
    assert walk.outcome == "abandoned"
    # The language key, then '*' (hear the menu again) until the cap: the menu was entered once
    # and again after each of the MAX_INPUTS - 1 stars.
    assert nodes(walk.events).count("main_menu") == MAX_INPUTS
    assert walk.events[-1] == IvrEnded(outcome="abandoned", node="main_menu", seconds=0.0)


# -- determinism and the pool -------------------------------------------------------------------

def fingerprint(pool: Pool) -> list[tuple[str, float, tuple[tuple[str, str], ...], int]]:
    return [(w.outcome, w.seconds, tuple(sorted(w.attributes.items())), len(w.events))
            for w in pool.walks]


def test_the_same_seed_draws_the_same_pools_and_another_seed_others() -> None:
    s = load_scenario("bank-hotline").ivr
    assert s is not None
    s = s.model_copy(update={"pool": 600, "vip_pool": 200})
    a_main, a_vip = build_pools(s, seed=7)
    b_main, b_vip = build_pools(s, seed=7)
    c_main, _ = build_pools(s, seed=8)
    assert a_vip is not None and b_vip is not None
    assert fingerprint(a_main) == fingerprint(b_main)
    assert fingerprint(a_vip) == fingerprint(b_vip)
    assert fingerprint(a_main) != fingerprint(c_main)


def test_kept_interpreter_turns_give_the_very_walks_of_stepping_afresh() -> None:
    s = load_scenario("bank-hotline").ivr
    assert s is not None
    kept, fresh = caller(s, seed=5), caller(s, seed=5, memo=False)
    for _ in range(300):
        a, b = kept.walk(), fresh.walk()
        assert (a.outcome, a.seconds, a.attributes, a.events) == \
            (b.outcome, b.seconds, b.attributes, b.events)


def test_containment_is_what_the_probabilities_imply() -> None:
    # Menu: agent 0.1, balance 0.4, silence 0.3 (three in a row go to agents), hang-up 0.2.
    # Balance: each PIN right with 1/2, three wrong lock the caller out to agents.
    t, locked = 0.3, 0.5 ** 3
    to_agents = (0.1 + 0.4 * locked) * (1 + t + t * t) + t ** 3
    s = settings({"bank-hotline.choose_language": {"1": 1.0},
                  "bank-hotline.main_menu": {"0": 0.1, "1": 0.4, "timeout": t, "hangup": 0.2},
                  "bank-hotline.anything_else": {"hangup": 1.0}},
                 authenticate_ok=0.5, pool=6000)
    main, _ = build_pools(s, seed=11)
    report = main.report()
    n = len(main.walks)
    tolerance = 4 * math.sqrt(to_agents * (1 - to_agents) / n)
    assert abs((1 - report.containment) - to_agents) < tolerance
    assert abs(report.lockout_rate - locked) < 4 * math.sqrt(locked * (1 - locked) /
                                                             report.auth_calls)


def test_the_pool_report_counts_each_walk_as_the_metrics_would() -> None:
    s = load_scenario("bank-hotline").ivr
    assert s is not None
    main, _ = build_pools(s.model_copy(update={"pool": 1500}), seed=3)
    weighted = main.report()
    direct = ivr_report(w.events for w in main.walks)
    assert weighted == direct


def test_draws_split_between_the_vip_and_main_pools_by_share() -> None:
    s = load_scenario("bank-hotline").ivr
    assert s is not None
    s = s.model_copy(update={"pool": 300, "vip_pool": 100, "vip_share": 0.25})
    pools = WalkPools.for_run(s, seed=1, cache=False)
    rng = random.Random(2)
    flows = [pools.draw(rng.random()).flow for _ in range(4000)]
    assert abs(flows.count("bank-vip") / 4000 - 0.25) < 0.03
    assert sum(pools.vip_hits) + sum(pools.main_hits) == 4000


def test_runs_of_the_same_settings_share_the_walks_but_count_their_own_draws() -> None:
    s = load_scenario("bank-hotline").ivr
    assert s is not None
    s = s.model_copy(update={"pool": 400, "vip_pool": 100})
    first, second = WalkPools.for_run(s, seed=4), WalkPools.for_run(s, seed=4)
    assert first.main is second.main and first.vip is second.vip
    assert WalkPools.for_run(s, seed=5).main is not first.main
    first.draw(0.5)
    assert sum(first.main_hits) == 1 and sum(second.main_hits) == 0


# -- the twin -----------------------------------------------------------------------------------

def test_the_twin_offers_walks_with_the_flows_attributes() -> None:
    choices = {"bank-hotline.main_menu": {"1": 0.5, "0": 0.5},
               "bank-hotline.anything_else": {"0": 1.0}}
    scenario = small_twin(choices, authenticate_ok=1.0, vip_share=0.0)
    queued: list[ev.ContactQueued] = []
    twin = Twin(scenario, event_sink=lambda e: queued.append(e)
                if isinstance(e, ev.ContactQueued) else None)
    result = twin.run()
    assert result.ivr.to_agents == result.ivr.entered > 1000  # every caller asks for an agent
    first: dict[str, ev.ContactQueued] = {}
    for e in queued:
        first.setdefault(e.contact_id, e)
    authenticated = [e for e in first.values() if e.attributes.get("authenticated") == "true"]
    # Half went through the balance first: the flow learnt who they are and why they call.
    assert abs(len(authenticated) / len(first) - 0.5) < 0.05
    assert {e.attributes["intent"] for e in authenticated} == {"accounts"}
    assert all(e.attributes["segment"] == "retail" and "province" in e.attributes
               for e in first.values())


def test_same_seed_same_twin_run_and_funnels_add_up() -> None:
    scenario = small_twin()
    a, b = Twin(scenario).run().to_dict(), Twin(scenario).run().to_dict()
    for d in (a, b):
        d.pop("wall_s"), d.pop("contacts_per_s")
    assert a == b
    ivr, flows = a["ivr"], a["ivr_flows"]
    assert set(flows) == {"bank-hotline", "bank-vip"}
    assert ivr["entered"] == sum(f["entered"] for f in flows.values())
    assert ivr["to_agents"] == sum(f["outcomes"].get("enqueued", 0) for f in flows.values())
    assert ivr["contained"] == sum(f["outcomes"].get(o, 0) for f in flows.values()
                                   for o in ("completed", "abandoned"))
    main = flows["bank-hotline"]
    assert sum(main["outcomes"].values()) == main["entered"]
    assert main["funnel"][0]["entered"] == main["entered"]  # every call hears the welcome
    assert all(0 <= s["dropped"] <= s["entered"] <= main["entered"] for s in main["funnel"])
    assert ivr["callbacks_accepted"] == sum(f["outcomes"].get("callback", 0)
                                            for f in flows.values())
    assert a["contacts"] == ivr["to_agents"] + ivr["callbacks_accepted"]


def test_the_twins_containment_is_the_pools() -> None:
    scenario = small_twin(days=0.2)
    result = Twin(scenario).run()
    assert scenario.ivr is not None
    main, vip = build_pools(scenario.ivr, seed=scenario.seed)
    assert vip is not None
    share = scenario.ivr.vip_share
    expected = (1 - share) * main.report().containment + share * vip.report().containment
    n = result.ivr.entered
    assert abs((result.ivr.containment or 0) - expected) < 4 * math.sqrt(0.1 * 0.9 / n)


def test_out_of_hours_callers_leave_messages_counted_apart() -> None:
    choices = {"bank-hotline.main_menu": {"0": 1.0}, "bank-hotline.closed": {"1": 1.0}}
    scenario = small_twin(choices, vip_share=0.0,
                          context={"business_hours": "false", "holiday": "false"})
    result = Twin(scenario).run()
    assert result.ivr.other == result.ivr.entered > 1000
    assert result.ivr.to_agents == result.ivr.contained == result.contacts == 0
    assert result.to_dict()["ivr_flows"]["bank-hotline"]["outcomes"] == {
        "voicemail": result.ivr.entered}


def test_delay_mode_keeps_the_streams_ivr_delay() -> None:
    scenario = small_twin(mode="delay")
    result = Twin(scenario).run()
    assert result.ivr_flows is None
    assert "ivr_flows" not in result.to_dict()
    assert result.ivr.entered > 1000


# -- checks -------------------------------------------------------------------------------------

def choices(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = d["ivr"]["choices"]
    return out


@pytest.mark.parametrize("mutate, field, reason", [
    (lambda d: choices(d)["bank-hotline.main_menu"].update({0: 0.5}),
     "ivr.choices.bank-hotline.main_menu", "probabilities sum to 1.43, not 1"),
    (lambda d: choices(d).update({"bank-hotline.nowhere": {"1": 1.0}}),
     "ivr.choices.bank-hotline.nowhere", "flow bank-hotline has no node 'nowhere'"),
    (lambda d: choices(d).update({"bank-hotline.welcome": {"1": 1.0}}),
     "ivr.choices.bank-hotline.welcome", "'welcome' is a play node"),
    (lambda d: choices(d)["bank-hotline.main_menu"].update({7: 0.0}),
     "ivr.choices.bank-hotline.main_menu.7", "'7' is not a choice at menu main_menu"),
    (lambda d: choices(d).update({"elsewhere.menu": {"1": 1.0}}),
     "ivr.choices.elsewhere.menu", "flow 'elsewhere' is not walked"),
    (lambda d: choices(d).update({"main_menu": {"1": 1.0}}),
     "ivr.choices.main_menu", "name a node as <flow>.<node>"),
    (lambda d: choices(d)["bank-hotline.main_menu"].update({1: 1.5}),
     "ivr.choices.bank-hotline.main_menu.1", "less than or equal to 1"),
    (lambda d: choices(d).update({"bank-hotline.survey": {}}),
     "ivr.choices.bank-hotline.survey", "give at least one choice"),
    (lambda d: d["ivr"].update(flow="bank-nowhere"), "ivr.flow", "no flow 'bank-nowhere'"),
    (lambda d: d["ivr"].pop("vip_flow"), "ivr.vip_flow", "vip_share is 0.03 but no vip_flow"),
    (lambda d: d["ivr"]["bank"]["transfer"].update(broke=0.0), "ivr.bank.transfer.broke",
     "not a bank answer"),
    (lambda d: d["ivr"]["bank"].update(mortgage={"ok": 1}), "ivr.bank.mortgage",
     "no node of the flows asks the bank for 'mortgage'"),
    (lambda d: d["ivr"]["bank"].update(verify_pin={"ok": 1}), "ivr.bank.verify_pin",
     "authenticate_ok"),
    (lambda d: d["ivr"]["intents"].update(pizza="cards"), "ivr.intents.pizza",
     "no node of the flows sets this intent"),
    (lambda d: d["ivr"]["context"].update(weather="fine"), "ivr.context.weather",
     "not a context variable"),
    (lambda d: d["ivr"]["context"].pop("business_hours"), "ivr.context",
     "branches on 'business_hours'"),
    (lambda d: d["ivr"].update(chars_per_s={"zh": 4}), "ivr.chars_per_s",
     "no speaking rate for language 'en'"),
    (lambda d: d["ivr"].update(mode="dance"), "ivr.mode", "Input should be 'flows' or 'delay'"),
    (lambda d: d["traffic"][0].pop("ivr"), "ivr.mode", "no traffic stream has an ivr section"),
])
def test_a_bad_ivr_section_names_file_field_and_reason(tmp_path: Path, mutate: Any, field: str,
                                                       reason: str) -> None:
    data = copy.deepcopy(bank_data())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert (info.value.source, info.value.field) == (str(path), field)
    assert reason in info.value.reason


def test_the_cli_stops_on_a_bad_ivr_section_with_exit_2(tmp_path: Path) -> None:
    data = bank_data()
    choices(data)["bank-hotline.main_menu"]["hangup"] = 0.5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = runner.invoke(app, ["simulate", str(path)])
    assert result.exit_code == 2
    assert "ivr.choices.bank-hotline.main_menu: probabilities sum to 1.36, not 1" in \
        " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_a_flow_file_by_path_is_walked(tmp_path: Path) -> None:
    text = (Path(__file__).parents[3] / "src/hotline/ivr/flows/bank-hotline.yaml").read_text(
        "utf-8")
    flow = tmp_path / "mine.yaml"
    flow.write_text(text.replace("flow: bank-hotline", "flow: mine"), "utf-8")
    s = settings({"mine.main_menu": {"0": 1.0}}, flow=str(flow))
    main, vip = build_pools(s.model_copy(update={"pool": 100}), seed=1)
    assert vip is None and main.flow == "mine"
    assert all(w.offered for w in main.walks)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("next: choose_language", "next: nowhere", 1), "utf-8")
    with pytest.raises(ScenarioError) as info:
        build_pools(settings({}, flow=str(broken)), seed=1)
    assert info.value.field == "ivr.flow" and "nowhere" in info.value.reason
