"""Load (issue 4): 1,000 agent WebSocket sessions and 70 new calls/s against the live server.

    .venv/bin/python benchmarks/load.py [--duration 180] [--warmup 20] [--agents 1000]
        [--rate 70] [--profile out/load/profile.json] [--json out/load/figures.json] [--keep]

Goal: p99 latency of agent commands ≤ 50 ms, no event lost. 70 calls/s is ten times the
reference centre's peak (580,000 agent calls a month; about 7 a second at the busiest hour).

This process starts ``benchmarks/load_server.py`` (the real app under uvicorn on loopback, a
fresh SQLite database, and an in-process simulated switch offering Poisson calls with
exponential patience), then plays every agent at once on one asyncio loop: each takes a bearer
token, opens its live stream (``/api/v1/stream?token=``), logs in ready and, on each
``ReservationCreated`` of its own, accepts after a think time, talks, ends, and wraps up
``resolved``; an agent the engine set ``not_ready(no_answer)`` goes ready again. Every agent
command is timed from the request sent to the response read, over the agent's own HTTP/1.1
keep-alive connections (an ``httpx.AsyncClient`` of at most two per agent, as a browser holds
its own: httpcore's pool does O(connections²) work on every request it adds or removes, so
one pool of 1,000 connections saturates the client and one of 100 queues commands in it).
Failures are counted by status and ``error_id``; a refusal the server was right to give (an
accept of an offer the agent's stream had withdrawn, a wrap-up past its limit) is a race, not an
error.

Events lost: at the end, every agent's stream must have carried every event of the log (read
from the SQLite file) whose ``agent_id`` is that agent, from its snapshot seq up to the seq at
which the switch stopped. Lost, duplicated and out-of-order deliveries are printed, and the
events received beyond those: about a contact the agent was offered ("in hand", which the stream
also sends) or about anything else ("foreign", a leak).

The handle time (think + talk + wrap-up) averages ``--handle-mean`` (12 s), so 70 calls/s keep
about 840 of 1,000 agents busy (84 % occupancy). Server and client share the machine (and, on
the development machines, with other people's jobs): the load average is printed beside the
figures. ``--profile`` samples the server with py-spy (``--nonblocking``, 100 Hz) during the
measured window and prints where its time goes; ``--keep`` keeps the database and server log.

The switch runs on the server's event loop, as the simulated telephony does in production: a
server that cannot keep up takes fewer calls than drawn, and the traffic table says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import websockets
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from websockets.asyncio.client import ClientConnection, connect

from hotline.store.sql.database import open_database
from hotline.store.sql.eventlog import SqlEventLog
from hotline.web.collector import hold_survivors

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from load_report import (  # noqa: E402  (sibling scripts, not a package)
    COMMANDS,
    Figures,
    Machine,
    Sent,
    quantile,
    report,
    summarise_profile,
    write_json,
)
from load_server import PASSWORD, username  # noqa: E402

console = Console()


# --- one agent -------------------------------------------------------------------------------
class Agent:
    """One agent's session: its stream, and the desk work on each of its offers."""

    def __init__(self, run: Run, agent_id: str, index: int) -> None:
        self.run = run
        self.id = agent_id
        self.rng = random.Random(run.args.seed * 100_003 + index)
        self.token = ""
        self.ws: ClientConnection | None = None
        self.snapshot_seq = -1
        self.last_seq = 0
        self.seqs: list[int] = []
        self.out_of_order = 0
        self.withdrawn: set[str] = set()  # reservations revoked or timed out, from the stream
        self.offered: dict[str, str] = {}  # contact id -> its latest reservation id
        self.expired: set[str] = set()  # contacts whose wrap-up limit passed, from the stream
        self.tasks: set[asyncio.Task[None]] = set()
        self.http = httpx.AsyncClient(
            base_url=run.base, timeout=httpx.Timeout(120.0), verify=run.tls,
            # Drop idle connections before uvicorn does (after 5 s): a request on a connection
            # the server is closing fails with ReadError, which is the client's doing.
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=2,
                                keepalive_expiry=3.0))

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get_token(self) -> None:
        r = await self.http.post("/api/v1/auth/tokens",
                                     json={"username": self.id, "password": PASSWORD})
        r.raise_for_status()
        self.token = r.json()["token"]

    async def open_stream(self, after: int | None = None) -> None:
        query = f"token={self.token}" + (f"&after={after}" if after is not None else "")
        self.ws = await connect(f"{self.run.ws_base}/api/v1/stream?{query}", open_timeout=120,
                                ping_interval=None, max_size=None)
        if after is None:
            first = json.loads(await self.ws.recv())
            if first.get("type") != "snapshot":
                raise RuntimeError(f"{self.id}: expected a snapshot first, got {first!r:.200}")
            self.snapshot_seq = self.last_seq = int(first["seq"])

    async def listen(self) -> None:
        """Read the stream until the run ends; reconnect with ``after`` if it is closed."""
        while True:
            ws = self.ws
            assert ws is not None
            try:
                async for raw in ws:
                    self._frame(raw)
            except websockets.ConnectionClosed:
                pass
            code = ws.close_code
            if self.run.closing:
                return
            self.run.figures.disconnects[str(code)] += 1
            await asyncio.sleep(0.2)
            try:
                await self.open_stream(after=self.last_seq)
                self.run.figures.reconnects += 1
            except (OSError, websockets.WebSocketException):
                await asyncio.sleep(1.0)

    def _frame(self, raw: str | bytes) -> None:
        data = json.loads(raw)
        if data.get("type") != "events":
            return
        now = time.time()
        figures = self.run.figures
        for item in data["events"]:
            seq = item["seq"]
            e = item["event"]
            self.seqs.append(seq)
            if seq <= self.last_seq:
                self.out_of_order += 1
            else:
                self.last_seq = seq
            kind = e.get("type")
            figures.delivery_s.append(now - e["at"])
            if e.get("agent_id") != self.id:
                continue
            if kind == "ReservationCreated":
                figures.offers += 1
                figures.offer_delivery_s.append(now - e["at"])
                self.offered[e["contact_id"]] = e["reservation_id"]
                self._spawn(self._work(e["reservation_id"], e["contact_id"]))
            elif kind in ("ReservationRevoked", "ReservationTimedOut"):
                self.withdrawn.add(e["reservation_id"])
            elif kind == "ContactAbandoned" and e["contact_id"] in self.offered:
                # A caller who hangs up while the offer rings withdraws it with no revoke event.
                self.withdrawn.add(self.offered[e["contact_id"]])
            elif kind in ("ContactCompleted", "WrapUpEnded") and e.get(
                    "wrap_up_timed_out", e.get("timed_out")):
                self.expired.add(e["contact_id"])
            elif kind == "PresenceChanged" and not e["ready"] and e["reason"] == "no_answer":
                self._spawn(self._ready_again())

    def _spawn(self, work: Awaitable[None]) -> None:
        if self.run.closing:
            return
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _work(self, reservation_id: str, contact_id: str) -> None:
        a = self.run.args
        await asyncio.sleep(self.rng.uniform(*a.think))
        if reservation_id in self.withdrawn:
            self.run.figures.withdrawn_before_accept += 1
            return
        if not await self.command("accept", f"/api/v1/agent/reservations/{reservation_id}"
                                  "/accept", {}, reservation_id):
            return
        await asyncio.sleep(self.rng.expovariate(1.0 / self.run.talk_mean_s))
        if not await self.command("end", f"/api/v1/agent/contacts/{contact_id}/end", {},
                                  contact_id):
            return
        await asyncio.sleep(self.rng.uniform(*a.wrap))
        await self.command("wrap_up", f"/api/v1/agent/contacts/{contact_id}/wrap-up",
                           {"disposition": "resolved"}, contact_id)

    async def _ready_again(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.run.args.think))
        await self.command("presence", "/api/v1/agent/presence", {"ready": True})

    async def command(self, kind: str, path: str, body: dict[str, Any],
                      subject: str = "") -> bool:
        """POST, timed; ``subject``: the reservation or contact it acts on."""
        t0 = time.perf_counter()
        wire = [t0]

        async def trace(event: str, _info: Any) -> None:
            # The request goes on the wire: what came before waited for a connection.
            if event == "http11.send_request_headers.started":
                wire[0] = time.perf_counter()

        try:
            r = await self.http.post(path, json=body, headers=self.headers,
                                         extensions={"trace": trace})
        except httpx.HTTPError as exc:
            self.run.figures.sent.append(Sent(kind=kind, at=t0, status=None,
                                              latency_s=time.perf_counter() - t0,
                                              queued_s=wire[0] - t0,
                                              error_id=type(exc).__name__, subject=subject))
            return False
        latency = time.perf_counter() - t0
        error_id = ""
        if r.status_code >= 300:
            with contextlib.suppress(ValueError, AttributeError):
                error_id = str(r.json().get("error_id", ""))
        self.run.figures.sent.append(Sent(kind=kind, at=t0, latency_s=latency,
                                          queued_s=wire[0] - t0,
                                          status=r.status_code, error_id=error_id,
                                          subject=subject))
        return r.status_code < 300


