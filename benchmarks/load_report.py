"""Load benchmark: what a run collects, how it is printed, and the server profile's summary.

Used by ``benchmarks/load.py``; see there for the run itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.table import Table

GOAL_P99_MS = 50.0
COMMANDS = ("accept", "end", "wrap_up", "presence")  # the agent commands under the goal


def quantile(xs: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted ``xs`` (nearest rank below); 0 for none.

    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5), quantile([], 0.99)
    (3.0, 0.0)
    """
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Sent:
    """One agent command: when it was sent (perf_counter), how long until its response."""

    kind: str
    at: float
    latency_s: float
    queued_s: float  # of which before it went on the wire (a pool connection, TCP connect)
    status: int | None  # None: no response (connection error)
    error_id: str = ""
    subject: str = ""  # the reservation (accept) or contact (end, wrap-up) acted on


@dataclass(kw_only=True)
class Figures:
    """What the client saw; the measured window is [window_start, window_end) in perf time."""

    window_start: float = float("inf")
    window_end: float = float("inf")
    sent: list[Sent] = field(default_factory=list)
    delivery_s: list[float] = field(default_factory=list)  # event's at → frame received
    offer_delivery_s: list[float] = field(default_factory=list)
    disconnects: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    offers: int = 0
    withdrawn_before_accept: int = 0

    def in_window(self, at: float) -> bool:
        return self.window_start <= at < self.window_end


@dataclass(frozen=True, kw_only=True, slots=True)
class Machine:
    """CPU and memory over the measured window (CPU 1.0 = one core busy)."""

    cores: int
    load_start: tuple[float, ...]
    load_end: tuple[float, ...]
    busy: float  # share of the whole machine busy
    server_cpu: float
    client_cpu: float
    server_rss_peak: int  # bytes, sampled every second
    server_max_rss_kib: int  # the server's own ru_maxrss (includes start-up)
    client_rss_peak: int
    client_lag_s: Sequence[float]


class Session(Protocol):
    snapshot_seq: int
    withdrawn: set[str]
    expired: set[str]


def classify(sent: Iterable[Sent], withdrawn: set[str], expired: set[str]
             ) -> Counter[tuple[str, str, str, str]]:
    """Failed commands by (class, command, status, error_id). Races, where the server is right
    to refuse: an accept of an offer the agent's stream withdrew (revoked, timed out, caller
    gone), an end or wrap-up of a contact whose wrap-up limit had passed."""
    out: Counter[tuple[str, str, str, str]] = Counter()
    for s in sent:
        if s.status is not None and s.status < 300:
            continue
        race = (s.kind == "accept" and s.subject in withdrawn) or (
            s.kind in ("end", "wrap_up") and s.subject in expired)
        out[("race" if race else "error", s.kind, str(s.status), s.error_id)] += 1
    return out


def latency_rows(sent: Iterable[Sent]) -> dict[str, dict[str, float]]:
    """p50/p90/p99/max in ms by command and for all of them."""
    by_kind: dict[str, list[float]] = {k: [] for k in (*COMMANDS, "all")}
    for s in sent:
        if s.kind in COMMANDS:
            by_kind[s.kind].append(s.latency_s * 1e3)
            by_kind["all"].append(s.latency_s * 1e3)
    rows = {}
    for kind, values in by_kind.items():
        xs = sorted(values)
        if xs:
            rows[kind] = {"n": len(xs), "p50": quantile(xs, 0.5), "p90": quantile(xs, 0.9),
                          "p99": quantile(xs, 0.99), "max": xs[-1]}
    return rows


