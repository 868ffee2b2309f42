"""The M/M/c+M (Erlang A) model: a scenario for the twin and its exact answers.

The exact values come from the birth–death chain of the number of callers in the system
(birth λ, death min(n, c)·μ + max(n − c, 0)·θ), so the twin can be checked against them:
P(wait > 0) = P(N ≥ c) by PASTA, P(abandon) = θ·E[(N − c)⁺]/λ, mean wait = E[(N − c)⁺]/λ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from scipy import stats

from hotline.metrics.counts import ContactCounts
from hotline.sim.distributions import Distribution
from hotline.sim.scenario import (
    AgentGroup,
    Arrivals,
    KpiSettings,
    QueueModel,
    RoutingRule,
    Scenario,
    StepModel,
    Traffic,
    WorkflowModel,
)
from hotline.sim.twin import Twin


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangA:
    rate: float  # λ, callers per second
    service: float  # mean service time, s
    patience: float  # mean patience, s
    agents: int

    def _chain(self) -> tuple[float, float]:
        lam, mu, theta, c = self.rate, 1 / self.service, 1 / self.patience, self.agents
        logs = [0.0]
        n = 0
        while True:
            n += 1
            logs.append(logs[-1] + math.log(lam) - math.log(min(n, c) * mu + max(n - c, 0) * theta))
            if n > c and logs[-1] < max(logs) - 50:
                break
        top = max(logs)
        weights = [math.exp(x - top) for x in logs]
        total = sum(weights)
        p_wait = sum(weights[c:]) / total
        queue = sum((k - c) * weights[k] for k in range(c, len(weights))) / total
        return p_wait, queue

    @property
    def p_wait(self) -> float:
        return self._chain()[0]

    @property
    def p_abandon(self) -> float:
        return self._chain()[1] / self.patience / self.rate

    @property
    def mean_wait(self) -> float:
        return self._chain()[1] / self.rate


def mmc_scenario(*, rate: float, service: float, patience: float, agents: int, callers: int,
                 warmup_callers: int = 0, seed: int = 1, interval_minutes: int = 30
                 ) -> Scenario:
    """A scenario of ``callers`` expected arrivals (plus the warm-up) at a constant rate."""
    seconds = (callers + warmup_callers) / rate
    return Scenario(
        name="mmc",
        start=date(2026, 1, 5),
        timezone="UTC",
        days=seconds / 86400,
        warmup_s=warmup_callers / rate,
        interval_minutes=interval_minutes,  # type: ignore[arg-type]
        seed=seed,
        kpi=KpiSettings(service_level_s=20, short_abandon_s=0),
        queues=[QueueModel(name="main", expression="skills.general >= 1")],
        workflows=[WorkflowModel(name="main", steps=[StepModel(queue="main")])],
        traffic=[Traffic(
            name="calls", arrivals=Arrivals(rate_per_s=rate),
            routing=[RoutingRule(workflow="main")],
            handle_time=Distribution(kind="exponential", mean=service),
            patience=Distribution(kind="exponential", mean=patience))],
        agents=[AgentGroup(group="agent", site="main", skills={"general": 5}, count=agents)],
    )


@dataclass(kw_only=True)
class MmcRun:
    callers: int
    batches: list[ContactCounts]

    def estimate(self, measure: str) -> tuple[float, float]:
        """Mean and 95 % half-width by batch means of ``P(abandon)``, ``P(wait > 0)`` or
        ``mean wait (s)``."""
        values = []
        for b in self.batches:
            n = b.answered + b.abandoned
            if measure == "P(abandon)":
                values.append(b.abandoned / n)
            elif measure == "P(wait > 0)":
                values.append((b.delayed + b.abandoned) / n)
            else:
                values.append((b.wait_s + b.abandon_wait_s) / n)
        k = len(values)
        mean = sum(values) / k
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (k - 1))
        return mean, float(stats.t.ppf(0.975, k - 1)) * sd / math.sqrt(k)


def run_mmc(scenario: Scenario, batches: int = 30) -> MmcRun:
    """Run the twin and group its counted intervals into ``batches`` for confidence intervals."""
    twin = Twin(scenario)
    result = twin.run()
    first = int(scenario.warmup_s // (scenario.interval_minutes * 60)) + 1
    by_interval: dict[int, ContactCounts] = {}
    for (index, _queue, _channel), counts in twin.metrics.contacts.items():
        if index >= first:  # whole intervals after the warm-up only
            by_interval.setdefault(index, ContactCounts()).add(counts)
    indexes = sorted(by_interval)[:-1]  # the last interval is cut short by the end of arrivals
    size = max(1, len(indexes) // batches)
    groups = []
    for start in range(0, len(indexes) - size + 1, size):
        group = ContactCounts()
        for index in indexes[start:start + size]:
            group.add(by_interval[index])
        groups.append(group)
    return MmcRun(callers=result.contacts, batches=groups)
