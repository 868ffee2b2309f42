"""The live WebSocket stream: a snapshot, then ordered events with sequence numbers.

``GET /api/v1/stream[?after=N]`` (cookie session, or ``?token=`` for API clients):

* without ``after``: ``{"type": "snapshot", "seq": n, "view": …}`` (``live.view.floor_view``),
  then every later event;
* with ``after=N``: every event after ``N`` from the event log, then the live ones: a client
  that reconnects with its last ``seq`` misses nothing and sees nothing twice.

Events come as ``{"type": "events", "events": [{"seq": s, "event": {…}}, …]}``. Agents get the
events about their own agent and contacts, each batch with ``"view"``, their own view as it is
after the batch (``resumed`` carries it too); supervisors, analysts and admins get all of them
and, every second, ``{"type": "wallboard", …}``. A client may send ``{"type": "ping"}``
(answered ``pong``); anything else closes its connection with a reason and harms nothing else.
A client too slow to keep up is closed with 1013 and resumes with ``after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from hotline.live.view import floor_view
from hotline.live.wallboard import wallboard
from hotline.web.ports import Session
from hotline.web.security import SESSION_COOKIE, token_hash
from hotline.web.services import Services
from hotline.web.stream_hub import (
    Message,
    Subscriber,
    concerns_agent,
    hub_of,
    public_event,
)

router = APIRouter()
POLICY, INVALID_DATA, TRY_AGAIN = 1008, 1007, 1013


def _session(ws: WebSocket, svc: Services) -> Session | None:
    token = ws.query_params.get("token")
    if token:
        found = svc.accounts.session(token_hash(token), svc.now())
        return found if found is not None and found.kind == "api" else None
    cookie = ws.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = svc.accounts.session(token_hash(cookie), svc.now())
    if found is None or found.kind != "session":
        return None
    origin, host = ws.headers.get("origin"), ws.headers.get("host")
    # A cookie travels with any site's request: only our own pages may open the stream.
    if origin is not None and host is not None and origin.split("://", 1)[-1] != host:
        return None
    return found


@router.websocket("/api/v1/stream")
async def stream(ws: WebSocket) -> None:
    svc: Services = ws.app.state.services
    session = _session(ws, svc)
    await ws.accept()
    if session is None:
        await ws.close(POLICY, "not authenticated: log in, or pass ?token=")
        return
    raw_after = ws.query_params.get("after")
    after: int | None = None
    if raw_after is not None:
        if not raw_after.isdigit():
            await ws.close(POLICY, "after: must be a whole number ≥ 0")
            return
        after = int(raw_after)
    role, agent_id = session.user.role, session.user.agent_id
    if role == "agent" and agent_id is None:
        await ws.close(POLICY, f"user '{session.user.username}' is not linked to an agent")
        return
    is_agent = role == "agent" and agent_id is not None
    keep = concerns_agent(agent_id, svc.centre) if is_agent and agent_id is not None else None
    centre = svc.centre
    subscriber = Subscriber(agent_id if is_agent else None)
    queue = subscriber.queue

    # Subscribing and reading the log happen in one step of the event loop, so no command
    # runs between them: the replay ends exactly where the live events begin.
    unsubscribe = hub_of(svc).add(subscriber)
    try:
        if after is None:
            view = floor_view(centre.engine, agent_id if keep is not None else None)
            await ws.send_json({"type": "snapshot", "seq": centre.seq, "view": view})
        else:
            if after > centre.seq:
                await ws.close(POLICY, f"after: {after} is beyond the last event {centre.seq}")
                return
            backlog = [public_event(s, e) for s, e in centre.log.read(after=after)
                       if keep is None or keep(e)]
            for start in range(0, len(backlog), 500):
                await ws.send_json({"type": "events", "events": backlog[start:start + 500]})
            resumed: dict[str, Any] = {"type": "resumed", "seq": centre.seq}
            if keep is not None:
                resumed["view"] = floor_view(centre.engine, agent_id)
            await ws.send_json(resumed)
        tasks = [asyncio.create_task(_send(ws, queue)), asyncio.create_task(_receive(ws))]
        if keep is None:
            tasks.append(asyncio.create_task(_wallboard(ws, svc)))
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            with contextlib.suppress(asyncio.CancelledError):
                task.exception()  # read, so a client that left is not reported as an error
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    except WebSocketDisconnect:
        pass
    finally:
        unsubscribe()


async def _send(ws: WebSocket, queue: asyncio.Queue[Message]) -> None:
    while True:
        message = await queue.get()
        if message is None:
            await ws.close(TRY_AGAIN, "too slow: reconnect with after=<last seq>")
            return
        await ws.send_json(message)
        # Not held while waiting for the next one (seconds, for an agent): a message and its
        # view would outlive young collections and be promoted, on every stream, every time.
        del message


async def _receive(ws: WebSocket) -> None:
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            await ws.close(INVALID_DATA, "binary messages are not understood; send JSON text")
            return
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            await ws.close(INVALID_DATA, f"malformed JSON: {exc.msg}"[:120])
            return
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "ping":
            await ws.send_json({"type": "pong"})
        else:
            await ws.close(POLICY, f"type: unknown message type {kind!r}; send ping"[:120])
            return


async def _wallboard(ws: WebSocket, svc: Services) -> None:
    s = svc.settings
    while True:
        board = wallboard(svc.centre.engine, svc.today, svc.now(), targets=s.targets,
                          alerts=s.alerts, surveys=svc.extra.get("surveys"))
        await ws.send_json({"type": "wallboard", "seq": svc.centre.seq, **board})
        await asyncio.sleep(s.wallboard_period_s)