# --- the run ---------------------------------------------------------------------------------
class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.port = args.port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"
        self.talk_mean_s = args.handle_mean - sum(args.think) / 2 - sum(args.wrap) / 2
        self.figures = Figures()
        self.closing = False
        # One TLS context for every client: httpx builds one per client otherwise (tens of ms
        # each), though nothing here speaks TLS.
        self.tls = ssl.create_default_context()
        self.http = httpx.AsyncClient(base_url=self.base, timeout=httpx.Timeout(600.0),
                                      verify=self.tls)
        self.agents = [Agent(self, username(i), i) for i in range(1, args.agents + 1)]
        self.tmp = Path(tempfile.mkdtemp(prefix="hotline-load-"))
        self.db = self.tmp / "load.sqlite"
        self.server: subprocess.Popen[bytes] | None = None
        self.server_log = self.tmp / "server.log"
        self.client_lag: list[float] = []
        self._poll: asyncio.Future[dict[str, Any]] | None = None
        self._stats: dict[str, Any] = {}
        self.rss_peak = {"server": 0, "client": 0}

    # --- server process ----------------------------------------------------------------------
    def start_server(self) -> None:
        cmd = [sys.executable, str(HERE / "load_server.py"), "--port", str(self.port),
               "--db", str(self.db), "--agents", str(self.args.agents),
               "--seed", str(self.args.seed), "--loop", self.args.server_loop]
        log = self.server_log.open("wb")
        self.server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        if self.args.pin:
            # Server and client on CPUs of their own, so neither waits for the other's slice.
            os.sched_setaffinity(self.server.pid, {self.args.pin[0]})
            os.sched_setaffinity(0, {self.args.pin[1]})

    async def wait_ready(self, timeout_s: float = 300.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.server is not None
            if self.server.poll() is not None:
                raise RuntimeError(f"the server exited ({self.server.returncode}):\n"
                                   + self.server_log.read_text()[-3000:])
            with contextlib.suppress(httpx.HTTPError):
                r = await self.http.get("/bench/stats")
                if r.status_code == 200:
                    return dict(r.json())
            await asyncio.sleep(0.5)
        raise RuntimeError(f"the server did not answer within {timeout_s:.0f} s")

    def stop_server(self) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        self.server.send_signal(signal.SIGINT)
        try:
            self.server.wait(30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()

    async def bench(self, method: str, path: str, **body: Any) -> dict[str, Any]:
        r = await self.http.request(method, f"/bench/{path}", json=body or None)
        r.raise_for_status()
        return dict(r.json())

    # --- phases ------------------------------------------------------------------------------
    async def each(self, progress: Progress, label: str, limit: int,
                   step: Callable[[Agent], Awaitable[None]]) -> None:
        task = progress.add_task(label, total=len(self.agents))
        gate = asyncio.Semaphore(limit)

        async def one(agent: Agent) -> None:
            async with gate:
                await step(agent)
            progress.advance(task)

        await asyncio.gather(*(one(a) for a in self.agents))

    async def log_in(self, agent: Agent) -> None:
        if not await agent.command("login", "/api/v1/agent/login", {"ready": True}):
            raise RuntimeError(f"{agent.id}: login failed: {self.figures.sent[-1]}")

    async def sample(self, server: psutil.Process) -> None:
        me = psutil.Process()
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.05)
            self.client_lag.append(max(0.0, time.perf_counter() - t - 0.05))
            if len(self.client_lag) % 20 == 0:
                with contextlib.suppress(psutil.Error):
                    self.rss_peak["server"] = max(self.rss_peak["server"],
                                                  server.memory_info().rss)
                self.rss_peak["client"] = max(self.rss_peak["client"], me.memory_info().rss)

    async def main(self) -> None:
        a = self.args
        self.start_server()
        with _progress() as progress:
            t = progress.add_task("server: building the database and starting", total=None)
            await self.wait_ready()
            progress.update(t, total=1, completed=1)
            assert self.server is not None
            server = psutil.Process(self.server.pid)
            sampler = asyncio.create_task(self.sample(server))
            # The client is 1,000 browsers in one process: its collector pauses would be
            # measured as the server's latency, so it keeps them short as the server does.
            collector = asyncio.create_task(hold_survivors())
            await self.each(progress, "tokens (argon2 logins)", 8, Agent.get_token)
            await self.each(progress, "streams opened", 50, lambda g: g.open_stream())
            listeners = [asyncio.create_task(g.listen()) for g in self.agents]
            await self.each(progress, "agents logged in ready", 50, self.log_in)
            await self.bench("POST", "switch/start", rate=a.rate, seed=a.seed,
                             patience_mean_s=a.patience)
            run = progress.add_task("warm-up", total=a.warmup + a.duration)
            start = time.perf_counter()
            await self._tick(progress, run, start, a.warmup, "warm-up")
            await self._settle()
            before = await self.bench("GET", "stats")
            await self.bench("POST", "mark")
            self.figures.window_start = time.perf_counter()
            cpu0 = _cpu(server), _cpu(psutil.Process()), psutil.cpu_times(), time.perf_counter()
            load0 = os.getloadavg()
            spy = self._start_profile(server.pid)
            await self._tick(progress, run, start, a.warmup + a.duration, "measuring")
            self.figures.window_end = time.perf_counter()
            cpu1 = _cpu(server), _cpu(psutil.Process()), psutil.cpu_times(), time.perf_counter()
            load1 = os.getloadavg()
            # The control connection stays open (never cancelled): a new one may wait long in
            # the accept queue of a saturated server.
            await self._settle()
            stopped = await self.bench("POST", "switch/stop")
            after = await self.bench("GET", "stats?census=1")
            after["switch_behind_s"] = stopped["behind_s"]
            profile = self._finish_profile(spy)
            drain = progress.add_task(f"drain ({a.drain:g} s: deliveries in flight)",
                                      total=a.drain)
            for _ in range(int(a.drain * 10)):
                await asyncio.sleep(0.1)
                progress.advance(drain, 0.1)
            self.closing = True
            for task in listeners:
                task.cancel()
            work = [w for g in self.agents for w in g.tasks]
            for w in work:
                w.cancel()
            await asyncio.gather(*listeners, *work, return_exceptions=True)
            await asyncio.gather(*(g.ws.close() for g in self.agents if g.ws is not None),
                                 return_exceptions=True)
            sampler.cancel()
            collector.cancel()
            await asyncio.gather(*(g.http.aclose() for g in self.agents))
            await self.http.aclose()
        self.stop_server()
        events = self.check_events(int(stopped["seq"]))
        span = cpu1[3] - cpu0[3]
        busy0, busy1 = _busy(cpu0[2]), _busy(cpu1[2])
        machine = Machine(
            cores=psutil.cpu_count() or 1, load_start=load0, load_end=load1,
            busy=(busy1[0] - busy0[0]) / max(1e-9, busy1[1] - busy0[1]),
            server_cpu=(cpu1[0] - cpu0[0]) / span, client_cpu=(cpu1[1] - cpu0[1]) / span,
            server_rss_peak=self.rss_peak["server"], server_max_rss_kib=after["max_rss_kib"],
            client_rss_peak=self.rss_peak["client"], client_lag_s=self.client_lag)
        figures = report(console, args=a, figures=self.figures, sessions=self.agents,
                         events=events, before=before, after=after, machine=machine,
                         server_errors=_server_errors(self.server_log),
                         server_log=self.server_log, profile=profile)
        if a.json is not None:
            write_json(a.json, figures)

    async def _settle(self) -> None:
        """Wait for the progress poll in flight: one control request at a time, one connection."""
        if self._poll is not None:
            with contextlib.suppress(httpx.HTTPError):
                await self._poll
            self._poll = None

    async def _tick(self, progress: Progress, task: Any, start: float, until: float,
                    label: str) -> None:
        while (elapsed := time.perf_counter() - start) < until:
            await asyncio.sleep(min(1.0, until - elapsed))
            # A starved server must not stretch the window: show the last answer, ask again
            # only when it came (cancelling would close the control connection).
            if self._poll is None or self._poll.done():
                if self._poll is not None and self._poll.exception() is None:
                    self._stats = self._poll.result()
                self._poll = asyncio.ensure_future(self.bench("GET", "stats?timings=0"))
            stats = self._stats
            if not stats:
                continue
            recent = sorted(s.latency_s for s in self.figures.sent[-2000:]
                            if s.kind in COMMANDS)
            sw = stats["switch"]
            progress.update(task, completed=time.perf_counter() - start, description=(
                f"{label}: offered {sw.get('offered', 0)}  answered {sw.get('connected', 0)}  "
                f"abandoned {sw.get('abandoned', 0)}  waiting {stats['waiting']}  "
                f"commands {len(self.figures.sent)}  recent p99 "
                f"{quantile(recent, 0.99) * 1e3:.0f} ms"))

    # --- profile -----------------------------------------------------------------------------
    def _start_profile(self, pid: int) -> subprocess.Popen[bytes] | None:
        if self.args.profile is None:
            return None
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        raw = self.args.profile.with_suffix(".raw.txt")
        raw.parent.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(int(self.args.duration)),
             "--rate", "100", "--nonblocking", "--format", "raw", "-o", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _finish_profile(self, spy: subprocess.Popen[bytes] | None) -> dict[str, Any] | None:
        if spy is None or self.args.profile is None:
            return None
        try:
            spy.wait(30)
        except subprocess.TimeoutExpired:
            spy.terminate()
            spy.wait()
        raw = self.args.profile.with_suffix(".raw.txt")
        if not raw.exists():
            return {"error": "py-spy wrote nothing (is it installed, may it trace?)"}
        summary = summarise_profile(raw.read_text())
        self.args.profile.write_text(json.dumps(summary, indent=1))
        return summary

    # --- events lost -------------------------------------------------------------------------
    def check_events(self, end_seq: int) -> dict[str, Any]:
        """Each stream against the log, up to ``end_seq`` (see the module's docstring)."""
        agents = {g.id: g for g in self.agents}
        first = min(g.snapshot_seq for g in self.agents)
        mine: dict[str, list[int]] = defaultdict(list)
        contact_of: dict[int, str] = {}
        engine = open_database(f"sqlite:///{self.db}")
        try:
            for seq, e in SqlEventLog(engine).read(after=first):
                if seq > end_seq:
                    break
                owner = getattr(e, "agent_id", None)
                if owner in agents and seq > agents[owner].snapshot_seq:
                    mine[owner].append(seq)
                contact = getattr(e, "contact_id", None)
                if contact is not None:
                    contact_of[seq] = contact
        finally:
            engine.dispose()
        expected = received = lost = duplicated = in_hand = foreign = out_of_order = 0
        worst: list[tuple[int, str]] = []
        for g in self.agents:
            want = set(mine[g.id])
            got = [s for s in g.seqs if s <= end_seq]
            have = set(got)
            expected += len(want)
            received += len(got)
            missing = len(want - have)
            lost += missing
            duplicated += len(got) - len(have)
            for seq in have - want:
                if contact_of.get(seq) in g.offered:
                    in_hand += 1
                else:
                    foreign += 1
            out_of_order += g.out_of_order
            if missing:
                worst.append((missing, g.id))
        return {"end_seq": end_seq, "expected": expected, "received": received, "lost": lost,
                "duplicated": duplicated, "in_hand": in_hand, "foreign": foreign,
                "out_of_order": out_of_order, "agents_missing_events": len(worst),
                "worst": sorted(worst, reverse=True)[:5]}




# --- helpers ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return float(t.user + t.system)


def _busy(t: Any) -> tuple[float, float]:
    idle = t.idle + getattr(t, "iowait", 0.0)
    total = sum(t)
    return total - idle, total


def _server_errors(log: Path) -> int:
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text(errors="replace").splitlines()
               if "Traceback" in line or "ERROR" in line)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


