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

    __slots__ = ("idle", "longest_idle", "member", "members", "name", "owner", "selection",
                 "skill", "spec", "waiting", "weight")

    def __init__(self, spec: QueueSpec, member: Callable[[AgentView], bool]) -> None:
        self.spec = spec
        self.name = spec.name
        self.member = member
        self.weight = spec.weight
        self.selection = spec.selection
        self.longest_idle = spec.selection is Selection.LONGEST_IDLE
        self.skill = spec.proficiency_skill
        self.members: set[str] = set()
        # The agent whose own queue this is (for transfers to an agent), else None.
        self.owner: AgentState | None = None
        # channel -> heap of (virtual arrival, seq, gen, contact)
        self.waiting: dict[Channel, list[tuple[Any, ...]]] = {}
        # slot (channel; the exclusive channels share voice's) -> heap of
        # (selection key..., agent seq, version, agent)
        self.idle: dict[Channel, IdleIndex] = {}


class Leg:
    """An agent's part in a contact: from the offer to the end of wrap-up."""

    __slots__ = ("activity", "channel", "connected_at", "hold_s", "hold_since")

    def __init__(self, activity: str, channel: Channel) -> None:
        self.activity = activity
        self.channel = channel
        self.connected_at = 0.0
        self.hold_s = 0.0
        self.hold_since = 0.0


class AgentState:
    __slots__ = ("auto_accept", "capacity", "exclusive", "id", "idle_since", "load",
                 "pending_logout", "presence", "profile", "queues", "reason", "seq", "state_since",
                 "total", "version", "work")

    def __init__(self, profile: AgentProfile, seq: int) -> None:
        self.id = profile.agent_id
        self.seq = seq
        self.presence = OFFLINE
        self.reason = ""
        self.pending_logout = False
        self.load: dict[Channel, int] = {}
        self.total = 0
        self.exclusive = 0
        self.work: dict[str, Leg] = {}
        self.idle_since = 0.0
        self.state_since = 0.0
        self.version = 0
        self.queues: list[QueueState] = []
        self.set_profile(profile)

    def set_profile(self, profile: AgentProfile) -> None:
        self.profile = profile
        self.capacity = profile.effective_capacity()
        self.auto_accept = profile.auto_accept

    def view(self) -> AgentView:
        p = self.profile
        return AgentView(id=p.agent_id, site=p.site, skills=p.skills, languages=p.languages,
                         channels=frozenset(c.value for c in self.capacity),
                         attributes=p.attributes)

    def can_take(self, channel: Channel) -> bool:
        """Ready, with free capacity on ``channel``, and not held by an exclusive contact."""
        return (
            self.presence == READY
            and not self.pending_logout
            and self.exclusive == 0
            and self.load.get(channel, 0) < self.capacity.get(channel, 0)
            and (self.total == 0 or channel not in EXCLUSIVE)
        )

    def occupancy(self) -> float:
        """Share of capacity in use, the key of the least-occupied selection."""
        best = max(self.capacity.values(), default=1)
        return self.total / best if best else 1.0

    def proficiency(self, skill: str | None) -> int:
        return self.profile.skills.get(skill, 0) if skill else 0


class Contact:
    __slots__ = ("agent_id", "attributes", "callback_number", "channel", "first_queue", "gen",
                 "id", "legs", "offers", "order_at", "pool", "priority", "queued_at",
                 "reservation_id", "seq", "state", "step", "transferred", "workflow")

    def __init__(self, e: ev.ContactQueued, workflow: Workflow, pool: list[QueueState],
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
        self.agent_id: str | None = None
        self.reservation_id: str | None = None
        self.offers = 0
        self.legs = 0
        self.callback_number: str | None = None
        self.transferred = False


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
