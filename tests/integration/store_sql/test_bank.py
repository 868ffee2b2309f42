"""The sandbox bank in the database, on SQLite and PostgreSQL: every event type written and read
back, replay rebuilds the same bank, and transfers, PIN failures, idempotency keys and the agent
desk's requests and receipts survive a reopen."""

from __future__ import annotations

import doctest
import json
import random
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from sqlalchemy import Engine, func, insert, select

import hotline.store.sql.bank as bank_module
import hotline.store.sql.bank_codec as codec_module
import hotline.store.sql.bank_persistent as persistent_module
from hotline.banking.approvals import ApprovalRequest, ApprovalStatus
from hotline.banking.audit import AuditRecord
from hotline.banking.demo import demo_bank
from hotline.banking.desk import AgentDesk
from hotline.banking.errors import AuthenticationFailed, CredentialLocked, IdempotencyConflict
from hotline.banking.events import HoldReleased, MoneyMoved
from hotline.banking.model import Actor, ActorKind, CardStatus, Channel
from hotline.banking.operations import PayPayee, TransferOwn
from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
from hotline.banking.receipts import Receipt
from hotline.banking.roles import Role, RoleLimits, StaffUser
from hotline.banking.sandbox import SandboxBank
from hotline.store.errors import CorruptEvent, InvalidArgument
from hotline.store.sql.bank import BankStore, BankWriteError
from hotline.store.sql.bank_codec import (
    EVENT_TYPES,
    BankCodecError,
    decode_event,
    encode_event,
    load,
)
from hotline.store.sql.bank_persistent import PersistentBank, PersistentDesk
from hotline.store.sql.schema import bank_audit, bank_events
from tests.unit.banking.helpers import (
    PAN_A,
    PAN_B,
    PAYEE,
    PIN_A,
    PIN_B,
    T0,
    balance,
    ctx,
    make_bank,
)

HASHER = PinHasher(params=SANDBOX_PARAMS)
AGENT = StaffUser(user_id="u-agent", role=Role.AGENT)
SUP = StaffUser(user_id="u-sup", role=Role.SUPERVISOR)
LIMITS = RoleLimits(alone={Role.AGENT: 100_000, Role.SENIOR_AGENT: 300_000,
                           Role.SUPERVISOR: 500_000}, ceiling=900_000)


def busy_bank() -> SandboxBank:
    """The helpers' bank after one of every kind of operation: every event type occurs."""
    bank = make_bank()
    agent = ctx(channel=Channel.AGENT)
    bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                      amount=10_000, idempotency_key="t1", ctx=ctx())
    bank.repay_credit_card(customer_id="A", from_account="A-SAV", card_account="A-CC",
                           amount=5_000, idempotency_key="r1", ctx=ctx())
    bank.pay(customer_id="A", from_account="A-CUR", payee=PAYEE, amount=20_000,
             idempotency_key="p1", ctx=ctx())
    hold = bank.place_hold(customer_id="B", account_id="B-CUR", amount=1_000,
                           reason="card pre-authorisation", ctx=ctx())
    bank.release_hold(hold_id=hold, ctx=ctx())
    bank.place_hold(customer_id="B", account_id="B-CUR", amount=2_000, reason="open", ctx=ctx())
    for _ in range(3):
        with pytest.raises((AuthenticationFailed, CredentialLocked)):
            bank.authenticate(credential=PAN_B, pin=PIN_A, ctx=ctx())
    bank.unlock_pin(customer_id="B", ctx=agent)
    bank.freeze_card(customer_id="A", card_id="A-CC1", ctx=agent)
    bank.report_lost_card(customer_id="B", card_id="B-DC", ctx=ctx())
    bank.replace_card(customer_id="B", card_id="B-DC", idempotency_key="c1", ctx=agent)
    return bank


def open_bank(engine: Engine, seed: SandboxBank | None = None) -> PersistentBank:
    return PersistentBank.open(BankStore(engine), seed=(lambda: seed) if seed else None,
                               hasher=HASHER)


# --- the codec and the tables --------------------------------------------------------------------
def test_every_event_type_and_audit_record_is_written_and_read_back(engine: Engine) -> None:
    bank = busy_bank()
    assert {type(e).__name__ for e in bank.events} == set(EVENT_TYPES)
    store = BankStore(engine)
    assert store.is_empty()
    assert store.append(bank.events) == len(bank.events)
    store.append_audit(bank.audit)
    assert list(store.read()) == list(bank.events)
    assert store.audit() == list(bank.audit) == store.audit(source="bank")
    assert store.audit(source="desk") == []
    assert store.audit(customer_id="B") == [r for r in bank.audit if r.customer_id == "B"]
    assert not BankStore(engine).is_empty()


