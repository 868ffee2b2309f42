"""One entry point for queue KPIs per interval: Erlang C without patience, Erlang A with it.

>>> k = queue_kpis(14, offered_load(100, aht_s=180, interval_s=1800), aht_s=180)
>>> round(float(k.service_level), 6), round(float(k.asa_s), 3)
(0.88835, 7.836)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang_a import erlang_a
from hotline.wfm.erlang_c import erlang_c, erlang_c_asa, erlang_c_occupancy, erlang_c_service_level
from hotline.wfm.erlang_inputs import non_negative, positive
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
    if patience_s is None:
        n, a, h = np.broadcast_arrays(np.asarray(agents), np.asarray(load), np.asarray(aht_s))
        asa = erlang_c_asa(n, a, h)
        p_wait = erlang_c(n, a)
        zero = np.zeros(p_wait.shape)
        return QueueKpis(
            p_wait=p_wait,
            service_level=erlang_c_service_level(n, a, h, threshold_s),
            asa_s=asa,
            mean_wait_s=asa,  # every call is answered
            p_abandon=zero,
            p_short_abandon=zero,
            occupancy=erlang_c_occupancy(n, a),
        )
    k = erlang_a(
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
