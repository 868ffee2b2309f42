"""Service level definitions (design §5): answered within T s over a chosen denominator.

The design's default counts calls answered within T over offered calls less those abandoned
within the short-abandon threshold; two variants divide by all offered or by answered calls.
Without abandonment (Erlang C) all three equal the classical ``P(W ≤ T)``.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class ServiceLevelDefinition(StrEnum):
    """What the answered-within-T count is divided by."""

    OFFERED = "offered"
    ANSWERED = "answered"
    OFFERED_LESS_SHORT_ABANDONS = "offered-less-short-abandons"


DEFAULT_DEFINITION = ServiceLevelDefinition.OFFERED_LESS_SHORT_ABANDONS


def service_level(
    definition: ServiceLevelDefinition,
    *,
    p_answered_within: FloatArray,
    p_answered: FloatArray,
    p_short_abandon: FloatArray,
) -> FloatArray:
    """Service level from per-offered-call probabilities; 0 where the denominator is empty.

    >>> float(service_level(ServiceLevelDefinition.ANSWERED, p_answered_within=np.array(0.5),
    ...       p_answered=np.array(0.8), p_short_abandon=np.array(0.1)))
    0.625
    """
    if definition is ServiceLevelDefinition.OFFERED:
        return np.asarray(p_answered_within, dtype=np.float64)
    if definition is ServiceLevelDefinition.ANSWERED:
        denominator = np.asarray(p_answered, dtype=np.float64)
    else:
        denominator = 1.0 - np.asarray(p_short_abandon, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denominator > 0, p_answered_within / denominator, 0.0)
    return np.clip(ratio, 0.0, 1.0)
