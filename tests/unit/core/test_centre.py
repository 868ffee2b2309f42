"""A small call centre to drive the engine in tests, and checks of the directory it builds.

``Centre`` wraps an ``Engine``, keeps every event it emitted (for replay tests) and has short
helpers for the commands the tests send most. The invariant checks look at the engine's live
state but recompute the rules themselves, so they do not trust the engine's own predicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from hotline.core import events as ev
from hotline.core.channels import EXCLUSIVE, Channel
from hotline.core.commands import (
    AcceptReservation,
    Command,
    CompleteWrapUp,
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    OfferContact,
    RegisterAgent,
    TimerFired,
)
from hotline.core.definitions import (
    AgentProfile,
    Fallback,
    Ordering,
    QueueSpec,
    Selection,
    Workflow,
    WorkflowStep,
)
from hotline.core.engine import Engine, EngineConfig
from hotline.core.live import READY, WAITING
from hotline.core.state import describe

E = TypeVar("E", bound=ev.Event)

RING_S = 15.0  # the reservation timeout the centres below use


class Centre:
    """An engine plus the log of everything it emitted."""

    def __init__(self, reservation_timeout_s: float = RING_S) -> None:
        self.engine = Engine(EngineConfig(reservation_timeout_s=reservation_timeout_s))
        self.log: list[ev.Event] = []

    def do(self, command: Command, at: float) -> list[ev.Event]:
        out = self.engine.handle(command, now=at)
        self.log.extend(out)
        return out

    # --- directory ---------------------------------------------------------------------------
    def queue(self, name: str, expression: str, *, ordering: Ordering = Ordering.BLENDED,
              selection: Selection = Selection.LONGEST_IDLE, priority_weight_s: float = 60.0,
              proficiency_skill: str | None = None, site: str | None = None) -> None:
        self.do(DefineQueue(queue=QueueSpec(
            name=name, expression=expression, ordering=ordering, selection=selection,
            priority_weight_s=priority_weight_s, proficiency_skill=proficiency_skill,
            site=site)), at=0.0)

    def workflow(self, name: str, *steps: tuple[str, float | None],
                 fallback: Fallback | None = None, wrap_up_s: float = 0.0) -> None:
        self.do(DefineWorkflow(workflow=Workflow(
            name=name, steps=tuple(WorkflowStep(queue=q, timeout_s=t) for q, t in steps),
            fallback=fallback, wrap_up_s=wrap_up_s)), at=0.0)

    def agent(self, agent_id: str, *, site: str = "beijing",
              skills: Mapping[str, int] | None = None, languages: Sequence[str] = ("zh",),
              capacity: Mapping[str, int] | None = None, ready_at: float | None = 0.0,
              auto_accept: bool = False, attributes: Mapping[str, object] | None = None
              ) -> list[ev.Event]:
        """Register an agent and, unless ``ready_at`` is None, log them in ready then."""
        self.do(RegisterAgent(profile=AgentProfile(
            agent_id=agent_id, site=site, skills=dict(skills or {"cards": 5}),
            languages=frozenset(languages), capacity=dict(capacity or {"voice": 1}),
            attributes=dict(attributes or {}), auto_accept=auto_accept)), at=0.0)
        if ready_at is None:
            return []
        return self.do(LogIn(agent_id=agent_id, ready=True), at=ready_at)

    # --- contacts ----------------------------------------------------------------------------
    def offer(self, contact_id: str, at: float, *, workflow: str = "wf",
              channel: str = "voice", priority: int = 0,
              attributes: Mapping[str, str | int | float | bool] | None = None
              ) -> list[ev.Event]:
        return self.do(OfferContact(contact_id=contact_id, channel=channel, workflow=workflow,
                                    priority=priority, attributes=dict(attributes or {})),
                       at=at)

    def accept(self, contact_id: str, at: float) -> list[ev.Event]:
        """Accept the live reservation of ``contact_id``."""
        rid = self.engine.contacts[contact_id].reservation_id
        assert rid is not None, f"contact {contact_id} has no live reservation"
        return self.do(AcceptReservation(reservation_id=rid), at=at)

    def connect(self, contact_id: str, at: float) -> None:
        """Offer was made earlier; accept it so the contact is connected."""
        out = self.accept(contact_id, at)
        assert [type(e) for e in out] == [ev.ContactConnected]

    def end(self, contact_id: str, at: float) -> list[ev.Event]:
        return self.do(EndContact(contact_id=contact_id), at=at)

    def complete(self, contact_id: str, agent_id: str, at: float, disposition: str = "",
                 notes: str = "") -> list[ev.Event]:
        return self.do(CompleteWrapUp(contact_id=contact_id, agent_id=agent_id,
                                      disposition=disposition, notes=notes), at=at)

    def fire(self, key: str) -> list[ev.Event]:
        """Fire a timer at the due time the engine asked for."""
        due = self.engine.timers[key]
        return self.do(TimerFired(key=key), at=due)

    # --- looking at the state ----------------------------------------------------------------
    def state(self) -> dict[str, object]:
        return describe(self.engine)

    def holder(self, contact_id: str) -> str | None:
        """The agent a contact is offered to or connected with."""
        return self.engine.contacts[contact_id].agent_id

    def contact_state(self, contact_id: str) -> str:
        return self.engine.contacts[contact_id].state

    def presence(self, agent_id: str) -> tuple[str, str]:
        agent = self.engine.agents[agent_id]
        return agent.presence, agent.reason

    def check_invariants(self) -> None:
        check_invariants(self.engine)


def standard_centre(reservation_timeout_s: float = RING_S) -> Centre:
    """One queue 'cards' (agents with the cards skill) and workflow 'wf' on it, no timeouts."""
    centre = Centre(reservation_timeout_s)
    centre.queue("cards", "skills.cards >= 1")
    centre.workflow("wf", ("cards", None))
    return centre


# --- event helpers ---------------------------------------------------------------------------
def kinds(events: Sequence[ev.Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def only(events: Sequence[ev.Event], cls: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, cls)]


def one(events: Sequence[ev.Event], cls: type[E]) -> E:
    found = only(events, cls)
    assert len(found) == 1, f"expected one {cls.__name__} in {kinds(events)}"
    return found[0]


def wake_key(events: Sequence[ev.Event], prefix: str) -> str:
    """The key of the single wake-up whose kind is ``prefix`` ('r', 's' or 'w')."""
    keys = [e.key for e in only(events, ev.WakeUpRequested) if e.key.startswith(prefix)]
    assert len(keys) == 1, f"expected one '{prefix}' wake-up, got {keys}"
    return keys[0]


# --- invariants ------------------------------------------------------------------------------
def free_for(engine: Engine, agent_id: str, channel: Channel) -> bool:
    """Whether an agent may take one more contact of ``channel``, by the rules of design §3."""
    agent = engine.agents[agent_id]
    if agent.presence != READY or agent.pending_logout:
        return False
    capacity = agent.profile.effective_capacity().get(channel, 0)
    legs = [leg.channel for leg in agent.work.values()]
    if sum(1 for c in legs if c == channel) >= capacity:
        return False
    if any(c in EXCLUSIVE for c in legs):
        return False  # a call holds the agent exclusively
    return not (channel in EXCLUSIVE and legs)  # a call needs an agent holding nothing else


def check_invariants(engine: Engine) -> None:
    """No ready agent with free capacity idles beside an eligible waiting contact; no contact
    has two live reservations; no agent holds more than their capacity."""
    for contact in engine.contacts.values():
        if contact.state != WAITING:
            continue
        for queue in contact.pool:
            for agent_id in sorted(queue.members):
                assert not free_for(engine, agent_id, contact.channel), (
                    f"agent {agent_id} is free for {contact.channel} but contact {contact.id} "
                    f"waits in queue {queue.name}")
    per_contact: dict[str, int] = {}
    for res in engine.reservations.values():
        per_contact[res.contact.id] = per_contact.get(res.contact.id, 0) + 1
    assert all(n == 1 for n in per_contact.values()), per_contact
    for agent in engine.agents.values():
        capacity = agent.profile.effective_capacity()
        for channel in {leg.channel for leg in agent.work.values()}:
            held = sum(1 for leg in agent.work.values() if leg.channel == channel)
            assert held <= capacity.get(channel, 0), (agent.id, channel, held)


# --- the directory the helper builds ---------------------------------------------------------
def test_queue_membership_follows_the_expression_and_agents_get_their_own_queue() -> None:
    centre = Centre()
    centre.queue("cards", "skills.cards >= 3")
    centre.agent("expert", skills={"cards": 7})
    centre.agent("novice", skills={"cards": 2})
    queues = centre.state()["queues"]
    assert isinstance(queues, dict)
    assert queues["cards"]["members"] == ["expert"]
    assert queues["@expert"]["members"] == ["expert"]
    assert queues["@novice"]["members"] == ["novice"]


def test_queue_defined_after_agents_picks_up_existing_members() -> None:
    centre = Centre()
    centre.agent("a1", skills={"loans": 4})
    centre.agent("a2", skills={"cards": 4})
    out = centre.do(DefineQueue(queue=QueueSpec(name="loans", expression="skills.loans > 0",
                                                site="beijing")), at=1.0)
    assert out == [ev.QueueDefined(at=1.0, queue="loans", expression="skills.loans > 0",
                                   ordering="blended", selection="longest_idle",
                                   priority_weight_s=60.0, proficiency_skill=None,
                                   site="beijing")]
    assert sorted(centre.engine.queues["loans"].members) == ["a1"]


def test_login_ready_emits_logged_in_and_the_agent_waits_for_work() -> None:
    centre = standard_centre()
    out = centre.agent("a1", ready_at=5.0)
    assert out == [ev.AgentLoggedIn(at=5.0, agent_id="a1", ready=True, reason="")]
    assert centre.presence("a1") == ("ready", "")
    centre.check_invariants()


def test_timer_fired_for_an_unknown_key_does_nothing() -> None:
    centre = standard_centre()
    centre.agent("a1")
    before = centre.state()
    assert centre.do(TimerFired(key="nothing"), at=10.0) == []
    assert centre.state() == before
