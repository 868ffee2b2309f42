"""The composition root wires the surveys: the demo's callers answer into the SQL store,
today's CSAT counts them, and a restart loads them back."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hotline.bootstrap import ServerConfig, build_services
from hotline.live.clock import ManualClock
from hotline.live.surveys import Surveys
from hotline.store.sql.surveys import SurveyStore

ZONE = ZoneInfo("Asia/Shanghai")


def test_demo_answers_are_stored_counted_and_loaded_after_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 10, tzinfo=ZONE).timestamp())
    config = ServerConfig(database_url=f"sqlite:///{tmp_path / 'demo.sqlite'}", demo=True,
                          speed=60.0, seed=3, fast_hashes=True, clock=lambda: clock)
    services = build_services(config)
    for _ in range(15):  # a quarter of an hour of the demo
        clock.advance(1.0)
    surveys: Surveys = services.extra["surveys"]
    report = surveys.report(clock.now())
    stored = SurveyStore(services.extra["database"]).since(
        datetime(2026, 3, 2, tzinfo=ZONE))
    assert report["answers"] == len(stored) > 20
    assert 0.7 < report["csat"] < 1.0
    assert set(report["by_agent"]) == {a.agent_id for a in stored if a.agent_id}
    services.demo.stop()
    services.centre.close()
    services.extra["database"].dispose()

    clock.advance(5.0)
    again = build_services(config)
    try:
        back = again.extra["surveys"].report(clock.now())
        assert (back["answers"], back["csat"]) == (report["answers"], report["csat"])
        assert back["by_queue"] == report["by_queue"]
        # Tomorrow starts empty.
        tomorrow = datetime(2026, 3, 3, tzinfo=ZONE) + timedelta(seconds=1)
        assert again.extra["surveys"].report(tomorrow.timestamp())["answers"] == 0
    finally:
        again.demo.stop()
        again.centre.close()
        again.extra["database"].dispose()
