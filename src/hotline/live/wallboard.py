"""The supervisor's wallboard as plain data: queues and sites now, today and this interval
against target, agents by state, the agent table, alerts, today's intervals for charts, and
today's CSAT (overall, by queue, by agent) against the ``csat`` target."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hotline.core.live import RESERVED, WAITING
from hotline.core.state import CentreState
from hotline.live.surveys import Surveys
from hotline.live.today import Today
from hotline.metrics.counts import ContactCounts
from hotline.metrics.csat import CsatCounter, CsatCounts
from hotline.metrics.realtime import agent_state, settled, snapshot

#: The CSAT target when the centre sets none (the reference centre reports > 85 %).
DEFAULT_CSAT_TARGET = 0.85


def _status(value: float | None, target: float | None, *, higher_is_better: bool = True) -> str:
    """green when on target, amber within 10 % of it, red beyond (grey with no data)."""
    if value is None or target is None:
        return "none"
    gap = (value - target) if higher_is_better else (target - value)
    if gap >= 0:
        return "green"
    return "amber" if abs(gap) <= 0.1 * max(abs(target), 1e-9) else "red"


def wallboard(state: CentreState, today: Today, now: float, *, targets: dict[str, float],
              alerts: dict[str, float], surveys: Surveys | None = None) -> dict[str, Any]:
    snap = snapshot(state, today.kpis, now)
    report = today.kpis.report()
    this_interval = _this_interval(state, today, now)
    sl_t, ar_t = targets.get("service_level"), targets.get("answer_rate")
    queues: list[dict[str, Any]] = []
    for name, q in sorted(snap.queues.items()):
        row = this_interval.get(name, (None, None))
        queues.append({
            "queue": name, "site": q.site, "waiting": q.waiting,
            "longest_wait_s": round(q.longest_wait_s, 1), "agents": q.agents,
            "offered_today": q.offered_today, "answered_today": q.answered_today,
            "abandoned_today": q.abandoned_today,
            "service_level_today": q.service_level_today,
            "service_level_today_status": _status(q.service_level_today, sl_t),
            "answer_rate_today": q.answer_rate_today,
            "answer_rate_today_status": _status(q.answer_rate_today, ar_t),
            "service_level_interval": row[0],
            "service_level_interval_status": _status(row[0], sl_t),
            "answer_rate_interval": row[1],
            "answer_rate_interval_status": _status(row[1], ar_t),
        })
    sites: dict[str, dict[str, Any]] = {}
    for qrow in queues:
        site = sites.setdefault(qrow["site"] or "-", {"site": qrow["site"] or "-",
                                                      "waiting": 0, "longest_wait_s": 0.0})
        site["waiting"] += qrow["waiting"]
        site["longest_wait_s"] = max(site["longest_wait_s"], qrow["longest_wait_s"])
    for site_name, kpis in report.by_site.items():
        if site_name in sites:
            sites[site_name].update(service_level_today=kpis.get("service_level"),
                                    answer_rate_today=kpis.get("answer_rate"))
    csat_t = targets.get("csat", DEFAULT_CSAT_TARGET)
    csat = surveys.today(now) if surveys is not None else None
    agents = []
    for agent in sorted(state.agents.values(), key=lambda a: a.id):
        handled = today.handled.get(agent.id, 0)
        rated = csat.by_agent.get(agent.id) if csat is not None else None
        agents.append({
            "agent_id": agent.id, "site": agent.profile.site, "state": agent_state(agent),
            "reason": agent.reason,
            # An agent who never logged in has no state change to count from.
            "in_state_s": round(max(0.0, now - agent.state_since), 1)
            if agent.state_since > 0 else None,
            "handled_today": handled,
            "aht_s": round(today.handle_s.get(agent.id, 0.0) / handled, 1) if handled else None,
            **_csat(rated, csat_t),
        })
    return {
        "at": now, "interval_minutes": today.definitions.interval_minutes,
        "floor": {"waiting": snap.waiting, "longest_wait_s": snap.longest_wait_s,
                  "agents": snap.agents, "service_level_today": snap.service_level_today,
                  "answer_rate_today": snap.answer_rate_today},
        "targets": targets, "queues": queues, "sites": sorted(sites.values(),
                                                              key=lambda s: s["site"]),
        "agents": agents, "alerts": _alerts(queues, alerts),
        "csat_today": _csat_today(csat, csat_t),
        "intervals": [{"start": r["start"], "offered": r.get("offered"),
                       "answered": r.get("answered"), "service_level": r.get("service_level"),
                       "answer_rate": r.get("answer_rate")} for r in report.intervals],
    }


def _rated(counts: CsatCounts | None, target: float) -> dict[str, Any]:
    value = counts.csat if counts is not None else None
    return {"csat": value, "status": _status(value, target),
            "answers": counts.answers if counts is not None else 0}


def _csat(counts: CsatCounts | None, target: float) -> dict[str, Any]:
    """An agent row's CSAT today: its value, status and number of answers."""
    rated = _rated(counts, target)
    return {"csat_today": rated["csat"], "csat_today_status": rated["status"],
            "surveys_today": rated["answers"]}


