"""Compiled nodes that ask the caller for keys: menu, collect, language, confirm, survey.

Each retries on junk keys and on silence up to ``retries`` times (saying ``retry_prompt``
first), then takes its invalid or timeout branch: every keypress leads somewhere defined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline.ivr.actions import Collect, SurveyAnswered
from hotline.ivr.prompts import Prompt
from hotline.ivr.runtime import Run, Step
from hotline.ivr.secret import Secret

DIGITS = frozenset("0123456789")


@dataclass(frozen=True, kw_only=True, slots=True)
class Ask:
    """How an asking node asks: its prompt, the keys it collects, its retries."""

    prompt: Prompt
    collect: Collect
    retries: int
    retry_prompt: Prompt | None = None


class AskingStep(Step):
    __slots__ = ("collect", "prompt", "retries", "retry_prompt")
    waits_for_caller = True

    def __init__(self, name: str, intent: str | None, edges: tuple[str, ...], ask: Ask) -> None:
        super().__init__(name, intent, edges)
        self.prompt = ask.prompt
        self.collect = ask.collect
        self.retries = ask.retries
        self.retry_prompt = ask.retry_prompt

    def enter(self, run: Run) -> None:
        run.ask(self.prompt, self.collect)

    def again(self, run: Run, otherwise: str) -> None:
        """Ask once more, or take ``otherwise`` when the retries are spent."""
        if run.retry(self.retries):
            run.ask(self.prompt, self.collect, self.retry_prompt)
        else:
            run.go(otherwise)


class MenuStep(AskingStep):
    __slots__ = ("invalid", "options", "timeout")
    kind_name = "menu"

    def __init__(
        self,
        name: str,
        intent: str | None,
        ask: Ask,
        *,
        options: Mapping[str, str],
        invalid: str,
        timeout: str,
    ) -> None:
        super().__init__(name, intent, (*options.values(), invalid, timeout), ask)
        self.options = dict(options)
        self.invalid = invalid
        self.timeout = timeout

    def on_digits(self, run: Run, digits: str) -> None:
        target = self.options.get(digits)
        if target is None:
            self.again(run, self.invalid)
        else:
            run.go(target)

    def on_timeout(self, run: Run) -> None:
        self.again(run, self.timeout)


class CollectStep(AskingStep):
    __slots__ = ("into", "invalid", "max_digits", "min_digits", "next", "secret", "timeout")
    kind_name = "collect"

    def __init__(
        self,
        name: str,
        intent: str | None,
        ask: Ask,
        *,
        into: str,
        secret: bool,
        next: str,
        invalid: str,
        timeout: str,
    ) -> None:
        super().__init__(name, intent, (next, invalid, timeout), ask)
        self.into = into
        self.secret = secret
        self.min_digits = self.collect.min_digits
        self.max_digits = self.collect.max_digits
        self.next = next
        self.invalid = invalid
        self.timeout = timeout

    def on_digits(self, run: Run, digits: str) -> None:
        terminator = self.collect.terminator
        if terminator and digits.endswith(terminator):
            digits = digits[: -len(terminator)]
        if self.min_digits <= len(digits) <= self.max_digits and DIGITS.issuperset(digits):
            run.set(self.into, Secret(digits) if self.secret else digits)
            run.go(self.next)
        else:
            self.again(run, self.invalid)

    def on_timeout(self, run: Run) -> None:
        self.again(run, self.timeout)


class LanguageStep(AskingStep):
    """Choose the call's language; after the retries the flow's default language stays."""

    __slots__ = ("next", "options")
    kind_name = "language"

    def __init__(
        self, name: str, intent: str | None, ask: Ask, *, options: Mapping[str, str], next: str
    ) -> None:
        super().__init__(name, intent, (next,), ask)
        self.options = dict(options)
        self.next = next

    def on_digits(self, run: Run, digits: str) -> None:
        language = self.options.get(digits)
        if language is None:
            self.again(run, self.next)
            return
        run.language = language
        run.set("language", language)
        run.go(self.next)

    def on_timeout(self, run: Run) -> None:
        self.again(run, self.next)


class ConfirmStep(AskingStep):
    """Read back and ask for the confirm key; cancel on the cancel key or spent retries."""

    __slots__ = ("cancel", "cancel_key", "confirm_key", "next")
    kind_name = "confirm"

    def __init__(
        self,
        name: str,
        intent: str | None,
        ask: Ask,
        *,
        confirm_key: str,
        cancel_key: str,
        next: str,
        cancel: str,
    ) -> None:
        super().__init__(name, intent, (next, cancel), ask)
        self.confirm_key = confirm_key
        self.cancel_key = cancel_key
        self.next = next
        self.cancel = cancel

    def on_digits(self, run: Run, digits: str) -> None:
        if digits == self.confirm_key:
            run.go(self.next)
        elif digits == self.cancel_key:
            run.go(self.cancel)
        else:
            self.again(run, self.cancel)

    def on_timeout(self, run: Run) -> None:
        self.again(run, self.cancel)


SCORES = frozenset("12345")


class SurveyStep(AskingStep):
    """Score 1–5 (phase 0), then a reason digit for low scores (phase 1).

    No score after the retries: the survey is skipped. No reason: the score still counts.
    """

    __slots__ = ("next", "reason_at_or_below", "reason_prompt", "reasons")
    kind_name = "survey"

    def __init__(
        self,
        name: str,
        intent: str | None,
        ask: Ask,
        *,
        reason_prompt: Prompt | None,
        reasons: Mapping[str, str],
        reason_at_or_below: int,
        next: str,
    ) -> None:
        super().__init__(name, intent, (next,), ask)
        self.reason_prompt = reason_prompt
        self.reasons = dict(reasons)
        self.reason_at_or_below = reason_at_or_below
        self.next = next

    def on_digits(self, run: Run, digits: str) -> None:
        if run.phase == 0:
            if digits not in SCORES:
                self.again(run, self.next)
            elif self.reason_prompt is not None and int(digits) <= self.reason_at_or_below:
                run.set("survey_score", digits)
                run.phase, run.tries = 1, 0
                run.ask(self.reason_prompt, self.collect)
            else:
                self.answered(run, digits, "")
            return
        reason = self.reasons.get(digits) if self.reasons else digits
        if reason is not None and DIGITS.issuperset(digits) and len(digits) == 1:
            self.answered(run, run.get("survey_score"), reason)
        elif run.retry(self.retries) and self.reason_prompt is not None:
            run.ask(self.reason_prompt, self.collect, self.retry_prompt)
        else:
            self.answered(run, run.get("survey_score"), "")

    def on_timeout(self, run: Run) -> None:
        if run.phase == 0:
            self.again(run, self.next)
        else:
            self.answered(run, run.get("survey_score"), "")

    def answered(self, run: Run, score: str, reason: str) -> None:
        run.out.append(SurveyAnswered(node=self.name, score=int(score), reason=reason))
        run.go(self.next)
