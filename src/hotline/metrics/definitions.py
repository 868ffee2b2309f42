"""KPI definitions (design §5), configurable and stored with every report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class ServiceLevelVariant(StrEnum):
    """Which contacts count in the service-level denominator (and numerator)."""

    # answered within T ÷ (offered − abandoned within the short-abandon threshold): the default
    SHORT_ABANDONS_EXCLUDED = "short_abandons_excluded"
    OFFERED = "offered"  # answered within T ÷ offered
    ANSWERED = "answered"  # answered within T ÷ answered
    ABANDONS_WITHIN_T_EXCLUDED = "abandons_within_t_excluded"  # ÷ (offered − abandoned ≤ T)
    ABANDONS_WITHIN_T_MET = "abandons_within_t_met"  # (answered ≤ T + abandoned ≤ T) ÷ offered


@dataclass(frozen=True, kw_only=True, slots=True)
class KpiDefinitions:
    service_level_s: float = 20.0
    short_abandon_s: float = 5.0
    variant: ServiceLevelVariant = ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED
    interval_minutes: int = 30

    def __post_init__(self) -> None:
        if self.interval_minutes not in (15, 30, 60):
            raise ValueError(f"interval_minutes: must be 15, 30 or 60, got {self.interval_minutes}")
        if self.service_level_s < 0:
            raise ValueError("service_level_s: must not be negative")
        if self.short_abandon_s < 0:
            raise ValueError("short_abandon_s: must not be negative")

    @property
    def interval_s(self) -> int:
        return self.interval_minutes * 60

    def describe(self) -> dict[str, Any]:
        data = asdict(self)
        data["variant"] = self.variant.value
        return data
