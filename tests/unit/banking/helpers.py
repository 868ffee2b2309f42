"""A small sandbox bank with known customers, shared by the banking unit and property tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hotline.banking.limits import DailyLimits
from hotline.banking.model import (
    Account,
    AccountKind,
    Actor,
    ActorKind,
    Card,
    Channel,
    Customer,
    Payee,
    RequestContext,
    Segment,
)
from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
from hotline.banking.sandbox import SandboxBank

CST = timezone(timedelta(hours=8))
T0 = datetime(2007, 6, 1, 9, 0, tzinfo=CST)
PIN_A, PIN_B = "482913", "705162"
PAN_A, PAN_A_CC = "6228480012345671234", "5187100000001237"
PAN_B = "6228480099887766554"
NUMBER_A = "11000000000012345"
PAYEE = Payee(name="王小明", account_number="9558801234567890", bank="ICBC")


def ctx(now: datetime = T0, *, channel: Channel = Channel.IVR, contact: str | None = "K1",
        actor: Actor | None = None) -> RequestContext:
    who = actor or Actor(kind=ActorKind.IVR if channel is Channel.IVR else ActorKind.AGENT,
                         actor_id="ivr" if channel is Channel.IVR else "u-agent")
    return RequestContext(actor=who, channel=channel, contact_id=contact, now=now)


def make_bank(limits: DailyLimits | None = None) -> SandboxBank:
    """Customer A: current ¥10,000 (card), savings ¥5,000, credit card (limit ¥20,000, card).
    Customer B: current ¥1,000 (card)."""
    bank = SandboxBank(hasher=PinHasher(params=SANDBOX_PARAMS), limits=limits)
    system = ctx(channel=Channel.SYSTEM, contact=None,
                 actor=Actor(kind=ActorKind.SYSTEM, actor_id="setup"))
    for cid, name, pin in (("A", "张三丰", PIN_A), ("B", "Wang Li", PIN_B)):
        bank.enroll(customer=Customer(customer_id=cid, name=name, segment=Segment.VIP,
                                      province="北京", language="zh"), pin=pin, now=T0)
    accounts = (
        ("A-CUR", NUMBER_A, "A", AccountKind.CURRENT, 0, 1_000_000),
        ("A-SAV", "21000000000054321", "A", AccountKind.SAVINGS, 0, 500_000),
        ("A-CC", "31000000000099999", "A", AccountKind.CREDIT_CARD, 2_000_000, 0),
        ("B-CUR", "11000000000077777", "B", AccountKind.CURRENT, 0, 100_000),
    )
    for account_id, number, cid, kind, limit, opening in accounts:
        bank.open_account(account=Account(account_id=account_id, number=number, customer_id=cid,
                                          kind=kind, credit_limit=limit), now=T0)
        if opening:
            bank.deposit(customer_id=cid, account_id=account_id, amount=opening,
                         idempotency_key=f"open-{account_id}", ctx=system)
    for card_id, pan, cid, account_id in (("A-DC", PAN_A, "A", "A-CUR"),
                                          ("A-CC1", PAN_A_CC, "A", "A-CC"),
                                          ("B-DC", PAN_B, "B", "B-CUR")):
        bank.issue_card(card=Card(card_id=card_id, pan=pan, customer_id=cid,
                                  account_id=account_id), now=T0)
    return bank


def balance(bank: SandboxBank, account_id: str) -> int:
    return bank.state.ledger.balance(account_id)
