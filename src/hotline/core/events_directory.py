"""Events of the directory (queues, workflows, agents) and of agents' presence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from hotline.core.event_base import Attributes, Event


# --- directory -------------------------------------------------------------------------------
@dataclass(init=False, slots=True)
class QueueDefined(Event):
    queue: Final[str]
    expression: Final[str]
    ordering: Final[str]
    selection: Final[str]
    priority_weight_s: Final[float]
    proficiency_skill: Final[str | None]
    site: Final[str | None]

    def __init__(
        self,
        *,
        at: float,
        queue: str,
        expression: str,
        ordering: str,
        selection: str,
        priority_weight_s: float,
        proficiency_skill: str | None,
        site: str | None,
    ) -> None:
        Event.__init__(self, at=at)
        self.queue = queue
        self.expression = expression
        self.ordering = ordering
        self.selection = selection
        self.priority_weight_s = priority_weight_s
        self.proficiency_skill = proficiency_skill
        self.site = site


@dataclass(init=False, slots=True)
class WorkflowDefined(Event):
    workflow: Final[str]
    steps: Final[tuple[tuple[str, float | None], ...]]
    fallback: Final[str | None]
    wrap_up_s: Final[float]

    def __init__(
        self,
        *,
        at: float,
        workflow: str,
        steps: tuple[tuple[str, float | None], ...],
        fallback: str | None,
        wrap_up_s: float,
    ) -> None:
        Event.__init__(self, at=at)
        self.workflow = workflow
        self.steps = steps
        self.fallback = fallback
        self.wrap_up_s = wrap_up_s


@dataclass(init=False, slots=True)
class AgentRegistered(Event):
    agent_id: Final[str]
    site: Final[str]
    skills: Final[Mapping[str, int]]
    languages: Final[tuple[str, ...]]
    capacity: Final[Mapping[str, int]]
    attributes: Final[Attributes]
    auto_accept: Final[bool]

    def __init__(
        self,
        *,
        at: float,
        agent_id: str,
        site: str,
        skills: Mapping[str, int],
        languages: tuple[str, ...],
        capacity: Mapping[str, int],
        attributes: Attributes,
        auto_accept: bool,
    ) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
        self.site = site
        self.skills = skills
        self.languages = languages
        self.capacity = capacity
        self.attributes = attributes
        self.auto_accept = auto_accept


@dataclass(init=False, slots=True)
class AgentUpdated(AgentRegistered):
    pass


# --- presence --------------------------------------------------------------------------------
@dataclass(init=False, slots=True)
class AgentLoggedIn(Event):
    agent_id: Final[str]
    ready: Final[bool]
    reason: Final[str]

    def __init__(self, *, at: float, agent_id: str, ready: bool, reason: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
        self.ready = ready
        self.reason = reason


@dataclass(init=False, slots=True)
class PresenceChanged(Event):
    agent_id: Final[str]
    ready: Final[bool]
    reason: Final[str]

    def __init__(self, *, at: float, agent_id: str, ready: bool, reason: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
        self.ready = ready
        self.reason = reason


@dataclass(init=False, slots=True)
class AgentLogoutRequested(Event):
    """The agent asked to log out with open work; they leave once it is done."""

    agent_id: Final[str]

    def __init__(self, *, at: float, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class AgentLoggedOut(Event):
    agent_id: Final[str]

    def __init__(self, *, at: float, agent_id: str) -> None:
        Event.__init__(self, at=at)
        self.agent_id = agent_id
