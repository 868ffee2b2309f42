"""The stream's contract: the floor view at seq n plus the events after n, applied with
``apply_event`` (as the stream sends them), equals a fresh ``floor_view``, for every action
that emits events. An agent hears only its own events, which cannot describe a contact offered
to it, so its stream carries its own view with each batch: the last view it got must be its
fresh view after every action."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hotline.core.commands import (
    AbandonContact,
    AcceptReservation,
    Command,
    CompleteWrapUp,
    DefineWorkflow,
    DivertContact,
    EndContact,
    HoldContact,
    LogIn,
    LogOut,
    OfferContact,
    RegisterAgent,
    RejectReservation,
    RequestCallback,
    ResumeContact,
    SetPresence,
    TransferContact,
    UpdateAgent,
)
from hotline.core.definitions import AgentProfile, Fallback, Workflow, WorkflowStep
from hotline.core.errors import CoreError
from hotline.live.view import View, apply_event, floor_view
from hotline.web.stream_hub import concerns_agent, public_event
from tests.unit.web.conftest import build_world

AGENTS = ("a1", "a2")


def plain(data: Any) -> Any:
    """As a browser holds it: through JSON (tuples become lists)."""
    return json.loads(json.dumps(data))


@dataclass
class Floor:
    """The web tests' small centre (queues cards and vip, agents a1 and a2 with cards skill),
    plus workflows that overflow, call back, divert and skip wrap-up."""

    def __post_init__(self) -> None:
        self.world = build_world()
        self.centre = self.world.services.centre
        self.clock = self.world.clock
        for workflow in (
                Workflow(name="bullseye", steps=(WorkflowStep(queue="cards", timeout_s=10.0),
                                                 WorkflowStep(queue="vip", timeout_s=None))),
                Workflow(name="callback", steps=(WorkflowStep(queue="vip", timeout_s=10.0),),
                         fallback=Fallback.CALLBACK),
                Workflow(name="voicemail", steps=(WorkflowStep(queue="vip", timeout_s=10.0),),
                         fallback=Fallback.VOICEMAIL),
                Workflow(name="quick", steps=(WorkflowStep(queue="cards", timeout_s=None),),
                         wrap_up_s=0.0)):
            self.run(DefineWorkflow(workflow=workflow))

    def run(self, command: Command) -> None:
        self.centre.execute(command)

    def ready(self, *agents: str) -> None:
        for agent in agents:
            self.run(LogIn(agent_id=agent, ready=True))

    def offer(self, contact_id: str, workflow: str = "cards", **attributes: Any) -> None:
        self.run(OfferContact(contact_id=contact_id, channel="voice", workflow=workflow,
                              attributes={"caller_number": "5550100", **attributes}))

    def reservation(self, contact_id: str) -> str:
        rid = self.centre.engine.contacts[contact_id].reservation_id
        assert rid is not None, f"{contact_id} is not offered to anyone"
        return rid

    def connect(self, contact_id: str, workflow: str = "cards") -> None:
        """a1 ready, offered ``contact_id`` and connected to it."""
        self.ready("a1")
        self.offer(contact_id, workflow)
        self.run(AcceptReservation(reservation_id=self.reservation(contact_id)))

    def agent_of(self, contact_id: str) -> str:
        agent = self.centre.engine.contacts[contact_id].agent_id
        assert agent is not None
        return agent


Step = Callable[[Floor], None]


def nothing(_: Floor) -> None:
    pass


def run(command: Command) -> Step:
    return lambda f: f.run(command)


def advance(seconds: float) -> Step:
    return lambda f: f.clock.advance(seconds)


def steps(*parts: Step) -> Step:
    def all_of(f: Floor) -> None:
        for part in parts:
            part(f)
    return all_of


A3 = AgentProfile(agent_id="a3", site="bj", skills={"cards": 2}, auto_accept=True)

# name -> (set-up, the action under test)
CASES: dict[str, tuple[Step, Step]] = {
    "agent logs in ready": (nothing, run(LogIn(agent_id="a1", ready=True))),
    "agent logs in not ready": (nothing, run(LogIn(agent_id="a1", ready=False))),
    "goes not ready": (lambda f: f.ready("a1"),
                       run(SetPresence(agent_id="a1", ready=False, reason="break"))),
    "goes ready, takes a waiting call": (
        steps(lambda f: f.offer("c1"), run(LogIn(agent_id="a1", ready=False))),
        run(SetPresence(agent_id="a1", ready=True))),
    "a call waits": (nothing, lambda f: f.offer("c1", segment="vip", card="6222021234567890")),
    "a call is offered to a ready agent": (lambda f: f.ready("a1"), lambda f: f.offer("c1")),
    "accept": (lambda f: (f.ready("a1"), f.offer("c1")),
               lambda f: f.run(AcceptReservation(reservation_id=f.reservation("c1")))),
    "reject, offered to the next agent": (
        lambda f: (f.ready("a1", "a2"), f.offer("c1")),
        lambda f: f.run(RejectReservation(reservation_id=f.reservation("c1")))),
    "reservation times out": (lambda f: (f.ready("a1"), f.offer("c1"), f.ready("a2")),
                              advance(15.0)),
    "reservation times out, nobody else": (lambda f: (f.ready("a1"), f.offer("c1")),
                                           advance(15.0)),
    "hold": (lambda f: f.connect("c1"), run(HoldContact(contact_id="c1"))),
    "resume": (lambda f: (f.connect("c1"), f.run(HoldContact(contact_id="c1"))),
               run(ResumeContact(contact_id="c1"))),
    "transfer to a queue": (lambda f: (f.connect("c1"), f.ready("a2")),
                            run(TransferContact(contact_id="c1", to_queue="cards"))),
    "transfer to an agent": (lambda f: (f.connect("c1"), f.ready("a2")),
                             run(TransferContact(contact_id="c1", to_agent="a2"))),
    "transfer to an agent who is away": (lambda f: f.connect("c1"),
                                         run(TransferContact(contact_id="c1", to_agent="a2"))),
    "end": (lambda f: f.connect("c1"), run(EndContact(contact_id="c1"))),
    "end without wrap-up": (lambda f: f.connect("c1", "quick"), run(EndContact(contact_id="c1"))),
    "wrap-up": (lambda f: (f.connect("c1"), f.run(EndContact(contact_id="c1"))),
                run(CompleteWrapUp(contact_id="c1", agent_id="a1", disposition="resolved",
                                   notes="card 6222021234567890123 blocked"))),
    "wrap-up times out, next call offered": (
        lambda f: (f.connect("c1"), f.run(EndContact(contact_id="c1")), f.offer("c2")),
        advance(60.0)),
    "supervisor forces not ready while talking": (
        lambda f: f.connect("c1"), run(SetPresence(agent_id="a1", ready=False, reason="meeting"))),
    "supervisor forces a logout while talking": (lambda f: f.connect("c1"),
                                                 run(LogOut(agent_id="a1", force=True))),
    "supervisor forces a logout while offered": (lambda f: (f.ready("a1"), f.offer("c1")),
                                                 run(LogOut(agent_id="a1", force=True))),
    "logout after the work in hand": (lambda f: f.connect("c1"), run(LogOut(agent_id="a1"))),
    "pending logout done at wrap-up": (
        lambda f: (f.connect("c1"), f.run(LogOut(agent_id="a1")),
                   f.run(EndContact(contact_id="c1"))),
        run(CompleteWrapUp(contact_id="c1", agent_id="a1", disposition="resolved"))),
    "abandoned while waiting": (lambda f: f.offer("c1"), run(AbandonContact(contact_id="c1"))),
    "abandoned while offered": (lambda f: (f.ready("a1"), f.offer("c1")),
                                run(AbandonContact(contact_id="c1"))),
    "overflow to the next step": (lambda f: f.offer("c1", "bullseye"), advance(10.0)),
    "overflow while offered": (lambda f: (f.ready("a1"), f.offer("c1", "bullseye")),
                               advance(10.0)),
    "overflow to a ready agent": (lambda f: (f.offer("c1", "bullseye"), f.run(UpdateAgent(
        profile=AgentProfile(agent_id="a2", site="bj", skills={"vip": 3}))), f.ready("a2")),
        advance(10.0)),
    "callback as the fallback": (lambda f: f.offer("c1", "callback"), advance(10.0)),
    "caller asks for a callback": (lambda f: f.offer("c1"),
                                   run(RequestCallback(contact_id="c1", number="5550100"))),
    "voicemail as the fallback": (lambda f: f.offer("c1", "voicemail"), advance(10.0)),
    "caller diverts to voicemail": (lambda f: f.offer("c1"),
                                    run(DivertContact(contact_id="c1", to="voicemail"))),
    "agent registered": (nothing, run(RegisterAgent(profile=A3))),
    "agent updated": (lambda f: f.ready("a1"), run(UpdateAgent(profile=AgentProfile(
        agent_id="a1", site="sh", skills={"cards": 9})))),
    "auto-accepting agent takes a call": (
        lambda f: (f.run(RegisterAgent(profile=A3)), f.ready("a3")), lambda f: f.offer("c1")),
}


def views(f: Floor) -> tuple[int, View, dict[str, View]]:
    engine = f.centre.engine
    return (f.centre.seq, plain(floor_view(engine)),
            {a: plain(floor_view(engine, a)) for a in engine.agents})


def sent_after(f: Floor, seq: int) -> list[dict[str, Any]]:
    """The events after ``seq`` as the stream sends them."""
    events: list[dict[str, Any]] = plain([public_event(s, e)["event"]
                                          for s, e in f.centre.log.read(after=seq)])
    return events


def prepared(name: str) -> Floor:
    floor = Floor()
    setup, _ = CASES[name]
    setup(floor)
    return floor


@pytest.mark.parametrize("name", list(CASES))
def test_the_view_plus_the_events_is_the_fresh_view(name: str) -> None:
    f = prepared(name)
    seq, view, _ = views(f)
    CASES[name][1](f)
    events = sent_after(f, seq)
    assert events, f"{name}: the action emitted nothing"
    for event in events:
        apply_event(view, event)
    assert view == plain(floor_view(f.centre.engine))


@pytest.mark.parametrize("name", list(CASES))
def test_an_agents_last_view_is_its_fresh_view(name: str) -> None:
    """What an agent's stream holds: its snapshot, then the view sent with each batch that
    concerns it (``stream.concerns_agent``: its own events, and those of a contact in its
    hands, such as an overflow while offered); after the action, that equals its fresh view."""
    f = prepared(name)
    engine = f.centre.engine
    held = {a: plain(floor_view(engine, a)) for a in engine.agents}  # their snapshots
    sent = {a: 0 for a in engine.agents}

    def stream_of_each_agent(batch: Any) -> None:
        for agent in f.centre.engine.agents:
            keep = concerns_agent(agent, f.centre)
            if any(keep(e) for _, e in batch):
                held[agent] = plain(floor_view(f.centre.engine, agent))
                sent[agent] = sent.get(agent, 0) + 1

    f.centre.subscribe(stream_of_each_agent)
    CASES[name][1](f)
    for agent in f.centre.engine.agents:
        assert held.get(agent) == plain(floor_view(f.centre.engine, agent)), \
            f"{agent}, after {sent.get(agent, 0)} batches of its own"


def test_an_agents_events_alone_do_not_describe_an_offer() -> None:
    """Why the agent's stream carries views: apply_event on the agent's own events cannot add
    the contact offered to it (ContactQueued is nobody's in particular)."""
    f = prepared("a call is offered to a ready agent")
    seq, view = f.centre.seq, plain(floor_view(f.centre.engine, "a1"))
    CASES["a call is offered to a ready agent"][1](f)
    for event in sent_after(f, seq):
        if event.get("agent_id") == "a1":
            apply_event(view, event)
    fresh = plain(floor_view(f.centre.engine, "a1"))
    assert view["reservations"] == fresh["reservations"] and "c1" in fresh["contacts"]
    assert "c1" not in view["contacts"]


def test_a_random_walk_keeps_the_contract_at_every_step() -> None:
    """Seeded random commands and clock moves; the contract checked after each."""
    rng = random.Random(5)
    f = Floor()
    seq, view, _ = views(f)
    moves = 0
    for i in range(600):
        command = random_command(f, rng, i)
        try:
            if command is None:
                f.clock.advance(rng.choice([1.0, 5.0, 15.0, 60.0]))
            else:
                f.run(command)
        except CoreError:
            continue  # refused: changes nothing, as the engine promises
        for event in sent_after(f, seq):
            apply_event(view, event)
        seq = f.centre.seq
        assert view == plain(floor_view(f.centre.engine)), f"step {i}: {command}"
        moves += 1
    assert moves > 200 and seq > 200


def random_command(f: Floor, rng: random.Random, i: int) -> Command | None:
    """A command that usually fits the state (accept an offer, end a call...), or None: let
    time pass (timeouts, overflows, fallbacks, wrap-ups that end by themselves)."""
    engine = f.centre.engine
    agent = rng.choice(AGENTS)
    roll = rng.random()
    if roll < 0.15 or not engine.contacts:
        return OfferContact(contact_id=f"c{i}", channel="voice",
                            workflow=rng.choice(["cards", "bullseye", "callback", "quick"]),
                            attributes={"caller_number": "5550100"})
    if roll < 0.25:
        return rng.choice([LogIn(agent_id=agent, ready=True)] * 3 + [
            SetPresence(agent_id=agent, ready=True),
            SetPresence(agent_id=agent, ready=False, reason="break"),
            LogOut(agent_id=agent, force=rng.random() < 0.5)])
    if roll < 0.35:
        return None
    busy = sorted(c.id for c in engine.contacts.values() if c.state != "waiting")
    contact = engine.contacts[rng.choice(busy if busy and rng.random() < 0.8
                                         else sorted(engine.contacts))]
    cid, rid = contact.id, contact.reservation_id
    choices: list[Command] = {
        "waiting": [AbandonContact(contact_id=cid), RequestCallback(contact_id=cid,
                                                                     number="5550100"),
                    DivertContact(contact_id=cid)],
        "reserved": [AcceptReservation(reservation_id=str(rid))] * 4 + [
            RejectReservation(reservation_id=str(rid)), AbandonContact(contact_id=cid)],
        "connected": [EndContact(contact_id=cid)] * 2 + [
            HoldContact(contact_id=cid), TransferContact(contact_id=cid, to_queue="cards"),
            TransferContact(contact_id=cid, to_agent=agent)],
        "on_hold": [ResumeContact(contact_id=cid), EndContact(contact_id=cid)],
        "wrap_up": [CompleteWrapUp(contact_id=cid, agent_id=contact.agent_id or agent,
                                   disposition="resolved")],
    }.get(contact.state, [])
    return rng.choice(choices) if choices else None
