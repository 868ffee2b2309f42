"""A KPI report: totals and roll-ups by queue, site, channel and interval, JSON-ready."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hotline.metrics.counts import AgentTime, ContactCounts
from hotline.metrics.definitions import KpiDefinitions

if TYPE_CHECKING:
    from hotline.metrics.accumulator import KpiAccumulator


@dataclass(kw_only=True)
class KpiReport:
    definitions: KpiDefinitions
    totals: dict[str, Any]
    by_queue: dict[str, dict[str, Any]]
    by_site: dict[str, dict[str, Any]]
    by_channel: dict[str, dict[str, Any]]
    intervals: list[dict[str, Any]] = field(default_factory=list)
    intervals_by_queue: list[dict[str, Any]] = field(default_factory=list)
    intervals_by_site: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "definitions": self.definitions.describe(),
            "totals": self.totals,
            "by_queue": self.by_queue,
            "by_site": self.by_site,
            "by_channel": self.by_channel,
            "intervals": self.intervals,
            "intervals_by_queue": self.intervals_by_queue,
            "intervals_by_site": self.intervals_by_site,
        }


def build_report(acc: KpiAccumulator, *, queue_filter: Callable[[str], bool] | None = None
                 ) -> KpiReport:
    d = acc.definitions
    total = ContactCounts()
    by_queue: dict[str, ContactCounts] = defaultdict(ContactCounts)
    by_site: dict[str, ContactCounts] = defaultdict(ContactCounts)
    by_channel: dict[str, ContactCounts] = defaultdict(ContactCounts)
    by_interval: dict[int, ContactCounts] = defaultdict(ContactCounts)
    by_interval_queue: dict[tuple[int, str], ContactCounts] = defaultdict(ContactCounts)
    by_interval_site: dict[tuple[int, str], ContactCounts] = defaultdict(ContactCounts)
    for (index, queue, channel), counts in acc.contacts.items():
        if queue_filter is not None and not queue_filter(queue):
            continue
        total.add(counts)
        by_queue[queue].add(counts)
        by_site[acc.queue_sites.get(queue) or "-"].add(counts)
        by_channel[channel].add(counts)
        by_interval[index].add(counts)
        by_interval_queue[index, queue].add(counts)
        by_interval_site[index, acc.queue_sites.get(queue) or "-"].add(counts)
    agent_total = AgentTime()
    agent_site: dict[str, AgentTime] = defaultdict(AgentTime)
    agent_interval: dict[int, AgentTime] = defaultdict(AgentTime)
    for (index, site), time in acc.agent_time.items():
        agent_total.add(time)
        agent_site[site].add(time)
        agent_interval[index].add(time)

    totals = {**total.kpis(d), **agent_total.kpis()}
    sites = {s: c.kpis(d) for s, c in sorted(by_site.items())}
    for site, time in agent_site.items():
        sites.setdefault(site, {}).update(time.kpis())
    intervals = []
    for index in sorted(set(by_interval) | set(agent_interval)):
        start = acc.origin + index * acc.interval_s
        row: dict[str, Any] = {
            "interval": index,
            "start": datetime.fromtimestamp(start, tz=UTC).isoformat(),
        }
        row.update(by_interval.get(index, ContactCounts()).kpis(d))
        row.update(agent_interval.get(index, AgentTime()).kpis())
        intervals.append(row)
    def start_of(index: int) -> str:
        return datetime.fromtimestamp(acc.origin + index * acc.interval_s, tz=UTC).isoformat()

    per_queue = [{"interval": i, "start": start_of(i), "queue": q, **c.kpis(d)}
                 for (i, q), c in sorted(by_interval_queue.items())]
    per_site = []
    for (i, site), c in sorted(by_interval_site.items()):
        row = {"interval": i, "start": start_of(i), "site": site, **c.kpis(d)}
        row.update(acc.agent_time.get((i, site), AgentTime()).kpis())
        per_site.append(row)
    return KpiReport(
        definitions=d,
        totals=totals,
        by_queue={q: c.kpis(d) for q, c in sorted(by_queue.items())},
        by_site=sites,
        by_channel={ch: c.kpis(d) for ch, c in sorted(by_channel.items())},
        intervals=intervals,
        intervals_by_queue=per_queue,
        intervals_by_site=per_site,
    )
