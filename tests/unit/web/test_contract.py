"""The stream's contract: the floor view at seq n plus the events after n, applied with
``apply_event`` (as the stream sends them), equals a fresh ``floor_view``, for every action
that emits events; and the same for an agent's own view with the agent's own events."""

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
from hotline.web.stream import public_event
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


# Where an agent's own view does not follow from its own events (reported as bugs):
OFFERED = ("the offered contact is missing: the agent's stream never gets the contact's "
           "ContactQueued (no agent_id), and apply_event's ReservationCreated (or an auto-accept's "
           "ContactConnected) only marks a contact already in the view")
LEFT = ("the contact stays in the agent's view, waiting, after it left the agent (rejected, "
        "timed out, revoked, transferred); floor_view(state, agent) no longer shows it")
AGENT_XFAIL = {
    "goes ready, takes a waiting call": OFFERED,
    "a call is offered to a ready agent": OFFERED,
    "reject, offered to the next agent": LEFT + "; and " + OFFERED,
    "reservation times out": LEFT + "; and " + OFFERED,
    "reservation times out, nobody else": LEFT,
    "transfer to a queue": LEFT + "; and " + OFFERED,
    "transfer to an agent": LEFT + "; and " + OFFERED,
    "transfer to an agent who is away": LEFT,
    "wrap-up times out, next call offered": OFFERED,
    "supervisor forces a logout while offered": LEFT,
    "overflow to a ready agent": OFFERED,
    "auto-accepting agent takes a call": OFFERED,
}


def agent_cases() -> list[Any]:
    out = []
    for name in CASES:
        why = AGENT_XFAIL.get(name)
        marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
        out.append(pytest.param(name, marks=marks))
    return out


@pytest.mark.parametrize("name", agent_cases())
def test_an_agents_view_plus_its_events_is_its_fresh_view(name: str) -> None:
    f = prepared(name)
    seq, _, mine = views(f)
    CASES[name][1](f)
    events = sent_after(f, seq)
    engine = f.centre.engine
    for agent, view in mine.items():
        for event in events:
            if event.get("agent_id") == agent:  # what the stream sends to that agent
                apply_event(view, event)
        assert view == plain(floor_view(engine, agent)), agent
    for agent in set(engine.agents) - set(mine):  # registered by the action: starts empty
        view = {"agents": {}, "contacts": {}, "reservations": {}}
        for event in events:
            if event.get("agent_id") == agent:
                apply_event(view, event)
        assert view == plain(floor_view(engine, agent)), agent


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
