"""Settings of the floor: KPI targets and alert levels, not-ready and wrap-up codes.

Admins change, supervisors read; every change is audited. The routing directory (skills,
agents, queues, workflows) is ``api_admin``, users ``api_users``; the plumbing is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field

from hotline.store.sql.directory import Directory
from hotline.store.sql.records import (
    CENTRE,
    METRICS,
    RATIO_METRICS,
    CodeRecord,
    TargetRecord,
    validate_code,
    validate_target,
)
from hotline.web.api_admin import ADMINS, READERS, Body, _json, directory, stored
from hotline.web.api_supervisor import audit
from hotline.web.deps import require, services
from hotline.web.ports import Session
from hotline.web.services import DEFAULT_DISPOSITIONS, DEFAULT_REASONS, Services, Settings

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


# --- KPI targets ---------------------------------------------------------------------------------
class TargetBody(Body):
    target: float
    warn: float | None = Field(default=None, description="the wallboard's alert level")


def centre_settings(records: Sequence[TargetRecord], targets: dict[str, float],
                    alerts: dict[str, float], defaults: Settings | None = None
                    ) -> tuple[dict[str, float], dict[str, float]]:
    """The wallboard's targets and alert levels after the directory's centre targets.

    The centre's service-level, answer-rate and CSAT targets set those three in ``targets``;
    ``service_level_below`` follows the service-level target's ``warn``;
    ``longest_wait_above_s`` and ``waiting_above`` follow the ``longest_wait_s`` and
    ``waiting`` targets (their ``warn``, else the target itself). What the directory
    does not set is the built-in default (``Settings``), so removing a target goes back to
    it, and start-up agrees with a refresh. Other keys stay as they are.
    """
    defaults = defaults or Settings()
    centre = {r.metric: r for r in records if r.scope == CENTRE}
    new_targets, new_alerts = dict(targets), dict(alerts)
    for metric in ("service_level", "answer_rate", "csat"):
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
