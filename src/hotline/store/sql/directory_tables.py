"""How each kind of directory record maps to its table, and the checks ``Directory`` makes
before it writes: a batch validated record by record, and a delete refused while others use
the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, and_, delete, select

from hotline.store.sql import schema
from hotline.store.sql.errors import DirectoryError, InUse, NotFound
from hotline.store.sql.records import (
    AgentRecord,
    BusinessHoursRecord,
    CodeRecord,
    HolidayRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    TargetRecord,
    WorkflowRecord,
)
from hotline.store.sql.upsert import upsert

R = TypeVar("R")


class Kind(Generic[R]):
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


SKILLS = Kind[SkillRecord]("skill", schema.skills, ("name",), _fields,
                            lambda m: SkillRecord(**m))
AGENTS = Kind[AgentRecord]("agent", schema.agents, ("id",), _agent_row, _agent)
QUEUES = Kind[QueueRecord]("queue", schema.queues, ("name",), _fields,
                            lambda m: QueueRecord(**m))
WORKFLOWS = Kind[WorkflowRecord]("workflow", schema.workflows, ("name",), _workflow_row,
                                  _workflow)
REASONS = Kind[CodeRecord]("reason code", schema.reason_codes, ("code",), _fields,
                            lambda m: CodeRecord(**m))
WRAP_UPS = Kind[CodeRecord]("wrap-up code", schema.wrap_up_codes, ("code",), _fields,
                             lambda m: CodeRecord(**m))
TARGETS = Kind[TargetRecord]("target", schema.kpi_targets, ("scope", "metric"), _fields,
                              lambda m: TargetRecord(**m))
HOURS = Kind[BusinessHoursRecord]("business hours", schema.business_hours,
                                   ("site", "weekday"), _fields,
                                   lambda m: BusinessHoursRecord(**m))
HOLIDAYS = Kind[HolidayRecord]("holiday", schema.holidays, ("day",), _fields,
                                lambda m: HolidayRecord(**m))


def checked(records: Iterable[R], kind: str, key: Callable[[R], str],
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


def column(c: Connection, column: Any) -> set[str]:
    return set(c.execute(select(column)).scalars())


def refuse_if_used(kind: str, key: str, users: list[str]) -> None:
    if users:
        shown = users[:5] + ([f"{len(users) - 5} more"] if len(users) > 5 else [])
        raise InUse(kind, key, shown)
