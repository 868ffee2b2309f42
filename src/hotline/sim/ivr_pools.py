"""Pools of walks: a month has about 7 M IVR calls and a walk costs a few hundred microseconds,
so the twin does not walk every call.

`build_pools` draws ``pool`` walks of the main flow (``vip_pool`` of the VIP flow) once, before
the run, from a ``random.Random`` seeded with the twin's seed, and each arrival picks one of
them with the twin's own rng (`WalkPools.draw`). The pool freezes its sampling noise into the
run: containment is the pool's, within about ±0.2 points of the probabilities' at 20,000 walks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hotline.ivr.actions import Event
from hotline.ivr.flow import Flow
from hotline.ivr.metrics import IvrReport, IvrTally
from hotline.sim.ivr_section import IvrSettings, check_ivr
from hotline.sim.ivr_walk import Caller, Walk


class Pool:
    """``size`` walks of one flow and their distinct event sequences (paths), those of the
    walks' long-wait branches included."""

    def __init__(self, caller: Caller, size: int) -> None:
        self.flow = caller.flow.name
        paths: dict[tuple[Event, ...], int] = {}
        # Walks that end on the same turn share its events: look them up by identity first
        # (hashing a tuple of events costs more than the walk).
        known: dict[int, int] = {}
        walks: list[Walk] = []

        def path_of(w: Walk) -> int:
            path = known.get(id(w.events))
            if path is None:
                path = known[id(w.events)] = paths.setdefault(w.events, len(paths))
            return path

        for _ in range(size):
            w = caller.walk()
            long = replace(w.long, path=path_of(w.long)) if w.long is not None else None
            walks.append(replace(w, path=path_of(w), long=long))
        self.walks = walks
        self.paths = list(paths)

    def report(self, hits: list[int] | None = None,
               moved: list[int] | None = None) -> IvrReport:
        """The IVR report over the pool's walks, each once or drawn ``hits[i]`` times, with
        ``moved[path]`` more (or fewer) calls on each path (long waits heard: `WalkPools`)."""
        weights = list(moved) if moved is not None else [0] * len(self.paths)
        for i, walk in enumerate(self.walks):
            weights[walk.path] += hits[i] if hits is not None else 1
        return weighted_report(self.paths, weights)


def weighted_report(paths: list[tuple[Event, ...]], weights: list[int]) -> IvrReport:
    """`IvrTally`'s report as if each path's events were added ``weight`` times."""
    total = IvrTally()
    for events, n in zip(paths, weights, strict=True):
        if n == 0:
            continue
        one = IvrTally()
        one.add_call(events)
        total.entered += one.entered * n
        for mine, theirs in ((total.outcomes, one.outcomes), (total.reached, one.reached),
                             (total.dropped, one.dropped)):
            for key, count in theirs.items():
                mine[key] += count * n
        for score, count in one.scores.items():
            total.scores[score] += count * n
        total.auth_calls += one.auth_calls * n
        total.auth_succeeded += one.auth_succeeded * n
        total.wrong_pins += one.wrong_pins * n
        total.lockouts += one.lockouts * n
    return total.report()


def build_pools(settings: IvrSettings, *, seed: int,
                source: str = "scenario") -> tuple[Pool, Pool | None]:
    """The main flow's pool and the VIP flow's (None without VIP callers).

    Each pool draws from its own ``random.Random`` seeded by the seed and the flow's name, so
    the same seed gives the same walks, and resizing one pool leaves the other as it was.
    """
    flows = list(check_ivr(settings, source).values())

    def pool(flow: Flow, size: int, segment: str) -> Pool:
        rng = random.Random(f"ivr-walks/{seed}/{flow.name}")
        fork_rng = random.Random(f"ivr-walks/{seed}/{flow.name}/long-waits")
        return Pool(Caller(flow, settings, rng, segment=segment, fork_rng=fork_rng), size)

    main = pool(flows[0], settings.pool, settings.segment)
    vip = pool(flows[1], settings.vip_pool, "vip") \
        if len(flows) > 1 and settings.vip_share > 0 else None
    return main, vip


