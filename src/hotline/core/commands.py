"""Commands: what someone asks the engine to do, imperative. ``engine.handle(command, now)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from hotline.core.definitions import AgentProfile, QueueSpec, Workflow
from hotline.core.records import record

Attributes = Mapping[str, str | int | float | bool]


@record
class Command:
    pass


@record
class DefineQueue(Command):
    queue: QueueSpec


@record
class DefineWorkflow(Command):
    workflow: Workflow


@record
class RegisterAgent(Command):
    profile: AgentProfile


@record
class UpdateAgent(Command):
    """Change an agent's skills, languages, capacity or site; queue membership follows."""

    profile: AgentProfile


@record
class LogIn(Command):
    agent_id: str
    ready: bool = False


@record
class SetPresence(Command):
    agent_id: str
    ready: bool
    reason: str = ""


@record
class LogOut(Command):
    """Log out; with open work the agent leaves once it is done (``force`` ends wrap-ups)."""

    agent_id: str
    force: bool = False


@record
class OfferContact(Command):
    """A new contact enters a workflow (after the IVR, or from a mailbox, forum or dialer)."""

    contact_id: str
    channel: str
    workflow: str
    priority: int = 0
    attributes: Attributes = field(default_factory=dict)


@record
class AcceptReservation(Command):
    reservation_id: str


@record
class RejectReservation(Command):
    reservation_id: str


@record
class AssignContact(Command):
    """Offer a particular waiting contact to a particular agent (an agent or supervisor picks)."""

    contact_id: str
    agent_id: str


@record
class HoldContact(Command):
    contact_id: str


@record
class ResumeContact(Command):
    contact_id: str


@record
class TransferContact(Command):
    """Blind transfer to a queue or to an agent."""

    contact_id: str
    to_queue: str | None = None
    to_agent: str | None = None


@record
class EndContact(Command):
    """The conversation is over (hang-up, reply sent); wrap-up follows if the workflow has one."""

    contact_id: str


@record
class CompleteWrapUp(Command):
    contact_id: str
    agent_id: str
    disposition: str = ""
    notes: str = ""


@record
class AbandonContact(Command):
    """The caller hung up before being connected."""

    contact_id: str


@record
class RequestCallback(Command):
    contact_id: str
    number: str


@record
class DivertContact(Command):
    """The caller chose voicemail (or the shell closes the line) while waiting."""

    contact_id: str
    to: str = "voicemail"


@record
class TimerFired(Command):
    key: str
