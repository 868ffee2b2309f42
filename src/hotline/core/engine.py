"""The engine: ``handle(command, now) -> events`` (design §2).

Each handler checks everything first and raises a typed error before emitting anything, so a
rejected command leaves the state unchanged. Emitting an event applies it at once; later
decisions of the same command see its effect.

>>> engine = Engine()
>>> cards = QueueSpec(name="cards", expression="skills.cards >= 1")
>>> engine.handle(DefineQueue(queue=cards), now=0.0)[0].queue
'cards'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hotline.core import events as ev
from hotline.core.channels import Channel, parse_channel
from hotline.core.commands import (
    AbandonContact,
    AcceptReservation,
    AssignContact,
    Command,
    CompleteWrapUp,
    DefineQueue,
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
    TimerFired,
    TransferContact,
    UpdateAgent,
)
from hotline.core.definitions import Fallback, Workflow
from hotline.core.directory import DirectoryHandlers, check_id
from hotline.core.errors import (
    AgentOverCapacity,
    DuplicateItem,
    IllegalState,
    InvalidDefinition,
    ReservationNotLive,
    UnknownItem,
)
from hotline.core.live import (
    CONNECTED,
    ON_HOLD,
    READY,
    RESERVED,
    WAITING,
    WRAP_UP,
    Contact,
    step_timer,
    wrap_up_timer,
)
from hotline.core.routing import EngineConfig

__all__ = ["Engine", "EngineConfig"]


class Engine(DirectoryHandlers):
    """The routing engine of one site. Not thread-safe: one caller at a time."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        super().__init__(config)
        self._handlers: dict[type[Command], Callable[[Any], None]] = {
            cls: getattr(self, "_on_" + cls.__name__)
            for cls in (DefineQueue, DefineWorkflow, RegisterAgent, UpdateAgent, LogIn,
                        SetPresence, LogOut, OfferContact, AcceptReservation, RejectReservation,
                        AssignContact, HoldContact, ResumeContact, TransferContact, EndContact,
                        CompleteWrapUp, AbandonContact, RequestCallback, DivertContact,
                        TimerFired)
        }

    def handle(self, command: Command, now: float) -> list[ev.Event]:
        """Carry out ``command`` at time ``now`` (seconds since the epoch); return its events."""
        self._now = now
        out: list[ev.Event] = []
        self._out = out
        # The commands of every call first, by direct call; the rest by table.
        if isinstance(command, OfferContact):
            self._on_OfferContact(command)
        elif isinstance(command, EndContact):
            self._on_EndContact(command)
        else:
            handler = self._handlers.get(type(command))
            if handler is None:
                raise InvalidDefinition("command", f"unknown command {type(command).__name__}")
            handler(command)
        return out

    @classmethod
    def replay(cls, events: Iterable[ev.Event], config: EngineConfig | None = None) -> Engine:
        """Rebuild an engine from its event log."""
        engine = cls(config)
        for event in events:
            engine.apply(event)
            engine._now = event.at
        engine.rebuild_indexes()
        return engine

    # --- contacts ----------------------------------------------------------------------------
    def _on_OfferContact(self, c: OfferContact) -> None:
        check_id(c.contact_id, "contact_id")
        if c.contact_id in self.contacts:
            raise DuplicateItem("contact", c.contact_id)
        channel = _CHANNELS.get(c.channel) or parse_channel(c.channel)
        wf = self.workflows.get(c.workflow)
        if wf is None:
            raise UnknownItem("workflow", c.workflow)
        # Read untyped: the compiled engine would reject a float with a bare TypeError.
        priority: object = getattr(c, "priority")  # noqa: B009
        if type(priority) is not int or not 0 <= priority <= self.config.max_priority:
            raise InvalidDefinition("priority", f"must be a whole number 0–"
                                    f"{self.config.max_priority}, got {priority!r}")
        _check_attributes(c.attributes)
        now = self._now
        first = wf.steps[0]
        queued = ev.ContactQueued(at=now, contact_id=c.contact_id, channel=channel,
                                  workflow=wf.name, queue=first.queue, priority=c.priority,
                                  attributes=c.attributes)
        self._apply_ContactQueued(queued)
        self._out.append(queued)
        if _times_out(wf, 0):
            self._emit(ev.WakeUpRequested(at=now, key=step_timer(c.contact_id),
                                          due=now + float(first.timeout_s or 0.0)))
        contact = self.contacts[c.contact_id]
        self._route_contact(contact, contact.pool)

    def _live_reservation(self, reservation_id: str) -> Any:
        res = self.reservations.get(reservation_id)
        if res is None:
            raise ReservationNotLive(reservation_id)
        return res

    def _on_AcceptReservation(self, c: AcceptReservation) -> None:
        res = self._live_reservation(c.reservation_id)
        contact = res.contact
        self._emit(ev.ContactConnected(
            at=self._now, contact_id=contact.id, agent_id=res.agent.id, reservation_id=res.id,
            queue=res.queue.name, first_queue=contact.first_queue, channel=contact.channel,
            queued_at=contact.queued_at, leg=contact.legs))

    def _on_RejectReservation(self, c: RejectReservation) -> None:
        res = self._live_reservation(c.reservation_id)
        agent = res.agent
        self._emit(ev.ReservationRejected(at=self._now, reservation_id=res.id,
                                          contact_id=res.contact.id, agent_id=agent.id))
        # The rejecting agent steps out, or the same offer would come straight back.
        if agent.presence == READY and not agent.pending_logout:
            self._emit(ev.PresenceChanged(at=self._now, agent_id=agent.id, ready=False,
                                          reason="rejected"))
        self._requeue(res.contact)
        self._after_release(agent)

    def _on_AssignContact(self, c: AssignContact) -> None:
        contact = self._contact(c.contact_id, WAITING)
        agent = self._logged_in(c.agent_id)
        if agent.presence != READY or agent.pending_logout:
            raise IllegalState(f"agent '{agent.id}' is not ready")
        cap = agent.capacity.get(contact.channel, 0)
        load = agent.legs_on(contact.channel)
        if load >= cap:
            raise AgentOverCapacity(agent.id, contact.channel, load, cap)
        if not agent.can_take(contact.channel):
            reason = ("is on a call" if agent.exclusive else
                      f"holds other contacts, and a {contact.channel} needs the whole agent")
            raise IllegalState(f"agent '{agent.id}' {reason}")
        queue = next((q for q in contact.pool if agent.id in q.members), None)
        if queue is None:
            pool = ", ".join(q.name for q in contact.pool)
            raise IllegalState(f"agent '{agent.id}' is in none of the queues of contact "
                               f"'{contact.id}' ({pool})")
        self._reserve(contact, agent, queue)

    def _on_HoldContact(self, c: HoldContact) -> None:
        contact = self._contact(c.contact_id, CONNECTED)
        self._emit(ev.ContactHeld(at=self._now, contact_id=contact.id,
                                  agent_id=str(contact.agent_id)))

    def _on_ResumeContact(self, c: ResumeContact) -> None:
        contact = self._contact(c.contact_id, ON_HOLD)
        self._emit(ev.ContactResumed(at=self._now, contact_id=contact.id,
                                     agent_id=str(contact.agent_id)))

    def _on_TransferContact(self, c: TransferContact) -> None:
        contact = self._contact(c.contact_id, CONNECTED, ON_HOLD)
        agent = self.agents[str(contact.agent_id)]
        if (c.to_queue is None) == (c.to_agent is None):
            raise InvalidDefinition("to_queue", "give exactly one of to_queue and to_agent")
        if c.to_queue is not None and (c.to_queue not in self.queues
                                       or c.to_queue.startswith("@")):
            raise UnknownItem("queue", c.to_queue)
        if c.to_agent is not None:
            self._agent(c.to_agent)
            if c.to_agent == agent.id:
                raise IllegalState(f"contact '{contact.id}' is already with agent '{agent.id}'")
        wrap = contact.workflow.wrap_up_s
        until = self._now + wrap if wrap > 0 else None
        self._emit(ev.ContactTransferred(
            at=self._now, contact_id=contact.id, agent_id=agent.id, to_queue=c.to_queue,
            to_agent=c.to_agent, connected_at=agent.leg_of(contact.id).connected_at,
            wrap_up_until=until))
        if until is not None:
            self._emit(ev.WakeUpRequested(at=self._now, key=wrap_up_timer(agent.id, contact.id),
                                          due=until))
        self._route_contact(contact, contact.pool)
        if until is None:
            self._after_release(agent)

    def _on_EndContact(self, c: EndContact) -> None:
        contact = self._contact(c.contact_id, CONNECTED, ON_HOLD)
        agent = contact.agent
        assert agent is not None  # a connected contact is held by its agent
        wrap = contact.workflow.wrap_up_s
        if wrap > 0:
            until = self._now + wrap
            self._emit(ev.ContactEnded(at=self._now, contact_id=contact.id, agent_id=agent.id,
                                       wrap_up_until=until))
            self._emit(ev.WakeUpRequested(at=self._now, key=wrap_up_timer(agent.id, contact.id),
                                          due=until))
            return
        self._finish_wrap_up(agent, contact.id, "", "", False)

    def _on_CompleteWrapUp(self, c: CompleteWrapUp) -> None:
        agent = self._agent(c.agent_id)
        leg = agent.find_leg(c.contact_id)
        if leg is None or leg.activity != WRAP_UP:
            raise IllegalState(f"agent '{c.agent_id}' has no wrap-up of contact '{c.contact_id}'")
        self._finish_wrap_up(agent, c.contact_id, c.disposition, c.notes, False)

    def _on_AbandonContact(self, c: AbandonContact) -> None:
        contact = self._contact(c.contact_id, WAITING, RESERVED)
        if contact.channel == Channel.CALLBACK:
            raise IllegalState(f"contact '{contact.id}' is a callback: the caller is not waiting")
        agent_id = contact.agent_id
        self._emit(ev.ContactAbandoned(at=self._now, contact_id=contact.id,
                                       first_queue=contact.first_queue, channel=contact.channel,
                                       queued_at=contact.queued_at, agent_id=agent_id,
                                       legs=contact.legs))
        if agent_id is not None:
            self._after_release(self.agents[agent_id])

    def _on_RequestCallback(self, c: RequestCallback) -> None:
        contact = self._contact(c.contact_id, WAITING)
        if contact.channel != Channel.VOICE:
            raise IllegalState(f"contact '{contact.id}' is a {contact.channel}, not a call")
        if not c.number:
            raise InvalidDefinition("number", "is empty")
        self._emit(ev.CallbackRequested(at=self._now, contact_id=contact.id, number=c.number))
        self._requeue(contact)

    def _on_DivertContact(self, c: DivertContact) -> None:
        contact = self._contact(c.contact_id, WAITING)
        if c.to not in (Fallback.VOICEMAIL, Fallback.MESSAGE):
            raise InvalidDefinition("to", f"must be voicemail or message, got {c.to!r}")
        self._divert(contact, c.to)

    def _divert(self, contact: Contact, to: str) -> None:
        self._emit(ev.ContactDiverted(at=self._now, contact_id=contact.id,
                                      first_queue=contact.first_queue, channel=contact.channel,
                                      queued_at=contact.queued_at, to=to))

    # --- timers ------------------------------------------------------------------------------
    def _on_TimerFired(self, c: TimerFired) -> None:
        due = self.timers.get(c.key)
        if due is None or due > self._now:
            return  # already moot, or re-armed later: nothing to do
        kind, _, rest = c.key.partition("\x1f")
        if kind == "r":
            self._reservation_expired(rest)
        elif kind == "s":
            self._step_timed_out(self.contacts[rest])
        elif kind == "w":
            agent_id, _, contact_id = rest.partition("\x1f")
            self._finish_wrap_up(self.agents[agent_id], contact_id, "", "", True)

    def _reservation_expired(self, reservation_id: str) -> None:
        res = self.reservations[reservation_id]
        agent = res.agent
        self._emit(ev.ReservationTimedOut(at=self._now, reservation_id=res.id,
                                          contact_id=res.contact.id, agent_id=agent.id))
        if agent.presence == READY and not agent.pending_logout:
            self._emit(ev.PresenceChanged(at=self._now, agent_id=agent.id, ready=False,
                                          reason="no_answer"))
        self._requeue(res.contact)
        self._after_release(agent)

    def _step_timed_out(self, contact: Contact) -> None:
        steps = contact.workflow.steps
        nxt = contact.step + 1
        now = self._now
        if nxt < len(steps):
            step = steps[nxt]
            self._emit(ev.ContactOverflowed(at=now, contact_id=contact.id, step=nxt,
                                            queue=step.queue))
            if _times_out(contact.workflow, nxt):
                self._emit(ev.WakeUpRequested(at=now, key=step_timer(contact.id),
                                              due=now + float(step.timeout_s or 0.0)))
            if contact.state == WAITING:
                self._route_contact(contact, self.queues[step.queue].alone)
            return
        fallback = contact.workflow.fallback
        if contact.state != WAITING:
            # Ringing at an agent: decide once the offer is settled.
            res = self.reservations[str(contact.reservation_id)]
            due = res.expires_at if res.expires_at is not None else now
            self._emit(ev.WakeUpRequested(at=now, key=step_timer(contact.id), due=due))
        elif fallback is Fallback.CALLBACK and contact.channel == Channel.VOICE:
            number = str(contact.attributes.get("caller_number", "unknown"))
            self._emit(ev.CallbackRequested(at=now, contact_id=contact.id, number=number))
            self._requeue(contact)
        elif fallback is not None and fallback is not Fallback.CALLBACK:
            self._divert(contact, fallback.value)
        else:
            # Already a callback (or no fallback): the wake-up is spent.
            self._emit(ev.WakeUpSpent(at=now, key=step_timer(contact.id)))


_CHANNELS = {c.value: c for c in Channel}


def _times_out(workflow: Workflow, step: int) -> bool:
    """Whether a contact at ``step`` needs a wake-up: to widen, or for the fallback."""
    if workflow.steps[step].timeout_s is None:
        return False
    return step + 1 < len(workflow.steps) or workflow.fallback is not None


def _check_attributes(attributes: Mapping[str, object]) -> None:
    if not attributes:
        return
    if type(attributes) is not dict and not isinstance(attributes, Mapping):
        raise InvalidDefinition("attributes", "must be a mapping")
    for key, value in attributes.items():
        if not isinstance(key, str) or not key:
            raise InvalidDefinition("attributes", f"key {key!r} must be a non-empty string")
        if not isinstance(value, str | int | float | bool):
            raise InvalidDefinition(f"attributes.{key}",
                                    f"must be a string, number or boolean, got {value!r}")
