"""`hotline serve --telephony ari` as wired by bootstrap: a call from Asterisk (a recorded ARI
sequence, tests/fixtures/ari/agent_call_live.jsonl, replayed by the fake transport) walks the
shipped flow against the stored sandbox bank on the worker thread, asks for an agent and waits
in the live centre with what the IVR learnt (a masked card), hearing music on hold once the IVR's
last words were said; the agent accepts, the agent's phone is rung, the music stops and both
are bridged over ARI; the agent ends the contact, the caller answers the survey
and the server's close stops the worker and closes the event stream. The replay fails the
test on any request other than the recorded ones; no PIN or card number reaches a log line,
an adapter event or the event log.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hotline.banking.demo import DemoCredential, demo_bank
from hotline.banking.masking import mask_pan
from hotline.banking.model import Segment
from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
from hotline.bootstrap import ServerConfig, build_services
from hotline.channels.ari_client import Frame, ReplayTransport
from hotline.channels.telephony import CallBridged, CallHungUp
from hotline.channels.telephony_ari import AriTelephony
from hotline.core import events as ev
from hotline.core.commands import (
    AcceptReservation,
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    RegisterAgent,
)
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.live.ivr_ari import AriLine
from hotline.store.sql.bank import BankStore
from hotline.store.sql.bank_persistent import PersistentBank
from hotline.store.sql.database import migrate, open_database
from hotline.web.app import create_app
from hotline.web.services import Services

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ari" / "agent_call_live.jsonl"
CALL = "1772434800.501"
CST = timezone(timedelta(hours=8))


class Gated:
    """The replay, held until the centre is set up (``go``); it waits a little real time
    whenever nothing is due, so that recorded time does not race past the test's steps."""

    def __init__(self, replay: ReplayTransport) -> None:
        self.replay = replay
        self.go = threading.Event()
        self.closed = False

    def request(self, method: str, path: str, params: Mapping[str, str]) -> object:
        return self.replay.request(method, path, params)

    def receive(self, timeout_s: float) -> Frame | None:
        if not self.go.is_set():
            time.sleep(0.01)
            return None
        frame = self.replay.receive(timeout_s)
        if frame is None:
            time.sleep(0.005)
        return frame

    def close(self) -> None:
        self.closed = True


def _bank(database_url: str) -> DemoCredential:
    """The stored bank the server opens: demo customers, as the recording keyed them."""
    demo = demo_bank(random.Random(20260302), customers=60, vip_share=0.1,
                     opened_at=datetime(2026, 3, 1, tzinfo=CST))
    engine = open_database(database_url)
    migrate(engine)
    PersistentBank.open(BankStore(engine), seed=lambda: demo.bank,
                        hasher=PinHasher(params=SANDBOX_PARAMS))
    engine.dispose()
    return next(c for c in demo.credentials if c.segment is Segment.MASS)


def _centre(services: Services) -> None:
    """The shipped flows hand calls to "general"; agent rm1 takes them."""
    centre = services.centre
    centre.execute(DefineQueue(queue=QueueSpec(name="general", expression="skills.cards >= 1")))
    centre.execute(DefineWorkflow(workflow=Workflow(
        name="general", steps=(WorkflowStep(queue="general", timeout_s=None),), wrap_up_s=30.0)))
    centre.execute(RegisterAgent(profile=AgentProfile(
        agent_id="rm1", site="bj", skills={"cards": 5}, languages=frozenset({"en", "zh"}),
        capacity={"voice": 1})))
    centre.execute(LogIn(agent_id="rm1", ready=True))


def wait_for(line: AriLine, what: str, check: Callable[[], bool], timeout_s: float = 60.0
             ) -> None:
    end = time.monotonic() + timeout_s
    while not check():
        # A request off the recording ends the call (or the line): fail at once, not later.
        assert line.failed == 0 and line.running, f"the ARI line failed before {what}"
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout_s} s for {what}")
        time.sleep(0.02)


