"""Staff roles and how much each may move for a caller without a supervisor's approval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from hotline.banking.errors import InvalidInput, LimitExceeded
from hotline.banking.money import format_fen


class Role(StrEnum):
    AGENT = "agent"
    SENIOR_AGENT = "senior_agent"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True, kw_only=True, slots=True)
class StaffUser:
    user_id: str
    role: Role


#: Defaults in fen: an agent alone up to 5,000 yuan, a senior agent 20,000, a supervisor 50,000.
DEFAULT_ALONE: Mapping[Role, int] = MappingProxyType({
    Role.AGENT: 500_000, Role.SENIOR_AGENT: 2_000_000, Role.SUPERVISOR: 5_000_000,
})


@dataclass(frozen=True, kw_only=True, slots=True)
class RoleLimits:
    """`alone[role]`: the most a role may execute by itself; above it a supervisor approves.

    `ceiling`: nothing above it is performed by the contact centre, approved or not.
    """

    alone: Mapping[Role, int] = field(default_factory=lambda: DEFAULT_ALONE)
    ceiling: int = 20_000_000

    def __post_init__(self) -> None:
        for role in Role:
            if self.alone.get(role, -1) < 0:
                raise InvalidInput(f"alone.{role.value}", "needs a limit of 0 fen or more")
        if self.ceiling < max(self.alone.values()):
            raise InvalidInput("ceiling", "must be at least every role's own limit")

    def needs_approval(self, role: Role, amount: int) -> bool:
        """True if `amount` is above what `role` may do alone; raise if above the ceiling."""
        if amount > self.ceiling:
            raise LimitExceeded("amount", f"{format_fen(amount)} is above the contact-centre "
                                          f"ceiling {format_fen(self.ceiling)}")
        return amount > self.alone[role]
