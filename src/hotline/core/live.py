"""The live objects of the engine: queues with their routing indexes, agents, legs, contacts.

They are mutable on purpose (the engine changes them in place, on a budget of microseconds per
contact) and only ``CentreState.apply`` changes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotline.core import events as ev
from hotline.core.channels import EXCLUSIVE, Channel
from hotline.core.definitions import AgentProfile, QueueSpec, Selection, Workflow
from hotline.core.event_base import Attributes
from hotline.core.expressions import AgentView
from hotline.core.idle import IdleIndex

# Contact states (terminal contacts leave the state; the event log keeps them).
WAITING = "waiting"
RESERVED = "reserved"
CONNECTED = "connected"
ON_HOLD = "on_hold"
WRAP_UP = "wrap_up"
ENDED = "ended"

OFFLINE = "offline"
NOT_READY = "not_ready"
READY = "ready"

# One bit per exclusive channel, for an agent's ``calls``.
CALL_BITS: dict[Channel, int] = {Channel.VOICE: 1, Channel.CALLBACK: 2, Channel.OUTBOUND: 4}

SEP = "\x1f"  # separates ids inside timer keys; ids may not contain control characters


def reservation_timer(reservation_id: str) -> str:
    return "r" + SEP + reservation_id


def step_timer(contact_id: str) -> str:
    return "s" + SEP + contact_id


def wrap_up_timer(agent_id: str, contact_id: str) -> str:
    return "w" + SEP + agent_id + SEP + contact_id


def personal_queue(agent_id: str) -> str:
    """Each agent has a queue of its own, for transfers to that agent."""
    return "@" + agent_id


class QueueState:
    """A queue's definition, its members and its routing indexes (per channel)."""

    __slots__ = ("alone", "idle", "longest_idle", "member", "members", "name", "owner",
                 "queued", "selection", "skill", "spec", "voice", "waiting", "weight")

    def __init__(self, spec: QueueSpec, member: Callable[[AgentView], bool]) -> None:
        self.spec = spec
        self.name = spec.name
        self.member = member
        self.weight = spec.weight
        self.selection = spec.selection
        self.longest_idle = spec.selection is Selection.LONGEST_IDLE
        # The voice slot's index, also in ``idle``: nearly every push and offer is on it, and
        # this reads it without a dict lookup (two cache lines per queue at 10,000 agents).
        self.voice: IdleIndex | None = None
        self.skill = spec.proficiency_skill
        self.members: set[str] = set()
        # The agent whose own queue this is (for transfers to an agent), else None.
        self.owner: AgentState | None = None
        # channel -> heap of (virtual arrival, seq, gen, contact)
        self.waiting: dict[Channel, list[tuple[Any, ...]]] = {}
        # Entries in the waiting heaps, live or stale: zero lets a freed agent pass the queue
        # without reading them.
        self.queued = 0
        # slot (channel; the exclusive channels share voice's) -> the available agents, best
        # first (see idle.py)
        self.idle: dict[Channel, IdleIndex] = {}
        # The pool of a contact in this queue alone (pools are tuples, shared where equal).
        self.alone: tuple[QueueState, ...] = (self,)

    def idle_index(self, slot: Channel) -> IdleIndex:
        """The index of ``slot``, made if need be."""
        index = self.idle.get(slot)
        if index is None:
            index = self.idle[slot] = IdleIndex()
            if slot is Channel.VOICE:
                self.voice = index
        return index

    def clear_indexes(self) -> None:
        self.waiting.clear()
        self.queued = 0
        self.idle.clear()
        self.voice = None


class Leg:
    """An agent's part in a contact: from the offer to the end of wrap-up."""

    __slots__ = ("activity", "channel", "connected_at", "contact_id", "hold_s", "hold_since",
                 "order")

    def __init__(self, contact_id: str, activity: str, channel: Channel, order: int) -> None:
        self.contact_id = contact_id
        self.activity = activity
        self.channel = channel
        self.order = order  # the agent's count of legs when this one began
        self.connected_at = 0.0
        self.hold_s = 0.0
        self.hold_since = 0.0


