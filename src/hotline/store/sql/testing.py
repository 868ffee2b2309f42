"""Throw-away databases for tests: a fresh PostgreSQL database, or a fresh SQLite file.

>>> with create_throwaway_postgres() as url:   # doctest: +SKIP
...     migrate(url)                            # hotline_test_<hex> exists only in here

``HOTLINE_TEST_POSTGRES_URL`` names the server (default: the local one, user postgres, trust
authentication); ``HOTLINE_REQUIRE_POSTGRES=1`` makes an unreachable server an error in the
test fixtures instead of a skip (CI sets it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from hotline.store.sql.database import normalise_url
from hotline.store.sql.schema import metadata

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL_VAR = "HOTLINE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VAR = "HOTLINE_REQUIRE_POSTGRES"


def postgres_admin_url(env: Mapping[str, str] | None = None) -> str:
    """The server to create test databases on: ``$HOTLINE_TEST_POSTGRES_URL`` or the local one."""
    env = os.environ if env is None else env
    return normalise_url(env.get(POSTGRES_URL_VAR, "").strip() or DEFAULT_POSTGRES_URL,
                         field=POSTGRES_URL_VAR)


def postgres_required(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get(REQUIRE_POSTGRES_VAR, "").strip() not in ("", "0")


def postgres_unavailable(admin_url: str | None = None) -> str | None:
    """Why PostgreSQL cannot be used for tests, or None when it can."""
    url = normalise_url(admin_url or postgres_admin_url())
    engine = _admin_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return f"PostgreSQL at {_safe(url)} is unreachable: {reason}"
    finally:
        engine.dispose()
    return None


@contextmanager
def create_throwaway_postgres(admin_url: str | None = None) -> Iterator[str]:
    """Create ``hotline_test_<random hex>`` on the server, yield its URL, drop it afterwards."""
    url = make_url(normalise_url(admin_url or postgres_admin_url()))
    name = f"hotline_test_{secrets.token_hex(6)}"
    admin = _admin_engine(url.render_as_string(hide_password=False))
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                # FORCE ends connections a test left open (PostgreSQL 13+).
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def sqlite_url(path: str | Path) -> str:
    return f"sqlite:///{path}"


def clear_tables(engine: Engine) -> None:
    """Delete every row of every table (children first), keeping the schema: a clean slate
    between tests on a database migrated once."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One round trip (psycopg sends a statement without parameters as a simple query).
            connection.exec_driver_sql("; ".join(f'DELETE FROM "{t}"' for t in tables))
        else:
            for table in reversed(metadata.sorted_tables):
                connection.execute(delete(table))


def _admin_engine(url: str) -> Engine:
    return create_engine(normalise_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 3})


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
