"""KpiAccumulator on the hand-built stream of ``test_stream``: expected values by hand."""

from __future__ import annotations

import pytest

from hotline.core import events as ev
from hotline.core.commands import AbandonContact, TransferContact
from hotline.metrics.accumulator import KpiAccumulator
from hotline.metrics.counts import AgentTime, ContactCounts
from hotline.metrics.definitions import KpiDefinitions, ServiceLevelVariant
from tests.unit.core.test_centre import standard_centre
from tests.unit.metrics.test_stream import (
    END,
    abandoned,
    agent,
    completed,
    connected,
    presence,
    queue,
    queued,
    reserved,
    stream,
)

# Beijing voice, interval 0 (k1–k6), by hand from the table in test_stream.
ANSWER_WAITS = [110.0 - 100.0, 240.0 - 200.0, 600.0 - 600.0]  # k1, k2, k6
ABANDON_WAITS = [303.0 - 300.0, 415.0 - 400.0, 530.0 - 500.0]  # k3, k4, k5
HANDLE = [300.0 - 110.0, 500.0 - 240.0, 700.0 - 600.0]  # completed_at - connected_at
T, SHORT = 20.0, 5.0


def accumulate(definitions: KpiDefinitions | None = None,
               count_from: float | None = None) -> KpiAccumulator:
    acc = KpiAccumulator(definitions or KpiDefinitions(), origin=0.0, count_from=count_from)
    acc.consume_all(stream())
    acc.finish(END)
    return acc


# --- contact counts --------------------------------------------------------------------------
def test_offered_answered_abandoned_and_short_abandoned() -> None:
    counts = accumulate().contacts[(0, "bj_cards", "voice")]
    assert counts.offered == 6
    assert counts.answered == len(ANSWER_WAITS)
    assert counts.abandoned == len(ABANDON_WAITS)
    assert counts.short_abandoned == sum(1 for w in ABANDON_WAITS if w <= SHORT)  # k3
    assert counts.abandoned_within == sum(1 for w in ABANDON_WAITS if w <= T)  # k3, k4
    assert counts.answered_within == sum(1 for w in ANSWER_WAITS if w <= T)  # k1, k6
    assert counts.delayed == sum(1 for w in ANSWER_WAITS if w > 0)  # k6 waited 0 s
    assert counts.wait_s == sum(ANSWER_WAITS)
    assert counts.abandon_wait_s == sum(ABANDON_WAITS)
    assert counts.handled == 3
    assert counts.handle_s == sum(HANDLE)
    assert counts.hold_s == 20.0


def test_contacts_are_counted_by_interval_queue_and_channel() -> None:
    acc = accumulate()
    assert sorted(acc.contacts) == [(0, "bj_cards", "voice"), (0, "sh_cards", "email"),
                                    (1, "bj_cards", "voice")]
    email = acc.contacts[(0, "sh_cards", "email")]
    assert (email.offered, email.answered, email.wait_s, email.handle_s) == (
        1, 1, 1100.0 - 1000.0, 1300.0 - 1100.0)
    late = acc.contacts[(1, "bj_cards", "voice")]
    assert (late.offered, late.answered, late.wait_s, late.handle_s) == (
        1, 1, 1855.0 - 1850.0, 1900.0 - 1855.0)


ANSWERED_WITHIN = sum(1 for w in ANSWER_WAITS if w <= T)
ABANDONED_WITHIN = sum(1 for w in ABANDON_WAITS if w <= T)
SHORT_ABANDONED = sum(1 for w in ABANDON_WAITS if w <= SHORT)
OFFERED = len(ANSWER_WAITS) + len(ABANDON_WAITS)


