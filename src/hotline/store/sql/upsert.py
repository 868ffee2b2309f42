"""Insert-or-replace of one row, atomic on both backends (``ON CONFLICT ... DO UPDATE``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert


def upsert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
           keys: Sequence[str]) -> None:
    """Write ``rows`` (all with the same columns), replacing those whose ``keys`` exist."""
    if not rows:
        return
    statement = _statement(connection.dialect.name, table, tuple(rows[0]), tuple(keys))
    connection.execute(statement, [dict(row) for row in rows])


@lru_cache(maxsize=128)
def _statement(dialect: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...]
               ) -> Insert:
    # Built once per table and shape: each build makes an ``excluded`` alias whose columns
    # and the alias refer to each other, a cycle only the garbage collector can free (and the
    # server writes the contact history twice a second).
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    others = {name: statement.excluded[name] for name in columns if name not in keys}
    if others:
        return statement.on_conflict_do_update(index_elements=list(keys), set_=others)
    return statement.on_conflict_do_nothing(index_elements=list(keys))