def report(console: Console, *, args: Any, figures: Figures, sessions: Sequence[Session],
           events: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
           machine: Machine, server_errors: int, server_log: Path,
           profile: dict[str, Any] | None) -> dict[str, Any]:
    """Print every figure; return them as one JSON-able dict."""
    a, f, m = args, figures, machine
    window = f.window_end - f.window_start
    sw0, sw1 = before["switch"], after["switch"]

    def delta(key: str) -> int:
        return int(sw1.get(key, 0)) - int(sw0.get(key, 0))

    console.print(f"\n[bold]Load[/]: {a.agents:,} agent sessions, {a.rate:g} new calls/s "
                  f"(Poisson), patience exp. mean {a.patience:g} s, handle mean "
                  f"{a.handle_mean:g} s; warm-up {a.warmup:g} s, measured {window:.0f} s "
                  f"on loopback.")
    console.print(f"[yellow]One machine of {m.cores} cores runs the server, this client and "
                  f"(on the shared development machines) other people's jobs: load average "
                  f"{m.load_start[0]:.2f} → {m.load_end[0]:.2f} (1 min), whole machine "
                  f"{m.busy:.0%} busy during the window.[/]")

    t = _table("Traffic (measured window)", "", "value")
    connected = sum(g.snapshot_seq >= 0 for g in sessions)
    for label, value in (
            ("agent sessions connected", f"{connected:,} of {a.agents:,}"),
            ("stream disconnects / reconnects", f"{sum(f.disconnects.values())} / "
             f"{f.reconnects}" + (f"  {dict(f.disconnects)}" if f.disconnects else "")),
            ("calls offered", f"{delta('offered'):,} ({delta('offered') / window:.1f}/s of "
                              f"{a.rate:g}/s drawn)"),
            ("calls answered (connected)", f"{delta('connected'):,}"),
            ("calls abandoned", f"{delta('abandoned'):,}"),
            ("calls completed (wrapped up)", f"{delta('completed'):,}"),
            ("offers timed out / revoked", f"{delta('reservations_timed_out')} / "
                                           f"{delta('reservations_revoked')}"),
            ("waiting at the end", f"{after['waiting']}"),
            ("offers behind the drawn arrivals at the end", f"{after['switch_behind_s']:.1f} s"),
            ("commands sent (window / whole run)",
             f"{sum(f.in_window(s.at) for s in f.sent):,} / {len(f.sent):,}")):
        t.add_row(label, value)
    console.print(t)

    lat = _table(f"Agent command latency, request → response (goal p99 ≤ {GOAL_P99_MS:g} ms)",
                 "command", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "p99 ÷ goal")
    latency = latency_rows(s for s in f.sent if f.in_window(s.at))
    for kind, row in latency.items():
        lat.add_row(kind, f"{row['n']:,}", *(f"{row[k]:.1f}" for k in
                                             ("p50", "p90", "p99", "max")),
                    f"{row['p99'] / GOAL_P99_MS:.2f}", style="bold" if kind == "all" else "")
    logins = sorted(s.latency_s * 1e3 for s in f.sent if s.kind == "login")
    if logins:
        lat.add_row("login (setup, not in the goal)", f"{len(logins):,}",
                    *(f"{quantile(logins, q):.1f}" for q in (0.5, 0.9, 0.99)),
                    f"{logins[-1]:.1f}", "", style="dim")
    console.print(lat)
    queued = sorted(s.queued_s * 1e3 for s in f.sent if f.in_window(s.at) and s.kind in COMMANDS)
    if queued:
        console.print(f"of which in the client before the request went on the wire (waiting "
                      f"for a pooled connection, TCP connect): p50 {quantile(queued, 0.5):.1f} "
                      f"ms, p99 {quantile(queued, 0.99):.1f} ms")

    failures = classify(f.sent, {r for g in sessions for r in g.withdrawn},
                        {c for g in sessions for c in g.expired})
    ft = _table("Failed commands, whole run (race: the offer was withdrawn or the wrap-up "
                "limit passed first)",
                "class", "command", "status", "error_id", "count")
    for (cls, kind, status, error_id), n in sorted(failures.items()):
        ft.add_row(cls, kind, status, error_id, str(n))
    if not failures:
        ft.add_row("—", "none", "", "", "0")
    console.print(ft)
    console.print(f"offers withdrawn before the agent accepted (accept not sent): "
                  f"{f.withdrawn_before_accept}")

    dl, od = sorted(f.delivery_s), sorted(f.offer_delivery_s)
    et = _table("Events on the agents' streams (goal: 0 lost)", "own, in the log", "received",
                "lost", "duplicated", "in hand", "foreign", "out of order", "delivery p50 ms",
                "p99 ms", "offer p99 ms")
    et.add_row(f"{events['expected']:,}", f"{events['received']:,}", str(events["lost"]),
               str(events["duplicated"]), f"{events['in_hand']:,}", str(events["foreign"]),
               str(events["out_of_order"]),
               f"{quantile(dl, 0.5) * 1e3:.1f}", f"{quantile(dl, 0.99) * 1e3:.1f}",
               f"{quantile(od, 0.99) * 1e3:.1f}")
    console.print(et)
    console.print("own: the log's events with the agent's agent_id after its snapshot; in hand: "
                  "also received, about a contact offered to the agent; foreign: anything else")
    if events["worst"]:
        console.print(f"agents missing events: {events['agents_missing_events']}, worst "
                      f"{events['worst']}")

    lag = sorted(m.client_lag_s)
    rt = _table("Resources (measured window; CPU 100 % = one core)", "", "value")
    for label, value in (
            ("machine cores", str(m.cores)),
            ("load average 1/5/15 min, start", " / ".join(f"{x:.2f}" for x in m.load_start)),
            ("load average 1/5/15 min, end", " / ".join(f"{x:.2f}" for x in m.load_end)),
            ("whole machine busy", f"{m.busy:.0%}"),
            ("server CPU", f"{m.server_cpu:.0%}"),
            ("server RSS peak (sampled / ru_maxrss)",
             f"{m.server_rss_peak / 2**20:.0f} MiB / {m.server_max_rss_kib / 1024:.0f} MiB"),
            ("client CPU", f"{m.client_cpu:.0%}"),
            ("client RSS peak", f"{m.client_rss_peak / 2**20:.0f} MiB"),
            ("client loop lag p50 / p99 / max", f"{quantile(lag, 0.5) * 1e3:.1f} / "
             f"{quantile(lag, 0.99) * 1e3:.1f} / {(lag[-1] if lag else 0) * 1e3:.1f} ms")):
        rt.add_row(label, value)
    console.print(rt)

    timings, counts = after["timings"], after["counts"]
    _server_table(console, timings, window)
    console.print(f"commands run off the event loop's thread: "
                  f"{counts.get('execute_off_loop_thread', 0):,} of "
                  f"{timings.get('execute', {}).get('n', 0):,} executes; events appended "
                  f"{counts.get('events_appended', 0):,}; server threads {after['threads']}; "
                  f"contacts held by the engine {after['engine_contacts']:,}")
    if server_errors:
        console.print(f"[red]server log: {server_errors} error/traceback lines[/] ({server_log})")
    if profile is not None:
        print_profile(console, profile)

    p99 = latency.get("all", {}).get("p99", float("nan"))
    console.print(f"\n[bold]p99 of agent commands {p99:.1f} ms ÷ goal {GOAL_P99_MS:g} ms = "
                  f"{p99 / GOAL_P99_MS:.2f}; events lost {events['lost']} (goal 0).[/]")
    return {"args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()},
            "window_s": window, "latency_ms": latency, "events": events,
            "failures": [{"class": c, "command": k, "status": s, "error_id": e, "count": n}
                         for (c, k, s, e), n in failures.items()],
            "switch": {k: delta(k) for k in sw1}, "machine": {
                "cores": m.cores, "load_start": m.load_start, "load_end": m.load_end,
                "busy": m.busy, "server_cpu": m.server_cpu, "client_cpu": m.client_cpu,
                "server_rss_peak_mib": m.server_rss_peak / 2**20,
                "client_rss_peak_mib": m.client_rss_peak / 2**20},
            "server_timings": timings, "server_counts": counts, "server_errors": server_errors,
            "profile": profile, "heap_census": after.get("heap_census")}


