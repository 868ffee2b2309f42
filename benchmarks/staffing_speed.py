"""Staffing speed: Hotline's vectorised Erlang C solver against pyworkforce's ``ErlangC``.

Usage: .venv/bin/python benchmarks/staffing_speed.py [--repeats 5]

A week of 336 half-hours shaped like a bank hotline (night floor, morning and afternoon peaks,
evening shoulder, quieter weekend), peaking at 2,500 calls per half-hour; AHT 240 s; 80 % of
calls answered within 20 s; occupancy at most 85 %; 30 % shrinkage. Both tools staff every
interval; the script prints both timings (best of ``--repeats``), the ratio, and how many
intervals get different raw or scheduled agent counts.

Both use the same service-level definition, the classical Erlang C ``P(W ≤ T) =
1 − C·e^(−(n−A)·T/AHT)`` (pyworkforce's ``asa`` argument is this threshold T, in minutes).
A second, SL-only run (no occupancy cap, so the service level binds in every interval) checks
the search itself. pyworkforce starts counting at ``round(A + 1)``, so it can miss the least
count ``ceil(A)`` when ``A`` has a fraction ≥ 0.5 and ``ceil(A)`` already meets the target;
at 80/20 that never happens here, and any such interval would be listed.

Scheduled agents can differ for one reason only, listed per interval: pyworkforce computes
``ceil(raw / (1 − shrinkage))`` in binary floating point, so 21 ÷ 0.7 = 30.000000000000004
schedules 31 agents; Hotline allows a 1e-9 tolerance and schedules the exact 30.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

from hotline.wfm.staffing import StaffingPlan, staff
from hotline.wfm.staffing_targets import StaffingTargets

PER_DAY = 48
DAY_FACTOR = (1.0, 0.94, 0.91, 0.90, 0.96, 0.62, 0.52)  # Monday busiest, weekend quieter
PEAK_CALLS = 2500
AHT_S = 240.0
INTERVAL_MIN = 30
SHRINKAGE = 0.3


def week_profile() -> NDArray[np.int64]:
    """Calls per half-hour for one week (Monday 00:00 first), peak 2,500."""
    shape = []
    for slot in range(PER_DAY):
        h = (slot + 0.5) / 2
        shape.append(
            0.03
            + 1.00 * math.exp(-(((h - 10.25) / 1.9) ** 2))
            + 0.86 * math.exp(-(((h - 15.0) / 2.2) ** 2))
            + 0.35 * math.exp(-(((h - 20.0) / 1.8) ** 2))
        )
    day = np.array(shape) / max(shape)
    week = np.concatenate([day * f for f in DAY_FACTOR])
    return np.maximum(np.rint(week * PEAK_CALLS), 1).astype(np.int64)


def run_hotline(calls: NDArray[np.int64], targets: StaffingTargets) -> StaffingPlan:
    return staff(calls, aht_s=AHT_S, interval_s=INTERVAL_MIN * 60, targets=targets,
                 shrinkage=SHRINKAGE)


def run_pyworkforce(calls: NDArray[np.int64], max_occupancy: float) -> list[dict[str, float]]:
    from pyworkforce.queuing import ErlangC

    return [
        ErlangC(transactions=int(c), aht=AHT_S / 60, asa=20 / 60, interval=INTERVAL_MIN,
                shrinkage=SHRINKAGE).required_positions(service_level=0.8,
                                                        max_occupancy=max_occupancy)
        for c in calls
    ]


def _float_artefact(raw: int, peer_scheduled: int) -> bool:
    """pyworkforce's ceil(raw ÷ (1 − s)) gained an agent from a rounding error alone."""
    exact = raw * 10 / round((1 - SHRINKAGE) * 10)  # 1 − s is a whole number of tenths here
    return exact == int(exact) and peer_scheduled == int(exact) + 1


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    console = Console(width=120)
    calls = week_profile()
    load = calls * AHT_S / (INTERVAL_MIN * 60)
    console.print(
        f"{calls.size} half-hours, {int(calls.sum()):,} calls, peak {int(calls.max()):,} calls "
        f"({load.max():.1f} Erlangs), AHT {AHT_S:g} s, 80/20, shrinkage {SHRINKAGE:.0%}"
    )
    table = Table(title="Staffing a week of half-hours (best of repeats)")
    for col in ("case", "Hotline ms", "pyworkforce ms", "ratio", "raw differ",
                "sched. differ", "of which float", "agent-½h"):
        table.add_column(col, justify="right")
    for label, occupancy in (("80/20, occupancy ≤ 85 %", 0.85), ("80/20 only", 1.0)):
        targets = StaffingTargets(service_level=0.8, threshold_s=20,
                                  max_occupancy=occupancy if occupancy < 1 else None)
        ours_s, plan = best_of(args.repeats * 10, lambda t=targets: run_hotline(calls, t))
        peer_s, peer = best_of(args.repeats, lambda o=occupancy: run_pyworkforce(calls, o))
        assert isinstance(plan, StaffingPlan) and isinstance(peer, list)
        peer_raw = np.array([r["raw_positions"] for r in peer])
        peer_sched = np.array([r["positions"] for r in peer])
        raw_diff = np.flatnonzero(plan.raw_agents != peer_raw)
        sched_diff = np.flatnonzero(plan.scheduled_agents != peer_sched)
        float_artefact = [i for i in sched_diff if _float_artefact(int(peer_raw[i]),
                                                                   int(peer_sched[i]))]
        table.add_row(
            label, f"{ours_s * 1e3:.2f}", f"{peer_s * 1e3:.1f}", f"{peer_s / ours_s:.0f}×",
            str(raw_diff.size), str(sched_diff.size), str(len(float_artefact)),
            f"{int(plan.raw_agents.sum()):,}",
        )
        for i in sched_diff:
            console.print(
                f"  {label}, interval {i}: {peer_raw[i]} ÷ {1 - SHRINKAGE:g} = "
                f"{float(peer_raw[i] / (1 - SHRINKAGE))!r} → pyworkforce schedules "
                f"{peer_sched[i]}, Hotline {plan.scheduled_agents[i]}"
            )
        for i in raw_diff:
            console.print(
                f"  {label}: interval {i} ({calls[i]} calls, A = {load[i]:.3f}): Hotline "
                f"{plan.raw_agents[i]}, pyworkforce {peer_raw[i]} (starts at "
                f"round(A + 1) = {round(load[i] + 1)})"
            )
    console.print(table)


if __name__ == "__main__":
    main()
