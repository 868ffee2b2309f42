"""Counters for one slice (interval × queue × channel, or any roll-up) and the KPIs from them."""

from __future__ import annotations

from typing import Any

from hotline.metrics.definitions import KpiDefinitions
from hotline.metrics.definitions import ServiceLevelVariant as V

_CONTACT_FIELDS = ("abandon_wait_s", "abandoned", "abandoned_within", "answered",
                   "answered_within", "callbacks", "delayed", "diverted", "handle_s", "handled",
                   "hold_s", "offered", "short_abandoned", "transfer_abandoned", "transfers",
                   "wait_s")


class ContactCounts:
    """Contacts offered to agent queues, by what became of them (first answer only)."""

    __slots__ = _CONTACT_FIELDS

    def __init__(self) -> None:
        self.offered = 0
        self.answered = 0
        self.answered_within = 0
        self.delayed = 0  # answered after a wait > 0 (abandoned contacts all waited)
        self.wait_s = 0.0
        self.abandoned = 0
        self.short_abandoned = 0
        self.abandoned_within = 0
        self.abandon_wait_s = 0.0
        self.handled = 0
        self.handle_s = 0.0
        self.hold_s = 0.0
        self.callbacks = 0
        self.diverted = 0
        self.transfers = 0
        self.transfer_abandoned = 0

    def add(self, other: ContactCounts) -> None:
        for name in _CONTACT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def service_level(self, d: KpiDefinitions) -> float | None:
        variant = d.variant
        if variant is V.SHORT_ABANDONS_EXCLUDED:
            num, den = self.answered_within, self.offered - self.short_abandoned
        elif variant is V.OFFERED:
            num, den = self.answered_within, self.offered
        elif variant is V.ANSWERED:
            num, den = self.answered_within, self.answered
        elif variant is V.ABANDONS_WITHIN_T_EXCLUDED:
            num, den = self.answered_within, self.offered - self.abandoned_within
        else:
            num, den = self.answered_within + self.abandoned_within, self.offered
        return num / den if den > 0 else None

    def kpis(self, d: KpiDefinitions) -> dict[str, Any]:
        def ratio(a: float, b: float) -> float | None:
            return a / b if b else None

        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned,
            "callbacks": self.callbacks,
            "diverted": self.diverted,
            "transfers": self.transfers,
            "transfer_abandoned": self.transfer_abandoned,
            "answer_rate": ratio(self.answered, self.offered),
            "abandon_rate": ratio(self.abandoned, self.offered),
            "service_level": self.service_level(d),
            "asa_s": ratio(self.wait_s, self.answered),
            "p_wait": ratio(self.delayed + self.abandoned, self.answered + self.abandoned),
            "mean_wait_s": ratio(self.wait_s + self.abandon_wait_s,
                                 self.answered + self.abandoned),
            "mean_abandon_wait_s": ratio(self.abandon_wait_s, self.abandoned),
            "aht_s": ratio(self.handle_s, self.handled),
            "handled": self.handled,
        }


class AgentTime:
    """Seconds agents spent in each state within a slice (interval × site)."""

    __slots__ = ("busy_s", "not_ready_s", "ready_idle_s")

    def __init__(self) -> None:
        self.busy_s = 0.0
        self.ready_idle_s = 0.0
        self.not_ready_s = 0.0

    def add(self, other: AgentTime) -> None:
        self.busy_s += other.busy_s
        self.ready_idle_s += other.ready_idle_s
        self.not_ready_s += other.not_ready_s

    @property
    def logged_in_s(self) -> float:
        return self.busy_s + self.ready_idle_s + self.not_ready_s

    def kpis(self) -> dict[str, float | None]:
        handling = self.busy_s
        return {
            "occupancy": handling / (handling + self.ready_idle_s)
            if handling + self.ready_idle_s else None,
            "utilisation": handling / self.logged_in_s if self.logged_in_s else None,
            "logged_in_h": self.logged_in_s / 3600.0,
        }
