"""The desk's refused verification attempts in the database, on SQLite and PostgreSQL: the
count of a contact is read back after a reopen and counts each refusal once; a bad attempt
names its field and writes nothing; ``prune`` deletes by age, and so does the idempotency
keys' (the retention of both)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from hotline.store.sql.errors import InvalidRecord
from hotline.store.sql.idempotency_keys import IdempotencyKeys, IdempotencyRecord
from hotline.store.sql.schema import verification_attempts
from hotline.store.sql.verification_attempts import VerificationAttempts
from tests.unit.banking.helpers import T0


def rows(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(verification_attempts))
                   .scalar_one())


def test_each_refusal_counts_once_per_contact_and_survives_a_reopen(engine: Engine) -> None:
    attempts = VerificationAttempts(engine)
    got = [attempts.refuse(contact_id="c1", customer_id="A", at=T0 + timedelta(seconds=n))
           for n in range(3)]
    assert got == [1, 2, 3]
    assert attempts.refuse(contact_id="c2", customer_id="A", at=T0) == 1
    again = VerificationAttempts(engine)
    assert (again.refused("c1"), again.refused("c2"), again.refused("c3")) == (3, 1, 0)
    assert again.refuse(contact_id="c1", customer_id="B", at=T0) == 4


@pytest.mark.parametrize(("changes", "message"), [
    ({"contact_id": ""}, r"^contact_id: must be 1 to 128 characters, got ''$"),
    ({"contact_id": "c" * 129}, r"^contact_id: must be 1 to 128 characters"),
    ({"customer_id": "A" * 65}, r"^customer_id: must be 1 to 64 characters"),
    ({"at": T0.replace(tzinfo=None)}, r"^at: must be an aware datetime"),
])
def test_a_bad_attempt_names_its_field_and_writes_nothing(
        engine: Engine, changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"contact_id": "c1", "customer_id": "A", "at": T0}
    fields.update(changes)
    with pytest.raises(InvalidRecord, match=message):
        VerificationAttempts(engine).refuse(**fields)  # type: ignore[arg-type]
    assert rows(engine) == 0


def test_prune_deletes_the_attempts_made_before_the_cut(engine: Engine) -> None:
    attempts = VerificationAttempts(engine)
    for days, contact in ((40, "old"), (31, "old"), (29, "recent")):
        attempts.refuse(contact_id=contact, customer_id="A", at=T0 - timedelta(days=days))
    assert attempts.prune(T0 - timedelta(days=30)) == 2
    assert (attempts.refused("old"), attempts.refused("recent")) == (0, 1)
    assert attempts.prune(T0 - timedelta(days=30)) == 0
    with pytest.raises(InvalidRecord, match=r"^before: must be an aware datetime"):
        attempts.prune(T0.replace(tzinfo=None))


def test_prune_deletes_the_idempotency_keys_kept_before_the_cut(engine: Engine) -> None:
    keys = IdempotencyKeys(engine)
    for days in (31, 29):
        keys.put(IdempotencyRecord(
            key=f"key-{days}", fingerprint=hashlib.sha256(b"x").hexdigest(), contact_id="c1",
            at=T0 - timedelta(days=days), request_id=f"c1/R{days}"))
    assert keys.prune(T0 - timedelta(days=30)) == 1
    # Gone from this process too, not only from the table.
    assert keys.get("key-31") is None and IdempotencyKeys(engine).get("key-31") is None
    assert keys.get("key-29") is not None and IdempotencyKeys(engine).get("key-29") is not None


def test_a_customers_refusals_are_counted_across_contacts_since_a_time(engine: Engine) -> None:
    attempts = VerificationAttempts(engine)
    for n, contact_id in enumerate(("c1", "c1", "c2")):
        attempts.refuse(contact_id=contact_id, customer_id="A", at=T0 + timedelta(hours=n))
    attempts.refuse(contact_id="c3", customer_id="B", at=T0)
    assert attempts.refused_customer("A", T0) == 3
    assert attempts.refused_customer("A", T0 + timedelta(hours=1)) == 2
    assert attempts.refused_customer("B", T0) == 1 and attempts.refused_customer("C", T0) == 0
