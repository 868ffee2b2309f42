"""Load benchmark, server side: the real app on loopback plus an in-process simulated switch.

``benchmarks/load.py`` starts this script in its own process; it can also run alone:

    .venv/bin/python benchmarks/load_server.py --port 8765 --db /tmp/load.sqlite [--agents 1000]

It builds a fresh SQLite database with a directory of ``--agents`` agents (two sites, five
skills, ten queues, ten workflows that overflow to the other site after 20 s, 30 s wrap-up
limit) and one user per agent (``agent0001`` … with the password ``PASSWORD``, fast argon2),
then serves ``build_app(ServerConfig(...))`` under uvicorn exactly as ``hotline serve`` does.

Beside the app, on the server's own event loop, runs what the simulated telephony does in
production: a switch that offers Poisson arrivals through ``centre.execute(OfferContact(…))``;
callers hang up (``AbandonContact``) when their exponential patience runs out before an agent
connects. A few unauthenticated routes under ``/bench`` (loopback only) drive it and report
server-side timings: ``POST /bench/switch/start`` ``{rate, seed, patience_mean_s}``,
``POST /bench/switch/stop``, ``POST /bench/mark`` (start of the measured window: timings reset),
``GET /bench/stats``.

Timings: an ASGI middleware times each agent command from reaching the app to its response
starting; a sleeper measures the event loop's lag; wrappers on the instances time
``centre.execute`` (whole command), ``engine.handle`` (routing), ``log.append`` (SQLite) and
the two listeners the composition root subscribes (today's KPIs, the contact history); the
rest of ``execute`` is the fan-out to the WebSocket streams' listeners. No file under ``src/``
is changed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import threading
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field

from hotline.bootstrap import UVICORN_OPTIONS, ServerConfig, build_app
from hotline.core import events as ev
from hotline.core.commands import AbandonContact, Command, OfferContact
from hotline.core.errors import CoreError
from hotline.core.live import RESERVED, WAITING
from hotline.live.centre import Batch, LiveCentre
from hotline.store.sql.accounts import Accounts
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import Directory
from hotline.store.sql.records import (
    AgentRecord,
    CodeRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    WorkflowRecord,
)
from hotline.web.security import PasswordHasherPort
from hotline.web.services import DEFAULT_DISPOSITIONS, DEFAULT_REASONS, Services

PASSWORD = "load-bench-password"
SITES = ("beijing", "shanghai")
# Share of the calls per skill; agents' first skills follow the same shares.
SKILL_SHARE = {"retail": 0.50, "credit": 0.20, "loans": 0.15, "complaints": 0.10, "vip": 0.05}
SECOND_SKILL_P = 0.3  # each other skill, so pools overlap as on a real floor
OVERFLOW_S = 20.0  # home site first, then both sites
WRAP_UP_LIMIT_S = 30.0


def username(i: int) -> str:
    return f"agent{i:04d}"


def queue_name(site: str, skill: str) -> str:
    return f"{site[:2]}-{skill}"


def workflow_name(site: str, skill: str) -> str:
    return f"{skill}-{site}"


# --- the directory ---------------------------------------------------------------------------
def build_database(url: str, agents: int, seed: int) -> None:
    """A fresh directory of ``agents`` agents and one user each (one known password)."""
    rng = random.Random(seed)
    engine = open_database(url)
    try:
        migrate(engine)
        directory = Directory(engine)
        skills = list(SKILL_SHARE)
        queues = [QueueRecord(name=queue_name(site, skill), site=site,
                              expression=f'skills.{skill} >= 1 and site == "{site}"')
                  for site in SITES for skill in skills]
        workflows = [WorkflowRecord(
            name=workflow_name(site, skill), wrap_up_s=WRAP_UP_LIMIT_S,
            steps=(StepRecord(queue=queue_name(site, skill), timeout_s=OVERFLOW_S),
                   StepRecord(queue=queue_name(other, skill))))
            for site in SITES for skill in skills for other in SITES if other != site]
        records = []
        for i in range(1, agents + 1):
            first = rng.choices(skills, weights=list(SKILL_SHARE.values()))[0]
            own = {first: rng.randint(3, 10)}
            for skill in skills:
                if skill != first and rng.random() < SECOND_SKILL_P:
                    own[skill] = rng.randint(1, 10)
            languages = ("en", "zh") if rng.random() < 0.2 else ("zh",)
            records.append(AgentRecord(id=username(i), name=f"Agent {i}", site=SITES[i % 2],
                                       skills=own, languages=languages))
        directory.put_all(
            skills=[SkillRecord(name=s) for s in skills], queues=queues, workflows=workflows,
            agents=records,
            reason_codes=[CodeRecord(code=c, label=label) for c, label in DEFAULT_REASONS],
            wrap_up_codes=[CodeRecord(code=c, label=label) for c, label in DEFAULT_DISPOSITIONS])
        # One hash serves every user: argon2 keeps its salt inside the hash.
        password_hash = PasswordHasherPort(fast=True).hash(PASSWORD)
        accounts = Accounts(engine)
        for r in records:
            accounts.create_user(r.id, password_hash=password_hash, role="agent",
                                 display_name=r.name, agent_id=r.id)
    finally:
        engine.dispose()


# --- timings ---------------------------------------------------------------------------------
class Meter:
    """Durations (s) by kind, and counts; ``reset`` starts the measured window."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.since = time.perf_counter()

    def reset(self) -> None:
        self.samples = defaultdict(list)
        self.counts = defaultdict(int)
        self.since = time.perf_counter()

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kind, values in sorted(self.samples.items()):
            xs = sorted(values)
            out[kind] = {"n": len(xs), "total_s": sum(xs), "p50_ms": _q(xs, 0.5) * 1e3,
                         "p99_ms": _q(xs, 0.99) * 1e3, "max_ms": xs[-1] * 1e3 if xs else 0.0}
        return out


