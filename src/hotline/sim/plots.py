"""Plots of a twin run: service level and answer rate by interval, against target."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from hotline.sim.twin_result import TwinResult


def plot_service_level(result: TwinResult, path: Path) -> Path:
    """Write a PNG of service level and answer rate per interval (and offered calls)."""
    zone = result.origin.tzinfo
    rows = [r for r in result.report.intervals if r["offered"]]
    times = [datetime.fromisoformat(r["start"]).astimezone(zone) for r in rows]
    sl = [r["service_level"] if r["service_level"] is not None else float("nan") for r in rows]
    ar = [r["answer_rate"] if r["answer_rate"] is not None else float("nan") for r in rows]
    offered = [r["offered"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 6.5), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]})
    d = result.report.definitions
    top.plot(times, sl, lw=1.2, label=f"service level ({d.service_level_s:g} s)")
    top.plot(times, ar, lw=1.0, alpha=0.8, label="answer rate")
    target = result.targets.get("service_level")
    if target is not None:
        top.axhline(target, color="tab:red", ls="--", lw=1, label=f"SL target {target:.0%}")
    top.set_ylim(0, 1.02)
    top.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    top.set_ylabel("share of calls")
    top.legend(loc="lower left", fontsize=8)
    totals = result.report.totals
    top.set_title(
        f"{result.scenario}: service level by {d.interval_minutes}-min interval — "
        f"total SL {_pct(totals['service_level'])}, answer rate {_pct(totals['answer_rate'])}, "
        f"utilisation {_pct(totals.get('utilisation'))}", fontsize=10)
    width = d.interval_minutes / (24 * 60)
    bottom.bar(times, offered, width=width, align="edge", color="tab:gray")
    bottom.set_ylabel("offered to agents")
    bottom.xaxis.set_major_formatter(
        mdates.DateFormatter("%m-%d %H:%M", tz=zone))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"
