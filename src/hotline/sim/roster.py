"""The scenario's agents and their roster, turned into profiles and timed presence changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hotline.core.definitions import AgentProfile
from hotline.sim.scenario import Scenario

LOGIN, BREAK, BACK, LOGOUT = 0, 1, 2, 3


@dataclass(frozen=True, kw_only=True, slots=True)
class RosterEntry:
    at: float
    agent_id: str
    action: int


def agent_profiles(scenario: Scenario) -> list[AgentProfile]:
    profiles = []
    for group in scenario.agents:
        names: list[str] = []
        if group.count is not None:
            names += [f"{group.group}-{i + 1:03d}" for i in range(group.count)]
        for shift, count in group.shifts.items():
            names += [f"{group.group}-{shift}-{i + 1:03d}" for i in range(count)]
        for name in names:
            profiles.append(AgentProfile(
                agent_id=name, site=group.site, skills=dict(group.skills),
                languages=frozenset(group.languages), capacity=dict(group.capacity),
                auto_accept=True))
    return profiles


def roster_entries(scenario: Scenario, origin: datetime) -> list[RosterEntry]:
    """Logins, breaks and logouts of every rostered agent over the scenario's days.

    Agents with a ``count`` log in at the origin and stay. A shift's agents log in at its start
    each day; each break is spread evenly over its window by the agent's index.
    """
    entries: list[RosterEntry] = []
    end = origin.timestamp() + scenario.days * 86400
    shifts = {s.name: s for s in scenario.shifts}
    for group in scenario.agents:
        if group.count is not None:
            entries += [RosterEntry(at=origin.timestamp(), agent_id=f"{group.group}-{i + 1:03d}",
                                    action=LOGIN) for i in range(group.count)]
        for name, count in group.shifts.items():
            shift = shifts[name]
            for day in range(-1, int(scenario.days) + 1):
                local_day = (origin + timedelta(days=day)).date()
                start_dt = datetime.combine(local_day, shift.start, tzinfo=origin.tzinfo)
                start = start_dt.timestamp()
                stop = start + shift.hours * 3600
                if stop <= origin.timestamp() or start >= end:
                    continue
                for i in range(count):
                    agent_id = f"{group.group}-{name}-{i + 1:03d}"
                    entries.append(RosterEntry(at=max(start, origin.timestamp()),
                                               agent_id=agent_id, action=LOGIN))
                    for b in shift.breaks:
                        spread = b.window_minutes * 60 * (i / count if count else 0.0)
                        leave = start + b.after_minutes * 60 + spread
                        if leave >= origin.timestamp():
                            entries.append(RosterEntry(at=leave, agent_id=agent_id,
                                                       action=BREAK))
                            entries.append(RosterEntry(at=leave + b.minutes * 60,
                                                       agent_id=agent_id, action=BACK))
                    entries.append(RosterEntry(at=stop, agent_id=agent_id, action=LOGOUT))
    # Logouts before logins at the same instant, so back-to-back shifts hand over cleanly.
    entries.sort(key=lambda e: (e.at, -e.action, e.agent_id))
    return entries
