"""The live WebSocket stream: snapshot, ordered events, resume without gap or duplicate, what an
agent may see, and bad clients closed with a reason while the others keep streaming."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.types import Message

from hotline.core.commands import LogIn
from hotline.live.view import floor_view
from hotline.web import stream, stream_hub
from hotline.web.app import create_app
from tests.unit.web.conftest import World, build_world, login, token

URL = "/api/v1/stream"
POLICY, INVALID_DATA, TRY_AGAIN = 1008, 1007, 1013


def receive(ws: WebSocketTestSession, timeout: float = 5.0) -> Message:
    """The next message from the server, or a test failure after ``timeout`` (the test client's
    own ``receive`` waits for ever)."""

    async def get() -> Message:
        with anyio.fail_after(timeout):
            message: Message = await ws._send_rx.receive()
            return message

    return ws.portal.call(get)


def next_message(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next JSON message that is not a wallboard tick (staff streams get one a tick)."""
    while True:
        message = receive(ws)
        assert message["type"] == "websocket.send", f"closed instead: {message}"
        data: dict[str, Any] = json.loads(message["text"])
        if data["type"] != "wallboard":
            return data


def next_data(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    data = next_message(ws)
    assert data["type"] == kind, data
    return data


def closed(ws: WebSocketTestSession) -> tuple[int, str]:
    """Read until the server closes; its code and reason."""
    while True:
        message = receive(ws)
        if message["type"] == "websocket.close":
            return int(message["code"]), str(message.get("reason", ""))


def events_until(ws: WebSocketTestSession, seq: int) -> list[dict[str, Any]]:
    """Every event item received until one with ``seq`` arrives."""
    items: list[dict[str, Any]] = []
    while not items or items[-1]["seq"] < seq:
        items += next_data(ws, "events")["events"]
    return items


def bearer(client: TestClient, username: str) -> str:
    return token(client, username)["Authorization"].removeprefix("Bearer ")


def on_loop(client: TestClient, action: Callable[[], object]) -> None:
    """Run ``action`` (centre commands, the manual clock) on the server's event loop, as the
    server itself runs them: the centre and the streams' queues belong to that loop."""
    assert client.portal is not None
    client.portal.call(action)


def logged(world: World, after: int = 0) -> list[dict[str, Any]]:
    """The log after ``after`` as the stream sends it (JSON, so tuples are lists)."""
    items: list[dict[str, Any]] = json.loads(json.dumps(
        [stream.public_event(s, e) for s, e in world.log.read(after=after)]))
    return items


def take_a_call(client: TestClient, world: World, who: str, contact_id: str) -> int:
    """``who`` logs in ready over the API and is offered a new contact; the last seq."""
    h = token(client, who)
    assert client.post("/api/v1/agent/login", json={"ready": True}, headers=h).status_code == 200
    on_loop(client, lambda: world.offer(contact_id))
    return world.services.centre.seq


# --- snapshot and order --------------------------------------------------------------------------
def test_a_supervisor_gets_the_floor_then_every_event_in_order(client: TestClient,
                                                               world: World) -> None:
    with client.websocket_connect(f"{URL}?token={bearer(client, 'supervisor')}") as ws:
        snap = next_data(ws, "snapshot")
        centre = world.services.centre
        assert snap["seq"] == centre.seq
        assert snap["view"] == floor_view(centre.engine)
        last = take_a_call(client, world, "agent", "c1")
        items = events_until(ws, last)
    seqs = [i["seq"] for i in items]
    assert seqs == list(range(snap["seq"] + 1, last + 1))  # increasing, no gap, no duplicate
    assert items == logged(world, snap["seq"])
    assert "ReservationCreated" in {i["event"]["type"] for i in items}


def test_resuming_after_n_gives_exactly_the_events_after_n(client: TestClient,
                                                          world: World) -> None:
    sup = bearer(client, "supervisor")
    first = world.services.centre.seq
    last = take_a_call(client, world, "agent", "c1")
    for n, after in enumerate((0, first, last - 1, last)):
        with client.websocket_connect(f"{URL}?token={sup}&after={after}") as ws:
            items: list[dict[str, Any]] = []
            while True:
                data = next_message(ws)
                if data["type"] == "resumed":
                    break
                assert data["type"] == "events", data
                items += data["events"]
            assert data["seq"] == last
            assert items == logged(world, after), f"after={after}"
            # and then the live events, from last + 1 on
            on_loop(client, lambda: world.offer(f"live{n}"))  # noqa: B023 (called at once)
            live = events_until(ws, world.services.centre.seq)
            assert live[0]["seq"] == last + 1
        last = world.services.centre.seq


def test_a_slow_client_is_told_to_resume_and_misses_nothing(
        client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_hub, "QUEUE_LIMIT", 2)
    sup = bearer(client, "supervisor")
    centre = world.services.centre

    def burst() -> None:  # several batches in one step of the loop: the sender cannot keep up
        for i in range(6):
            world.offer(f"c{i}")

    with client.websocket_connect(f"{URL}?token={sup}") as ws:
        start = next_data(ws, "snapshot")["seq"]
        on_loop(client, burst)
        got: list[dict[str, Any]] = []
        while True:
            message = receive(ws)
            if message["type"] == "websocket.close":
                break
            data = json.loads(message["text"])
            if data["type"] == "events":
                got += data["events"]
        assert (message["code"], message["reason"]) == \
            (TRY_AGAIN, "too slow: reconnect with after=<last seq>")
    seen = got[-1]["seq"] if got else start
    assert seen < centre.seq
    with client.websocket_connect(f"{URL}?token={sup}&after={seen}") as ws:
        rest = events_until(ws, centre.seq)
    assert [i["seq"] for i in got + rest] == list(range(start + 1, centre.seq + 1))


# --- what an agent sees --------------------------------------------------------------------------
def test_an_agent_sees_its_own_agent_only(client: TestClient, world: World) -> None:
    login(client, "agent")  # the cookie session of agent a1
    with client.websocket_connect(URL) as ws:
        snap = next_data(ws, "snapshot")
        assert snap["view"] == floor_view(world.services.centre.engine, "a1")
        assert set(snap["view"]["agents"]) == {"a1"}
        take_a_call(client, world, "agent2", "c1")  # a2's login, c1 queued and offered to a2
        on_loop(client, lambda: world.services.centre.execute(LogIn(agent_id="a1", ready=True)))
        on_loop(client, lambda: world.offer("c2"))  # to a1
        # a1's own events, and the queueing of c2, which is in a1's hands after its batch.
        mine = [i for i in logged(world, snap["seq"])
                if i["event"].get("agent_id") == "a1" or i["event"].get("contact_id") == "c2"]
        items: list[dict[str, Any]] = []
        while not items or items[-1]["seq"] < mine[-1]["seq"]:
            message = next_data(ws, "events")
            items += message["events"]
    # Had a2's events or the queueing of c1 been sent, they would have come first.
    assert items == mine
    # Its own events cannot describe the offered contact: its view comes with each batch.
    assert message["view"] == json.loads(json.dumps(floor_view(world.services.centre.engine,
                                                               "a1")))
    assert "c2" in message["view"]["contacts"]
    assert [i["event"]["type"] for i in items] == ["AgentLoggedIn", "ContactQueued",
                                                   "ReservationCreated"]
    assert items[-1]["event"]["contact_id"] == "c2"


def test_an_agent_resuming_gets_only_its_own_backlog(client: TestClient, world: World) -> None:
    h = token(client, "agent")
    first = world.services.centre.seq
    take_a_call(client, world, "agent2", "c1")
    assert client.post("/api/v1/agent/login", json={"ready": True}, headers=h).status_code == 200
    with client.websocket_connect(f"{URL}?token={h['Authorization'][7:]}&after={first}") as ws:
        items = next_data(ws, "events")["events"]
        resumed = next_data(ws, "resumed")
    assert resumed["seq"] == world.services.centre.seq
    assert resumed["view"] == floor_view(world.services.centre.engine, "a1")
    expected = [i for i in logged(world, first) if i["event"].get("agent_id") == "a1"]
    assert items == expected and [i["event"]["type"] for i in items] == ["AgentLoggedIn"]


# --- bad clients ---------------------------------------------------------------------------------
BAD_MESSAGES: list[tuple[str, Callable[[WebSocketTestSession], None], int, str]] = [
    ("malformed JSON", lambda ws: ws.send_text("{not json"), INVALID_DATA,
     "malformed JSON: Expecting property name enclosed in double quotes"),
    ("binary", lambda ws: ws.send_bytes(b"\x00\x01"), INVALID_DATA,
     "binary messages are not understood; send JSON text"),
    ("unknown type", lambda ws: ws.send_json({"type": "subscribe"}), POLICY,
     "type: unknown message type 'subscribe'; send ping"),
    ("not an object", lambda ws: ws.send_json([1, 2]), POLICY,
     "type: unknown message type None; send ping"),
]


@pytest.mark.parametrize(("name", "send", "code", "reason"), BAD_MESSAGES,
                         ids=[b[0] for b in BAD_MESSAGES])
def test_a_bad_message_closes_that_connection_only(
        client: TestClient, world: World, name: str,
        send: Callable[[WebSocketTestSession], None], code: int, reason: str) -> None:
    sup = bearer(client, "supervisor")
    with client.websocket_connect(f"{URL}?token={sup}") as other, \
            client.websocket_connect(f"{URL}?token={sup}") as bad:
        next_data(other, "snapshot")
        next_data(bad, "snapshot")
        bad.send_json({"type": "ping"})
        assert next_data(bad, "pong") == {"type": "pong"}
        send(bad)
        assert closed(bad) == (code, reason)
        last = take_a_call(client, world, "agent", "c1")
        items = events_until(other, last)
        assert items[-1] == logged(world)[-1]
        other.send_json({"type": "ping"})
        assert next_data(other, "pong") == {"type": "pong"}


@pytest.mark.parametrize(("query", "reason"), [
    ("after=abc", "after: must be a whole number ≥ 0"),
    ("after=-1", "after: must be a whole number ≥ 0"),
    ("after=99999", "after: 99999 is beyond the last event {seq}"),
])
def test_a_bad_after_is_refused_with_a_reason(client: TestClient, world: World, query: str,
                                              reason: str) -> None:
    sup = bearer(client, "supervisor")
    with client.websocket_connect(f"{URL}?token={sup}") as other:
        next_data(other, "snapshot")
        with client.websocket_connect(f"{URL}?token={sup}&{query}") as bad:
            assert closed(bad) == (POLICY, reason.format(seq=world.services.centre.seq))
        last = take_a_call(client, world, "agent", "c1")
        assert events_until(other, last)[-1]["seq"] == last


@pytest.mark.parametrize("how", ["nothing", "unknown token", "session cookie as token"])
def test_an_unauthenticated_stream_is_closed_with_a_reason(client: TestClient, how: str) -> None:
    query = {"nothing": "", "unknown token": "?token=forged",
             "session cookie as token": "?token=" + session_cookie(client)}[how]
    if how != "session cookie as token":
        client.cookies.clear()
    with client.websocket_connect(URL + query) as ws:
        assert closed(ws) == (POLICY, "not authenticated: log in, or pass ?token=")


def session_cookie(client: TestClient) -> str:
    login(client, "supervisor")
    value = client.cookies.get("hotline_session")
    assert value, client.cookies
    return str(value)


def test_a_cookie_from_another_site_cannot_open_the_stream(client: TestClient) -> None:
    login(client, "supervisor")
    with client.websocket_connect(URL, headers={"origin": "https://evil.example"}) as ws:
        assert closed(ws) == (POLICY, "not authenticated: log in, or pass ?token=")
    with client.websocket_connect(URL, headers={"origin": "http://testserver"}) as ws:
        assert next_data(ws, "snapshot")["seq"] >= 1


def test_a_user_without_an_agent_cannot_stream_as_an_agent(client: TestClient,
                                                           world: World) -> None:
    world.services.accounts.add_user(username="lost", display_name="Lost", role="agent",
                                     agent_id=None, password_hash=world.services.hasher.hash(
                                         "correct horse battery"))
    with client.websocket_connect(f"{URL}?token={bearer(client, 'lost')}") as ws:
        assert closed(ws) == (POLICY, "user 'lost' is not linked to an agent")


# --- one caller at a time ------------------------------------------------------------------------
def test_commands_from_requests_run_on_the_event_loop() -> None:
    """The centre is single-threaded and the streams' queues belong to the loop: a handler run
    in a worker thread would race the timers and lose wake-ups of the streams."""
    world = build_world()
    threads: list[tuple[str, int]] = []

    def build() -> Any:
        threads.append(("loop", threading.get_ident()))
        world.services.centre.subscribe(lambda _: threads.append(("command",
                                                                  threading.get_ident())))
        return world.services

    with TestClient(create_app(build)) as client:
        h = token(client, "supervisor")
        take_a_call(client, world, "agent", "c1")
        rid = next(iter(world.services.centre.engine.reservations))
        a = token(client, "agent")
        assert client.post(f"/api/v1/agent/reservations/{rid}/accept",
                           headers=a).status_code == 200
        assert client.post("/api/v1/supervisor/agents/a1/logout", headers=h,
                           json={"force": True}).status_code == 200
    loop = threads[0][1]
    commands = [t for kind, t in threads if kind == "command"]
    assert len(commands) >= 3 and set(commands) == {loop}