class AgentState:
    """An agent's live state. The routing path reads only this object's own fields for an agent
    on calls (at 10,000 agents every other object of an agent is a likely cache miss): the
    capacity is summed up in ``calls``, ``digital`` and ``max_capacity``, exclusive legs are
    counted by ``exclusive`` alone, the proficiency for each queue is in ``ranks``, and the
    agent's own queue is looked at only while ``own_waiting`` says something may wait there.

    The fields are declared hottest first: the compiled class lays them out in this order, so a
    routing decision touches two or three cache lines of the agent rather than four."""

    __slots__ = ("auto_accept", "calls", "capacity", "digital", "exclusive", "id", "idle_since",
                 "leg", "legs_begun", "load", "max_capacity", "more", "own", "own_waiting",
                 "pending_logout", "presence", "profile", "ranks", "reason", "seq", "seq_key",
                 "shared", "state_since", "total", "version")

    presence: str
    exclusive: int
    total: int
    calls: int
    version: int
    idle_since: float
    seq: int
    seq_key: object  # ``seq`` boxed once: every idle entry of the agent holds it
    leg: Leg | None
    shared: tuple[QueueState, ...]
    id: str
    pending_logout: bool
    own_waiting: bool
    auto_accept: bool
    max_capacity: int
    ranks: tuple[int, ...]  # the rank of the agent's entries in each queue (idle.py)
    digital: tuple[Channel, ...]
    load: dict[Channel, int]
    more: dict[str, Leg] | None
    legs_begun: int
    own: QueueState | None
    profile: AgentProfile
    capacity: dict[Channel, int]
    reason: str
    state_since: float

    def __init__(self, profile: AgentProfile, seq: int) -> None:
        self.id = profile.agent_id
        self.seq = seq
        self.seq_key = seq
        self.presence = OFFLINE
        self.reason = ""
        self.pending_logout = False
        self.total = 0
        self.exclusive = 0
        self.version = 0
        self.idle_since = 0.0
        self.state_since = 0.0
        # Legs per non-exclusive channel (an exclusive leg is counted by ``exclusive`` alone,
        # as the agent holds at most one of those; ``legs_on`` counts any channel).
        self.load = {}
        # The legs (``work``): one in ``leg``, any others in ``more`` (None when there are
        # none), so an agent on one call has no dict to look at.
        self.leg = None
        self.more = None
        self.legs_begun = 0
        # The agent's own queue (transfers to the agent), and the defined queues it is in with
        # its negated proficiency in each queue's skill (0 where the queue names none).
        self.own = None
        self.shared = ()
        self.ranks = ()
        # Set when a contact is put in the own queue's heaps; cleared when they are seen empty.
        self.own_waiting = False
        self.set_profile(profile)

    def set_profile(self, profile: AgentProfile) -> None:
        self.profile = profile
        self.capacity = profile.effective_capacity()
        self.auto_accept = profile.auto_accept
        # Bits (CALL_BITS) of the exclusive channels the agent takes.
        self.calls = sum(CALL_BITS[ch] for ch in self.capacity if ch in EXCLUSIVE)
        self.digital = tuple(ch for ch in self.capacity if ch not in EXCLUSIVE)
        self.max_capacity = max(self.capacity.values(), default=1)

    def set_shared(self, queues: list[QueueState]) -> None:
        """The defined queues the agent is in, in order, and its proficiency in each."""
        self.shared = tuple(queues)
        # Negated: the most proficient sort first.
        self.ranks = tuple(-self.proficiency(q.skill) for q in queues)

    @property
    def queues(self) -> list[QueueState]:
        """The agent's own queue, then the defined queues it belongs to."""
        return ([self.own] if self.own is not None else []) + list(self.shared)

    def view(self) -> AgentView:
        p = self.profile
        return AgentView(id=p.agent_id, site=p.site, skills=p.skills, languages=p.languages,
                         channels=frozenset(c.value for c in self.capacity),
                         attributes=p.attributes)

    def can_take(self, channel: Channel) -> bool:
        """Ready, with free capacity on ``channel``, and not held by an exclusive contact; an
        exclusive channel also needs the agent to hold nothing else."""
        if self.presence != READY or self.pending_logout or self.exclusive:
            return False
        bit = CALL_BITS.get(channel, 0)
        if bit:
            return self.total == 0 and self.calls & bit != 0
        return self.load.get(channel, 0) < self.capacity.get(channel, 0)

    def legs_on(self, channel: Channel) -> int:
        """How many of the agent's legs are on ``channel``."""
        return sum(1 for leg in self.legs() if leg.channel == channel)

    # --- legs: contact id -> Leg, in the order they began --------------------------------------
    def find_leg(self, contact_id: str) -> Leg | None:
        leg = self.leg
        if leg is not None and leg.contact_id == contact_id:
            return leg
        more = self.more
        return more.get(contact_id) if more is not None else None

    def leg_of(self, contact_id: str) -> Leg:
        """The leg of ``contact_id`` (KeyError if the agent has none)."""
        leg = self.find_leg(contact_id)
        if leg is None:
            raise KeyError(contact_id)
        return leg

    def holds(self, contact_id: str) -> bool:
        return self.find_leg(contact_id) is not None

    def begin_leg(self, contact_id: str, activity: str, channel: Channel) -> Leg:
        leg = Leg(contact_id, activity, channel, self.legs_begun)
        self.legs_begun += 1
        if self.leg is None:
            self.leg = leg
        elif self.more is None:
            self.more = {contact_id: leg}
        else:
            self.more[contact_id] = leg
        return leg

    def end_leg(self, contact_id: str) -> Leg:
        """Remove and return the leg of ``contact_id`` (KeyError if the agent has none)."""
        leg = self.leg
        if leg is not None and leg.contact_id == contact_id:
            self.leg = None
            return leg
        more = self.more
        if more is None:
            raise KeyError(contact_id)
        leg = more.pop(contact_id)
        if not more:
            self.more = None
        return leg

    def legs(self) -> list[Leg]:
        """The agent's legs in the order they began."""
        legs = [self.leg] if self.leg is not None else []
        if self.more is not None:
            legs.extend(self.more.values())
            legs.sort(key=_leg_order)
        return legs

    @property
    def work(self) -> dict[str, Leg]:
        """The legs by contact id, in the order they began (a new dict: read only)."""
        return {leg.contact_id: leg for leg in self.legs()}

    def occupancy(self) -> float:
        """Share of capacity in use, the key of the least-occupied selection."""
        best = self.max_capacity
        return self.total / best if best else 1.0

    def proficiency(self, skill: str | None) -> int:
        return self.profile.skills.get(skill, 0) if skill else 0


