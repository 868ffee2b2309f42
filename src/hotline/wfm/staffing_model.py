"""One queue's per-interval inputs, and which staffing targets a count of agents misses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotline.wfm.erlang import QueueKpis, queue_kpis_unchecked
from hotline.wfm.staffing_targets import StaffingTargets

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueModel:
    """Per-interval inputs of one queue: load (Erlangs), AHT and optional mean patience."""

    load: FloatArray
    aht_s: FloatArray
    patience_s: FloatArray | None

    def rows(self, index: IntArray) -> QueueModel:
        """The same queue restricted to some intervals."""
        return QueueModel(
            load=self.load[index],
            aht_s=self.aht_s[index],
            patience_s=None if self.patience_s is None else self.patience_s[index],
        )

    def kpis(self, agents: ArrayLike, targets: StaffingTargets, *, with_asa: bool) -> QueueKpis:
        """KPIs of this queue with ``agents`` per interval."""
        return queue_kpis_unchecked(
            np.asarray(agents, dtype=np.float64), self.load, aht_s=self.aht_s,
            patience_s=self.patience_s,
            threshold_s=targets.threshold_s, short_abandon_s=targets.short_abandon_s,
            definition=targets.definition, with_asa=with_asa,
        )


def target_failures(
    model: QueueModel, agents: IntArray, targets: StaffingTargets
) -> dict[str, NDArray[np.bool_]]:
    """Per target, the intervals where ``agents`` fall short of it."""
    k = model.kpis(agents, targets, with_asa=targets.max_asa_s is not None)
    fails: dict[str, NDArray[np.bool_]] = {}
    if targets.service_level is not None:
        fails["service level"] = ~(k.service_level >= targets.service_level)
    if targets.max_asa_s is not None:
        fails["ASA"] = ~(k.asa_s <= targets.max_asa_s)
    if targets.max_abandon is not None:
        fails["abandon"] = ~(k.p_abandon <= targets.max_abandon)
    if targets.max_occupancy is not None:
        fails["occupancy"] = ~(k.occupancy <= targets.max_occupancy)
    if model.patience_s is None:  # a queue that never empties is no staffing at all
        fails["stability"] = (agents <= model.load) & (model.load > 0)
    return fails
