"""The shell that runs one call through the IVR: telephony in, interpreter, actions out.

`run_call` answers the call, feeds the pure interpreter (`hotline.ivr.step`) what the caller
and the bank did, and performs its actions in order: prompts on the telephony port, bank
requests through `IvrBank`, and `Enqueue` / `OfferCallback` as `OfferContact` on the routing
engine with the gathered attributes and the flow's priority. A contact the engine connects at
once is bridged to its agent.

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

from hotline.banking.masking import mask_pan
from hotline.channels.errors import ChannelError
from hotline.channels.ivr_bank import IvrBank
from hotline.channels.telephony import (
    CallArrived,
    CallHungUp,
    CollectTimedOut,
    DigitsCollected,
    TelephonyPort,
)
from hotline.core import events as core_events
from hotline.core.commands import OfferContact, RequestCallback
from hotline.core.engine import Engine
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


@dataclass(kw_only=True, slots=True)
class IvrShell:
    """What every call shares: the switch, the flows, the bank, the engine and a clock."""

    telephony: TelephonyPort
    registry: FlowRegistry
    bank: IvrBank
    engine: Engine
    clock: Callable[[], datetime]
    #: Expected wait in seconds for a workflow (answers `AskEstimatedWait`).
    estimate_wait: Callable[[str], float]
    #: Where answers of the survey after the agent leg go; None: asked, not recorded.
    surveys: SurveySink | None = None

    def run_call(
        self, arrived: CallArrived, *, context: Mapping[str, str] = _EMPTY, segment: str = ""
    ) -> CallResult:
        """Run the IVR part of one call to its end. ``segment`` is what the caller number
        told the shell (``"vip"`` reaches the VIP flow); ``context`` goes to `CallStarted`."""
        flow, state = self.registry.start(arrived.dialled_number, segment)
        result = CallResult(call_id=arrived.call_id, flow=flow.name, version=flow.version)
        self.telephony.answer(arrived.call_id)
        pending: Input = CallStarted(
            dialled_number=arrived.dialled_number,
            caller_number=arrived.caller_number,
            context=context,
        )
        call = _Call(self, arrived, result)
        while True:
            state, outputs = step(flow, state, pending, self.clock())
            answer: Input | None = None
            for output in outputs:
                answer = call.perform(output) or answer
            if state.ended:
                result.state = state
                return result
            if answer is None:  # the interpreter always waits on something it asked for
                raise ChannelError(
                    f"call {arrived.call_id}", f"nothing to wait for at node {state.node!r}"
                )
            pending = answer

    def survey_after_agent(
        self, result: CallResult, *, node: str | None = None
    ) -> CallResult | None:
        """The agent has left ``result``'s call and the caller is still on the line: ask the
        flow's survey (its one survey node, or ``node``) and hand the answer to ``surveys``.

        Returns this leg's result (its IVR events hold the `SurveyAnswered`), or None when
        the call's flow has no survey node. A caller who keys no score is not recorded.
        """
        where = f"call {result.call_id}"
        if result.state is None:
            raise ChannelError(where, "has not been through the IVR")
        flow = self.registry.get(result.flow, result.version)
        survey = _survey_node(flow, node, where)
        if survey is None:
            return None
        leg = CallResult(call_id=result.call_id, flow=flow.name, version=flow.version)
        call = _Call(self, CallArrived(call_id=result.call_id, dialled_number=""), leg)
        # The interpreter enters a flow only at its start; the survey leg resumes the ended
        # IVR part at the survey node, with the caller's language and variables.
        run = Run(flow, result.state, self.clock())
        run.go(survey.name)
        run.settle()
        if run.wait is Wait.NONE:
            raise ChannelError(where, f"node {survey.name!r} neither waited nor moved on")
        state, outputs = run.state(result.state), tuple(run.out)
        while True:
            answer: Input | None = None
            for output in outputs:
                answer = call.perform(output) or answer
            if state.ended:
                break
            if answer is None:
                raise ChannelError(where, f"nothing to wait for at node {state.node!r}")
            state, outputs = step(flow, state, answer, self.clock())
        leg.state = state
        for event in leg.ivr_events:
            if isinstance(event, SurveyAnswered) and self.surveys is not None:
                self.surveys(result.call_id, event.score, _reason_digit(survey, event.reason))
        return leg


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
            return self._collect(output)
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
        elif isinstance(output, HangUp | StartVoicemail):
            # Voicemail recording is not wired yet: the message prompt was said, the line ends.
            self._hang_up()
        else:
            self.result.ivr_events.append(output)
            if isinstance(output, IvrEnded):
                self.result.outcome = output.outcome
        return None

    def _collect(self, collect: Collect) -> Input:
        got = self.shell.telephony.collect(
            self.call_id,
            max_digits=collect.max_digits,
            min_digits=collect.min_digits,
            terminator=collect.terminator,
            timeout_s=collect.timeout_s,
            secret=collect.secret,
        )
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

    def _engine(self, command: OfferContact | RequestCallback) -> list[core_events.Event]:
        events = self.shell.engine.handle(command, self.shell.clock().timestamp())
        self.result.engine_events.extend(events)
        return events

    def _hang_up(self) -> None:
        if not self.gone:
            self.shell.telephony.hang_up(self.call_id)
            self.gone = True
