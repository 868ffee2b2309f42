"""One entry point for queue KPIs per interval: Erlang C without patience, Erlang A with it.

>>> k = queue_kpis(14, offered_load(100, aht_s=180, interval_s=1800), aht_s=180)
>>> round(float(k.service_level), 6), round(float(k.asa_s), 3)
(0.88835, 7.836)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang_a import erlang_a_unchecked
from hotline.wfm.erlang_c import erlang_c_unchecked
from hotline.wfm.erlang_inputs import non_negative, positive, whole
from hotline.wfm.service_level import DEFAULT_DEFINITION, ServiceLevelDefinition, service_level

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueKpis:
    """Predicted KPIs of a queue per interval (arrays of one shape).

    ``asa_s`` is the mean wait of answered calls (design §5); ``mean_wait_s`` that of all
    offered calls, abandoned ones included. Both are 0 without calls and inf when the agents
    can never catch up (Erlang C with agents ≤ load) or there are none.
    """

    p_wait: FloatArray
    service_level: FloatArray
    asa_s: FloatArray
    mean_wait_s: FloatArray
    p_abandon: FloatArray
    p_short_abandon: FloatArray
    occupancy: FloatArray

    def rows(self, index: NDArray[np.int64]) -> QueueKpis:
        """The same KPIs restricted to some intervals."""
        return QueueKpis(
            p_wait=self.p_wait[index],
            service_level=self.service_level[index],
            asa_s=self.asa_s[index],
            mean_wait_s=self.mean_wait_s[index],
            p_abandon=self.p_abandon[index],
            p_short_abandon=self.p_short_abandon[index],
            occupancy=self.occupancy[index],
        )


def offered_load(calls: ArrayLike, *, aht_s: ArrayLike, interval_s: float) -> FloatArray:
    """Erlangs offered per interval: calls × AHT ÷ interval length (all in seconds)."""
    c = non_negative("calls", calls)
    h = positive("aht_s", aht_s)
    length = float(positive("interval_s", interval_s))
    return np.asarray(c * h / length, dtype=np.float64)


def queue_kpis(
    agents: ArrayLike,
    load: ArrayLike,
    *,
    aht_s: ArrayLike,
    patience_s: ArrayLike | None = None,
    threshold_s: float = 20.0,
    short_abandon_s: float = 5.0,
    definition: ServiceLevelDefinition = DEFAULT_DEFINITION,
    with_asa: bool = True,
) -> QueueKpis:
    """KPIs for ``agents`` on ``load`` Erlangs; Erlang A when a mean patience is given."""
    return queue_kpis_unchecked(
        whole("agents", agents),
        non_negative("load", load),
        aht_s=positive("aht_s", aht_s),
        patience_s=None if patience_s is None else positive("patience_s", patience_s),
        threshold_s=float(non_negative("threshold_s", threshold_s)),
        short_abandon_s=float(non_negative("short_abandon_s", short_abandon_s)),
        definition=definition,
        with_asa=with_asa,
    )


def queue_kpis_unchecked(
    agents: FloatArray,
    load: FloatArray,
    *,
    aht_s: FloatArray,
    patience_s: FloatArray | None,
    threshold_s: float,
    short_abandon_s: float,
    definition: ServiceLevelDefinition,
    with_asa: bool,
) -> QueueKpis:
    """`queue_kpis` on inputs already checked (the staffing search calls this many times)."""
    if patience_s is None:
        c = erlang_c_unchecked(agents, load, aht_s, threshold_s)
        zero = np.zeros(c.p_wait.shape)
        return QueueKpis(
            p_wait=c.p_wait,
            service_level=c.service_level,
            asa_s=c.asa_s,
            mean_wait_s=c.asa_s,  # every call is answered
            p_abandon=zero,
            p_short_abandon=zero,
            occupancy=c.occupancy,
        )
    k = erlang_a_unchecked(
        agents, load, aht_s=aht_s, patience_s=patience_s, threshold_s=threshold_s,
        short_abandon_s=short_abandon_s, with_asa=with_asa,
    )
    return QueueKpis(
        p_wait=k.p_wait,
        service_level=service_level(
            definition,
            p_answered_within=k.p_answered_within,
            p_answered=k.p_answered,
            p_short_abandon=k.p_abandon_within,
        ),
        asa_s=k.asa_s,
        mean_wait_s=k.mean_wait_s,
        p_abandon=k.p_abandon,
        p_short_abandon=k.p_abandon_within,
        occupancy=k.occupancy,
    )
