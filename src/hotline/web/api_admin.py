"""Configure the centre's routing: skills, agents, queues and workflows (targets and codes
are ``api_settings``, users ``api_users``).

Admins change, supervisors read. Every change is validated by the directory's own validators
first (a 422 names the field, e.g. ``skills.cards``), then applied to the live engine where the
engine routes by it (agents, queues, workflows), then written to the directory; if that write
fails, the engine gets its previous definition back. So a rejected change leaves both as they
were. Every change is audited.

The handlers are ``async`` on purpose: the live centre takes one caller at a time on the event
loop, and nothing between the engine command and the directory write awaits, so no other
request sees one changed without the other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from hotline.core.commands import (
    Command,
    DefineQueue,
    DefineWorkflow,
    LogOut,
    RegisterAgent,
    UpdateAgent,
)
from hotline.core.live import OFFLINE
from hotline.store.sql.directory import Directory
from hotline.store.sql.errors import DirectoryError, Duplicate, InUse
from hotline.store.sql.errors import NotFound as MissingRecord
from hotline.store.sql.records import (
    AgentRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    WorkflowRecord,
    to_agent_profile,
    to_queue_spec,
    to_workflow,
    validate_agent,
    validate_queue,
    validate_skill,
    validate_workflow,
)
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.errors import ApiError, Conflict, Invalid, NotFound
from hotline.web.ports import Session
from hotline.web.services import Services

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
ADMINS = ("admin",)
READERS = ("supervisor", "admin")

log = logging.getLogger(__name__)


# --- plumbing ------------------------------------------------------------------------------------
def directory(svc: Services) -> Directory:
    """The directory the server was wired with; 503 when it runs without one."""
    found = svc.extra.get("directory")
    if not isinstance(found, Directory):
        raise ApiError(503, "no_directory", "this server runs without a directory database")
    return found


@contextmanager
def stored() -> Iterator[None]:
    """The store's typed errors as API errors: 422 naming the field, 404, 409."""
    try:
        yield
    except DirectoryError as exc:
        raise Invalid(exc.field, exc.reason) from None
    except MissingRecord as exc:
        raise NotFound(exc.kind, exc.key) from None
    except InUse as exc:
        raise Conflict(str(exc), {"kind": exc.kind, "id": exc.key, "used_by": exc.users}) \
            from None
    except Duplicate as exc:
        raise Conflict(str(exc), {"kind": exc.kind, "id": exc.key}) from None


def apply(svc: Services, command: Command, write: Callable[[], None],
          undo: Command | None) -> int | None:
    """Run ``command`` on the engine, then ``write`` the directory; if the write fails, run
    ``undo`` (the previous definition) so the engine does not keep what was not stored."""
    batch = svc.run(command)
    try:
        with stored():
            write()
    except Exception:
        if undo is None:  # the engine has no delete; the next PUT of it heals the two
            log.error("directory write failed after %s; the engine keeps the new definition",
                      type(command).__name__)
        else:
            try:
                svc.run(undo)
            except ApiError:  # the write's error is the one to report; this one is logged
                log.exception("could not put back the definition before %s",
                              type(command).__name__)
        raise
    return batch[-1][0] if batch else None


def _json(record: Any) -> dict[str, Any]:
    return asdict(record)


class Body(BaseModel):
    # A misspelt field is an error, not ignored; true is not a proficiency, nor "3" a count.
    model_config = ConfigDict(extra="forbid", strict=True)


# --- skills --------------------------------------------------------------------------------------
class SkillBody(Body):
    description: str = ""