@pytest.mark.parametrize(("variant", "expected", "spelled_out"), [
    # answered within T ÷ (offered − short abandons): k1, k6 ÷ (6 − k3)
    (ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED, ANSWERED_WITHIN / (OFFERED - SHORT_ABANDONED),
     2 / 5),
    (ServiceLevelVariant.OFFERED, ANSWERED_WITHIN / OFFERED, 2 / 6),
    (ServiceLevelVariant.ANSWERED, ANSWERED_WITHIN / len(ANSWER_WAITS), 2 / 3),
    # ÷ (offered − abandoned within T): 6 − (k3, k4)
    (ServiceLevelVariant.ABANDONS_WITHIN_T_EXCLUDED,
     ANSWERED_WITHIN / (OFFERED - ABANDONED_WITHIN), 2 / 4),
    # (k1, k6 + k3, k4) ÷ 6
    (ServiceLevelVariant.ABANDONS_WITHIN_T_MET, (ANSWERED_WITHIN + ABANDONED_WITHIN) / OFFERED,
     4 / 6),
])
def test_service_level_variants(variant: ServiceLevelVariant, expected: float,
                                spelled_out: float) -> None:
    assert expected == spelled_out
    definitions = KpiDefinitions(variant=variant)
    counts = accumulate(definitions).contacts[(0, "bj_cards", "voice")]
    assert counts.service_level(definitions) == pytest.approx(expected)


def test_service_level_threshold_and_short_abandon_are_inclusive() -> None:
    acc = KpiAccumulator(KpiDefinitions(service_level_s=20.0, short_abandon_s=5.0), origin=0.0)
    acc.consume_all([
        queue("bj_cards", "beijing"), agent("b1", "beijing"),
        presence("b1", 0.0, True, login=True),
        queued("on_t", 100.0), reserved("on_t", "b1", 110.0),
        connected("on_t", "b1", 120.0, 100.0),  # waited exactly T
        queued("over_t", 130.0), abandoned("over_t", 150.5, 130.0),
        queued("on_short", 200.0), abandoned("on_short", 205.0, 200.0),  # exactly 5 s
    ])
    counts = acc.contacts[(0, "bj_cards", "voice")]
    assert (counts.answered_within, counts.short_abandoned, counts.abandoned_within) == (1, 1, 1)


def test_service_level_is_none_without_contacts() -> None:
    assert ContactCounts().service_level(KpiDefinitions()) is None


def test_kpis_of_a_slice() -> None:
    definitions = KpiDefinitions()
    kpis = accumulate().contacts[(0, "bj_cards", "voice")].kpis(definitions)
    assert kpis["answer_rate"] == pytest.approx(len(ANSWER_WAITS) / OFFERED)
    assert kpis["abandon_rate"] == pytest.approx(len(ABANDON_WAITS) / OFFERED)
    assert kpis["asa_s"] == pytest.approx(sum(ANSWER_WAITS) / len(ANSWER_WAITS))
    # AHT = talk + hold + wrap-up = completed_at - connected_at, per handled contact.
    assert kpis["aht_s"] == pytest.approx(sum(HANDLE) / len(HANDLE))
    assert kpis["mean_abandon_wait_s"] == pytest.approx(sum(ABANDON_WAITS) / 3)
    assert kpis["mean_wait_s"] == pytest.approx((sum(ANSWER_WAITS) + sum(ABANDON_WAITS)) / 6)
    # Contacts that waited at all: two answered after a wait, three abandoned.
    assert kpis["p_wait"] == pytest.approx((2 + 3) / 6)


# --- agent time ------------------------------------------------------------------------------
# By hand, per agent (see the timeline in test_stream):
#   b1: ready 0–100, busy 100–300, ready 300–600, busy 600–700, ready 700–1000,
#       not ready 1000–1200, ready 1200–1850 (1800 splits it), busy 1850–1900, ready 1900–2000
#   b2: ready 200–230, busy 230–500 (ring, talk, wrap-up), ready 500–520, busy 520–530 (k5
#       rang until abandoned), ready 530–1500
#   s1: not ready 900–1000, ready 1000–1090, busy 1090–1300, ready 1300–2400 (1800 splits it)
B1_0 = {"busy": 200 + 100, "ready": 100 + 300 + 300 + 600, "not_ready": 200}
B1_1 = {"busy": 50, "ready": 50 + 100, "not_ready": 0}
B2_0 = {"busy": 270 + 10, "ready": 30 + 20 + 970, "not_ready": 0}
S1_0 = {"busy": 210, "ready": 90 + 500, "not_ready": 100}
S1_1 = {"busy": 0, "ready": 600, "not_ready": 0}


def seconds(time: AgentTime) -> dict[str, float]:
    return {"busy": time.busy_s, "ready": time.ready_idle_s, "not_ready": time.not_ready_s}


