"""Routing decisions: which agent gets which contact, in O(log n) per decision.

Indexes (design §9): per queue and channel, a heap of waiting contacts ordered by virtual
arrival, and an index of available agents ordered by the queue's selection policy (idle.py:
FIFOs per rank, mostly O(1)). Entries go
stale instead of being removed (a contact's ``gen`` or an agent's ``version`` moved on) and are
dropped when they surface, so no decision scans agents or contacts.

Tie-breaks, so that the same commands at the same times give the same decisions:
- contacts: smallest virtual arrival (``order_at - weight x priority``), then the order in which
  they entered (``seq``); a freed agent takes the best head across its queues, its own
  (transfer) queue counted like any other;
- agents: the queue's selection key, then the order in which agents were registered;
- a contact looks for an agent in the queues of its pool in workflow-step order (inner ring
  first), so a contact of Beijing's provinces reaches Beijing before Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Any, Final

from hotline.core import events as ev
from hotline.core.channels import EXCLUSIVE, Channel
from hotline.core.definitions import Selection
from hotline.core.idle import IdleIndex
from hotline.core.live import (
    CALL_BITS,
    ON_HOLD,
    READY,
    RESERVED,
    WAITING,
    AgentState,
    Contact,
    QueueState,
    reservation_timer,
)
from hotline.core.state import CentreState

# The idle-index slot of each channel: the exclusive channels share the voice slot.
SLOT = {ch: (Channel.VOICE if ch in EXCLUSIVE else ch) for ch in Channel}
VOICE: Final = Channel.VOICE  # Final: a compiled static, read without a globals lookup


@dataclass(frozen=True, kw_only=True, slots=True)
class EngineConfig:
    reservation_timeout_s: float = 15.0
    max_priority: int = 100


class Router(CentreState):
    def __init__(self, config: EngineConfig | None = None) -> None:
        super().__init__()
        self.config = config or EngineConfig()
        self._now = 0.0
        self._out: list[ev.Event] = []

    def _emit(self, event: ev.Event) -> None:
        self._appliers[type(event)](event)
        self._out.append(event)

    # --- contact side ------------------------------------------------------------------------
    def _route_contact(self, contact: Contact, queues: tuple[QueueState, ...]) -> None:
        """Offer a waiting contact to the best available agent of ``queues``, or let it wait."""
        ch = contact.channel
        slot = SLOT[ch]
        for q in queues:
            if q.owner is not None:
                agent = q.owner
                if agent.can_take(ch) and not agent.holds(contact.id):
                    self._reserve_and_reindex(contact, agent, q)
                    return
                continue
            index = q.voice if slot is VOICE else q.idle.get(slot)
            if index is None:
                continue
            top = index.best()
            if top is None:
                continue
            agent = top[-1]
            # An agent still holding the contact (a transfer's wrap-up) is passed over; a live
            # entry of the slot is free for the slot's channel if the agent takes it at all.
            if agent.holds(contact.id) or (
                    (ch is not slot or not _has_capacity(agent, ch)) and not agent.can_take(ch)):
                found = _other_idle_agent(index, contact)
                if found is None:
                    continue
                agent = found
            self._reserve_and_reindex(contact, agent, q)
            return
        entry_seq, gen, order_at, priority = contact.seq, contact.gen, contact.order_at, \
            contact.priority
        for q in queues:
            heap = q.waiting.get(ch)
            if heap is None:
                heap = q.waiting[ch] = []
            heappush(heap, (order_at - q.weight * priority, entry_seq, gen, contact))
            q.queued += 1
            if q.owner is not None:
                q.owner.own_waiting = True

    def _reserve_and_reindex(self, contact: Contact, agent: AgentState, q: QueueState) -> None:
        self._reserve(contact, agent, q)
        if not agent.exclusive and agent.presence == READY:
            # Still free for more (e-mails, chats): back into the indexes.
            self._index_agent(agent)

    def _requeue(self, contact: Contact) -> None:
        """A contact is back from an offer: it waits again in its old place."""
        self._route_contact(contact, contact.pool)

    def _reserve(self, contact: Contact, agent: AgentState, q: QueueState) -> None:
        now = self._now
        rid = f"{contact.id}/{contact.offers + 1}"
        if agent.auto_accept:
            # The hottest path of the twin: the effect of both events at once, on the objects
            # in hand (no lookups by id, no Reservation that would live for one event).
            created = ev.ReservationCreated(at=now, reservation_id=rid, contact_id=contact.id,
                                            agent_id=agent.id, queue=q.name, expires_at=None)
            connected = ev.ContactConnected(
                at=now, contact_id=contact.id, agent_id=agent.id, reservation_id=rid,
                queue=q.name, first_queue=contact.first_queue, channel=contact.channel,
                queued_at=contact.queued_at, leg=contact.legs)
            self._connect_at_once(contact, agent, now)
            self._out.append(created)
            self._out.append(connected)
            return
        due = now + self.config.reservation_timeout_s
        self._emit(ev.ReservationCreated(at=now, reservation_id=rid, contact_id=contact.id,
                                         agent_id=agent.id, queue=q.name, expires_at=due))
        self._emit(ev.WakeUpRequested(at=now, key=reservation_timer(rid), due=due))

    # --- agent side --------------------------------------------------------------------------
    def _refresh_agent(self, agent: AgentState) -> None:
        """An agent may take work: give them the best waiting contact(s), else index them."""
        while True:
            best: tuple[Any, ...] | None = None
            best_q: QueueState | None = None
            queues = agent.shared
            if agent.own_waiting:
                # The own queue first, as in ``agent.queues`` (the tie-break between the same
                # contact's entries in two queues).
                own = agent.own
                if own is not None and own.queued:
                    queues = (own, *agent.shared)
                else:
                    agent.own_waiting = False
            for q in queues:
                if not q.queued:
                    # Nothing queued (the common case of a release): the waiting heaps, two or
                    # three cache lines a queue, stay untouched.
                    continue
                for ch, heap in q.waiting.items():
                    if not heap or not agent.can_take(ch):
                        continue
                    while heap:
                        top = heap[0]
                        contact = top[3]
                        if contact.state == WAITING and contact.gen == top[2]:
                            break
                        heappop(heap)
                        q.queued -= 1
                    else:
                        continue
                    if agent.holds(contact.id):
                        other = _other_waiting_contact(q, heap, agent)
                        if other is None:
                            continue
                        top = other
                    if best is None or top[0] < best[0] or (top[0] == best[0]
                                                            and top[1] < best[1]):
                        best, best_q = top, q
            if best is None or best_q is None:
                break
            self._reserve(best[3], agent, best_q)
            if agent.exclusive or agent.presence != READY:
                return
        self._index_agent(agent)

    def _index_agent(self, agent: AgentState) -> None:
        """Put an available agent into the idle heaps of its queues, once per slot: all the
        exclusive channels (voice, callback, outbound) share one slot, as an agent free for one
        of them is free for all (see ``can_take``). An agent's own queue is checked directly,
        not indexed."""
        if agent.presence != READY or agent.pending_logout or agent.exclusive:
            return
        if agent.calls and not agent.total:
            self._push_idle(agent, Channel.VOICE)
        for ch in agent.digital:
            if agent.load.get(ch, 0) < agent.capacity[ch]:
                self._push_idle(agent, ch)

    def _push_idle(self, agent: AgentState, slot: Channel) -> None:
        # One entry shared by the agent's queues (the rank goes alongside): each tuple or boxed
        # number would otherwise be an object of its own to allocate, and to free when it
        # surfaces.
        idle = agent.idle_since
        seq = agent.seq
        version = agent.version
        boxed_idle: object = idle
        boxed_version: object = version
        entry = (boxed_idle, agent.seq_key, boxed_version, agent)
        occupancy = agent.occupancy()
        for i, q in enumerate(agent.shared):
            index = q.voice if slot is VOICE else q.idle.get(slot)
            if index is None:
                index = q.idle_index(slot)
            if q.longest_idle:
                index.push(0.0, idle, seq, version, entry)
            elif q.selection is Selection.MOST_PROFICIENT:
                index.push(agent.ranks[i], idle, seq, version, entry)
            else:
                index.push(occupancy, idle, seq, version, entry)
            if len(index) > 2 * len(q.members) + 32:
                index.compact()

    def _finish_wrap_up(self, agent: AgentState, contact_id: str, disposition: str, notes: str,
                        timed_out: bool, *, route: bool = True) -> None:
        leg = agent.leg_of(contact_id)
        hold = leg.hold_s + (self._now - leg.hold_since if leg.activity == ON_HOLD else 0.0)
        contact = self.contacts.get(contact_id)
        if contact is not None and contact.agent is agent:
            completed = ev.ContactCompleted(
                at=self._now, contact_id=contact_id, agent_id=agent.id,
                first_queue=contact.first_queue, channel=leg.channel,
                queued_at=contact.queued_at, connected_at=leg.connected_at, hold_s=hold,
                disposition=disposition, notes=notes, wrap_up_timed_out=timed_out)
            # Applied on the objects in hand, as _apply_ContactCompleted would after lookups.
            self._complete(contact, agent, self._now)
            self._out.append(completed)
        else:
            self._emit(ev.WrapUpEnded(at=self._now, contact_id=contact_id, agent_id=agent.id,
                                      connected_at=leg.connected_at, disposition=disposition,
                                      notes=notes, timed_out=timed_out))
        if route:
            self._after_release(agent)


    def _after_release(self, agent: AgentState) -> None:
        """An agent's leg ended: they leave if logging out, else may take more work."""
        if agent.pending_logout:
            if agent.total == 0:
                self._emit(ev.AgentLoggedOut(at=self._now, agent_id=agent.id))
            return
        if agent.presence == READY:
            self._refresh_agent(agent)

    def _revoke_offers(self, agent: AgentState, reason: str) -> None:
        """Withdraw the agent's ringing offers; each contact goes back to its place."""
        for leg in agent.legs():
            if leg.activity != RESERVED:
                continue
            contact_id = leg.contact_id
            contact = self.contacts[contact_id]
            rid = contact.reservation_id
            assert rid is not None
            self._emit(ev.ReservationRevoked(at=self._now, reservation_id=rid,
                                             contact_id=contact_id, agent_id=agent.id,
                                             reason=reason))
            self._requeue(contact)

    def rebuild_indexes(self) -> None:
        """Recreate the routing indexes from the live state (after a replay)."""
        for q in self.queues.values():
            q.clear_indexes()
        for contact in sorted(self.contacts.values(), key=lambda c: c.seq):
            if contact.state == WAITING:
                for q in contact.pool:
                    heap = q.waiting.setdefault(contact.channel, [])
                    heappush(heap, (contact.order_at - q.weight * contact.priority, contact.seq,
                                    contact.gen, contact))
                    q.queued += 1
                    if q.owner is not None:
                        q.owner.own_waiting = True
        for agent in self.agents.values():
            self._index_agent(agent)