@pytest.fixture
def secrets_checked(caplog: pytest.LogCaptureFixture) -> Iterator[set[str]]:
    caplog.set_level(logging.DEBUG)
    found: set[str] = set()
    yield found
    records = [r.getMessage() for r in caplog.records]
    assert not [r for r in records if "ARI line stopped" in r], records
    for secret in found:
        leaked = [r for r in records if secret in r]
        assert not leaked, f"secret leaked into a log line: {leaked[0][:80]}"


@contextmanager
def served(config: ServerConfig) -> Iterator[tuple[TestClient, Services, AriLine]]:
    """The app of ``config`` in a test client, with its ARI line; stops the line on leaving."""
    built: list[Services] = []

    def build() -> Services:
        built.append(build_services(config))
        return built[0]

    def close(services: Services) -> None:
        services.extra.pop("ari_line").close()
        services.extra["database"].dispose()

    with TestClient(create_app(build, close=close)) as client:
        line = built[0].extra["ari_line"]
        assert isinstance(line, AriLine)
        yield client, built[0], line


def test_a_call_from_asterisk_reaches_an_agent_over_an_ari_bridge_then_the_survey(
        tmp_path: Path, secrets_checked: set[str]) -> None:
    url = f"sqlite:///{tmp_path / 'ari.sqlite'}"
    cred = _bank(url)
    secrets_checked |= {cred.pan, cred.pin}
    replay = ReplayTransport.load(FIXTURE)
    gated = Gated(replay)
    tel = AriTelephony(gated, clock=replay.now, wait_s=0.2)
    config = ServerConfig(database_url=url, fast_hashes=True, ari=lambda: tel)
    with served(config) as (client, services, line):
        assert line.running
        centre = services.centre
        assert client.portal is not None
        client.portal.call(lambda: _centre(services))
        gated.go.set()

        def logged() -> list[ev.Event]:
            return [e for _, e in centre.log.read()]

        wait_for(line, "the reservation", lambda: any(
            isinstance(e, ev.ReservationCreated) for e in logged()))
        queued = [e for e in logged() if isinstance(e, ev.ContactQueued)]
        assert [e.contact_id for e in queued] == [CALL]
        attributes: dict[str, Any] = dict(queued[0].attributes)
        assert attributes["intent"] == "balance"
        assert attributes["authenticated"] == "true"
        assert attributes["customer_id"] == cred.customer_id
        assert attributes["card"] == mask_pan(cred.pan) != cred.pan
        assert not any(isinstance(e, CallBridged) for e in tel.log)  # nobody accepted yet
        wait_for(line, "music on hold", lambda: tel.on_hold(CALL))

        reservation = next(e for e in logged() if isinstance(e, ev.ReservationCreated))
        client.portal.call(lambda: centre.execute(
            AcceptReservation(reservation_id=reservation.reservation_id)))
        wait_for(line, "the bridge", lambda: CallBridged(call_id=CALL, agent_id="rm1") in tel.log)
        assert not tel.on_hold(CALL)  # stopped before the caller joined the bridge

        client.portal.call(lambda: centre.execute(EndContact(contact_id=CALL)))
        wait_for(line, "the survey and the hang-up", lambda: tel.ended(CALL) and not line.runs)
        wait_for(line, "today's figures", lambda: services.extra["ivr_today"].report().entered == 1)
        report = services.extra["ivr_today"].report()
        assert dict(report.outcomes) == {"enqueued": 1} and report.survey_answers == 1
        events = logged()
        assert any(isinstance(e, ev.ContactEnded) for e in events)
        assert not any(isinstance(e, ev.ContactAbandoned) for e in events)
        assert line.failed == 0
        assert CallHungUp(call_id=CALL, by="system") in tel.log

    assert not line.running  # the server's close stopped the worker
    assert gated.closed  # and it closed the event stream on its way out
    replay.finish()  # every recorded request was made, in order
    records = [*map(repr, tel.log), *map(str, tel.log), *map(repr, events)]
    for secret in (cred.pan, cred.pin):
        assert not [r for r in records if secret in r], "a secret reached an event"
