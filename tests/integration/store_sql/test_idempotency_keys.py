"""The web's idempotency keys in the database, on SQLite and PostgreSQL: a key's first outcome
(a receipt, or the approval request it opened) is read back after a reopen; a key holds one
outcome; a bad record names its field; with the bank, the key and the money of one step are
written in one transaction or not at all."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

from hotline.banking.operations import TransferOwn
from hotline.banking.receipts import Receipt
from hotline.store.errors import InvalidArgument
from hotline.store.sql.bank import BankStore, BankWriteError
from hotline.store.sql.bank_persistent import PersistentBank, PersistentDesk
from hotline.store.sql.errors import Duplicate, InvalidRecord
from hotline.store.sql.idempotency_keys import IdempotencyKeys, IdempotencyRecord
from hotline.store.sql.schema import bank_events, idempotency_keys
from tests.integration.store_sql.test_bank import AGENT, HASHER, LIMITS, open_bank
from tests.unit.banking.helpers import T0, balance, make_bank


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def transfer(desk: PersistentDesk, amount: int) -> Receipt:
    done = desk.perform(user=AGENT, contact_id="K1", now=T0, operation=TransferOwn(
        from_account="A-CUR", to_account="A-SAV", amount=amount))
    assert isinstance(done, Receipt)
    return done


def verified_desk(engine: Engine) -> PersistentDesk:
    desk = PersistentDesk(open_bank(engine, make_bank()), limits=LIMITS)
    desk.verified_by_ivr(contact_id="K1", customer_id="A", masked_credential="****", now=T0)
    return desk


def events(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(bank_events)).scalar_one())


def test_a_receipt_and_a_request_come_back_after_a_reopen(engine: Engine) -> None:
    desk = verified_desk(engine)
    receipt = transfer(desk, 1_000)
    keys = IdempotencyKeys(engine)
    first = IdempotencyRecord(key="key-receipt", fingerprint=fingerprint("a"), contact_id="K1",
                              at=T0, receipt=receipt)
    second = IdempotencyRecord(key="key-request", fingerprint=fingerprint("b"),
                               contact_id="K1", at=T0 + timedelta(seconds=1),
                               request_id="K1/R2")
    keys.put(first)
    keys.put(second)
    again = IdempotencyKeys(engine)
    assert again.get("key-receipt") == first
    assert again.get("key-request") == second
    assert again.get("key-other") is None
    assert again.get("key-receipt").at == T0  # type: ignore[union-attr]


def test_a_key_holds_one_outcome(engine: Engine) -> None:
    record = IdempotencyRecord(key="key-once", fingerprint=fingerprint("a"), contact_id="K1",
                               at=T0, request_id="K1/R1")
    IdempotencyKeys(engine).put(record)
    later = IdempotencyRecord(key="key-once", fingerprint=fingerprint("b"), contact_id="K2",
                              at=T0, request_id="K2/R1")
    with pytest.raises(Duplicate, match="key-once"):
        IdempotencyKeys(engine).put(later)
    assert IdempotencyKeys(engine).get("key-once") == record


@pytest.mark.parametrize(("changes", "message"), [
    ({"key": ""}, r"^key: must be 1 to 128 characters"),
    ({"fingerprint": "abc"}, r"^fingerprint: must be a hash of 64 hex digits"),
    ({"contact_id": ""}, r"^contact_id: must not be empty"),
    ({"request_id": None}, r"^receipt: give the receipt or the request_id, exactly one"),
    ({"at": T0.replace(tzinfo=None)}, r"^at: must be an aware datetime"),
])
def test_a_bad_record_names_its_field_and_writes_nothing(
        engine: Engine, changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"key": "key-bad", "fingerprint": fingerprint("a"),
                                 "contact_id": "K1", "at": T0, "request_id": "K1/R1"}
    fields.update(changes)
    with pytest.raises(InvalidRecord, match=message):
        IdempotencyKeys(engine).put(IdempotencyRecord(**fields))  # type: ignore[arg-type]
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(idempotency_keys)).scalar_one() == 0


def test_with_the_bank_the_key_and_the_money_are_one_transaction(engine: Engine) -> None:
    desk = verified_desk(engine)
    keys = IdempotencyKeys(engine, bank=desk.bank)
    before = events(engine)
    with keys.step():
        receipt = transfer(desk, 2_000)
        keys.put(IdempotencyRecord(key="key-moved", fingerprint=fingerprint("a"),
                                   contact_id="K1", at=T0, receipt=receipt))
        # Nothing is written until the step is done.
        assert events(engine) == before and IdempotencyKeys(engine).get("key-moved") is None
    assert events(engine) == before + 1
    assert IdempotencyKeys(engine).get("key-moved") == keys.get("key-moved")
    assert balance(open_bank(engine), "A-SAV") == 500_000 + 2_000


def test_a_key_that_cannot_be_written_takes_its_money_with_it(engine: Engine) -> None:
    desk = verified_desk(engine)
    keys = IdempotencyKeys(engine, bank=desk.bank)
    # The same key, written behind this process's back: the step's insert collides.
    with engine.begin() as c:
        c.execute(insert(idempotency_keys), [{
            "key": "key-taken", "fingerprint": fingerprint("x"), "contact_id": "K9", "at": T0,
            "receipt": None, "request_id": "K9/R1"}])
    before = events(engine)
    written = r"^bank_events: cannot write: .*idempotency_keys"
    with pytest.raises(BankWriteError, match=written), keys.step():
        receipt = transfer(desk, 3_000)
        keys.put(IdempotencyRecord(key="key-taken", fingerprint=fingerprint("a"),
                                   contact_id="K1", at=T0, receipt=receipt))
    assert events(engine) == before
    assert balance(open_bank(engine), "A-CUR") == 1_000_000
    assert BankStore(engine).load_desk().receipts == ()


def test_a_put_outside_a_step_rides_on_a_write_of_its_own(engine: Engine) -> None:
    desk = PersistentDesk(open_bank(engine, make_bank()), limits=LIMITS)
    keys = IdempotencyKeys(engine, bank=desk.bank)
    keys.put(IdempotencyRecord(key="key-alone", fingerprint=fingerprint("a"), contact_id="K1",
                               at=T0, request_id="K1/R1"))
    assert IdempotencyKeys(engine).get("key-alone") is not None
    with pytest.raises(InvalidArgument, match=r"^bank: must be opened on the same database"):
        IdempotencyKeys(engine, bank=PersistentBank(hasher=HASHER))
