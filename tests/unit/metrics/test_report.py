"""KPI report roll-ups by queue, site, channel and interval, on the stream of ``test_stream``."""

from __future__ import annotations

import json

import pytest

from hotline.core import events as ev
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.definitions import KpiDefinitions, ServiceLevelVariant
from hotline.metrics.report import KpiReport
from tests.unit.core.test_events import run_scenario
from tests.unit.metrics.test_stream import END, stream


def report(definitions: KpiDefinitions | None = None, **kw: object) -> KpiReport:
    acc = KpiAccumulator(definitions or KpiDefinitions(), origin=0.0)
    acc.consume_all(stream())
    acc.finish(END)
    return acc.report(**kw)  # type: ignore[arg-type]


def test_totals_add_up_every_queue_and_channel() -> None:
    totals = report().totals
    # 7 calls in bj_cards (k1–k7) and one e-mail in sh_cards (m1).
    assert (totals["offered"], totals["answered"], totals["abandoned"]) == (8, 5, 3)
    assert totals["short_abandoned"] == 1
    assert totals["answer_rate"] == pytest.approx(5 / 8)
    waits = [10.0, 40.0, 0.0, 100.0, 5.0]  # k1, k2, k6, m1, k7
    assert totals["asa_s"] == pytest.approx(sum(waits) / len(waits))
    handle = [190.0, 260.0, 100.0, 200.0, 45.0]
    assert totals["aht_s"] == pytest.approx(sum(handle) / len(handle))
    # Within 20 s: k1, k6, k7 of 8 offered less one short abandon (k3).
    assert totals["service_level"] == pytest.approx(3 / 7)


def test_by_queue() -> None:
    by_queue = report().by_queue
    assert sorted(by_queue) == ["bj_cards", "sh_cards"]
    assert (by_queue["bj_cards"]["offered"], by_queue["bj_cards"]["answered"]) == (7, 4)
    assert by_queue["bj_cards"]["asa_s"] == pytest.approx((10.0 + 40.0 + 0.0 + 5.0) / 4)
    assert (by_queue["sh_cards"]["offered"], by_queue["sh_cards"]["asa_s"]) == (1, 100.0)
    assert by_queue["sh_cards"]["service_level"] == 0.0


def test_by_channel() -> None:
    by_channel = report().by_channel
    assert sorted(by_channel) == ["email", "voice"]
    assert by_channel["voice"]["offered"] == 7
    assert by_channel["email"]["offered"] == 1
    assert by_channel["email"]["aht_s"] == 200.0


def test_by_site_merges_contacts_of_the_sites_queues_with_its_agents_time() -> None:
    by_site = report().by_site
    assert sorted(by_site) == ["beijing", "shanghai"]
    beijing, shanghai = by_site["beijing"], by_site["shanghai"]
    assert (beijing["offered"], shanghai["offered"]) == (7, 1)
    # Agent time by hand (see test_accumulator): Beijing busy 300+50+280, ready 1300+150+1020,
    # not ready 200; Shanghai busy 210, ready 590+600, not ready 100.
    bj_busy, bj_ready, bj_nr = 300 + 50 + 280, 1300 + 150 + 1020, 200
    sh_busy, sh_ready, sh_nr = 210, 590 + 600, 100
    assert beijing["occupancy"] == pytest.approx(bj_busy / (bj_busy + bj_ready))
    assert beijing["utilisation"] == pytest.approx(bj_busy / (bj_busy + bj_ready + bj_nr))
    assert shanghai["occupancy"] == pytest.approx(sh_busy / (sh_busy + sh_ready))
    assert shanghai["utilisation"] == pytest.approx(sh_busy / (sh_busy + sh_ready + sh_nr))


def test_intervals_carry_their_start_and_both_kinds_of_kpi() -> None:
    rows = report().intervals
    assert [r["interval"] for r in rows] == [0, 1]
    assert [r["start"] for r in rows] == ["1970-01-01T00:00:00+00:00",
                                          "1970-01-01T00:30:00+00:00"]
    assert (rows[0]["offered"], rows[1]["offered"]) == (7, 1)
    # Interval 1: busy 50 (k7), ready 150 (b1) + 600 (s1), not ready 0.
    assert rows[1]["occupancy"] == pytest.approx(50 / (50 + 750))
    assert rows[1]["utilisation"] == pytest.approx(50 / (50 + 750))


def test_queue_filter_narrows_the_contacts_but_not_the_agent_time() -> None:
    narrowed = report(queue_filter=lambda q: q.startswith("sh"))
    full = report()
    assert narrowed.totals["offered"] == 1
    assert sorted(narrowed.by_queue) == ["sh_cards"]
    assert narrowed.totals["occupancy"] == full.totals["occupancy"]


def test_the_report_states_its_definitions_and_is_json_ready() -> None:
    definitions = KpiDefinitions(variant=ServiceLevelVariant.OFFERED, interval_minutes=15)
    data = report(definitions).to_dict()
    assert data["definitions"] == {"service_level_s": 20.0, "short_abandon_s": 5.0,
                                   "variant": "offered", "interval_minutes": 15}
    assert json.loads(json.dumps(data)) == data
    assert len(data["intervals"]) == 3  # 0–15, 15–30 and 30–45 minutes


def test_report_of_the_engine_scenario_counts_every_contact_once() -> None:
    """Fed real engine events, the counts agree with the event log's own tally."""
    centre = run_scenario()
    acc = KpiAccumulator(KpiDefinitions(), origin=0.0)
    acc.consume_all(centre.log)
    acc.finish(200.0)
    totals = acc.report().totals
    log = centre.log
    assert totals["offered"] == sum(isinstance(e, ev.ContactQueued) for e in log)
    assert totals["answered"] == sum(isinstance(e, ev.ContactConnected) and e.leg == 0
                                     for e in log)
    assert totals["abandoned"] == sum(isinstance(e, ev.ContactAbandoned) for e in log)
    assert totals["diverted"] == sum(isinstance(e, ev.ContactDiverted) for e in log)
    assert totals["transfers"] == sum(isinstance(e, ev.ContactTransferred) for e in log)
    # Agents' time adds up to their logged-in time, login to logout (or the end at 200).
    logged_in = 0.0
    since: dict[str, float] = {}
    for e in log:
        if isinstance(e, ev.AgentLoggedIn):
            since[e.agent_id] = e.at
        elif isinstance(e, ev.AgentLoggedOut):
            logged_in += e.at - since.pop(e.agent_id)
    logged_in += sum(200.0 - t for t in since.values())
    assert totals["logged_in_h"] * 3600.0 == pytest.approx(logged_in)
