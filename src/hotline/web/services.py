"""Everything a request handler may use, wired once by ``hotline.bootstrap``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hotline.core.commands import Command
from hotline.core.errors import CoreError, DuplicateItem, InvalidDefinition, UnknownItem
from hotline.core.events import Event
from hotline.live.centre import LiveCentre
from hotline.live.today import Today
from hotline.web.errors import ApiError, Conflict, Invalid, NotFound, SettingsError
from hotline.web.ports import Accounts, AuditLog, ContactHistory
from hotline.web.security import PasswordHasherPort, ThrottlePolicy

CustomerLookup = Callable[[str], dict[str, Any] | None]

DEFAULT_REASONS = (("break", "Break"), ("lunch", "Lunch"), ("training", "Training"),
                   ("meeting", "Meeting"), ("after_call_work", "After-call work"),
                   ("no_answer", "Missed an offer"))
DEFAULT_DISPOSITIONS = (("resolved", "Resolved"), ("info", "Information given"),
                        ("transaction", "Transaction done"), ("escalated", "Escalated"),
                        ("complaint", "Complaint logged"), ("callback", "Callback promised"))
#: Shorter, the retention could forget a call still on the line (``web.retention``).
MIN_DESK_RETENTION_S = 86400.0


@dataclass(kw_only=True)
class Settings:
    session_ttl_s: float = 12 * 3600.0
    api_token_ttl_s: float = 30 * 86400.0
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    secure_cookies: bool = False  # True behind HTTPS
    demo: bool = False
    wallboard_period_s: float = 1.0
    alerts: dict[str, float] = field(default_factory=lambda: {
        "service_level_below": 0.8, "longest_wait_above_s": 60.0, "waiting_above": 20.0})
    targets: dict[str, float] = field(default_factory=lambda: {
        "service_level": 0.8, "answer_rate": 0.9})
    #: The desk's idempotency keys and refused verification attempts older than this are
    #: deleted (``web.retention``): long past any retry or call, short of growing forever.
    desk_retention_s: float = 30 * 86400.0

    def __post_init__(self) -> None:
        # Refused before anything starts (the retention checks it again when it runs).
        if not self.desk_retention_s >= MIN_DESK_RETENTION_S:  # `not >=`: NaN too
            raise SettingsError("desk_retention_s", f"must be at least {MIN_DESK_RETENTION_S:.0f}"
                                f" s (one day), got {self.desk_retention_s}")


@dataclass(kw_only=True)
class Services:
    centre: LiveCentre
    accounts: Accounts
    audit: AuditLog
    history: ContactHistory
    hasher: PasswordHasherPort
    today: Today
    settings: Settings = field(default_factory=Settings)
    customers: CustomerLookup | None = None
    reasons: tuple[tuple[str, str], ...] = DEFAULT_REASONS
    dispositions: tuple[tuple[str, str], ...] = DEFAULT_DISPOSITIONS
    demo: Any = None  # hotline.live.demo_floor.DemoFloor when running the demo
    extra: dict[str, Any] = field(default_factory=dict)

    def run(self, command: Command) -> list[tuple[int, Event]]:
        """Execute on the centre; the engine's typed errors become API errors."""
        try:
            return self.centre.execute(command)
        except CoreError as exc:
            raise core_error(exc) from None

    def now(self) -> float:
        return self.centre.clock.now()


def core_error(exc: CoreError) -> ApiError:
    if isinstance(exc, UnknownItem):
        kind, _, rest = str(exc).removeprefix("unknown ").partition(" ")
        return NotFound(kind, rest.strip("'"))
    if isinstance(exc, InvalidDefinition):
        field_, _, reason = str(exc).partition(": ")
        return Invalid(field_, reason)
    if isinstance(exc, DuplicateItem):
        return Conflict(str(exc))
    return Conflict(str(exc), {"reason": type(exc).__name__})
