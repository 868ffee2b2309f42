"""The live state of one site and how each event changes it.

``CentreState.apply(event)`` is the only way state changes, in the engine and in replay alike,
so replaying the event log rebuilds the same state. The routing indexes (heaps of waiting
contacts and available agents) are derived: the engine maintains them as it decides, and
``rebuild_indexes`` recreates them after a replay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.core import events as ev
from hotline.core.channels import EXCLUSIVE, Channel
from hotline.core.definitions import (
    AgentProfile,
    Fallback,
    Ordering,
    QueueSpec,
    Selection,
    Workflow,
    WorkflowStep,
)
from hotline.core.expressions import AgentView, compile_expression
from hotline.core.live import (
    CONNECTED,
    ENDED,
    NOT_READY,
    OFFLINE,
    ON_HOLD,
    READY,
    RESERVED,
    WAITING,
    WRAP_UP,
    AgentState,
    Contact,
    Leg,
    QueueState,
    Reservation,
    personal_queue,
    reservation_timer,
    step_timer,
    wrap_up_timer,
)


class CentreState:
    """Agents, queues, workflows, live contacts, reservations and timers of one site."""

    def __init__(self) -> None:
        self.queues: dict[str, QueueState] = {}  # defined queues and agents' own queues
        self.shared_queues: dict[str, QueueState] = {}  # the defined queues only
        self.workflows: dict[str, Workflow] = {}
        self.agents: dict[str, AgentState] = {}
        self.contacts: dict[str, Contact] = {}
        self.reservations: dict[str, Reservation] = {}
        self.timers: dict[str, float] = {}
        self.contact_seq = 0
        self._appliers: dict[type[ev.Event], Callable[[Any], None]] = {
            cls: getattr(self, "_apply_" + cls.__name__) for cls in ev.EVENT_TYPES.values()
        }

    def apply(self, event: ev.Event) -> None:
        self._appliers[type(event)](event)

    # --- directory ---------------------------------------------------------------------------
    def _apply_QueueDefined(self, e: ev.QueueDefined) -> None:
        spec = QueueSpec(name=e.queue, expression=e.expression, ordering=Ordering(e.ordering),
                         selection=Selection(e.selection), priority_weight_s=e.priority_weight_s,
                         proficiency_skill=e.proficiency_skill, site=e.site)
        old = self.queues.get(e.queue)
        q = QueueState(spec, compile_expression(e.expression, f"queue '{e.queue}'.expression"))
        if old is not None:
            q.waiting = old.waiting
            q.queued = old.queued
        self.queues[e.queue] = q
        self.shared_queues[e.queue] = q
        for contact in self.contacts.values():
            contact.pool = tuple(q if p is old else p for p in contact.pool)
        for agent in self.agents.values():
            shared = [p for p in agent.shared if p is not old]
            if q.member(agent.view()):
                q.members.add(agent.id)
                shared.append(q)
                agent.version += 1
            agent.set_shared(shared)

    def _apply_WorkflowDefined(self, e: ev.WorkflowDefined) -> None:
        self.workflows[e.workflow] = Workflow(
            name=e.workflow,
            steps=tuple(WorkflowStep(queue=q, timeout_s=t) for q, t in e.steps),
            fallback=Fallback(e.fallback) if e.fallback else None,
            wrap_up_s=e.wrap_up_s,
        )

    def _profile(self, e: ev.AgentRegistered) -> AgentProfile:
        return AgentProfile(agent_id=e.agent_id, site=e.site, skills=dict(e.skills),
                            languages=frozenset(e.languages), capacity=dict(e.capacity),
                            attributes=dict(e.attributes), auto_accept=e.auto_accept)

    def _apply_AgentRegistered(self, e: ev.AgentRegistered) -> None:
        agent = AgentState(self._profile(e), len(self.agents))
        self.agents[agent.id] = agent
        own = QueueState(QueueSpec(name=personal_queue(agent.id), expression="true"),
                         _is_agent(agent.id))
        own.members.add(agent.id)
        own.owner = agent
        agent.own = own
        self.queues[own.name] = own
        self._set_membership(agent)

    def _apply_AgentUpdated(self, e: ev.AgentUpdated) -> None:
        agent = self.agents[e.agent_id]
        agent.set_profile(self._profile(e))
        self._set_membership(agent)

    def _set_membership(self, agent: AgentState) -> None:
        view = agent.view()
        shared = []
        # Only the defined queues: looping over every agent's own queue too would make
        # registering an agent cost time in proportion to the number of agents.
        for q in self.shared_queues.values():
            if q.member(view):
                q.members.add(agent.id)
                shared.append(q)
            else:
                q.members.discard(agent.id)
        agent.set_shared(shared)
        agent.version += 1

    # --- presence ----------------------------------------------------------------------------
    def _apply_AgentLoggedIn(self, e: ev.AgentLoggedIn) -> None:
        agent = self.agents[e.agent_id]
        agent.presence = READY if e.ready else NOT_READY
        agent.reason = e.reason
        agent.idle_since = e.at
        agent.state_since = e.at
        agent.version += 1

    def _apply_PresenceChanged(self, e: ev.PresenceChanged) -> None:
        agent = self.agents[e.agent_id]
        if e.ready and agent.presence != READY and agent.total == 0:
            agent.idle_since = e.at
        agent.presence = READY if e.ready else NOT_READY
        agent.reason = e.reason
        agent.state_since = e.at
        agent.version += 1

    def _apply_AgentLogoutRequested(self, e: ev.AgentLogoutRequested) -> None:
        agent = self.agents[e.agent_id]
        agent.pending_logout = True
        agent.version += 1

    def _apply_AgentLoggedOut(self, e: ev.AgentLoggedOut) -> None:
        agent = self.agents[e.agent_id]
        agent.presence = OFFLINE
        agent.reason = ""
        agent.pending_logout = False
        agent.state_since = e.at
        agent.version += 1

    # --- contacts ----------------------------------------------------------------------------
    def _apply_ContactQueued(self, e: ev.ContactQueued) -> None:
        workflow = self.workflows[e.workflow]
        self.contact_seq += 1
        self.contacts[e.contact_id] = Contact(e, workflow, self.queues[e.queue].alone,
                                              self.contact_seq)

    def _apply_ContactOverflowed(self, e: ev.ContactOverflowed) -> None:
        contact = self.contacts[e.contact_id]
        contact.step = e.step
        contact.pool = (*contact.pool, self.queues[e.queue])
        self.timers.pop(step_timer(contact.id), None)

    def _apply_ReservationCreated(self, e: ev.ReservationCreated) -> None:
        contact = self.contacts[e.contact_id]
        agent = self.agents[e.agent_id]
        contact.state = RESERVED
        contact.reservation_id = e.reservation_id
        contact.agent = agent
        contact.offers += 1
        self.reservations[e.reservation_id] = Reservation(e, contact, agent,
                                                          self.queues[e.queue])
        self._take(agent, contact, RESERVED)

    def _take(self, agent: AgentState, contact: Contact, activity: str) -> Leg:
        """The agent gets a leg of ``contact``."""
        ch = contact.channel
        if ch in EXCLUSIVE:
            agent.exclusive += 1
        else:
            agent.load[ch] = agent.load.get(ch, 0) + 1
        agent.total += 1
        leg = agent.begin_leg(contact.id, activity, ch)
        agent.version += 1
        return leg

    def _connect_at_once(self, contact: Contact, agent: AgentState, at: float) -> None:
        """ReservationCreated (auto-accept, no expiry) and ContactConnected, applied together
        on the objects in hand: the same state as the two appliers leave."""
        contact.offers += 1
        contact.agent = agent
        contact.reservation_id = None
        self._connected(contact, self._take(agent, contact, CONNECTED), at)

    def _connected(self, contact: Contact, leg: Leg, at: float) -> None:
        contact.state = CONNECTED
        contact.legs += 1
        leg.activity = CONNECTED
        leg.connected_at = at
        if contact.workflow.steps[contact.step].timeout_s is not None:
            self.timers.pop(step_timer(contact.id), None)

    def _release(self, agent: AgentState, contact_id: str, at: float) -> None:
        leg = agent.end_leg(contact_id)
        ch = leg.channel
        if ch in EXCLUSIVE:
            agent.exclusive -= 1
        else:
            agent.load[ch] -= 1
        agent.total -= 1
        if agent.total == 0:
            agent.idle_since = at
        agent.version += 1

    def _back_to_waiting(self, reservation_id: str, at: float) -> None:
        res = self.reservations.pop(reservation_id)
        contact = res.contact
        contact.state = WAITING
        contact.reservation_id = None
        contact.agent = None
        contact.gen += 1
        self._release(res.agent, contact.id, at)
        self.timers.pop(reservation_timer(reservation_id), None)

    def _apply_ReservationRejected(self, e: ev.ReservationRejected) -> None:
        self._back_to_waiting(e.reservation_id, e.at)

    def _apply_ReservationTimedOut(self, e: ev.ReservationTimedOut) -> None:
        self._back_to_waiting(e.reservation_id, e.at)

    def _apply_ReservationRevoked(self, e: ev.ReservationRevoked) -> None:
        self._back_to_waiting(e.reservation_id, e.at)

    def _apply_ContactConnected(self, e: ev.ContactConnected) -> None:
        res = self.reservations.pop(e.reservation_id)
        contact = res.contact
        contact.reservation_id = None
        if res.expires_at is not None:
            self.timers.pop(reservation_timer(e.reservation_id), None)
        self._connected(contact, res.agent.leg_of(contact.id), e.at)

    def _apply_ContactHeld(self, e: ev.ContactHeld) -> None:
        self.contacts[e.contact_id].state = ON_HOLD
        leg = self.agents[e.agent_id].leg_of(e.contact_id)
        leg.activity = ON_HOLD
        leg.hold_since = e.at

    def _apply_ContactResumed(self, e: ev.ContactResumed) -> None:
        self.contacts[e.contact_id].state = CONNECTED
        leg = self.agents[e.agent_id].leg_of(e.contact_id)
        leg.activity = CONNECTED
        leg.hold_s += e.at - leg.hold_since

    def _end_leg(self, agent: AgentState, contact_id: str, at: float, wrap_until: float | None
                 ) -> None:
        leg = agent.leg_of(contact_id)
        if leg.activity == ON_HOLD:
            leg.hold_s += at - leg.hold_since
        if wrap_until is None:
            self._release(agent, contact_id, at)
        else:
            leg.activity = WRAP_UP

    def _apply_ContactTransferred(self, e: ev.ContactTransferred) -> None:
        contact = self.contacts[e.contact_id]
        self._end_leg(self.agents[e.agent_id], contact.id, e.at, e.wrap_up_until)
        target = e.to_queue if e.to_queue is not None else personal_queue(str(e.to_agent))
        contact.state = WAITING
        contact.agent = None
        contact.transferred = True
        contact.order_at = e.at
        contact.gen += 1
        self.contact_seq += 1
        contact.seq = self.contact_seq
        contact.pool = self.queues[target].alone

    def _apply_ContactEnded(self, e: ev.ContactEnded) -> None:
        self.contacts[e.contact_id].state = WRAP_UP
        self._end_leg(self.agents[e.agent_id], e.contact_id, e.at, e.wrap_up_until)

    def _apply_WrapUpEnded(self, e: ev.WrapUpEnded) -> None:
        self._release(self.agents[e.agent_id], e.contact_id, e.at)
        self.timers.pop(wrap_up_timer(e.agent_id, e.contact_id), None)

    def _apply_ContactCompleted(self, e: ev.ContactCompleted) -> None:
        self._complete(self.contacts[e.contact_id], self.agents[e.agent_id], e.at)

    def _complete(self, contact: Contact, agent: AgentState, at: float) -> None:
        del self.contacts[contact.id]
        state, contact.state = contact.state, ENDED
        if state != WRAP_UP:
            self._end_leg(agent, contact.id, at, None)
        else:
            self._release(agent, contact.id, at)
            self.timers.pop(wrap_up_timer(agent.id, contact.id), None)

    def _apply_ContactAbandoned(self, e: ev.ContactAbandoned) -> None:
        contact = self.contacts.pop(e.contact_id)
        contact.state = ENDED
        if contact.reservation_id is not None:
            res = self.reservations.pop(contact.reservation_id)
            self._release(res.agent, contact.id, e.at)
            self.timers.pop(reservation_timer(res.id), None)
        self.timers.pop(step_timer(contact.id), None)

    def _apply_CallbackRequested(self, e: ev.CallbackRequested) -> None:
        contact = self.contacts[e.contact_id]
        if contact.step == len(contact.workflow.steps) - 1:
            # The fallback of the last step would be a callback: nothing left to wait for.
            self.timers.pop(step_timer(contact.id), None)
        contact.channel = Channel.CALLBACK
        contact.callback_number = e.number
        contact.gen += 1

    def _apply_ContactDiverted(self, e: ev.ContactDiverted) -> None:
        contact = self.contacts.pop(e.contact_id)
        contact.state = ENDED
        self.timers.pop(step_timer(contact.id), None)

    def _apply_WakeUpRequested(self, e: ev.WakeUpRequested) -> None:
        self.timers[e.key] = e.due

    def _apply_WakeUpSpent(self, e: ev.WakeUpSpent) -> None:
        del self.timers[e.key]


def _legs_per_channel(agent: AgentState) -> dict[Channel, int]:
    counts: dict[Channel, int] = {}
    for leg in agent.legs():
        counts[leg.channel] = counts.get(leg.channel, 0) + 1
    return counts


def _is_agent(agent_id: str) -> Callable[[AgentView], bool]:
    return lambda view: view.id == agent_id


def describe(state: CentreState) -> dict[str, Any]:
    """The logical state as plain data (no routing indexes): equal states describe equally."""
    return {
        "queues": {
            name: {"spec": repr(q.spec), "members": sorted(q.members)}
            for name, q in sorted(state.queues.items())
        },
        "workflows": {name: repr(w) for name, w in sorted(state.workflows.items())},
        "agents": {
            a.id: {
                "profile": _profile_data(a.profile), "presence": a.presence,
                "reason": a.reason,
                "pending_logout": a.pending_logout,
                "load": {str(c): n for c, n in sorted(_legs_per_channel(a).items())},
                "total": a.total, "exclusive": a.exclusive,
                "idle_since": a.idle_since, "state_since": a.state_since,
                "queues": [q.name for q in a.queues],
                "work": {cid: (leg.activity, str(leg.channel), leg.connected_at, leg.hold_s,
                               leg.hold_since) for cid, leg in sorted(a.work.items())},
            }
            for a in sorted(state.agents.values(), key=lambda a: a.id)
        },
        "contacts": {
            c.id: {
                "channel": str(c.channel), "workflow": c.workflow.name, "priority": c.priority,
                "attributes": dict(c.attributes), "queued_at": c.queued_at,
                "order_at": c.order_at, "seq": c.seq, "state": c.state, "step": c.step,
                "pool": [q.name for q in c.pool], "first_queue": c.first_queue,
                "agent_id": c.agent_id, "reservation_id": c.reservation_id, "offers": c.offers,
                "legs": c.legs, "callback_number": c.callback_number,
                "transferred": c.transferred,
            }
            for c in sorted(state.contacts.values(), key=lambda c: c.id)
        },
        "reservations": {
            r.id: (r.contact.id, r.agent.id, r.queue.name, r.created_at, r.expires_at)
            for r in sorted(state.reservations.values(), key=lambda r: r.id)
        },
        "timers": dict(sorted(state.timers.items())),
        "contact_seq": state.contact_seq,
    }


def _profile_data(p: AgentProfile) -> dict[str, Any]:
    return {"site": p.site, "skills": dict(sorted(p.skills.items())),
            "languages": sorted(p.languages), "capacity": dict(sorted(p.capacity.items())),
            "attributes": dict(sorted(p.attributes.items())), "auto_accept": p.auto_accept}
