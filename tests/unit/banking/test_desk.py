from datetime import timedelta

import pytest

from hotline.banking.approvals import ApprovalRequest, ApprovalStatus
from hotline.banking.desk import AgentDesk
from hotline.banking.errors import (
    ApprovalClosed,
    AuthenticationFailed,
    CredentialLocked,
    InsufficientFunds,
    InvalidInput,
    LimitExceeded,
    NotPermitted,
    UnknownItem,
)
from hotline.banking.operations import (
    CardAction,
    ChangeCard,
    PayPayee,
    ReplaceCard,
    TransferOwn,
)
from hotline.banking.receipts import Receipt
from hotline.banking.roles import Role, RoleLimits, StaffUser
from hotline.banking.sandbox import SandboxBank
from hotline.banking.verification import VerificationMethod
from tests.unit.banking.helpers import PAN_A, PAYEE, PIN_A, PIN_B, T0, balance, ctx, make_bank

AGENT = StaffUser(user_id="u-agent", role=Role.AGENT)
SENIOR = StaffUser(user_id="u-senior", role=Role.SENIOR_AGENT)
SUP1 = StaffUser(user_id="u-sup1", role=Role.SUPERVISOR)
SUP2 = StaffUser(user_id="u-sup2", role=Role.SUPERVISOR)
LIMITS = RoleLimits(alone={Role.AGENT: 100_000, Role.SENIOR_AGENT: 300_000,
                           Role.SUPERVISOR: 500_000}, ceiling=900_000)


def desk_for(contact: str = "K1") -> AgentDesk:
    desk = AgentDesk(make_bank(), limits=LIMITS)
    desk.verified_by_ivr(contact_id=contact, customer_id="A",
                         masked_credential="622848*********1234", now=T0)
    return desk


def bank_of(desk: AgentDesk) -> SandboxBank:
    assert isinstance(desk.port, SandboxBank)
    return desk.port


def pay(amount: int) -> PayPayee:
    return PayPayee(from_account="A-CUR", payee=PAYEE, amount=amount)


def test_unverified_caller_gets_nothing() -> None:
    desk = AgentDesk(make_bank(), limits=LIMITS)
    with pytest.raises(NotPermitted, match=r"^contact_id: the caller on K9 is not verified$"):
        desk.perform(user=AGENT, contact_id="K9", operation=pay(1), now=T0)


def test_within_role_limit_runs_at_once_with_receipt_and_audit() -> None:
    desk = desk_for()
    receipt = desk.perform(user=AGENT, contact_id="K1", operation=pay(100_000), now=T0)
    assert isinstance(receipt, Receipt)
    assert receipt.summary == "payment ¥1,000.00 A-CUR -> 王** ****7890 (ICBC)"
    assert (receipt.performed_by, receipt.approved_by) == ("u-agent", None)
    assert receipt.verification is VerificationMethod.IVR_PIN
    assert desk.history("K1") == (receipt,)
    assert balance(bank_of(desk), "A-CUR") == 900_000
    assert [r.action for r in desk.audit] == ["caller_verified", "executed"]
    bank_record = bank_of(desk).audit[-1]
    assert (bank_record.action, bank_record.actor.actor_id, bank_record.contact_id) == (
        "payment", "u-agent", "K1")


def test_role_limits_differ() -> None:
    desk = desk_for()
    assert isinstance(desk.perform(user=SENIOR, contact_id="K1", operation=pay(300_000),
                                   now=T0), Receipt)
    assert isinstance(desk.perform(user=AGENT, contact_id="K1", operation=pay(100_001),
                                   now=T0), ApprovalRequest)


