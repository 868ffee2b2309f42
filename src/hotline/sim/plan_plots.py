"""Plots of the planning loop: requirement vs scheduled coverage, service level per round."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from hotline.sim.plan_loop import PlanResult


def _hours(n: int, minutes: int) -> list[float]:
    return [i * minutes / 60 for i in range(n + 1)]


def plot_coverage(result: PlanResult, path: Path) -> Path:
    """Requirement and agents on the phones per interval, first and last round."""
    first, last = result.rounds[0], result.rounds[-1]
    n = first.requirement.size
    x = _hours(n, result.interval_minutes)
    fig, ax = plt.subplots(figsize=(12, 4.8))
    for r, style in ((first, ":"), (last, "-")):
        req = [*r.requirement, r.requirement[-1]]
        cov = [*r.coverage, r.coverage[-1]]
        ax.step(x, req, where="post", color="black", ls=style, lw=1.2,
                label=f"required, round {r.round} (Erlang + twin extra)")
        ax.step(x, cov, where="post", color="tab:blue", ls=style, lw=1.2,
                label=f"scheduled on the phones, round {r.round} ({r.agents} agents)")
    req = [*last.requirement, last.requirement[-1]]
    cov = [*last.coverage, last.coverage[-1]]
    ax.fill_between(x, req, cov, where=[c < q for q, c in zip(req, cov, strict=True)],
                    step="post", color="tab:red", alpha=0.3, label="under-staffed (last round)")
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 2))
    ax.set_xlabel("hour of day")
    ax.set_ylabel("agents")
    ax.set_title(f"{result.scenario}: requirement vs scheduled coverage "
                 f"({result.interval_minutes}-min intervals, breaks deducted)", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_service_level(result: PlanResult, path: Path) -> Path:
    """Twin service level per time of day for every round, Erlang's prediction for the last
    round, and the target; below, the queue groups' twin vs Erlang levels per round."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 8),
                                      gridspec_kw={"height_ratios": [3, 2]})
    last = result.rounds[-1]
    cmap = plt.get_cmap("viridis")
    for k, r in enumerate(result.rounds):
        pts = [(row["interval"] * result.interval_minutes / 60 % 24, row["twin_sl"])
               for row in r.intervals if row["twin_sl"] is not None and row["offered"]]
        pts.sort()
        top.plot([p[0] for p in pts], [p[1] for p in pts], lw=1.1,
                 color=cmap(k / max(1, len(result.rounds) - 1)),
                 label=f"twin, round {r.round} (SL {_pct(r.totals.get('service_level'))})")
    pts = sorted((row["interval"] * result.interval_minutes / 60 % 24, row["erlang_sl"])
                 for row in last.intervals if row["erlang_sl"] is not None and row["offered"])
    top.plot([p[0] for p in pts], [p[1] for p in pts], color="tab:orange", ls="--", lw=1.2,
             label=f"Erlang's prediction, round {last.round}")
    top.axhline(result.target_sl, color="tab:red", ls=":", lw=1,
                label=f"target {result.target_sl:.0%} in {result.threshold_s:g} s")
    top.set_ylim(0, 1.02)
    top.set_xlim(0, 24)
    top.set_xticks(range(0, 25, 2))
    top.set_xlabel("hour of day")
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    top.set_ylabel("service level")
    top.legend(loc="lower right", fontsize=8)
    top.set_title(f"{result.scenario}: service level by interval, per round of the loop",
                  fontsize=10)
    queues = list(last.queues)
    width = 0.8 / (len(result.rounds) + 1)
    for k, r in enumerate(result.rounds):
        values = [r.queues[q].twin_sl or 0.0 for q in queues]
        bottom.bar([i + k * width for i in range(len(queues))], values, width=width,
                   color=cmap(k / max(1, len(result.rounds) - 1)), label=f"twin, round {r.round}")
    bottom.bar([i + len(result.rounds) * width for i in range(len(queues))],
               [last.queues[q].erlang_sl for q in queues], width=width, color="tab:orange",
               label=f"Erlang, round {last.round}")
    bottom.axhline(result.target_sl, color="tab:red", ls=":", lw=1)
    bottom.set_xticks([i + 0.4 for i in range(len(queues))])
    bottom.set_xticklabels(queues, fontsize=8)
    bottom.set_ylim(0, 1.05)
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    bottom.set_ylabel("SL by queue group")
    bottom.legend(loc="lower right", fontsize=7, ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _pct(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else "–"
