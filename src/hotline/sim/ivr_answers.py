"""What a walked call hears back: the caller's choices drawn from a `Mix`, and the flow's bank
requests answered by a `WalkBank` as the scenario's ``ivr`` section says.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from hotline.ivr.actions import BankRequest
from hotline.ivr.inputs import BankReplied
from hotline.ivr.operations import OPERATIONS, VERIFY_PIN
from hotline.sim.ivr_section import IvrSettings

_SAMPLE_DATA = {"balance": "12345.67", "currency": "CNY", "reference": "T0000001",
                "outstanding": "2345.00", "customer_id": "C000001", "account": "C000001-CUR",
                "card": "C000001-DC"}
_SAMPLE_ITEM = MappingProxyType({"date": "2007-06-01", "amount": "-200.00",
                                 "description": "ATM取款"})


@dataclass(frozen=True, slots=True)
class Mix:
    """Keys with probabilities, drawn with one ``rng.random()``."""

    keys: tuple[str, ...]
    cum: tuple[float, ...]

    @classmethod
    def of(cls, probabilities: Mapping[str, float]) -> Mix:
        keys = tuple(k for k, p in probabilities.items() if p > 0)
        return cls(keys, tuple(itertools.accumulate(probabilities[k] for k in keys)))

    def draw(self, rng: random.Random) -> str:
        if len(self.keys) == 1:
            return self.keys[0]
        i = bisect.bisect_right(self.cum, rng.random() * self.cum[-1])
        return self.keys[min(i, len(self.keys) - 1)]




class WalkBank:
    """Answers a flow's bank requests as the scenario says: PINs right with
    ``authenticate_ok``, other operations by their ``bank`` mix (default: all succeed)."""

    def __init__(self, settings: IvrSettings, segment: str) -> None:
        self.authenticate_ok = settings.authenticate_ok
        self.mixes = {op: Mix.of(mix) for op, mix in settings.bank.items()}
        self.verified = MappingProxyType({**{k: _SAMPLE_DATA[k] for k in
                                             ("customer_id", "account", "card")},
                                          "segment": segment})

    def answer(self, request: BankRequest, rng: random.Random) -> BankReplied:
        if request.operation == VERIFY_PIN:
            if rng.random() < self.authenticate_ok:
                return BankReplied(ok=True, data=self.verified)
            return BankReplied(ok=False, code="wrong_pin")
        mix = self.mixes.get(request.operation)
        code = mix.draw(rng) if mix is not None else "ok"
        if code != "ok":
            return BankReplied(ok=False, code=code)
        operation = OPERATIONS[request.operation]
        data = {name: _SAMPLE_DATA.get(name, "1") for name in operation.outputs}
        items: tuple[Mapping[str, str], ...] = ()
        if operation.item_fields:
            count = request.arguments.get("count", "")
            items = (_SAMPLE_ITEM,) * (int(count) if count.isdigit() else 5)
            data["count"] = str(len(items))
        return BankReplied(ok=True, data=MappingProxyType(data), items=items)

