"""Hypothesis state machine over the sandbox core bank: money is conserved, retries move money
once, limits, freezes and lockouts hold, a lost card is replaced once per key and at most once,
and rejected commands leave the state unchanged."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hotline.banking.errors import (
    AuthenticationFailed,
    BankingError,
    CardFrozen,
    CredentialLocked,
    IdempotencyConflict,
)
from hotline.banking.events import CardReplaced, MoneyMoved
from hotline.banking.limits import DailyLimits
from hotline.banking.model import CardStatus, Channel, Payee
from hotline.banking.pins import MAX_FAILURES
from hotline.banking.sandbox import SandboxBank
from tests.unit.banking.helpers import PAN_A, PAN_B, PAYEE, PIN_A, PIN_B, T0, ctx, make_bank

ACCOUNTS = ["A-CUR", "A-SAV", "A-CC", "B-CUR"]
CARDS = {"A-DC": "A", "A-CC1": "A", "B-DC": "B"}
IVR_LIMIT = 300_000
AMOUNTS = st.integers(-1, 1_200_000)
KEYS = st.sampled_from([f"k{i}" for i in range(12)])
CHANNELS = st.sampled_from([Channel.IVR, Channel.AGENT])
PAYEES = st.sampled_from([PAYEE, Payee(name="李四", account_number="6222020000000001",
                                       bank="BOC")])


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.bank = make_bank(DailyLimits(per_channel={Channel.IVR: IVR_LIMIT}))
        self.bank.pan_entropy = random.Random(0).randbytes
        self.cards = dict(CARDS)
        #: The model of replacements: lost card -> its replacement; key -> (lost, new).
        self.replaced: dict[str, str] = {}
        self.replacements: dict[str, tuple[str, str]] = {}
        self.now = T0
        self.total = sum(self.bank.state.ledger.balances.values())
        self.keys: dict[str, tuple[Any, Any]] = {}
        self.failures = {"A": 0, "B": 0}
        self.locked = {"A": False, "B": False}

    # -- helpers -----------------------------------------------------------------------------

    def frozen(self, account_id: str) -> bool:
        state = self.bank.state
        return any(state.card_status[c] is not CardStatus.ACTIVE and c not in self.replaced
                   for c in state.cards_on.get(account_id, ()))

    def move(self, method: str, channel: Channel, **kwargs: Any) -> None:
        key = kwargs["idempotency_key"]
        content = (method, tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
        earlier = self.keys.get(key)
        before = self.bank.state.snapshot()
        audit = len(self.bank.audit)
        source = kwargs["from_account"]
        was_frozen = self.frozen(source) if source in self.bank.state.accounts else False
        try:
            receipt = getattr(self.bank, method)(**kwargs, ctx=ctx(self.now, channel=channel))
        except IdempotencyConflict:
            event("conflict")
            assert (earlier is not None and earlier[0] != content) or key in self.replacements
            assert self.bank.state.snapshot() == before and len(self.bank.audit) == audit
            return
        except BankingError as e:
            event(type(e).__name__)
            assert earlier is None or earlier[0] != content, "a true retry must not fail"
            assert self.bank.state.snapshot() == before and len(self.bank.audit) == audit
            return
        if earlier is not None:
            assert earlier[0] == content and receipt == earlier[1]
            assert self.bank.state.snapshot() == before, "a retry moved money again"
            assert len(self.bank.audit) == audit
            return
        event("moved")
        assert not was_frozen, "money left an account with a frozen card"
        self.keys[key] = (content, receipt)
        after = self.bank.state.ledger
        assert after.balance(source) == before["balances"][source] - kwargs["amount"]
        moved = [r for r in self.bank.audit[audit:] if r.reference == receipt.txn_id]
        assert len(moved) == 1 and moved[0].amount == kwargs["amount"]

    # -- rules -------------------------------------------------------------------------------

    @rule(source=st.sampled_from(ACCOUNTS), dest=st.sampled_from(ACCOUNTS), amount=AMOUNTS,
          key=KEYS, channel=CHANNELS)
    def transfer_own(self, source: str, dest: str, amount: int, key: str,
                     channel: Channel) -> None:
        self.move("transfer_own", channel, customer_id="A", from_account=source,
                  to_account=dest, amount=amount, idempotency_key=key)

    @rule(source=st.sampled_from(["A-CUR", "A-SAV", "A-CC"]), amount=AMOUNTS, key=KEYS,
          channel=CHANNELS)
    def repay(self, source: str, amount: int, key: str, channel: Channel) -> None:
        self.move("repay_credit_card", channel, customer_id="A", from_account=source,
                  card_account="A-CC", amount=amount, idempotency_key=key)

    @rule(source=st.sampled_from(ACCOUNTS), amount=AMOUNTS, key=KEYS, channel=CHANNELS,
          payee=PAYEES, other_owner=st.booleans())
    def pay(self, source: str, amount: int, key: str, channel: Channel, payee: Payee,
            other_owner: bool) -> None:
        # Mostly the owner pays; sometimes the other customer tries (and must be refused).
        owner = source[0] if not other_owner else ("B" if source[0] == "A" else "A")
        self.move("pay", channel, customer_id=owner, from_account=source, payee=payee,
                  amount=amount, idempotency_key=key)

    @rule(source=st.sampled_from(ACCOUNTS), extra=st.sampled_from([0, 1]), key=KEYS)
    def pay_to_the_edge(self, source: str, extra: int, key: str) -> None:
        """Pay exactly what is available, or one fen more: the minimum-balance boundary."""
        amount = self.bank.state.available(source) + extra
        self.move("pay", Channel.AGENT, customer_id=source[0], from_account=source, payee=PAYEE,
                  amount=amount, idempotency_key=key)

    @rule(data=st.data(),
          action=st.sampled_from(["freeze_card", "unfreeze_card", "report_lost_card"]))
    def change_card(self, data: st.DataObject, action: str) -> None:
        card = data.draw(st.sampled_from(sorted(self.cards)))
        before = self.bank.state.snapshot()
        status = self.bank.state.card_status[card]
        try:
            getattr(self.bank, action)(customer_id=self.cards[card], card_id=card,
                                       ctx=ctx(self.now))
        except BankingError:
            assert status is CardStatus.LOST
            assert self.bank.state.snapshot() == before
        else:
            assert status is not CardStatus.LOST or action == "report_lost_card"

    @rule(data=st.data(), key=KEYS)
    def replace_card(self, data: st.DataObject, key: str) -> None:
        card = data.draw(st.sampled_from(sorted(self.cards)))
        state = self.bank.state
        status, earlier = state.card_status[card], self.replacements.get(key)
        before, audit = state.snapshot(), len(self.bank.audit)
        try:
            new = self.bank.replace_card(customer_id=self.cards[card], card_id=card,
                                         idempotency_key=key,
                                         ctx=ctx(self.now, channel=Channel.AGENT))
        except IdempotencyConflict:
            event("replace: conflict")
            assert key in self.keys or (earlier is not None and earlier[0] != card)
            assert state.snapshot() == before and len(self.bank.audit) == audit
            return
        except BankingError as e:
            event(f"replace: {type(e).__name__}")
            assert earlier is None and (status is not CardStatus.LOST or card in self.replaced)
            assert state.snapshot() == before and len(self.bank.audit) == audit
            return
        if earlier is not None:
            event("replace: retried")
            assert earlier == (card, new.card_id)
            assert state.snapshot() == before and len(self.bank.audit) == audit
            return
        event("replace: replaced")
        assert status is CardStatus.LOST and card not in self.replaced
        assert new.status is CardStatus.ACTIVE and state.card_status[card] is CardStatus.LOST
        self.replaced[card] = new.card_id
        self.replacements[key] = (card, new.card_id)
        self.cards[new.card_id] = self.cards[card]
        (record,) = self.bank.audit[audit:]
        assert (record.action, record.reference) == ("card_replaced", new.card_id)

    @rule(account=st.sampled_from(ACCOUNTS), amount=AMOUNTS)
    def hold(self, account: str, amount: int) -> None:
        before = self.bank.state.snapshot()
        customer = account[0]
        try:
            self.bank.place_hold(customer_id=customer, account_id=account, amount=amount,
                                 reason="test", ctx=ctx(self.now))
        except BankingError:
            assert self.bank.state.snapshot() == before

    @precondition(lambda self: bool(self.bank.state.holds))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        hold = data.draw(st.sampled_from(sorted(self.bank.state.holds)))
        self.bank.release_hold(hold_id=hold, ctx=ctx(self.now))

    @rule(customer=st.sampled_from(["A", "B"]), right=st.booleans())
    def authenticate(self, customer: str, right: bool) -> None:
        pan, pin, other = (PAN_A, PIN_A, PIN_B) if customer == "A" else (PAN_B, PIN_B, PIN_A)
        card = "A-DC" if customer == "A" else "B-DC"
        frozen = self.bank.state.card_status[card] is not CardStatus.ACTIVE
        try:
            self.bank.authenticate(credential=pan, pin=pin if right else other,
                                   ctx=ctx(self.now))
        except CardFrozen:
            assert frozen
        except CredentialLocked:
            assert not frozen
            if not self.locked[customer]:
                assert not right and self.failures[customer] == MAX_FAILURES - 1
            self.locked[customer] = True
        except AuthenticationFailed:
            assert not frozen and not right and not self.locked[customer]
            self.failures[customer] += 1
        else:
            assert not frozen and right and not self.locked[customer]
            self.failures[customer] = 0

    @precondition(lambda self: any(self.locked.values()))
    @rule()
    def unlock(self) -> None:
        for customer in [c for c, locked in self.locked.items() if locked]:
            self.bank.unlock_pin(customer_id=customer, ctx=ctx(self.now, channel=Channel.AGENT))
            self.locked[customer], self.failures[customer] = False, 0

    @rule(hours=st.integers(1, 30))
    def advance(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    # -- invariants --------------------------------------------------------------------------

    @invariant()
    def money_is_conserved(self) -> None:
        assert sum(self.bank.state.ledger.balances.values()) == self.total

    @invariant()
    def no_account_below_its_minimum(self) -> None:
        state = self.bank.state
        for account_id in ACCOUNTS:
            account = state.accounts[account_id]
            floor = account.minimum_balance
            assert floor is not None
            assert state.ledger.balance(account_id) >= floor
            assert state.available(account_id) >= 0

    @invariant()
    def daily_limits_hold(self) -> None:
        for (_, channel, _), used in self.bank.state.usage.items():
            assert channel is not Channel.IVR or used <= IVR_LIMIT

    @invariant()
    def every_movement_is_audited(self) -> None:
        moved = {e.receipt.txn_id for e in self.bank.events if isinstance(e, MoneyMoved)}
        audited = {r.reference for r in self.bank.audit if r.amount is not None}
        assert moved <= audited

    @invariant()
    def replacements_match_the_model(self) -> None:
        state = self.bank.state
        assert state.replaced_by == self.replaced
        assert set(state.cards) == set(self.cards)
        assert len(state.card_by_pan) == len(state.cards), "a card number was issued twice"
        for lost, new in self.replaced.items():
            assert state.card_status[lost] is CardStatus.LOST
            old, card = state.cards[lost], state.cards[new]
            assert (card.customer_id, card.account_id) == (old.customer_id, old.account_id)
            assert card.pan[:6] == old.pan[:6] and len(card.pan) == len(old.pan)
        issued = [e for e in self.bank.events if isinstance(e, CardReplaced)]
        assert len(issued) == len(self.replaced)

    @invariant()
    def lockout_matches_the_model(self) -> None:
        for customer in ("A", "B"):
            record = self.bank.state.pins[customer]
            assert record.locked == self.locked[customer]

    def teardown(self) -> None:
        rebuilt = SandboxBank.replay(self.bank.events, hasher=self.bank.hasher,
                                     limits=self.bank.limits)
        assert rebuilt.state.snapshot() == self.bank.state.snapshot()


LedgerMachine.TestCase.settings = settings(max_examples=80, stateful_step_count=40,
                                           deadline=None)
test_ledger_state_machine = LedgerMachine.TestCase
