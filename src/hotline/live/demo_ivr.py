"""The demo's simulated callers in the real IVR: keys chosen as the twin chooses them.

A `WalkingCaller` answers each ``Collect`` of its call as `hotline.sim.ivr_walk.Caller` would
in the twin (the scenario's ``ivr.choices`` per node, think times, silences, hang-ups), except
that the bank is the real one: at an authenticate node the caller keys a real customer's card
or account number, then the right PIN with probability ``ivr.authenticate_ok`` and a wrong one
otherwise, so the persisted bank checks it (and counts wrong PINs and lockouts). Callers are
drawn among customers the bank still lets in (``usable``): otherwise the stored bank would lock
or freeze them one by one until no simulated caller could get past the PIN. A customer drawn
whose card was reported lost first gets the replacement (``renew``: the bank issues it when
the customer next calls, not at the report) and keys the new card from then on.

>>> callers = WalkingCallers(settings, rng, credentials)              # doctest: +SKIP
>>> segment, answerer = callers.next_caller()                         # doctest: +SKIP
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from hotline.banking.demo import DemoCredential
from hotline.banking.model import Segment
from hotline.channels.ivr_session import CallRun
from hotline.channels.telephony import CallHungUp, CollectResult, CollectTimedOut, DigitsCollected
from hotline.ivr.actions import Collect
from hotline.ivr.flow import Flow
from hotline.ivr.inputs import DigitsEntered
from hotline.ivr.registry import FlowRegistry
from hotline.ivr.steps_bank import ENTER_ID, AuthenticateStep
from hotline.sim.ivr_section import ENTER, IvrSettings, check_ivr
from hotline.sim.ivr_walk import MAX_INPUTS, Caller, Turn


class WalkingCallers:
    """The scenario's callers of the IVR: who calls (a retail or VIP customer of the bank) and
    how they key, per flow."""

    def __init__(self, settings: IvrSettings, rng: random.Random,
                 credentials: Sequence[DemoCredential], *, source: str = "scenario",
                 usable: Callable[[DemoCredential], bool] = lambda credential: True,
                 renew: Callable[[DemoCredential], DemoCredential | None] = lambda c: None,
                 ) -> None:
        self.settings = settings
        self.usable = usable
        self.renew = renew
        self.rng = rng
        self.flows = check_ivr(settings, source)
        self.registry = FlowRegistry(tuple(self.flows.values()))
        main = next(iter(self.flows.values()))
        self.number = min(main.numbers) if main.numbers else ""
        self._walkers: dict[str, Caller] = {}
        self.vip = [c for c in credentials if c.segment == Segment.VIP]
        self.retail = [c for c in credentials if c.segment != Segment.VIP]

    def walker(self, flow: Flow) -> Caller:
        found = self._walkers.get(flow.name)
        if found is None:
            found = self._walkers[flow.name] = Caller(flow, self.settings, self.rng,
                                                      segment=self.settings.segment, memo=False)
        return found

    def next_caller(self) -> tuple[str, WalkingCaller]:
        """The segment the caller's number tells the switch, and the caller."""
        vip = bool(self.vip) and self.rng.random() < self.settings.vip_share
        pool = self.vip if vip else self.retail
        credential = None
        for _ in range(8 if pool else 0):  # a few draws, then whoever came last
            drawn = self.rng.randrange(len(pool))
            credential = pool[drawn]
            if self.usable(credential):
                break
            renewed = self.renew(credential)
            if renewed is not None:
                # Kept in the pool: the customer keys the new card on every later call too.
                credential = pool[drawn] = renewed
                if self.usable(credential):
                    break
        return ("vip" if vip else ""), WalkingCaller(self, credential)


class WalkingCaller:
    """One simulated caller (an `hotline.live.ivr_runner.Answerer`)."""

    def __init__(self, callers: WalkingCallers, credential: DemoCredential | None) -> None:
        self.callers = callers
        self.credential = credential
        self.inputs = 0

    @property
    def customer_id(self) -> str | None:
        return self.credential.customer_id if self.credential is not None else None

    def keys(self, run: CallRun, collect: Collect) -> tuple[CollectResult, float]:
        walker = self.callers.walker(run.flow)
        turn = Turn(run.state, (collect,), walker.rates, ())
        self.inputs += 1
        choice = "hangup" if self.inputs > MAX_INPUTS else walker.choose(turn)
        call_id = run.call_id
        if choice == "hangup":
            return CallHungUp(call_id=call_id, by="caller"), walker.think()
        if choice == "timeout":
            return CollectTimedOut(call_id=call_id), collect.timeout_s
        node = run.flow.nodes[run.state.node]
        if choice == ENTER and isinstance(node, AuthenticateStep) and self.credential is not None:
            digits = self._credential(node, run.state.phase)
        else:
            entered = walker.keys(turn, choice)
            digits = entered.digits if isinstance(entered, DigitsEntered) else "#"
        return DigitsCollected(call_id=call_id, digits=digits), walker.think()

    def _credential(self, node: AuthenticateStep, phase: int) -> str:
        cred = self.credential
        assert cred is not None
        if phase == ENTER_ID:
            return cred.pan if node.method == "card" else cred.account_number
        rng = self.callers.rng
        if rng.random() < self.callers.settings.authenticate_ok:
            return cred.pin
        # Any other six digits: the bank refuses it as a wrong PIN.
        return f"{(int(cred.pin) + 1 + rng.randrange(999_998)) % 1_000_000:06d}"