def test_above_threshold_nothing_moves_until_another_supervisor_approves() -> None:
    desk = desk_for()
    request = desk.perform(user=AGENT, contact_id="K1", operation=pay(250_000), now=T0)
    assert isinstance(request, ApprovalRequest)
    assert request.status is ApprovalStatus.PENDING
    assert balance(bank_of(desk), "A-CUR") == 1_000_000
    with pytest.raises(NotPermitted) as err:
        desk.approve(request_id=request.request_id, approver=SENIOR, now=T0)
    assert str(err.value) == "approver: u-senior is senior_agent; only a supervisor can decide"
    receipt = desk.approve(request_id=request.request_id, approver=SUP1, now=T0)
    assert (receipt.performed_by, receipt.approved_by) == ("u-agent", "u-sup1")
    assert balance(bank_of(desk), "A-CUR") == 750_000
    assert desk.requests[request.request_id].status is ApprovalStatus.APPROVED
    with pytest.raises(ApprovalClosed, match=r"^request_id: K1/R1 is already approved$"):
        desk.approve(request_id=request.request_id, approver=SUP2, now=T0)
    assert balance(bank_of(desk), "A-CUR") == 750_000
    assert [r.action for r in desk.audit] == [
        "caller_verified", "approval_requested", "executed", "approved"]


def test_requester_cannot_approve_own_request() -> None:
    desk = desk_for()
    request = desk.perform(user=SUP1, contact_id="K1", operation=pay(600_000), now=T0)
    assert isinstance(request, ApprovalRequest)
    with pytest.raises(NotPermitted) as err:
        desk.approve(request_id=request.request_id, approver=SUP1, now=T0)
    assert str(err.value) == "approver: u-sup1 cannot decide their own request"
    desk.approve(request_id=request.request_id, approver=SUP2, now=T0)


def test_rejected_and_expired_requests_move_nothing() -> None:
    desk = desk_for()
    first = desk.perform(user=AGENT, contact_id="K1", operation=pay(200_000), now=T0)
    second = desk.perform(user=AGENT, contact_id="K1", operation=pay(200_001), now=T0)
    assert isinstance(first, ApprovalRequest) and isinstance(second, ApprovalRequest)
    with pytest.raises(InvalidInput, match=r"^reason: a rejection needs a reason$"):
        desk.reject(request_id=first.request_id, approver=SUP1, reason=" ", now=T0)
    desk.reject(request_id=first.request_id, approver=SUP1, reason="caller unsure", now=T0)
    later = T0 + timedelta(minutes=15)
    with pytest.raises(ApprovalClosed, match=r"^request_id: K1/R2 expired at 2007-06-01T09:15"):
        desk.approve(request_id=second.request_id, approver=SUP1, now=later)
    (expired,) = desk.expire_due(now=later)
    assert expired.status is ApprovalStatus.EXPIRED
    assert balance(bank_of(desk), "A-CUR") == 1_000_000
    assert desk.history("K1") == ()
    with pytest.raises(UnknownItem, match=r"^request_id: no approval request K1/R7$"):
        desk.approve(request_id="K1/R7", approver=SUP1, now=T0)


def test_failing_execution_leaves_request_pending() -> None:
    desk = desk_for()
    request = desk.perform(user=AGENT, contact_id="K1",
                           operation=TransferOwn(from_account="A-SAV", to_account="A-CUR",
                                                 amount=600_000), now=T0)
    assert isinstance(request, ApprovalRequest)
    with pytest.raises(InsufficientFunds):
        desk.approve(request_id=request.request_id, approver=SUP1, now=T0)
    assert desk.requests[request.request_id].status is ApprovalStatus.PENDING
    assert [r.action for r in desk.audit][-1] == "approval_requested"


def test_above_ceiling_is_refused_outright() -> None:
    desk = desk_for()
    with pytest.raises(LimitExceeded) as err:
        desk.perform(user=SUP1, contact_id="K1", operation=pay(900_001), now=T0)
    assert str(err.value) == ("amount: ¥9,000.01 is above the contact-centre ceiling "
                              "¥9,000.00")
    assert desk.requests == {}


