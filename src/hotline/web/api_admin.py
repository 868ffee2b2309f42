"""Configure the centre: skills, agents, queues, workflows, KPI targets, codes and users.

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

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
    CENTRE,
    METRICS,
    RATIO_METRICS,
    AgentRecord,
    CodeRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    TargetRecord,
    WorkflowRecord,
    to_agent_profile,
    to_queue_spec,
    to_workflow,
    validate_agent,
    validate_code,
    validate_queue,
    validate_skill,
    validate_target,
    validate_workflow,
)
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.errors import ApiError, Conflict, Invalid, NotFound
from hotline.web.ports import ROLES, Session, User
from hotline.web.services import DEFAULT_DISPOSITIONS, DEFAULT_REASONS, Services, Settings

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])
ADMINS = ("admin",)
READERS = ("supervisor", "admin")
MIN_PASSWORD = 10

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


# --- KPI targets ---------------------------------------------------------------------------------
class TargetBody(Body):
    target: float
    warn: float | None = Field(default=None, description="the wallboard's alert level")


def centre_settings(records: Sequence[TargetRecord], targets: dict[str, float],
                    alerts: dict[str, float], defaults: Settings | None = None
                    ) -> tuple[dict[str, float], dict[str, float]]:
    """The wallboard's targets and alert levels after the directory's centre targets.

    The centre's service-level and answer-rate targets set those two in ``targets``;
    ``service_level_below`` follows the service-level target's ``warn``;
    ``longest_wait_above_s`` and ``waiting_above`` follow the ``longest_wait_s`` and
    ``waiting`` targets (their ``warn``, else the target itself). What the directory
    does not set is the built-in default (``Settings``), so removing a target goes back to
    it, and start-up agrees with a refresh. Other keys stay as they are.
    """
    defaults = defaults or Settings()
    centre = {r.metric: r for r in records if r.scope == CENTRE}
    new_targets, new_alerts = dict(targets), dict(alerts)
    for metric in ("service_level", "answer_rate"):
        _set(new_targets, metric, centre[metric].target if metric in centre
             else defaults.targets.get(metric))
    sl = centre.get("service_level")
    _set(new_alerts, "service_level_below", sl.warn if sl is not None and sl.warn is not None
         else defaults.alerts.get("service_level_below"))
    # Ceilings: the alert fires above the warn level (or above the target without one).
    for metric, alert in (("longest_wait_s", "longest_wait_above_s"),
                          ("waiting", "waiting_above")):
        record = centre.get(metric)
        _set(new_alerts, alert, defaults.alerts.get(alert) if record is None
             else record.warn if record.warn is not None else record.target)
    return new_targets, new_alerts


def _set(values: dict[str, float], key: str, value: float | None) -> None:
    if value is None:
        values.pop(key, None)
    else:
        values[key] = value


def refresh_settings(svc: Services) -> None:
    """Point the wallboard at the directory's targets (after a change, and at start-up)."""
    s = svc.settings
    s.targets, s.alerts = centre_settings(directory(svc).list_targets(CENTRE), s.targets,
                                          s.alerts)


@router.get("/targets", summary="KPI targets of the centre and of queues")
async def list_targets(who: Session = require(*READERS),
                       svc: Services = Depends(services)) -> dict[str, Any]:
    return {"targets": [_json(t) for t in directory(svc).list_targets()],
            "metrics": sorted(METRICS), "ratios": sorted(RATIO_METRICS),
            "wallboard": {"targets": svc.settings.targets, "alerts": svc.settings.alerts}}


@router.put("/targets/{scope}/{metric}",
            summary="Set a KPI target; scope is 'centre' or a queue")
async def put_target(scope: str, metric: str, body: TargetBody, who: Session = require(*ADMINS),
                     svc: Services = Depends(services)) -> dict[str, Any]:
    d = directory(svc)
    record = TargetRecord(scope=scope, metric=metric, target=body.target, warn=body.warn)
    with stored():
        validate_target(record, {q.name for q in d.list_queues()})
        d.put_target(record)
    refresh_settings(svc)
    audit(svc, who, "put_target", f"{scope}/{metric}", _json(record))
    return {"target": _json(record)}


@router.delete("/targets/{scope}/{metric}", summary="Remove a KPI target")
async def delete_target(scope: str, metric: str, who: Session = require(*ADMINS),
                        svc: Services = Depends(services)) -> dict[str, Any]:
    with stored():
        directory(svc).delete_target(scope, metric)
    refresh_settings(svc)
    audit(svc, who, "delete_target", f"{scope}/{metric}", {})
    return {"deleted": f"{scope}/{metric}"}


# --- not-ready reasons and wrap-up codes ---------------------------------------------------------
class CodeBody(Body):
    label: str


