"""Databases for the SQL store tests, on SQLite (a temporary file) and a real PostgreSQL.

Other test packages reuse these fixtures by importing them into their own ``conftest.py``:

    from tests.integration.store_sql.conftest import (  # noqa: F401
        backend, db_url, engine, pg_database, pg_engine, postgres_server, sqlite_template)

``db_url`` is a migrated, empty database of each backend (SQLite: a copy of a file migrated
once; PostgreSQL: one throw-away database per session, emptied before each test), ``engine``
an engine on it (on PostgreSQL one engine for the session, so connections stay warm: do not
dispose it).
PostgreSQL cases skip when the server is unreachable, or fail if ``HOTLINE_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.testing import (
    clear_tables,
    create_throwaway_postgres,
    postgres_admin_url,
    postgres_required,
    postgres_unavailable,
    sqlite_url,
)

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the PostgreSQL server; skips (or fails) when it is unreachable."""
    url = postgres_admin_url()
    reason = postgres_unavailable(url)
    if reason is not None:
        if postgres_required():
            pytest.fail(f"{reason} (HOTLINE_REQUIRE_POSTGRES is set)")
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session")
def pg_database(postgres_server: str) -> Iterator[str]:
    """One migrated throw-away PostgreSQL database for the session."""
    with create_throwaway_postgres(postgres_server) as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_database: str) -> Iterator[Engine]:
    engine = open_database(pg_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy (copying is faster than migrating every time)."""
    path = tmp_path_factory.mktemp("sqlite_template") / "hotline.sqlite"
    migrate(sqlite_url(path))  # disposing the engine checkpoints the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of ``backend``."""
    if backend == "sqlite":
        path = tmp_path / "hotline.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return sqlite_url(path)
    clear_tables(request.getfixturevalue("pg_engine"))
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def engine(backend: str, db_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if backend == "postgresql":
        yield request.getfixturevalue("pg_engine")
        return
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of ``backend`` that was never migrated."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path / "fresh.sqlite")
        return
    with create_throwaway_postgres(request.getfixturevalue("postgres_server")) as url:
        yield url