def _other_idle_agent(index: IdleIndex, contact: Contact) -> AgentState | None:
    """The best live agent of ``index`` who can take ``contact`` and does not still hold it (a
    transfer's wrap-up): an agent is never offered a contact they are wrapping up."""
    held: list[tuple[float, tuple[Any, ...]]] = []
    found = None
    ch = contact.channel
    while True:
        top = index.pop_best()
        if top is None:
            break
        held.append(top)
        agent = top[1][-1]
        if not agent.holds(contact.id) and agent.can_take(ch):
            found = agent
            break
    for rank, entry in held:
        index.push_entry(rank, entry)
    return found


def _other_waiting_contact(q: QueueState, heap: list[tuple[Any, ...]], agent: AgentState
                           ) -> tuple[Any, ...] | None:
    """The best valid entry of ``heap`` whose contact ``agent`` does not still hold."""
    held: list[tuple[Any, ...]] = []
    found = None
    while heap:
        top = heappop(heap)
        contact = top[3]
        if contact.state != WAITING or contact.gen != top[2]:
            q.queued -= 1
            continue
        held.append(top)
        if not agent.holds(contact.id):
            found = top
            break
    for entry in held:
        heappush(heap, entry)
    return found


def _has_capacity(agent: AgentState, ch: Channel) -> bool:
    """Whether ``agent`` takes ``ch`` at all (its capacity on it is above zero)."""
    bit = CALL_BITS.get(ch, 0)
    return agent.calls & bit != 0 if bit else ch in agent.capacity
