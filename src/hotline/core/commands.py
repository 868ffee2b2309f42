"""Commands: what someone asks the engine to do, imperative. ``engine.handle(command, now)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from hotline.core.definitions import AgentProfile, QueueSpec, Workflow

Attributes = Mapping[str, str | int | float | bool]


@dataclass(init=False, slots=True)
class Command:
    def __init__(self) -> None:
        pass


@dataclass(init=False, slots=True)
class DefineQueue(Command):
    queue: Final[QueueSpec]

    def __init__(self, *, queue: QueueSpec) -> None:
        self.queue = queue


@dataclass(init=False, slots=True)
class DefineWorkflow(Command):
    workflow: Final[Workflow]

    def __init__(self, *, workflow: Workflow) -> None:
        self.workflow = workflow


@dataclass(init=False, slots=True)
class RegisterAgent(Command):
    profile: Final[AgentProfile]

    def __init__(self, *, profile: AgentProfile) -> None:
        self.profile = profile


@dataclass(init=False, slots=True)
class UpdateAgent(Command):
    """Change an agent's skills, languages, capacity or site; queue membership follows."""

    profile: Final[AgentProfile]

    def __init__(self, *, profile: AgentProfile) -> None:
        self.profile = profile


@dataclass(init=False, slots=True)
class LogIn(Command):
    agent_id: Final[str]
    ready: Final[bool]

    def __init__(self, *, agent_id: str, ready: bool = False) -> None:
        self.agent_id = agent_id
        self.ready = ready


@dataclass(init=False, slots=True)
class SetPresence(Command):
    agent_id: Final[str]
    ready: Final[bool]
    reason: Final[str]

    def __init__(self, *, agent_id: str, ready: bool, reason: str = "") -> None:
        self.agent_id = agent_id
        self.ready = ready
        self.reason = reason


@dataclass(init=False, slots=True)
class LogOut(Command):
    """Log out; with open work the agent leaves once it is done (``force`` ends wrap-ups)."""

    agent_id: Final[str]
    force: Final[bool]

    def __init__(self, *, agent_id: str, force: bool = False) -> None:
        self.agent_id = agent_id
        self.force = force


@dataclass(init=False, slots=True)
class OfferContact(Command):
    """A new contact enters a workflow (after the IVR, or from a mailbox, forum or dialer)."""

    contact_id: Final[str]
    channel: Final[str]
    workflow: Final[str]
    priority: Final[int]
    attributes: Final[Attributes]

    def __init__(
        self,
        *,
        contact_id: str,
        channel: str,
        workflow: str,
        priority: int = 0,
        attributes: Attributes | None = None,
    ) -> None:
        self.contact_id = contact_id
        self.channel = channel
        self.workflow = workflow
        self.priority = priority
        self.attributes = {} if attributes is None else attributes


@dataclass(init=False, slots=True)
class AcceptReservation(Command):
    reservation_id: Final[str]

    def __init__(self, *, reservation_id: str) -> None:
        self.reservation_id = reservation_id


@dataclass(init=False, slots=True)
class RejectReservation(Command):
    reservation_id: Final[str]

    def __init__(self, *, reservation_id: str) -> None:
        self.reservation_id = reservation_id


@dataclass(init=False, slots=True)
class AssignContact(Command):
    """Offer a particular waiting contact to a particular agent (an agent or supervisor picks)."""

    contact_id: Final[str]
    agent_id: Final[str]

    def __init__(self, *, contact_id: str, agent_id: str) -> None:
        self.contact_id = contact_id
        self.agent_id = agent_id


@dataclass(init=False, slots=True)
class HoldContact(Command):
    contact_id: Final[str]

    def __init__(self, *, contact_id: str) -> None:
        self.contact_id = contact_id


@dataclass(init=False, slots=True)
class ResumeContact(Command):
    contact_id: Final[str]

    def __init__(self, *, contact_id: str) -> None:
        self.contact_id = contact_id


@dataclass(init=False, slots=True)
class TransferContact(Command):
    """Blind transfer to a queue or to an agent."""

    contact_id: Final[str]
    to_queue: Final[str | None]
    to_agent: Final[str | None]

    def __init__(
        self, *, contact_id: str, to_queue: str | None = None, to_agent: str | None = None
    ) -> None:
        self.contact_id = contact_id
        self.to_queue = to_queue
        self.to_agent = to_agent


@dataclass(init=False, slots=True)
class EndContact(Command):
    """The conversation is over (hang-up, reply sent); wrap-up follows if the workflow has one."""

    contact_id: Final[str]

    def __init__(self, *, contact_id: str) -> None:
        self.contact_id = contact_id


@dataclass(init=False, slots=True)
class CompleteWrapUp(Command):
    contact_id: Final[str]
    agent_id: Final[str]
    disposition: Final[str]
    notes: Final[str]

    def __init__(
        self, *, contact_id: str, agent_id: str, disposition: str = "", notes: str = ""
    ) -> None:
        self.contact_id = contact_id
        self.agent_id = agent_id
        self.disposition = disposition
        self.notes = notes


@dataclass(init=False, slots=True)
class AbandonContact(Command):
    """The caller hung up before being connected."""

    contact_id: Final[str]

    def __init__(self, *, contact_id: str) -> None:
        self.contact_id = contact_id


@dataclass(init=False, slots=True)
class RequestCallback(Command):
    contact_id: Final[str]
    number: Final[str]

    def __init__(self, *, contact_id: str, number: str) -> None:
        self.contact_id = contact_id
        self.number = number


@dataclass(init=False, slots=True)
class DivertContact(Command):
    """The caller chose voicemail (or the shell closes the line) while waiting."""

    contact_id: Final[str]
    to: Final[str]

    def __init__(self, *, contact_id: str, to: str = "voicemail") -> None:
        self.contact_id = contact_id
        self.to = to


@dataclass(init=False, slots=True)
class TimerFired(Command):
    key: Final[str]

    def __init__(self, *, key: str) -> None:
        self.key = key
