"""A small live centre behind the API, on a manual clock and in-memory ports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hotline.core.commands import DefineQueue, DefineWorkflow, OfferContact, RegisterAgent
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.live.centre import LiveCentre
from hotline.live.clock import ManualClock
from hotline.live.today import Today
from hotline.metrics.definitions import KpiDefinitions
from hotline.store.eventlog_memory import InMemoryEventLog
from hotline.web.app import create_app
from hotline.web.memory import MemoryAccounts, MemoryAudit, MemoryHistory
from hotline.web.ports import ROLES
from hotline.web.security import PasswordHasherPort
from hotline.web.services import Services, Settings

START = 1_780_000_000.0  # 2026-05-28, a Thursday, 04:26 in Shanghai
PASSWORD = "correct horse battery"
HASHER = PasswordHasherPort(fast=True)
HASH = HASHER.hash(PASSWORD)


@dataclass
class World:
    services: Services
    clock: ManualClock
    log: InMemoryEventLog

    def offer(self, contact_id: str, **attributes: Any) -> None:
        self.services.centre.execute(OfferContact(
            contact_id=contact_id, channel="voice", workflow="cards", attributes=attributes))


def build_world() -> World:
    clock = ManualClock(START)
    log = InMemoryEventLog()
    centre = LiveCentre(log=log, clock=clock)
    for name in ("cards", "vip"):
        centre.execute(DefineQueue(queue=QueueSpec(name=name, expression=f"skills.{name} >= 1",
                                                   site="bj")))
    centre.execute(DefineWorkflow(workflow=Workflow(
        name="cards", steps=(WorkflowStep(queue="cards", timeout_s=None),), wrap_up_s=60.0)))
    for agent_id in ("a1", "a2"):
        centre.execute(RegisterAgent(profile=AgentProfile(
            agent_id=agent_id, site="bj", skills={"cards": 5}, languages=frozenset({"zh"}),
            capacity={"voice": 1})))
    accounts = MemoryAccounts()
    for role in ROLES:
        accounts.add_user(username=role, display_name=role.title(), role=role,
                          agent_id="a1" if role == "agent" else None, password_hash=HASH)
    accounts.add_user(username="agent2", display_name="Agent Two", role="agent",
                      agent_id="a2", password_hash=HASH)
    zone = ZoneInfo("Asia/Shanghai")
    today = Today(KpiDefinitions(), zone, clock.now())
    today.replay(e for _, e in log.read())
    centre.subscribe(lambda batch: today.consume(batch, centre.engine))
    history = MemoryHistory()
    services = Services(centre=centre, accounts=accounts, audit=MemoryAudit(), history=history,
                        hasher=HASHER, today=today, settings=Settings(wallboard_period_s=0.05),
                        customers=lambda cid: {"name": "W*** Li", "card": "6222 **** **** 1234"}
                        if cid else None)
    return World(services=services, clock=clock, log=log)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    app = create_app(lambda: world.services)
    with TestClient(app) as c:
        yield c


def login(client: TestClient, username: str) -> dict[str, str]:
    """Log in with a cookie session; returns the CSRF header to send with changes."""
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/tokens", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["token"]}