@router.get("/skills", summary="Skills (named in queue expressions as skills.NAME)")
async def list_skills(who: Session = require(*READERS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    return {"skills": [_json(s) for s in directory(svc).list_skills()]}


@router.put("/skills/{name}", summary="Create or change a skill")
async def put_skill(name: str, body: SkillBody, who: Session = require(*ADMINS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    record = SkillRecord(name=name, description=body.description)
    with stored():
        validate_skill(record)
        directory(svc).put_skill(record)
    audit(svc, who, "put_skill", name, _json(record))
    return {"skill": _json(record)}


@router.delete("/skills/{name}", summary="Delete a skill (409 while an agent or queue uses it)")
async def delete_skill(name: str, who: Session = require(*ADMINS),
                       svc: Services = Depends(services)) -> dict[str, Any]:
    with stored():
        directory(svc).delete_skill(name)
    audit(svc, who, "delete_skill", name, {})
    return {"deleted": name}


# --- agents --------------------------------------------------------------------------------------
class AgentBody(Body):
    name: str
    site: str
    skills: dict[str, int] = Field(default_factory=dict, description="skill -> proficiency 1–10")
    languages: list[str] = Field(default_factory=list)
    capacity: dict[str, int] = Field(default_factory=lambda: {"voice": 1})
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict)
    auto_accept: bool = False
    active: bool = True


def _agent_json(svc: Services, record: AgentRecord) -> dict[str, Any]:
    live = svc.centre.engine.agents.get(record.id)
    return {**_json(record), "presence": live.presence if live is not None else None}


@router.get("/agents", summary="Agents, with their presence in the live engine")
async def list_agents(who: Session = require(*READERS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    return {"agents": [_agent_json(svc, a) for a in directory(svc).list_agents()]}


@router.get("/agents/{agent_id}", summary="One agent")
async def get_agent(agent_id: str, who: Session = require(*READERS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    record = directory(svc).get_agent(agent_id)
    if record is None:
        raise NotFound("agent", agent_id)
    return {"agent": _agent_json(svc, record)}


@router.put("/agents/{agent_id}",
            summary="Create or change an agent; the live engine follows at once")
async def put_agent(agent_id: str, body: AgentBody, who: Session = require(*ADMINS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    d = directory(svc)
    record = AgentRecord(id=agent_id, name=body.name, site=body.site, skills=body.skills,
                         languages=tuple(body.languages), capacity=body.capacity,
                         attributes=body.attributes, auto_accept=body.auto_accept,
                         active=body.active)
    with stored():
        validate_agent(record, {s.name for s in d.list_skills()})
    profile = to_agent_profile(record)
    live = svc.centre.engine.agents.get(agent_id)
    command: Command = RegisterAgent(profile=profile) if live is None \
        else UpdateAgent(profile=profile)
    undo = None if live is None else UpdateAgent(profile=live.profile)
    seq = apply(svc, command, lambda: d.put_agent(record), undo)
    if not record.active:
        seq = _log_out(svc, agent_id) or seq
    audit(svc, who, "put_agent", agent_id, {**_json(record), "created": live is None})
    return {"agent": _agent_json(svc, record), "created": live is None, "seq": seq}


@router.delete("/agents/{agent_id}",
               summary="Deactivate an agent (kept for reports) and log it out if logged in")
async def deactivate_agent(agent_id: str, who: Session = require(*ADMINS),
                           svc: Services = Depends(services)) -> dict[str, Any]:
    d = directory(svc)
    record = d.get_agent(agent_id)
    if record is None:
        raise NotFound("agent", agent_id)
    seq = _log_out(svc, agent_id)
    with stored():
        d.put_agent(replace(record, active=False))
    audit(svc, who, "deactivate_agent", agent_id, {"logged_out": seq is not None})
    return {"agent": _agent_json(svc, replace(record, active=False)), "seq": seq}


def _log_out(svc: Services, agent_id: str) -> int | None:
    """Force-log-out the agent if the engine has it logged in; the last event's number."""
    live = svc.centre.engine.agents.get(agent_id)
    if live is None or live.presence == OFFLINE:
        return None
    batch = svc.run(LogOut(agent_id=agent_id, force=True))
    return batch[-1][0] if batch else None


# --- queues and workflows ------------------------------------------------------------------------
class QueueBody(Body):
    expression: str = Field(description='over agent attributes, e.g. "skills.cards >= 3"')
    ordering: str = "blended"
    selection: str = "longest_idle"
    priority_weight_s: float = 60.0
    proficiency_skill: str | None = None
    site: str | None = None


@router.get("/queues", summary="Queues")
async def list_queues(who: Session = require(*READERS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    return {"queues": [_json(q) for q in directory(svc).list_queues()]}


@router.put("/queues/{name}", summary="Create or change a queue (there is no delete: the "
            "engine cannot drop a queue that contacts may be waiting in)")
async def put_queue(name: str, body: QueueBody, who: Session = require(*ADMINS),
                    svc: Services = Depends(services)) -> dict[str, Any]:
    d = directory(svc)
    record = QueueRecord(name=name, **body.model_dump())
    with stored():
        validate_queue(record, {s.name for s in d.list_skills()})
    old = svc.centre.engine.shared_queues.get(name)
    seq = apply(svc, DefineQueue(queue=to_queue_spec(record)), lambda: d.put_queue(record),
                None if old is None else DefineQueue(queue=old.spec))
    audit(svc, who, "put_queue", name, _json(record))
    return {"queue": _json(record), "created": old is None, "seq": seq}


class StepBody(Body):
    queue: str
    timeout_s: float | None = None


class WorkflowBody(Body):
    steps: list[StepBody]
    fallback: str | None = Field(default=None, description="callback, voicemail or message")
    wrap_up_s: float | None = None


@router.get("/workflows", summary="Workflows")
async def list_workflows(who: Session = require(*READERS),
                         svc: Services = Depends(services)) -> dict[str, Any]:
    return {"workflows": [_json(w) for w in directory(svc).list_workflows()]}


@router.put("/workflows/{name}", summary="Create or change a workflow (there is no delete: "
            "the engine cannot drop a workflow that contacts may be in)")
async def put_workflow(name: str, body: WorkflowBody, who: Session = require(*ADMINS),
                       svc: Services = Depends(services)) -> dict[str, Any]:
    d = directory(svc)
    record = WorkflowRecord(name=name, fallback=body.fallback, wrap_up_s=body.wrap_up_s,
                            steps=tuple(StepRecord(queue=s.queue, timeout_s=s.timeout_s)
                                        for s in body.steps))
    with stored():
        validate_workflow(record, {q.name for q in d.list_queues()})
    old = svc.centre.engine.workflows.get(name)
    seq = apply(svc, DefineWorkflow(workflow=to_workflow(record)),
                lambda: d.put_workflow(record),
                None if old is None else DefineWorkflow(workflow=old))
    audit(svc, who, "put_workflow", name, _json(record))
    return {"workflow": _json(record), "created": old is None, "seq": seq}
