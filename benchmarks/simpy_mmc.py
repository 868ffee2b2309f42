"""The M/M/c+M model written idiomatically in SimPy: the peer of the twin's speed benchmark.

Callers arrive (Poisson), wait for one of c agents (a SimPy Resource) at most their patience
(exponential), and are served for an exponential time. Statistics are collected as they go.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import simpy


@dataclass
class MmcStats:
    callers: int = 0
    counted: int = 0
    answered: int = 0
    abandoned: int = 0
    waited: int = 0
    wait_s: float = 0.0
    answered_wait_s: float = 0.0


def run_simpy_mmc(*, rate: float, service: float, patience: float, agents: int,
                  callers: int, warmup: int, seed: int) -> MmcStats:
    rng = random.Random(seed)
    env = simpy.Environment()
    pool = simpy.Resource(env, capacity=agents)
    stats = MmcStats()

    def caller(index: int):  # type: ignore[no-untyped-def]
        arrived = env.now
        counted = index >= warmup
        with pool.request() as req:
            outcome = yield req | env.timeout(rng.expovariate(1.0 / patience))
            waited = env.now - arrived
            if counted:
                stats.counted += 1
                stats.wait_s += waited
                if waited > 0:
                    stats.waited += 1
            if req in outcome:
                if counted:
                    stats.answered += 1
                    stats.answered_wait_s += waited
                yield env.timeout(rng.expovariate(1.0 / service))
            elif counted:
                stats.abandoned += 1

    def source():  # type: ignore[no-untyped-def]
        for index in range(callers):
            yield env.timeout(rng.expovariate(rate))
            stats.callers += 1
            env.process(caller(index))

    env.process(source())
    env.run()
    return stats