def refresh_codes(svc: Services) -> None:
    """Agents pick from the directory's codes (after a change, and at start-up); a kind with
    no codes left falls back to the built-in ones, so agents always have something to pick."""
    d = directory(svc)
    svc.reasons = tuple((c.code, c.label) for c in d.list_reason_codes()) or DEFAULT_REASONS
    svc.dispositions = tuple((c.code, c.label) for c in d.list_wrap_up_codes()) \
        or DEFAULT_DISPOSITIONS


def _codes(kind: str, path: str, lister: Callable[[Directory], list[CodeRecord]],
           putter: Callable[[Directory, CodeRecord], None],
           deleter: Callable[[Directory, str], None]) -> None:
    """GET, PUT and DELETE for one kind of code ("reason" or "wrap_up")."""

    async def list_codes(who: Session = require(*READERS),
                         svc: Services = Depends(services)) -> dict[str, Any]:
        return {"codes": [_json(c) for c in lister(directory(svc))]}

    async def put_code(code: str, body: CodeBody, who: Session = require(*ADMINS),
                       svc: Services = Depends(services)) -> dict[str, Any]:
        record = CodeRecord(code=code, label=body.label)
        with stored():
            validate_code(record)
            putter(directory(svc), record)
        refresh_codes(svc)
        audit(svc, who, f"put_{kind}_code", code, _json(record))
        return {"code": _json(record)}

    async def delete_code(code: str, who: Session = require(*ADMINS),
                          svc: Services = Depends(services)) -> dict[str, Any]:
        with stored():
            deleter(directory(svc), code)
        refresh_codes(svc)
        audit(svc, who, f"delete_{kind}_code", code, {})
        return {"deleted": code}

    words = kind.replace("_", "-")
    router.add_api_route(path, list_codes, methods=["GET"], summary=f"The {words} codes",
                         name=f"list_{kind}_codes")
    router.add_api_route(path + "/{code}", put_code, methods=["PUT"],
                         summary=f"Create or change a {words} code", name=f"put_{kind}_code")
    router.add_api_route(path + "/{code}", delete_code, methods=["DELETE"],
                         summary=f"Delete a {words} code", name=f"delete_{kind}_code")


_codes("reason", "/reason-codes", Directory.list_reason_codes, Directory.put_reason_code,
       Directory.delete_reason_code)
_codes("wrap_up", "/wrap-up-codes", Directory.list_wrap_up_codes, Directory.put_wrap_up_code,
       Directory.delete_wrap_up_code)


# --- users ---------------------------------------------------------------------------------------
class UserBody(Body):
    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$",
                          description="1–64 letters, digits, '_', '.', '@' or '-'")
    display_name: str = Field(min_length=1, max_length=200)
    role: str = Field(description=", ".join(ROLES))
    agent_id: str | None = Field(default=None, min_length=1, max_length=128,
                                 description="the agent this user works as (agents need one)")
    password: str = Field(min_length=MIN_PASSWORD, max_length=256)


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "agent_id": user.agent_id, "disabled": user.disabled}


@router.get("/users", summary="Users (never their password hashes)")
async def list_users(who: Session = require(*READERS),
                     svc: Services = Depends(services)) -> dict[str, Any]:
    return {"users": [_user_json(u) for u in svc.accounts.list_users()]}


@router.post("/users", status_code=201, summary="Create a user")
async def create_user(body: UserBody, who: Session = require(*ADMINS),
                      svc: Services = Depends(services)) -> dict[str, Any]:
    if body.role not in ROLES:
        raise Invalid("role", f"must be one of {', '.join(ROLES)}, got {body.role!r}")
    if not body.display_name.strip():
        raise Invalid("display_name", "is empty")
    if body.role == "agent" and body.agent_id is None:
        raise Invalid("agent_id", "an agent user needs the agent it works as")
    if body.agent_id is not None:
        agent = directory(svc).get_agent(body.agent_id)
        if agent is None or not agent.active:
            raise Invalid("agent_id", f"no active agent '{body.agent_id}'")
    if svc.accounts.user_by_name(body.username) is not None:
        raise Conflict(f"user '{body.username}' already exists", {"field": "username"})
    # argon2 takes a while on purpose: off the event loop, so the floor does not stall.
    password_hash = await run_in_threadpool(svc.hasher.hash, body.password)
    try:
        with stored():
            user = svc.accounts.add_user(username=body.username, display_name=body.display_name,
                                         role=body.role, agent_id=body.agent_id,
                                         password_hash=password_hash)
    except Conflict as exc:  # a concurrent request took the name first
        raise Conflict(exc.message, {"field": "username"}) from None
    audit(svc, who, "create_user", body.username,
          {"role": body.role, "agent_id": body.agent_id})
    return {"user": _user_json(user)}
