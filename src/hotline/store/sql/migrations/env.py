"""Alembic's environment: runs the migrations on the connection ``migrate`` hands over.

``hotline.store.sql.database.migrate`` puts an open connection in ``config.attributes``; the
``alembic`` command line (``alembic -x url=...``) is served too, for people trying things.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from hotline.store.sql.database import open_database
from hotline.store.sql.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters tables by copying them; batch mode makes later migrations portable.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") \
        or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database: pass -x url=sqlite:///hotline.sqlite")
    engine = open_database(url)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them on a database")
_main()
