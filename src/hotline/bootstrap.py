"""The one composition root: database, event log, live centre, ports, web app, demo floor.

``build_services(config)`` must run inside the server's event loop (the asyncio clock arms the
timers of the replayed log); ``create_app`` does that in its lifespan.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI

from hotline.banking.demo import demo_bank
from hotline.banking.masking import mask_pan
from hotline.banking.model import Segment
from hotline.bootstrap_ivr import demo_ivr, start_ari
from hotline.core.commands import DefineQueue, DefineWorkflow, RegisterAgent
from hotline.core.engine import EngineConfig
from hotline.live.centre import Batch, LiveCentre
from hotline.live.clock import AsyncioClock, Clock
from hotline.live.opening_hours import OpeningHours
from hotline.live.surveys import Surveys
from hotline.live.today import Today, history_entry
from hotline.metrics.definitions import KpiDefinitions
from hotline.sim.scenario import load_scenario
from hotline.store.sql.accounts import Accounts
from hotline.store.sql.audit import AuditLog
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import Directory, load_scenario_directory
from hotline.store.sql.eventlog import SqlEventLog
from hotline.store.sql.history import ContactHistory
from hotline.store.sql.records import (
    AgentRecord,
    to_agent_profile,
    to_queue_spec,
    to_workflow,
)
from hotline.store.sql.surveys import SurveyStore
from hotline.store.sql.verification_attempts import VerificationAttempts
from hotline.web.api_hours import refresh_opening
from hotline.web.api_settings import refresh_codes, refresh_settings
from hotline.web.app import create_app
from hotline.web.retention import desk_retention
from hotline.web.security import PasswordHasherPort
from hotline.web.services import Services, Settings
from hotline.web.sql_ports import (
    SqlAccounts,
    SqlAudit,
    SqlHistory,
    SqlIdempotencyKeys,
    SqlVerificationAttempts,
)

if TYPE_CHECKING:
    from hotline.channels.telephony_ari import AriTelephony

DEMO_PASSWORD = "hotline-demo"
# How uvicorn serves the app. The stock asyncio loop keeps accepting connections while the
# loop is busy (uvloop let 600 wait at 20 calls/s in benchmarks/load.py), and a desk keeps its
# connection between commands a minute apart instead of reconnecting every 5 s.
UVICORN_OPTIONS: dict[str, Any] = {"loop": "asyncio", "timeout_keep_alive": 75}
HISTORY_FLUSH_S = 0.5  # the contact history is written behind, twice a second

logger = logging.getLogger(__name__)
# People who log in beside the simulated floor: three desk agents of their own (the demo floor
# never acts for them), a supervisor, an analyst and an administrator.
DEMO_DESKS = (("desk1", "beijing"), ("desk2", "beijing"), ("desk3", "shanghai"))
DEMO_USERS = (("agent1", "agent", "desk1"), ("agent2", "agent", "desk2"),
              ("agent3", "agent", "desk3"), ("supervisor", "supervisor", None),
              ("analyst", "analyst", None), ("admin", "admin", None))


@dataclass(kw_only=True)
class ServerConfig:
    database_url: str
    zone: str = "Asia/Shanghai"
    demo: bool = False
    scenario: str = "bank-hotline"
    speed: float = 1.0
    seed: int = 7
    fast_hashes: bool = False  # cheaper argon2 for tests and the demo's many logins
    admin_password: str | None = None
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], Clock] = AsyncioClock
    #: Calls from Asterisk (``hotline serve --telephony ari``): the adapter to take them from.
    ari: Callable[[], AriTelephony] | None = None
    #: Dialled numbers that ring one site, whose business hours their callers hear; any other
    #: number hears the whole centre's (open while any site is: live/opening_hours.py).
    opening_sites: dict[str, str] = field(default_factory=dict)


def configure_engine(centre: LiveCentre, directory: Directory) -> int:
    """Define the directory's queues, workflows and active agents the engine does not know."""
    engine = centre.engine
    n = 0
    for q in directory.list_queues():
        if q.name not in engine.queues:
            centre.execute(DefineQueue(queue=to_queue_spec(q)))
            n += 1
    for w in directory.list_workflows():
        if w.name not in engine.workflows:
            centre.execute(DefineWorkflow(workflow=to_workflow(w)))
            n += 1
    for a in directory.list_agents(active_only=True):
        if a.id not in engine.agents:
            centre.execute(RegisterAgent(profile=to_agent_profile(a)))
            n += 1
    return n


