"""Speed (a): callers per second of the twin on M/M/c+M against SimPy, same model, same run.

Model: λ = 2/s, mean service 150 s, mean patience 120 s, c = 300 (design §9). The twin runs
the production engine (``hotline.core.engine.Engine``) with the KPI accumulator; SimPy runs the
idiomatic Resource model of ``simpy_mmc.py``. Both are timed in this one process, alternately,
and both report P(abandon), P(wait > 0) and mean wait against the exact Erlang-A values.

    .venv/bin/python benchmarks/twin_vs_simpy.py [--callers 600000] [--rounds 1]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
from hotline.sim.mmc import ErlangA, mmc_scenario, run_mmc
from simpy_mmc import run_simpy_mmc

RATE, SERVICE, PATIENCE, AGENTS = 2.0, 150.0, 120.0, 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=600_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    console = Console()
    import hotline.core.engine as engine

    build = "compiled (mypyc)" if engine.__file__.endswith(".so") else "pure Python"
    console.print(f"engine build: [bold]{build}[/] ({engine.__file__})")
    exact = ErlangA(rate=RATE, service=SERVICE, patience=PATIENCE, agents=AGENTS)
    warmup = args.callers // 20
    rows = []
    for r in range(args.rounds):
        seed = args.seed + r
        scenario = mmc_scenario(rate=RATE, service=SERVICE, patience=PATIENCE, agents=AGENTS,
                                callers=args.callers, warmup_callers=warmup, seed=seed)
        t0, c0 = time.perf_counter(), time.process_time()
        twin = run_mmc(scenario)
        tw_wall, tw_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        peer = run_simpy_mmc(rate=RATE, service=SERVICE, patience=PATIENCE, agents=AGENTS,
                             callers=args.callers, warmup=warmup, seed=seed)
        sp_wall, sp_cpu = time.perf_counter() - t0, time.process_time() - c0
        rows.append((seed, twin, tw_wall, tw_cpu, peer, sp_wall, sp_cpu))

    table = Table(title=f"M/M/c+M, λ={RATE}/s, service {SERVICE:.0f} s, patience "
                        f"{PATIENCE:.0f} s, c={AGENTS}, {args.callers:,} callers")
    for col in ("seed", "twin callers/s", "SimPy callers/s", "ratio (wall)", "ratio (CPU)"):
        table.add_column(col, justify="right")
    for seed, twin, tw_wall, tw_cpu, peer, sp_wall, sp_cpu in rows:
        table.add_row(str(seed), f"{twin.callers / tw_wall:,.0f}", f"{peer.callers / sp_wall:,.0f}",
                      f"{sp_wall / tw_wall:.2f}×", f"{sp_cpu / tw_cpu:.2f}×")
    console.print(table)

    seed, twin, *_rest = rows[-1]
    peer = rows[-1][4]
    acc = Table(title="Accuracy against exact Erlang A (after a warm-up of "
                      f"{warmup:,} callers; twin ± 95 % CI from batch means)")
    for col in ("measure", "exact", "twin", "twin 95 % CI", "in CI", "SimPy"):
        acc.add_column(col, justify="right")
    peer_values = {
        "P(abandon)": peer.abandoned / peer.counted,
        "P(wait > 0)": peer.waited / peer.counted,
        "mean wait (s)": peer.wait_s / peer.counted,
    }
    for name, value in (("P(abandon)", exact.p_abandon), ("P(wait > 0)", exact.p_wait),
                        ("mean wait (s)", exact.mean_wait)):
        est, half = twin.estimate(name)
        inside = abs(est - value) <= half
        acc.add_row(name, f"{value:.5f}", f"{est:.5f}", f"± {half:.5f}",
                    "yes" if inside else "NO", f"{peer_values[name]:.5f}")
    console.print(acc)
    if not math.isfinite(twin.callers):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
