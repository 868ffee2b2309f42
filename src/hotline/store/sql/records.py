"""Directory records, their validation, and their conversion into the engine's definitions.

Records are plain frozen values, as a REST body or a table row would have them (strings for
the enums, tuples for lists). Validation is pure: what a record refers to (known skills, known
queues) is passed in, and errors name the field within the record and the reason:

>>> validate_agent(AgentRecord(id="a1", name="Ann", site="beijing", skills={"cards": 12}),
...                known_skills={"cards"})
Traceback (most recent call last):
...
hotline.store.sql.errors.DirectoryError: skills.cards: proficiency must be between 1 and 10, got 12
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from hotline.core.channels import Channel
from hotline.core.definitions import (
    AgentProfile,
    Fallback,
    Ordering,
    QueueSpec,
    Selection,
    Workflow,
    WorkflowStep,
)
from hotline.core.errors import InvalidDefinition
from hotline.core.expressions import compile_expression
from hotline.store.sql.errors import DirectoryError, InvalidRecord

AttributeValue = str | int | float | bool

# Ratios are between 0 and 1; the others are counts or seconds, ≥ 0.
RATIO_METRICS = frozenset({"service_level", "answer_rate", "abandon_rate", "occupancy",
                           "utilisation", "adherence", "ivr_containment", "reply_rate", "csat"})
AMOUNT_METRICS = frozenset({"asa_s", "aht_s", "mean_wait_s", "waiting", "longest_wait_s"})
METRICS = RATIO_METRICS | AMOUNT_METRICS
CENTRE = "centre"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")
_CHANNELS = tuple(c.value for c in Channel)


@dataclass(frozen=True, kw_only=True, slots=True)
class SkillRecord:
    name: str  # used in queue expressions as skills.NAME, so an identifier
    description: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentRecord:
    id: str
    name: str
    site: str
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    capacity: Mapping[str, int] = field(default_factory=lambda: {"voice": 1})
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    auto_accept: bool = False
    active: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueRecord:
    name: str
    expression: str
    ordering: str = Ordering.BLENDED.value
    selection: str = Selection.LONGEST_IDLE.value
    priority_weight_s: float = 60.0
    proficiency_skill: str | None = None
    site: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StepRecord:
    queue: str
    timeout_s: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkflowRecord:
    name: str
    steps: tuple[StepRecord, ...]
    fallback: str | None = None
    wrap_up_s: float | None = None  # None: no wrap-up


@dataclass(frozen=True, kw_only=True, slots=True)
class CodeRecord:
    """A not-ready reason or a wrap-up code (disposition)."""

    code: str
    label: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TargetRecord:
    """A KPI target of the centre or of one queue; ``warn`` is the wallboard's alert level."""

    scope: str  # "centre" or a queue name
    metric: str
    target: float
    warn: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class BusinessHoursRecord:
    site: str
    weekday: int  # 0 Monday .. 6 Sunday
    opens: str  # "HH:MM" local time
    closes: str  # "HH:MM", "24:00" for midnight; later than opens


@dataclass(frozen=True, kw_only=True, slots=True)
class HolidayRecord:
    day: date
    name: str


# --- validation ----------------------------------------------------------------------------------
def validate_skill(r: SkillRecord) -> None:
    _identifier(r.name, "name")
    _text(r.description, "description", empty=True, limit=1000)


def validate_agent(r: AgentRecord, known_skills: Set[str]) -> None:
    _key(r.id, "id", 128)
    _text(r.name, "name", limit=200)
    _key(r.site, "site", 64)
    _mapping(r.skills, "skills")
    for skill, level in r.skills.items():
        _known_skill(skill, f"skills.{skill}", known_skills)
        if not _whole(level) or not 1 <= level <= 10:
            raise DirectoryError(f"skills.{skill}",
                                 f"proficiency must be between 1 and 10, got {level!r}")
    if not isinstance(r.languages, tuple | list):
        raise DirectoryError("languages", f"must be a list, got {r.languages!r}")
    for i, language in enumerate(r.languages):
        _key(language, f"languages[{i}]", 16)
        if language in r.languages[:i]:
            raise DirectoryError(f"languages[{i}]", f"'{language}' appears twice")
    _mapping(r.capacity, "capacity")
    for channel, n in r.capacity.items():
        if channel not in _CHANNELS:
            raise DirectoryError(f"capacity.{channel}",
                                 f"unknown channel (use {', '.join(_CHANNELS)})")
        if not _whole(n) or not 0 <= n <= 100:
            raise DirectoryError(f"capacity.{channel}",
                                 f"must be a whole number between 0 and 100, got {n!r}")
    _mapping(r.attributes, "attributes")
    for name, value in r.attributes.items():
        _identifier(name, f"attributes.{name}")
        if not isinstance(value, str | int | float) or (
                isinstance(value, float) and not math.isfinite(value)):
            raise DirectoryError(f"attributes.{name}",
                                 f"must be text, a number or true/false, got {value!r}")
    _flag(r.auto_accept, "auto_accept")
    _flag(r.active, "active")
    _engine_check(lambda: to_agent_profile(r).validate())