def _q(xs: Sequence[float], q: float) -> float:
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def instrument(centre: LiveCentre, meter: Meter, loop_thread: int) -> None:
    """Time execute / handle / append / the root's listeners, on the instances only."""
    execute, handle, append = centre.execute, centre.engine.handle, centre.log.append

    def timed_execute(command: Command) -> list[tuple[int, ev.Event]]:
        if threading.get_ident() != loop_thread:
            meter.counts["execute_off_loop_thread"] += 1
        t0 = time.perf_counter()
        try:
            return execute(command)
        finally:
            meter.samples["execute"].append(time.perf_counter() - t0)
            meter.counts["execute:" + type(command).__name__] += 1

    def timed_handle(command: Command, now: float) -> list[ev.Event]:
        t0 = time.perf_counter()
        try:
            return handle(command, now)
        finally:
            meter.samples["engine.handle"].append(time.perf_counter() - t0)

    def timed_append(events: Sequence[ev.Event]) -> int:
        t0 = time.perf_counter()
        try:
            return append(events)
        finally:
            meter.samples["log.append"].append(time.perf_counter() - t0)
            meter.counts["events_appended"] += len(events)

    centre.execute = timed_execute  # type: ignore[method-assign]
    centre.engine.handle = timed_handle  # type: ignore[method-assign]
    centre.log.append = timed_append  # type: ignore[method-assign]
    # The root subscribed today's KPIs first, then the history; streams subscribe later and
    # are the remainder of execute's time.
    listeners = centre._listeners  # benchmark-only instrumentation
    for i, name in enumerate(("listener.today", "listener.history")[:len(listeners)]):
        listeners[i] = _timed(listeners[i], meter, name)


def _timed(listener: Callable[[Batch], None], meter: Meter, name: str
           ) -> Callable[[Batch], None]:
    def timed(batch: Batch) -> None:
        t0 = time.perf_counter()
        try:
            listener(batch)
        finally:
            meter.samples[name].append(time.perf_counter() - t0)
    return timed


class TimeAgentRequests:
    """ASGI middleware: time from a request reaching the app to its response starting, for the
    agent commands; what the client sees beyond that waited in sockets or event loops."""

    def __init__(self, app: Any, meter: Meter) -> None:
        self.app = app
        self.meter = meter

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/v1/agent/"):
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.meter.samples["http.agent"].append(time.perf_counter() - t0)
            await send(message)

        await self.app(scope, receive, timed)