def _server_table(console: Console, timings: dict[str, Any], window: float) -> None:
    st = _table("Inside the server (measured window; wall time, so waiting for the CPU counts)",
                "", "n", "total s", "share of window", "p50 ms", "p99 ms", "max ms")
    parts = ("engine.handle", "log.append", "listener.today", "listener.history")
    labels = {"http.agent": "agent command in the app (request in → response start)",
              "execute": "LiveCentre.execute (all commands, timers, offers)",
              "engine.handle": "  engine.handle (routing)",
              "log.append": "  SqlEventLog.append (SQLite commit)",
              "listener.today": "  listener: today's KPIs",
              "listener.history": "  listener: contact history (SQLite)",
              "loop_lag": "event-loop lag (a 50 ms sleeper wakes late by)",
              **{f"gc_gen{g}": f"garbage collection, generation {g} (stops the loop)"
                 for g in range(3)}}
    for kind in ("http.agent", "execute", *parts, "loop_lag", "gc_gen0", "gc_gen1", "gc_gen2"):
        row = timings.get(kind)
        if row is not None:
            st.add_row(labels[kind], f"{row['n']:,}", f"{row['total_s']:.2f}",
                       "" if kind in ("loop_lag", "http.agent") else
                       f"{row['total_s'] / window:.1%}",
                       f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}", f"{row['max_ms']:.1f}")
    if "execute" in timings:
        rest = timings["execute"]["total_s"] - sum(timings.get(k, {}).get("total_s", 0.0)
                                                    for k in parts)
        st.add_row("  listeners: the streams (execute − the above)", "", f"{rest:.2f}",
                   f"{rest / window:.1%}", "", "", "")
    console.print(st)


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title)
    for i, col in enumerate(columns):
        t.add_column(col, justify="left" if i == 0 else "right")
    return t