def _leg_order(leg: Leg) -> int:
    return leg.order


class Contact:
    __slots__ = ("agent", "attributes", "callback_number", "channel", "first_queue", "gen",
                 "id", "legs", "offers", "order_at", "pool", "priority", "queued_at",
                 "reservation_id", "seq", "state", "step", "transferred", "workflow")

    # Declared in the order of the compiled layout: what ending a contact reads comes first.
    id: str
    state: str
    agent: AgentState | None
    workflow: Workflow
    first_queue: str
    queued_at: float
    channel: Channel
    step: int
    gen: int
    seq: int
    order_at: float
    priority: int
    pool: tuple[QueueState, ...]
    offers: int
    legs: int
    reservation_id: str | None
    attributes: Attributes
    callback_number: str | None
    transferred: bool

    def __init__(self, e: ev.ContactQueued, workflow: Workflow, pool: tuple[QueueState, ...],
                 seq: int) -> None:
        self.id = e.contact_id
        channel = e.channel
        # The engine passes a Channel already; an enum call is slow, so only parse a str.
        self.channel = channel if isinstance(channel, Channel) else Channel(channel)
        self.workflow = workflow
        self.priority = e.priority
        self.attributes = e.attributes
        self.queued_at = e.at
        self.order_at = e.at
        self.seq = seq
        self.gen = 0
        self.state = WAITING
        self.step = 0
        self.pool = pool
        self.first_queue = e.queue
        # The agent holding the contact (reserved, connected, on hold or in wrap-up), if any.
        self.agent = None
        self.reservation_id = None
        self.offers = 0
        self.legs = 0
        self.callback_number = None
        self.transferred = False

    @property
    def agent_id(self) -> str | None:
        agent = self.agent
        return agent.id if agent is not None else None


class Reservation:
    __slots__ = ("agent", "contact", "created_at", "expires_at", "id", "queue")

    def __init__(self, e: ev.ReservationCreated, contact: Contact, agent: AgentState,
                 queue: QueueState) -> None:
        self.id = e.reservation_id
        self.contact = contact
        self.agent = agent
        self.queue = queue
        self.created_at = e.at
        self.expires_at = e.expires_at
