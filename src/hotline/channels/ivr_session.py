"""The shell that runs one call through the IVR: telephony in, interpreter, actions out.

`run_call` answers the call, feeds the pure interpreter (`hotline.ivr.step`) what the caller
and the bank did, and performs its actions in order: prompts on the telephony port, bank
requests through `IvrBank`, and `Enqueue` / `OfferCallback` as `OfferContact` on the routing
engine with the gathered attributes and the flow's priority. A contact the engine connects at
once is bridged to its agent.

`CallRun` is the same call driven one input at a time: ``start`` and ``feed`` return the
`Collect` the call now waits on (None once its IVR part ended), so a shell that cannot block on
the switch (the live server's `hotline.live.ivr_runner`, on the asyncio clock) hands it keys
when they come; `run_call` is the blocking loop around it. ``routing`` is anything with the
engine's ``handle(command, now)``: the `Engine` itself, or the live centre
(`hotline.live.ivr_runner.CentreRouting`), which logs and streams the events.

`StartVoicemail` records the caller's message after the voicemail node's greeting and offers
it to the mailbox's workflow as a callback contact (`hotline.channels.voicemail`); the shell's
``voicemails`` tally counts every outcome, messages too short for an agent included.

`survey_after_agent` is the post-agent leg: once the agent has left and the caller is still on
the line, it asks the flow's survey node and hands the answer to the ``surveys`` sink
(``hotline.live.surveys.Surveys.answer`` on the server), the reason as the digit keyed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from hotline.banking.masking import mask_pan
from hotline.channels.errors import ChannelError
from hotline.channels.ivr_bank import IvrBank
from hotline.channels.telephony import (
    CallArrived,
    CallHungUp,
    CollectResult,
    CollectTimedOut,
    DigitsCollected,
    RecordingFinished,
    RecordResult,
    TelephonyPort,
)
from hotline.channels.voicemail import Mailbox, VoicemailResult, VoicemailTally
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
    SurveyAnswered,
    TransferOut,
)
from hotline.ivr.flow import Flow
from hotline.ivr.inputs import (
    BankReplied,
    CallerHungUp,
    CallStarted,
    DigitsEntered,
    EstimatedWait,
    Input,
    InputTimedOut,
)
from hotline.ivr.interpreter import step
from hotline.ivr.registry import FlowRegistry
from hotline.ivr.runtime import Run
from hotline.ivr.state import CallState, Wait
from hotline.ivr.steps_dialogue import SurveyStep

_EMPTY: Mapping[str, str] = MappingProxyType({})
#: Where a survey answer goes: (contact id, score 1–5, reason digit or None).
SurveySink = Callable[[str, int, str | None], object]
_NUMBER = re.compile(r"\d{13,19}")


class Routing(Protocol):
    """Where the IVR hands calls on: the engine's ``handle`` (the `Engine`, or the live
    centre through an adapter that persists and streams the events)."""

    def handle(
        self, command: OfferContact | RequestCallback, now: float
    ) -> list[core_events.Event]: ...


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def speakable(text: str) -> str:
    """Mask anything that looks like a full card number (13–19 digits passing Luhn) before a
    prompt reaches the switch: a read-back must never say or log one.

    >>> speakable("to card 6228480012345671239 now")
    'to card 622848*********1239 now'
    """
    return _NUMBER.sub(lambda m: mask_pan(m[0]) if _luhn_ok(m[0]) else m[0], text)


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


@dataclass(kw_only=True, slots=True)
class IvrShell:
    """What every call shares: the switch, the flows, the bank, the routing and a clock."""

    telephony: TelephonyPort
    registry: FlowRegistry
    bank: IvrBank
    engine: Routing
    clock: Callable[[], datetime]
    #: Expected wait in seconds for a workflow (answers `AskEstimatedWait`).
    estimate_wait: Callable[[str], float]
    #: Where answers of the survey after the agent leg go; None: asked, not recorded.
    surveys: SurveySink | None = None
    #: Where each flow mailbox's messages go; one not named goes to the workflow of its name.
    mailboxes: Mapping[str, Mailbox] = field(default_factory=dict)
    voicemails: VoicemailTally = field(default_factory=VoicemailTally)

    def run_call(
        self, arrived: CallArrived, *, context: Mapping[str, str] = _EMPTY, segment: str = ""
    ) -> CallResult:
        """Run the IVR part of one call to its end. ``segment`` is what the caller number
        told the shell (``"vip"`` reaches the VIP flow); ``context`` goes to `CallStarted`."""
        run = CallRun.new(self, arrived, context=context, segment=segment)
        collect = run.start()
        while collect is not None:
            collect = run.feed(run.heard(self._collect(arrived.call_id, collect)))
        return run.result

    def _collect(self, call_id: str, collect: Collect) -> CollectResult:
        return self.telephony.collect(
            call_id,
            max_digits=collect.max_digits,
            min_digits=collect.min_digits,
            terminator=collect.terminator,
            timeout_s=collect.timeout_s,
            secret=collect.secret,
        )

    def survey_after_agent(
        self, result: CallResult, *, node: str | None = None
    ) -> CallResult | None:
        """The agent has left ``result``'s call and the caller is still on the line: ask the
        flow's survey (its one survey node, or ``node``) and hand the answer to ``surveys``.

        Returns this leg's result (its IVR events hold the `SurveyAnswered`), or None when
        the call's flow has no survey node. A caller who keys no score is not recorded.
        """
        run = CallRun.survey(self, result, node=node)
        if run is None:
            return None
        collect = run.waiting
        while collect is not None:
            collect = run.feed(run.heard(self._collect(result.call_id, collect)))
        return run.result


class CallRun:
    """One call's IVR part (or its survey leg), driven one input at a time.

    ``start()`` answers the call and runs the flow to its first wait; ``feed(input)`` hands it
    what the caller did. Both perform the outputs (prompts, bank requests, offers to the
    routing) and return the `Collect` the call now waits on, or None once it ended. ``said``
    holds the prompts of the last ``start``/``feed``, for a shell that times the caller.
    """

    def __init__(
        self,
        shell: IvrShell,
        arrived: CallArrived,
        flow: Flow,
        state: CallState,
        *,
        context: Mapping[str, str] = _EMPTY,
        survey: SurveyStep | None = None,
    ) -> None:
        self.shell = shell
        self.arrived = arrived
        self.flow, self.state = flow, state
        self.result = CallResult(call_id=arrived.call_id, flow=flow.name, version=flow.version)
        self.context = context
        self.waiting: Collect | None = None
        self.said: list[Play] = []
        self._call = _Call(shell, arrived, self.result)
        self._survey = survey

    @classmethod
    def new(
        cls,
        shell: IvrShell,
        arrived: CallArrived,
        *,
        context: Mapping[str, str] = _EMPTY,
        segment: str = "",
    ) -> CallRun:
        """A new call on the flow its number (or ``segment``) reaches; ``start`` it."""
        flow, state = shell.registry.start(arrived.dialled_number, segment)
        return cls(shell, arrived, flow, state, context=context)

    @property
    def call_id(self) -> str:
        return self.arrived.call_id

    @property
    def ended(self) -> bool:
        return self.state.ended

    def start(self) -> Collect | None:
        self.shell.telephony.answer(self.call_id)
        return self.feed(
            CallStarted(
                dialled_number=self.arrived.dialled_number,
                caller_number=self.arrived.caller_number,
                context=self.context,
            )
        )

    @classmethod
    def survey(
        cls, shell: IvrShell, result: CallResult, *, node: str | None = None
    ) -> CallRun | None:
        """The survey leg of ``result``'s call, asked and waiting for the score (``waiting``);
        None when its flow has no survey node. The answer goes to ``shell.surveys``."""
        where = f"call {result.call_id}"
        if result.state is None:
            raise ChannelError(where, "has not been through the IVR")
        flow = shell.registry.get(result.flow, result.version)
        survey = _survey_node(flow, node, where)
        if survey is None:
            return None
        arrived = CallArrived(call_id=result.call_id, dialled_number="")
        run = cls(shell, arrived, flow, result.state, survey=survey)
        # The interpreter enters a flow only at its start; the survey leg resumes the ended
        # IVR part at the survey node, with the caller's language and variables.
        resumed = Run(flow, result.state, shell.clock())
        resumed.go(survey.name)
        resumed.settle()
        if resumed.wait is Wait.NONE:
            raise ChannelError(where, f"node {survey.name!r} neither waited nor moved on")
        run.state = resumed.state(result.state)
        run.waiting = run._perform(tuple(resumed.out))
        return run

    def heard(self, got: CollectResult) -> Input:
        """The interpreter's input for what the switch reported at a collect."""
        return self._call.heard(got)

    def feed(self, pending: Input) -> Collect | None:
        """Step the flow with ``pending`` and every answer the shell gives at once (the bank,
        a wait estimate) until the call waits for keys or its IVR part ends."""
        self.said = []
        answer: Input | None = pending
        while answer is not None:
            self.state, outputs = step(self.flow, self.state, answer, self.shell.clock())
            if self.state.ended:
                self._perform(outputs)
                return None
            answer = None
            answers: list[Input] = []
            collect = self._perform(outputs, answers)
            if collect is not None:
                return collect
            if not answers:  # the interpreter always waits on something it asked for
                raise ChannelError(
                    f"call {self.call_id}", f"nothing to wait for at node {self.state.node!r}"
                )
            answer = answers[-1]
        return None  # pragma: no cover - the loop returns from inside

    def _perform(self, outputs: tuple[Output, ...], answers: list[Input] | None = None
                 ) -> Collect | None:
        collect: Collect | None = None
        for output in outputs:
            if isinstance(output, Collect):
                collect = output
                continue
            if isinstance(output, Play):
                self.said.append(output)
            answer = self._call.perform(output)
            if answer is not None and answers is not None:
                answers.append(answer)
        self.waiting = None if self.state.ended else collect
        if self.state.ended:
            self._finish()
        return self.waiting

    def _finish(self) -> None:
        self.result.state = self.state
        sink, survey = self.shell.surveys, self._survey
        if survey is None or sink is None:
            return
        for event in self.result.ivr_events:
            if isinstance(event, SurveyAnswered):
                sink(self.call_id, event.score, _reason_digit(survey, event.reason))


