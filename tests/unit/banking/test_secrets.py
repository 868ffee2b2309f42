"""No PIN and no full card number in any event, audit record, error, receipt or result.

A long seeded session drives the sandbox and the agent desk; then the `repr` and `str` of
everything it produced is searched for every PIN tried (right or wrong) and every full PAN.
Money in the session is whole yuan (amounts end in 00), so a PIN chosen not to end in 00 nor
start with 0 cannot be confused with an amount, a balance or an id.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

from hotline.banking.approvals import ApprovalRequest
from hotline.banking.demo import CREDIT_BIN, DEBIT_BIN, demo_bank
from hotline.banking.desk import AgentDesk
from hotline.banking.errors import BankingError
from hotline.banking.model import Channel, Payee
from hotline.banking.operations import (
    CardAction,
    ChangeCard,
    Operation,
    PayPayee,
    TransferOwn,
)
from hotline.banking.roles import Role, StaffUser
from tests.unit.banking.helpers import T0, ctx

AGENT = StaffUser(user_id="u-agent", role=Role.AGENT)
SUPERVISORS = [StaffUser(user_id=f"u-sup{i}", role=Role.SUPERVISOR) for i in (1, 2)]


def checkable(pin: str) -> bool:
    return pin[0] != "0" and not pin.endswith("00") and pin not in (DEBIT_BIN, CREDIT_BIN[:6])


def leaks(text: str, pins: set[str], pans: set[str]) -> list[str]:
    found = [f"PAN {p[:6]}…" for p in pans if p in text]
    found += [f"PIN at {m.start()}" for m in re.finditer(r"(?<!\d)\d{6}(?!\d)", text)
              if m.group() in pins]
    return found


def session(rng: random.Random) -> tuple[list[Any], set[str], set[str]]:
    demo = demo_bank(rng, customers=120, opened_at=T0)
    bank, desk = demo.bank, AgentDesk(demo.bank)
    produced: list[Any] = []
    pins: set[str] = set()
    now = T0
    for n in range(400):
        now += timedelta(minutes=rng.randrange(1, 90))
        cred = rng.choice(demo.credentials)
        contact = f"contact-{n}"
        pin = cred.pin if rng.random() < 0.6 else f"{rng.randrange(100_000, 1_000_000)}"
        pins.add(pin)
        accounts = [b.account_id for b in bank.balances(customer_id=cred.customer_id)]
        amount = rng.randrange(1, 3000) * 100
        try:
            who = bank.authenticate(credential=rng.choice([cred.pan, cred.account_number]),
                                    pin=pin, ctx=ctx(now, contact=contact))
            produced.append(who)
            desk.verified_by_ivr(contact_id=contact, customer_id=who.customer_id,
                                 masked_credential=who.masked_credential, now=now)
        except BankingError as error:
            produced.append(error)
            desk.verified_by_agent(user=AGENT, contact_id=contact, customer_id=cred.customer_id,
                                   questions_asked=3, questions_passed=3, now=now)
            if bank.state.pins[cred.customer_id].locked:
                desk.unlock_pin(user=AGENT, contact_id=contact, now=now)
        choices: list[Operation] = [
            PayPayee(from_account=rng.choice(accounts), amount=amount * rng.choice((1, 5)),
                     payee=Payee(name="赵六", account_number=cred.account_number, bank="CCB")),
            TransferOwn(from_account=rng.choice(accounts), to_account=rng.choice(accounts),
                        amount=amount),
            ChangeCard(card_id=cred.card_id, action=rng.choice(list(CardAction))),
        ]
        operation = rng.choice(choices)
        try:
            result = desk.perform(user=AGENT, contact_id=contact, operation=operation, now=now)
            produced.append(result)
            if isinstance(result, ApprovalRequest) and rng.random() < 0.7:
                produced.append(desk.approve(request_id=result.request_id,
                                             approver=rng.choice(SUPERVISORS), now=now))
        except BankingError as error:
            produced.append(error)
        try:
            produced.append(bank.pay(customer_id=cred.customer_id, from_account=accounts[0],
                                     payee=Payee(name="钱七", account_number=cred.pan,
                                                 bank="ABC"),
                                     amount=amount, idempotency_key=f"ivr-{n % 50}",
                                     ctx=ctx(now, contact=contact, channel=Channel.IVR)))
        except BankingError as error:
            produced.append(error)
        produced.append(bank.statement(customer_id=cred.customer_id, account_id=accounts[0],
                                       start=T0, end=now + timedelta(seconds=1)))
        produced.append(bank.balances(customer_id=cred.customer_id))
    produced += [*bank.events, *bank.audit, *desk.audit, *desk.requests.values(),
                 *desk.verifications.values(), *bank.state.cards.values(),
                 *bank.state.pins.values(), *bank.state.customers.values()]
    produced += [desk.history(f"contact-{n}") for n in range(400)]
    pans = {c.pan for c in demo.credentials} | set(bank.state.card_by_pan)
    return produced, {p for p in pins if checkable(p)}, pans


def test_no_pin_or_full_pan_in_anything_a_long_session_produced() -> None:
    produced, pins, pans = session(random.Random(2007))
    kinds = {type(p).__name__ for p in produced}
    assert {"AuthenticationFailed", "CredentialLocked", "MoneyMoved", "AuditRecord",
            "Receipt", "ApprovalRequest", "PinChanged", "CardIssued"} <= kinds, kinds
    assert len(pins) > 150 and len(pans) > 150
    for item in produced:
        for text in (repr(item), str(item)):
            assert leaks(text, pins, pans) == [], type(item).__name__


def test_the_search_finds_a_planted_pin_and_pan() -> None:
    pins, pans = {"482913"}, {"6228480012345671234"}
    assert leaks("pin=482913,", pins, pans) == ["PIN at 4"]
    assert leaks("x6228480012345671234", pins, pans) == ["PAN 622848…"]
    assert leaks("balance=1482913 T482913", pins, pans) == ["PIN at 17"]