# --- the server's profile (py-spy's collapsed stacks) ----------------------------------------
# A sample goes to the bucket of its innermost frame that matches one.
BUCKETS = (
    ("SQLite / SQLAlchemy", ("sqlalchemy/", "sqlite3")),
    ("JSON encode/decode", ("json/",)),
    ("WebSocket frames (websockets)", ("websockets/",)),
    ("engine (hotline.core)", ("hotline/core/",)),
    ("event codec (hotline.store)", ("hotline/store/eventlog_codec",)),
    ("stream listeners and sends (web/stream.py)", ("hotline/web/stream.py",)),
    ("KPIs (live/today, metrics)", ("hotline/live/today", "hotline/metrics/")),
    ("other hotline code", ("hotline/",)),
    ("pydantic", ("pydantic",)),
    ("FastAPI / Starlette", ("fastapi/", "starlette/")),
    ("uvicorn / httptools", ("uvicorn/", "httptools")),
    ("logging", ("logging/",)),
    ("asyncio", ("asyncio/",)),
)


def summarise_profile(raw: str) -> dict[str, Any]:
    """Busy samples by bucket, the top functions by self and by inclusive time, from py-spy's
    ``--format raw`` output (one ``frame;frame;… count`` line per distinct stack)."""
    total = 0
    leaf: Counter[str] = Counter()
    bucket: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, n_text = line.rpartition(" ")
        if not stack or not n_text.isdigit():
            continue
        n = int(n_text)
        total += n
        frames = stack.split(";")
        leaf[_function(frames[-1])] += n
        bucket[_bucket(frames)] += n
        for fn in {_function(fr) for fr in frames}:
            inclusive[fn] += n
    if not total:
        return {"samples": 0, "buckets": {}, "top_self": [], "top_inclusive": []}
    # Inclusive time of Hotline's own functions: which of them the server's time goes under
    # (the middleware chain above them holds nearly everything and says little).
    return {"samples": total,
            "buckets": {k: v / total for k, v in bucket.most_common()},
            "top_self": [(fn, n / total) for fn, n in leaf.most_common(25)],
            "top_inclusive": [(fn, n / total) for fn, n in inclusive.most_common()
                              if "hotline/" in fn][:30]}


def _function(frame: str) -> str:
    """``qualname (file.py:12)`` → ``qualname (file.py)``: lines of a function add up."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0].rstrip(')')})" if where else name


def _bucket(frames: Sequence[str]) -> str:
    for fr in reversed(frames):
        for name, marks in BUCKETS:
            if any(m in fr for m in marks):
                return name
    return "other"


def print_profile(console: Console, profile: dict[str, Any]) -> None:
    if "error" in profile:
        console.print(f"[red]profile: {profile['error']}[/]")
        return
    t = _table(f"Server profile: {profile['samples']:,} busy samples (py-spy, 100 Hz) by the "
               "innermost recognised frame", "where", "share")
    for name, share in profile["buckets"].items():
        t.add_row(name, f"{share:.1%}")
    console.print(t)
    for key, title in (("top_inclusive", "Hotline's functions, inclusive (callees counted)"),
                       ("top_self", "Top functions, self")):
        t = _table(title, "function", "share")
        for fn, share in profile[key][:20]:
            t.add_row(fn[:100], f"{share:.1%}")
        console.print(t)


def write_json(path: Path, figures: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1, default=str))