def validate_queue(r: QueueRecord, known_skills: Set[str]) -> None:
    _key(r.name, "name", 128)
    if r.name.startswith("@"):
        raise DirectoryError("name", "must not start with '@' (agents' own queues)")
    if not isinstance(r.expression, str):
        raise DirectoryError("expression", f"must be text, got {r.expression!r}")
    _engine_check(lambda: compile_expression(r.expression, "expression"))
    for skill in sorted(expression_skills(r.expression)):
        _known_skill(skill, "expression", known_skills)
    _choice(r.ordering, "ordering", [o.value for o in Ordering])
    _choice(r.selection, "selection", [s.value for s in Selection])
    _amount(r.priority_weight_s, "priority_weight_s")
    if r.proficiency_skill is not None:
        _known_skill(r.proficiency_skill, "proficiency_skill", known_skills)
    elif r.selection == Selection.MOST_PROFICIENT.value:
        raise DirectoryError("proficiency_skill", "is needed when selection is most_proficient")
    if r.site is not None:
        _key(r.site, "site", 64)


def validate_workflow(r: WorkflowRecord, known_queues: Set[str]) -> None:
    _key(r.name, "name", 128)
    if not isinstance(r.steps, tuple | list) or not r.steps:
        raise DirectoryError("steps", "needs at least one step")
    last = len(r.steps) - 1
    for i, step in enumerate(r.steps):
        if not isinstance(step, StepRecord):
            raise DirectoryError(f"steps[{i}]", f"must be a step, got {step!r}")
        if step.queue not in known_queues:
            raise DirectoryError(f"steps[{i}].queue", f"no queue '{step.queue}'")
        if any(s.queue == step.queue for s in r.steps[:i]):
            raise DirectoryError(f"steps[{i}].queue", f"queue '{step.queue}' appears twice")
        if step.timeout_s is None:
            if i < last:
                raise DirectoryError(f"steps[{i}].timeout_s",
                                     "every step but the last needs a timeout")
        elif _amount(step.timeout_s, f"steps[{i}].timeout_s") == 0:
            raise DirectoryError(f"steps[{i}].timeout_s", "must be positive, got 0")
    if r.fallback is not None:
        _choice(r.fallback, "fallback", [f.value for f in Fallback])
        if r.steps[last].timeout_s is None:
            raise DirectoryError(f"steps[{last}].timeout_s",
                                 "the last step needs a timeout for the fallback to happen")
    if r.wrap_up_s is not None:
        _amount(r.wrap_up_s, "wrap_up_s")
    _engine_check(lambda: to_workflow(r).validate())


def validate_code(r: CodeRecord) -> None:
    if not isinstance(r.code, str) or not _CODE.fullmatch(r.code):
        raise DirectoryError("code", f"must be 1–64 letters, digits, '_', '.' or '-', "
                                     f"got {r.code!r}")
    _text(r.label, "label", limit=200)


def validate_target(r: TargetRecord, known_queues: Set[str]) -> None:
    if r.scope != CENTRE and r.scope not in known_queues:
        raise DirectoryError("scope", f"must be '{CENTRE}' or a queue, got {r.scope!r}")
    if r.metric not in METRICS:
        raise DirectoryError("metric", f"unknown metric {r.metric!r} "
                                       f"(use {', '.join(sorted(METRICS))})")
    for name, value in (("target", r.target), ("warn", r.warn)):
        if value is None and name == "warn":
            continue
        if _amount(value, name) > 1 and r.metric in RATIO_METRICS:
            raise DirectoryError(name, f"{r.metric} is a ratio between 0 and 1, got {value!r}")


