"""The directory in SQL: skills, agents, queues, workflows, codes, targets, hours, holidays.

``put_*`` creates or replaces a record after validating it (errors name the field and the
reason, see ``records``); ``get_*`` returns None for a missing record; ``delete_*`` raises
``NotFound`` for a missing one and ``InUse`` while others refer to it. Each call is one
transaction; ``put_all`` writes many records of every kind in one.

>>> from hotline.store.sql.database import open_database, migrate
>>> engine = open_database("sqlite://"); migrate(engine)
>>> d = Directory(engine)
>>> d.put_skill(SkillRecord(name="cards"))
>>> d.put_queue(QueueRecord(name="cards", expression="skills.cards >= 1"))
>>> d.put_workflow(WorkflowRecord(name="w", steps=(StepRecord(queue="card"),)))
Traceback (most recent call last):
...
hotline.store.sql.errors.DirectoryError: steps[0].queue: no queue 'card'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, Table, and_, delete, func, select

from hotline.sim.roster import agent_profiles
from hotline.sim.scenario import Scenario
from hotline.store.sql import schema
from hotline.store.sql.errors import DirectoryError, InUse, NotFound
from hotline.store.sql.records import (
    CENTRE,
    METRICS,
    AgentRecord,
    BusinessHoursRecord,
    CodeRecord,
    HolidayRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    TargetRecord,
    WorkflowRecord,
    expression_skills,
    to_agent_profile,
    to_queue_spec,
    to_workflow,
    validate_agent,
    validate_business_hours,
    validate_code,
    validate_holiday,
    validate_queue,
    validate_skill,
    validate_target,
    validate_workflow,
)
from hotline.store.sql.upsert import upsert

__all__ = [
    "CENTRE", "DEFAULT_REASON_CODES", "DEFAULT_WRAP_UP_CODES", "METRICS", "AgentRecord",
    "BusinessHoursRecord", "CodeRecord", "Directory", "HolidayRecord", "QueueRecord",
    "SkillRecord", "StepRecord", "TargetRecord", "WorkflowRecord", "load_scenario_directory",
    "to_agent_profile", "to_queue_spec", "to_workflow",
]

R = TypeVar("R")

# Not-ready reasons an agent can pick, and the ones the engine sets by itself.
DEFAULT_REASON_CODES = (
    CodeRecord(code="break", label="Break"),
    CodeRecord(code="lunch", label="Lunch"),
    CodeRecord(code="training", label="Training"),
    CodeRecord(code="meeting", label="Team meeting"),
    CodeRecord(code="coaching", label="Coaching"),
    CodeRecord(code="after_call_work", label="After-call work"),
    CodeRecord(code="logged_in", label="Just logged in (set by the system)"),
    CodeRecord(code="no_answer", label="Missed an offer (set by the system)"),
)
DEFAULT_WRAP_UP_CODES = (
    CodeRecord(code="resolved", label="Resolved"),
    CodeRecord(code="follow_up", label="Needs follow-up"),
    CodeRecord(code="transferred", label="Transferred"),
    CodeRecord(code="complaint", label="Complaint logged"),
    CodeRecord(code="card_blocked", label="Card blocked"),
    CodeRecord(code="information", label="Information given"),
    CodeRecord(code="sale", label="Product sold"),
)


class _Kind(Generic[R]):
    """How one kind of record maps to its table."""

    def __init__(self, name: str, table: Table, keys: tuple[str, ...],
                 to_row: Callable[[R], dict[str, Any]],
                 from_row: Callable[[Mapping[Any, Any]], R]) -> None:
        self.name, self.table, self.keys = name, table, keys
        self.to_row, self.from_row = to_row, from_row
        self.order = [table.c[k] for k in keys]

    def where(self, key: tuple[Any, ...]) -> Any:
        return and_(*(self.table.c[k] == v for k, v in zip(self.keys, key, strict=True)))

    def list(self, c: Connection, *conditions: Any) -> list[R]:
        rows = c.execute(select(self.table).where(*conditions).order_by(*self.order))
        return [self.from_row(row._mapping) for row in rows]

    def get(self, c: Connection, key: tuple[Any, ...]) -> R | None:
        row = c.execute(select(self.table).where(self.where(key))).first()
        return None if row is None else self.from_row(row._mapping)

    def put(self, c: Connection, records: Sequence[R]) -> None:
        upsert(c, self.table, [self.to_row(r) for r in records], self.keys)

    def delete(self, c: Connection, key: tuple[Any, ...]) -> None:
        if c.execute(delete(self.table).where(self.where(key))).rowcount == 0:
            raise NotFound(self.name, "/".join(str(k) for k in key))


def _agent_row(r: AgentRecord) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "site": r.site, "skills": dict(r.skills),
            "languages": list(r.languages), "capacity": dict(r.capacity),
            "attributes": dict(r.attributes), "auto_accept": r.auto_accept, "active": r.active}


def _agent(m: Mapping[Any, Any]) -> AgentRecord:
    return AgentRecord(id=m["id"], name=m["name"], site=m["site"], skills=m["skills"],
                       languages=tuple(m["languages"]), capacity=m["capacity"],
                       attributes=m["attributes"], auto_accept=m["auto_accept"],
                       active=m["active"])


def _workflow_row(r: WorkflowRecord) -> dict[str, Any]:
    return {"name": r.name, "fallback": r.fallback, "wrap_up_s": r.wrap_up_s,
            "steps": [{"queue": s.queue, "timeout_s": s.timeout_s} for s in r.steps]}


def _workflow(m: Mapping[Any, Any]) -> WorkflowRecord:
    return WorkflowRecord(name=m["name"], fallback=m["fallback"], wrap_up_s=m["wrap_up_s"],
                          steps=tuple(StepRecord(queue=s["queue"], timeout_s=s["timeout_s"])
                                      for s in m["steps"]))


def _fields(r: Any) -> dict[str, Any]:
    return {name: getattr(r, name) for name in r.__slots__}


SKILLS = _Kind[SkillRecord]("skill", schema.skills, ("name",), _fields,
                            lambda m: SkillRecord(**m))
AGENTS = _Kind[AgentRecord]("agent", schema.agents, ("id",), _agent_row, _agent)
QUEUES = _Kind[QueueRecord]("queue", schema.queues, ("name",), _fields,
                            lambda m: QueueRecord(**m))
WORKFLOWS = _Kind[WorkflowRecord]("workflow", schema.workflows, ("name",), _workflow_row,
                                  _workflow)
REASONS = _Kind[CodeRecord]("reason code", schema.reason_codes, ("code",), _fields,
                            lambda m: CodeRecord(**m))
WRAP_UPS = _Kind[CodeRecord]("wrap-up code", schema.wrap_up_codes, ("code",), _fields,
                             lambda m: CodeRecord(**m))
TARGETS = _Kind[TargetRecord]("target", schema.kpi_targets, ("scope", "metric"), _fields,
                              lambda m: TargetRecord(**m))
HOURS = _Kind[BusinessHoursRecord]("business hours", schema.business_hours,
                                   ("site", "weekday"), _fields,
                                   lambda m: BusinessHoursRecord(**m))
HOLIDAYS = _Kind[HolidayRecord]("holiday", schema.holidays, ("day",), _fields,
                                lambda m: HolidayRecord(**m))


class Directory:
    """The directory tables of ``engine`` (migrated with ``database.migrate``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- skills ----------------------------------------------------------------------------------
    def list_skills(self) -> list[SkillRecord]:
        return self._list(SKILLS)

    def get_skill(self, name: str) -> SkillRecord | None:
        return self._get(SKILLS, name)

    def put_skill(self, record: SkillRecord) -> None:
        self.put_all(skills=[record])

    def delete_skill(self, name: str) -> None:
        with self.engine.begin() as c:
            users = [f"agent '{a.id}'" for a in AGENTS.list(c) if name in a.skills]
            users += [f"queue '{q.name}'" for q in QUEUES.list(c)
                      if q.proficiency_skill == name or name in expression_skills(q.expression)]
            _refuse_if_used("skill", name, users)
            SKILLS.delete(c, (name,))

    # --- agents ----------------------------------------------------------------------------------
    def list_agents(self, *, active_only: bool = False) -> list[AgentRecord]:
        with self.engine.connect() as c:
            return AGENTS.list(c, *([schema.agents.c.active.is_(True)] if active_only else []))

    def get_agent(self, agent_id: str) -> AgentRecord | None:
        return self._get(AGENTS, agent_id)

    def put_agent(self, record: AgentRecord) -> None:
        self.put_all(agents=[record])

    def delete_agent(self, agent_id: str) -> None:
        """Delete the agent; users linked to it keep their account, unlinked."""
        self._delete(AGENTS, agent_id)

    # --- queues ----------------------------------------------------------------------------------
    def list_queues(self) -> list[QueueRecord]:
        return self._list(QUEUES)

    def get_queue(self, name: str) -> QueueRecord | None:
        return self._get(QUEUES, name)

    def put_queue(self, record: QueueRecord) -> None:
        self.put_all(queues=[record])

    def delete_queue(self, name: str) -> None:
        with self.engine.begin() as c:
            users = [f"workflow '{w.name}'" for w in WORKFLOWS.list(c)
                     if any(s.queue == name for s in w.steps)]
            users += [f"target '{name}/{t.metric}'"
                      for t in TARGETS.list(c, schema.kpi_targets.c.scope == name)]
            _refuse_if_used("queue", name, users)
            QUEUES.delete(c, (name,))

    # --- workflows -------------------------------------------------------------------------------
    def list_workflows(self) -> list[WorkflowRecord]:
        return self._list(WORKFLOWS)

    def get_workflow(self, name: str) -> WorkflowRecord | None:
        return self._get(WORKFLOWS, name)

    def put_workflow(self, record: WorkflowRecord) -> None:
        self.put_all(workflows=[record])

    def delete_workflow(self, name: str) -> None:
        self._delete(WORKFLOWS, name)

    # --- not-ready reasons and wrap-up codes -----------------------------------------------------
    def list_reason_codes(self) -> list[CodeRecord]:
        return self._list(REASONS)

    def get_reason_code(self, code: str) -> CodeRecord | None:
        return self._get(REASONS, code)

    def put_reason_code(self, record: CodeRecord) -> None:
        self.put_all(reason_codes=[record])

    def delete_reason_code(self, code: str) -> None:
        self._delete(REASONS, code)

    def list_wrap_up_codes(self) -> list[CodeRecord]:
        return self._list(WRAP_UPS)

    def get_wrap_up_code(self, code: str) -> CodeRecord | None:
        return self._get(WRAP_UPS, code)

    def put_wrap_up_code(self, record: CodeRecord) -> None:
        self.put_all(wrap_up_codes=[record])

    def delete_wrap_up_code(self, code: str) -> None:
        self._delete(WRAP_UPS, code)

    # --- KPI targets and alert thresholds --------------------------------------------------------
    def list_targets(self, scope: str | None = None) -> list[TargetRecord]:
        with self.engine.connect() as c:
            return TARGETS.list(c, *([] if scope is None
                                     else [schema.kpi_targets.c.scope == scope]))

    def get_target(self, scope: str, metric: str) -> TargetRecord | None:
        return self._get(TARGETS, scope, metric)

    def put_target(self, record: TargetRecord) -> None:
        self.put_all(targets=[record])

    def delete_target(self, scope: str, metric: str) -> None:
        self._delete(TARGETS, scope, metric)

    # --- business hours and holidays -------------------------------------------------------------
    def list_business_hours(self, site: str | None = None) -> list[BusinessHoursRecord]:
        with self.engine.connect() as c:
            return HOURS.list(c, *([] if site is None
                                   else [schema.business_hours.c.site == site]))

    def get_business_hours(self, site: str, weekday: int) -> BusinessHoursRecord | None:
        return self._get(HOURS, site, weekday)

    def put_business_hours(self, record: BusinessHoursRecord) -> None:
        self.put_all(business_hours=[record])

    def delete_business_hours(self, site: str, weekday: int) -> None:
        self._delete(HOURS, site, weekday)

    def list_holidays(self) -> list[HolidayRecord]:
        return self._list(HOLIDAYS)

    def get_holiday(self, day: date) -> HolidayRecord | None:
        return self._get(HOLIDAYS, day)

    def put_holiday(self, record: HolidayRecord) -> None:
        self.put_all(holidays=[record])

    def delete_holiday(self, day: date) -> None:
        self._delete(HOLIDAYS, day)

    # --- many at once ----------------------------------------------------------------------------
    def put_all(self, *, skills: Iterable[SkillRecord] = (),
                queues: Iterable[QueueRecord] = (),
                workflows: Iterable[WorkflowRecord] = (),
                agents: Iterable[AgentRecord] = (),
                reason_codes: Iterable[CodeRecord] = (),
                wrap_up_codes: Iterable[CodeRecord] = (),
                targets: Iterable[TargetRecord] = (),
                business_hours: Iterable[BusinessHoursRecord] = (),
                holidays: Iterable[HolidayRecord] = ()) -> None:
        """Validate and write all of them in one transaction, or none.

        Records may refer to others of the same call (a workflow to a new queue); an error
        names the record too: ``queues['vip'].expression: ...``.
        """
        with self.engine.begin() as c:
            skill_list = _checked(skills, "skills", lambda r: r.name, validate_skill)
            SKILLS.put(c, skill_list)
            known_skills = _column(c, schema.skills.c.name)
            queue_list = _checked(queues, "queues", lambda r: r.name,
                                  lambda r: validate_queue(r, known_skills))
            QUEUES.put(c, queue_list)
            known_queues = _column(c, schema.queues.c.name)
            WORKFLOWS.put(c, _checked(workflows, "workflows", lambda r: r.name,
                                      lambda r: validate_workflow(r, known_queues)))
            AGENTS.put(c, _checked(agents, "agents", lambda r: r.id,
                                   lambda r: validate_agent(r, known_skills)))
            REASONS.put(c, _checked(reason_codes, "reason_codes", lambda r: r.code,
                                    validate_code))
            WRAP_UPS.put(c, _checked(wrap_up_codes, "wrap_up_codes", lambda r: r.code,
                                     validate_code))
            TARGETS.put(c, _checked(targets, "targets", lambda r: f"{r.scope}/{r.metric}",
                                    lambda r: validate_target(r, known_queues)))
            HOURS.put(c, _checked(business_hours, "business_hours",
                                  lambda r: f"{r.site}/{r.weekday}", validate_business_hours))
            HOLIDAYS.put(c, _checked(holidays, "holidays", lambda r: str(r.day),
                                     validate_holiday))

    def is_empty(self) -> bool:
        """No skills, agents, queues or workflows yet."""
        with self.engine.connect() as c:
            return all(c.execute(select(func.count()).select_from(t)).scalar_one() == 0
                       for t in (schema.skills, schema.agents, schema.queues, schema.workflows))

    # --- plumbing --------------------------------------------------------------------------------
    def _list(self, kind: _Kind[R]) -> list[R]:
        with self.engine.connect() as c:
            return kind.list(c)

    def _get(self, kind: _Kind[R], *key: Any) -> R | None:
        with self.engine.connect() as c:
            return kind.get(c, key)

    def _delete(self, kind: _Kind[R], *key: Any) -> None:
        with self.engine.begin() as c:
            kind.delete(c, key)


def _checked(records: Iterable[R], kind: str, key: Callable[[R], str],
             validate: Callable[[R], None]) -> list[R]:
    """The records, each validated; several of them name a record ``kind['key']``."""
    batch = list(records)
    seen: set[str] = set()
    for record in batch:
        name = key(record)
        try:
            validate(record)
        except DirectoryError as exc:
            if len(batch) == 1:
                raise
            raise DirectoryError(f"{kind}['{name}'].{exc.field}", exc.reason) from None
        if name in seen:
            raise DirectoryError(f"{kind}['{name}']", "appears twice")
        seen.add(name)
    return batch


def _column(c: Connection, column: Any) -> set[str]:
    return set(c.execute(select(column)).scalars())


def _refuse_if_used(kind: str, key: str, users: list[str]) -> None:
    if users:
        shown = users[:5] + ([f"{len(users) - 5} more"] if len(users) > 5 else [])
        raise InUse(kind, key, shown)


def load_scenario_directory(directory: Directory, scenario: Scenario) -> None:
    """Fill an empty directory from a scenario, as the twin configures its engine.

    Skills are those the agents have and the queues name; queues, workflows and agents come
    over as they are (agent names are their ids); the scenario's service-level and answer-rate
    targets become centre targets; the default reason and wrap-up codes are added.
    """
    if not directory.is_empty():
        raise DirectoryError("directory", "is not empty; a scenario loads into an empty one")
    profiles = agent_profiles(scenario)
    skill_names = {s for p in profiles for s in p.skills}
    for q in scenario.queues:
        skill_names |= expression_skills(q.expression)
        if q.proficiency_skill:
            skill_names.add(q.proficiency_skill)
    directory.put_all(
        skills=[SkillRecord(name=name) for name in sorted(skill_names)],
        queues=[QueueRecord(name=q.name, expression=q.expression, ordering=q.ordering,
                            selection=q.selection, priority_weight_s=q.priority_weight_s,
                            proficiency_skill=q.proficiency_skill, site=q.site)
                for q in scenario.queues],
        workflows=[WorkflowRecord(name=w.name, fallback=w.fallback, wrap_up_s=w.wrap_up_s,
                                  steps=tuple(StepRecord(queue=s.queue, timeout_s=s.timeout_s)
                                              for s in w.steps))
                   for w in scenario.workflows],
        agents=[AgentRecord(id=p.agent_id, name=p.agent_id, site=p.site, skills=dict(p.skills),
                            languages=tuple(sorted(p.languages)), capacity=dict(p.capacity),
                            attributes={}, auto_accept=p.auto_accept)
                for p in profiles],
        targets=[TargetRecord(scope=CENTRE, metric="service_level",
                              target=scenario.kpi.service_level_target),
                 TargetRecord(scope=CENTRE, metric="answer_rate",
                              target=scenario.kpi.answer_rate_target)],
        reason_codes=DEFAULT_REASON_CODES,
        wrap_up_codes=DEFAULT_WRAP_UP_CODES,
    )