def _pair(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(",")
    pair = (float(lo), float(hi or lo))
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError(f"must be LOW,HIGH with 0 ≤ LOW ≤ HIGH, got {text!r}")
    return pair


def _cpus(text: str) -> tuple[int, int]:
    server, _, client = text.partition(",")
    try:
        pair = (int(server), int(client))
    except ValueError:
        raise argparse.ArgumentTypeError(f"SERVER,CLIENT CPU numbers, got {text!r}") from None
    allowed = os.sched_getaffinity(0)
    if not set(pair) <= allowed:
        raise argparse.ArgumentTypeError(f"CPUs {pair} not all in {sorted(allowed)}")
    return pair


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=180.0, help="measured seconds")
    p.add_argument("--warmup", type=float, default=20.0, help="seconds before measuring")
    p.add_argument("--drain", type=float, default=5.0,
                   help="seconds after the switch stops, for deliveries in flight")
    p.add_argument("--agents", type=int, default=1000)
    p.add_argument("--rate", type=float, default=70.0, help="new calls per second")
    p.add_argument("--patience", type=float, default=120.0, help="mean patience (s)")
    p.add_argument("--handle-mean", type=float, default=12.0,
                   help="mean seconds from offer to wrap-up done (think + talk + wrap)")
    p.add_argument("--think", type=_pair, default=(0.5, 1.0), help="accept after U(LOW,HIGH) s")
    p.add_argument("--wrap", type=_pair, default=(1.0, 2.0), help="wrap up after U(LOW,HIGH) s")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--server-loop", choices=("auto", "asyncio", "uvloop"), default="asyncio",
                   help="the server's event loop (default asyncio, as `hotline serve` runs it)")
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument("--profile", type=Path, default=None,
                   help="sample the server with py-spy in the window; summary JSON here")
    p.add_argument("--json", type=Path, default=None, help="write the figures here")
    p.add_argument("--pin", type=_cpus, default=None,
                   help="SERVER,CLIENT: pin the server and this client to these CPUs")
    p.add_argument("--keep", action="store_true", help="keep the database and server log")
    args = p.parse_args(argv)
    if args.agents < 1 or args.rate <= 0 or args.duration <= 0 or args.warmup < 0:
        p.error("--agents ≥ 1, --rate > 0, --duration > 0 and --warmup ≥ 0 please")
    if args.handle_mean - sum(args.think) / 2 - sum(args.wrap) / 2 <= 0:
        p.error("--handle-mean must exceed the mean think and wrap-up times")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    run = Run(args)
    try:
        # uvloop where installed, as the server runs: the client's CPU is the server's loss.
        factory = None
        with contextlib.suppress(ImportError):
            import uvloop
            factory = uvloop.new_event_loop
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(run.main())
    finally:
        run.stop_server()
        if args.keep:
            console.print(f"kept {run.tmp}")
        else:
            shutil.rmtree(run.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
