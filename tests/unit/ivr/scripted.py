"""Scripted calls for IVR tests: a tiny bank replier and a caller driving `step`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.ivr import (
    AskEstimatedWait,
    BankReplied,
    BankRequest,
    CallerHungUp,
    CallStarted,
    CallState,
    DigitsEntered,
    EstimatedWait,
    Flow,
    Input,
    InputTimedOut,
    IvrEnded,
    Output,
    Play,
    new_call,
    step,
)

START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CARD = "6222020200001234567"
ACCOUNT = "1001000012345"
SAVINGS = "1001000067890"
PIN = "246810"
CREDIT_CARD = "5200000011112222"


@dataclass
class Bank:
    """A scripted bank: one customer with two own accounts and a credit card."""

    pin: str = PIN
    balances: dict[str, int] = field(default_factory=lambda: {ACCOUNT: 5000, SAVINGS: 200})
    limit: int = 50_000
    wrong: int = 0
    frozen: bool = False
    outstanding: int = 3000
    segment: str = "mass"
    requests: list[BankRequest] = field(default_factory=list)

    def reply(self, request: BankRequest) -> BankReplied:
        self.requests.append(request)
        args = request.arguments
        match request.operation:
            case "verify_pin":
                if args.get("card", CARD) != CARD and args.get("account", ACCOUNT) != ACCOUNT:
                    return BankReplied(ok=False, code="unknown_card")
                if self.wrong >= 3:
                    return BankReplied(ok=False, code="locked")
                assert request.secret is not None
                if request.secret.reveal() != self.pin:
                    self.wrong += 1
                    return BankReplied(ok=False, code="wrong_pin")
                self.wrong = 0
                data = {"customer_id": "C1", "segment": self.segment, "account": ACCOUNT}
                return BankReplied(ok=True, data={**data, "card": CARD})
            case "balance":
                return BankReplied(
                    ok=True,
                    data={"balance": str(self.balances[args["account"]]), "currency": "CNY"},
                )
            case "transactions":
                items = tuple(
                    {"date": f"3月{d}日", "amount": str(10 * d), "description": "POS"}
                    for d in range(1, int(args["count"]) + 1)
                )
                return BankReplied(ok=True, data={"count": str(len(items))}, items=items)
            case "transfer":
                amount = int(args["amount"])
                if args["to_account"] not in self.balances:
                    return BankReplied(ok=False, code="not_own_account")
                if amount > self.limit:
                    return BankReplied(ok=False, code="limit_exceeded")
                if amount > self.balances[args["from_account"]]:
                    return BankReplied(ok=False, code="insufficient_funds")
                self.balances[args["from_account"]] -= amount
                self.balances[args["to_account"]] += amount
                balance = str(self.balances[args["from_account"]])
                return BankReplied(ok=True, data={"reference": "T1", "balance": balance})
            case "freeze_card":
                if self.frozen:
                    return BankReplied(ok=False, code="card_frozen")
                self.frozen = True
                return BankReplied(ok=True, data={"reference": "F1"})
            case "repay_credit_card":
                amount = int(args["amount"])
                if amount > self.balances[args["from_account"]]:
                    return BankReplied(ok=False, code="insufficient_funds")
                self.balances[args["from_account"]] -= amount
                self.outstanding -= amount
                return BankReplied(
                    ok=True, data={"reference": "R1", "outstanding": str(self.outstanding)}
                )
        raise AssertionError(request.operation)


@dataclass
class Caller:
    """Drives one call through `step`; answers bank requests and wait estimates at once."""

    flow: Flow
    bank: Bank = field(default_factory=Bank)
    wait_s: float = 30.0
    clock: datetime = START
    state: CallState | None = None
    outputs: list[Output] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    states: list[CallState] = field(default_factory=list)

    def send(self, event: Input) -> list[Output]:
        state = self.state if self.state is not None else new_call(self.flow)
        self.clock += timedelta(seconds=3)
        self.inputs.append(event)
        state, out = step(self.flow, state, event, self.clock)
        self.state = state
        self.states.append(state)
        self.outputs.extend(out)
        produced = list(out)
        for action in out:
            if isinstance(action, BankRequest):
                produced += self.send(self.bank.reply(action))
            elif isinstance(action, AskEstimatedWait):
                produced += self.send(EstimatedWait(seconds=self.wait_s))
        return produced

    def call(self, dialled: str = "95588", number: str = "13800138000", **context: str) -> Caller:
        self.send(CallStarted(dialled_number=dialled, caller_number=number, context=context))
        return self

    def keys(self, *entries: str) -> Caller:
        for digits in entries:
            self.send(DigitsEntered(digits=digits))
        return self

    def silence(self, times: int = 1) -> Caller:
        for _ in range(times):
            self.send(InputTimedOut())
        return self

    def hang_up(self) -> Caller:
        self.send(CallerHungUp())
        return self

    @property
    def prompts(self) -> list[str]:
        return [out.prompt_id for out in self.outputs if isinstance(out, Play)]

    @property
    def said(self) -> list[str]:
        return [out.text for out in self.outputs if isinstance(out, Play)]

    def of(self, kind: type) -> list[Output]:
        return [out for out in self.outputs if isinstance(out, kind)]

    @property
    def ended(self) -> IvrEnded:
        (ended,) = self.of(IvrEnded)
        assert isinstance(ended, IvrEnded)
        return ended
