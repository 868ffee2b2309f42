"""The shell that runs one call through the IVR: telephony in, interpreter, actions out.

`run_call` answers the call, feeds the pure interpreter (`hotline.ivr.step`) what the caller
and the bank did, and performs its actions in order: prompts on the telephony port, bank
requests through `IvrBank`, and `Enqueue` / `OfferCallback` as `OfferContact` on the routing
engine with the gathered attributes and the flow's priority. A contact the engine connects at
once is bridged to its agent.

`CallRun` (`ivr_run`) is the same call driven one input at a time, for a shell that cannot
block on the switch; `run_call` is the blocking loop around it. What each interpreter output
does on the ports is `ivr_call.CallSide`; `speakable` masks card numbers in prompts. These
names are re-exported here. ``routing`` is anything with the engine's ``handle(command,
now)``: the `Engine` itself, or the live centre (`hotline.live.ivr_runner.CentreRouting`),
which logs and streams the events.

`StartVoicemail` records the caller's message after the voicemail node's greeting and offers
it to the mailbox's workflow as a callback contact (`hotline.channels.voicemail`); the shell's
``voicemails`` tally counts every outcome, messages too short for an agent included. A shell
with a ``recorder`` only starts the recording: the call's run holds it (`CallRun.recording`)
until its driver hands over the switch's report (`CallRun.recorded`), so a thread running many
calls (`hotline.live.ivr_ari`) is not held for the length of a message.

`survey_after_agent` is the post-agent leg: once the agent has left and the caller is still on
the line, it asks the flow's survey node and hands the answer to the ``surveys`` sink
(``hotline.live.surveys.Surveys.answer`` on the server), the reason as the digit keyed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from hotline.channels.ivr_call import CallResult
from hotline.channels.ivr_run import CallRun
from hotline.channels.speakable import speakable
from hotline.channels.telephony import CallArrived, CollectResult, TelephonyPort
from hotline.channels.voicemail import Mailbox, VoicemailTally
from hotline.core import events as core_events
from hotline.core.commands import OfferContact, RequestCallback
from hotline.ivr.actions import BankRequest, Collect
from hotline.ivr.inputs import BankReplied
from hotline.ivr.registry import FlowRegistry

__all__ = [
    "BankAnswers", "CallResult", "CallRun", "IvrShell", "Recorder", "Routing", "SurveySink",
    "speakable",
]

_EMPTY: Mapping[str, str] = MappingProxyType({})
#: Where a survey answer goes: (contact id, score 1–5, reason digit or None).
SurveySink = Callable[[str, int, str | None], object]


class Routing(Protocol):
    """Where the IVR hands calls on: the engine's ``handle`` (the `Engine`, or the live
    centre through an adapter that persists and streams the events)."""

    def handle(
        self, command: OfferContact | RequestCallback, now: float
    ) -> list[core_events.Event]: ...



class BankAnswers(Protocol):
    """What the shell asks of the bank: `IvrBank`, or a wrapper that runs it elsewhere (the
    ARI worker hands each request to the server's event loop, `hotline.live.ivr_ari`)."""

    def answer(
        self, request: BankRequest, *, call_id: str, key: str, now: datetime
    ) -> BankReplied: ...


class Recorder(Protocol):
    """Starts a recording and returns at once (the ARI adapter's ``begin_record``); whoever
    drives the call asks the switch for its end and hands it to `CallRun.recorded`."""

    def begin_record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> None: ...


@dataclass(kw_only=True, slots=True)
class IvrShell:
    """What every call shares: the switch, the flows, the bank, the routing and a clock."""

    telephony: TelephonyPort
    registry: FlowRegistry
    bank: BankAnswers
    engine: Routing
    clock: Callable[[], datetime]
    #: Expected wait in seconds for a workflow (answers `AskEstimatedWait`).
    estimate_wait: Callable[[str], float]
    #: Where answers of the survey after the agent leg go; None: asked, not recorded.
    surveys: SurveySink | None = None
    #: Where each flow mailbox's messages go; one not named goes to the workflow of its name.
    mailboxes: Mapping[str, Mailbox] = field(default_factory=dict)
    voicemails: VoicemailTally = field(default_factory=VoicemailTally)
    #: Starts voicemail recordings without waiting for them; None: the port's ``record``.
    recorder: Recorder | None = None

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

