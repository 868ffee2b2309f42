"""How long the desk's records are kept: the banking routes' idempotency keys and the refused
verification attempts older than ``Settings.desk_retention_s`` (30 days) are deleted when the
server starts and every hour after, on the centre's clock.

A retry under a key comes within minutes and a contact's attempts matter while its call lasts,
so a month is far past both; the tables would otherwise grow by every change and every wrong
answer for good. The retention may not be under a day: shorter, it could forget the attempts of
a caller still on the line (fresh tries) or a key a client is still retrying (money moved twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from hotline.live.clock import Cancel, Clock
from hotline.store.sql.idempotency_keys import IdempotencyKeys
from hotline.store.sql.verification_attempts import VerificationAttempts
from hotline.web.errors import SettingsError
from hotline.web.services import MIN_DESK_RETENTION_S, Services
from hotline.web.sql_ports import SqlIdempotencyKeys, SqlVerificationAttempts

PRUNE_EVERY_S = 3600.0

logger = logging.getLogger(__name__)


class Prunable(Protocol):
    def prune(self, before: datetime) -> int: ...


@dataclass(kw_only=True)
class DeskRetention:
    """Deletes the records of ``stores`` older than ``retention_s``, now and every ``every_s``."""

    stores: dict[str, Prunable]
    clock: Clock
    retention_s: float
    every_s: float = PRUNE_EVERY_S
    _pending: Cancel | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if not self.retention_s >= MIN_DESK_RETENTION_S:  # `not >=`: NaN is refused too
            raise SettingsError("desk_retention_s", f"must be at least "
                                f"{MIN_DESK_RETENTION_S:.0f} s (one day), got {self.retention_s}")
        if not self.every_s > 0:
            raise SettingsError("every_s", f"must be above 0 s, got {self.every_s}")

    def start(self) -> None:
        """Prune now, and again every ``every_s`` until ``stop``."""
        self.prune()
        self._pending = self.clock.call_at(self.clock.now() + self.every_s, self.start)

    def prune(self) -> dict[str, int]:
        """Delete what is older than the retention; returns how many records of each store
        went (a store that failed is left out, and tried again next round)."""
        before = datetime.fromtimestamp(self.clock.now() - self.retention_s, tz=UTC)
        gone: dict[str, int] = {}
        for name, store in self.stores.items():
            try:
                gone[name] = store.prune(before)
            except Exception:  # a database hiccup must not stop the server; next round retries
                logger.exception("pruning %s older than %s failed", name, before.isoformat())
        if any(gone.values()):
            logger.info("pruned %s older than %s", gone, before.isoformat())
        return gone

    def stop(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None


def desk_retention(services: Services) -> DeskRetention:
    """The retention of the stores the composition root put in ``services.extra``: the keys the
    desk writes (or, with no stored desk, the table alone) and the attempts it counts."""
    engine = services.extra["database"]
    keys = services.extra.get("idempotency_keys")
    attempts = services.extra.get("verification_attempts")
    stores: dict[str, Prunable] = {
        # The desk's own store also forgets the keys it holds in memory.
        "idempotency_keys": keys.store if isinstance(keys, SqlIdempotencyKeys)
        else IdempotencyKeys(engine),
        "verification_attempts": attempts.store if isinstance(attempts, SqlVerificationAttempts)
        else VerificationAttempts(engine),
    }
    return DeskRetention(stores=stores, clock=services.centre.clock,
                         retention_s=services.settings.desk_retention_s)
