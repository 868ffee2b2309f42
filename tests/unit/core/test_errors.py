"""Rejected commands raise typed errors with clear messages and leave the state unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.core import events as ev
from hotline.core.commands import (
    AbandonContact,
    AcceptReservation,
    AssignContact,
    Command,
    DefineQueue,
    DefineWorkflow,
    DivertContact,
    EndContact,
    HoldContact,
    LogIn,
    OfferContact,
    RegisterAgent,
    RequestCallback,
    ResumeContact,
    TransferContact,
)
from hotline.core.definitions import AgentProfile, Fallback, QueueSpec, Workflow, WorkflowStep
from hotline.core.errors import (
    AgentOverCapacity,
    CoreError,
    DuplicateItem,
    IllegalState,
    InvalidDefinition,
    ReservationNotLive,
    UnknownItem,
)
from tests.unit.core.test_centre import Centre, wake_key


def busy_centre() -> Centre:
    """c1 connected to a1; c2 waits in cards after its offer to a3 rang out (c2/1 expired);
    c3 is a callback; l1 idles in loans; a3 is not ready (no_answer)."""
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1")
    centre.queue("loans", "skills.loans >= 1")
    centre.workflow("wf", ("cards", None))
    centre.workflow("loans", ("loans", None))
    centre.agent("a1", skills={"cards": 5}, ready_at=0.0)
    centre.agent("l1", skills={"loans": 5}, ready_at=0.0)
    centre.agent("a3", skills={"cards": 5}, ready_at=None)
    centre.offer("c1", at=1.0)
    centre.connect("c1", at=2.0)
    centre.offer("c2", at=3.0)
    centre.offer("c3", at=4.0)
    centre.do(RequestCallback(contact_id="c3", number="13700000000"), at=5.0)
    out = centre.do(LogIn(agent_id="a3", ready=True), at=6.0)
    centre.fire(wake_key(out, "r"))  # c2/1 rang out at 21; a3 not ready
    return centre


def offer(**changes: Any) -> OfferContact:
    fields: dict[str, Any] = {"contact_id": "c9", "channel": "voice", "workflow": "wf"}
    fields.update(changes)
    return OfferContact(**fields)


def workflow(*steps: tuple[str, float | None], fallback: Fallback | None = None) -> DefineWorkflow:
    return DefineWorkflow(workflow=Workflow(
        name="w", steps=tuple(WorkflowStep(queue=q, timeout_s=t) for q, t in steps),
        fallback=fallback))


CHANNELS = "voice, callback, outbound, email, fax, forum, chat"

CASES: list[tuple[str, Command, type[CoreError], str]] = [
    ("unknown agent", LogIn(agent_id="ghost"), UnknownItem, "unknown agent 'ghost'"),
    ("unknown contact", EndContact(contact_id="nobody"), UnknownItem,
     "unknown contact 'nobody'"),
    ("unknown queue", TransferContact(contact_id="c1", to_queue="nowhere"), UnknownItem,
     "unknown queue 'nowhere'"),
    ("unknown transfer agent", TransferContact(contact_id="c1", to_agent="ghost"), UnknownItem,
     "unknown agent 'ghost'"),
    ("unknown workflow", offer(workflow="nope"), UnknownItem, "unknown workflow 'nope'"),
    ("unknown reservation", AcceptReservation(reservation_id="zz/1"), ReservationNotLive,
     "reservation 'zz/1' is not live (it expired, was answered, rejected or withdrawn)"),
    ("duplicate contact", offer(contact_id="c2"), DuplicateItem,
     "contact 'c2' already exists"),
    ("duplicate agent", RegisterAgent(profile=AgentProfile(agent_id="a1", site="beijing")),
     DuplicateItem, "agent 'a1' already exists"),
    ("accept expired reservation", AcceptReservation(reservation_id="c2/1"),
     ReservationNotLive,
     "reservation 'c2/1' is not live (it expired, was answered, rejected or withdrawn)"),
    ("assign over capacity", AssignContact(contact_id="c2", agent_id="a1"), AgentOverCapacity,
     "agent 'a1' has no free voice capacity (1 of 1 in use)"),
    ("assign outside the pool", AssignContact(contact_id="c2", agent_id="l1"), IllegalState,
     "agent 'l1' is in none of the queues of contact 'c2' (cards)"),
    ("assign to a not-ready agent", AssignContact(contact_id="c2", agent_id="a3"),
     IllegalState, "agent 'a3' is not ready"),
    ("hold a waiting contact", HoldContact(contact_id="c2"), IllegalState,
     "contact 'c2' is waiting, expected connected"),
    ("resume a connected contact", ResumeContact(contact_id="c1"), IllegalState,
     "contact 'c1' is connected, expected on_hold"),
    ("end a waiting contact", EndContact(contact_id="c2"), IllegalState,
     "contact 'c2' is waiting, expected connected or on_hold"),
    ("transfer to both", TransferContact(contact_id="c1", to_queue="loans", to_agent="l1"),
     InvalidDefinition, "to_queue: give exactly one of to_queue and to_agent"),
    ("transfer to neither", TransferContact(contact_id="c1"), InvalidDefinition,
     "to_queue: give exactly one of to_queue and to_agent"),
    ("transfer to an agent's own queue by name", TransferContact(contact_id="c1",
                                                                 to_queue="@l1"),
     UnknownItem, "unknown queue '@l1'"),
    ("abandon a callback", AbandonContact(contact_id="c3"), IllegalState,
     "contact 'c3' is a callback: the caller is not waiting"),
    ("callback with no number", RequestCallback(contact_id="c2", number=""), InvalidDefinition,
     "number: is empty"),
    ("divert elsewhere", DivertContact(contact_id="c2", to="email"), InvalidDefinition,
     "to: must be voicemail or message, got 'email'"),
    ("login twice", LogIn(agent_id="a1"), IllegalState, "agent 'a1' is already logged in"),
    ("priority too high", offer(priority=101), InvalidDefinition,
     "priority: must be a whole number 0–100, got 101"),
    ("negative priority", offer(priority=-1), InvalidDefinition,
     "priority: must be a whole number 0–100, got -1"),
    ("fractional priority", offer(priority=1.5), InvalidDefinition,
     "priority: must be a whole number 0–100, got 1.5"),
    ("attribute value None", offer(attributes={"segment": None}), InvalidDefinition,
     "attributes.segment: must be a string, number or boolean, got None"),
    ("attribute value list", offer(attributes={"tags": ["a"]}), InvalidDefinition,
     "attributes.tags: must be a string, number or boolean, got ['a']"),
    ("empty attribute key", offer(attributes={"": 1}), InvalidDefinition,
     "attributes: key '' must be a non-empty string"),
    ("bad channel", offer(channel="pigeon"), InvalidDefinition,
     f"channel: unknown channel 'pigeon' (one of {CHANNELS})"),
    ("contact id with a control character", offer(contact_id="c\x1f9"), InvalidDefinition,
     "contact_id: must be printable (no control characters)"),
    ("empty contact id", offer(contact_id=""), InvalidDefinition,
     "contact_id: must be 1–128 characters"),
    ("invalid queue expression",
     DefineQueue(queue=QueueSpec(name="vip", expression='len(languages) > 1')),
     InvalidDefinition,
     "queue 'vip'.expression: column 1: 'len(languages)' is not allowed in a queue expression"),
    ("queue expression syntax",
     DefineQueue(queue=QueueSpec(name="vip", expression="skills.vip = 3")),
     InvalidDefinition, "queue 'vip'.expression: syntax error at column 12: invalid syntax"),
    ("queue named like an agent's own queue",
     DefineQueue(queue=QueueSpec(name="@vip", expression="true")), InvalidDefinition,
     "queue.name: must not start with '@' (agents' own queues)"),
    ("negative priority weight",
     DefineQueue(queue=QueueSpec(name="vip", expression="true", priority_weight_s=-1.0)),
     InvalidDefinition, "queue 'vip'.priority_weight_s: must be ≥ 0"),
    ("workflow with an unknown queue", workflow(("cards", 30.0), ("nowhere", None)),
     UnknownItem, "unknown queue 'nowhere'"),
    ("workflow step without a timeout", workflow(("cards", None), ("loans", None)),
     InvalidDefinition, "workflow 'w'.steps[0].timeout_s: every step but the last needs a "
     "timeout"),
    ("workflow fallback without a last timeout",
     workflow(("cards", None), fallback=Fallback.VOICEMAIL), InvalidDefinition,
     "workflow 'w'.steps[0].timeout_s: the last step needs a timeout for the fallback to "
     "happen"),
    ("workflow with a zero timeout", workflow(("cards", 0.0), ("loans", None)),
     InvalidDefinition, "workflow 'w'.steps[0].timeout_s: must be positive"),
    ("workflow with a queue twice", workflow(("cards", 10.0), ("cards", None)),
     InvalidDefinition, "workflow 'w'.steps[1].queue: queue 'cards' appears twice"),
    ("workflow without steps", workflow(), InvalidDefinition,
     "workflow 'w'.steps: needs at least one step"),
    ("agent proficiency out of range", RegisterAgent(profile=AgentProfile(
        agent_id="a9", site="beijing", skills={"cards": 11})), InvalidDefinition,
     "agent 'a9'.skills.cards: proficiency must be 1–10, got 11"),
    ("agent capacity on an unknown channel", RegisterAgent(profile=AgentProfile(
        agent_id="a9", site="beijing", capacity={"telex": 1})), InvalidDefinition,
     "agent 'a9'.capacity.telex: unknown channel"),
    ("agent without a site", RegisterAgent(profile=AgentProfile(agent_id="a9", site="")),
     InvalidDefinition, "agent 'a9'.site: is empty"),
    ("unknown command", Command(), InvalidDefinition, "command: unknown command Command"),
]


@pytest.mark.parametrize(("command", "error", "message"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_rejected_command_raises_and_leaves_the_state_unchanged(
        command: Command, error: type[CoreError], message: str) -> None:
    centre = busy_centre()
    before = centre.state()
    with pytest.raises(error) as info:
        centre.do(command, at=30.0)
    assert type(info.value) is error
    assert str(info.value) == message
    assert centre.state() == before


@pytest.mark.parametrize(("command", "error", "message"), [c[1:] for c in CASES[:16]],
                         ids=[c[0] for c in CASES[:16]])
def test_after_a_rejected_command_the_engine_decides_as_if_it_never_came(
        command: Command, error: type[CoreError], message: str) -> None:
    """The routing indexes are untouched too: the same follow-up gives the same events."""
    spoiled, clean = busy_centre(), busy_centre()
    with pytest.raises(error) as info:
        spoiled.do(command, at=30.0)
    assert str(info.value) == message
    follow_up: list[tuple[Command, float]] = [
        (EndContact(contact_id="c1"), 40.0),
        (offer(contact_id="l9", workflow="loans"), 41.0),
        (offer(contact_id="c10"), 42.0),
    ]
    for cmd, at in follow_up:
        assert spoiled.do(cmd, at) == clean.do(cmd, at)
    assert spoiled.state() == clean.state()


def test_the_expired_reservation_in_the_busy_centre_is_really_expired() -> None:
    centre = busy_centre()
    timed_out = [e for e in centre.log if isinstance(e, ev.ReservationTimedOut)]
    assert [(e.reservation_id, e.agent_id) for e in timed_out] == [("c2/1", "a3")]
    assert centre.presence("a3") == ("not_ready", "no_answer")


def test_assigning_a_call_to_an_agent_holding_an_email_says_why() -> None:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 1")
    centre.workflow("wf", ("cards", None))
    centre.agent("a1", capacity={"voice": 1, "email": 3}, ready_at=0.0)
    centre.offer("e1", at=1.0, channel="email")
    centre.connect("e1", at=2.0)
    centre.offer("c1", at=3.0)
    before = centre.state()
    with pytest.raises(IllegalState) as info:
        centre.do(AssignContact(contact_id="c1", agent_id="a1"), at=4.0)
    assert centre.state() == before
    assert "call" not in str(info.value)
