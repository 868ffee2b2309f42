"""The sandbox bank and the agent desk, written to the database after every operation.

``PersistentBank`` is a ``SandboxBank`` (so everything that reads the sandbox's state still
works) whose operations, once done, write what they added (events, audit records) to a
``BankStore``, even when they end in a refusal (a failed PIN is counted and kept).
``PersistentDesk`` is an ``AgentDesk`` over it: its verifications, approval requests,
receipts, audit and key counter go in the same transaction as the bank's events of the same
step, so a restart never finds money moved without the receipt and key that moved it.

On start ``PersistentBank.open(store, seed=...)`` replays the stored events; an empty store is
first filled with ``seed()``'s events and audit. If a write fails the operation raises
``BankWriteError`` after the fact; what it changed stays in memory and is written with the
next successful write. One process per database: once another writer has appended, every
write fails (the histories would interleave) until the bank is opened again.

>>> import random
>>> from datetime import UTC, datetime
>>> from hotline.banking.demo import demo_bank
>>> from hotline.store.sql.bank import BankStore
>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> opened = datetime(2026, 1, 1, tzinfo=UTC)
>>> seed = lambda: demo_bank(random.Random(1), customers=3, opened_at=opened).bank
>>> bank = PersistentBank.open(BankStore(engine), seed=seed)
>>> again = PersistentBank.open(BankStore(engine), seed=seed)  # seed unused: replayed
>>> again.state.snapshot() == bank.state.snapshot()
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from hotline.banking.approvals import ApprovalRequest
from hotline.banking.desk import MIN_QUESTIONS, AgentDesk
from hotline.banking.limits import DailyLimits
from hotline.banking.pins import PinHasher
from hotline.banking.receipts import Receipt
from hotline.banking.replacement import Entropy
from hotline.banking.roles import RoleLimits
from hotline.banking.sandbox import SandboxBank
from hotline.banking.verification import Verification
from hotline.store.errors import InvalidArgument
from hotline.store.sql.bank import BankStore, DeskRow, Rider

P = ParamSpec("P")
R = TypeVar("R")


def _written(method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
    """``method``, then what it changed written to the store, whether it returned or raised."""
    @functools.wraps(method)
    def run(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.unit():
            return method(self, *args, **kwargs)
    return run


class PersistentBank(SandboxBank):
    """A ``SandboxBank`` kept in a ``BankStore``. Open it with ``PersistentBank.open``."""

    def __init__(self, *, hasher: PinHasher | None = None, limits: DailyLimits | None = None,
                 pan_entropy: Entropy | None = None) -> None:
        super().__init__(hasher=hasher, limits=limits, pan_entropy=pan_entropy)
        self.store: BankStore | None = None
        self.desk: PersistentDesk | None = None
        self._depth = 0
        self._stored_events = 0
        self._stored_audit = 0
        self._riders: list[Rider] = []

    @classmethod
    def open(cls, store: BankStore, *, seed: Callable[[], SandboxBank] | None = None,
             hasher: PinHasher | None = None, limits: DailyLimits | None = None,
             pan_entropy: Entropy | None = None) -> PersistentBank:
        """The bank in ``store``; an empty store first gets ``seed()``'s events and audit."""
        bank = cls(hasher=hasher, limits=limits, pan_entropy=pan_entropy)
        if seed is not None and store.is_empty():
            first = seed()
            store.write(events=first.events, audit=first.audit, after=0)
            # The seed's state is what replaying its events would build: taken over as it is.
            bank.state = first.state
            bank._events = list(first.events)
        else:
            for event in store.read():
                bank._emit(event)
        bank.store = store
        bank._stored_events = len(bank._events)
        return bank

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Write once, when the outermost operation (a desk's, or the bank's own) is done."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.flush()

    def ride(self, rider: Rider) -> None:
        """Write ``rider`` with this unit's writes (at once when no unit is open); a failed
        write keeps it, as it keeps the events, for the next one."""
        self._riders.append(rider)
        if self._depth == 0:
            self.flush()

    def flush(self) -> None:
        """Write the events and audit records added since the last write, and the desk's."""
        if self.store is None:
            return
        events = self._events[self._stored_events:]
        audit = self._audit[self._stored_audit:]
        riders = list(self._riders)
        owner = self.desk
        desk = owner.unsaved() if owner is not None else None
        if not (events or audit or desk or riders):
            return
        after = self._stored_events  # the events in memory are seqs 1..n of the store
        if owner is None or desk is None:
            self.store.write(events=events, audit=audit, after=after, riders=riders)
        else:
            self.store.write(events=events, audit=audit, desk_audit=desk.audit, desk=desk.rows,
                             keys=desk.keys, after=after, riders=riders)
            owner.saved(desk)
        del self._riders[:len(riders)]
        self._stored_events += len(events)
        self._stored_audit += len(audit)

    enroll = _written(SandboxBank.enroll)
    open_account = _written(SandboxBank.open_account)
    issue_card = _written(SandboxBank.issue_card)
    deposit = _written(SandboxBank.deposit)
    place_hold = _written(SandboxBank.place_hold)
    release_hold = _written(SandboxBank.release_hold)
    authenticate = _written(SandboxBank.authenticate)
    unlock_pin = _written(SandboxBank.unlock_pin)
    transfer_own = _written(SandboxBank.transfer_own)
    repay_credit_card = _written(SandboxBank.repay_credit_card)
    pay = _written(SandboxBank.pay)
    report_lost_card = _written(SandboxBank.report_lost_card)
    freeze_card = _written(SandboxBank.freeze_card)
    unfreeze_card = _written(SandboxBank.unfreeze_card)
    replace_card = _written(SandboxBank.replace_card)