_CACHE: dict[str, tuple[Pool, Pool | None]] = {}
_CACHE_SIZE = 4


def cached_pools(settings: IvrSettings, *, seed: int,
                 source: str = "scenario") -> tuple[Pool, Pool | None]:
    """`build_pools`, kept for the next run of the same settings and seed in this process
    (the planning loop runs the same scenario round after round). Walks are immutable."""
    key = f"{seed}|{settings.model_dump_json()}"
    found = _CACHE.get(key)
    if found is None:
        found = build_pools(settings, seed=seed, source=source)
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = found
    return found


class WalkPools:
    """One run's draws from the pools.

    ``draw(u)`` maps one uniform draw of the twin's rng to a walk: below ``vip_share`` a VIP
    walk, else a main one; it counts the draws per walk for `reports`. It is a closure over
    locals: it runs once per arrival, millions of times a month. `heard_long` moves a drawn
    walk's call to its long-wait branch.
    """

    def __init__(self, main: Pool, vip: Pool | None, vip_share: float) -> None:
        self.main = main
        self.vip = vip
        self.vip_share = vip_share if vip is not None else 0.0
        self.main_hits = [0] * len(main.walks)
        self.vip_hits = [0] * (len(vip.walks) if vip is not None else 0)
        # Calls moved between paths of each pool by long waits, by path.
        self.main_moved = [0] * len(main.paths)
        self.vip_moved = [0] * (len(vip.paths) if vip is not None else 0)
        self.draw: Callable[[float], Walk] = self._drawer()

    @classmethod
    def for_run(cls, settings: IvrSettings, *, seed: int, source: str = "scenario",
                cache: bool = True) -> WalkPools:
        make = cached_pools if cache else build_pools
        main, vip = make(settings, seed=seed, source=source)
        return cls(main, vip, settings.vip_share)

    def _drawer(self) -> Callable[[float], Walk]:
        share = self.vip_share
        main_walks, main_hits = self.main.walks, self.main_hits
        vip_walks = self.vip.walks if self.vip is not None else []
        vip_hits = self.vip_hits
        # u < 1, so an index reaches the length only by rounding: clamp it to the last walk.
        main_scale, main_last = len(main_walks) / (1.0 - share), len(main_walks) - 1
        vip_scale = len(vip_walks) / share if share > 0 else 0.0
        vip_last = len(vip_walks) - 1

        def draw(u: float) -> Walk:
            if u < share:
                i = int(u * vip_scale)
                if i > vip_last:
                    i = vip_last
                vip_hits[i] += 1
                return vip_walks[i]
            i = int((u - share) * main_scale)
            if i > main_last:
                i = main_last
            main_hits[i] += 1
            return main_walks[i]

        return draw

    def heard_long(self, walk: Walk) -> Walk:
        """The long-wait branch of a drawn ``walk``, counted instead of the walk."""
        long = walk.long
        if long is None:
            raise ValueError(f"walk of flow {walk.flow} never asks the wait: no long branch")
        moved = self.main_moved if walk.flow == self.main.flow else self.vip_moved
        moved[walk.path] -= 1
        moved[long.path] += 1
        return long

    def reports(self) -> dict[str, IvrReport]:
        """The IVR report per flow over the walks drawn so far."""
        out = {self.main.flow: self.main.report(self.main_hits, self.main_moved)}
        if self.vip is not None:
            out[self.vip.flow] = self.vip.report(self.vip_hits, self.vip_moved)
        return out


def summary(report: IvrReport, *, top: int | None = None) -> dict[str, Any]:
    """A JSON-ready digest of an IVR report: outcomes, containment, the funnel (``top`` nodes)."""
    return {
        "entered": report.entered,
        "outcomes": dict(report.outcomes),
        "containment": report.containment,
        "served_containment": report.served_containment,
        "auth_success_rate": report.auth_success_rate,
        "lockouts": report.lockouts,
        "survey_answers": report.survey_answers,
        "csat": report.csat,
        "funnel": [{"node": s.node, "entered": s.entered, "dropped": s.dropped}
                   for s in report.funnel[:top]],
    }