def test_times_come_back_as_the_same_instants(engine: Engine) -> None:
    store = BankStore(engine)
    store.append([HoldReleased(hold_id="H1", at=T0)])  # T0 is in UTC+8
    (back,) = store.read()
    assert isinstance(back, HoldReleased)
    assert back.at == T0 and back.at.utcoffset() == T0.utcoffset()
    with engine.connect() as c:
        assert c.execute(select(bank_events.c.at)).scalar_one() == T0


def test_replay_rebuilds_the_same_bank_with_money_conserved(engine: Engine) -> None:
    seed = demo_bank(random.Random(3), customers=60,
                     opened_at=datetime(2026, 1, 1, tzinfo=UTC)).bank
    first = open_bank(engine, seed)
    assert first.state.snapshot() == seed.state.snapshot()
    again = open_bank(engine)  # no seed: read from the store
    assert again.state.snapshot() == seed.state.snapshot()
    assert sum(again.state.ledger.balances.values()) == 0
    assert len(again.events) == len(seed.events)
    assert BankStore(engine).audit() == list(seed.audit)


def test_a_transfer_survives_a_reopen_and_its_key_moves_money_once(engine: Engine) -> None:
    bank = open_bank(engine, make_bank())
    receipt = bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                                amount=12_345, idempotency_key="k-1", ctx=ctx())
    again = open_bank(engine)
    assert balance(again, "A-CUR") == 1_000_000 - 12_345
    assert balance(again, "A-SAV") == 500_000 + 12_345
    # The same key and content: the first receipt, nothing moves again.
    retry = again.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                               amount=12_345, idempotency_key="k-1",
                               ctx=ctx(T0 + timedelta(hours=1)))
    assert retry == receipt
    assert balance(again, "A-CUR") == 1_000_000 - 12_345
    with pytest.raises(IdempotencyConflict):
        again.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                           amount=99, idempotency_key="k-1", ctx=ctx())
    third = open_bank(engine)
    assert third.state.snapshot() == again.state.snapshot() == bank.state.snapshot()
    assert [r.action for r in BankStore(engine).audit()][-1] == "own_transfer"


def test_a_card_replacement_survives_a_reopen_and_its_key_issues_one_card(
        engine: Engine) -> None:
    bank = open_bank(engine, make_bank())
    bank.report_lost_card(customer_id="A", card_id="A-DC", ctx=ctx())
    agent = ctx(channel=Channel.AGENT)
    new = bank.replace_card(customer_id="A", card_id="A-DC", idempotency_key="c-1", ctx=agent)
    pan = bank.state.cards[new.card_id].pan
    again = open_bank(engine)
    assert again.state.snapshot() == bank.state.snapshot()
    assert again.state.card_status == {**bank.state.card_status, "A-DC": CardStatus.LOST,
                                       new.card_id: CardStatus.ACTIVE}
    assert again.authenticate(credential=pan, pin=PIN_A, ctx=ctx()).customer_id == "A"
    # A retry after the restart gets the same card; nothing is issued or audited again.
    events, audit = BankStore(engine).last_seq(), len(BankStore(engine).audit())
    assert again.replace_card(customer_id="A", card_id="A-DC", idempotency_key="c-1",
                              ctx=agent) == new
    assert BankStore(engine).last_seq() == events
    assert len(BankStore(engine).audit()) == audit
    replaced = [r for r in BankStore(engine).audit() if r.action == "card_replaced"]
    assert [r.reference for r in replaced] == [new.card_id]
    # The stored audit has masked numbers only (the events are the bank's core data).
    with engine.connect() as c:
        stored = " ".join(c.execute(select(bank_audit.c.data)).scalars())
    assert pan not in stored and PAN_A not in stored and pan[-4:] in stored


def test_a_refused_pin_is_kept_and_a_refused_command_writes_nothing(engine: Engine) -> None:
    bank = open_bank(engine, make_bank())
    stored = BankStore(engine).last_seq()
    with pytest.raises(AuthenticationFailed, match=r"\(2 attempt\(s\) left\)"):
        bank.authenticate(credential=PAN_A, pin=PIN_B, ctx=ctx())
    assert open_bank(engine).state.pins["A"].failures == 1
    with pytest.raises(IdempotencyConflict):  # refused before any event
        bank.deposit(customer_id="A", account_id="A-CUR", amount=1, idempotency_key="open-A-CUR",
                     ctx=ctx())
    assert BankStore(engine).last_seq() == stored + 1
    bank.authenticate(credential=PAN_A, pin=PIN_A, ctx=ctx())  # resets the count
    assert open_bank(engine).state.pins["A"].failures == 0


