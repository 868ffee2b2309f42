"""The sandbox bank's core data in the database: its events, its audit trail, the desk's state.

``bank_events`` is the bank: append only, in order, replayed into a ``SandboxBank`` on start
(card numbers and PIN hashes are in it, as in the sandbox's own events; nothing here logs them,
and a database error is reported by its first line only, never with the rows' parameters).
``bank_audit`` holds the sandbox's and the agent desk's ``AuditRecord``s; ``bank_desk`` the
desk's verifications, approval requests, receipts and key counter. ``write`` puts any of these
in one transaction. One writer per database: the next seq is kept in memory, so a second
writer's append collides on the key and fails (``BankWriteError``) instead of interleaving.

>>> from datetime import UTC, datetime
>>> from hotline.banking.events import HoldReleased
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> store = BankStore(engine)
>>> store.append([HoldReleased(hold_id="H1", at=datetime(2026, 1, 1, tzinfo=UTC))])
1
>>> [e.hold_id for e in store.read()]
['H1']
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from hotline.banking.approvals import ApprovalRequest
from hotline.banking.audit import AuditRecord
from hotline.banking.events import BankEvent, MoneyMoved
from hotline.banking.receipts import Receipt
from hotline.banking.verification import Verification
from hotline.store.errors import CorruptEvent, InvalidArgument, StoreError
from hotline.store.sql.bank_codec import (
    DESK_TYPES,
    BankCodecError,
    decode_event,
    dump,
    encode_event,
    load,
)
from hotline.store.sql.schema import bank_audit, bank_desk, bank_events
from hotline.store.sql.upsert import upsert

SOURCES = ("bank", "desk")
#: The desk's idempotency-key counter, stored as one row of ``bank_desk``.
COUNTER = ("counter", "keys")
_LAST = select(func.coalesce(func.max(bank_events.c.seq), 0))


class BankWriteError(StoreError):
    """The database refused a write (another writer, locked, disk full); nothing was written."""

    error_id = "bank_write"

    def __init__(self, table: str, reason: str) -> None:
        super().__init__(f"{table}: cannot write: {reason}; nothing was written")
        self.table = table
        self.reason = reason


@dataclass(frozen=True, kw_only=True, slots=True)
class DeskRow:
    """One record of the desk's state; ``position`` keeps the desk's order within its kind."""

    kind: str
    key: str
    position: int
    record: Verification | ApprovalRequest | Receipt


@dataclass(frozen=True, kw_only=True, slots=True)
class DeskState:
    verifications: tuple[Verification, ...] = ()
    requests: tuple[ApprovalRequest, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    #: Idempotency keys handed out so far (``{contact}/K{n}``, ``{contact}/R{n}``).
    keys: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class Rider:
    """A row of another table that commits with the bank's writes of one step, or not at all."""

    table: Table
    row: Mapping[str, Any]


class BankStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._last: int | None = None

    # --- events ----------------------------------------------------------------------------
    def append(self, events: Sequence[BankEvent]) -> int:
        """Append ``events`` in one transaction; returns the last seq."""
        return self.write(events=events)

    def read(self) -> Iterator[BankEvent]:
        """Every event, oldest first; a row that cannot be read raises ``CorruptEvent``."""
        query = select(bank_events.c.seq, bank_events.c.type, bank_events.c.data) \
            .order_by(bank_events.c.seq)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        for seq, kind, data in rows:
            try:
                yield decode_event(kind, data)
            except BankCodecError as exc:
                raise CorruptEvent("bank_events", seq, str(exc)) from None

    def last_seq(self) -> int:
        if self._last is None:
            with self.engine.connect() as c:
                self._last = int(c.execute(_LAST).scalar_one())
        return self._last

    def is_empty(self) -> bool:
        return self.last_seq() == 0

    # --- audit -----------------------------------------------------------------------------
    def append_audit(self, records: Sequence[AuditRecord], *, source: str = "bank") -> None:
        if source == "bank":
            self.write(audit=records)
        elif source == "desk":
            self.write(desk_audit=records)
        else:
            raise InvalidArgument("source", f"must be one of {', '.join(SOURCES)}, got {source!r}")

    def audit(self, *, source: str | None = None,
              customer_id: str | None = None) -> list[AuditRecord]:
        """Audit records oldest first, of one source (``bank``, ``desk``) or both."""
        query = select(bank_audit.c.seq, bank_audit.c.data).order_by(bank_audit.c.seq)
        if source is not None:
            query = query.where(bank_audit.c.source == source)
        if customer_id is not None:
            query = query.where(bank_audit.c.customer_id == customer_id)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        out = []
        for seq, data in rows:
            try:
                out.append(load(AuditRecord, data))
            except BankCodecError as exc:
                raise CorruptEvent("bank_audit", seq, str(exc)) from None
        return out

    # --- the desk --------------------------------------------------------------------------
    def load_desk(self) -> DeskState:
        query = select(bank_desk.c.kind, bank_desk.c.key, bank_desk.c.data) \
            .order_by(bank_desk.c.kind, bank_desk.c.position)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        found: dict[str, list[Any]] = {kind: [] for kind in DESK_TYPES}
        keys = 0
        for kind, key, data in rows:
            if (kind, key) == COUNTER:
                keys = json.loads(data)
                continue
            cls = DESK_TYPES.get(kind)
            if cls is None:
                raise BankCodecError(f"bank_desk.{kind}", f"unknown kind of desk record {key!r}")
            try:
                found[kind].append(load(cls, data))
            except BankCodecError as exc:
                raise BankCodecError(f"bank_desk.{kind}[{key}].{exc.field}",
                                     exc.reason) from None
        return DeskState(verifications=tuple(found["verification"]),
                         requests=tuple(found["request"]), receipts=tuple(found["receipt"]),
                         keys=keys)

    # --- everything at once ----------------------------------------------------------------
    def write(self, *, events: Sequence[BankEvent] = (), audit: Sequence[AuditRecord] = (),
              desk_audit: Sequence[AuditRecord] = (), desk: Sequence[DeskRow] = (),
              keys: int | None = None, after: int | None = None,
              riders: Sequence[Rider] = ()) -> int:
        """Write what is given in one transaction (all or nothing); returns the last seq.

        ``after``: the last seq the writer holds; events go right after it. A bank in memory
        gives it, so once another writer has appended, every later write of it fails too,
        rather than interleaving two histories. ``riders``: rows of other tables inserted in
        the same transaction (the web's idempotency key of the step that moved the money).
        """
        # Encoded first: a record that cannot be written refuses the lot before any SQL.
        event_rows = [_event_row(e) for e in events]
        audit_rows = [_audit_row("bank", r) for r in audit] + \
            [_audit_row("desk", r) for r in desk_audit]
        desk_rows = [{"kind": r.kind, "key": r.key, "position": r.position,
                      "data": dump(r.record)} for r in desk]
        if keys is not None:
            desk_rows.append({"kind": COUNTER[0], "key": COUNTER[1], "position": 0,
                              "data": json.dumps(keys)})
        last = self.last_seq() if after is None else after
        for n, row in enumerate(event_rows, 1):
            row["seq"] = last + n
        table = "bank_events" if event_rows else "bank_audit" if audit_rows else \
            "bank_desk" if desk_rows or not riders else riders[0].table.name
        try:
            with self.engine.begin() as c:
                if event_rows:
                    c.execute(insert(bank_events), event_rows)
                if audit_rows:
                    c.execute(insert(bank_audit), audit_rows)
                # One statement per kind of row: the ON CONFLICT insert wants one shape.
                upsert(c, bank_desk, desk_rows, ("kind", "key"))
                for rider in riders:
                    c.execute(insert(rider.table), [dict(rider.row)])
        except SQLAlchemyError as exc:
            # Another writer, or a lost connection: learn the true last seq next time.
            self._last = None
            raise BankWriteError(table, _reason(exc)) from None
        self._last = last + len(event_rows)
        return self._last


def _event_row(event: BankEvent) -> dict[str, Any]:
    kind, data = encode_event(event)
    at = event.posting.at if isinstance(event, MoneyMoved) else event.at
    return {"at": at, "type": kind, "data": data}


def _audit_row(source: str, record: AuditRecord) -> dict[str, Any]:
    return {"source": source, "at": record.at, "action": record.action,
            "customer_id": record.customer_id, "contact_id": record.contact_id,
            "data": dump(record)}


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's first line only: SQLAlchemy's own text carries the rows (card numbers).
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else type(exc).__name__).strip()
    return text.splitlines()[0] if text else type(exc).__name__
