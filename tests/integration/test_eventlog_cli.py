"""`hotline simulate … --events FILE` writes the run's event log; `hotline events replay FILE`
rebuilds the engine from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.cli import app
from hotline.core import events as ev
from hotline.core.engine import Engine
from hotline.core.state import describe
from hotline.sim.scenario import load_scenario
from hotline.sim.twin import Twin
from hotline.store.eventlog_sqlite import SqliteEventLog
from hotline.store.eventlog_writer import BatchingEventWriter

runner = CliRunner()


@pytest.fixture(scope="module")
def mmc_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("mmc") / "events.sqlite"
    result = runner.invoke(app, ["simulate", "mmc", "--days", "0.02", "--events", str(path)])
    assert result.exit_code == 0, result.output
    found = re.search(r"([\d,]+) events written to (.+)", result.output)
    assert found is not None, result.output
    assert Path(found.group(2).strip()) == path
    return path, int(found.group(1).replace(",", ""))


def test_simulate_writes_every_event_and_its_replay_has_no_stale_reservations(
        mmc_log: tuple[Path, int]) -> None:
    path, written = mmc_log
    with SqliteEventLog(path, create=False) as log:
        assert log.last_seq() == written > 1000
        ended: set[str] = set()
        queued: set[str] = set()
        for _, e in log.read():
            if isinstance(e, ev.ContactQueued):
                queued.add(e.contact_id)
            elif isinstance(e, ev.TERMINAL):
                ended.add(e.contact_id)
        engine = Engine.replay(e for _, e in log.read())
    assert queued and ended
    for reservation in engine.reservations.values():
        assert reservation.contact.id not in ended
        assert reservation.contact.id in engine.contacts
    assert not ended & set(engine.contacts)
    assert set(engine.contacts) == queued - ended


def test_the_logged_run_replays_to_the_twins_own_engine(tmp_path: Path,
                                                        mmc_log: tuple[Path, int]) -> None:
    # The same run again, in-process: the twin's final engine and the replayed log agree.
    scenario = load_scenario("mmc").model_copy(update={"days": 0.02})
    with SqliteEventLog(tmp_path / "again.sqlite", synchronous="NORMAL") as log:
        with BatchingEventWriter(log, batch_size=1000) as sink:
            twin = Twin(scenario, event_sink=sink)
            result = twin.run()
        assert log.last_seq() == result.events == mmc_log[1]
        replayed = Engine.replay(e for _, e in log.read())
    assert describe(replayed) == describe(twin.engine)


def test_simulate_creates_the_folder_of_the_log(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "today" / "events.sqlite"
    result = runner.invoke(app, ["simulate", "mmc", "--days", "0.001", "--events", str(path)])
    assert result.exit_code == 0, result.output
    with SqliteEventLog(path, create=False) as log:
        assert f"{log.last_seq():,} events written to {path}" in result.output


def test_simulate_refuses_a_log_that_already_holds_events(mmc_log: tuple[Path, int]) -> None:
    path, written = mmc_log
    result = runner.invoke(app, ["simulate", "mmc", "--days", "0.001", "--events", str(path)])
    assert result.exit_code == 2
    assert f"{path}: already holds {written:,} events; give a new file" in result.output
    assert "Traceback" not in result.output
    with SqliteEventLog(path, create=False) as log:
        assert log.last_seq() == written


def test_replay_prints_a_summary(mmc_log: tuple[Path, int]) -> None:
    path, written = mmc_log
    result = runner.invoke(app, ["events", "replay", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(rf"events\s*│\s*{written:,}\s", out), out
    assert re.search(r"agents\s*│\s*300\s", out), out
    assert re.search(r"reservations\s*│\s*\d+", out), out
    assert "2026-01-05T00:00:00.000000+00:00" in out


def test_replay_of_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    result = runner.invoke(app, ["events", "replay", str(path)])
    assert result.exit_code == 2
    assert f"{path}: no such file" in result.output
    assert not path.exists()


def test_replay_of_a_corrupt_log_names_the_event(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite"
    with SqliteEventLog(path) as log:
        log.append([ev.WakeUpRequested(at=float(n), key=f"k{n}", due=9.0) for n in range(5)])
        log._live().execute("UPDATE events SET type = 'Teleported' WHERE seq = 3")
    result = runner.invoke(app, ["events", "replay", str(path)])
    assert result.exit_code == 2
    assert f"{path}: event 3: unknown event type 'Teleported'" in result.output
    assert "Traceback" not in result.output


def test_replay_of_an_inconsistent_log_names_the_event(tmp_path: Path) -> None:
    # Decodable events that do not fit together: a log-out of an agent never registered.
    path = tmp_path / "inconsistent.sqlite"
    with SqliteEventLog(path) as log:
        log.append([ev.AgentLoggedOut(at=1.0, agent_id="ghost")])
    result = runner.invoke(app, ["events", "replay", str(path)])
    assert result.exit_code == 2
    assert f"{path}: event 1: cannot be replayed (KeyError: 'ghost')" in result.output