def test_the_desk_keeps_requests_receipts_and_keys_across_a_reopen(engine: Engine) -> None:
    bank = open_bank(engine, make_bank())
    desk = PersistentDesk(bank, limits=LIMITS)
    desk.verified_by_ivr(contact_id="K1", customer_id="A", masked_credential="****", now=T0)
    done = desk.perform(user=AGENT, contact_id="K1", now=T0,
                        operation=TransferOwn(from_account="A-CUR", to_account="A-SAV",
                                              amount=50_000))
    asked = desk.perform(user=AGENT, contact_id="K1", now=T0,
                         operation=PayPayee(from_account="A-CUR", payee=PAYEE, amount=200_000))
    assert isinstance(done, Receipt) and isinstance(asked, ApprovalRequest)

    later = T0 + timedelta(minutes=5)
    desk2 = PersistentDesk(open_bank(engine), limits=LIMITS)
    assert desk2.verifications == desk.verifications
    assert desk2.requests == desk.requests and desk2.history("K1") == desk.history("K1")
    approved = desk2.approve(request_id=asked.request_id, approver=SUP, now=later)
    assert approved.reference.startswith("T") and approved.approved_by == "u-sup"
    # A new operation after the restart gets a key of its own: it moves money (a reused key
    # would have returned the first transfer's receipt instead).
    third = desk2.perform(user=AGENT, contact_id="K1", now=later,
                          operation=TransferOwn(from_account="A-CUR", to_account="A-SAV",
                                                amount=50_000))
    assert isinstance(third, Receipt) and third.reference != done.reference

    desk3 = PersistentDesk(open_bank(engine), limits=LIMITS)
    assert desk3.requests[asked.request_id].status is ApprovalStatus.APPROVED
    assert [r.reference for r in desk3.history("K1")] == \
        [done.reference, approved.reference, third.reference]
    assert desk3.keys == desk2.keys == 3
    assert balance(desk3.bank, "A-CUR") == 1_000_000 - 50_000 - 200_000 - 50_000
    actions = [r.action for r in BankStore(engine).audit(source="desk")]
    assert actions == ["caller_verified", "executed", "approval_requested", "executed",
                       "approved", "executed"]
    # Expiry and rejection are kept too.
    desk3.expire_due(now=later + timedelta(hours=1))
    assert PersistentDesk(open_bank(engine), limits=LIMITS).requests == desk3.requests


def test_one_step_of_the_desk_is_one_transaction(engine: Engine) -> None:
    bank = open_bank(engine, make_bank())
    desk = PersistentDesk(bank, limits=LIMITS)
    desk.verified_by_ivr(contact_id="K1", customer_id="A", masked_credential="****", now=T0)
    # Another writer takes the next seq: the desk's transfer cannot be written.
    other = BankStore(engine)
    other.append([HoldReleased(hold_id="H-other", at=T0)])
    audit_before = len(BankStore(engine).audit())
    with pytest.raises(BankWriteError) as info:
        desk.perform(user=AGENT, contact_id="K1", now=T0,
                     operation=TransferOwn(from_account="A-CUR", to_account="A-SAV",
                                           amount=1_000))
    assert str(info.value).startswith("bank_events: cannot write: ")
    assert str(info.value).endswith("; nothing was written")
    assert PAN_A not in str(info.value) and "A-SAV" not in str(info.value)
    # Nor any later step: the bank in memory is no longer the one in the database.
    with pytest.raises(BankWriteError):
        bank.transfer_own(customer_id="A", from_account="A-CUR", to_account="A-SAV",
                          amount=500, idempotency_key="k-after", ctx=ctx())
    # Neither the posting, nor its audit, nor the receipt or key are in the database.
    assert len(BankStore(engine).audit()) == audit_before
    assert BankStore(engine).load_desk().receipts == ()
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(bank_events)).scalar_one() == \
            len(make_bank().events) + 1


def test_a_desk_needs_a_stored_bank_and_is_one_per_bank(engine: Engine) -> None:
    with pytest.raises(InvalidArgument, match=r"^bank: must be opened on a store"):
        PersistentDesk(PersistentBank(hasher=HASHER))
    bank = open_bank(engine, make_bank())
    PersistentDesk(bank)
    with pytest.raises(InvalidArgument, match=r"^bank: has a desk already"):
        PersistentDesk(bank)


