"""Scenarios of the digital twin (design §6): traffic, IVR, routing, agents and roster, in YAML.

Loading validates everything and raises ``ScenarioError`` naming the file, the field and the
reason, e.g. ``bank-hotline.yaml: traffic[0].ivr.to_agent: must be ≤ 1``.
"""

from __future__ import annotations

from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hotline.core.errors import InvalidDefinition
from hotline.core.expressions import compile_expression
from hotline.metrics.definitions import ServiceLevelVariant
from hotline.sim.distributions import Distribution
from hotline.sim.errors import ScenarioError
from hotline.sim.ivr_section import IvrSettings, check_ivr


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KpiSettings(_Model):
    service_level_s: float = Field(default=20.0, ge=0)
    short_abandon_s: float = Field(default=5.0, ge=0)
    variant: ServiceLevelVariant = ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED
    service_level_target: float = Field(default=0.8, ge=0, le=1)
    answer_rate_target: float = Field(default=0.9, ge=0, le=1)


class QueueModel(_Model):
    name: str = Field(min_length=1)
    expression: str = Field(min_length=1)
    ordering: Literal["strict", "blended"] = "blended"
    selection: Literal["longest_idle", "most_proficient", "least_occupied"] = "longest_idle"
    priority_weight_s: float = Field(default=60.0, ge=0)
    proficiency_skill: str | None = None
    site: str | None = None


class StepModel(_Model):
    queue: str
    timeout_s: float | None = Field(default=None, gt=0)


class WorkflowModel(_Model):
    name: str = Field(min_length=1)
    steps: list[StepModel] = Field(min_length=1)
    fallback: Literal["callback", "voicemail", "message"] | None = None
    wrap_up_s: float = Field(default=0.0, ge=0)


class Arrivals(_Model):
    """Either a constant ``rate_per_s`` or ``daily`` calls spread by ``profile`` per interval."""

    rate_per_s: float | None = Field(default=None, gt=0)
    daily: float | None = Field(default=None, gt=0)
    profile: list[float] | None = None
    # Factors by weekday, Monday first.
    weekday: list[float] = Field(default_factory=lambda: [1.0] * 7, min_length=7, max_length=7)

    @field_validator("profile")
    @classmethod
    def _shares(cls, value: list[float] | None) -> list[float] | None:
        if value is not None:
            if any(v < 0 for v in value):
                raise ValueError("shares must not be negative")
            if sum(value) <= 0:
                raise ValueError("needs at least one positive share")
        return value

    @field_validator("weekday")
    @classmethod
    def _factors(cls, value: list[float]) -> list[float]:
        if any(v < 0 for v in value):
            raise ValueError("factors must not be negative")
        return value


class Ivr(_Model):
    """A stream's callers go through the IVR; with the scenario's ``ivr.mode: flows`` they
    walk the flows and ``duration`` and ``to_agent`` are not used."""

    duration: Distribution = Distribution(kind="constant", mean=1.0)
    to_agent: float = Field(default=1.0, ge=0, le=1)


class RoutingRule(_Model):
    when: dict[str, str] = Field(default_factory=dict)
    workflow: str
    priority: int = Field(default=0, ge=0, le=100)


class Traffic(_Model):
    name: str = Field(min_length=1)
    channel: Literal["voice", "email", "fax", "forum", "chat"] = "voice"
    arrivals: Arrivals
    ivr: Ivr | None = None
    attributes: dict[str, dict[str, float]] = Field(default_factory=dict)
    regions: dict[str, list[str]] = Field(default_factory=dict)
    routing: list[RoutingRule] = Field(min_length=1)
    handle_time: Distribution
    handle_time_by_intent: dict[str, Distribution] = Field(default_factory=dict)
    patience: Distribution = Distribution(kind="never")
    # How long agents take over wrap-up; None: they use the whole limit of the workflow.
    wrap_up: Distribution | None = None

    @field_validator("attributes")
    @classmethod
    def _mixes(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for name, mix in value.items():
            if not mix or any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
                raise ValueError(f"{name}: shares must be ≥ 0 with a positive total")
        return value


class Break(_Model):
    after_minutes: float = Field(ge=0)
    minutes: float = Field(gt=0)
    # Agents' breaks are spread evenly over this window, so the floor is never emptied at once.
    window_minutes: float = Field(default=0.0, ge=0)


class Shift(_Model):
    name: str = Field(min_length=1)
    start: time
    hours: float = Field(gt=0, le=24)
    breaks: list[Break] = Field(default_factory=list)


class AgentGroup(_Model):
    group: str = Field(min_length=1)
    site: str = Field(min_length=1)
    skills: dict[str, int] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=list)
    capacity: dict[str, int] = Field(default_factory=lambda: {"voice": 1})
    # Either a fixed count logged in all the time, or agents per shift each day.
    count: int | None = Field(default=None, ge=0)
    shifts: dict[str, int] = Field(default_factory=dict)


