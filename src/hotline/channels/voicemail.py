"""Voicemail: the caller's message recorded on the switch becomes work for an agent.

A flow's ``voicemail`` node says its greeting (the node's prompt, queued before the action)
and emits `StartVoicemail(mailbox, attributes)`. The shell then records (`plan` names the
recording and its limits, the port's ``record`` says the greeting first and beeps) and hands
what the switch reported to `settle`:

- a message of at least `MIN_MESSAGE_S` becomes a contact on the routing engine, channel
  ``callback``: the core has no voicemail channel, and the work is the same as a callback's
  (an agent listens to the message, then calls the caller back). It is offered to the
  mailbox's workflow with the flow's attributes and ``caller_number``, ``mailbox``,
  ``voicemail`` (the recording's name) and ``voicemail_s`` (its length in seconds);
- a shorter one (the caller hung up at the beep), a caller gone before the beep and a
  recording the switch failed make no contact; each is counted in `VoicemailTally`.

The recording's name is made from the mailbox, the time and the call id only: never from
anything the caller keyed, so no PIN or card number can reach a file name or an attribute.

>>> vm = plan(StartVoicemail(mailbox="general", attributes={}), call_id="1772.5",
...           caller_number="13912345678", now=datetime(2026, 3, 2, 21, tzinfo=UTC))
>>> vm.name
'vm-general-20260302T210000Z-1772.5'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from hotline.channels.errors import ChannelError
from hotline.channels.telephony import RecordingFailed, RecordingFinished, RecordResult
from hotline.core.channels import Channel
from hotline.core.commands import OfferContact
from hotline.ivr.actions import StartVoicemail

#: Shorter messages are a caller who hung up at the beep: no work for an agent.
MIN_MESSAGE_S = 1.0
#: What `VoicemailTally` counts: a contact made, too short, gone before the beep, not recorded.
OUTCOMES = ("left", "empty", "abandoned", "failed")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, kw_only=True, slots=True)
class Mailbox:
    """Where a mailbox's messages go (``workflow``), how long one may be, and whether a beep
    starts it. A mailbox the shell has no entry for uses the workflow of its own name."""

    workflow: str
    max_s: float = 120.0
    beep: bool = True
    priority: int = 0

    def __post_init__(self) -> None:
        if not self.workflow:
            raise ChannelError("mailbox workflow", "is empty")
        if not self.max_s >= MIN_MESSAGE_S:
            raise ChannelError(
                f"mailbox {self.workflow} max_s", f"must be at least {MIN_MESSAGE_S} s"
            )


@dataclass(frozen=True, kw_only=True, slots=True)
class Voicemail:
    """One message to record: the recording's ``name`` and where it goes."""

    call_id: str
    caller_number: str
    mailbox: str
    box: Mailbox
    name: str
    attributes: Mapping[str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class VoicemailResult:
    """How one voicemail ended: one of `OUTCOMES`, and the recording (empty if none)."""

    mailbox: str
    workflow: str
    outcome: str
    recording: str = ""
    duration_s: float = 0.0
    cause: str = ""


class VoicemailTally:
    """Counts of voicemail outcomes across calls (``left``, ``empty``, ``abandoned``,
    ``failed``), overall and per mailbox."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.by_mailbox: dict[str, Counter[str]] = {}

    def add(self, result: VoicemailResult) -> None:
        self.counts[result.outcome] += 1
        self.by_mailbox.setdefault(result.mailbox, Counter())[result.outcome] += 1

    def report(self) -> Mapping[str, int]:
        return MappingProxyType({o: self.counts[o] for o in OUTCOMES})


def recording_name(mailbox: str, call_id: str, now: datetime) -> str:
    """``vm-<mailbox>-<UTC time>-<call id>``, in characters every switch takes in a file name.

    >>> recording_name("cards/lost", "a b", datetime(2026, 3, 2, 21, tzinfo=UTC))
    'vm-cards_lost-20260302T210000Z-a_b'
    """
    if now.tzinfo is None:
        raise ChannelError(f"call {call_id}", f"voicemail time {now.isoformat()} has no zone")
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"vm-{_UNSAFE.sub('_', mailbox)}-{stamp}-{_UNSAFE.sub('_', call_id)}"


def plan(
    start: StartVoicemail,
    *,
    call_id: str,
    caller_number: str,
    now: datetime,
    mailboxes: Mapping[str, Mailbox] = MappingProxyType({}),
) -> Voicemail:
    """The recording to make for ``start``."""
    box = mailboxes.get(start.mailbox) or Mailbox(workflow=start.mailbox)
    return Voicemail(
        call_id=call_id,
        caller_number=caller_number,
        mailbox=start.mailbox,
        box=box,
        name=recording_name(start.mailbox, call_id, now),
        attributes=start.attributes,
    )


def settle(vm: Voicemail, got: RecordResult) -> tuple[VoicemailResult, OfferContact | None]:
    """What the recording came to, and the contact to offer for it (None: no work)."""
    if isinstance(got, RecordingFailed):
        return _result(vm, "failed", got.name, cause=got.cause), None
    if not isinstance(got, RecordingFinished):
        return _result(vm, "abandoned", ""), None
    if got.name != vm.name:
        raise ChannelError(f"call {vm.call_id}", f"recorded {got.name!r}, not {vm.name!r}")
    if got.duration_s < MIN_MESSAGE_S:
        return _result(vm, "empty", got.name, got.duration_s), None
    attributes: dict[str, str | int | float | bool] = dict(vm.attributes)
    attributes.update(mailbox=vm.mailbox, voicemail=got.name, voicemail_s=got.duration_s)
    if vm.caller_number:
        attributes["caller_number"] = vm.caller_number
    offer = OfferContact(
        contact_id=vm.call_id,
        channel=Channel.CALLBACK.value,
        workflow=vm.box.workflow,
        priority=vm.box.priority,
        attributes=attributes,
    )
    return _result(vm, "left", got.name, got.duration_s), offer


def _result(
    vm: Voicemail, outcome: str, recording: str, duration_s: float = 0.0, cause: str = ""
) -> VoicemailResult:
    return VoicemailResult(
        mailbox=vm.mailbox,
        workflow=vm.box.workflow,
        outcome=outcome,
        recording=recording,
        duration_s=duration_s,
        cause=cause,
    )
