"""Finding, opening and migrating the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from hotline.store.sql.database import (
    current_revision,
    database_url,
    head_revision,
    migrate,
    normalise_url,
    open_database,
)
from hotline.store.sql.errors import DatabaseConfigError
from hotline.store.sql.eventlog import SqlEventLog
from hotline.store.sql.schema import metadata
from hotline.store.sql.testing import (
    create_throwaway_postgres,
    postgres_admin_url,
    postgres_required,
    postgres_unavailable,
    sqlite_url,
)

TABLES = {"events", "users", "auth_tokens", "login_attempts", "skills", "agents", "queues",
          "workflows", "reason_codes", "wrap_up_codes", "kpi_targets", "business_hours",
          "holidays", "audit_log", "contact_history", "surveys", "bank_events", "bank_audit",
          "bank_desk", "idempotency_keys", "verification_attempts", "ivr_days"}


# --- the URL -------------------------------------------------------------------------------------
def test_default_is_sqlite_at_the_given_path() -> None:
    assert database_url(env={}) == "sqlite:///hotline.sqlite"
    assert database_url("/var/lib/hotline/db.sqlite", env={}) == \
        "sqlite:////var/lib/hotline/db.sqlite"
    assert database_url("x.sqlite", env={"HOTLINE_DATABASE_URL": "  "}) == "sqlite:///x.sqlite"


@pytest.mark.parametrize(("configured", "expected"), [
    ("postgresql://hl:pw@db:5433/hotline", "postgresql+psycopg://hl:pw@db:5433/hotline"),
    ("postgres://hl@db/hotline", "postgresql+psycopg://hl@db/hotline"),
    ("postgresql+psycopg://hl@db/hotline", "postgresql+psycopg://hl@db/hotline"),
    ("sqlite:////data/h.sqlite", "sqlite:////data/h.sqlite"),
])
def test_the_environment_wins_and_postgresql_goes_through_psycopg3(configured: str,
                                                                   expected: str) -> None:
    assert database_url("ignored.sqlite", env={"HOTLINE_DATABASE_URL": configured}) == expected


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://u@h/d", "HOTLINE_DATABASE_URL: unsupported database 'mysql' "
                      "(use sqlite:///PATH or postgresql://USER@HOST/DATABASE)"),
    ("not a url", "HOTLINE_DATABASE_URL: not a database URL "
                  "(use sqlite:///PATH or postgresql://USER@HOST/DATABASE)"),
])
def test_unusable_urls_are_refused_naming_the_variable(url: str, message: str) -> None:
    with pytest.raises(DatabaseConfigError) as info:
        database_url(env={"HOTLINE_DATABASE_URL": url})
    assert str(info.value) == message


def test_an_empty_path_is_refused() -> None:
    with pytest.raises(DatabaseConfigError, match=r"^path: is empty$"):
        database_url("", env={})


def test_normalise_url_keeps_the_password() -> None:
    assert normalise_url("postgresql://u:s%40cret@h/d") == "postgresql+psycopg://u:s%40cret@h/d"


# --- SQLite settings -----------------------------------------------------------------------------
def test_sqlite_connections_use_wal_normal_sync_and_foreign_keys(tmp_path: Path) -> None:
    engine = open_database(sqlite_url(tmp_path / "sub" / "dir" / "h.sqlite"))
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        engine.dispose()
    assert (tmp_path / "sub" / "dir" / "h.sqlite").is_file()


def test_in_memory_sqlite_is_one_database_for_every_connection() -> None:
    engine = open_database("sqlite://")
    migrate(engine)
    assert "events" in inspect(engine).get_table_names()
    assert SqlEventLog(engine).last_seq() == 0


def test_committed_appends_survive_a_killed_process(tmp_path: Path) -> None:
    # WAL + synchronous=NORMAL: a commit is in the WAL before append returns, so SIGKILL right
    # after it (no close, no checkpoint) loses nothing.
    url = sqlite_url(tmp_path / "h.sqlite")
    migrate(url)
    script = textwrap.dedent(f"""
        import os, signal
        from hotline.core.events import WakeUpRequested
        from hotline.store.sql.database import open_database
        from hotline.store.sql.eventlog import SqlEventLog
        log = SqlEventLog(open_database({url!r}))
        for n in range(50):
            log.append([WakeUpRequested(at=float(n), key=f"k{{n}}", due=1.0)])
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == -9, done.stderr
    assert (tmp_path / "h.sqlite-wal").stat().st_size > 0  # the events are in the WAL only
    engine = open_database(url)
    try:
        log = SqlEventLog(engine)
        assert log.last_seq() == 50
        assert [e.key for _, e in log.read()] == [f"k{n}" for n in range(50)]  # type: ignore[attr-defined]
    finally:
        engine.dispose()


