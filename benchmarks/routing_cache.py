"""Speed (c), the memory side: cache misses of one routing decision, simulated by callgrind.

Timings on the shared 2-core machine move with the load; callgrind's simulated caches do not.
For each size and decision this runs ``routing_cost.py``'s own centre and workload in a child
under ``valgrind --tool=callgrind --cache-sim=yes``: the centre is built and warmed up with
instrumentation off (fast), then the cache simulation starts, ``--cache-warm`` steps fill the
caches, and only the chosen ``Engine.handle`` call of each of the next ``--steps`` steps is
collected (a client request toggles collection just around it). Figures are per decision:

- Ir: instructions; D refs: data reads and writes;
- D1 misses: first-level data misses (32 KiB, 8-way, as on these machines);
- LL misses: last-level misses, by default of a 512 KiB, 8-way cache: this machine's per-core
  L2 (``--ll 33554432`` models its 32 MiB L3 instead);
- est. cycles: Ir + 10 x D1 misses + 100 x LL misses (cachegrind's documented rough weights).

The toggle itself (a ctypes call each way) costs a constant few hundred instructions at every
size; the ``(toggle alone)`` row measures it. Needs valgrind, its ``callgrind.h`` and gcc.

    .venv-compiled/bin/python benchmarks/routing_cache.py [--sizes 100 10000] [--steps 2000]
        [--cache-warm 2000] [--ll 524288] [--decisions offer release pick]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import routing_cost as rc  # noqa: E402

HELPER_C = """
#include <valgrind/callgrind.h>
void hl_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void hl_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
"""
# decision -> (workload, index of the timed call within one step)
DECISIONS = {"offer": ("contact", 0), "release": ("contact", 1), "pick": ("agent", 0),
             "toggle": ("contact", -1)}
EVENTS = ("Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw")


def build_helper(folder: Path) -> Path:
    src, lib = folder / "cg.c", folder / "cg.so"
    src.write_text(HELPER_C)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    return lib


def child(agents: int, decision: str, steps: int, warmup: int, cache_warm: int, seed: int,
          helper: str) -> None:
    """Runs under callgrind: build and warm up uninstrumented, then collect one decision."""
    lib = ctypes.CDLL(helper)
    workload, which = DECISIONS[decision]
    bench = rc._bench(workload, agents, seed)
    for _ in range(warmup):
        bench.step()
    lib.hl_start()
    for _ in range(cache_warm):
        bench.step()
    calls = [0]
    toggle = lib.hl_toggle
    plain = rc.timed

    def collected(handle: Callable[..., list[rc.ev.Event]], command: rc.cmd.Command,
                  now: float) -> tuple[list[rc.ev.Event], rc.Timing]:
        k = calls[0] % len(bench.kinds)
        calls[0] += 1
        if k != which:
            return plain(handle, command, now)
        toggle()
        events = handle(command, now)
        toggle()
        return events, (0, 0)

    rc.timed = collected
    for _ in range(steps):
        if which < 0:  # the toggle pair alone, next to the same workload
            toggle()
            toggle()
        bench.step()


def read_totals(path: Path) -> dict[str, int]:
    names: list[str] = []
    for line in path.read_text().splitlines():
        if line.startswith("events:"):
            names = line.split()[1:]
        elif line.startswith(("totals:", "summary:")):
            values = [int(x) for x in line.split()[1:]]  # trailing zeros may be left off
            return dict(zip(names, values + [0] * (len(names) - len(values)), strict=True))
    raise RuntimeError(f"{path}: no totals line")


def measure(agents: int, decision: str, args: argparse.Namespace, helper: Path, out: Path
            ) -> dict[str, float]:
    cache = ["--I1=32768,8,64", "--D1=32768,8,64", f"--LL={args.ll},{args.ll_ways},64"]
    warmup = args.warmup if args.warmup is not None else max(5_000, 2 * agents)
    cmd = ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--instr-atstart=no",
           "--collect-atstart=no", f"--callgrind-out-file={out}", *cache,
           sys.executable, __file__, "--child", "--agents", str(agents), "--decision", decision,
           "--steps", str(args.steps), "--warmup", str(warmup), "--cache-warm",
           str(args.cache_warm), "--seed", str(args.seed), "--helper", str(helper)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    totals = read_totals(out)
    per = {k: totals.get(k, 0) / args.steps for k in EVENTS}
    return {"Ir": per["Ir"], "D refs": per["Dr"] + per["Dw"],
            "D1 misses": per["D1mr"] + per["D1mw"], "LL misses": per["DLmr"] + per["DLmw"],
            "est. cycles": per["Ir"] + 10 * (per["D1mr"] + per["D1mw"])
            + 100 * (per["DLmr"] + per["DLmw"])}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--decisions", nargs="+", default=["offer", "release", "pick", "toggle"],
                        choices=list(DECISIONS))
    parser.add_argument("--steps", type=int, default=2_000)
    parser.add_argument("--cache-warm", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=None)
    parser.add_argument("--ll", type=int, default=524_288, help="last-level cache bytes")
    parser.add_argument("--ll-ways", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--agents", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--decision", help=argparse.SUPPRESS)
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.agents, args.decision, args.steps, args.warmup, args.cache_warm, args.seed,
              args.helper)
        return
    console = Console()
    console.print(f"engine: {Path(rc.hotline.__file__).parent}; LL {args.ll:,} B "
                  f"{args.ll_ways}-way; {args.steps:,} decisions collected after "
                  f"{args.cache_warm:,} cache-warming steps", highlight=False)
    results: dict[tuple[str, int], dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        helper = build_helper(Path(tmp))
        with console.status("callgrind") as status:
            for decision in args.decisions:
                for n in args.sizes:
                    status.update(f"callgrind: {decision}, {n:,} agents")
                    results[decision, n] = measure(n, decision, args, helper,
                                                   Path(tmp) / f"cg.{decision}.{n}")
    first, last = args.sizes[0], args.sizes[-1]
    table = Table(title="Per routing decision, simulated caches (callgrind)")
    table.add_column("decision · measure")
    for n in args.sizes:
        table.add_column(f"{n:,} agents", justify="right")
    table.add_column(f"{last:,} ÷ {first:,}", justify="right")
    for decision in args.decisions:
        for what in ("Ir", "D refs", "D1 misses", "LL misses", "est. cycles"):
            values = [results[decision, n][what] for n in args.sizes]
            ratio = f"{values[-1] / values[0]:.2f}×" if values[0] else "–"
            label = "(toggle alone)" if decision == "toggle" else decision
            table.add_row(f"{label} · {what}", *(f"{v:,.1f}" for v in values), ratio,
                          end_section=what == "est. cycles")
    console.print(table)


if __name__ == "__main__":
    main()
