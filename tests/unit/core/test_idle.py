"""The idle-agent index against a plain model: the best live entry by (rank, idle, seq, version).

Random pushes (in and out of order, integral, fractional and far-off ranks), agents going stale,
takes and put-backs, and compactions; after each step the index's best must be the model's.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core.idle import SPAN, IdleIndex


class FakeAgent:
    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.version = 0


RANKS = st.sampled_from([0.0, -1.0, -3.0, -10.0, 1.0, 0.5, 0.25, -40.0, 100.0])
OPS = st.lists(st.tuples(st.sampled_from(["push", "push", "push", "stale", "best", "pop",
                                          "compact"]),
                         RANKS, st.integers(0, 5), st.integers(0, 30)), max_size=120)


def model_best(pushed: list[tuple[float, tuple[Any, ...]]]) -> tuple[Any, ...] | None:
    live = [(r, e) for r, e in pushed if e[3].version == e[2]]
    if not live:
        return None
    return min(live, key=lambda re: (re[0], re[1][0], re[1][1], re[1][2]))


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_best_is_the_models(ops: list[tuple[str, float, int, int]]) -> None:
    agents = [FakeAgent(seq) for seq in range(6)]
    index = IdleIndex()
    pushed: list[tuple[float, tuple[Any, ...]]] = []  # every entry still held, live or stale
    for op, rank, who, idle in ops:
        agent = agents[who]
        if op == "push":
            entry = (float(idle), agent.seq, agent.version, agent)
            index.push(rank, float(idle), agent.seq, agent.version, entry)
            pushed.append((rank, entry))
        elif op == "stale":
            agent.version += 1
        elif op == "pop":
            want = model_best(pushed)
            got = index.pop_best()
            if want is None:
                assert got is None
                continue
            assert got is not None
            assert (got[0], got[1][:3], got[1][3]) == (want[0], want[1][:3], want[1][3])
            pushed.remove(got)
            if idle % 2:  # put it back, as a look past an agent does
                index.push_entry(*got)
                pushed.append(got)
        elif op == "compact":
            index.compact()
            pushed = [(r, e) for r, e in pushed if e[3].version == e[2]]
            assert len(index) == len(pushed)
        want = model_best(pushed)
        got_best = index.best()
        assert (got_best is None) == (want is None)
        if got_best is not None and want is not None:
            assert got_best[:3] == want[1][:3] and got_best[3] is want[1][3]
        held = list(index)
        assert len(held) == len(index)
        live = sum(1 for e in held if e[3].version == e[2])
        assert live == sum(1 for _, e in pushed if e[3].version == e[2])


def test_in_order_keys_stay_out_of_the_heap() -> None:
    """Longest-idle pushes (rank 0, idle times rising) and one rank per proficiency go to the
    FIFOs; only a key older than its bucket's last one goes to the heap."""
    index = IdleIndex()
    agents = [FakeAgent(seq) for seq in range(30)]
    for t, agent in enumerate(agents):
        index.push(float(-(t % 10)), float(t), agent.seq, 0, (float(t), agent.seq, 0, agent))
    assert not index.heap
    late = agents[0]
    late.version = 1
    index.push(0.0, -1.0, late.seq, 1, (-1.0, late.seq, 1, late))
    assert len(index.heap) == 1
    best = index.best()
    assert best is not None and best[3] is agents[9]  # rank -9 first, then the oldest


def test_ranks_past_the_span_go_to_the_heap() -> None:
    index = IdleIndex()
    a, b = FakeAgent(0), FakeAgent(1)
    index.push(0.0, 5.0, 0, 0, (5.0, 0, 0, a))
    index.push(-float(SPAN), 1.0, 1, 0, (1.0, 1, 0, b))
    assert len(index.heap) == 1
    best = index.best()
    assert best is not None and best[3] is b
