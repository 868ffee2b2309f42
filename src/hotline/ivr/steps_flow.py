"""Compiled nodes that move the call without asking for keys, and the ways out of the IVR."""

from __future__ import annotations

import math

from hotline.ivr.actions import (
    AskEstimatedWait,
    Collect,
    Enqueue,
    HangUp,
    OfferCallback,
    StartVoicemail,
    TransferOut,
)
from hotline.ivr.prompts import Prompt
from hotline.ivr.runtime import Run, Step
from hotline.ivr.state import Wait


class PlayStep(Step):
    __slots__ = ("next", "prompt")
    kind_name = "play"

    def __init__(self, name: str, intent: str | None, prompt: Prompt, next: str) -> None:
        super().__init__(name, intent, (next,))
        self.prompt = prompt
        self.next = next

    def enter(self, run: Run) -> None:
        run.say(self.prompt)
        run.go(self.next)


class SetStep(Step):
    __slots__ = ("next", "values")
    kind_name = "set"

    def __init__(
        self, name: str, intent: str | None, values: tuple[tuple[str, str], ...], next: str
    ) -> None:
        super().__init__(name, intent, (next,))
        self.values = values
        self.next = next

    def enter(self, run: Run) -> None:
        for variable, value in self.values:
            run.set(variable, value)
        run.go(self.next)


Condition = tuple[str, frozenset[str]]


class BranchStep(Step):
    """The first case whose every condition holds wins; else ``otherwise``."""

    __slots__ = ("cases", "otherwise")
    kind_name = "branch"

    def __init__(
        self,
        name: str,
        intent: str | None,
        cases: tuple[tuple[tuple[Condition, ...], str], ...],
        otherwise: str,
    ) -> None:
        super().__init__(name, intent, (*(target for _, target in cases), otherwise))
        self.cases = cases
        self.otherwise = otherwise

    def enter(self, run: Run) -> None:
        for conditions, target in self.cases:
            if all(run.get(variable) in values for variable, values in conditions):
                run.go(target)
                return
        run.go(self.otherwise)


class EnqueueStep(Step):
    __slots__ = ("attribute_names", "priority", "prompt", "workflow")
    kind_name = "enqueue"

    def __init__(
        self,
        name: str,
        intent: str | None,
        workflow: str,
        priority: int,
        attribute_names: tuple[str, ...],
        prompt: Prompt | None,
    ) -> None:
        super().__init__(name, intent, ())
        self.workflow = workflow
        self.priority = priority
        self.attribute_names = attribute_names
        self.prompt = prompt

    def enter(self, run: Run) -> None:
        run.say(self.prompt)
        attributes = run.attributes(self.attribute_names)
        enqueue = Enqueue(workflow=self.workflow, attributes=attributes, priority=self.priority)
        run.out.append(enqueue)
        run.end("enqueued")


class CallbackStep(Step):
    """Ask the wait; when it reaches ``threshold_s``, offer a callback to the caller's number.

    Any key but ``accept_key``, or silence, declines: the caller goes on to ``next``.
    """

    __slots__ = (
        "accept_key", "accepted", "attribute_names", "collect", "next", "priority", "prompt",
        "threshold_s", "workflow",
    )  # fmt: skip
    kind_name = "offer_callback"

    def __init__(
        self,
        name: str,
        intent: str | None,
        *,
        workflow: str,
        priority: int,
        threshold_s: float,
        prompt: Prompt,
        accept_key: str,
        timeout_s: float,
        attribute_names: tuple[str, ...],
        accepted: str,
        next: str,
    ) -> None:
        super().__init__(name, intent, (accepted, next))
        self.workflow = workflow
        self.priority = priority
        self.threshold_s = threshold_s
        self.prompt = prompt
        self.accept_key = accept_key
        self.collect = Collect(max_digits=1, timeout_s=timeout_s)
        self.attribute_names = attribute_names
        self.accepted = accepted
        self.next = next

    def enter(self, run: Run) -> None:
        if not run.get("caller_number"):  # a withheld number cannot be called back
            run.go(self.next)
            return
        run.out.append(AskEstimatedWait(workflow=self.workflow))
        run.wait = Wait.ESTIMATE

    def on_estimate(self, run: Run, seconds: float) -> None:
        if not math.isfinite(seconds) or seconds < self.threshold_s:
            run.go(self.next)
            return
        run.set("estimated_minutes", str(max(1, math.ceil(seconds / 60))))
        run.phase = 1
        run.ask(self.prompt, self.collect)

    def on_digits(self, run: Run, digits: str) -> None:
        if digits != self.accept_key:
            run.go(self.next)
            return
        run.out.append(
            OfferCallback(
                workflow=self.workflow,
                number=run.get("caller_number"),
                attributes=run.attributes(self.attribute_names),
                priority=self.priority,
            )
        )
        run.handoff = "callback"
        run.go(self.accepted)

    def on_timeout(self, run: Run) -> None:
        run.go(self.next)


class VoicemailStep(Step):
    __slots__ = ("attribute_names", "mailbox", "prompt")
    kind_name = "voicemail"

    def __init__(
        self,
        name: str,
        intent: str | None,
        mailbox: str,
        attribute_names: tuple[str, ...],
        prompt: Prompt | None,
    ) -> None:
        super().__init__(name, intent, ())
        self.mailbox = mailbox
        self.attribute_names = attribute_names
        self.prompt = prompt

    def enter(self, run: Run) -> None:
        run.say(self.prompt)
        attributes = run.attributes(self.attribute_names)
        run.out.append(StartVoicemail(mailbox=self.mailbox, attributes=attributes))
        run.end("voicemail")


class TransferOutStep(Step):
    __slots__ = ("number", "prompt")
    kind_name = "transfer_out"

    def __init__(self, name: str, intent: str | None, number: str, prompt: Prompt | None) -> None:
        super().__init__(name, intent, ())
        self.number = number
        self.prompt = prompt

    def enter(self, run: Run) -> None:
        run.say(self.prompt)
        run.out.append(TransferOut(number=self.number))
        run.end("transferred")


_HANG_UP = HangUp()


class HangupStep(Step):
    __slots__ = ("prompt",)
    kind_name = "hangup"

    def __init__(self, name: str, intent: str | None, prompt: Prompt | None) -> None:
        super().__init__(name, intent, ())
        self.prompt = prompt

    def enter(self, run: Run) -> None:
        run.say(self.prompt)
        run.out.append(_HANG_UP)
        run.end("completed")