def _demo_directory(directory: Directory, scenario: Any) -> None:
    load_scenario_directory(directory, scenario)
    skills = {s.name for s in directory.list_skills()}
    # The desks can take any call of their site: every skill, Mandarin and English.
    directory.put_all(agents=[
        AgentRecord(id=desk, name=f"Desk {desk[-1]}", site=site,
                    skills={s: 6 for s in sorted(skills)}, languages=("en", "zh"),
                    capacity={"voice": 1, "email": 2, "chat": 2})
        for desk, site in DEMO_DESKS])


def build_services(config: ServerConfig) -> Services:
    engine = open_database(config.database_url)
    migrate(engine)
    directory = Directory(engine)
    scenario = None
    if config.demo:
        scenario = load_scenario(config.scenario)
        if directory.is_empty():
            _demo_directory(directory, scenario)
    log = SqlEventLog(engine)
    centre = LiveCentre(log=log, clock=config.clock(), config=EngineConfig())
    configure_engine(centre, directory)
    hasher = PasswordHasherPort(fast=config.fast_hashes)
    accounts = SqlAccounts(Accounts(engine))
    _ensure_users(config, accounts, hasher)
    zone = ZoneInfo(config.zone)
    today = Today(KpiDefinitions(), zone, centre.clock.now())
    surveys = Surveys(SurveyStore(engine), zone=zone, clock=centre.clock.now,
                      interval_minutes=today.definitions.interval_minutes)
    # One read of the log: today's KPIs, and who handled the contacts a caller may rate.
    today.replay(surveys.learning(e for _, e in log.read()))
    surveys.load()
    history = SqlHistory(ContactHistory(engine))

    def record_history(batch: Batch) -> None:
        for _, e in batch:
            entry = history_entry(e)
            if entry is not None:
                history.record(entry)

    centre.subscribe(lambda batch: today.consume(batch, centre.engine))
    centre.subscribe(record_history)

    def flush_history() -> None:
        try:
            history.flush()
        except Exception:  # a bad row must not stop the history; the log keeps the truth
            logger.exception("contact history flush failed")
        services.extra["history_flush"] = centre.clock.call_at(
            centre.clock.now() + HISTORY_FLUSH_S, flush_history)

    centre.subscribe(surveys.heard)
    services = Services(centre=centre, accounts=accounts, audit=SqlAudit(AuditLog(engine)),
                        history=history, hasher=hasher, today=today, settings=config.settings)
    services.extra["directory"] = directory
    services.extra["database"] = engine
    services.extra["surveys"] = surveys
    # The desk's refused verification attempts: in the database, so a restart of the server
    # gives a caller no fresh tries at the questions.
    services.extra["verification_attempts"] = SqlVerificationAttempts(VerificationAttempts(engine))
    _codes_and_targets(services)
    # The IVR hears the directory's hours when each call arrives; admin changes reload them.
    services.extra["opening"] = OpeningHours(zone, centre.clock.now, sites=config.opening_sites)
    refresh_opening(services)
    flush_history()
    if config.demo and scenario is not None:
        _start_demo(services, scenario, config)
    # Last: it prunes the stores the desk was given above (keys, attempts) now and hourly.
    retention = services.extra["desk_retention"] = desk_retention(services)
    retention.start()
    if config.ari is not None:
        start_ari(services, config.ari())
    return services


def _ensure_users(config: ServerConfig, accounts: SqlAccounts,
                  hasher: PasswordHasherPort) -> None:
    if config.demo:
        for username, role, agent_id in DEMO_USERS:
            if accounts.user_by_name(username) is None:
                accounts.add_user(username=username, display_name=username.title(), role=role,
                                  agent_id=agent_id, password_hash=hasher.hash(DEMO_PASSWORD))
    if config.admin_password and accounts.user_by_name("admin") is None:
        accounts.add_user(username="admin", display_name="Administrator", role="admin",
                          agent_id=None, password_hash=hasher.hash(config.admin_password))


