"""The live centre's answer to a flow's `AskEstimatedWait`, so callers hear a callback offer
when the wait is long, as in the twin.

The same `WaitBoard` as the twin (``sim/wait_board.py``: contacts ahead + 1, times the recent
handle time, over the agents staffed on the workflow's first queue), fed from the centre's
batches instead of the twin's loop: a contact counts as waiting from ``ContactQueued`` until it
is connected or ends; a completed contact's talk and wrap-up time feed the handle time; a
presence change recounts the staffed agents. Nothing scans the contacts.

Workflows defined after start-up (the admin pages) get a backlog when first queued into or
asked about.
"""

from __future__ import annotations

import math

from hotline.core import events as ev
from hotline.core.live import RESERVED, WAITING
from hotline.live.centre import Batch, LiveCentre
from hotline.sim.wait_board import Backlog, WaitBoard

_ROSTER = (ev.AgentLoggedIn, ev.PresenceChanged, ev.AgentLoggedOut, ev.AgentRegistered)


class LiveWaits:
    """Subscribe with ``centre.subscribe(waits.heard)``; ask with ``waits.estimate(workflow)``."""

    def __init__(self, centre: LiveCentre) -> None:
        self.centre = centre
        self.board = WaitBoard(centre.engine, {})
        self.queued: dict[str, Backlog] = {}  # waiting, not yet connected
        self.of: dict[str, Backlog] = {}  # every contact in progress -> its backlog
        for contact in centre.engine.contacts.values():  # what the replayed log left waiting
            backlog = self._backlog(contact.workflow.name)
            if backlog is not None:
                self.of[contact.id] = backlog
                if contact.state in (WAITING, RESERVED):
                    backlog.waiting += 1
                    self.queued[contact.id] = backlog

    def _backlog(self, workflow: str) -> Backlog | None:
        found = self.board.backlogs.get(workflow)
        if found is None:
            spec = self.centre.engine.workflows.get(workflow)
            if spec is None or not spec.steps:
                return None
            found = self.board.backlogs[workflow] = Backlog(spec.steps[0].queue)
        return found

    def estimate(self, workflow: str) -> float:
        """Seconds a contact entering ``workflow`` now would wait; ``inf`` when nobody can
        tell (an unknown workflow, nobody staffed, no handle time seen yet)."""
        if self._backlog(workflow) is None:
            return math.inf
        return self.board.estimate(workflow)

    def heard(self, batch: Batch) -> None:
        for _, e in batch:
            if isinstance(e, ev.ContactQueued):
                if e.contact_id not in self.queued:
                    backlog = self._backlog(e.workflow)
                    if backlog is not None:
                        backlog.waiting += 1
                        self.queued[e.contact_id] = self.of[e.contact_id] = backlog
            elif isinstance(e, ev.ContactConnected):
                self._left(e.contact_id)
            elif isinstance(e, ev.TERMINAL):
                self._left(e.contact_id)
                backlog = self.of.pop(e.contact_id, None)
                if isinstance(e, ev.ContactCompleted) and backlog is not None:
                    backlog.completed(e.at - e.connected_at)
            elif isinstance(e, _ROSTER):
                self.board.roster_changed()

    def _left(self, contact_id: str) -> None:
        backlog = self.queued.pop(contact_id, None)
        if backlog is not None:
            backlog.waiting -= 1
