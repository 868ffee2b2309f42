"""Scripted calls end to end: simulated switch -> shipped flows -> sandbox bank -> engine.

Every test also checks that no PIN and no full card number reached anything recorded: the
switch's log (prompts said, keys collected), the IVR events and the engine's events.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from hotline.banking.demo import DemoBank, DemoCredential, demo_bank, luhn_complete
from hotline.banking.errors import CardFrozen
from hotline.banking.model import (
    AccountKind,
    Actor,
    ActorKind,
    CardStatus,
    Channel,
    RequestContext,
    Segment,
)
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
from hotline.channels.ivr_session import CallResult, IvrShell, speakable
from hotline.channels.telephony import CallBridged
from hotline.channels.telephony_sim import (
    Leave,
    Move,
    Press,
    ScriptedCall,
    Silent,
    SimulatedTelephony,
)
from hotline.core.commands import LogIn, RegisterAgent
from hotline.core.definitions import AgentProfile
from hotline.core.engine import Engine
from hotline.core.events import ContactQueued
from hotline.ivr.actions import (
    AuthenticationFailed,
    AuthenticationSucceeded,
    LockedOut,
    NodeEntered,
)
from hotline.ivr.library import shipped_registry
from tests.e2e.engines import engine_with

OPENED = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OPEN_HOURS = {"business_hours": "true", "holiday": "false"}
# The workflows the shipped flows enqueue into (bank-hotline.yaml and bank-vip.yaml).
WORKFLOWS = ("general", "vip")
ENGLISH = Press(keys="2")


@dataclass
class World:
    demo: DemoBank
    sim: SimulatedTelephony
    engine: Engine
    shell: IvrShell
    results: list[CallResult]

    def call(
        self, call_id: str, *moves: Move, dialled: str = "95588", segment: str = ""
    ) -> CallResult:
        arrived = self.sim.ring(
            ScriptedCall(
                call_id=call_id, dialled_number=dialled, caller_number="13912345678", script=moves
            )
        )
        result = self.shell.run_call(arrived, context=OPEN_HOURS, segment=segment)
        self.results.append(result)
        return result

    def said(self, call_id: str) -> list[str]:
        return [p.prompt_id for p in self.sim.played(call_id)]

    def text(self, call_id: str, prompt_id: str) -> str:
        texts = [p.text for p in self.sim.played(call_id) if p.prompt_id == prompt_id]
        assert texts, f"{prompt_id} was not said on {call_id}"
        return texts[-1]

    def balance(self, account_id: str) -> int:
        return self.demo.bank.state.ledger.balance(account_id)

    def customer(self, test: Callable[[DemoCredential], bool]) -> DemoCredential:
        return next(c for c in self.demo.credentials if test(c))

    def has(self, cred: DemoCredential, suffix: str) -> bool:
        return f"{cred.customer_id}-{suffix}" in self.demo.bank.state.accounts

    def secrets(self) -> set[str]:
        """Every PIN and full card number of the bank."""
        state = self.demo.bank.state
        return {c.pin for c in self.demo.credentials} | {c.pan for c in state.cards.values()}


def _build() -> World:
    demo = demo_bank(random.Random(20260302), customers=60, vip_share=0.1, opened_at=OPENED)
    sim = SimulatedTelephony(start=START)
    engine = engine_with(*WORKFLOWS, now=START.timestamp())
    shell = IvrShell(
        telephony=sim,
        registry=shipped_registry(),
        bank=IvrBank(demo.bank, SandboxDirectory(demo.bank)),
        engine=engine,
        clock=sim.now,
        estimate_wait=lambda workflow: 30.0,
    )
    return World(demo=demo, sim=sim, engine=engine, shell=shell, results=[])


@pytest.fixture
def world() -> Iterator[World]:
    w = _build()
    yield w
    # Nothing recorded anywhere may carry a PIN or a full card number.
    secrets = w.secrets()
    records = [*map(repr, w.sim.log), *map(str, w.sim.log)]
    for result in w.results:
        records += [repr(e) for e in result.ivr_events]
        records += [repr(e) for e in result.engine_events]
    for record in records:
        leaked = [s for s in secrets if s in record]
        assert not leaked, f"secret leaked into {record[:80]}"


def queued(result: CallResult) -> ContactQueued:
    found = [e for e in result.engine_events if isinstance(e, ContactQueued)]
    assert len(found) == 1
    return found[0]


def card(c: DemoCredential) -> Press:
    return Press(keys=c.pan + "#")


def pin(c: DemoCredential) -> Press:
    return Press(keys=c.pin)


def wrong(c: DemoCredential) -> Press:
    return Press(keys=f"{(int(c.pin) + 1) % 1_000_000:06d}")


def test_balance_enquiry_says_the_ledger_balance(world: World) -> None:
    c = world.customer(lambda c: c.segment is Segment.MASS)
    fen = world.balance(f"{c.customer_id}-CUR")
    r = world.call(
        "bal",
        ENGLISH,
        Press(keys="1"),
        card(c),
        pin(c),
        Press(keys="9"),
        Press(keys="5"),
        Press(keys="4"),
    )
    assert f"Your balance is {fen // 100}.{fen % 100:02d} CNY." == world.text("bal", "balance_is")
    assert r.outcome == "completed" and r.flow == "bank-hotline"
    assert world.said("bal")[-1] == "goodbye"
    assert world.sim.ended("bal")
    assert r.engine_events == []


def test_last_transactions_are_read_newest_first(world: World) -> None:
    c = world.customer(lambda c: c.segment is Segment.MASS)
    history = world.demo.bank.state.ledger.history(f"{c.customer_id}-CUR")
    r = world.call("txn", ENGLISH, Press(keys="2"), card(c), pin(c), Press(keys="9"), Leave())
    items = [p.text for p in world.sim.played("txn") if p.prompt_id == "transaction_item"]
    assert len(items) == min(5, len(history)) > 0
    newest = history[-1]
    assert items[0].startswith(f"{newest.at.date().isoformat()}, {newest.description},")
    assert r.outcome == "abandoned"


def test_transfer_between_own_accounts_is_read_back_and_moves_money(world: World) -> None:
    c = world.customer(
        lambda c: world.has(c, "SAV") and world.balance(f"{c.customer_id}-CUR") >= 10_000
    )
    cur, sav = f"{c.customer_id}-CUR", f"{c.customer_id}-SAV"
    sav_number = world.demo.bank.state.accounts[sav].number
    before = world.balance(cur), world.balance(sav)
    world.call(
        "xfer",
        ENGLISH,
        Press(keys="3"),
        Press(keys=c.account_number + "#"),
        pin(c),
        Press(keys=sav_number + "#"),
        Press(keys="100#"),
        Press(keys="1"),
        Leave(),
    )
    read_back = world.text("xfer", "transfer_read_back")
    assert read_back.startswith("You are transferring 100 yuan to account ")
    assert sav_number not in read_back  # a full number is masked before the switch
    assert world.balance(cur) == before[0] - 10_000
    assert world.balance(sav) == before[1] + 10_000
    assert "transfer_done" in world.said("xfer")


def test_transfer_cancelled_at_read_back_moves_nothing(world: World) -> None:
    c = world.customer(
        lambda c: world.has(c, "SAV") and world.balance(f"{c.customer_id}-CUR") >= 10_000
    )
    sav = f"{c.customer_id}-SAV"
    sav_number = world.demo.bank.state.accounts[sav].number
    before = world.balance(sav)
    world.call(
        "keep",
        ENGLISH,
        Press(keys="3"),
        Press(keys=c.account_number + "#"),
        pin(c),
        Press(keys=sav_number + "#"),
        Press(keys="100#"),
        Press(keys="2"),
        Leave(),
    )
    assert "transfer_cancelled" in world.said("keep")
    assert world.balance(sav) == before


def test_lost_card_is_frozen_at_once(world: World) -> None:
    c = world.customer(lambda c: c.segment is Segment.MASS)
    world.call("lost", ENGLISH, Press(keys="4"), card(c), pin(c), Leave())
    assert world.demo.bank.state.card_status[c.card_id] is CardStatus.LOST
    assert "card_frozen_now" in world.said("lost")
    ctx = RequestContext(
        actor=Actor(kind=ActorKind.IVR, actor_id="t"),
        channel=Channel.IVR,
        contact_id=None,
        now=START,
    )
    with pytest.raises(CardFrozen):
        world.demo.bank.authenticate(credential=c.pan, pin=c.pin, ctx=ctx)


def test_credit_card_repayment_reduces_what_is_owed(world: World) -> None:
    state = world.demo.bank.state
    c = world.customer(
        lambda c: (
            world.has(c, "CC")
            and world.balance(f"{c.customer_id}-CC") <= -10_000
            and world.balance(f"{c.customer_id}-CUR") >= 10_000
        )
    )
    credit_pan = state.cards[f"{c.customer_id}-CC1"].pan
    cc, cur = f"{c.customer_id}-CC", f"{c.customer_id}-CUR"
    owed, funds = -world.balance(cc), world.balance(cur)
    world.call(
        "repay",
        ENGLISH,
        Press(keys="5"),
        card(c),
        pin(c),
        Press(keys=credit_pan),
        Press(keys="100#"),
        Press(keys="1"),
        Leave(),
    )
    assert credit_pan not in world.text("repay", "repay_read_back")
    assert world.balance(cc) == -(owed - 10_000)
    assert world.balance(cur) == funds - 10_000
    left = owed - 10_000
    assert world.text("repay", "repay_done") == (
        f"Repayment done. {left // 100}.{left % 100:02d} yuan remains outstanding."
    )
    assert state.accounts[cc].kind is AccountKind.CREDIT_CARD


def test_vip_number_reaches_the_vip_workflow_with_priority_and_an_agent(world: World) -> None:
    now = START.timestamp()
    world.engine.handle(
        RegisterAgent(
            profile=AgentProfile(
                agent_id="rm1",
                site="beijing",
                skills={"vip": 5},
                languages=frozenset({"zh", "en"}),
                auto_accept=True,
            )
        ),
        now,
    )
    world.engine.handle(LogIn(agent_id="rm1", ready=True), now)
    c = world.customer(lambda c: c.segment is Segment.VIP)
    r = world.call("vip", ENGLISH, card(c), pin(c), Press(keys="0"), dialled="4006695588")
    assert r.flow == "bank-vip" and r.outcome == "enqueued"
    q = queued(r)
    assert (q.workflow, q.priority) == ("vip", 10)
    assert q.attributes["segment"] == "vip" and q.attributes["authenticated"] == "true"
    assert q.attributes["customer_id"] == c.customer_id
    assert CallBridged(call_id="vip", agent_id="rm1") in world.sim.log


def test_vip_caller_on_the_main_number_is_recognised_by_segment(world: World) -> None:
    c = world.customer(lambda c: c.segment is Segment.VIP)
    r = world.call("vip2", ENGLISH, card(c), pin(c), Press(keys="0"), segment="vip")
    assert r.flow == "bank-vip"
    assert (queued(r).workflow, queued(r).priority) == ("vip", 10)


def test_vip_customer_asking_for_an_agent_on_the_main_flow_gets_the_vip_queue(
    world: World,
) -> None:
    c = world.customer(lambda c: c.segment is Segment.VIP)
    r = world.call("vip3", ENGLISH, Press(keys="1"), card(c), pin(c), Press(keys="0"))
    assert r.flow == "bank-hotline"
    assert (queued(r).workflow, queued(r).priority) == ("vip", 10)


def test_wrong_pin_then_right_pin(world: World) -> None:
    c = world.customer(lambda c: c.segment is Segment.MASS)
    r = world.call("pin2", ENGLISH, Press(keys="1"), card(c), wrong(c), pin(c), Leave())
    failed = [e for e in r.ivr_events if isinstance(e, AuthenticationFailed)]
    ok = [e for e in r.ivr_events if isinstance(e, AuthenticationSucceeded)]
    assert [(e.attempt, e.code) for e in failed] == [(1, "wrong_pin")]
    assert [e.attempt for e in ok] == [2]
    assert "wrong_pin" in world.said("pin2") and "balance_is" in world.said("pin2")
    assert not world.demo.bank.state.pins[c.customer_id].locked


def test_three_wrong_pins_lock_out_and_hand_over_to_an_agent(world: World) -> None:
    c = world.customer(lambda c: c.segment is Segment.MASS)
    r = world.call("lock", ENGLISH, Press(keys="1"), card(c), wrong(c), wrong(c), wrong(c))
    assert any(isinstance(e, LockedOut) for e in r.ivr_events)
    assert world.demo.bank.state.pins[c.customer_id].locked
    assert "pin_locked" in world.said("lock") and "balance_is" not in world.said("lock")
    q = queued(r)
    assert q.workflow == "general" and q.attributes["authenticated"] == "false"
    assert r.outcome == "enqueued"


def test_silence_on_the_main_menu_takes_its_timeout_branch(world: World) -> None:
    r = world.call("quiet", ENGLISH, Silent(), Silent(), Silent())
    nodes = [e.node for e in r.ivr_events if isinstance(e, NodeEntered)]
    assert nodes[nodes.index("main_menu") :] == [
        "main_menu",
        "agent_hours",
        "callback_offer",
        "general_queue",
    ]
    assert world.said("quiet").count("main_menu") == 3  # asked, then two retries
    assert queued(r).workflow == "general" and r.outcome == "enqueued"
    assert world.sim.left("quiet") == 0


def test_caller_hanging_up_mid_menu_abandons(world: World) -> None:
    r = world.call("gone", ENGLISH, Leave())
    assert r.outcome == "abandoned" and r.engine_events == []
    assert world.said("gone")[-1] == "main_menu"


def test_speakable_masks_only_card_like_numbers() -> None:
    pan = luhn_complete("622848001234567123")
    assert speakable(f"card {pan} now") == f"card {pan[:6]}{'*' * 9}{pan[-4:]} now"
    not_a_card = pan[:-1] + str((int(pan[-1]) + 1) % 10)  # fails Luhn
    assert speakable(f"ref {not_a_card}") == f"ref {not_a_card}"
    assert speakable("12345678") == "12345678"  # too short for a card


def test_transfer_to_someone_elses_account_is_refused_and_moves_nothing(world: World) -> None:
    c = world.customer(lambda c: world.balance(f"{c.customer_id}-CUR") >= 10_000)
    other = world.customer(lambda o: o.customer_id != c.customer_id)
    before = world.balance(f"{c.customer_id}-CUR"), world.balance(f"{other.customer_id}-CUR")
    world.call(
        "theft",
        ENGLISH,
        Press(keys="3"),
        Press(keys=c.account_number + "#"),
        pin(c),
        Press(keys=other.account_number + "#"),
        Press(keys="100#"),
        Press(keys="1"),
        Leave(),
    )
    assert "not_own_account" in world.said("theft")
    after = world.balance(f"{c.customer_id}-CUR"), world.balance(f"{other.customer_id}-CUR")
    assert after == before