def _csat_today(csat: CsatCounter | None, target: float) -> dict[str, Any]:
    """Overall and per queue; no answers: ``csat`` is ``None`` and the status ``none``."""
    overall = csat.total if csat is not None else None
    by_queue = sorted(csat.by_queue.items()) if csat is not None else []
    return {**_rated(overall, target), "target": target,
            "mean_score": overall.mean_score if overall is not None else None,
            "queues": [{"queue": q, **_rated(c, target)} for q, c in by_queue]}


def _this_interval(state: CentreState, today: Today, now: float
                   ) -> dict[str, tuple[float | None, float | None]]:
    """Service level and answer rate per queue of the contacts queued in the current interval,
    judged as ``metrics.realtime.settled`` does."""
    acc, d = today.kpis, today.definitions
    current = int((now - acc.origin) // acc.interval_s)
    start = acc.origin + current * acc.interval_s
    counts: dict[str, ContactCounts] = {}
    for (index, queue, _channel), c in acc.contacts.items():
        if index == current:
            counts.setdefault(queue, ContactCounts()).add(c)
    pending: Counter[str] = Counter()
    within: Counter[str] = Counter()
    for contact in state.contacts.values():
        if contact.state in (WAITING, RESERVED) and contact.queued_at >= start \
                and not contact.transferred:
            pending[contact.first_queue] += 1
            if now - contact.queued_at <= d.service_level_s:
                within[contact.first_queue] += 1
    return {q: settled(c, pending[q], within[q], d) for q, c in counts.items()}


def _alerts(queues: list[dict[str, Any]], limits: dict[str, float]) -> list[dict[str, Any]]:
    out = []
    for q in queues:
        sl = q["service_level_interval"] if q["service_level_interval"] is not None \
            else q["service_level_today"]
        if "service_level_below" in limits and sl is not None \
                and sl < limits["service_level_below"]:
            out.append({"queue": q["queue"], "metric": "service_level", "value": sl,
                        "threshold": limits["service_level_below"],
                        "message": f"{q['queue']}: service level {sl:.0%} below "
                                   f"{limits['service_level_below']:.0%}"})
        if "longest_wait_above_s" in limits and q["longest_wait_s"] > \
                limits["longest_wait_above_s"]:
            out.append({"queue": q["queue"], "metric": "longest_wait_s",
                        "value": q["longest_wait_s"],
                        "threshold": limits["longest_wait_above_s"],
                        "message": f"{q['queue']}: a caller has waited "
                                   f"{q['longest_wait_s']:.0f} s"})
        if "waiting_above" in limits and q["waiting"] > limits["waiting_above"]:
            out.append({"queue": q["queue"], "metric": "waiting", "value": q["waiting"],
                        "threshold": limits["waiting_above"],
                        "message": f"{q['queue']}: {q['waiting']} waiting"})
    return out
