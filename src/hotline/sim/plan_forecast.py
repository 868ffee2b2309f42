"""A forecast from history in place of a scenario's arrival profile.

The planner forecasts the days after the history with `hotline.wfm.forecast`; the scenario's
streams keep their share of the calls reaching agents, and take the forecast's intraday shape
(mean over the forecast days) and its day-to-day totals (as weekday factors), so the twin is
then driven by the same forecast the plan was made from.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from hotline.sim.plan_traffic import demand
from hotline.sim.scenario import Scenario, parse_scenario
from hotline.wfm.calendar_days import WorkCalendar
from hotline.wfm.forecast import forecast
from hotline.wfm.history import DailyGrid


def with_forecast(scenario: Scenario, history: DailyGrid, calendar: WorkCalendar, *,
                  days: int, source: str) -> Scenario:
    """The scenario starting the day after ``history``, its traffic scaled to the forecast."""
    grid = history.resample(scenario.interval_minutes)
    made = forecast(grid, calendar, horizon_days=days)
    counts = made.counts  # [day, interval], calls reaching agents
    totals = counts.sum(axis=1)
    shape = counts.sum(axis=0)
    shape = shape / shape.sum() if shape.sum() > 0 else np.full(shape.size, 1.0 / shape.size)
    mean_total = float(totals.mean())
    weekday = [1.0] * 7
    for d in range(days):
        weekday[(made.first_day + timedelta(days=d)).weekday()] = float(totals[d]) / mean_total
    start_scenario = parse_scenario({**scenario.model_dump(), "start": made.first_day}, source)
    reach = {t.name: 0.0 for t in scenario.traffic}
    for t in scenario.traffic:
        single = parse_scenario({**start_scenario.model_dump(),
                                 "traffic": [t.model_dump()]}, source)
        reach[t.name] = float(sum(g.calls[0].sum() for g in demand(single, 1).values()))
    everything = sum(reach.values()) or 1.0
    streams: list[dict[str, Any]] = []
    for t in scenario.traffic:
        data = t.model_dump()
        to_agent = t.ivr.to_agent if t.ivr is not None else 1.0
        share = reach[t.name] / everything
        data["arrivals"] = {"daily": max(mean_total * share / max(to_agent, 1e-9), 1e-9),
                            "profile": [float(x) for x in shape], "weekday": weekday}
        streams.append(data)
    return parse_scenario({**start_scenario.model_dump(), "traffic": streams}, source)