def _codes_and_targets(services: Services) -> None:
    # The same rules as after an admin's change, so start-up and runtime agree.
    refresh_codes(services)
    refresh_settings(services)


def _start_demo(services: Services, scenario: Any, config: ServerConfig) -> None:
    from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
    from hotline.live.demo_floor import DemoFloor
    from hotline.store.sql.bank import BankStore
    from hotline.store.sql.bank_persistent import PersistentBank, PersistentDesk
    from hotline.store.sql.idempotency_keys import IdempotencyKeys

    rng = random.Random(config.seed)
    opened = datetime(2026, 1, 1, tzinfo=UTC)
    # The bank lives in the database: built on the first start (500 customers are plenty to
    # look real and take a fraction of a second), replayed from its events on every later one,
    # so transfers, freezes and approvals survive a restart (the stored bank wins over `seed`).
    # Built every start all the same: the simulated callers key its customers' cards and PINs
    # (the same seed gives the same ones), which the stored bank keeps only hashed.
    built = demo_bank(random.Random(config.seed), customers=500, opened_at=opened)
    # Replacement cards' numbers from the seed too, so a seed's demo issues the same ones.
    bank = PersistentBank.open(
        BankStore(services.extra["database"]), seed=lambda: built.bank,
        hasher=PinHasher(params=SANDBOX_PARAMS),
        pan_entropy=random.Random(f"{config.seed}/cards").randbytes)
    state = bank.state
    cards: dict[str, str] = {}
    for card in state.cards.values():  # each customer's debit card, issued first
        cards.setdefault(card.customer_id, card.card_id)

    def lookup(customer_id: str) -> dict[str, Any] | None:
        customer = state.customers.get(customer_id)
        if customer is None:
            return None
        card_id = cards.get(customer_id)
        # The card that stands for it now, once a lost one was replaced.
        pan = state.cards[state.current_card(card_id)].pan if card_id else None
        return {"customer_id": customer_id, "name": customer.masked_name,
                "segment": customer.segment.value, "province": customer.province,
                "language": customer.language, "card": mask_pan(pan) if pan else None}

    services.customers = lookup
    # Agents' transactions for verified callers over the same bank (dual control above a limit).
    services.extra["desk"] = PersistentDesk(bank)
    # The desk's web idempotency keys, written in the same transaction as the step they name:
    # a retry after a restart gets the first receipt back instead of moving the money again.
    services.extra["idempotency_keys"] = SqlIdempotencyKeys(
        IdempotencyKeys(services.extra["database"], bank=bank))
    vip = [c.customer_id for c in state.customers.values() if c.segment == Segment.VIP]
    others = [c.customer_id for c in state.customers.values() if c.segment != Segment.VIP]
    floor = DemoFloor(services.centre, scenario, rng=rng, speed=config.speed,
                      humans=frozenset(d for d, _ in DEMO_DESKS), customers=others,
                      vip_customers=vip, survey=services.extra["surveys"].answer)
    floor.configure()
    demo_ivr(services, floor, scenario, bank, built.credentials, rng)
    floor.start()
    services.demo = floor
    services.settings.demo = True


def build_app(config: ServerConfig) -> FastAPI:
    def close(services: Services) -> None:
        line = services.extra.pop("ari_line", None)
        if line is not None:
            line.close()
        if services.demo is not None:
            services.demo.stop()
        retention = services.extra.pop("desk_retention", None)
        if retention is not None:
            retention.stop()
        pending = services.extra.pop("history_flush", None)
        if pending is not None:
            pending.cancel()
        ivr_flush = services.extra.pop("ivr_flush", None)
        if ivr_flush is not None:
            ivr_flush.cancel()
            services.extra["ivr_today"].flush()
        if isinstance(services.history, SqlHistory):
            services.history.flush()
        services.extra["database"].dispose()

    app = create_app(lambda: build_services(config), close=close)
    return app
