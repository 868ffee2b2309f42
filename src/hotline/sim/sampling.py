"""Drawing random durations fast: one small callable per distribution, over an injected
``random.Random`` (compiled with the twin; no pydantic here).

The exponential draw is ``-log(1 - U) x mean``, the same formula as ``random.expovariate``,
without its Python-level call.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

Sampler = Callable[[], float]


class Exponential:
    def __init__(self, mean: float, rng: random.Random) -> None:
        self.mean = mean
        self.random = rng.random

    def __call__(self) -> float:
        return -math.log(1.0 - self.random()) * self.mean


class LogNormal:
    def __init__(self, mean: float, sd: float, rng: random.Random) -> None:
        sigma2 = math.log(1.0 + (sd / mean) ** 2)
        self.mu = math.log(mean) - sigma2 / 2
        self.sigma = math.sqrt(sigma2)
        self.gauss = rng.gauss

    def __call__(self) -> float:
        return math.exp(self.gauss(self.mu, self.sigma))


class Gamma:
    def __init__(self, mean: float, sd: float, rng: random.Random) -> None:
        self.shape = (mean / sd) ** 2
        self.scale = sd * sd / mean
        self.gamma = rng.gammavariate

    def __call__(self) -> float:
        return self.gamma(self.shape, self.scale)


class Constant:
    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self) -> float:
        return self.value


class Uniform:
    def __init__(self, low: float, high: float, rng: random.Random) -> None:
        self.low = low
        self.span = high - low
        self.random = rng.random

    def __call__(self) -> float:
        return self.low + self.span * self.random()


def make_sampler(kind: str, *, mean: float, sd: float, low: float, high: float,
                 rng: random.Random) -> Sampler:
    if kind == "exponential":
        return Exponential(mean, rng)
    if kind == "lognormal":
        return LogNormal(mean, sd, rng)
    if kind == "gamma":
        return Gamma(mean, sd, rng)
    if kind == "constant":
        return Constant(mean)
    if kind == "uniform":
        return Uniform(low, high, rng)
    return Constant(math.inf)
