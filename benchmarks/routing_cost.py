"""Speed (c): the cost of one routing decision at 100, 1,000 and 10,000 agents, 200 queues.

Goal (issue 2): the 10,000-agent cost ≤ 2× the 100-agent cost, i.e. no decision scans agents.
The centre: 200 queues = 50 skills × 2 sites × 2 languages defined by expressions such as
``skills.s07 >= 1 and site == "bj" and "en" in languages``; each agent has a site, 4 random
skills and Chinese (in 1 of 5 cases English too), so it belongs to 4 or 8 queues; auto-accept,
one-step workflows, no wrap-up. Each decision is one ``Engine.handle`` call timed alone with
``perf_counter_ns`` (gc disabled; CPU from ``process_time_ns`` read just outside):
- offer: ``OfferContact`` while half the agents are idle (finds the queue's best agent); then
- release: the oldest connected contact ends with nobody waiting (the agent is re-indexed);
- pick: ``EndContact`` while all agents are busy and every queue holds 5 waiting contacts
  (the freed agent takes the best of them); a new contact then refills the served queue.
Sizes run interleaved in rounds (order rotated); each figure is the median over rounds, so a
load spike on the shared machine does not bias one size. See ``benchmarks/README.md``.

    .venv/bin/python benchmarks/routing_cost.py [--sizes 100 1000 10000] [--decisions 20000]
        [--rounds 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import hotline
from hotline.core import commands as cmd
from hotline.core import events as ev
from hotline.core.definitions import AgentProfile, Ordering, QueueSpec, Selection, Workflow
from hotline.core.definitions import WorkflowStep as Step
from hotline.core.engine import Engine

SKILLS, SITES, LANGUAGES = 50, ("bj", "sh"), ("zh", "en")
SKILLS_PER_AGENT, ENGLISH_SHARE, VIP_SHARE, GOAL = 4, 0.2, 0.05, 2.0
# A fifth of the queues pick the most proficient agent, a fifth the least occupied.
POLICIES = (Selection.MOST_PROFICIENT, Selection.LEAST_OCCUPIED) + (Selection.LONGEST_IDLE,) * 3
ATTRIBUTES: dict[str, str | int | float | bool] = {
    "province": "hebei", "intent": "cards", "language": "zh", "segment": "retail",
    "authenticated": True}
WORKLOADS = ("contact", "agent")
DECISIONS = {
    "offer": "offer → best agent (OfferContact, agents idle)",
    "pick": "agent freed → best contact (EndContact, contacts waiting)",
    "release": "agent freed → idle indexes (EndContact, none waiting)",
}
Timing = tuple[int, int]  # wall ns, CPU ns


def queue_name(skill: int, site: str, lang: str) -> str:
    return f"s{skill:02d}-{site}-{lang}"


def centre_queues() -> list[QueueSpec]:
    """English queues use strict priority, Chinese ones the blended ordering."""
    return [QueueSpec(name=queue_name(skill, site, lang),
                      expression=f'skills.s{skill:02d} >= 1 and site == "{site}" '
                                 f'and "{lang}" in languages',
                      ordering=Ordering.STRICT if lang == "en" else Ordering.BLENDED,
                      selection=POLICIES[skill % 5],
                      proficiency_skill=f"s{skill:02d}" if skill % 5 == 0 else None, site=site)
            for skill in range(SKILLS) for site in SITES for lang in LANGUAGES]


@dataclass(kw_only=True)
class Centre:
    """An engine with the 200 queues and ``n`` agents logged in and ready."""

    engine: Engine
    queues_of: dict[str, list[str]]  # agent id -> names of the queues it belongs to
    build_s: float
    now: float = 1_000_000.0
    serial: int = 0

    def offer(self, queue: str, rng: random.Random) -> cmd.OfferContact:
        self.serial += 1
        return cmd.OfferContact(contact_id=f"c{self.serial}", channel="voice",
                                workflow="w-" + queue, attributes=ATTRIBUTES,
                                priority=5 if rng.random() < VIP_SHARE else 0)


def build_centre(n: int, seed: int) -> Centre:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    engine, now = Engine(), 1_000_000.0
    for spec in centre_queues():
        engine.handle(cmd.DefineQueue(queue=spec), now)
        engine.handle(cmd.DefineWorkflow(workflow=Workflow(
            name="w-" + spec.name, steps=(Step(queue=spec.name),))), now)
    queues_of: dict[str, list[str]] = {}
    for i in range(n):
        site = SITES[i % 2]
        langs = ("zh", "en") if rng.random() < ENGLISH_SHARE else ("zh",)
        skills = {f"s{s:02d}": rng.randint(1, 10)
                  for s in rng.sample(range(SKILLS), SKILLS_PER_AGENT)}
        agent_id = f"a{i:05d}"
        engine.handle(cmd.RegisterAgent(profile=AgentProfile(
            agent_id=agent_id, site=site, skills=skills, languages=frozenset(langs),
            capacity={"voice": 1}, auto_accept=True)), now)
        queues_of[agent_id] = [queue_name(int(s[1:]), site, lang) for s in skills
                               for lang in langs]
    for agent_id in queues_of:
        engine.handle(cmd.LogIn(agent_id=agent_id, ready=True), now)
    return Centre(engine=engine, queues_of=queues_of, build_s=time.perf_counter() - t0)


class IdleAgents:
    """The benchmark's own record of idle agents, with O(1) random pick, add and remove."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        self.pos = {a: i for i, a in enumerate(self.ids)}

    def add(self, agent_id: str) -> None:
        self.pos[agent_id] = len(self.ids)
        self.ids.append(agent_id)

    def remove(self, agent_id: str) -> None:
        i = self.pos.pop(agent_id)
        last = self.ids.pop()
        if last != agent_id:
            self.ids[i] = last
            self.pos[last] = i

    def pick(self, rng: random.Random) -> str:
        return self.ids[rng.randrange(len(self.ids))]


