"""Commands: what someone asks the engine to do, imperative. ``engine.handle(command, now)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hotline.core.definitions import AgentProfile, QueueSpec, Workflow

Attributes = Mapping[str, str | int | float | bool]


@dataclass(frozen=True, kw_only=True, slots=True)
class Command:
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class DefineQueue(Command):
    queue: QueueSpec


@dataclass(frozen=True, kw_only=True, slots=True)
class DefineWorkflow(Command):
    workflow: Workflow


@dataclass(frozen=True, kw_only=True, slots=True)
class RegisterAgent(Command):
    profile: AgentProfile


@dataclass(frozen=True, kw_only=True, slots=True)
class UpdateAgent(Command):
    """Change an agent's skills, languages, capacity or site; queue membership follows."""

    profile: AgentProfile


@dataclass(frozen=True, kw_only=True, slots=True)
class LogIn(Command):
    agent_id: str
    ready: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class SetPresence(Command):
    agent_id: str
    ready: bool
    reason: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class LogOut(Command):
    """Log out; with open work the agent leaves once it is done (``force`` ends wrap-ups)."""

    agent_id: str
    force: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class OfferContact(Command):
    """A new contact enters a workflow (after the IVR, or from a mailbox, forum or dialer)."""

    contact_id: str
    channel: str
    workflow: str
    priority: int = 0
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class AcceptReservation(Command):
    reservation_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RejectReservation(Command):
    reservation_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AssignContact(Command):
    """Offer a particular waiting contact to a particular agent (an agent or supervisor picks)."""

    contact_id: str
    agent_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class HoldContact(Command):
    contact_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ResumeContact(Command):
    contact_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TransferContact(Command):
    """Blind transfer to a queue or to an agent."""

    contact_id: str
    to_queue: str | None = None
    to_agent: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EndContact(Command):
    """The conversation is over (hang-up, reply sent); wrap-up follows if the workflow has one."""

    contact_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteWrapUp(Command):
    contact_id: str
    agent_id: str
    disposition: str = ""
    notes: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class AbandonContact(Command):
    """The caller hung up before being connected."""

    contact_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestCallback(Command):
    contact_id: str
    number: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DivertContact(Command):
    """The caller chose voicemail (or the shell closes the line) while waiting."""

    contact_id: str
    to: str = "voicemail"


@dataclass(frozen=True, kw_only=True, slots=True)
class TimerFired(Command):
    key: str