def add(*parts: dict[str, int]) -> dict[str, float]:
    return {k: float(sum(p[k] for p in parts)) for k in ("busy", "ready", "not_ready")}


def test_agent_time_by_interval_and_site() -> None:
    acc = accumulate()
    assert sorted(acc.agent_time) == [(0, "beijing"), (0, "shanghai"), (1, "beijing"),
                                      (1, "shanghai")]
    assert seconds(acc.agent_time[(0, "beijing")]) == add(B1_0, B2_0)
    assert seconds(acc.agent_time[(1, "beijing")]) == add(B1_1)
    assert seconds(acc.agent_time[(0, "shanghai")]) == add(S1_0)
    assert seconds(acc.agent_time[(1, "shanghai")]) == add(S1_1)


def test_agent_time_is_split_at_the_interval_boundary() -> None:
    acc = KpiAccumulator(KpiDefinitions(interval_minutes=15), origin=0.0)
    acc.consume_all([agent("b1", "beijing"), presence("b1", 800.0, True, login=True)])
    acc.finish(2 * 900.0 + 250.0)  # ready from 800 to 2050 across two boundaries
    assert {k[0]: v.ready_idle_s for k, v in acc.agent_time.items()} == {
        0: 900.0 - 800.0, 1: 900.0, 2: 250.0}


def test_agent_time_of_a_long_call_is_split_too() -> None:
    acc = KpiAccumulator(KpiDefinitions(interval_minutes=30), origin=1000.0)
    acc.consume_all([
        queue("bj_cards", "beijing"), agent("b1", "beijing"),
        presence("b1", 1000.0, True, login=True),
        queued("k1", 2500.0), reserved("k1", "b1", 2500.0),
        connected("k1", "b1", 2510.0, 2500.0),
        completed("k1", "b1", 3100.0, 2500.0, 2510.0),
        ev.AgentLoggedOut(at=3200.0, agent_id="b1"),
    ])
    # Intervals start at 1000 and 2800 (origin 1000, 1800 s each).
    assert seconds(acc.agent_time[(0, "beijing")]) == {
        "busy": 2800.0 - 2500.0, "ready": 2500.0 - 1000.0, "not_ready": 0.0}
    assert seconds(acc.agent_time[(1, "beijing")]) == {
        "busy": 3100.0 - 2800.0, "ready": 3200.0 - 3100.0, "not_ready": 0.0}


def test_occupancy_and_utilisation() -> None:
    acc = accumulate()
    total = add(B1_0, B1_1, B2_0, S1_0, S1_1)
    kpis = acc.report().totals
    assert kpis["occupancy"] == pytest.approx(total["busy"] / (total["busy"] + total["ready"]))
    assert kpis["utilisation"] == pytest.approx(
        total["busy"] / (total["busy"] + total["ready"] + total["not_ready"]))
    assert kpis["logged_in_h"] == pytest.approx(sum(total.values()) / 3600.0)


def test_offline_time_is_not_counted() -> None:
    acc = KpiAccumulator(KpiDefinitions(), origin=0.0)
    acc.consume_all([agent("b1", "beijing"), presence("b1", 100.0, True, login=True),
                     ev.AgentLoggedOut(at=400.0, agent_id="b1")])
    acc.finish(1000.0)
    assert seconds(acc.agent_time[(0, "beijing")]) == {
        "busy": 0.0, "ready": 300.0, "not_ready": 0.0}


# --- warm-up ---------------------------------------------------------------------------------
def test_count_from_leaves_out_contacts_that_entered_during_the_warm_up() -> None:
    acc = accumulate(count_from=150.0)  # k1 entered at 100
    counts = acc.contacts[(0, "bj_cards", "voice")]
    assert counts.offered == 5
    assert counts.answered == 2
    assert counts.wait_s == ANSWER_WAITS[1] + ANSWER_WAITS[2]
    assert counts.handled == 2
    assert counts.handle_s == HANDLE[1] + HANDLE[2]
    assert counts.hold_s == 0.0  # k1's hold went with it


def test_count_from_at_the_second_interval_keeps_only_its_contacts() -> None:
    acc = accumulate(count_from=1800.0)
    assert sorted(acc.contacts) == [(1, "bj_cards", "voice")]
    assert acc.report().totals["offered"] == 1


