"""`hotline serve` (the live centre) and `hotline demo` (the same, with a simulated floor)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from hotline.bootstrap import (
    DEMO_PASSWORD,
    DEMO_USERS,
    UVICORN_OPTIONS,
    ServerConfig,
    build_app,
)
from hotline.channels.errors import ChannelError
from hotline.channels.telephony_ari import AriTelephony
from hotline.store.sql.database import database_url
from hotline.store.sql.errors import DatabaseConfigError

console = Console()


def _url(db: Path | None) -> str:
    try:
        return database_url(db) if db is not None else database_url()
    except DatabaseConfigError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None


class Telephony(StrEnum):
    none = "none"
    ari = "ari"


def _ari(env: Mapping[str, str]) -> Callable[[], AriTelephony]:
    """The adapter as docs/asterisk.md configures it; a missing or bad variable is named
    (exit 2) before the server starts. It connects when the server has started."""
    try:
        telephony = AriTelephony.from_env(env)
    except (ValueError, ChannelError) as exc:
        console.print(f"[red]error:[/] --telephony ari: {exc}")
        raise typer.Exit(2) from None
    return lambda: telephony


def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="port to listen on"),
    db: Path = typer.Option(None, help="SQLite file (default: $HOTLINE_DATABASE_URL, "
                                       "else hotline.sqlite)"),
    telephony: Telephony = typer.Option(
        Telephony.none, help="where calls come from: none, or ari (Asterisk; HOTLINE_ARI_URL, "
                             "_USER, _PASSWORD; see docs/asterisk.md)"),
) -> None:
    """Run the live centre: REST under /api/v1, the live stream, desktop and wallboard."""
    admin = os.environ.get("HOTLINE_ADMIN_PASSWORD")
    ari = _ari(os.environ) if telephony is Telephony.ari else None
    config = ServerConfig(database_url=_url(db), admin_password=admin, ari=ari)
    console.print(f"Hotline on [bold]http://{host}:{port}/[/]  database: {config.database_url}")
    if ari is not None:
        console.print(f"Calls from Asterisk ARI at {os.environ.get('HOTLINE_ARI_URL')}")
    uvicorn.run(build_app(config), host=host, port=port, log_level="warning",
                **UVICORN_OPTIONS)


def demo(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="port to listen on"),
    db: Path = typer.Option(Path("out/demo.sqlite"), help="SQLite file of the demo"),
    speed: float = typer.Option(1.0, min=0.01, max=1000.0,
                                help="simulated time per real second (1 = real time)"),
    seed: int = typer.Option(7, help="seed of the simulated callers and agents"),
    fresh: bool = typer.Option(False, help="start from an empty database"),
) -> None:
    """The live centre on SQLite with simulated callers (bank-hotline) and simulated agents
    working a roster; log in beside them as agents, supervisor, analyst or admin."""
    if fresh and db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    config = ServerConfig(database_url=_url(db), demo=True, speed=speed, seed=seed,
                          fast_hashes=True)
    table = Table(title="Demo logins (password: " + DEMO_PASSWORD + ")")
    table.add_column("user")
    table.add_column("role")
    table.add_column("works as")
    for username, role, agent_id in DEMO_USERS:
        table.add_row(username, role, agent_id or "")
    console.print(table)
    console.print(f"Open [bold]http://{host}:{port}/login[/]  (speed {speed:g}×, "
                  f"database {db}; Ctrl+C stops, the floor comes back on restart)")
    uvicorn.run(build_app(config), host=host, port=port, log_level="warning",
                **UVICORN_OPTIONS)