# --- what cannot be written or read --------------------------------------------------------------
def test_an_unknown_type_is_refused_by_name() -> None:
    record = AuditRecord(at=T0, actor=Actor(kind=ActorKind.SYSTEM, actor_id="x"),
                         channel=Channel.SYSTEM, contact_id=None, action="a", customer_id=None)
    with pytest.raises(BankCodecError, match=r"^type: AuditRecord is not a bank event type "
                                             r"\(known: CustomerEnrolled, AccountOpened, "):
        encode_event(record)  # type: ignore[arg-type]
    with pytest.raises(BankCodecError, match=r"^type: unknown bank event type 'Teleported'$"):
        decode_event("Teleported", "{}")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(at="2026-01-01T00:00:00"),
     "HoldReleased.at: must be an aware time, got '2026-01-01T00:00:00'"),
    (lambda d: d.pop("hold_id"), "HoldReleased.hold_id: is missing"),
    (lambda d: d.update(colour="red"), "HoldReleased.colour: not a field of HoldReleased"),
    (lambda d: d.update(hold_id=7), "HoldReleased.hold_id: must be str, got int"),
])
def test_a_bad_event_is_refused_naming_the_field(change: object, message: str) -> None:
    kind, text = encode_event(HoldReleased(hold_id="H1", at=T0))
    data = json.loads(text)
    change(data)  # type: ignore[operator]
    with pytest.raises(BankCodecError) as info:
        decode_event(kind, json.dumps(data))
    assert str(info.value) == message


def test_nested_fields_are_named_in_full() -> None:
    bank = make_bank()
    kind, text = encode_event(next(e for e in bank.events if isinstance(e, MoneyMoved)))
    data = json.loads(text)
    data["posting"]["legs"][1]["amount"] = "100"
    with pytest.raises(BankCodecError, match=r"^MoneyMoved\.posting\.legs\.1\.amount: must be "
                                             r"int, got str$"):
        decode_event(kind, json.dumps(data))
    data["posting"]["legs"][1]["amount"] = 100
    data["channel"] = "fax"
    with pytest.raises(BankCodecError, match=r"^MoneyMoved\.channel: unknown Channel 'fax'$"):
        decode_event(kind, json.dumps(data))
    with pytest.raises(BankCodecError, match=r"^Receipt: not JSON"):
        load(Receipt, "{")


def test_a_request_names_its_operation_type() -> None:
    desk = AgentDesk(make_bank(), limits=LIMITS)
    desk.verified_by_ivr(contact_id="K1", customer_id="A", masked_credential="****", now=T0)
    asked = desk.perform(user=AGENT, contact_id="K1", now=T0,
                         operation=PayPayee(from_account="A-CUR", payee=PAYEE, amount=200_000))
    text = codec_module.dump(asked)
    assert json.loads(text)["operation"]["type"] == "PayPayee"
    assert load(ApprovalRequest, text) == asked
    bad = text.replace('"PayPayee"', '"Teleport"')
    with pytest.raises(BankCodecError, match=r"^ApprovalRequest\.operation\.type: 'Teleport' is "
                                             r"not one of TransferOwn, RepayCard, PayPayee, "
                                             r"ChangeCard, ReplaceCard$"):
        load(ApprovalRequest, bad)


def test_a_corrupt_row_is_reported_with_its_seq(engine: Engine) -> None:
    store = BankStore(engine)
    store.append([HoldReleased(hold_id="H1", at=T0)])
    with engine.begin() as c:
        c.execute(insert(bank_events).values(seq=2, at=T0, type="Teleported", data="{}"))
        c.execute(insert(bank_audit).values(source="bank", at=T0, action="x", data="[]"))
    with pytest.raises(CorruptEvent, match=r"^bank_events: event 2: type: unknown bank event "
                                           r"type 'Teleported'$"):
        list(BankStore(engine).read())
    with pytest.raises(CorruptEvent, match=r"^bank_audit: event \d+: AuditRecord: must be an "
                                           r"object, got list$"):
        BankStore(engine).audit()


def test_an_unknown_audit_source_is_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"^source: must be one of bank, desk, got 'ivr'$"):
        BankStore(None).append_audit([], source="ivr")  # type: ignore[arg-type]


@pytest.mark.parametrize("module", [bank_module, codec_module, persistent_module],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