def test_card_freeze_by_agent_needs_no_approval() -> None:
    desk = desk_for()
    receipt = desk.perform(user=AGENT, contact_id="K1",
                           operation=ChangeCard(card_id="A-DC", action=CardAction.FREEZE), now=T0)
    assert isinstance(receipt, Receipt)
    assert (receipt.reference, receipt.summary) == ("frozen", "card A-DC freeze")


def test_a_lost_card_is_replaced_with_a_masked_receipt_and_audit() -> None:
    desk = desk_for()
    bank = bank_of(desk)
    with pytest.raises(NotPermitted, match=r"^card_id: card 622848\*{9}1234 is active: only a "
                                           r"card reported lost is replaced$"):
        desk.perform(user=AGENT, contact_id="K1", operation=ReplaceCard(card_id="A-DC"), now=T0)
    assert desk.history("K1") == () and "A-DC" not in bank.state.replaced_by
    lost = ChangeCard(card_id="A-DC", action=CardAction.REPORT_LOST)
    desk.perform(user=AGENT, contact_id="K1", operation=lost, now=T0)
    receipt = desk.perform(user=AGENT, contact_id="K1", operation=ReplaceCard(card_id="A-DC"),
                           now=T0)
    assert isinstance(receipt, Receipt)
    new = bank.state.cards[bank.state.replaced_by["A-DC"]]
    assert receipt.reference == new.card_id == "A-DC-R1"
    assert receipt.summary == f"card A-DC replaced by {new.masked_pan}"
    assert new.masked_pan.startswith("622848*") and new.pan not in receipt.summary
    record = desk.audit[-1]
    assert (record.action, record.actor.actor_id, record.contact_id, record.reference) == (
        "executed", "u-agent", "K1", "A-DC-R1")
    assert new.pan not in str(desk.audit) and PAN_A not in str(desk.audit)
    with pytest.raises(NotPermitted, match=r"^card_id: .* was already replaced by A-DC-R1$"):
        desk.perform(user=AGENT, contact_id="K1", operation=ReplaceCard(card_id="A-DC"), now=T0)
    assert len(desk.history("K1")) == 2


def test_agent_verification_needs_enough_right_answers() -> None:
    desk = AgentDesk(make_bank(), limits=LIMITS)
    with pytest.raises(NotPermitted) as err:
        desk.verified_by_agent(user=AGENT, contact_id="K2", customer_id="A", questions_asked=3,
                               questions_passed=1, now=T0)
    assert str(err.value) == "questions_passed: 1 of 3 answered; at least 2 must be right"
    assert desk.verifications == {}


def test_locked_pin_is_unlocked_by_an_agent_after_questions() -> None:
    desk = desk_for("K1")
    bank = bank_of(desk)
    for _ in range(3):
        with pytest.raises((AuthenticationFailed, CredentialLocked)):
            bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
    with pytest.raises(NotPermitted, match="unlocking a PIN needs verification by the agent"):
        desk.unlock_pin(user=AGENT, contact_id="K1", now=T0)
    desk.verified_by_agent(user=AGENT, contact_id="K2", customer_id="A", questions_asked=3,
                           questions_passed=3, now=T0)
    desk.unlock_pin(user=AGENT, contact_id="K2", now=T0)
    assert bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx()).customer_id == "A"
    assert desk.audit[-1].action == "pin_unlocked"
    assert desk.audit[-1].detail.startswith("[agent]")


def test_role_limits_validate() -> None:
    with pytest.raises(InvalidInput, match=r"^alone.supervisor: needs a limit of 0 fen or more$"):
        RoleLimits(alone={Role.AGENT: 1, Role.SENIOR_AGENT: 2})
    with pytest.raises(InvalidInput, match=r"^ceiling: must be at least every role's own limit$"):
        RoleLimits(alone={Role.AGENT: 1, Role.SENIOR_AGENT: 2, Role.SUPERVISOR: 3}, ceiling=2)
