"""What a twin run reports: its KPI report, the IVR's counts, and how long it took."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.metrics.report import KpiReport
from hotline.sim.ivr_walk import Walk


@dataclass(kw_only=True)
class IvrStats:
    entered: int = 0
    contained: int = 0
    to_agents: int = 0
    # Walks that left the IVR otherwise (voicemail, a transfer out).
    other: int = 0
    # Callback offers heard (the engine's estimated wait reached the offer's threshold) and
    # callbacks booked at them (to agents, keeping their place, without waiting on the line).
    callbacks_offered: int = 0
    callbacks_accepted: int = 0

    def count(self, walk: Walk) -> None:
        """Count where ``walk`` left the IVR."""
        if walk.callback:
            self.callbacks_accepted += 1
        elif walk.offered:
            self.to_agents += 1
        elif walk.contained:
            self.contained += 1
        else:
            self.other += 1

    @property
    def containment(self) -> float | None:
        return self.contained / self.entered if self.entered else None


@dataclass(kw_only=True)
class TwinResult:
    scenario: str
    seed: int
    days: float
    origin: datetime
    report: KpiReport
    ivr: IvrStats
    contacts: int
    events: int
    wall_s: float
    still_waiting: int
    targets: dict[str, float] = field(default_factory=dict)
    # Per flow walked (ivr.mode: flows): outcomes, containment and the node funnel.
    ivr_flows: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "days": self.days,
            "origin": self.origin.isoformat(),
            "contacts": self.contacts,
            "events": self.events,
            "still_waiting": self.still_waiting,
            "wall_s": round(self.wall_s, 3),
            "contacts_per_s": round(self.contacts / self.wall_s) if self.wall_s else None,
            "targets": self.targets,
            "ivr": {"entered": self.ivr.entered, "contained": self.ivr.contained,
                    "to_agents": self.ivr.to_agents, "other": self.ivr.other,
                    "containment": self.ivr.containment,
                    "callbacks_offered": self.ivr.callbacks_offered,
                    "callbacks_accepted": self.ivr.callbacks_accepted},
            **({"ivr_flows": self.ivr_flows} if self.ivr_flows is not None else {}),
            **self.report.to_dict(),
        }
