"""One call's IVR part (or its survey leg), driven one input at a time: `CallRun`.

``start`` and ``feed`` return the `Collect` the call now waits on (None once its IVR part
ended), so a shell that cannot block on the switch (the live server's
`hotline.live.ivr_runner` on the asyncio clock, `hotline.live.ivr_ari` for Asterisk) hands it
keys when they come; `IvrShell.run_call` is the blocking loop around it. `CallRun.survey`
resumes an ended IVR part at the flow's survey node, after the agent. On a shell with a
``recorder`` an IVR part that ended at a voicemail node is still ``recording`` the message;
the shell hands the switch's report to ``recorded``, which hangs up and offers the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from hotline.channels.errors import ChannelError
from hotline.channels.ivr_call import CallResult, CallSide
from hotline.channels.telephony import CallArrived, CollectResult, RecordResult
from hotline.ivr.actions import Collect, Output, Play, SurveyAnswered
from hotline.ivr.flow import Flow
from hotline.ivr.inputs import CallStarted, Input
from hotline.ivr.interpreter import step
from hotline.ivr.runtime import Run
from hotline.ivr.state import CallState, Wait
from hotline.ivr.steps_dialogue import SurveyStep

if TYPE_CHECKING:
    from hotline.channels.ivr_session import IvrShell

_EMPTY: Mapping[str, str] = MappingProxyType({})


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
        self._call = CallSide(shell, arrived, self.result)
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

    @property
    def recording(self) -> bool:
        """A voicemail is being recorded (the shell has a ``recorder``): hand its end to
        `recorded`."""
        return self._call.recording is not None

    def recorded(self, got: RecordResult) -> None:
        """The switch's report of the voicemail: hang up and offer the message (or count why
        not), as the blocking ``record`` does."""
        self._call.recorded(got)

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