def timed(handle: Callable[[cmd.Command, float], list[ev.Event]], command: cmd.Command,
          now: float) -> tuple[list[ev.Event], Timing]:
    """``handle(command, now)`` and its wall and CPU nanoseconds."""
    c0 = time.process_time_ns()
    t0 = time.perf_counter_ns()
    events = handle(command, now)
    t1 = time.perf_counter_ns()
    c1 = time.process_time_ns()
    return events, (t1 - t0, c1 - c0)


def _expect(ok: bool, what: str, events: list[ev.Event]) -> None:
    """The workload is not what it claims to be: stop rather than time something else."""
    if not ok:
        raise RuntimeError(f"{what}, got {[type(e).__name__ for e in events]}")


class Bench:
    """One steady-state workload on one centre; ``step()`` makes and times its decisions."""

    kinds: tuple[str, ...] = ()

    def __init__(self, centre: Centre, seed: int) -> None:
        self.centre = centre
        self.rng = random.Random(seed)
        self.handle = centre.engine.handle
        self.busy: deque[str] = deque()  # connected contacts, oldest first
        self.idle = IdleAgents(list(centre.queues_of))

    def _offer_to_idle(self) -> None:
        """Offer a contact to a queue of a random idle agent; it must connect."""
        c = self.centre
        queue = self.rng.choice(c.queues_of[self.idle.pick(self.rng)])
        self._connected(self.handle(c.offer(queue, self.rng), c.now))

    def _connected(self, events: list[ev.Event]) -> None:
        last = events[-1]
        _expect(isinstance(last, ev.ContactConnected), "the contact should connect", events)
        assert isinstance(last, ev.ContactConnected)
        self.idle.remove(last.agent_id)
        self.busy.append(last.contact_id)

    def step(self) -> list[Timing]:
        """One step: the timings of each of ``kinds``, then any untimed upkeep."""
        raise NotImplementedError


class ContactSide(Bench):
    """Half the agents busy: time an offer, then the end of the oldest contact (release)."""

    kinds = ("offer", "release")

    def __init__(self, centre: Centre, seed: int, busy_share: float = 0.5) -> None:
        super().__init__(centre, seed)
        while len(self.busy) < int(busy_share * len(centre.queues_of)):
            self._offer_to_idle()

    def step(self) -> list[Timing]:
        c, rng = self.centre, self.rng
        c.now += 1.0
        command = c.offer(rng.choice(c.queues_of[self.idle.pick(rng)]), rng)
        events, offer = timed(self.handle, command, c.now)
        self._connected(events)
        end = cmd.EndContact(contact_id=self.busy.popleft())
        ended, release = timed(self.handle, end, c.now)
        done = ended[0]
        _expect(len(ended) == 1, "ending should only free the agent", ended)
        assert isinstance(done, ev.ContactCompleted)
        self.idle.add(done.agent_id)
        return [offer, release]


