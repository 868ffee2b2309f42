"""Nothing lost: ``hotline demo`` killed with SIGKILL under load, restarted on the same file.

The real server runs as a subprocess (speed 50, a fixed seed) on a SQLite file. Beside its
simulated floor, threads of API clients work the three desk agents with bearer tokens (log in,
go ready, accept offers, hold, end, wrap up; ``agent3`` never answers, so its offers time out)
and a supervisor injects calls that wait for ever. Each successful response with a ``seq`` is
recorded. At seeded random moments the process gets SIGKILL and is started again on the same
file, three times. Checked:

(a) every acknowledged ``seq`` is in the log, with the event types the response named, and
    every injected call's contact is queued in it (acknowledged = persisted);
(b) the seqs are gapless 1..N, and what was stored before a kill is unchanged after restart;
(c) no agent stays reserved: right after each restart the live server (its stream snapshot)
    holds no reservation that expired while it was down, and the log shows each ended; one
    round waits out the downtime until the live reservations have expired, so the case is
    always exercised;
(d) over the whole log, never two live reservations for one contact, and every
    ``ContactConnected`` consumes a live reservation of that contact (so no contact is
    connected twice without a new offer in between);
(e) the waiting order survives the kill. The order the server had is not observable from
    outside, so the check is behavioural and independent of how the engine rebuilds its
    indexes: for each kill, take the contacts waiting (or reserved) in the log at the kill,
    ordered per queue and channel by the documented key (virtual arrival, then entry order);
    then replay every later event and assert that no such contact is offered from a queue
    while a contact ahead of it in that queue is waiting there. A restart that lost a
    caller's place (say, a timed-out offer going to the back) fails this.

Also: the live server's state equals the replay of its own log (stream snapshot at seq S vs
``floor_view(Engine.replay(log[:S]))``) before each kill and after each restart, and no request
ever gets a 5xx.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from websockets.sync.client import connect

from hotline.bootstrap import DEMO_PASSWORD
from hotline.core import events as ev
from hotline.core.commands import (
    Command,
    DefineQueue,
    DefineWorkflow,
    LogIn,
    OfferContact,
    RegisterAgent,
)
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.core.engine import Engine
from hotline.core.live import RESERVED, WAITING
from hotline.live.view import floor_view
from hotline.store.sql.database import open_database
from hotline.store.sql.eventlog import SqlEventLog
from hotline.store.sql.schema import events as events_table

HOTLINE = Path(sys.executable).with_name("hotline")
SEED = 11
KILLS = 3
SPEED = 50
STARTUP_S = 60.0  # a cold start imports FastAPI and builds the demo bank: slow on busy cores
DESKS = {"agent1": "desk1", "agent2": "desk2", "agent3": "desk3"}
SILENT = "agent3"  # never answers: its offers time out, some of them while the server is down
Log = list[tuple[int, ev.Event]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DemoServer:
    """``hotline demo`` as a subprocess on one port and one SQLite file."""

    def __init__(self, db: Path, logs: Path) -> None:
        self.db, self.logs = db, logs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> str:
        """Start and wait until it answers; returns a supervisor's bearer token."""
        out = self.logs / f"server-{self.starts}.log"
        self.starts += 1
        with out.open("wb") as sink:
            self.proc = subprocess.Popen(
                [str(HOTLINE), "demo", "--db", str(self.db), "--port", str(self.port),
                 "--speed", str(SPEED), "--seed", str(SEED)],
                stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "120"})
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited with {self.proc.returncode}:\n"
                                     + out.read_text(errors="replace")[-3000:])
            with contextlib.suppress(httpx.TransportError):
                r = httpx.post(self.url + "/api/v1/auth/tokens", timeout=2.0,
                               json={"username": "supervisor", "password": DEMO_PASSWORD})
                if r.status_code == 200:
                    return str(r.json()["token"])
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {STARTUP_S:.0f} s")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


