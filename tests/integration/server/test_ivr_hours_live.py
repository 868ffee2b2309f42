"""Business hours through the live IVR runner: hours set on the admin API decide, for the next
call and without a restart, whether a caller who asks for an agent reaches the queue or the
flow's closed branch (its voicemail); a holiday closes an open day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hotline.channels.telephony import RecordingFinished
from hotline.channels.telephony_sim import Press, Speak
from hotline.live.opening_hours import OpeningHours
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import Directory
from hotline.web.app import create_app
from tests.integration.server.test_ivr_live import ZH, Line
from tests.unit.web.conftest import build_world, token
from tests.unit.web.test_stream import on_loop

A = "/api/v1/admin"
ZONE = ZoneInfo("Asia/Shanghai")
AGENT = Press(keys="0")  # the main menu's "an agent", before any authentication
MESSAGE = Speak(seconds=12.0, hang_up=True)


@pytest.fixture
def line() -> Line:
    ln = Line(build_world())
    services = ln.world.services
    engine = open_database("sqlite://")
    migrate(engine)
    services.extra["directory"] = Directory(engine)
    opening = services.extra["opening"] = OpeningHours(ZONE, services.centre.clock.now)
    ln.runner.opening = opening.context  # as bootstrap wires it
    return ln


@pytest.fixture
def client(line: Line) -> Iterator[TestClient]:
    with TestClient(create_app(lambda: line.world.services)) as c:
        yield c


def today(line: Line) -> datetime:
    now = datetime.fromtimestamp(line.world.clock.now(), UTC).astimezone(ZONE)
    assert 1 <= now.hour <= 22  # hours an hour either side stay within the day
    return now


def said(line: Line, call_id: str) -> list[str]:
    return [p.prompt_id for p in line.switch.played(call_id)]


def recorded(line: Line, call_id: str) -> list[RecordingFinished]:
    return [e for e in line.switch.log
            if isinstance(e, RecordingFinished) and e.call_id == call_id]


def test_out_of_hours_the_caller_gets_the_voicemail_and_in_hours_the_queue(
        client: TestClient, line: Line) -> None:
    admin = token(client, "admin")
    now = today(line)
    centre = line.world.services.centre
    # Open only tomorrow: a call now is out of hours.
    r = client.put(f"{A}/business-hours/beijing/{(now.weekday() + 1) % 7}",
                   json={"opens": f"{now.hour - 1:02d}:00", "closes": f"{now.hour + 1:02d}:00"},
                   headers=admin)
    assert r.status_code == 200, r.text
    on_loop(client, lambda: line.call("closed", ZH, AGENT, Press(keys="1"), MESSAGE))
    on_loop(client, line.run_out)
    assert "closed" in said(line, "closed") and "leave_message" in said(line, "closed")
    assert "to_agent" not in said(line, "closed")
    assert [m.duration_s for m in recorded(line, "closed")] == [12.0]
    # The message waits for an agent to call back; no caller waits on the line.
    assert centre.engine.contacts["closed"].channel == "callback"

    # Open today as well: the next call, no restart, is put through.
    client.put(f"{A}/business-hours/beijing/{now.weekday()}",
               json={"opens": f"{now.hour - 1:02d}:00", "closes": f"{now.hour + 1:02d}:00"},
               headers=admin)
    on_loop(client, lambda: line.call("open", ZH, AGENT))
    on_loop(client, line.run_out)
    assert "closed" not in said(line, "open") and "to_agent" in said(line, "open")
    assert centre.engine.contacts["open"].state == "waiting"
    assert centre.engine.contacts["open"].workflow.name == "general"

    # Today a holiday: closed again, although within the hours.
    client.put(f"{A}/holidays/{now.date().isoformat()}", json={"name": "Bank holiday"},
               headers=admin)
    on_loop(client, lambda: line.call("holiday", ZH, AGENT, Press(keys="9")))
    on_loop(client, line.run_out)
    assert "closed" in said(line, "holiday") and "goodbye" in said(line, "holiday")
    assert "holiday" not in centre.engine.contacts


def test_with_no_hours_at_all_the_centre_is_open(client: TestClient, line: Line) -> None:
    on_loop(client, lambda: line.call("fresh", ZH, AGENT))
    on_loop(client, line.run_out)
    assert "to_agent" in said(line, "fresh")
    assert line.world.services.centre.engine.contacts["fresh"].state == "waiting"