class AgentSide(Bench):
    """All agents busy, 5 contacts waiting per queue: time the end of the oldest contact, whose
    agent picks the best waiting contact of its queues; then refill the queue it served."""

    kinds = ("pick",)

    def __init__(self, centre: Centre, seed: int, waiting: int = 5) -> None:
        super().__init__(centre, seed)
        while self.idle.ids:
            self._offer_to_idle()
        for spec in centre_queues():
            for _ in range(waiting):
                self._wait(spec.name)

    def _wait(self, queue: str) -> None:
        c = self.centre
        events = self.handle(c.offer(queue, self.rng), c.now)
        _expect(len(events) == 1, "a new contact should wait", events)

    def step(self) -> list[Timing]:
        c = self.centre
        c.now += 1.0
        events, pick = timed(self.handle, cmd.EndContact(contact_id=self.busy.popleft()), c.now)
        last = events[-1]
        _expect(len(events) == 3, "the freed agent should take a waiting contact", events)
        assert isinstance(last, ev.ContactConnected)
        self.busy.append(last.contact_id)
        self._wait(last.queue)
        return [pick]


HeapStats = dict[str, float]


def heap_stats(engine: Engine) -> HeapStats:
    """Routing-index sizes against their live content (stale entries wait to surface or for
    compaction); ``worst`` is the largest heap over its compaction bound 2 x members + 32."""
    s = dict.fromkeys(("idle", "idle_live", "worst", "waiting", "waiting_live"), 0.0)
    for q in engine.queues.values():
        for heap in q.idle.values():
            s["idle"] += len(heap)
            s["idle_live"] += sum(1 for e in heap if e[-1].version == e[-2])
            s["worst"] = max(s["worst"], len(heap) / (2 * len(q.members) + 32))
        for heap in q.waiting.values():
            s["waiting"] += len(heap)
            s["waiting_live"] += sum(1 for e in heap if e[3].state == "waiting"
                                     and e[3].gen == e[2])
    return s


def merge(into: HeapStats, new: HeapStats) -> None:
    """Keep the largest of each figure."""
    for key, value in new.items():
        into[key] = max(into.get(key, 0.0), value)


@dataclass(frozen=True, kw_only=True, slots=True)
class Batch:
    mean_ns: float
    p50_ns: float
    p99_ns: float
    cpu_mean_ns: float


