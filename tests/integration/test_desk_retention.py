"""The server prunes the desk's idempotency keys and refused verification attempts older than
the retention (30 days by default) when it starts and every hour after; with an injected clock,
on SQLite, as the server and the demo (whose desk holds the keys it wrote) run it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hotline.bootstrap import ServerConfig, build_app
from hotline.live.clock import ManualClock
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.idempotency_keys import IdempotencyKeys, IdempotencyRecord
from hotline.store.sql.schema import idempotency_keys, verification_attempts
from hotline.store.sql.verification_attempts import VerificationAttempts
from hotline.web.retention import PRUNE_EVERY_S
from hotline.web.services import Settings

T = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
# Kept until the retention (30 days) has passed: at start, within the hour, and for good.
AGES = {"old": timedelta(days=31), "edge": timedelta(days=30) - timedelta(minutes=30),
        "new": timedelta(days=1)}


def _seed(url: str) -> None:
    engine = open_database(url)
    try:
        migrate(engine)
        keys, attempts = IdempotencyKeys(engine), VerificationAttempts(engine)
        for name, age in AGES.items():
            keys.put(IdempotencyRecord(key=f"key-{name}", fingerprint=hashlib.sha256(
                name.encode()).hexdigest(), contact_id=name, at=T - age, request_id=f"{name}/R1"))
            attempts.refuse(contact_id=name, customer_id="A", at=T - age)
    finally:
        engine.dispose()


def _left(url: str) -> tuple[set[str], set[str]]:
    """The contacts whose key and whose attempts are still kept."""
    engine = open_database(url)
    try:
        with engine.connect() as c:
            return (set(c.execute(select(idempotency_keys.c.contact_id)).scalars()),
                    set(c.execute(select(verification_attempts.c.contact_id)).scalars()))
    finally:
        engine.dispose()


@pytest.mark.parametrize("demo", [False, True], ids=["serve", "demo"])
def test_old_keys_and_attempts_go_at_start_and_each_hour(tmp_path: Path, demo: bool) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    _seed(url)
    clock = ManualClock(T.timestamp())
    config = ServerConfig(database_url=url, demo=demo, seed=3, fast_hashes=True,
                          clock=lambda: clock)
    app = build_app(config)
    with TestClient(app):
        assert _left(url) == ({"edge", "new"}, {"edge", "new"})
        services = app.state.services
        retention = services.extra["desk_retention"]
        if demo:
            # The desk's own keys are pruned (so it forgets those it holds in memory too). Its
            # floor would take an hour of calls to move this clock on: a round an hour on.
            assert retention.stores["idempotency_keys"] is services.extra["idempotency_keys"].store
            replace(retention, clock=ManualClock(T.timestamp() + PRUNE_EVERY_S)).prune()
        else:
            clock.advance(PRUNE_EVERY_S)
        assert _left(url) == ({"new"}, {"new"})
    assert _left(url) == ({"new"}, {"new"})


def test_a_retention_of_its_own_is_kept_and_one_under_a_day_is_refused(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    _seed(url)
    clock = ManualClock(T.timestamp())
    week = ServerConfig(database_url=url, clock=lambda: clock,
                        settings=Settings(desk_retention_s=7 * 86400.0))
    with TestClient(build_app(week)):
        assert _left(url) == ({"new"}, {"new"})
    with pytest.raises(ValueError, match=r"^desk_retention_s: must be at least 86400 s"):
        Settings(desk_retention_s=3600.0)
