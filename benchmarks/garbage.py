"""Cyclic garbage per agent command (issue 4): what the young-generation collections must find.

    .venv/bin/python benchmarks/garbage.py [--agents 50] [--cycles 200] [--json F]
        [--compare BEFORE.json]

The collector's young collections stop the event loop, and they cost more the more objects
survive to them: objects kept in reference cycles survive until the collector finds them, so
every cycle created per request is work the collector must do (reference counting frees the
rest at once). This counts that garbage deterministically, without timings (the machine is
shared and noisy).

It builds the real app (``bootstrap.build_app`` on a fresh SQLite file with the load
benchmark's directory, ``load_server.build_database``), starts it, takes a bearer token per
agent, opens every agent's live stream and logs every agent in ready, all through plain ASGI
calls on one asyncio loop (what uvicorn hands the app, minus its sockets). Then, for each of
``--cycles`` contacts: the switch offers a contact (``centre.execute(OfferContact)``, as the
simulated telephony does), and the agent it is reserved for accepts, ends and wraps up over
``/api/v1/agent/...``; after each step the loop runs until the streams have sent what the step
fanned out to them.

With ``gc.disable()`` and ``gc.DEBUG_SAVEALL``, a full collection after each step moves what
that step left in cycles into ``gc.garbage``; the script counts those objects and the cycles
they form (connected groups), by the object that names each cycle (an exception, a coroutine,
a frame's function, a class), per step. The contact history's write-behind flush runs once per
contact here as its own step (the server runs it twice a second, for all contacts at once).
``--json`` writes the figures; ``--compare`` prints them beside an earlier run's.

The app's own start-up freezes what it built (``web.collector``); that stays, but the freeze
after each full collection is switched off for the measured window, or objects made in one
step and dropped in the next would be frozen in between and never counted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from types import CoroutineType, FrameType, FunctionType, GeneratorType, MethodType
from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import UVICORN_OPTIONS, ServerConfig, build_app
from hotline.core.commands import OfferContact
from hotline.web import collector
from hotline.web.security import token_hash
from hotline.web.services import Services

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from load_server import PASSWORD, build_database, username  # noqa: E402  (sibling script)

STEPS = ("offer", "accept", "end", "refused", "wrap_up", "history_flush")
COMMANDS = ("accept", "end", "wrap_up")  # the agent commands (REST)
DRAIN_TURNS = 8  # loop turns after a step: enough for every stream to send what it was given


# --- two ways in: plain ASGI calls, or uvicorn on loopback ----------------------------------------
class Exchange:
    """One HTTP request and its response, as ASGI messages."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.sent = False
        self.done = asyncio.Event()
        self.status = 0
        self.chunks: list[bytes] = []

    async def receive(self) -> dict[str, Any]:
        if not self.sent:
            self.sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        await self.done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                self.done.set()


def _scope(kind: str, path: str, query: str, headers: list[tuple[bytes, bytes]]
           ) -> dict[str, Any]:
    return {"type": kind, "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1", "scheme": "http" if kind == "http" else "ws",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(),
            "root_path": "", "headers": [(b"host", b"127.0.0.1:8765"), *headers],
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8765)}


class AsgiStream:
    """One agent's live WebSocket as ASGI messages, held open in the loop."""

    def __init__(self, app: Any, token: str) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.inbox.put_nowait({"type": "websocket.connect"})
        self.accepted = False
        self.messages = 0
        scope = _scope("websocket", "/api/v1/stream", f"token={token}", [])
        scope["subprotocols"] = []
        self.task = asyncio.create_task(app(scope, self.inbox.get, self.send))

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted = True
        elif kind == "websocket.send":
            self.messages += 1

    async def close(self) -> None:
        self.inbox.put_nowait({"type": "websocket.disconnect", "code": 1000})
        await self.task


class Asgi:
    """The app called directly: only the app's own work is counted."""

    name = "asgi"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.streams: list[AsgiStream] = []

    async def start(self) -> None:
        pass

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                      token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else b""
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(data)).encode())]
        if token is not None:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        scope = _scope("http", path, "", headers)
        scope["method"] = method
        exchange = Exchange(data)
        await self.app(scope, exchange.receive, exchange.send)
        raw = b"".join(exchange.chunks)
        return exchange.status, json.loads(raw) if raw else None

    async def open_stream(self, token: str) -> None:
        self.streams.append(AsgiStream(self.app, token))

    def received(self) -> int:
        return sum(s.messages for s in self.streams)

    async def settle(self) -> None:
        for _ in range(DRAIN_TURNS):  # no sockets: a few turns run every stream's sender
            await asyncio.sleep(0)

    async def stop(self) -> None:
        for s in self.streams:
            await s.close()


