"""Traffic models: arrivals per interval (non-homogeneous Poisson), contact attributes, routing.

Arrivals are Poisson with a rate that is constant within each interval; a gap that crosses an
interval boundary is redrawn from the boundary with the next rate, which is exact by
memorylessness.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from hotline.sim.distributions import sampler
from hotline.sim.sampling import Sampler
from hotline.sim.scenario import Scenario, Traffic

Route = tuple[str, int]  # workflow, priority


class TrafficModel:
    """One traffic stream of a scenario, ready to draw from an injected ``random.Random``."""

    def __init__(self, traffic: Traffic, scenario: Scenario, origin: datetime,
                 rng: random.Random) -> None:
        self.spec = traffic
        self.rng = rng
        self.channel = traffic.channel
        self.interval_s = scenario.interval_minutes * 60.0
        self.origin = origin.timestamp()
        self.rates = self._rates(traffic, scenario, origin)
        ivr = traffic.ivr
        self.to_agent = ivr.to_agent if ivr is not None else 1.0
        self.ivr_time = sampler(ivr.duration, rng) if ivr is not None else (lambda: 0.0)
        self.patience = sampler(traffic.patience, rng)
        self.handle_default = sampler(traffic.handle_time, rng)
        self.handle_by_intent = {k: sampler(d, rng)
                                 for k, d in traffic.handle_time_by_intent.items()}
        self.wrap_up: Sampler | None = sampler(traffic.wrap_up, rng) if traffic.wrap_up else None
        self.mixes = [(name, list(mix), list(itertools.accumulate(mix.values())))
                      for name, mix in traffic.attributes.items()]
        self.region_of = {p: r for r, provinces in traffic.regions.items() for p in provinces}
        self._routes: dict[tuple[tuple[str, str], ...], Route] = {}

    def _rates(self, t: Traffic, scenario: Scenario, origin: datetime) -> list[float]:
        """Arrival rate (per second) of every interval of the run."""
        n = int(scenario.days * 86400 // self.interval_s) + 1
        a = t.arrivals
        if a.rate_per_s is not None:
            return [a.rate_per_s] * n
        assert a.profile is not None and a.daily is not None
        total = sum(a.profile)
        shares = [s / total for s in a.profile]
        per_day = len(shares)
        rates = []
        for i in range(n):
            day = (origin + timedelta(days=i // per_day)).weekday()
            calls = a.daily * a.weekday[day] * shares[i % per_day]
            rates.append(calls / self.interval_s)
        return rates

    def next_arrival(self, now: float) -> float | None:
        """Time of the first arrival after ``now``, or None past the end of the run."""
        size = self.interval_s
        rates = self.rates
        rand = self.rng.random
        while True:
            index = int((now - self.origin) // size)
            if index >= len(rates):
                return None
            rate = rates[index]
            boundary = self.origin + (index + 1) * size
            if rate > 0:
                # -log(1 - U)/rate: random.expovariate's formula, without its call.
                t = now - math.log(1.0 - rand()) / rate
                if t < boundary:
                    return t
            now = boundary

    def attributes(self) -> dict[str, str]:
        rng_random = self.rng.random
        out: dict[str, str] = {}
        for name, values, cum in self.mixes:
            out[name] = values[bisect.bisect_right(cum, rng_random() * cum[-1])]
        province = out.get("province")
        if province is not None and self.region_of:
            out["region"] = self.region_of.get(province, "other")
        return out

    def route(self, attributes: dict[str, str]) -> Route:
        key = tuple(sorted(attributes.items()))
        route = self._routes.get(key)
        if route is None:
            for rule in self.spec.routing:
                if all(attributes.get(k) == v for k, v in rule.when.items()):
                    route = (rule.workflow, rule.priority)
                    break
            assert route is not None  # the last rule is a catch-all (checked on load)
            self._routes[key] = route
        return route

    def handle_sampler(self, attributes: dict[str, str]) -> Callable[[], float]:
        return self.handle_by_intent.get(attributes.get("intent", ""), self.handle_default)