class Scenario(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    start: date = date(2007, 6, 4)
    timezone: str = "Asia/Shanghai"
    days: float = Field(default=1.0, gt=0, le=366)
    warmup_s: float = Field(default=0.0, ge=0)
    interval_minutes: Literal[15, 30, 60] = 30
    seed: int = 1
    kpi: KpiSettings = KpiSettings()
    queues: list[QueueModel] = Field(min_length=1)
    workflows: list[WorkflowModel] = Field(min_length=1)
    traffic: list[Traffic] = Field(min_length=1)
    agents: list[AgentGroup] = Field(min_length=1)
    shifts: list[Shift] = Field(default_factory=list)
    # Callers walk the real IVR flows (mode: flows) instead of each stream's IVR delay.
    ivr: IvrSettings | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def check_references(self, source: str) -> None:
        """Cross-field checks pydantic cannot do alone; each error names its field."""
        queues = {q.name for q in self.queues}
        workflows = {w.name for w in self.workflows}
        shifts = {s.name for s in self.shifts}
        per_day = 24 * 60 // self.interval_minutes
        for i, q in enumerate(self.queues):
            try:
                compile_expression(q.expression)
            except InvalidDefinition as exc:
                raise ScenarioError(source, f"queues[{i}].expression", exc.reason) from None
        for i, wf in enumerate(self.workflows):
            for j, step in enumerate(wf.steps):
                if step.queue not in queues:
                    raise ScenarioError(source, f"workflows[{i}].steps[{j}].queue",
                                        f"unknown queue '{step.queue}'")
        for i, t in enumerate(self.traffic):
            a = t.arrivals
            if (a.rate_per_s is None) == (a.daily is None):
                raise ScenarioError(source, f"traffic[{i}].arrivals",
                                    "give exactly one of rate_per_s and daily")
            if a.daily is not None and (a.profile is None or len(a.profile) != per_day):
                got = "none" if a.profile is None else str(len(a.profile))
                raise ScenarioError(source, f"traffic[{i}].arrivals.profile",
                                    f"needs {per_day} shares (one per {self.interval_minutes}-"
                                    f"minute interval), got {got}")
            for j, rule in enumerate(t.routing):
                if rule.workflow not in workflows:
                    raise ScenarioError(source, f"traffic[{i}].routing[{j}].workflow",
                                        f"unknown workflow '{rule.workflow}'")
            if t.routing[-1].when:
                raise ScenarioError(source, f"traffic[{i}].routing",
                                    "the last rule must have no 'when' (a catch-all)")
        for i, g in enumerate(self.agents):
            if g.count is None and not g.shifts:
                raise ScenarioError(source, f"agents[{i}]", "give a count or shifts")
            for name in g.shifts:
                if name not in shifts:
                    raise ScenarioError(source, f"agents[{i}].shifts.{name}",
                                        f"unknown shift '{name}'")
            for skill, level in g.skills.items():
                if not 1 <= level <= 10:
                    raise ScenarioError(source, f"agents[{i}].skills.{skill}",
                                        f"proficiency must be 1–10, got {level}")
        for i, s in enumerate(self.shifts):
            for j, b in enumerate(s.breaks):
                if b.after_minutes + b.window_minutes + b.minutes > s.hours * 60:
                    raise ScenarioError(source, f"shifts[{i}].breaks[{j}]",
                                        "ends after the shift")
        if self.ivr is not None:
            check_ivr(self.ivr, source)
            if self.ivr.mode == "flows" and all(t.ivr is None for t in self.traffic):
                raise ScenarioError(source, "ivr.mode", "flows, but no traffic stream has an "
                                    "ivr section (the streams whose callers walk the flows)")


BUILT_IN = ("mmc", "bank-hotline")


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse_scenario(data: object, source: str) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(source, "(top level)", "must be a mapping of fields")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
        reason = err["msg"].removeprefix("Value error, ")
        raise ScenarioError(source, _format_loc(loc), reason) from None
    scenario.check_references(source)
    return scenario


def load_scenario(name_or_path: str) -> Scenario:
    """Load a built-in scenario by name, or a YAML file by path."""
    if name_or_path in BUILT_IN:
        text = resources.files("hotline.sim").joinpath(f"scenarios/{name_or_path}.yaml"
                                                        ).read_text("utf-8")
        source = f"{name_or_path}.yaml"
    else:
        path = Path(name_or_path)
        source = str(path)
        if not path.is_file():
            raise ScenarioError(source, "(file)", "no such file (built-in scenarios: "
                                + ", ".join(BUILT_IN) + ")")
        text = path.read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ScenarioError(source, where, f"not valid YAML: {getattr(exc, 'problem', exc)}"
                            ) from None
    return parse_scenario(data, source)