def run_batch(bench: Bench, decisions: int, samples: int, stats: HeapStats
              ) -> tuple[dict[str, Batch], float, float]:
    """Time ``decisions`` steps of ``bench`` with gc off; sample the heaps ``samples`` times.
    Returns the batch of each decision kind, and the wall and CPU seconds of the loop."""
    timings: list[list[Timing]] = [[] for _ in bench.kinds]
    every = max(1, decisions // samples)
    gc.collect()
    gc.disable()
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        for i in range(decisions):
            for k, timing in enumerate(bench.step()):
                timings[k].append(timing)
            if i % every == every - 1:
                merge(stats, heap_stats(bench.centre.engine))
    finally:
        w1, c1 = time.perf_counter(), time.process_time()
        gc.enable()
    out = {}
    for kind, pairs in zip(bench.kinds, timings, strict=True):
        wall = [w for w, _ in pairs]
        q = statistics.quantiles(wall, n=100, method="inclusive")
        out[kind] = Batch(mean_ns=statistics.fmean(wall), p50_ns=q[49], p99_ns=q[98],
                          cpu_mean_ns=statistics.fmean(c for _, c in pairs))
    return out, w1 - w0, c1 - c0


@dataclass(kw_only=True)
class SizeResult:
    agents: int
    build_s: float
    mean_queues_per_agent: float
    mean_members_per_queue: float
    batches: dict[str, list[Batch]] = field(default_factory=dict)  # by decision
    heaps: dict[str, HeapStats] = field(default_factory=dict)  # by workload
    wall_s: float = 0.0
    cpu_s: float = 0.0

    def median(self, decision: str, what: str) -> float:
        return float(statistics.median(getattr(b, what) for b in self.batches[decision]))


def _bench(workload: str, n: int, seed: int) -> Bench:
    centre = build_centre(n, seed)
    return ContactSide(centre, seed) if workload == "contact" else AgentSide(centre, seed)


def run(*, sizes: Sequence[int] = (100, 1_000, 10_000), decisions: int = 20_000,
        rounds: int = 3, seed: int = 1, warmup: int | None = None,
        progress: Callable[[str], None] | None = None) -> list[SizeResult]:
    """Build the centres, warm them up, then time ``decisions`` steps of each workload per
    size and round, the sizes interleaved (order rotated each round)."""
    say = progress or (lambda _: None)
    results: list[SizeResult] = []
    benches: list[dict[str, Bench]] = []
    for n in sizes:
        say(f"building {n:,} agents")
        pair = {w: _bench(w, n, seed) for w in WORKLOADS}
        centre = pair["contact"].centre
        memberships = sum(len(v) for v in centre.queues_of.values())
        results.append(SizeResult(agents=n, build_s=centre.build_s,
                                  mean_queues_per_agent=memberships / n,
                                  mean_members_per_queue=memberships / len(centre_queues())))
        # Steady state: every agent has been through the indexes at least twice.
        for bench in pair.values():
            for _ in range(warmup if warmup is not None else max(5_000, 2 * n)):
                bench.step()
        benches.append(pair)
    for r in range(rounds):
        shift = r % len(sizes)
        for i in [*range(shift, len(sizes)), *range(shift)]:
            res = results[i]
            for workload in WORKLOADS:
                say(f"round {r + 1}/{rounds}: {res.agents:,} agents, {workload} side")
                stats = res.heaps.setdefault(workload, {})
                batches, wall_s, cpu_s = run_batch(benches[i][workload], decisions, 10, stats)
                for decision, batch in batches.items():
                    res.batches.setdefault(decision, []).append(batch)
                res.wall_s += wall_s
                res.cpu_s += cpu_s
    return results


def timer_overhead_ns(repeats: int = 100_000) -> float:
    clock = time.perf_counter_ns
    return statistics.median(-clock() + clock() for _ in range(repeats))


def cost_table(results: list[SizeResult], rounds: int, decisions: int) -> Table:
    table = Table(title=f"µs per routing decision, 200 queues (median of {rounds} rounds × "
                        f"{decisions:,} decisions each)")
    table.add_column("decision · statistic")
    for res in results:
        table.add_column(f"{res.agents:,} agents", justify="right")
    for res in results[1:]:
        table.add_column(f"{res.agents:,} ÷ {results[0].agents:,}", justify="right")
    table.add_column(f"goal ≤ {GOAL:g}×", justify="center")
    for decision in DECISIONS:
        for what, label in (("mean_ns", "mean"), ("p50_ns", "p50"), ("p99_ns", "p99"),
                            ("cpu_mean_ns", "mean CPU")):
            values = [res.median(decision, what) for res in results]
            ratios = [v / values[0] for v in values[1:]]
            verdict = "" if what == "p99_ns" or not ratios else (
                "meets" if ratios[-1] <= GOAL else "MISSES")
            table.add_row(f"{decision} · {label}", *(f"{v / 1000:.2f}" for v in values),
                          *(f"{x:.2f}×" for x in ratios), verdict,
                          end_section=what == "cpu_mean_ns")
    return table


def heap_table(results: list[SizeResult]) -> Table:
    table = Table(title="Routing indexes, largest seen (10 samples per batch): entries go stale "
                        "and are dropped when they surface or at compaction")
    for col in ("agents", "workload", "idle-heap entries", "live", "entries ÷ live",
                "worst heap ÷ its bound", "waiting-heap entries", "live waiting"):
        table.add_column(col, justify="right")
    for res in results:
        for workload, h in res.heaps.items():
            per_live = f"{h['idle'] / h['idle_live']:.2f}" if h["idle_live"] else "–"
            table.add_row(f"{res.agents:,}", workload, f"{h['idle']:,.0f}",
                          f"{h['idle_live']:,.0f}", per_live, f"{h['worst']:.2f}",
                          f"{h['waiting']:,.0f}", f"{h['waiting_live']:,.0f}")
    return table


def main(argv: list[str] | None = None) -> list[SizeResult]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    console = Console()
    console.print(f"engine: {Path(hotline.__file__).parent}", highlight=False)
    steps = len(args.sizes) * (1 + args.rounds * len(WORKLOADS))
    with Progress(TextColumn("[bold]routing cost[/] {task.description}"), BarColumn(),
                  TaskProgressColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("", total=steps)
        results = run(sizes=args.sizes, decisions=args.decisions, rounds=args.rounds,
                      seed=args.seed,
                      progress=lambda what: bar.update(task, description=what, advance=1))
        bar.update(task, completed=steps, description="done")
    for res in results:
        console.print(f"{res.agents:,} agents: {res.mean_queues_per_agent:.2f} queues per agent, "
                      f"{res.mean_members_per_queue:.1f} members per queue, built in "
                      f"{res.build_s:.1f} s; timed batches wall ÷ CPU "
                      f"{res.wall_s / max(res.cpu_s, 1e-9):.2f}", highlight=False)
    console.print(cost_table(results, args.rounds, args.decisions))
    console.print(heap_table(results))
    for decision, label in DECISIONS.items():
        console.print(f"{decision}: {label}")
    console.print(f"perf_counter_ns pair overhead: {timer_overhead_ns():.0f} ns per decision "
                  "(included in the figures)")
    return results


if __name__ == "__main__":
    main()
