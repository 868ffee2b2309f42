"""Where the database is, opening it, and bringing its schema up to date.

SQLite is the default (one file, ``hotline.sqlite``); ``HOTLINE_DATABASE_URL`` selects another,
such as PostgreSQL (``postgresql://user:pass@host/db``, run through psycopg 3).

SQLite connections run in WAL mode with ``synchronous=NORMAL``: a commit is written to the WAL
before it returns, so a killed process loses nothing that was committed; only a power cut or an
OS crash may lose the last commits (never corrupting the file). That is the trade we want: the
server commits once per command, hundreds of times a second, and ``FULL`` would fsync each.

>>> database_url(env={})
'sqlite:///hotline.sqlite'
>>> database_url(env={"HOTLINE_DATABASE_URL": "postgresql://hl@db/hotline"})
'postgresql+psycopg://hl@db/hotline'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from hotline.store.sql.errors import DatabaseConfigError

ENV_VAR = "HOTLINE_DATABASE_URL"
DEFAULT_PATH = "hotline.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for SQLite's write lock before giving up

_POSTGRES_NAMES = {"postgres", "postgresql", "postgresql+psycopg"}


def database_url(path: str | Path = DEFAULT_PATH, *, env: Mapping[str, str] | None = None) -> str:
    """``$HOTLINE_DATABASE_URL`` (normalised) if set and not blank, else SQLite at ``path``."""
    env = os.environ if env is None else env
    configured = env.get(ENV_VAR, "").strip()
    if configured:
        return normalise_url(configured, field=ENV_VAR)
    if not str(path).strip():
        raise DatabaseConfigError("path", "is empty")
    return f"sqlite:///{path}"


def normalise_url(url: str | URL, *, field: str = "database_url") -> str:
    """The URL with PostgreSQL pointed at psycopg 3; only SQLite and PostgreSQL are accepted.

    >>> normalise_url("postgres://u:p@h:5433/d")
    'postgresql+psycopg://u:p@h:5433/d'
    """
    parsed = _parse(url, field)
    return parsed.render_as_string(hide_password=False)


def _parse(url: str | URL, field: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseConfigError(field, "not a database URL (use sqlite:///PATH or "
                                         "postgresql://USER@HOST/DATABASE)") from None
    if parsed.drivername in _POSTGRES_NAMES:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        return parsed
    raise DatabaseConfigError(field, f"unsupported database '{parsed.drivername}' "
                                     "(use sqlite:///PATH or postgresql://USER@HOST/DATABASE)")


def open_database(url: str | URL, *, echo: bool = False) -> Engine:
    """An ``Engine`` for ``url``; SQLite connections get WAL, foreign keys and a busy timeout.

    The file's folder is created if missing. ``sqlite://`` (in memory) shares one connection
    across threads, so every session sees the same database.
    """
    parsed = _parse(url, "database_url")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, echo=echo)
    memory = parsed.database in (None, "", ":memory:")
    options: dict[str, Any] = {}
    if memory:
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, echo=echo, **options)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def alembic_config() -> Config:
    """Alembic's configuration built in code: no ``alembic.ini`` is needed at runtime."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(target: Engine | str | URL, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (all of them by default); running twice is fine."""
    engine = target if isinstance(target, Engine) else open_database(target)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if engine is not target:
            engine.dispose()


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None  # there is at least the first migration
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's migration revision; None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
