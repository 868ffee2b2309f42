"""Directory definitions the engine routes by: queues, workflows and agent profiles.

They are plain frozen values; the engine keeps the live state beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hotline.core.channels import VOICE_LIKE, Channel
from hotline.core.errors import InvalidDefinition

# Strict priority is time-blending with a weight so large that no wait outweighs one level.
STRICT_WEIGHT_S = 1.0e9


class Ordering(StrEnum):
    """How waiting contacts are ordered within a queue.

    Both orderings reduce to one number, the *virtual arrival* ``order_at - weight * priority``;
    the smallest goes first, so contacts of different queues compare fairly.
    """

    STRICT = "strict"  # higher priority first, then longest waiting
    BLENDED = "blended"  # score = weight x priority + seconds waited: VIPs first, nobody starves


class Selection(StrEnum):
    """Which of several available agents a queue offers a contact to."""

    LONGEST_IDLE = "longest_idle"
    MOST_PROFICIENT = "most_proficient"  # then longest idle
    LEAST_OCCUPIED = "least_occupied"  # share of capacity in use, then longest idle


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueSpec:
    """A named pool of agents, defined by an expression over agent attributes."""

    name: str
    expression: str
    ordering: Ordering = Ordering.BLENDED
    selection: Selection = Selection.LONGEST_IDLE
    # Seconds of waiting one priority level is worth in the blended ordering.
    priority_weight_s: float = 60.0
    # The skill whose proficiency ranks agents under MOST_PROFICIENT.
    proficiency_skill: str | None = None
    site: str | None = None

    @property
    def weight(self) -> float:
        return STRICT_WEIGHT_S if self.ordering is Ordering.STRICT else self.priority_weight_s


@dataclass(frozen=True, kw_only=True, slots=True)
class WorkflowStep:
    """Wait for agents of ``queue``; after ``timeout_s`` the pool widens to the next step."""

    queue: str
    timeout_s: float | None = None


class Fallback(StrEnum):
    """What happens when the last step of a workflow times out."""

    CALLBACK = "callback"  # the caller leaves the line and keeps the place
    VOICEMAIL = "voicemail"
    MESSAGE = "message"  # an apology message, then the call ends


@dataclass(frozen=True, kw_only=True, slots=True)
class Workflow:
    """Ordered steps that widen the pool over time (bullseye / overflow), then a fallback."""

    name: str
    steps: tuple[WorkflowStep, ...]
    fallback: Fallback | None = None
    wrap_up_s: float = 0.0  # the wrap-up time limit; 0 means no wrap-up

    def validate(self) -> None:
        if not self.name:
            raise InvalidDefinition("workflow", "name is empty")
        if not self.steps:
            raise InvalidDefinition(f"workflow '{self.name}'.steps", "needs at least one step")
        for i, step in enumerate(self.steps):
            last = i == len(self.steps) - 1
            where = f"workflow '{self.name}'.steps[{i}].timeout_s"
            if step.timeout_s is not None and step.timeout_s <= 0:
                raise InvalidDefinition(where, "must be positive")
            if not last and step.timeout_s is None:
                raise InvalidDefinition(where, "every step but the last needs a timeout")
        if self.fallback is not None and self.steps[-1].timeout_s is None:
            raise InvalidDefinition(
                f"workflow '{self.name}'.steps[{len(self.steps) - 1}].timeout_s",
                "the last step needs a timeout for the fallback to happen",
            )
        if self.wrap_up_s < 0:
            raise InvalidDefinition(f"workflow '{self.name}'.wrap_up_s", "must not be negative")


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentProfile:
    """Who an agent is: site, skills with proficiency 1–10, languages, capacity per channel."""

    agent_id: str
    site: str
    skills: Mapping[str, int] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    capacity: Mapping[str, int] = field(default_factory=lambda: {"voice": 1})
    attributes: Mapping[str, object] = field(default_factory=dict)
    # Offers connect at once, as with a headset on auto-answer (and for simulated agents).
    auto_accept: bool = False

    def validate(self) -> None:
        where = f"agent '{self.agent_id}'"
        if not self.agent_id:
            raise InvalidDefinition("agent_id", "is empty")
        if not self.site:
            raise InvalidDefinition(f"{where}.site", "is empty")
        for skill, level in self.skills.items():
            if not isinstance(level, int) or not 1 <= level <= 10:
                raise InvalidDefinition(
                    f"{where}.skills.{skill}", f"proficiency must be 1–10, got {level!r}"
                )
        for channel, cap in self.capacity.items():
            if channel not in Channel.__members__.values():
                raise InvalidDefinition(f"{where}.capacity.{channel}", "unknown channel")
            if not isinstance(cap, int) or cap < 0:
                raise InvalidDefinition(
                    f"{where}.capacity.{channel}", f"must be a whole number ≥ 0, got {cap!r}"
                )

    def effective_capacity(self) -> dict[Channel, int]:
        """Capacity per channel, callbacks and outbound calls sharing voice unless set."""
        cap = {Channel(c): n for c, n in self.capacity.items() if n > 0}
        voice = cap.get(Channel.VOICE, 0)
        for channel in VOICE_LIKE:
            if channel.value not in self.capacity and voice:
                cap[channel] = voice
        return cap