def time_collections(meter: Meter) -> Callable[[str, dict[str, int]], None]:
    """A ``gc.callbacks`` hook: each collection's pause, by generation (it stops the loop)."""
    started = [0.0]

    def hook(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            meter.samples[f"gc_gen{info['generation']}"].append(time.perf_counter() - started[0])

    return hook


def _heap_census() -> dict[str, Any]:
    """What a full collection would walk (generation 2, not frozen), by type."""
    objs = gc.get_objects(generation=2)
    top = Counter(type(o).__qualname__ for o in objs).most_common(25)
    return {"gen2": len(objs), "frozen": gc.get_freeze_count(), "top": top}


async def loop_lag(meter: Meter, period: float = 0.05) -> None:
    """How late the event loop wakes a sleeper: what every request on it also waits."""
    while True:  # perf_counter: uvloop's own clock ticks in whole milliseconds
        t = time.perf_counter()
        await asyncio.sleep(period)
        meter.samples["loop_lag"].append(max(0.0, time.perf_counter() - t - period))


# --- the simulated switch --------------------------------------------------------------------
class Switch:
    """Poisson arrivals offered to the centre on the event loop; callers hang up after patience."""

    def __init__(self, centre: LiveCentre, *, rate: float, seed: int,
                 patience_mean_s: float) -> None:
        self.centre = centre
        self.rate = rate
        self.patience_mean_s = patience_mean_s
        self.rng = random.Random(seed)
        self.loop = asyncio.get_running_loop()
        self.workflows = [(workflow_name(site, skill), skill, site)
                          for skill in SKILL_SHARE for site in SITES]
        self.weights = [SKILL_SHARE[skill] / len(SITES) for _, skill, _ in self.workflows]
        self.counts: dict[str, int] = defaultdict(int)
        self.patience: dict[str, asyncio.TimerHandle] = {}
        self.task: asyncio.Task[None] | None = None
        self.next_at = 0.0
        self.n = 0
        self.unsubscribe = centre.subscribe(self._heard)

    def start(self) -> None:
        self.next_at = self.loop.time()
        self.task = self.loop.create_task(self._run())

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None

    def behind_s(self) -> float:
        """How far the offers lag the drawn arrivals (a server that cannot keep up)."""
        return max(0.0, self.loop.time() - self.next_at) if self.task is not None else 0.0

    def close(self) -> None:
        self.stop()
        for handle in self.patience.values():
            handle.cancel()
        self.patience.clear()
        self.unsubscribe()

    async def _run(self) -> None:
        # Arrival times are drawn on the clock, not from when the last one ran: callers do not
        # wait for a busy server, so a late loop owes the calls it missed. It offers them one
        # per turn of the loop, as a real switch's messages would arrive beside the agents'
        # requests (chained timers already due would all run in one pass of libuv's timers
        # and starve every socket until the switch caught up).
        while True:
            self.next_at += self.rng.expovariate(self.rate)
            await asyncio.sleep(max(0.0, self.next_at - self.loop.time()))
            self._arrive(self.next_at)

    def _arrive(self, at: float) -> None:
        self.n += 1
        cid = f"call-{self.n:07d}"
        name, skill, _ = self.rng.choices(self.workflows, weights=self.weights)[0]
        attributes: dict[str, str | int | float | bool] = {
            "segment": "vip" if skill == "vip" else "retail", "language": "zh",
            "province": self.rng.choice(("北京", "河北", "上海", "江苏", "广东")),
            "intent": skill, "authenticated": self.rng.random() < 0.8,
            # Every caller gives a customer number in the IVR, so each call has its history row.
            "customer_id": f"C{self.rng.randrange(1, 200_001):06d}"}
        try:
            self.centre.execute(OfferContact(contact_id=cid, channel="voice", workflow=name,
                                             priority=1 if skill == "vip" else 0,
                                             attributes=attributes))
        except CoreError as exc:
            self.counts["offer_refused"] += 1
            self.counts["offer_refused:" + type(exc).__name__] += 1
            return
        self.counts["offered"] += 1
        contact = self.centre.engine.contacts.get(cid)
        if contact is not None and contact.state in (WAITING, RESERVED):
            patience = self.rng.expovariate(1.0 / self.patience_mean_s)
            self.patience[cid] = self.loop.call_at(at + patience, lambda: self._hang_up(cid))

    def _hang_up(self, cid: str) -> None:
        self.patience.pop(cid, None)
        contact = self.centre.engine.contacts.get(cid)
        if contact is None or contact.state not in (WAITING, RESERVED):
            return
        try:
            self.centre.execute(AbandonContact(contact_id=cid))
        except CoreError:
            self.counts["abandon_refused"] += 1

    def _heard(self, batch: Batch) -> None:
        for _, e in batch:
            kind = type(e)
            if isinstance(e, ev.ContactConnected | ev.ContactAbandoned):
                self.counts["connected" if kind is ev.ContactConnected else "abandoned"] += 1
                handle = self.patience.pop(e.contact_id, None)
                if handle is not None:
                    handle.cancel()
            elif kind is ev.ContactCompleted:
                self.counts["completed"] += 1
            elif kind is ev.ReservationTimedOut:
                self.counts["reservations_timed_out"] += 1
            elif kind is ev.ReservationRevoked:
                self.counts["reservations_revoked"] += 1

    def waiting(self) -> int:
        return sum(1 for c in self.centre.engine.contacts.values() if c.state == WAITING)


# --- the app with its /bench routes ----------------------------------------------------------
class StartBody(BaseModel):
    rate: float = Field(gt=0)
    seed: int = 1
    patience_mean_s: float = Field(default=120.0, gt=0)


def make_app(url: str) -> FastAPI:
    app = build_app(ServerConfig(database_url=url, fast_hashes=True))
    meter = Meter()
    app.add_middleware(TimeAgentRequests, meter=meter)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with inner(a) as state:
            services: Services = a.state.services
            instrument(services.centre, meter, threading.get_ident())
            a.state.meter = meter
            a.state.switch = None
            lag = asyncio.create_task(loop_lag(meter))
            collections = time_collections(meter)
            gc.callbacks.append(collections)
            try:
                yield state
            finally:
                gc.callbacks.remove(collections)
                lag.cancel()
                if a.state.switch is not None:
                    a.state.switch.close()

    app.router.lifespan_context = lifespan

    @app.post("/bench/switch/start", include_in_schema=False)
    async def start(body: StartBody) -> dict[str, Any]:
        if app.state.switch is not None:
            app.state.switch.close()
        switch = Switch(app.state.services.centre, rate=body.rate, seed=body.seed,
                        patience_mean_s=body.patience_mean_s)
        switch.start()
        app.state.switch = switch
        return {"seq": app.state.services.centre.seq}

    @app.post("/bench/switch/stop", include_in_schema=False)
    async def stop() -> dict[str, Any]:
        behind = 0.0
        if app.state.switch is not None:
            behind = app.state.switch.behind_s()
            app.state.switch.stop()
        return {"seq": app.state.services.centre.seq, "behind_s": behind}

    @app.post("/bench/mark", include_in_schema=False)
    async def mark() -> dict[str, Any]:
        app.state.meter.reset()
        return {"seq": app.state.services.centre.seq}

    @app.get("/bench/stats", include_in_schema=False)
    async def stats(timings: bool = True, census: bool = False) -> dict[str, Any]:
        meter: Meter = app.state.meter
        switch: Switch | None = app.state.switch
        centre: LiveCentre = app.state.services.centre
        return {"seq": centre.seq, "window_s": time.perf_counter() - meter.since,
                "timings": meter.summary() if timings else {}, "counts": dict(meter.counts),
                "switch": dict(switch.counts) if switch else {},
                "waiting": switch.waiting() if switch else 0,
                "switch_behind_s": switch.behind_s() if switch else 0.0,
                "engine_contacts": len(centre.engine.contacts),
                "listeners": len(centre._listeners),
                "threads": threading.active_count(),
                # Walking the heap stops the loop: asked for only once the window is over.
                "heap_census": _heap_census() if census else {},
                "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}

    return app


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", type=Path, required=True, help="SQLite file to create (fresh)")
    p.add_argument("--agents", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--loop", choices=("auto", "asyncio", "uvloop"),
                   default=UVICORN_OPTIONS["loop"],
                   help="uvicorn's event loop (default: as `hotline serve` runs it)")
    args = p.parse_args(argv)
    if args.agents < 1 or not 0 < args.port < 65536:
        p.error("--agents must be ≥ 1 and --port 1–65535")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{args.db}"
    t0 = time.perf_counter()
    build_database(url, args.agents, args.seed)
    print(f"database built in {time.perf_counter() - t0:.1f} s: {args.db}", flush=True)
    # As `hotline serve` runs it (bootstrap.UVICORN_OPTIONS), but for the loop if asked.
    uvicorn.run(make_app(url), host="127.0.0.1", port=args.port, log_level="warning",
                **{**UVICORN_OPTIONS, "loop": args.loop})


if __name__ == "__main__":
    main()