class _Unsaved:
    """What the desk changed since its last write."""

    __slots__ = ("audit", "keys", "receipts", "requests", "rows", "verifications")

    def __init__(self, desk: PersistentDesk) -> None:
        self.rows: list[DeskRow] = []
        self.verifications = dict(desk.verifications)
        self.requests = dict(desk.requests)
        self.receipts = len(desk.receipts)
        # Records are frozen: a changed one is a new object (identity is enough).
        self.rows += [DeskRow(kind="verification", key=key, position=i, record=v)
                      for i, (key, v) in enumerate(self.verifications.items())
                      if desk.saved_verifications.get(key) is not v]
        self.rows += [DeskRow(kind="request", key=key, position=i, record=r)
                      for i, (key, r) in enumerate(self.requests.items())
                      if desk.saved_requests.get(key) is not r]
        self.rows += [DeskRow(kind="receipt", key=r.receipt_id, position=i, record=r)
                      for i, r in enumerate(desk.receipts[desk.saved_receipts:],
                                            desk.saved_receipts)]
        self.audit = desk.audit[desk.saved_audit:]
        self.keys = desk.keys if desk.keys != desk.saved_keys else None

    def __bool__(self) -> bool:
        return bool(self.rows or self.audit or self.keys is not None)


class PersistentDesk(AgentDesk):
    """An ``AgentDesk`` over a ``PersistentBank``, its state loaded from and kept in the store."""

    def __init__(self, bank: PersistentBank, *, limits: RoleLimits | None = None,
                 approval_ttl: timedelta = timedelta(minutes=15),
                 min_questions: int = MIN_QUESTIONS) -> None:
        if bank.store is None:
            raise InvalidArgument("bank", "must be opened on a store (PersistentBank.open)")
        if bank.desk is not None:
            raise InvalidArgument("bank", "has a desk already (its state is one per database)")
        super().__init__(bank, limits=limits, approval_ttl=approval_ttl,
                         min_questions=min_questions)
        state = bank.store.load_desk()
        self.verifications.update((v.contact_id, v) for v in state.verifications)
        self.requests.update((r.request_id, r) for r in state.requests)
        self._receipts.extend(state.receipts)
        self._keys = state.keys
        # The desk's audit of earlier runs stays in the store (``BankStore.audit``), as the
        # sandbox's does: in memory is what this run adds.
        self.saved_verifications: dict[str, Verification] = dict(self.verifications)
        self.saved_requests: dict[str, ApprovalRequest] = dict(self.requests)
        self.saved_receipts = len(self._receipts)
        self.saved_audit = 0
        self.saved_keys = self._keys
        self.bank = bank
        bank.desk = self

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        return tuple(self._receipts)

    @property
    def keys(self) -> int:
        return self._keys

    def unit(self) -> AbstractContextManager[None]:
        return self.bank.unit()

    def unsaved(self) -> _Unsaved:
        return _Unsaved(self)

    def saved(self, unsaved: _Unsaved) -> None:
        self.saved_verifications = unsaved.verifications
        self.saved_requests = unsaved.requests
        self.saved_receipts = unsaved.receipts
        self.saved_audit += len(unsaved.audit)
        if unsaved.keys is not None:
            self.saved_keys = unsaved.keys

    verified_by_ivr = _written(AgentDesk.verified_by_ivr)
    verified_by_agent = _written(AgentDesk.verified_by_agent)
    perform = _written(AgentDesk.perform)
    unlock_pin = _written(AgentDesk.unlock_pin)
    approve = _written(AgentDesk.approve)
    reject = _written(AgentDesk.reject)
    expire_due = _written(AgentDesk.expire_due)
