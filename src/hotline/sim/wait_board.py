"""The twin's answer to a flow's `AskEstimatedWait`: how long a caller entering a workflow now
would wait, from the engine's live state.

Per workflow a `Backlog` counts the contacts queued and not yet connected (callbacks
included: they keep their place) and keeps a recent mean handle time (talk, hold and wrap-up
of the workflow's completed contacts, exponentially weighted over about the last fifty). The
twin keeps both as its loop sees the engine's events, so an estimate scans no contacts.

The estimate is the queue-length predictor (Whitt, "Predicting queueing delays", Management
Science 45, 1999): with ``n`` contacts ahead and ``c`` agents staffed on the workflow's first
queue, a caller waits for ``n + 1`` of the ``c`` agents to finish, ``(n + 1) x AHT / c``. It
leaves out that some of those ahead abandon and that a widening workflow reaches more agents
later, so it leans long when the backlog is deep: the side a callback offer should err on.

>>> estimate_wait(ahead=9, staffed=20, mean_handle_s=200.0)
100.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from hotline.core.engine import Engine
from hotline.core.live import READY

#: Weight of the newest completed contact in the mean handle time (about the last fifty count).
SMOOTHING = 0.02


def estimate_wait(*, ahead: int, staffed: int, mean_handle_s: float) -> float:
    """Expected wait in seconds of a contact joining ``ahead`` others before ``staffed`` agents.

    Nobody ahead: no wait (an agent is free, or about to be). Nobody staffed, or no handle time
    seen yet: ``math.inf``, a wait nobody can tell (a callback offer then stays silent).
    """
    if ahead <= 0:
        return 0.0
    if staffed <= 0 or mean_handle_s <= 0.0:
        return math.inf
    return (ahead + 1) * mean_handle_s / staffed


class Backlog:
    """One workflow's contacts waiting (``waiting``) and recent mean handle time (``handle_s``,
    0 until a contact completes); ``staffed`` is counted again after a roster change."""

    __slots__ = ("handle_s", "queue", "seen", "staffed", "waiting")

    def __init__(self, queue: str) -> None:
        self.queue = queue  # the workflow's first queue, whose agents are counted as staffed
        self.waiting = 0
        self.handle_s = 0.0
        self.staffed = 0
        self.seen = -1  # the roster generation ``staffed`` was counted at

    def completed(self, handle_s: float) -> None:
        """A contact of the workflow completed after ``handle_s`` with its agent."""
        if self.handle_s == 0.0:
            self.handle_s = handle_s
        else:
            self.handle_s += SMOOTHING * (handle_s - self.handle_s)


class WaitBoard:
    """The backlogs of a centre's workflows and the estimates made of them.

    ``first_queues`` maps each workflow to its first step's queue. Agents count as staffed on
    a queue while logged in and ready (on a contact or not); agents on a break do not. The
    twin calls `roster_changed` when its roster logs agents in or out or sends them on a break.
    """

    def __init__(self, engine: Engine, first_queues: Mapping[str, str]) -> None:
        self.engine = engine
        self.backlogs = {workflow: Backlog(queue) for workflow, queue in first_queues.items()}
        self.generation = 0

    def roster_changed(self) -> None:
        self.generation += 1

    def estimate(self, workflow: str) -> float:
        """The wait, in seconds, of a contact entering ``workflow`` now."""
        backlog = self.backlogs[workflow]
        if backlog.seen != self.generation:
            agents = self.engine.agents
            members = self.engine.queues[backlog.queue].members
            backlog.staffed = sum(1 for a in members if agents[a].presence == READY)
            backlog.seen = self.generation
        return estimate_wait(ahead=backlog.waiting, staffed=backlog.staffed,
                             mean_handle_s=backlog.handle_s)