# --- legs, transfers, callbacks --------------------------------------------------------------
def test_transfer_callback_and_second_leg() -> None:
    acc = KpiAccumulator(KpiDefinitions(), origin=0.0)
    acc.consume_all([
        queue("bj_cards", "beijing"), queue("loans", "beijing"),
        agent("b1", "beijing"), agent("b2", "beijing"),
        presence("b1", 0.0, True, login=True), presence("b2", 0.0, True, login=True),
        queued("t1", 10.0), reserved("t1", "b1", 10.0), connected("t1", "b1", 12.0, 10.0),
        ev.ContactTransferred(at=40.0, contact_id="t1", agent_id="b1", to_queue="loans",
                              to_agent=None, connected_at=12.0, wrap_up_until=60.0),
        reserved("t1", "b2", 41.0, "loans"),
        connected("t1", "b2", 45.0, 10.0, "loans", leg=1),
        ev.WrapUpEnded(at=50.0, contact_id="t1", agent_id="b1", connected_at=12.0,
                       disposition="", notes="", timed_out=False),
        completed("t1", "b2", 100.0, 10.0, 45.0),
        queued("cb", 200.0),
        ev.CallbackRequested(at=210.0, contact_id="cb", number="139"),
        reserved("cb", "b1", 300.0), connected("cb", "b1", 305.0, 200.0, channel="callback"),
        completed("cb", "b1", 400.0, 200.0, 305.0, channel="callback"),
        queued("vm", 500.0),
        ev.ContactDiverted(at=540.0, contact_id="vm", first_queue="bj_cards", channel="voice",
                           queued_at=500.0, to="voicemail"),
    ])
    counts = acc.contacts[(0, "bj_cards", "voice")]
    assert sorted(k[2] for k in acc.contacts) == ["voice"]  # the callback counts as voice
    assert counts.offered == 3
    assert counts.answered == 2  # t1's second leg is not a second answer
    assert counts.wait_s == (12.0 - 10.0) + (305.0 - 200.0)
    assert (counts.transfers, counts.callbacks, counts.diverted) == (1, 1, 1)
    # Each leg is handled once: t1 with b1 (12–50, wrap-up included) and b2 (45–100), cb.
    assert counts.handled == 3
    assert counts.handle_s == (50.0 - 12.0) + (100.0 - 45.0) + (400.0 - 305.0)


def test_events_the_accumulator_does_not_need_are_ignored() -> None:
    acc = KpiAccumulator(KpiDefinitions(), origin=0.0)
    acc.consume(ev.WakeUpRequested(at=1.0, key="x", due=2.0))
    acc.finish(10.0)
    assert acc.contacts == {} and acc.agent_time == {}


# --- definitions -----------------------------------------------------------------------------
@pytest.mark.parametrize(("changes", "message"), [
    ({"interval_minutes": 20}, "interval_minutes: must be 15, 30 or 60, got 20"),
    ({"service_level_s": -1.0}, "service_level_s: must not be negative"),
    ({"short_abandon_s": -0.5}, "short_abandon_s: must not be negative"),
])
def test_bad_definitions_are_refused(changes: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError) as info:
        KpiDefinitions(**changes)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_definitions_describe_themselves() -> None:
    assert KpiDefinitions(variant=ServiceLevelVariant.ANSWERED).describe() == {
        "service_level_s": 20.0, "short_abandon_s": 5.0, "variant": "answered",
        "interval_minutes": 30}


def test_hang_up_after_a_transfer_is_not_a_second_outcome() -> None:
    centre = standard_centre()
    centre.queue("loans", "skills.loans >= 1")
    centre.agent("a1")
    centre.offer("c1", at=0.0)
    centre.connect("c1", at=2.0)
    centre.do(TransferContact(contact_id="c1", to_queue="loans"), at=300.0)
    centre.do(AbandonContact(contact_id="c1"), at=302.0)
    acc = KpiAccumulator(KpiDefinitions(), origin=0.0)
    acc.consume_all(centre.log)
    counts = acc.contacts[(0, "cards", "voice")]
    assert (counts.offered, counts.answered) == (1, 1)
    assert counts.answered + counts.abandoned <= counts.offered
