"""Daily limits per customer and channel on money leaving the customer (payments to payees).

Own transfers and card repayments stay within the customer's own accounts and do not count.
The day is the customer's local calendar day in the configured zone (China: UTC+8, no DST).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from types import MappingProxyType

from hotline.banking.errors import LimitExceeded
from hotline.banking.ledger import TxnKind
from hotline.banking.model import Channel
from hotline.banking.money import format_fen

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")

#: Defaults: 50,000 yuan a day through the IVR, 200,000 through an agent.
DEFAULT_DAILY_FEN: Mapping[Channel, int] = MappingProxyType(
    {Channel.IVR: 5_000_000, Channel.AGENT: 20_000_000}
)


@dataclass(frozen=True, kw_only=True, slots=True)
class DailyLimits:
    """Per-channel daily limit in fen; a channel that is not listed has no limit."""

    per_channel: Mapping[Channel, int] = field(default_factory=lambda: DEFAULT_DAILY_FEN)
    zone: tzinfo = CHINA_STANDARD_TIME
    counted_kinds: frozenset[TxnKind] = frozenset({TxnKind.PAYMENT})

    def day(self, now: datetime) -> str:
        return now.astimezone(self.zone).date().isoformat()

    def counts(self, kind: TxnKind) -> bool:
        return kind in self.counted_kinds

    def check(self, *, channel: Channel, used: int, amount: int) -> None:
        """Raise `LimitExceeded` if `used + amount` passes the channel's daily limit."""
        limit = self.per_channel.get(channel)
        if limit is not None and used + amount > limit:
            raise LimitExceeded(
                "amount",
                f"daily {channel.value} limit {format_fen(limit)} would be exceeded "
                f"(used {format_fen(used)}, requested {format_fen(amount)})",
            )
