"""Insert-or-replace of one row, atomic on both backends (``ON CONFLICT ... DO UPDATE``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
           keys: Sequence[str]) -> None:
    """Write ``rows`` (all with the same columns), replacing those whose ``keys`` exist."""
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    others = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    if others:
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_=others)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    connection.execute(statement, [dict(row) for row in rows])
