"""`hotline events …`: the event log. `replay FILE` rebuilds the engine, as after a crash.

Also the ``--events FILE`` sink of `hotline simulate` (``event_log_sink``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hotline.core.engine import Engine
from hotline.core.events import Event
from hotline.core.live import CONNECTED, NOT_READY, OFFLINE, ON_HOLD, READY, RESERVED, WAITING
from hotline.core.live import WRAP_UP as IN_WRAP_UP
from hotline.store.errors import StoreError
from hotline.store.eventlog_codec import iso_utc
from hotline.store.eventlog_sqlite import SqliteEventLog
from hotline.store.eventlog_writer import BatchingEventWriter

console = Console()
err_console = Console(stderr=True)

events_app = typer.Typer(help="The event log: replay it to rebuild the live state.",
                         no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@contextmanager
def event_log_sink(path: Path | None, batch_size: int = 10_000
                   ) -> Iterator[BatchingEventWriter | None]:
    """A sink writing to a new SQLite event log at ``path`` (None: no sink), in batches.

    Refuses a file that already holds events: two runs in one log would not replay.
    """
    if path is None:
        yield None
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = SqliteEventLog(path, synchronous="NORMAL")
    except OSError as exc:
        raise _fail(f"{path}: cannot create the folder ({exc.strerror})") from None
    except StoreError as exc:
        raise _fail(str(exc)) from None
    try:
        held = log.last_seq()
        if held:
            raise _fail(f"{path}: already holds {held:,} events; give a new file")
        with BatchingEventWriter(log, batch_size=batch_size) as sink:
            yield sink
    except StoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        log.close()


@events_app.command("replay")
def replay(file: Path = typer.Argument(..., help="SQLite event log (hotline simulate --events)."),
           ) -> None:
    """Rebuild the engine from FILE by replay and summarise its live state."""
    try:
        log = SqliteEventLog(file, create=False)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    first: tuple[int, Event] | None = None
    last: tuple[int, Event] | None = None
    try:
        total = log.last_seq()
        with Progress(TextColumn(f"[bold]replay[/] {file}"), BarColumn(), TaskProgressColumn(),
                      TimeElapsedColumn(), console=err_console, transient=True) as progress:
            task = progress.add_task("replay", total=max(total, 1))

            def stream() -> Iterator[Event]:
                nonlocal first, last
                for seq, event in log.read():
                    if first is None:
                        first = (seq, event)
                    last = (seq, event)
                    if seq & 0x3FFF == 0:
                        progress.update(task, completed=seq)
                    yield event

            try:
                engine = Engine.replay(stream())
            except (KeyError, AttributeError, TypeError, ValueError) as exc:
                where = f"event {last[0]}" if last else "the log"
                raise _fail(f"{file}: {where}: cannot be replayed "
                            f"({type(exc).__name__}: {exc})") from None
    except StoreError as exc:
        raise _fail(str(exc)) from None
    finally:
        log.close()
    _print_summary(file, engine, first, last)


def _print_summary(file: Path, engine: Engine, first: tuple[int, Event] | None,
                   last: tuple[int, Event] | None) -> None:
    table = Table(title=f"{file} — live state after replay", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    if first is None or last is None:
        table.add_row("events", "0")
        console.print(table)
        return
    table.add_row("events", f"{last[0]:,}")
    table.add_row("from", iso_utc(first[1].at))
    table.add_row("to", iso_utc(last[1].at))
    presence = Counter(a.presence for a in engine.agents.values())
    table.add_row("agents", f"{len(engine.agents):,}")
    for state in (READY, NOT_READY, OFFLINE):
        table.add_row(f"  {state.replace('_', ' ')}", f"{presence[state]:,}")
    leaving = sum(a.pending_logout for a in engine.agents.values())
    table.add_row("  logging out after work", f"{leaving:,}")
    states = Counter(c.state for c in engine.contacts.values())
    table.add_row("contacts", f"{len(engine.contacts):,}")
    for state in (WAITING, RESERVED, CONNECTED, ON_HOLD, IN_WRAP_UP):
        table.add_row(f"  {state.replace('_', ' ')}", f"{states[state]:,}")
    table.add_row("reservations", f"{len(engine.reservations):,}")
    table.add_row("timers", f"{len(engine.timers):,}")
    if engine.timers:
        table.add_row("  next due", iso_utc(min(engine.timers.values())))
    console.print(table)