# --- migrations ----------------------------------------------------------------------------------
def test_migrations_create_every_table_and_match_the_schema(fresh_url: str) -> None:
    engine = open_database(fresh_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
        assert set(metadata.tables) == TABLES
        assert current_revision(engine) == head_revision() == "0006"
        with engine.connect() as c:
            # What the migrations built is what schema.py describes: columns, types,
            # nullability, keys and indexes.
            assert compare_metadata(
                MigrationContext.configure(c, opts={"compare_type": True}), metadata) == []
    finally:
        engine.dispose()


def test_migrating_twice_changes_nothing(fresh_url: str) -> None:
    migrate(fresh_url)
    engine = open_database(fresh_url)
    try:
        SqlEventLog(engine).append([])
        with engine.begin() as c:
            c.execute(text("INSERT INTO skills (name, description) VALUES ('cards', '')"))
        migrate(engine)
        migrate(fresh_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT name FROM skills")).scalars().all() == ["cards"]
            assert c.execute(text("SELECT version_num FROM alembic_version")).all() == \
                [("0006",)]
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(text("INSERT INTO auth_tokens (token_hash, user_id, kind, created_at) "
                       "VALUES ('ab', 999, 'session', CURRENT_TIMESTAMP)"))


# --- throw-away PostgreSQL databases -------------------------------------------------------------
def test_an_unreachable_server_is_reported_with_the_reason() -> None:
    reason = postgres_unavailable("postgresql://nobody@127.0.0.1:1/postgres")
    assert reason is not None
    assert reason.startswith("PostgreSQL at postgresql+psycopg://nobody@127.0.0.1:1/postgres "
                             "is unreachable: ")


def test_settings_of_the_test_server() -> None:
    assert postgres_admin_url({}) == "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    assert postgres_admin_url({"HOTLINE_TEST_POSTGRES_URL": "postgresql://u@h/x"}) == \
        "postgresql+psycopg://u@h/x"
    assert postgres_required({"HOTLINE_REQUIRE_POSTGRES": "1"})
    assert not postgres_required({"HOTLINE_REQUIRE_POSTGRES": "0"})
    assert not postgres_required({})


def test_a_throwaway_database_is_dropped_afterwards(postgres_server: str) -> None:
    engine = connection = None
    try:
        with create_throwaway_postgres(postgres_server) as url:
            name = url.rsplit("/", 1)[1]
            assert re.fullmatch(r"hotline_test_[0-9a-f]{12}", name)
            engine = open_database(url)
            connection = engine.connect()  # left open on purpose: the drop must end it
            assert connection.execute(text("SELECT current_database()")).scalar() == name
        admin = create_engine(postgres_server)
        try:
            with admin.connect() as c:
                assert c.execute(text("SELECT COUNT(*) FROM pg_database WHERE datname = :n"),
                                 {"n": name}).scalar() == 0
        finally:
            admin.dispose()
    finally:
        # Closed here, not by the garbage collector: a finaliser running inside a later
        # ast.parse trips CPython 3.11's "AST constructor recursion depth mismatch".
        if connection is not None:
            connection.invalidate()
            connection.close()
        if engine is not None:
            engine.dispose()
