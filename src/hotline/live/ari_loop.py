"""The ARI line's bridges between its worker thread and the rest: `OnLoop` runs a function on
the event loop and waits for its answer (the bank and the centre are not thread-safe),
`LoopBank` is the bank seen from the worker, and `PromptsFirst` is the adapter as the IVR
shell sees it there (endings wait for the call's queued prompts). See `hotline.live.ivr_ari`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from hotline.channels.errors import LineStopped
from hotline.channels.ivr_session import BankAnswers
from hotline.channels.telephony import CollectResult, RecordResult
from hotline.channels.telephony_ari import AriTelephony
from hotline.ivr.actions import BankRequest
from hotline.ivr.inputs import BankReplied

T = TypeVar("T")
#: How long the worker waits for ARI events (or the loop's answer) before it looks again.
POLL_S = 0.2


class OnLoop:
    """Runs functions on the event loop for the worker thread, and waits for their result."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stopping: threading.Event) -> None:
        self.loop = loop
        self.stopping = stopping

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the loop; raises what it raised, or `LineStopped` once stopping."""
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not done.set_running_or_notify_cancel():
                return
            try:
                done.set_result(fn())
            except BaseException as exc:  # handed to the worker, which re-raises it
                done.set_exception(exc)

        self.post(run)
        while True:
            try:
                return done.result(timeout=POLL_S)
            except TimeoutError:
                if self.stopping.is_set():
                    done.cancel()
                    raise LineStopped("event loop", "the server is stopping") from None

    def post(self, fn: Callable[[], object]) -> None:
        """``fn()`` on the loop, not waited for."""
        try:
            self.loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop is closed: the server is gone
            raise LineStopped("event loop", "is closed") from None


class LoopBank:
    """The bank's answers, computed on the event loop."""

    def __init__(self, bank: BankAnswers, on_loop: OnLoop) -> None:
        self.bank = bank
        self.on_loop = on_loop

    def answer(self, request: BankRequest, *, call_id: str, key: str, now: datetime) -> BankReplied:
        return self.on_loop.call(
            lambda: self.bank.answer(request, call_id=call_id, key=key, now=now))


class PromptsFirst:
    """The adapter as the IVR shell sees it on the worker: a hang-up or a transfer is sent once
    the call's queued prompts were said (a goodbye), and the shell goes on at once."""

    def __init__(self, telephony: AriTelephony) -> None:
        self.telephony = telephony

    def answer(self, call_id: str) -> None:
        self.telephony.answer(call_id)

    def play(self, call_id: str, *, prompt_id: str, text: str, language: str) -> None:
        self.telephony.play(call_id, prompt_id=prompt_id, text=text, language=language)

    def collect(self, call_id: str, *, max_digits: int, min_digits: int, terminator: str,
                timeout_s: float, secret: bool) -> CollectResult:
        # Not on the line's path (it begins collects itself); kept whole for the port.
        return self.telephony.collect(call_id, max_digits=max_digits, min_digits=min_digits,
                                      terminator=terminator, timeout_s=timeout_s, secret=secret)

    def record(self, call_id: str, *, name: str, max_s: float, beep: bool) -> RecordResult:
        # Not on the line's path either: its shell has the adapter as ``recorder``.
        return self.telephony.record(call_id, name=name, max_s=max_s, beep=beep)

    def bridge(self, call_id: str, *, agent_id: str) -> None:
        self.telephony.bridge(call_id, agent_id=agent_id)

    def transfer(self, call_id: str, *, number: str) -> None:
        self.telephony.begin_transfer(call_id, number=number)

    def hang_up(self, call_id: str) -> None:
        self.telephony.begin_hang_up(call_id)

    def originate(self, *, number: str, caller_id: str) -> str:
        return self.telephony.originate(number=number, caller_id=caller_id)
