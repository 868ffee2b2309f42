"""Calls from Asterisk in the live server: ARI on a worker thread, the centre on the event loop.

`AriLine` owns an `AriTelephony` on one worker thread. It polls the event stream, answers each
new call and runs it through the IVR shell's `CallRun`, many calls at once: each waits on its
own collect (the adapter's ``begin_collect`` / ``collected``), its own voicemail recording
(``begin_record`` / ``recorded``) and its own agent's phone (``begin_bridge`` /
``bridge_outcome``), and a goodbye or a transfer announcement is said before the hang-up or
the transfer without the worker waiting for it (``begin_hang_up``, `PromptsFirst`): a caller
keying a card number, or leaving a minute's message, does not hold up the next one.

The shell's bank, routing, wait estimates and survey sink are the server's, and the bank and
the centre are not thread-safe: every call into them is handed to the event loop
(``call_soon_threadsafe``) and the worker waits for the answer. The loop never waits for the
worker: what the centre does to one of these calls becomes a job on the worker's queue.

- The IVR part ended in a queue: once its last words were said the caller hears music on hold
  (`ari_callbacks.HoldMusic`); the adapter stops it when the agent answers.
- An agent accepted (``ContactConnected``): once the call's prompts are done, the agent's phone
  rings and both join an ARI bridge; an agent who does not answer is logged. A callback
  contact this line offered (booked in the IVR, or a voicemail) is dialled out instead
  (`ari_callbacks.CallbackDialer`).
- The agent ended the contact (``ContactEnded``): the agent's leg and the bridge go, and the
  caller gets the flow's survey, which ends the call; a flow without one hangs up.
- The caller hung up after the IVR: a waiting contact is abandoned, a connected one ended.
- Every finished IVR part, and each survey answer, counts in `IvrToday` like the demo's calls.

No step of a call blocks the worker for its length; it waits only for the event loop's
answers (the bank, the centre), which take no call time. `close` stops the adapter (every wait
ends), joins the thread and the thread closes the event stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hotline.channels.errors import ChannelError, LineStopped, NotAnswered
from hotline.channels.ivr_call import CallResult
from hotline.channels.ivr_run import CallRun
from hotline.channels.ivr_session import BankAnswers, IvrShell, Routing, SurveySink
from hotline.channels.telephony import (
    CallArrived,
    CallHungUp,
    CollectResult,
    RecordResult,
    TelephonyPort,
)
from hotline.channels.telephony_ari import AriTelephony
from hotline.core import events as ev
from hotline.core.commands import AbandonContact, EndContact, OfferContact, RequestCallback
from hotline.core.errors import CoreError
from hotline.core.live import CONNECTED, ON_HOLD, RESERVED, WAITING
from hotline.ivr.actions import Collect
from hotline.ivr.errors import IvrError
from hotline.ivr.registry import FlowRegistry
from hotline.live.ari_callbacks import CallbackDialer, HoldMusic
from hotline.live.ari_loop import POLL_S, LoopBank, OnLoop, PromptsFirst
from hotline.live.centre import Batch, LiveCentre
from hotline.live.ivr_runner import shell_clock
from hotline.live.ivr_today import IvrToday

log = logging.getLogger(__name__)
#: The flows' context when nothing else is known (no ``opening``): agents answer round the clock.
ALWAYS_OPEN: Mapping[str, str] = {"business_hours": "true", "holiday": "false"}
_CALL_ERRORS = (ChannelError, CoreError, IvrError)
_CALLBACK_EVENTS = (ev.ContactConnected, ev.ContactEnded)


class LoopRouting:
    """The routing (the live centre) on the event loop; ``calls`` are the contacts offered
    (read and written on the loop only)."""

    def __init__(self, routing: Routing, on_loop: OnLoop) -> None:
        self.routing = routing
        self.on_loop = on_loop
        self.calls: set[str] = set()

    def handle(self, command: OfferContact | RequestCallback, now: float) -> list[ev.Event]:
        def run() -> list[ev.Event]:
            events = self.routing.handle(command, now)
            self.calls.add(command.contact_id)
            return events
        # A connection is bridged by the line when the centre announces it, in one place:
        # the shell must not bridge (and block on the agent's phone) inside the offer.
        return [e for e in self.on_loop.call(run) if type(e) is not ev.ContactConnected]


@dataclass(kw_only=True, slots=True)
class _Bridge:
    agent_id: str
    ringing: bool = False


class AriLine:
    """Runs the calls of one ARI application through the IVR shell on a worker thread."""

    def __init__(self, telephony: AriTelephony, centre: LiveCentre, *, registry: FlowRegistry,
                 bank: BankAnswers, routing: Routing, today: IvrToday,
                 loop: asyncio.AbstractEventLoop,
                 estimate_wait: Callable[[str], float] = lambda workflow: 0.0,
                 surveys: SurveySink | None = None,
                 context: Mapping[str, str] = ALWAYS_OPEN,
                 opening: Callable[[CallArrived], Mapping[str, str]] | None = None) -> None:
        self.telephony = telephony
        self.centre = centre
        self.today = today
        self.context = context
        # The centre's hours when the call arrives (OpeningHours.context): read on the worker.
        self.opening = opening
        self._stopping = threading.Event()
        self.on_loop = OnLoop(loop, self._stopping)
        self.routing = LoopRouting(routing, self.on_loop)
        sink = self._survey_sink(surveys) if surveys is not None else None
        port: TelephonyPort = PromptsFirst(telephony)
        self.shell = IvrShell(telephony=port, recorder=telephony, registry=registry,
                              bank=LoopBank(bank, self.on_loop), engine=self.routing,
                              clock=shell_clock(centre),
                              estimate_wait=lambda w: self.on_loop.call(lambda: estimate_wait(w)),
                              surveys=sink)
        # Owned by the worker thread.
        self.runs: dict[str, tuple[CallRun, bool]] = {}  # call id -> its run, a survey leg?
        self.handed: dict[str, CallResult] = {}  # IVR parts that went to an agent
        self._bridges: dict[str, _Bridge] = {}
        self.failed = 0
        self.hold = HoldMusic(telephony)
        self.callbacks = CallbackDialer(telephony, centre, self.on_loop, self._caller_gone)
        self._jobs: queue.SimpleQueue[tuple[str, str, str]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="hotline-ari", daemon=True)
        self._unsubscribe = centre.subscribe(self._heard)

    def _survey_sink(self, surveys: SurveySink) -> SurveySink:
        def answer(contact_id: str, score: int, reason: str | None) -> None:
            self.on_loop.post(lambda: surveys(contact_id, score, reason))
        return answer

    # --- on the event loop -------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def close(self, timeout_s: float = 10.0) -> None:
        """Stop the worker and wait for it; it closes the event stream on its way out."""
        self._unsubscribe()
        self._stopping.set()
        self.telephony.stop()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("ARI worker did not stop within %.0f s", timeout_s)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _heard(self, batch: Batch) -> None:
        calls = self.routing.calls
        for _, e in batch:
            te = type(e)
            in_calls = te in _CALLBACK_EVENTS and e.contact_id in calls  # type: ignore[attr-defined]
            if in_calls and self.callbacks.heard(e):
                continue  # a callback contact: the dialer calls the customer
            if te is ev.ContactConnected and e.contact_id in calls:  # type: ignore[attr-defined]
                self._jobs.put(("connect", e.contact_id, e.agent_id))  # type: ignore[attr-defined]
            elif te is ev.ContactEnded and e.contact_id in calls:  # type: ignore[attr-defined]
                self._jobs.put(("ended", e.contact_id, ""))  # type: ignore[attr-defined]
            elif te in ev.TERMINAL:
                calls.discard(e.contact_id)  # type: ignore[attr-defined]

    def _caller_gone(self, contact_id: str) -> None:
        """The caller hung up after the IVR: the contact is abandoned or its talk is over."""
        contact = self.centre.engine.contacts.get(contact_id)
        if contact is None:
            return
        try:
            if contact.state in (WAITING, RESERVED):
                self.centre.execute(AbandonContact(contact_id=contact_id))
            elif contact.state in (CONNECTED, ON_HOLD):
                self.centre.execute(EndContact(contact_id=contact_id))
        except CoreError as exc:
            log.warning("call %s: the caller's hang-up not applied: %s", contact_id, exc)

    # --- on the worker thread ----------------------------------------------------------------
    def _work(self) -> None:
        try:
            while not self._stopping.is_set():
                for event in self.telephony.poll(timeout_s=POLL_S):
                    if isinstance(event, CallArrived):
                        self._arrived(event)
                    elif isinstance(event, CallHungUp):
                        self._hung_up(event.call_id)
                self._take_jobs()
                self._advance()
                self._ring_agents()
                self.callbacks.tick()
                for call_id in self.hold.due():
                    self._guard(call_id, self._on_hold, call_id)
        except LineStopped:
            pass
        except Exception:  # the line is down; the rest of the server goes on
            log.exception("ARI line stopped on an error")
        finally:
            with contextlib.suppress(Exception):
                self.telephony.close()

    def _guard(self, call_id: str, move: Callable[..., None], *args: object) -> None:
        """Run ``move(*args)`` for one call; an error ends that call, not the line."""
        try:
            move(*args)
        except LineStopped:
            raise
        except _CALL_ERRORS as exc:
            self.failed += 1
            log.warning("ARI call %s ended on an error: %s", call_id, exc)
            self.runs.pop(call_id, None)
            self.handed.pop(call_id, None)
            self._bridges.pop(call_id, None)
            if not self.telephony.ended(call_id):
                with contextlib.suppress(ChannelError):
                    self.telephony.begin_hang_up(call_id)

    def _arrived(self, arrived: CallArrived) -> None:
        def start() -> None:
            context = self.context if self.opening is None \
                else {**self.context, **self.opening(arrived)}
            run = CallRun.new(self.shell, arrived, context=context)
            self._waits(run, run.start(), survey=False)
        self._guard(arrived.call_id, start)

    def _waits(self, run: CallRun, collect: Collect | None, *, survey: bool) -> None:
        """The run waits on ``collect`` or on its voicemail, or its part of the call is over."""
        if run.recording:
            self.runs[run.call_id] = (run, survey)
            return
        if collect is not None:
            self.runs[run.call_id] = (run, survey)
            self.telephony.begin_collect(
                run.call_id, max_digits=collect.max_digits, min_digits=collect.min_digits,
                terminator=collect.terminator, timeout_s=collect.timeout_s)
            return
        self.runs.pop(run.call_id, None)
        result = run.result
        self.on_loop.post(lambda: self.today.add(result, survey=survey))
        call_id = run.call_id
        if not survey and result.outcome == "enqueued" and not self.telephony.ended(call_id):
            self.handed[call_id] = result  # waits for an agent, then the survey
            self.hold.wait(call_id)
        elif not self.telephony.ended(call_id):
            self.telephony.begin_hang_up(call_id)

    def _advance(self) -> None:
        tel = self.telephony
        for call_id, (run, survey) in list(self.runs.items()):
            if run.recording:
                message = tel.recorded(call_id)
                if message is not None:
                    self._guard(call_id, self._recorded, run, message, survey)
            elif (got := tel.collected(call_id)) is not None:
                self._guard(call_id, self._feed, run, got, survey)

    def _feed(self, run: CallRun, got: CollectResult, survey: bool) -> None:
        self._waits(run, run.feed(run.heard(got)), survey=survey)

    def _recorded(self, run: CallRun, message: RecordResult, survey: bool) -> None:
        run.recorded(message)  # hangs up and offers the message to the centre (on the loop)
        self._waits(run, None, survey=survey)

    def _on_hold(self, call_id: str) -> None:
        self.telephony.hold_music(call_id, on=True)

    def _hung_up(self, call_id: str) -> None:
        self.callbacks.hung_up(call_id)
        self.hold.cancel(call_id)
        self._bridges.pop(call_id, None)
        if self.handed.pop(call_id, None) is not None:
            self.on_loop.post(lambda: self._caller_gone(call_id))

    def _take_jobs(self) -> None:
        while True:
            try:
                kind, call_id, agent_id = self._jobs.get_nowait()
            except queue.Empty:
                return
            if call_id not in self.handed:
                continue  # the caller left, or a callback contact: no line to act on
            if kind == "connect":
                self.hold.cancel(call_id)  # the agent came before the music started
                self._bridges[call_id] = _Bridge(agent_id=agent_id)
            elif kind == "ended":
                self._bridges.pop(call_id, None)
                self._guard(call_id, self._survey, call_id)

    def _ring_agents(self) -> None:
        for call_id, bridge in list(self._bridges.items()):
            self._guard(call_id, self._ring, call_id, bridge)

    def _ring(self, call_id: str, bridge: _Bridge) -> None:
        tel = self.telephony
        if not bridge.ringing:
            if tel.playing(call_id):
                return  # the IVR's last words first ("connecting you to an agent")
            if tel.bridge_outcome(call_id) == "bridged":
                tel.release(call_id)  # a transfer: the first agent's leg goes
            tel.begin_bridge(call_id, agent_id=bridge.agent_id)
            bridge.ringing = True
            return
        outcome = tel.bridge_outcome(call_id)
        if not outcome:
            return
        del self._bridges[call_id]
        if isinstance(outcome, NotAnswered):
            log.warning("call %s: %s; the contact stays with the agent on the desktop",
                        call_id, outcome.reason)

    def _survey(self, call_id: str) -> None:
        """The agent ended the contact: release their leg, ask the survey (or hang up)."""
        result = self.handed.pop(call_id)
        self.hold.cancel(call_id)
        self.telephony.hold_music(call_id, on=False)  # the agent never came to the phone
        self.telephony.release(call_id)
        run = CallRun.survey(self.shell, result)
        if run is None:
            self.telephony.begin_hang_up(call_id)
            return
        self._waits(run, run.waiting, survey=True)

    def stats(self) -> dict[str, int]:
        return {"in_ivr": len(self.runs), "with_agents": len(self.handed), "failed": self.failed}
