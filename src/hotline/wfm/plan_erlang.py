"""Erlang's view of a plan: service level at a (fractional) head count, and its inverse.

The closed planning loop compares what Erlang predicts for the agents actually on the phones
with what the twin measured, and turns a miss into extra requirement: if the twin gave the
service level that Erlang would give with ``n'`` agents while ``c`` were on the phones, the
engine "lost" ``c − n'`` agents to what Erlang leaves out (multi-skill pools, overflow,
priorities, breaks), and the next round asks for that many more.

>>> import numpy as np
>>> q = ErlangQueue(aht_s=180.0, interval_s=1800.0, patience_s=None, threshold_s=20.0)
>>> sl = service_level_at(q, np.array([100.0]), np.array([14.0]))
>>> round(float(sl[0]), 6)
0.88835
>>> round(float(agents_for_service_level(q, np.array([100.0]), sl)[0]), 3)
14.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hotline.wfm.erlang import offered_load, queue_kpis_unchecked
from hotline.wfm.errors import QueueInputError
from hotline.wfm.service_level import DEFAULT_DEFINITION, ServiceLevelDefinition

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, kw_only=True, slots=True)
class ErlangQueue:
    """What Erlang needs of a queue besides calls and agents (Erlang A with a patience)."""

    aht_s: float
    interval_s: float
    patience_s: float | None
    threshold_s: float = 20.0
    short_abandon_s: float = 5.0
    definition: ServiceLevelDefinition = DEFAULT_DEFINITION

    def __post_init__(self) -> None:
        for name, value in (("aht_s", self.aht_s), ("interval_s", self.interval_s)):
            if not value > 0:
                raise QueueInputError(name, f"must be more than 0 (got {value})")
        if self.patience_s is not None and not self.patience_s > 0:
            raise QueueInputError("patience_s", f"must be more than 0 (got {self.patience_s})")

    def grid(self, calls: FloatArray, agents: FloatArray) -> FloatArray:
        """Service level for whole ``agents`` (any shape broadcasting with ``calls``)."""
        load = offered_load(calls, aht_s=self.aht_s, interval_s=self.interval_s)
        load_b, agents_b = np.broadcast_arrays(load, agents.astype(np.float64))
        k = queue_kpis_unchecked(
            np.ascontiguousarray(agents_b), np.ascontiguousarray(load_b),
            aht_s=np.full(load_b.shape, self.aht_s),
            patience_s=None if self.patience_s is None else np.full(load_b.shape,
                                                                       self.patience_s),
            threshold_s=self.threshold_s, short_abandon_s=self.short_abandon_s,
            definition=self.definition, with_asa=False,
        )
        return np.nan_to_num(np.asarray(k.service_level, dtype=np.float64), nan=0.0)


def service_level_at(q: ErlangQueue, calls: FloatArray, agents: FloatArray) -> FloatArray:
    """Predicted service level per interval with a fractional number of agents on the phones,
    interpolated linearly between the whole counts around it; 1 where there are no calls."""
    a = np.maximum(np.asarray(agents, dtype=np.float64), 0.0)
    c = np.asarray(calls, dtype=np.float64)
    low = np.floor(a)
    below = q.grid(c, low)
    above = q.grid(c, low + 1.0)
    return np.asarray(below + (a - low) * (above - below), dtype=np.float64)


def agents_for_service_level(
    q: ErlangQueue, calls: FloatArray, service_level: FloatArray
) -> FloatArray:
    """Fractional agents at which Erlang gives ``service_level`` in each interval.

    The inverse of `service_level_at`: 0 where there are no calls or the level is reached
    with nobody, and at most ``load + 10·√load + 20`` agents where it is out of reach.
    """
    c = np.asarray(calls, dtype=np.float64)
    goal = np.asarray(service_level, dtype=np.float64)
    load = offered_load(c, aht_s=q.aht_s, interval_s=q.interval_s)
    top = int(np.ceil(np.max(load + 10.0 * np.sqrt(load) + 20.0, initial=20.0)))
    ks = np.arange(top + 1, dtype=np.float64)
    table = q.grid(c[:, None], ks[None, :])  # [interval, agents]
    out = np.full(c.shape, float(top))
    for i in range(c.size):
        if c[i] <= 0:
            out[i] = 0.0
            continue
        hit = np.flatnonzero(table[i] >= goal[i])
        if hit.size == 0:
            continue
        k = int(hit[0])
        if k == 0:
            out[i] = 0.0
            continue
        lo, hi = table[i, k - 1], table[i, k]
        out[i] = k - 1 + (goal[i] - lo) / (hi - lo) if hi > lo else float(k)
    return out


def significant_misses(
    service_level: FloatArray, offered: FloatArray, *, target: float,
    expected: FloatArray | None = None, z: float = 2.0, min_offered: int = 10,
) -> BoolArray:
    """Intervals whose measured service level is below ``target`` by more than ``z`` binomial
    standard errors (a miss within the noise of a few dozen calls is no reason to hire).

    With ``expected`` (Erlang's level for the calls that actually came), a miss must also fall
    short of it: a burst of calls above the forecast is luck, not a flaw of the plan.
    """
    n = np.asarray(offered, dtype=np.float64)
    sl = np.asarray(service_level, dtype=np.float64)
    noise = z * np.sqrt(target * (1.0 - target) / np.maximum(n, 1.0))
    missed = (n >= min_offered) & np.isfinite(sl) & (sl < target - noise)
    if expected is not None:
        missed &= sl < np.asarray(expected, dtype=np.float64) - noise
    return np.asarray(missed)


def next_extra(
    q: ErlangQueue,
    *,
    previous: FloatArray,
    calls: FloatArray,
    on_phones: FloatArray,
    measured: FloatArray,
    missed: BoolArray,
    min_step: float = 0.5,
) -> FloatArray:
    """Extra agents per interval for the next round.

    Where the twin missed, the extra becomes the agents the engine lost (agents on the phones
    less those at which Erlang gives the measured level), and at least ``min_step`` more than
    before; elsewhere it stays. It never shrinks, so the loop cannot oscillate.
    """
    prev = np.asarray(previous, dtype=np.float64)
    equivalent = agents_for_service_level(q, calls, np.nan_to_num(measured, nan=1.0))
    lost = np.clip(np.asarray(on_phones) - equivalent, 0.0, None)
    lost = np.minimum(lost, 0.5 * np.asarray(on_phones) + 2.0)
    grown = np.maximum(lost, prev + min_step)
    return np.where(missed, grown, prev)
