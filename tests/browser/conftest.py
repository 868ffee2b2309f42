"""A live Hotline server for the browser tests, and Debian's Chromium driven by Playwright.

The server runs uvicorn in a thread on a free loopback port. Its centre is the unit tests'
small world (queues cards/vip, agents a1/a2, users agent/agent2/supervisor/analyst/admin) on
the real asyncio clock, built inside the server's event loop by ``create_app``. Tests change
the floor through ``LiveServer.call``, which runs on that loop (the only thread that may touch
the centre), and read back when each event was published from ``LiveServer.published``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, ViewportSize, sync_playwright

from hotline.core import events as ev
from hotline.core.commands import DefineQueue, DefineWorkflow, OfferContact, RegisterAgent
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.live.centre import Batch, LiveCentre
from hotline.live.clock import AsyncioClock
from hotline.live.today import Today, history_entry
from hotline.metrics.definitions import KpiDefinitions
from hotline.store.eventlog_memory import InMemoryEventLog
from hotline.web import pages
from hotline.web.app import create_app
from hotline.web.memory import MemoryAccounts, MemoryAudit, MemoryHistory
from hotline.web.ports import ROLES
from hotline.web.services import Services, Settings
from tests.unit.web.conftest import HASH, HASHER, PASSWORD

T = TypeVar("T")
NewContext = Callable[[], BrowserContext]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
CUSTOMERS = {"cust-9": {"name": "W*** Li", "card": "6222 **** **** 0123"},
             "cust-7": {"name": "Z*** Wei", "card": "4367 **** **** 5521"}}

__all__ = ["PASSWORD", "SCREENSHOTS", "VIEWPORT", "LiveServer", "NewContext"]


@dataclass
class LiveServer:
    url: str
    loop: asyncio.AbstractEventLoop
    services: Services
    # (wall time when the centre published it, the event as the stream sends it)
    published: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    def call(self, fn: Callable[[], T], timeout_s: float = 5.0) -> T:
        """Run ``fn`` on the server's event loop and return what it returns."""
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except BaseException as exc:  # handed to the test thread, raised there
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(timeout_s)

    def offer(self, contact_id: str, *, workflow: str = "cards", **attributes: Any) -> float:
        """A caller's contact enters ``workflow`` now; returns the wall time it was done."""
        def run() -> float:
            self.services.centre.execute(OfferContact(
                contact_id=contact_id, channel="voice", workflow=workflow,
                attributes=attributes))
            return time.time()
        return self.call(run)

    def when(self, event_type: str, **match: Any) -> float:
        """When the first published event of that type (with those fields) was published."""
        for at, e in self.published:
            if e["type"] == event_type and all(e.get(k) == v for k, v in match.items()):
                return at
        raise AssertionError(f"no {event_type} {match} published; got "
                             f"{[e['type'] for _, e in self.published]}")


def build_services() -> tuple[Services, list[tuple[float, dict[str, Any]]]]:
    """The unit tests' world on the asyncio clock; call inside the server's event loop."""
    clock = AsyncioClock()
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
    today = Today(KpiDefinitions(), ZoneInfo("Asia/Shanghai"), clock.now())
    today.replay(e for _, e in log.read())
    history = MemoryHistory()
    # An earlier call from the test customer, so the desktop has recent contacts to show.
    history.record({"contact_id": "old-1", "customer_id": "cust-9", "channel": "voice",
                    "queue": "cards", "offered_at": clock.now() - 86400.0, "agent_id": "a2",
                    "outcome": "completed", "disposition": "info",
                    "notes": "asked about the annual fee"})
    published: list[tuple[float, dict[str, Any]]] = []

    def listen(batch: Batch) -> None:
        now = time.time()
        published.extend((now, ev.to_dict(e)) for _, e in batch)
        today.consume(batch, centre.engine)
        for _, e in batch:
            entry = history_entry(e)
            if entry is not None:
                history.record(entry)

    centre.subscribe(listen)
    services = Services(centre=centre, accounts=accounts, audit=MemoryAudit(), history=history,
                        hasher=HASHER, today=today, settings=Settings(),
                        customers=lambda cid: CUSTOMERS.get(cid))
    return services, published


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    built: dict[str, Any] = {}

    def build() -> Services:
        services, published = build_services()
        built.update(services=services, published=published, loop=asyncio.get_running_loop())
        return services

    app = create_app(build)  # with the pages: create_app mounts them
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              name="hotline-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", loop=built["loop"],
                         services=built["services"], published=built["published"])
    finally:
        server.should_exit = True
        thread.join(5.0)
        sock.close()


def _missing(reason: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, which installs everything (.ci/run)."""
    if os.environ.get("HOTLINE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    if not (pages.VENDOR_DIR / "uplot" / "uPlot.esm.js").exists():
        _missing("the wallboard's chart library is missing: run frontend/build.sh")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Opens browser contexts (one per person) at 1366×768; closes them after the test."""
    opened: list[BrowserContext] = []

    def open_one() -> BrowserContext:
        context = browser.new_context(viewport=VIEWPORT)
        opened.append(context)
        return context

    yield open_one
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if found is None:
        _missing("node is missing: install Node.js to check view.js against view.py")
    return found
