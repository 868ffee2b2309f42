"""Staffing targets: any mix of service level, ASA, abandon rate and maximum occupancy.

>>> StaffingTargets(service_level=0.8, threshold_s=20, max_occupancy=0.85).names()
['service level', 'occupancy']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hotline.wfm.errors import ImpossibleTargetError, TargetError
from hotline.wfm.service_level import DEFAULT_DEFINITION, ServiceLevelDefinition


@dataclass(frozen=True, kw_only=True, slots=True)
class StaffingTargets:
    """What each interval must achieve; fractions are 0–1 (0.8 means 80 %).

    ``service_level`` X of calls answered within ``threshold_s`` (per ``definition``); ASA at
    most ``max_asa_s``; abandon rate at most ``max_abandon`` (needs a patience: Erlang A);
    occupancy at most ``max_occupancy``.
    """

    service_level: float | None = None
    threshold_s: float = 20.0
    definition: ServiceLevelDefinition = DEFAULT_DEFINITION
    short_abandon_s: float = 5.0
    max_asa_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = None

    def __post_init__(self) -> None:
        _in_range("service level", self.service_level, 0.0, 1.0)
        _in_range("service level threshold", self.threshold_s, 0.0, math.inf)
        _in_range("short-abandon threshold", self.short_abandon_s, 0.0, math.inf)
        _in_range("ASA", self.max_asa_s, 0.0, math.inf)
        _in_range("abandon", self.max_abandon, 0.0, 1.0)
        _in_range("occupancy", self.max_occupancy, 0.0, 1.0)
        if not self.names():
            raise TargetError(
                "none", "give at least one of service level, ASA, abandon or occupancy"
            )

    def names(self) -> list[str]:
        """The targets that are set, by name."""
        named = {
            "service level": self.service_level,
            "ASA": self.max_asa_s,
            "abandon": self.max_abandon,
            "occupancy": self.max_occupancy,
        }
        return [name for name, value in named.items() if value is not None]

    def check_reachable(self, *, patience_s: float | None) -> None:
        """Raise `ImpossibleTargetError` for a target no finite number of agents meets.

        Only called when some interval has calls: with random arrivals and finite agents a
        call always has some chance to wait, and, with a finite patience, to hang up.
        """
        if self.max_abandon is not None and patience_s is None:
            raise TargetError(
                "abandon", "needs a mean patience (Erlang A); without one callers never abandon"
            )
        if self.service_level == 1.0:
            raise ImpossibleTargetError(
                f"service level 100 % within {self.threshold_s:g} s",
                "unreachable with any finite number of agents: some calls always wait "
                f"(P(wait) > 0), so some wait longer than {self.threshold_s:g} s",
            )
        if self.max_asa_s == 0.0:
            raise ImpossibleTargetError(
                "ASA 0 s",
                "unreachable with any finite number of agents: some calls always wait",
            )
        if self.max_abandon == 0.0:
            raise ImpossibleTargetError(
                "abandon 0 %",
                f"unreachable with a finite mean patience ({patience_s:g} s): any call that "
                "waits may hang up, and some calls always wait",
            )
        if self.max_occupancy == 0.0:
            raise ImpossibleTargetError(
                "occupancy 0 %", "unreachable: agents who take calls are busy some of the time"
            )


def _in_range(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if math.isnan(value):
        raise TargetError(name, "must be a number (got nan)")
    if not low <= value <= high:
        unit = " s" if high == math.inf else ""
        bound = f"at least {low:g}{unit}" if high == math.inf else f"between {low:g} and {high:g}"
        raise TargetError(name, f"must be {bound} (got {value:g})")
