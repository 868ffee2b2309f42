"""Hypothesis state machine over the agent desk: nothing above a role's limit completes without
a different supervisor's approval; rejected and expired requests move nothing; each request
executes at most once."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hotline.banking.approvals import ApprovalRequest, ApprovalStatus
from hotline.banking.desk import AgentDesk
from hotline.banking.errors import BankingError
from hotline.banking.events import MoneyMoved
from hotline.banking.operations import PayPayee, TransferOwn
from hotline.banking.receipts import Receipt
from hotline.banking.roles import Role, RoleLimits, StaffUser
from tests.unit.banking.helpers import PAYEE, T0, make_bank

LIMITS = RoleLimits(alone={Role.AGENT: 100_000, Role.SENIOR_AGENT: 300_000,
                           Role.SUPERVISOR: 500_000}, ceiling=1_500_000)
USERS = [StaffUser(user_id=f"u-{role.value}-{i}", role=role) for role in Role for i in (1, 2)]
ROLE_OF = {u.user_id: u.role for u in USERS}


class DeskMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.bank = make_bank()
        self.desk = AgentDesk(self.bank, limits=LIMITS, approval_ttl=timedelta(minutes=10))
        self.desk.verified_by_ivr(contact_id="K1", customer_id="A",
                                  masked_credential="****2345", now=T0)
        self.now = T0
        self.receipts: list[Receipt] = []

    def moved_balance(self) -> int:
        return sum(self.bank.state.ledger.balance(a) for a in ("A-CUR", "A-SAV", "A-CC"))

    @rule(user=st.sampled_from(USERS), amount=st.integers(1, 1_600_000), pay=st.booleans())
    def perform(self, user: StaffUser, amount: int, pay: bool) -> None:
        op = (PayPayee(from_account="A-CC", payee=PAYEE, amount=amount) if pay
              else TransferOwn(from_account="A-SAV", to_account="A-CUR", amount=amount))
        before = self.moved_balance()
        try:
            result = self.desk.perform(user=user, contact_id="K1", operation=op, now=self.now)
        except BankingError:
            assert self.moved_balance() == before
            return
        if isinstance(result, Receipt):
            assert amount <= LIMITS.alone[user.role]
            self.receipts.append(result)
        else:
            assert amount > LIMITS.alone[user.role]
            assert self.moved_balance() == before, "money moved before approval"

    @precondition(lambda self: bool(self.desk.requests))
    @rule(data=st.data(), approve=st.booleans())
    def decide(self, data: st.DataObject, approve: bool) -> None:
        request_id = data.draw(st.sampled_from(sorted(self.desk.requests)))
        request = self.desk.requests[request_id]
        # The requester is drawn as often as all others together: self-approval must fail.
        approver = data.draw(st.one_of(st.just(request.requested_by), st.sampled_from(USERS)))
        before = self.moved_balance()
        try:
            if approve:
                self.receipts.append(self.desk.approve(request_id=request_id, approver=approver,
                                                       now=self.now))
            else:
                self.desk.reject(request_id=request_id, approver=approver, reason="no",
                                 now=self.now)
                assert self.moved_balance() == before
        except BankingError:
            assert self.moved_balance() == before
            assert self.desk.requests[request_id] == request
            return
        assert approver.role is Role.SUPERVISOR
        assert approver.user_id != request.requested_by.user_id
        assert request.status is ApprovalStatus.PENDING and self.now < request.expires_at

    @rule(minutes=st.integers(1, 12))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        for expired in self.desk.expire_due(now=self.now):
            assert expired.status is ApprovalStatus.EXPIRED

    @invariant()
    def above_limit_only_with_another_supervisor(self) -> None:
        for receipt in self.receipts:
            if receipt.amount > LIMITS.alone[ROLE_OF[receipt.performed_by]]:
                assert receipt.approved_by is not None
                assert receipt.approved_by != receipt.performed_by
                assert ROLE_OF[receipt.approved_by] is Role.SUPERVISOR
            else:
                assert receipt.approved_by is None

    @invariant()
    def each_request_executes_at_most_once_and_closed_ones_never(self) -> None:
        keys = [e.receipt.idempotency_key for e in self.bank.events if isinstance(e, MoneyMoved)]
        assert len(keys) == len(set(keys))
        request: ApprovalRequest
        for request in self.desk.requests.values():
            executed = request.request_id in keys
            assert executed == (request.status is ApprovalStatus.APPROVED)

    @invariant()
    def receipts_are_the_contact_history(self) -> None:
        assert self.desk.history("K1") == tuple(self.receipts)


DeskMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30,
                                         deadline=None)
test_desk_state_machine = DeskMachine.TestCase