def validate_business_hours(r: BusinessHoursRecord) -> None:
    _key(r.site, "site", 64)
    if not _whole(r.weekday) or not 0 <= r.weekday <= 6:
        raise DirectoryError("weekday", f"must be 0 (Monday) to 6 (Sunday), got {r.weekday!r}")
    for name, value in (("opens", r.opens), ("closes", r.closes)):
        if not isinstance(value, str) or not _CLOCK.fullmatch(value):
            raise DirectoryError(name, f"must be HH:MM, got {value!r}")
    if r.opens == "24:00":
        raise DirectoryError("opens", "must be before 24:00")
    if r.closes <= r.opens:
        raise DirectoryError("closes", f"must be after opens ({r.opens}), got {r.closes}")


def validate_holiday(r: HolidayRecord) -> None:
    if not isinstance(r.day, date) or isinstance(r.day, datetime):
        raise DirectoryError("day", f"must be a date, got {r.day!r}")
    _text(r.name, "name", limit=200)


def expression_skills(expression: str) -> set[str]:
    """The skills a (valid) queue expression names: ``skills.cards >= 3`` names ``cards``."""
    return {n.attr for n in _nodes(expression)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == "skills"}


def _nodes(expression: str) -> Iterator[ast.AST]:
    try:
        return ast.walk(ast.parse(expression, mode="eval"))
    except SyntaxError:
        return iter(())


# --- conversion into the engine's definitions ----------------------------------------------------
def to_queue_spec(r: QueueRecord) -> QueueSpec:
    return QueueSpec(name=r.name, expression=r.expression, ordering=Ordering(r.ordering),
                     selection=Selection(r.selection), priority_weight_s=r.priority_weight_s,
                     proficiency_skill=r.proficiency_skill, site=r.site)


def to_workflow(r: WorkflowRecord) -> Workflow:
    return Workflow(name=r.name,
                    steps=tuple(WorkflowStep(queue=s.queue, timeout_s=s.timeout_s)
                                for s in r.steps),
                    fallback=Fallback(r.fallback) if r.fallback else None,
                    wrap_up_s=r.wrap_up_s or 0.0)


def to_agent_profile(r: AgentRecord) -> AgentProfile:
    return AgentProfile(agent_id=r.id, site=r.site, skills=dict(r.skills),
                        languages=frozenset(r.languages), capacity=dict(r.capacity),
                        attributes=dict(r.attributes), auto_accept=r.auto_accept)


# --- small checks --------------------------------------------------------------------------------
def _engine_check(check: Callable[[], object]) -> None:
    """Run the engine's own check too, so whatever the directory accepts the engine accepts."""
    try:
        check()
    except InvalidDefinition as exc:
        raise DirectoryError(exc.field, exc.reason) from None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _key(value: object, field: str, limit: int) -> None:
    if not isinstance(value, str) or not value:
        raise DirectoryError(field, f"must be 1–{limit} characters, got {value!r}")
    if len(value) > limit:
        raise DirectoryError(field, f"must be 1–{limit} characters, got {len(value)}")
    if not value.isprintable() or value != value.strip():
        raise DirectoryError(field, "must be printable, without surrounding spaces, "
                                    f"got {value!r}")


def _identifier(value: object, field: str) -> None:
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise DirectoryError(field, "must be a name of letters, digits and '_' not starting "
                                    f"with a digit (at most 64), got {value!r}")


def _text(value: object, field: str, *, limit: int, empty: bool = False) -> None:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise DirectoryError(field, f"must be text, got {value!r}" if not isinstance(value, str)
                             else "is empty")
    if len(value) > limit:
        raise DirectoryError(field, f"must be at most {limit} characters, got {len(value)}")


def _mapping(value: object, field: str) -> None:
    if not isinstance(value, Mapping):
        raise DirectoryError(field, f"must be a mapping, got {value!r}")


def _flag(value: object, field: str) -> None:
    if not isinstance(value, bool):
        raise DirectoryError(field, f"must be true or false, got {value!r}")


def _choice(value: object, field: str, choices: list[str]) -> None:
    if value not in choices:
        raise DirectoryError(field, f"must be one of {', '.join(choices)}, got {value!r}")


def _amount(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or value < 0:
        raise DirectoryError(field, f"must be a number ≥ 0, got {value!r}")
    return float(value)


def _known_skill(skill: str, field: str, known: Set[str]) -> None:
    if skill not in known:
        raise DirectoryError(field, f"unknown skill '{skill}' (add it to the skills first)")


def aware(value: object, field: str,
          error: type[InvalidRecord] = DirectoryError) -> datetime:
    """``value`` as an aware UTC datetime; naive ones (and anything else) raise ``error``."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise error(field, f"must be an aware datetime, got {value!r}")
    return value.astimezone(UTC)