# --- the load: desk agents and a supervisor over the API -----------------------------------------
@dataclass
class Acks:
    lock: threading.Lock = field(default_factory=threading.Lock)
    commands: list[tuple[int, tuple[str, ...], str]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def note(self, what: str, r: httpx.Response) -> dict[str, Any] | None:
        with self.lock:
            if r.status_code >= 500:
                self.server_errors.append(f"{what}: {r.status_code} {r.text[:200]}")
                return None
            if r.status_code != 200:
                return None
            data: dict[str, Any] = r.json()
            if data.get("seq") is not None:
                self.commands.append((int(data["seq"]), tuple(data.get("events", ())), what))
            return data


def _keep_going(stop: threading.Event, rng: random.Random, work: Callable[[], None]) -> None:
    while not stop.is_set():
        try:
            work()
        except httpx.TransportError:  # the server is down (killed) or starting: try again
            stop.wait(0.05)
        stop.wait(rng.uniform(0.01, 0.06))


def desk(url: str, token: str, agent_id: str, rng: random.Random, acks: Acks,
         stop: threading.Event) -> None:
    answers = agent_id != DESKS[SILENT]
    with httpx.Client(base_url=url + "/api/v1/agent", timeout=5.0,
                      headers={"Authorization": f"Bearer {token}"}) as c:

        def post(path: str, body: dict[str, Any] | None = None) -> None:
            acks.note(f"{agent_id} {path}", c.post(path, json=body))

        def step() -> None:
            data = acks.note(f"{agent_id} state", c.get("/state"))
            if data is None:
                return
            view = data["view"]
            me = view["agents"][agent_id]
            if me["presence"] == "offline":
                post("/login", {"ready": True})
                return
            if me["presence"] == "not_ready":
                post("/presence", {"ready": True})
                return
            for rid in view["reservations"]:
                if answers:
                    post(f"/reservations/{rid}/accept")
            for cid, activity in me["work"].items():
                if activity == "connected":  # talk a while, maybe with a hold
                    roll = rng.random()
                    if roll < 0.1:
                        post(f"/contacts/{cid}/hold")
                    elif roll < 0.2:
                        post(f"/contacts/{cid}/end")
                elif activity == "on_hold":
                    post(f"/contacts/{cid}/resume")
                elif activity == "wrap_up":
                    code = rng.choice(data["dispositions"])["code"]
                    post(f"/contacts/{cid}/wrap-up", {"disposition": code,
                                                      "notes": rng.choice(["", "all good"])})

        _keep_going(stop, rng, step)


def injector(url: str, token: str, rng: random.Random, acks: Acks,
             stop: threading.Event) -> None:
    with httpx.Client(base_url=url + "/api/v1", timeout=5.0,
                      headers={"Authorization": f"Bearer {token}"}) as c:

        def step() -> None:
            # Mostly long English calls (few agents speak it): a queue forms, so there are
            # callers waiting at each kill whose places the restart must keep.
            for _ in range(rng.randint(1, 4)):
                body = {"workflow": "english", "handle_s": 20.0} if rng.random() < 0.8 else {}
                data = acks.note("inject", c.post("/demo/calls", json=body))
                if data is not None:
                    with acks.lock:
                        acks.calls.append(str(data["contact_id"]))
            stop.wait(rng.uniform(0.1, 0.3))

        _keep_going(stop, rng, step)


# --- reading the file ----------------------------------------------------------------------------
@contextlib.contextmanager
def database(db: Path) -> Iterator[SqlEngine]:
    engine = open_database(f"sqlite:///{db}")
    try:
        yield engine
    finally:
        engine.dispose()


def read_log(db: Path, limit: int | None = None) -> Log:
    with database(db) as engine:
        return list(SqlEventLog(engine).read(limit=limit))


def raw_rows(db: Path) -> list[tuple[int, str, str]]:
    with database(db) as engine, engine.connect() as c:
        t = events_table
        rows = c.execute(select(t.c.seq, t.c.type, t.c.data).order_by(t.c.seq)).all()
    return [(int(s), str(k), str(d)) for s, k, d in rows]


def snapshot(url: str, token: str) -> tuple[float, int, dict[str, Any]]:
    """The live stream's first message: (when it was asked for, its seq, the floor view)."""
    ws_url = url.replace("http://", "ws://") + f"/api/v1/stream?token={token}"
    asked = time.time()
    with connect(ws_url, open_timeout=10, max_size=None) as ws:
        first = json.loads(ws.recv(timeout=10))
    assert first["type"] == "snapshot", first
    return asked, int(first["seq"]), first["view"]


def replayed_view(db: Path, seq: int) -> dict[str, Any]:
    engine = Engine.replay(e for _, e in read_log(db, limit=seq))
    view: dict[str, Any] = json.loads(json.dumps(floor_view(engine)))
    return view


def assert_live_equals_replay(server: DemoServer, token: str) -> tuple[float, dict[str, Any]]:
    asked, seq, view = snapshot(server.url, token)
    assert view == replayed_view(server.db, seq), f"live state at seq {seq} != replay of the log"
    return asked, view


# --- checks over the log -------------------------------------------------------------------------
def check_gapless(rows: list[tuple[int, str, str]]) -> None:
    seqs = [s for s, _, _ in rows]
    assert seqs == list(range(1, len(seqs) + 1)), "the log's seqs are not 1..N"


def check_acknowledged(log: Log, acks: Acks) -> int:
    """(a): every acknowledged command's events, and every injected call, are in the log."""
    types = {seq: type(e).__name__ for seq, e in log}
    queued = {e.contact_id for _, e in log if isinstance(e, ev.ContactQueued)}
    with acks.lock:
        commands, calls = list(acks.commands), list(acks.calls)
    for seq, names, what in commands:
        assert seq in types, f"{what}: acknowledged seq {seq} is not in the log"
        stored = [types.get(seq - len(names) + 1 + i) for i in range(len(names))]
        assert stored == list(names), f"{what}: acknowledged {names} at {seq}, stored {stored}"
    missing = [cid for cid in calls if cid not in queued]
    assert not missing, f"injected calls acknowledged but not queued: {missing}"
    return len(commands) + len(calls)


def check_single_assignment(log: Log) -> None:
    """(d): at most one live reservation per contact; a connection consumes a live one."""
    live: dict[str, str] = {}  # contact -> its live reservation
    for seq, e in log:
        if isinstance(e, ev.ReservationCreated):
            assert e.contact_id not in live, \
                f"seq {seq}: {e.contact_id} offered again while {live.get(e.contact_id)} is live"
            live[e.contact_id] = e.reservation_id
        elif isinstance(e, ev.ReservationRejected | ev.ReservationTimedOut |
                        ev.ReservationRevoked):
            assert live.pop(e.contact_id, None) == e.reservation_id, \
                f"seq {seq}: {type(e).__name__} of a reservation that is not live"
        elif isinstance(e, ev.ContactConnected):
            assert live.pop(e.contact_id, None) == e.reservation_id, \
                f"seq {seq}: {e.contact_id} connected without its live reservation"
        elif isinstance(e, ev.ContactAbandoned | ev.ContactDiverted | ev.ContactCompleted):
            live.pop(e.contact_id, None)


@dataclass
class KillPoint:
    seq: int  # the last event stored when the process died
    killed_at: float
    reservations: dict[str, tuple[str, float]]  # live at the kill: id -> (contact, expires)
    places: dict[tuple[str, str], list[str]]  # (queue, channel) -> contacts, best first


def kill_point(log: Log, killed_at: float) -> KillPoint:
    engine = Engine.replay(e for _, e in log)
    places: dict[tuple[str, str], list[tuple[float, int, str]]] = defaultdict(list)
    for c in engine.contacts.values():
        if c.state in (WAITING, RESERVED):
            for q in c.pool:
                places[q.name, str(c.channel)].append(
                    (c.order_at - q.weight * c.priority, c.seq, c.id))
    return KillPoint(
        seq=log[-1][0] if log else 0, killed_at=killed_at,
        reservations={r.id: (r.contact.id, r.expires_at) for r in engine.reservations.values()
                      if r.expires_at is not None},
        places={k: [cid for *_, cid in sorted(v)] for k, v in places.items()})


def check_nobody_overtaken(log: Log, point: KillPoint) -> int:
    """(e): after the kill, no contact of ``point`` is offered from a queue while one that was
    ahead of it there is waiting there. Returns how many offers were checked."""
    engine = Engine.replay(e for s, e in log if s <= point.seq)
    rank = {k: {cid: i for i, cid in enumerate(v)} for k, v in point.places.items()}
    checked = 0
    for seq, e in log:
        if seq <= point.seq:
            continue
        if isinstance(e, ev.ReservationCreated):
            contact = engine.contacts[e.contact_id]
            key = (e.queue, str(contact.channel))
            order = rank.get(key, {})
            if e.contact_id in order:
                checked += 1
                agent = engine.agents[e.agent_id]
                for cid in point.places[key][:order[e.contact_id]]:
                    ahead = engine.contacts.get(cid)
                    waiting = ahead is not None and ahead.state == WAITING and \
                        e.queue in {q.name for q in ahead.pool} and cid not in agent.work
                    assert not waiting, (f"seq {seq}: {e.contact_id} offered from {e.queue} "
                                         f"while {cid}, ahead of it at the kill "
                                         f"(seq {point.seq}), was waiting there")
        engine.apply(e)
    return checked


# --- the test ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_sigkill_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    server = DemoServer(tmp_path / "demo.sqlite", tmp_path)
    supervisor = server.start()
    tokens = {}
    for user in DESKS:
        r = httpx.post(server.url + "/api/v1/auth/tokens",
                       json={"username": user, "password": DEMO_PASSWORD}, timeout=10.0)
        assert r.status_code == 200, r.text
        tokens[user] = r.json()["token"]
    acks, stop = Acks(), threading.Event()
    threads = [threading.Thread(target=desk, daemon=True, args=(
        server.url, tokens[user], agent, random.Random(SEED + i), acks, stop))
        for i, (user, agent) in enumerate(DESKS.items())]
    threads.append(threading.Thread(target=injector, daemon=True, args=(
        server.url, supervisor, random.Random(SEED - 1), acks, stop)))
    for t in threads:
        t.start()
    points: list[KillPoint] = []
    expired_while_down = 0
    try:
        for round_ in range(KILLS):
            time.sleep(rng.uniform(1.0, 3.0))
            _, view = assert_live_equals_replay(server, supervisor)
            last = round_ == KILLS - 1
            for _ in range(40):  # the last kill comes while an offer is live (agent3's, say)
                if not last or view["reservations"]:
                    break
                time.sleep(0.25)
                _, view = assert_live_equals_replay(server, supervisor)
            time.sleep(rng.uniform(0.0, 0.5))
            server.kill()
            point = kill_point(read_log(server.db), time.time())
            points.append(point)
            before = raw_rows(server.db)
            check_gapless(before)
            # The last round waits out the live offers while the server is down, so at least
            # one reservation always expires in the downtime.
            if last and expired_while_down == 0 and point.reservations:
                time.sleep(max(0.0, min(x for _, x in point.reservations.values())
                               - time.time() + 0.2))
            supervisor = server.start()
            asked, view = assert_live_equals_replay(server, supervisor)
            after = raw_rows(server.db)
            check_gapless(after)
            assert after[:len(before)] == before, "the restart changed what was stored"
            overdue = {rid: r for rid, r in view["reservations"].items()
                       if r["expires_at"] is not None and r["expires_at"] < asked - 1.0}
            assert not overdue, f"reservations still live after they expired: {overdue}"
            ended = {getattr(e, "reservation_id", None) for s, e in read_log(server.db)
                     if s > point.seq}
            for rid, (cid, expires) in point.reservations.items():
                if expires < asked - 1.0:
                    expired_while_down += 1
                    gone = rid in ended or any(
                        getattr(e, "contact_id", None) == cid and isinstance(
                            e, ev.ContactAbandoned | ev.ContactDiverted)
                        for s, e in read_log(server.db) if s > point.seq)
                    assert gone, f"{rid} expired at {expires} and did not end after restart"
        time.sleep(rng.uniform(1.0, 2.0))
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        server.kill()
    log = read_log(server.db)
    rows = raw_rows(server.db)
    check_gapless(rows)
    acknowledged = check_acknowledged(log, acks)
    check_single_assignment(log)
    overtaking = sum(check_nobody_overtaken(log, p) for p in points)
    assert not acks.server_errors, acks.server_errors[:5]
    assert acknowledged > 50, f"too little load to judge: {acknowledged} acknowledgements"
    assert expired_while_down > 0, "no reservation expired while the server was down"
    waiting = [sum(map(len, p.places.values())) for p in points]
    assert overtaking > 0, f"no contact waiting at a kill ({waiting}) was offered afterwards"
    print(f"\n{len(rows)} events, {KILLS} kills, {acknowledged} acknowledgements, "
          f"{expired_while_down} reservations expired while down, waiting at the kills "
          f"{waiting}, {overtaking} of their later offers checked for their place")


# --- the checks themselves can fail --------------------------------------------------------------
def small_log() -> Log:
    """x then y wait in 'cards'; then agent a1 logs in ready and is offered x."""
    engine = Engine()
    commands: list[Command] = [
        DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1")),
        DefineWorkflow(workflow=Workflow(name="cards",
                                         steps=(WorkflowStep(queue="cards", timeout_s=None),))),
        RegisterAgent(profile=AgentProfile(agent_id="a1", site="bj", skills={"cards": 5})),
        OfferContact(contact_id="x", channel="voice", workflow="cards", attributes={}),
        OfferContact(contact_id="y", channel="voice", workflow="cards", attributes={}),
        LogIn(agent_id="a1", ready=True)]
    events: list[ev.Event] = []
    for i, command in enumerate(commands):
        events += engine.handle(command, 100.0 + i)
    return list(enumerate(events, 1))


def test_the_order_check_catches_a_caller_overtaken() -> None:
    log = small_log()
    offered = next(i for i, (_, e) in enumerate(log) if isinstance(e, ev.ReservationCreated))
    point = kill_point(log[:offered - 1], 0.0)  # before the login: x, then y, waiting
    assert point.places == {("cards", "voice"): ["x", "y"]}
    assert check_nobody_overtaken(log, point) == 1  # x's offer, checked: fine
    seq, e = log[offered]
    assert isinstance(e, ev.ReservationCreated)
    forged = ev.ReservationCreated(at=e.at, reservation_id="y/1", contact_id="y",
                                   agent_id="a1", queue="cards", expires_at=e.expires_at)
    bad = [*log[:offered], (seq, forged)]
    with pytest.raises(AssertionError, match="y offered from cards while x"):
        check_nobody_overtaken(bad, point)


def test_the_assignment_and_log_checks_catch_mistakes() -> None:
    log = small_log()
    check_single_assignment(log)
    seq, e = next((s, e) for s, e in log if isinstance(e, ev.ReservationCreated))
    with pytest.raises(AssertionError, match="x offered again"):
        check_single_assignment([*log, (seq + 100, e)])
    connected = ev.ContactConnected(at=e.at, contact_id="y", agent_id="a1",
                                    reservation_id="y/1", queue="cards", first_queue="cards",
                                    channel="voice", queued_at=e.at, leg=0)
    with pytest.raises(AssertionError, match="y connected without its live reservation"):
        check_single_assignment([*log, (seq + 100, connected)])
    with pytest.raises(AssertionError, match=r"not 1\.\.N"):
        check_gapless([(1, "A", "{}"), (3, "B", "{}")])
    acks = Acks(commands=[(len(log) + 1, ("ContactQueued",), "offer")])
    with pytest.raises(AssertionError, match="is not in the log"):
        check_acknowledged(log, acks)
    acks = Acks(commands=[(seq, ("ContactQueued",), "accept")])
    with pytest.raises(AssertionError, match="stored"):
        check_acknowledged(log, acks)
    with pytest.raises(AssertionError, match="not queued"):
        check_acknowledged(log, Acks(calls=["nobody"]))
