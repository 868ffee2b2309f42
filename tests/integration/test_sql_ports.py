"""The web ports over the SQL store: the token cache and the history written behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hotline.store.sql.accounts import Accounts
from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.history import ContactHistory
from hotline.web.security import token_hash
from hotline.web.sql_ports import SqlAccounts, SqlHistory

T0 = datetime(2026, 5, 1, 9, tzinfo=UTC).timestamp()


def test_a_checked_token_is_trusted_briefly_and_logout_ends_it_at_once(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    accounts = SqlAccounts(Accounts(engine), cache_s=5.0)
    user = accounts.add_user(username="ann", display_name="Ann", role="supervisor",
                             agent_id=None, password_hash="$argon2id$v=19$m=8,t=1,p=1$x$y")
    h = token_hash("tok")
    accounts.store_token(token_hash=h, user_id=user.id, kind="session", csrf="c",
                         expires_at=T0 + 3600)
    assert accounts.session(h, T0) is not None
    accounts.store.update_user(user.id, disabled=True)
    assert accounts.session(h, T0 + 1) is not None  # trusted from the cache for 5 s
    assert accounts.session(h, T0 + 6) is None  # then the database says no
    accounts.store.update_user(user.id, disabled=False)
    assert accounts.session(h, T0 + 7) is not None
    accounts.revoke_token(h)
    assert accounts.session(h, T0 + 7.5) is None  # logout is immediate
    engine.dispose()


def test_history_rows_merge_in_memory_and_land_in_one_flush(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    history = SqlHistory(ContactHistory(engine))
    history.record({"contact_id": "c1", "customer_id": "C1", "channel": "voice",
                    "queue": "cards", "offered_at": T0, "outcome": "waiting"})
    history.record({"contact_id": "c1", "agent_id": "a1", "answered_at": T0 + 5,
                    "outcome": "connected"})
    assert history.recent_for_customer("C1")[0]["outcome"] == "connected"  # seen before flush
    assert history.store.get_contact("c1") is None
    assert history.flush() == 1
    history.record({"contact_id": "c1", "ended_at": T0 + 60, "outcome": "completed",
                    "disposition": "resolved"})  # a later step of a flushed contact
    history.flush()
    row = history.store.get_contact("c1")
    assert row is not None and (row.agent_id, row.outcome, row.disposition) == \
        ("a1", "completed", "resolved")
    engine.dispose()


def test_disabling_or_revoking_through_the_port_ends_cached_sessions_at_once(
        tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    accounts = SqlAccounts(Accounts(engine), cache_s=5.0)
    user = accounts.add_user(username="ann", display_name="Ann", role="supervisor",
                             agent_id=None, password_hash="$argon2id$v=19$m=8,t=1,p=1$x$y")
    h1, h2 = token_hash("tok1"), token_hash("tok2")
    for h in (h1, h2):
        accounts.store_token(token_hash=h, user_id=user.id, kind="api", csrf=None,
                             expires_at=T0 + 3600)
        assert accounts.session(h, T0) is not None  # now cached
    saved = accounts.update_user(replace(user, role="analyst", display_name="Ann Wu"))
    assert (saved.role, saved.display_name) == ("analyst", "Ann Wu")
    session = accounts.session(h1, T0 + 1)
    assert session is not None and session.user.role == "analyst"  # not the cached role
    assert accounts.revoke_sessions(user.id) == 2
    assert accounts.session(h1, T0 + 1.5) is None and accounts.session(h2, T0 + 1.5) is None
    accounts.set_password(user.id, "$argon2id$v=19$m=8,t=1,p=1$x$z")
    found = accounts.user_by_name("ann")
    assert found is not None and found.password_hash.endswith("$z")
    engine.dispose()