class UvicornLoopback:
    """uvicorn serving the app on loopback in this loop, as ``hotline serve`` runs it; the
    client is raw sockets (HTTP/1.1 keep-alive, one connection per agent; WebSocket frames
    read and counted), so what it adds to the garbage is asyncio's streams and little else."""

    name = "uvicorn"

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
            **UVICORN_OPTIONS))
        self.port = 0
        self.connections: dict[str | None, tuple[asyncio.StreamReader,
                                                 asyncio.StreamWriter]] = {}
        self.readers: list[asyncio.Task[None]] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.frames = 0

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                      token: str | None = None) -> tuple[int, Any]:
        if token not in self.connections:
            self.connections[token] = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.connections[token]
        data = json.dumps(body).encode() if body is not None else b""
        auth = f"authorization: Bearer {token}\r\n" if token is not None else ""
        writer.write(f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n{auth}"
                     f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
                     .encode() + data)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        length = next(int(h.split(":", 1)[1]) for h in head
                      if h.lower().startswith("content-length:"))
        raw = await reader.readexactly(length)
        return int(head[0].split()[1]), json.loads(raw) if raw else None

    async def open_stream(self, token: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(f"GET /api/v1/stream?token={token} HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                     f"upgrade: websocket\r\nconnection: Upgrade\r\n"
                     f"sec-websocket-key: {key}\r\nsec-websocket-version: 13\r\n\r\n"
                     .encode())
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        self.writers.append(writer)
        self.readers.append(asyncio.create_task(self._frames(reader)))

    async def _frames(self, reader: asyncio.StreamReader) -> None:
        while True:  # server frames are unmasked: 2 bytes, an extended length, the payload
            first = await reader.readexactly(2)
            size = first[1] & 0x7F
            if size == 126:
                size = int.from_bytes(await reader.readexactly(2), "big")
            elif size == 127:
                size = int.from_bytes(await reader.readexactly(8), "big")
            await reader.readexactly(size)
            self.frames += 1

    def received(self) -> int:
        return self.frames

    async def settle(self) -> None:
        # Until the frames stop coming: the streams have sent all the step gave them.
        seen, quiet = -1, 0
        while quiet < 3:
            await asyncio.sleep(0.002)
            quiet = quiet + 1 if self.frames == seen else 0
            seen = self.frames

    async def stop(self) -> None:
        for _, writer in self.connections.values():
            writer.close()
        for writer in self.writers:
            writer.close()
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.server.should_exit = True
        await self.task


Transport = Asgi | UvicornLoopback


# --- counting the garbage ----------------------------------------------------------------------
def name_of(o: object) -> str:
    """What an object in a cycle is, as precisely as the object says."""
    if isinstance(o, FrameType):
        return f"frame {o.f_code.co_qualname}"
    if isinstance(o, CoroutineType | GeneratorType):
        return f"{type(o).__name__} {o.__qualname__}"
    if isinstance(o, FunctionType):
        return f"function {o.__qualname__}"
    if isinstance(o, MethodType):
        return f"method {o.__func__.__qualname__}"
    t = type(o)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


_PLAIN = frozenset({"dict", "list", "tuple", "set", "cell", "frozenset"})


def _rank(o: object) -> int:
    """Which object names a cycle: an exception says most, then a coroutine or generator, a
    class instance, a function, a frame; plain containers least."""
    if isinstance(o, BaseException):
        return 0
    if isinstance(o, CoroutineType | GeneratorType):
        return 1
    if isinstance(o, FunctionType | MethodType):
        return 3
    if isinstance(o, FrameType):
        return 4
    return 5 if type(o).__name__ in _PLAIN else 2


def group_cycles(garbage: Sequence[object]) -> Counter[str]:
    """The garbage's connected groups, each named by its most telling object."""
    index = {id(o): i for i, o in enumerate(garbage)}
    parent = list(range(len(garbage)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, o in enumerate(garbage):
        for r in gc.get_referents(o):
            j = index.get(id(r))
            if j is not None:
                a, b = find(i), find(j)
                if a != b:
                    parent[a] = b
    groups: dict[int, list[object]] = {}
    for i, o in enumerate(garbage):
        groups.setdefault(find(i), []).append(o)
    return Counter(name_of(min(g, key=_rank)) for g in groups.values())


class Tally:
    """Garbage objects and cycles by step, summed over the contacts."""

    def __init__(self) -> None:
        self.objects: dict[str, Counter[str]] = {s: Counter() for s in STEPS}
        self.cycles: dict[str, Counter[str]] = {s: Counter() for s in STEPS}
        # Tracked objects made in the step and alive at its end: a young collection then would
        # walk them (cycles included), and promote the live ones.
        self.young: dict[str, Counter[str]] = {s: Counter() for s in STEPS}

    def take(self, step: str) -> None:
        young = gc.get_objects(generation=0)
        self.young[step].update(name_of(o) for o in young)
        del young
        gc.collect()
        garbage = list(gc.garbage)
        self.objects[step].update(name_of(o) for o in garbage)
        self.cycles[step].update(group_cycles(garbage))
        # Let the cycles really go: without SAVEALL the next collection frees them.
        gc.garbage.clear()
        del garbage
        gc.set_debug(0)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)


# --- the run -----------------------------------------------------------------------------------
async def run(url: str, via: str, agents: int, n_cycles: int, warmup: int, console: Console
              ) -> dict[str, Any]:
    app = build_app(ServerConfig(database_url=url, fast_hashes=True))
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0)  # the collector's start-up: collect and freeze what was built
        client: Transport = Asgi(app) if via == "asgi" else UvicornLoopback(app)
        await client.start()
        services: Services = app.state.services
        centre = services.centre
        pending_flush = services.extra.pop("history_flush", None)
        if pending_flush is not None:  # flushed once per contact below, in a step of its own
            pending_flush.cancel()
        tokens: dict[str, str] = {}
        for i in range(1, agents + 1):
            status, body = await client.request("POST", "/api/v1/auth/tokens",
                                                {"username": username(i), "password": PASSWORD})
            assert status == 200, body
            tokens[username(i)] = body["token"]
        for t in tokens.values():
            await client.open_stream(t)
        for t in tokens.values():
            status, body = await client.request("POST", "/api/v1/agent/login", {"ready": True},
                                                t)
            assert status == 200, body
        await client.settle()

        tally = Tally()
        n = 0

        async def contact(measure: bool) -> None:
            nonlocal n
            n += 1
            cid = f"call-{n:06d}"
            site = ("beijing", "shanghai")[n % 2]
            centre.execute(OfferContact(
                contact_id=cid, channel="voice", workflow=f"retail-{site}",
                attributes={"segment": "retail", "language": "zh", "province": "北京",
                            "intent": "retail", "authenticated": True,
                            "customer_id": f"C{n % 500:06d}"}))
            await client.settle()
            if measure:
                tally.take("offer")
            found = centre.engine.contacts.get(cid)
            assert found is not None and found.reservation_id is not None, \
                f"{cid} was not offered to an agent: raise --agents"
            rid, aid = found.reservation_id, found.agent_id
            assert aid is not None
            # An agent's last command was seconds before its next offer, longer than the
            # accounts trust a checked token (SqlAccounts.cache_s): the accept checks it again.
            services.accounts._cache.pop(token_hash(tokens[aid]), None)  # type: ignore[attr-defined]
            path = f"/api/v1/agent/contacts/{cid}"
            for step, route, body, expect in (
                    ("accept", f"/api/v1/agent/reservations/{rid}/accept", None, 200),
                    ("end", f"{path}/end", None, 200),
                    ("refused", f"{path}/end", None, 409),  # a second end: the engine says no
                    ("wrap_up", f"{path}/wrap-up", {"disposition": "resolved",
                                                    "notes": "card 6222021234567890 ok"}, 200)):
                status, answer = await client.request("POST", route, body, tokens[aid])
                assert status == expect, (step, status, answer)
                await client.settle()
                if measure:
                    tally.take(step)
            services.history.flush()  # type: ignore[attr-defined]
            if measure:
                tally.take("history_flush")

        with console.status(f"warming up: {warmup} contacts"):
            for _ in range(warmup):
                await contact(False)
        collector_hook = collector._freeze_survivors  # benchmark only: see the docstring
        hooked = collector_hook in gc.callbacks
        if hooked:
            gc.callbacks.remove(collector_hook)
        gc.collect()
        received = client.received()
        # Every tracked object before the measured part, held so no id is reused: what is new
        # and alive after it outlived its contact (all of them have ended by then).
        old = gc.get_objects()
        old_ids = {id(o) for o in old}
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            with console.status(f"{n_cycles} contacts, {agents} agents' streams open, "
                                f"via {client.name}"):
                for _ in range(n_cycles):
                    await contact(True)
            gc.set_debug(0)
            gc.collect()
            kept = Counter(name_of(o) for o in gc.get_objects() if id(o) not in old_ids
                           and o is not old and o is not old_ids)
            del old
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
            if hooked:
                gc.callbacks.append(collector_hook)
        received = client.received() - received
        await client.stop()
    return {"via": via, "agents": agents, "contacts": n_cycles, "stream_messages": received,
            **{key: {s: dict(c) for s, c in getattr(tally, key).items()} for key in KEYS},
            "kept": dict(kept)}


# --- the report --------------------------------------------------------------------------------
KEYS = ("young", "objects", "cycles")
TITLES = {"young": "young objects alive after the step (what a young collection would walk)",
          "objects": "objects in cycles (garbage only the collector frees)",
          "cycles": "cycles, each named by its most telling object"}


def _per(total: float, n: int) -> str:
    return f"{total / n:.1f}" if n else "–"


def report(console: Console, now: dict[str, Any], before: dict[str, Any] | None,
           top: int) -> None:
    runs = [("before", before), ("now", now)] if before else [("now", now)]

    def total(fig: dict[str, Any], key: str, steps: Sequence[str]) -> float:
        return sum(sum(fig[key].get(s, {}).values()) for s in steps) / (fig["contacts"]
                                                                       * len(steps))

    table = Table(title=f"Per step, via {now['via']}: {now['agents']} agents' streams open, "
                        f"{now['contacts']} contacts (each: an offer, then accept, end, a refused "
                        f"second end, wrap-up; the history's flush)")
    table.add_column("step")
    for key in KEYS:
        for label, _ in runs:
            table.add_column(f"{key} {label}" if before else key, justify="right")
    for step in (*STEPS, "per agent command"):
        steps = COMMANDS if step == "per agent command" else (step,)
        table.add_row(step, *(f"{total(fig, key, steps):.1f}" for key in KEYS
                              for _, fig in runs),
                      style="bold" if len(steps) > 1 else None)
    console.print(table)
    console.print("per agent command: accept, end and wrap-up, the refused end apart")

    for key in ("cycles", "young"):
        t = Table(title=f"Top {TITLES[key]}, per contact")
        t.add_column("step")
        t.add_column("what")
        for label, _ in runs:
            t.add_column(label, justify="right")
        for step in STEPS:
            counts = [Counter(fig[key].get(step, {})) for _, fig in runs]
            for name, _ in sum(counts, Counter()).most_common(top):
                t.add_row(step, name, *(_per(c.get(name, 0), fig["contacts"])
                                        for c, (_, fig) in zip(counts, runs, strict=True)))
            t.add_section()
        console.print(t)
    t = Table(title="Kept: objects made in the measured part and alive after every contact "
                    "ended, per contact (timers not yet due, bounded caches)")
    t.add_column("what")
    for label, _ in runs:
        t.add_column(label, justify="right")
    kept = [Counter(fig.get("kept", {})) for _, fig in runs]
    t.add_row("all", *(_per(c.total(), fig["contacts"])
                       for c, (_, fig) in zip(kept, runs, strict=True)), style="bold")
    for name, _ in sum(kept, Counter()).most_common(top):
        t.add_row(name, *(_per(c.get(name, 0), fig["contacts"])
                          for c, (_, fig) in zip(kept, runs, strict=True)))
    console.print(t)
    console.print(f"{now['stream_messages']} stream messages sent in the measured part")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--via", choices=("asgi", "uvicorn"), default="asgi",
                   help="plain ASGI calls (the app alone) or uvicorn on loopback")
    p.add_argument("--agents", type=int, default=50)
    p.add_argument("--cycles", type=int, default=200, help="contacts measured")
    p.add_argument("--warmup", type=int, default=20, help="contacts before measuring")
    p.add_argument("--top", type=int, default=8, help="names shown per step")
    p.add_argument("--json", type=Path, help="write the figures here")
    p.add_argument("--compare", type=Path, help="an earlier run's --json, shown beside")
    args = p.parse_args(argv)
    if args.agents < 2 or args.cycles < 1 or args.warmup < 0:
        p.error("--agents must be ≥ 2, --cycles ≥ 1, --warmup ≥ 0")
    console = Console()
    before = json.loads(args.compare.read_text()) if args.compare else None
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/garbage.sqlite"
        with console.status(f"building a directory of {args.agents} agents"):
            build_database(url, args.agents, seed=1)
        figures = asyncio.run(run(url, args.via, args.agents, args.cycles, args.warmup,
                                  console))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    report(console, figures, before, args.top)


if __name__ == "__main__":
    main()
