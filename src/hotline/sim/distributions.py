"""Random durations for the twin: handle times, patience, IVR time, wrap-up.

A distribution is given by name and its mean (and spread), always in seconds, and drawn from an
injected ``random.Random`` so that a seed makes a run repeatable.

>>> import random
>>> draw = sampler(Distribution(kind="exponential", mean=150.0), random.Random(1))
>>> round(draw(), 3)
21.644
"""

from __future__ import annotations

import math
import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotline.sim.sampling import Sampler, make_sampler


class Distribution(BaseModel):
    """``kind`` with ``mean`` seconds; ``sd`` for lognormal/gamma/normal, ``low``/``high`` for
    uniform, ``value`` for constant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["exponential", "lognormal", "gamma", "constant", "uniform", "never"]
    mean: float | None = Field(default=None, gt=0)
    sd: float | None = Field(default=None, gt=0)
    low: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        needs = {
            "exponential": ("mean",),
            "lognormal": ("mean", "sd"),
            "gamma": ("mean", "sd"),
            "constant": ("mean",),
            "uniform": ("low", "high"),
            "never": (),
        }[self.kind]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(missing)}")
        if self.kind == "uniform" and self.low is not None and self.high is not None \
                and self.low >= self.high:
            raise ValueError("low must be below high")
        return self

    def expected(self) -> float:
        if self.kind == "uniform":
            return ((self.low or 0.0) + (self.high or 0.0)) / 2
        if self.kind == "never":
            return math.inf
        return float(self.mean or 0.0)


def sampler(dist: Distribution, rng: random.Random) -> Sampler:
    """A function drawing one value of ``dist`` from ``rng``."""
    return make_sampler(dist.kind, mean=float(dist.mean or 1.0), sd=float(dist.sd or 1.0),
                        low=float(dist.low or 0.0), high=float(dist.high or 1.0), rng=rng)
