"""Scheduling inputs from parsed files (CSV rows, YAML mappings), validated with pydantic.

Reading the files is the shell's job; this module turns their parsed content into domain
objects, and every error names the file, the field and the reason:
``shifts.yaml: shifts[0].breaks[1].minutes: Input should be greater than 0``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hotline.wfm.errors import ScheduleInputError, WfmError
from hotline.wfm.roster_contracts import ALWAYS, AgentContract, Window
from hotline.wfm.schedule_problem import WEEK_MINUTES, ScheduleWeights
from hotline.wfm.shifts import BreakRule, ShiftTemplate
from hotline.wfm.shifts_tours import DAY_NAMES, TourRules

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minutes(value: object) -> int:
    """``"9:30"`` → 570; an int is taken as minutes."""
    if isinstance(value, bool):
        raise ValueError("expected 'H:MM' or minutes")
    if isinstance(value, int):
        return value
    match = _CLOCK.match(str(value).strip())
    if not match or int(match.group(2)) >= 60:
        raise ValueError(f"expected 'H:MM' or minutes, got {value!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _BreakIn(_Strict):
    name: str = Field(min_length=1)
    minutes: int = Field(gt=0)
    earliest: int
    latest: int
    paid: bool = True

    _clock = field_validator("earliest", "latest", mode="before")(_minutes)


class _ShiftIn(_Strict):
    name: str = Field(min_length=1)
    earliest_start: int
    latest_start: int
    length: int
    start_step: int = Field(default=30, gt=0)
    break_step: int = Field(default=30, gt=0)
    cost_per_paid_hour: float = Field(default=1.0, ge=0)
    breaks: list[_BreakIn] = []

    _clock = field_validator("earliest_start", "latest_start", "length", mode="before")(_minutes)


class _RulesIn(_Strict):
    days_per_week: list[int] = [5]
    consecutive_days_off: bool = True
    max_consecutive_work_days: int = 6


class _WeightsIn(_Strict):
    under_per_hour: float = Field(default=4.0, ge=0)
    over_per_hour: float = Field(default=0.25, ge=0)


class _ShiftsFileIn(_Strict):
    shifts: list[_ShiftIn] = Field(min_length=1)
    tour_rules: _RulesIn = _RulesIn()
    weights: _WeightsIn = _WeightsIn()


class _AgentIn(_Strict):
    name: str = Field(min_length=1)
    site: str = ""
    skills: list[str] = []
    min_weekly_hours: float = Field(default=0.0, ge=0)
    max_weekly_hours: float = Field(default=40.0, gt=0)
    availability: dict[str, str | None] | None = None

    @field_validator("availability")
    @classmethod
    def _days(cls, value: dict[str, str | None] | None) -> dict[str, str | None] | None:
        if value is not None:
            known = {d.lower() for d in DAY_NAMES}
            for key, window in value.items():
                if key.lower() not in known:
                    raise ValueError(f"unknown day {key!r}; use {', '.join(DAY_NAMES)}")
                if window is not None and not re.match(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$", window):
                    raise ValueError(f"{key}: expected 'H:MM-H:MM', got {window!r}")
        return value


class _AgentsFileIn(_Strict):
    agents: list[_AgentIn] = Field(min_length=1)


@dataclass(frozen=True, kw_only=True, slots=True)
class ShiftSettings:
    templates: tuple[ShiftTemplate, ...]
    rules: TourRules
    weights: ScheduleWeights


@dataclass(frozen=True, kw_only=True, slots=True)
class WeekRequirement:
    """Agents needed per interval over one week from ``start`` (a Monday 00:00, aware)."""

    start: datetime
    interval_minutes: int
    agents: tuple[float, ...]

    def at(self, minute: int) -> datetime:
        return self.start + timedelta(minutes=minute)


def _where(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _validated(model: type[BaseModel], data: object, source: str) -> Any:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        first = err.errors()[0]
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise ScheduleInputError(f"{source}: {_where(first['loc'])}: {msg}") from None


def parse_shifts(data: object, source: str) -> ShiftSettings:
    """Shift templates, tour rules and weights from a parsed YAML mapping."""
    parsed: _ShiftsFileIn = _validated(_ShiftsFileIn, data, source)
    templates = []
    for i, s in enumerate(parsed.shifts):
        try:
            templates.append(
                ShiftTemplate(
                    name=s.name, earliest_start=s.earliest_start, latest_start=s.latest_start,
                    length=s.length, start_step=s.start_step, break_step=s.break_step,
                    cost_per_paid_hour=s.cost_per_paid_hour,
                    breaks=tuple(
                        BreakRule(name=b.name, minutes=b.minutes, earliest=b.earliest,
                                  latest=b.latest, paid=b.paid)
                        for b in s.breaks
                    ),
                )
            )
        except WfmError as err:
            raise ScheduleInputError(f"{source}: shifts[{i}]: {err}") from None
    r = parsed.tour_rules
    try:
        rules = TourRules(days_per_week=tuple(r.days_per_week),
                          consecutive_days_off=r.consecutive_days_off,
                          max_consecutive_work_days=r.max_consecutive_work_days)
    except WfmError as err:
        raise ScheduleInputError(f"{source}: tour_rules: {err}") from None
    w = parsed.weights
    return ShiftSettings(
        templates=tuple(templates),
        rules=rules,
        weights=ScheduleWeights(under_per_hour=w.under_per_hour, over_per_hour=w.over_per_hour),
    )


def parse_agents(data: object, source: str) -> tuple[AgentContract, ...]:
    """Agent contracts from a parsed YAML mapping with an ``agents`` list."""
    parsed: _AgentsFileIn = _validated(_AgentsFileIn, data, source)
    out = []
    seen: set[str] = set()
    for i, a in enumerate(parsed.agents):
        if a.name in seen:
            raise ScheduleInputError(f"{source}: agents[{i}].name: {a.name!r} is used twice")
        seen.add(a.name)
        availability: tuple[Window | None, ...] = (ALWAYS,) * 7
        if a.availability is not None:
            days = {k.lower(): v for k, v in a.availability.items()}
            windows: list[Window | None] = []
            for d in DAY_NAMES:
                text = days.get(d.lower())
                if text is None:
                    windows.append(None)
                    continue
                try:
                    lo, hi = (_minutes(part) for part in text.split("-"))
                except ValueError as err:
                    raise ScheduleInputError(
                        f"{source}: agents[{i}].availability.{d.lower()}: {err}"
                    ) from None
                windows.append((lo, hi if hi > lo else hi + 1440))
            availability = tuple(windows)
        try:
            out.append(
                AgentContract(
                    agent=a.name, site=a.site, skills=frozenset(a.skills),
                    min_weekly_hours=a.min_weekly_hours, max_weekly_hours=a.max_weekly_hours,
                    availability=availability,
                )
            )
        except WfmError as err:
            raise ScheduleInputError(f"{source}: agents[{i}]: {err}") from None
    return tuple(out)


def parse_requirements(rows: Iterable[Mapping[str, str | None]], source: str) -> WeekRequirement:
    """One week of ``start,required`` rows (aware ISO 8601 starts, Monday 00:00 first).

    Line numbers in errors count the header as line 1.
    """
    points: list[tuple[datetime, float, int]] = []
    for line, row in enumerate(rows, start=2):
        if "start" not in row or "required" not in row:
            raise ScheduleInputError(
                f"{source}: line 1: columns must include 'start' and 'required', got "
                f"{sorted(k for k in row if k)}"
            )
        text, value = (row["start"] or "").strip(), (row["required"] or "").strip()
        try:
            start = datetime.fromisoformat(text)
        except ValueError:
            raise ScheduleInputError(
                f"{source}: line {line}, field 'start': {text!r} is not an ISO 8601 datetime"
            ) from None
        if start.tzinfo is None or start.utcoffset() is None:
            raise ScheduleInputError(
                f"{source}: line {line}, field 'start': {text!r} has no UTC offset"
            )
        try:
            agents = float(value)
        except ValueError:
            raise ScheduleInputError(
                f"{source}: line {line}, field 'required': {value!r} is not a number"
            ) from None
        if not agents >= 0 or agents == float("inf"):
            raise ScheduleInputError(
                f"{source}: line {line}, field 'required': {value} must be a finite number "
                "of agents, zero or more"
            )
        points.append((start, agents, line))
    if len(points) < 2:
        raise ScheduleInputError(f"{source}: needs one week of intervals, got {len(points)} rows")
    points.sort(key=lambda p: p[0])
    week_start = points[0][0]
    if week_start.weekday() != 0 or (week_start.hour, week_start.minute) != (0, 0):
        raise ScheduleInputError(
            f"{source}: line {points[0][2]}, field 'start': the week must start on a Monday "
            f"at 00:00, got {week_start.isoformat()}"
        )
    step = round((points[1][0] - week_start).total_seconds() / 60)
    if step <= 0 or 1440 % step:
        raise ScheduleInputError(
            f"{source}: line {points[1][2]}, field 'start': interval of {step} min does not "
            "divide a day"
        )
    expected = WEEK_MINUTES // step
    for k, (start, _, line) in enumerate(points):
        offset = (start - week_start).total_seconds() / 60
        if offset != k * step:
            raise ScheduleInputError(
                f"{source}: line {line}, field 'start': expected "
                f"{(week_start + timedelta(minutes=k * step)).isoformat()} "
                f"(one row every {step} min, no gaps or duplicates), got {start.isoformat()}"
            )
    if len(points) != expected:
        raise ScheduleInputError(
            f"{source}: {len(points)} rows; a week of {step}-min intervals needs {expected}"
        )
    return WeekRequirement(
        start=week_start, interval_minutes=step, agents=tuple(p[1] for p in points)
    )


DEFAULT_SHIFTS: dict[str, object] = {
    "shifts": [
        {
            "name": "day", "earliest_start": "6:00", "latest_start": "15:00", "length": "9:00",
            "breaks": [
                {"name": "coffee1", "minutes": 15, "earliest": "1:30", "latest": "2:30"},
                {"name": "lunch", "minutes": 60, "earliest": "3:30", "latest": "5:00",
                 "paid": False},
                {"name": "coffee2", "minutes": 15, "earliest": "6:00", "latest": "7:30"},
            ],
        },
        {
            "name": "night", "earliest_start": "21:00", "latest_start": "23:00",
            "length": "9:00",
            "breaks": [
                {"name": "coffee1", "minutes": 15, "earliest": "1:30", "latest": "2:30"},
                {"name": "meal", "minutes": 30, "earliest": "4:00", "latest": "5:00",
                 "paid": False},
                {"name": "coffee2", "minutes": 15, "earliest": "6:00", "latest": "7:30"},
            ],
        },
    ],
    "tour_rules": {"days_per_week": [5], "consecutive_days_off": True,
                   "max_consecutive_work_days": 5},
}
