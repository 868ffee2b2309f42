"""Compiled nodes that talk to the bank: authenticate (number + PIN) and banking actions.

The PIN goes only into `BankRequest.secret`; it is never kept in the call's variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hotline.ivr.actions import (
    AuthenticationFailed,
    AuthenticationSucceeded,
    BankRequest,
    Collect,
    LockedOut,
)
from hotline.ivr.inputs import BankReplied
from hotline.ivr.operations import VERIFY_OUTPUTS, VERIFY_PIN
from hotline.ivr.prompts import Prompt
from hotline.ivr.runtime import Run, Step
from hotline.ivr.secret import Secret
from hotline.ivr.state import Wait
from hotline.ivr.steps_dialogue import DIGITS

ENTER_ID, ENTER_PIN, VERIFYING = 0, 1, 2


class AuthenticateStep(Step):
    """Card or account number, then the telephone PIN, checked by the bank.

    Already authenticated: straight on to ``next``. A refused PIN is asked again until
    ``attempts`` refusals, then ``locked`` (so is a PIN the bank reports locked). Junk keys
    and silence are retried ``retries`` times per entry, then ``failed``; so are other bank
    failures (``card_frozen``, ``unknown_card``), kept in the ``auth_error`` variable.
    """

    __slots__ = (
        "attempts", "failed", "id_collect", "id_prompt", "locked", "method", "next",
        "pin_collect", "pin_prompt", "retries", "retry_prompt", "wrong_pin_prompt",
    )  # fmt: skip
    kind_name = "authenticate"
    waits_for_caller = True

    def __init__(
        self,
        name: str,
        intent: str | None,
        *,
        method: str,
        id_prompt: Prompt,
        id_collect: Collect,
        pin_prompt: Prompt,
        pin_collect: Collect,
        wrong_pin_prompt: Prompt | None,
        retry_prompt: Prompt | None,
        attempts: int,
        retries: int,
        next: str,
        locked: str,
        failed: str,
    ) -> None:
        super().__init__(name, intent, (next, locked, failed))
        self.method = method
        self.id_prompt, self.id_collect = id_prompt, id_collect
        self.pin_prompt, self.pin_collect = pin_prompt, pin_collect
        self.wrong_pin_prompt = wrong_pin_prompt
        self.retry_prompt = retry_prompt
        self.attempts = attempts
        self.retries = retries
        self.next, self.locked, self.failed = next, locked, failed

    def enter(self, run: Run) -> None:
        if run.authenticated:
            run.go(self.next)
        else:
            run.ask(self.id_prompt, self.id_collect)

    def on_digits(self, run: Run, digits: str) -> None:
        collect = self.id_collect if run.phase == ENTER_ID else self.pin_collect
        if digits.endswith("#"):
            digits = digits[:-1]
        if not (collect.min_digits <= len(digits) <= collect.max_digits) or not DIGITS.issuperset(
            digits
        ):
            self.again(run)
        elif run.phase == ENTER_ID:
            run.set(self.method, digits)
            run.phase, run.tries = ENTER_PIN, 0
            run.ask(self.pin_prompt, self.pin_collect)
        else:
            run.phase = VERIFYING
            arguments = MappingProxyType({self.method: run.get(self.method)})
            run.out.append(
                BankRequest(operation=VERIFY_PIN, arguments=arguments, secret=Secret(digits))
            )
            run.wait = Wait.BANK

    def on_timeout(self, run: Run) -> None:
        self.again(run)

    def again(self, run: Run) -> None:
        if not run.retry(self.retries):
            run.set("auth_error", "no_input")
            run.go(self.failed)
        elif run.phase == ENTER_ID:
            run.ask(self.id_prompt, self.id_collect, self.retry_prompt)
        else:
            run.ask(self.pin_prompt, self.pin_collect, self.retry_prompt)

    def on_bank(self, run: Run, reply: BankReplied) -> None:
        attempt = run.attempts + 1
        if reply.ok:
            for name in VERIFY_OUTPUTS:
                value = reply.data.get(name)
                if value:
                    run.set(name, value)
            run.authenticated = True
            run.set("authenticated", "true")
            run.out.append(AuthenticationSucceeded(node=self.name, attempt=attempt))
            run.go(self.next)
            return
        code = reply.code or "unavailable"
        run.out.append(AuthenticationFailed(node=self.name, attempt=attempt, code=code))
        if code == "wrong_pin" and attempt < self.attempts:
            run.attempts = attempt
            run.phase, run.tries = ENTER_PIN, 0
            run.ask(self.pin_prompt, self.pin_collect, self.wrong_pin_prompt)
        elif code in ("wrong_pin", "locked"):
            run.attempts = attempt
            run.set("auth_error", "locked")
            run.out.append(LockedOut(node=self.name))
            run.go(self.locked)
        else:
            run.set("auth_error", code)
            run.go(self.failed)


Argument = tuple[str, str, bool]  # name, literal text or variable name, is a variable


class BankStep(Step):
    """One banking function for the authenticated caller.

    Success: the operation's results become variables, ``result_prompt`` is said, then
    ``item_prompt`` once per item, then ``next``. Failure: ``bank_error`` holds the code
    and the call goes to ``on_error[code]`` or ``error``.
    """

    __slots__ = (
        "arguments", "error", "item_prompt", "next", "on_error", "operation", "outputs",
        "result_prompt",
    )  # fmt: skip
    kind_name = "bank"

    def __init__(
        self,
        name: str,
        intent: str | None,
        *,
        operation: str,
        arguments: tuple[Argument, ...],
        outputs: tuple[str, ...],
        result_prompt: Prompt | None,
        item_prompt: Prompt | None,
        next: str,
        error: str,
        on_error: Mapping[str, str],
    ) -> None:
        super().__init__(name, intent, (next, error, *on_error.values()))
        self.operation = operation
        self.arguments = arguments
        self.outputs = outputs
        self.result_prompt = result_prompt
        self.item_prompt = item_prompt
        self.next = next
        self.error = error
        self.on_error = dict(on_error)

    def enter(self, run: Run) -> None:
        if not run.authenticated:  # the checks forbid this path; a guard costs nothing
            run.set("bank_error", "not_authenticated")
            run.go(self.error)
            return
        arguments = {"customer_id": run.get("customer_id")}
        for name, value, is_variable in self.arguments:
            arguments[name] = run.get(value) if is_variable else value
        run.out.append(BankRequest(operation=self.operation, arguments=MappingProxyType(arguments)))
        run.wait = Wait.BANK

    def on_bank(self, run: Run, reply: BankReplied) -> None:
        if not reply.ok:
            code = reply.code or "unavailable"
            run.set("bank_error", code)
            run.go(self.on_error.get(code, self.error))
            return
        for name in self.outputs:
            value = reply.data.get(name)
            if value is not None:
                run.set(name, value)
        run.say(self.result_prompt)
        if self.item_prompt is not None:
            for item in reply.items:
                run.say(self.item_prompt, item)
        run.go(self.next)
