"""Callbacks dialled out by `hotline serve --telephony ari`, as bootstrap wires it.

A callback booked in the IVR reaches the centre the way the IVR shell books it (an offer, then
`RequestCallback`, through the line's routing); agent rm1 accepts it. The recorded sequences
(tests/fixtures/ari/callback_answered_live.jsonl, callback_no_answer_live.jsonl) say what
Asterisk does: the customer answers, hears music on hold while rm1's phone rings and both are
bridged, and the agent's end on the desktop hangs the customer up; or the phone rings out, and
the contact ends with disposition ``callback_no_answer`` without a second dial. The replay fails
on any request off the recording; the full number never reaches a log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hotline.bootstrap import ServerConfig
from hotline.channels.ari_client import ReplayMismatch, ReplayTransport
from hotline.channels.ari_state import AriConfig
from hotline.channels.telephony import CallBridged, CallHungUp
from hotline.channels.telephony_ari import AriTelephony
from hotline.core import events as ev
from hotline.core.commands import (
    AcceptReservation,
    EndContact,
    OfferContact,
    RequestCallback,
    SetPresence,
)
from hotline.live.ivr_ari import AriLine
from hotline.store.sql.database import migrate, open_database
from hotline.web.services import Services
from tests.integration.server.test_ari_live import Gated, _centre, served, wait_for

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ari"
serving: list[Gated] = []  # the replay of the test running now
CONTACT, NUMBER, OUT = "1772437200.601", "13912345678", "hotline-out-1"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    caplog.set_level(logging.DEBUG)
    lines: list[str] = []
    yield lines
    lines += [r.getMessage() for r in caplog.get_records("call")]
    assert not [r for r in lines if NUMBER in r], "a full phone number reached a log line"
    assert any("****5678" in r for r in lines)  # the masked one did: the test saw the logs


def played(replay: ReplayTransport) -> bool:
    """Every recorded line was used: the recording's last events were read."""
    try:
        replay.finish()
    except ReplayMismatch:
        return False
    return True


def _serve(tmp_path: Path, name: str) -> tuple[Gated, AriTelephony, ServerConfig]:
    url = f"sqlite:///{tmp_path / 'cb.sqlite'}"
    engine = open_database(url)
    migrate(engine)
    engine.dispose()
    replay = ReplayTransport.load(FIXTURES / name)
    gated = Gated(replay)
    tel = AriTelephony(gated, config=AriConfig(caller_id="95588"), clock=replay.now, wait_s=0.2)
    return gated, tel, ServerConfig(database_url=url, fast_hashes=True, ari=lambda: tel)


def _booked_and_accepted(client: TestClient, services: Services, line: AriLine) -> None:
    """The IVR shell's booking (its routing entry, off the loop) while rm1 is on a break (as
    when the wait is long), then rm1 is ready and accepts."""
    assert client.portal is not None
    centre = services.centre
    client.portal.call(lambda: _centre(services))
    client.portal.call(lambda: centre.execute(SetPresence(agent_id="rm1", ready=False,
                                                          reason="break")))
    now = time.time()
    line.routing.handle(OfferContact(contact_id=CONTACT, channel="voice", workflow="general",
                                     priority=0, attributes={"intent": "balance"}), now)
    line.routing.handle(RequestCallback(contact_id=CONTACT, number=NUMBER), now)
    booked = [e for _, e in centre.log.read() if isinstance(e, ev.CallbackRequested)]
    assert [e.contact_id for e in booked] == [CONTACT]
    client.portal.call(lambda: centre.execute(SetPresence(agent_id="rm1", ready=True,
                                                          reason="")))
    reservation = next(e for _, e in centre.log.read() if isinstance(e, ev.ReservationCreated))
    client.portal.call(lambda: centre.execute(
        AcceptReservation(reservation_id=reservation.reservation_id)))


def _run(tmp_path: Path, name: str, steps: object) -> tuple[list[ev.Event], AriTelephony]:
    gated, tel, config = _serve(tmp_path, name)
    serving.append(gated)
    with served(config) as (client, services, line):
        _booked_and_accepted(client, services, line)
        gated.go.set()
        assert callable(steps)
        steps(client, services, line, tel)
        events = [e for _, e in services.centre.log.read()]
    assert not line.running
    gated.replay.finish()  # every recorded request was made, in order
    return events, tel


def test_an_accepted_callback_dials_the_customer_then_bridges_the_agent(
        tmp_path: Path, logs: list[str]) -> None:
    def steps(client: TestClient, services: Services, line: AriLine, tel: AriTelephony) -> None:
        wait_for(line, "the customer on hold", lambda: tel.on_hold(OUT))
        assert not any(isinstance(e, CallBridged) for e in tel.log)  # rm1's phone rings
        wait_for(line, "the bridge", lambda: CallBridged(call_id=OUT, agent_id="rm1") in tel.log)
        assert not tel.on_hold(OUT)
        assert client.portal is not None
        client.portal.call(lambda: services.centre.execute(EndContact(contact_id=CONTACT)))
        wait_for(line, "the customer hung up", lambda: tel.ended(OUT) and not line.callbacks.calls)
        wait_for(line, "both channels gone", lambda: played(serving[-1].replay))

    events, tel = _run(tmp_path, "callback_answered_live.jsonl", steps)
    assert CallHungUp(call_id=OUT, by="system") in tel.log
    ended = [e for e in events if isinstance(e, ev.ContactEnded)]
    assert [(e.contact_id, e.agent_id) for e in ended] == [(CONTACT, "rm1")]
    assert not any(isinstance(e, ev.ContactCompleted) for e in events)  # rm1 wraps up


def test_a_callback_nobody_answers_ends_with_a_disposition_after_one_dial(
        tmp_path: Path, logs: list[str]) -> None:
    def steps(client: TestClient, services: Services, line: AriLine, tel: AriTelephony) -> None:
        wait_for(line, "the contact settled", lambda: any(
            isinstance(e, ev.ContactCompleted) for _, e in services.centre.log.read()))
        time.sleep(0.5)  # long enough for a second dial, which the replay would refuse
        assert not line.callbacks.calls

    events, _ = _run(tmp_path, "callback_no_answer_live.jsonl", steps)
    done = [e for e in events if isinstance(e, ev.ContactCompleted)]
    assert [(e.contact_id, e.agent_id, e.disposition) for e in done] == [
        (CONTACT, "rm1", "callback_no_answer")]
    assert "****5678" in done[0].notes and NUMBER not in done[0].notes
    assert not any(isinstance(e, ev.ContactAbandoned) for e in events)
