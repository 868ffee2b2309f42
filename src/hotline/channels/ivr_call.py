"""One call's side of the IVR shell: it performs what the interpreter asks and keeps the record.

`CallSide.perform` carries out one output of the pure interpreter on the shell's ports: a
prompt on the switch (masked by `speakable`), a bank request through `IvrBank`, ``Enqueue`` and
``OfferCallback`` as `OfferContact` / `RequestCallback` on the routing (a contact the engine
connects at once is bridged to its agent), a transfer, a voicemail, a hang-up; what it returns
is the input the interpreter gets back (a bank reply, a wait estimate). `heard` turns what the
switch reported at a collect into the interpreter's input. `CallResult` is what the call did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotline.channels.errors import ChannelError
from hotline.channels.speakable import speakable
from hotline.channels.telephony import (
    CallArrived,
    CallHungUp,
    CollectResult,
    CollectTimedOut,
    DigitsCollected,
    RecordingFinished,
    RecordResult,
)
from hotline.channels.voicemail import Voicemail, VoicemailResult
from hotline.channels.voicemail import plan as plan_voicemail
from hotline.channels.voicemail import settle as settle_voicemail
from hotline.core import events as core_events
from hotline.core.commands import OfferContact, RequestCallback
from hotline.ivr.actions import (
    AskEstimatedWait,
    BankRequest,
    Collect,
    Enqueue,
    Event,
    HangUp,
    IvrEnded,
    OfferCallback,
    Output,
    Play,
    StartVoicemail,
    TransferOut,
)
from hotline.ivr.inputs import (
    BankReplied,
    CallerHungUp,
    DigitsEntered,
    EstimatedWait,
    Input,
    InputTimedOut,
)
from hotline.ivr.state import CallState

if TYPE_CHECKING:
    from hotline.channels.ivr_session import IvrShell


@dataclass(kw_only=True, slots=True)
class CallResult:
    """What one call did: its flow, how the IVR part ended, the IVR and engine events."""

    call_id: str
    flow: str
    version: int
    outcome: str = ""
    workflow: str = ""
    ivr_events: list[Event] = field(default_factory=list)
    engine_events: list[core_events.Event] = field(default_factory=list)
    bank_replies: list[BankReplied] = field(default_factory=list)
    state: CallState | None = None  # where the flow stood at the end (for the survey leg)
    voicemail: VoicemailResult | None = None  # how its voicemail ended, if any



class CallSide:
    """One call's side of the shell: performs outputs, returns the input they produce."""

    def __init__(self, shell: IvrShell, arrived: CallArrived, result: CallResult) -> None:
        self.shell = shell
        self.call_id = arrived.call_id
        self.caller_number = arrived.caller_number
        self.result = result
        self.gone = False
        self.requests = 0
        #: The voicemail being recorded (a shell with a ``recorder``); the call waits for it.
        self.recording: Voicemail | None = None

    def perform(self, output: Output) -> Input | None:
        tel, call_id = self.shell.telephony, self.call_id
        if isinstance(output, Play):
            if not self.gone:
                tel.play(
                    call_id,
                    prompt_id=output.prompt_id,
                    text=speakable(output.text),
                    language=output.language,
                )
        elif isinstance(output, Collect):
            pass  # the call run waits on it
        elif isinstance(output, BankRequest):
            self.requests += 1
            reply = self.shell.bank.answer(
                output,
                call_id=call_id,
                now=self.shell.clock(),
                key=f"ivr/{call_id}/{self.requests}",
            )
            self.result.bank_replies.append(reply)
            return reply
        elif isinstance(output, AskEstimatedWait):
            return EstimatedWait(seconds=self.shell.estimate_wait(output.workflow))
        elif isinstance(output, Enqueue):
            self._offer(output.workflow, output.priority, output.attributes)
        elif isinstance(output, OfferCallback):
            self._offer(output.workflow, output.priority, output.attributes)
            number = output.number or self.caller_number
            self._engine(RequestCallback(contact_id=call_id, number=number))
            self._hang_up()
        elif isinstance(output, TransferOut):
            if not self.gone:
                tel.transfer(call_id, number=output.number)
                self.gone = True
        elif isinstance(output, StartVoicemail):
            self._voicemail(output)
        elif isinstance(output, HangUp):
            self._hang_up()
        else:
            self.result.ivr_events.append(output)
            if isinstance(output, IvrEnded):
                self.result.outcome = output.outcome
        return None

    def heard(self, got: CollectResult) -> Input:
        if isinstance(got, DigitsCollected):
            return DigitsEntered(digits=got.digits)
        if isinstance(got, CollectTimedOut):
            return InputTimedOut()
        assert isinstance(got, CallHungUp)
        self.gone = True
        return CallerHungUp()

    def _offer(self, workflow: str, priority: int, attributes: Mapping[str, str]) -> None:
        self.result.workflow = workflow
        events = self._engine(
            OfferContact(
                contact_id=self.call_id,
                channel="voice",
                workflow=workflow,
                priority=priority,
                attributes=dict(attributes),
            )
        )
        for event in events:
            if isinstance(event, core_events.ContactConnected) and not self.gone:
                self.shell.telephony.bridge(self.call_id, agent_id=event.agent_id)

    def _voicemail(self, start: StartVoicemail) -> None:
        """Record after the greeting (queued before this action), hang up, offer the message.
        With the shell's ``recorder`` the recording only starts: `recorded` finishes it."""
        shell = self.shell
        vm = plan_voicemail(
            start,
            call_id=self.call_id,
            caller_number=self.caller_number,
            now=shell.clock(),
            mailboxes=shell.mailboxes,
        )
        if self.gone:
            self._recorded(vm, CallHungUp(call_id=self.call_id, by="caller"))
        elif shell.recorder is not None:
            shell.recorder.begin_record(
                self.call_id, name=vm.name, max_s=vm.box.max_s, beep=vm.box.beep
            )
            self.recording = vm
        else:
            got = shell.telephony.record(
                self.call_id, name=vm.name, max_s=vm.box.max_s, beep=vm.box.beep
            )
            self._recorded(vm, got)

    def recorded(self, got: RecordResult) -> None:
        """The switch reported the recording that `recording` waits for."""
        vm, self.recording = self.recording, None
        if vm is None:
            raise ChannelError(f"call {self.call_id}", "is not recording a voicemail")
        self._recorded(vm, got)

    def _recorded(self, vm: Voicemail, got: RecordResult) -> None:
        shell = self.shell
        if isinstance(got, CallHungUp) or (isinstance(got, RecordingFinished) and got.hung_up):
            self.gone = True
        self._hang_up()
        result, offer = settle_voicemail(vm, got)
        self.result.voicemail = result
        shell.voicemails.add(result)
        if offer is not None:
            self.result.workflow = offer.workflow
            self._engine(offer)

    def _engine(self, command: OfferContact | RequestCallback) -> list[core_events.Event]:
        events = self.shell.engine.handle(command, self.shell.clock().timestamp())
        self.result.engine_events.extend(events)
        return events

    def _hang_up(self) -> None:
        # While a message is being recorded the line stays up: `recorded` hangs up after it.
        if not self.gone and self.recording is None:
            self.shell.telephony.hang_up(self.call_id)
            self.gone = True