def _survey_node(flow: Flow, node: str | None, where: str) -> SurveyStep | None:
    if node is not None:
        found = flow.nodes.get(node)
        if not isinstance(found, SurveyStep):
            raise ChannelError(where, f"flow {flow.name} has no survey node {node!r}")
        return found
    surveys = [n for n in flow.nodes.values() if isinstance(n, SurveyStep)]
    if len(surveys) > 1:
        names = ", ".join(sorted(n.name for n in surveys))
        raise ChannelError(where, f"flow {flow.name} has several survey nodes ({names}): name one")
    return surveys[0] if surveys else None


def _reason_digit(survey: SurveyStep, reason: str) -> str | None:
    """The digit the caller keyed: flows with named reasons report the name."""
    if not reason:
        return None
    digits = {name: digit for digit, name in survey.reasons.items()}
    return digits.get(reason, reason)


class _Call:
    """One call's side of the shell: performs outputs, returns the input they produce."""

    def __init__(self, shell: IvrShell, arrived: CallArrived, result: CallResult) -> None:
        self.shell = shell
        self.call_id = arrived.call_id
        self.caller_number = arrived.caller_number
        self.result = result
        self.gone = False
        self.requests = 0

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
        """Record after the greeting (queued before this action), hang up, offer the message."""
        shell = self.shell
        vm = plan_voicemail(
            start,
            call_id=self.call_id,
            caller_number=self.caller_number,
            now=shell.clock(),
            mailboxes=shell.mailboxes,
        )
        got: RecordResult = CallHungUp(call_id=self.call_id, by="caller")
        if not self.gone:
            got = shell.telephony.record(
                self.call_id, name=vm.name, max_s=vm.box.max_s, beep=vm.box.beep
            )
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
        if not self.gone:
            self.shell.telephony.hang_up(self.call_id)
            self.gone = True
