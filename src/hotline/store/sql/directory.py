"""The directory in SQL: skills, agents, queues, workflows, codes, targets, hours, holidays.

``put_*`` creates or replaces a record after validating it (errors name the field and the
reason, see ``records``); ``get_*`` returns None for a missing record; ``delete_*`` raises
``NotFound`` for a missing one and ``InUse`` while others refer to it. Each call is one
transaction; ``put_all`` writes many records of every kind in one. How records map to rows is
``directory_tables``; a scenario's directory, ``directory_scenario`` (its names are here too).

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

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select

from hotline.store.sql import schema
from hotline.store.sql.directory_scenario import (
    DEFAULT_REASON_CODES,
    DEFAULT_WRAP_UP_CODES,
    load_scenario_directory,
)
from hotline.store.sql.directory_tables import (
    AGENTS,
    HOLIDAYS,
    HOURS,
    QUEUES,
    REASONS,
    SKILLS,
    TARGETS,
    WORKFLOWS,
    WRAP_UPS,
    Kind,
    checked,
    column,
    refuse_if_used,
)
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

__all__ = [
    "CENTRE", "DEFAULT_REASON_CODES", "DEFAULT_WRAP_UP_CODES", "METRICS", "AgentRecord",
    "BusinessHoursRecord", "CodeRecord", "Directory", "HolidayRecord", "QueueRecord",
    "SkillRecord", "StepRecord", "TargetRecord", "WorkflowRecord", "load_scenario_directory",
    "to_agent_profile", "to_queue_spec", "to_workflow",
]

R = TypeVar("R")


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
            refuse_if_used("skill", name, users)
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
            refuse_if_used("queue", name, users)
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
            skill_list = checked(skills, "skills", lambda r: r.name, validate_skill)
            SKILLS.put(c, skill_list)
            known_skills = column(c, schema.skills.c.name)
            queue_list = checked(queues, "queues", lambda r: r.name,
                                  lambda r: validate_queue(r, known_skills))
            QUEUES.put(c, queue_list)
            known_queues = column(c, schema.queues.c.name)
            WORKFLOWS.put(c, checked(workflows, "workflows", lambda r: r.name,
                                      lambda r: validate_workflow(r, known_queues)))
            AGENTS.put(c, checked(agents, "agents", lambda r: r.id,
                                   lambda r: validate_agent(r, known_skills)))
            REASONS.put(c, checked(reason_codes, "reason_codes", lambda r: r.code,
                                    validate_code))
            WRAP_UPS.put(c, checked(wrap_up_codes, "wrap_up_codes", lambda r: r.code,
                                     validate_code))
            TARGETS.put(c, checked(targets, "targets", lambda r: f"{r.scope}/{r.metric}",
                                    lambda r: validate_target(r, known_queues)))
            HOURS.put(c, checked(business_hours, "business_hours",
                                  lambda r: f"{r.site}/{r.weekday}", validate_business_hours))
            HOLIDAYS.put(c, checked(holidays, "holidays", lambda r: str(r.day),
                                     validate_holiday))

    def is_empty(self) -> bool:
        """No skills, agents, queues or workflows yet."""
        with self.engine.connect() as c:
            return all(c.execute(select(func.count()).select_from(t)).scalar_one() == 0
                       for t in (schema.skills, schema.agents, schema.queues, schema.workflows))

    # --- plumbing --------------------------------------------------------------------------------
    def _list(self, kind: Kind[R]) -> list[R]:
        with self.engine.connect() as c:
            return kind.list(c)

    def _get(self, kind: Kind[R], *key: Any) -> R | None:
        with self.engine.connect() as c:
            return kind.get(c, key)

    def _delete(self, kind: Kind[R], *key: Any) -> None:
        with self.engine.begin() as c:
            kind.delete(c, key)
