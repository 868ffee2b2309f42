"""The demo's simulated agents: they work the scenario's roster and answer what they are offered.

A simulated agent logs in, takes breaks and logs out as the roster says (on the virtual clock,
like the twin's roster); accepts a reservation after 1–3 s (scaled by the speed, at least
0.2 s, and well inside the reservation timeout); talks for the caller's handle time, ends the
contact and completes the wrap-up with a disposition. Human agents are never touched.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial

from hotline.core import events as ev
from hotline.core.commands import (
    AcceptReservation,
    Command,
    CompleteWrapUp,
    EndContact,
    LogIn,
    LogOut,
    SetPresence,
)
from hotline.core.errors import CoreError
from hotline.core.live import CONNECTED, NOT_READY, OFFLINE, ON_HOLD, READY, RESERVED, WRAP_UP
from hotline.live.centre import LiveCentre
from hotline.live.demo_callers import Call, Counters
from hotline.live.demo_time import Pace, Timers, local_midnight, log, next_midnight
from hotline.sim.roster import BACK, BREAK, LOGIN, LOGOUT, RosterEntry, roster_entries
from hotline.sim.scenario import Scenario

DISPOSITIONS = ("resolved", "info", "escalated")
DISPOSITION_WEIGHTS = (0.7, 0.2, 0.1)
ACCEPT_S = (1.0, 3.0)  # clock seconds to pick up at speed 1
MIN_ACCEPT_S = 0.2
#: Presence reasons the engine sets when an offer went unanswered; simulated agents get back.
MISSED = ("no_answer", "rejected")


class SimulatedAgents:
    """Every scenario agent but the humans, on the roster of the demo's virtual days."""

    def __init__(self, centre: LiveCentre, scenario: Scenario, ids: Iterable[str], *,
                 rng: random.Random, pace: Pace, timers: Timers, counters: Counters,
                 calls: dict[str, Call], default_call: Callable[[dict[str, object]], Call]
                 ) -> None:
        self.centre = centre
        self.rng = rng
        self.pace = pace
        self.timers = timers
        self.counters = counters
        self.calls = calls
        self.default_call = default_call
        self.ids = frozenset(ids)
        self._day = scenario.model_copy(update={"days": 1.0})
        self._entries: list[RosterEntry] = []
        self._next = 0
        self._day_end = local_midnight(pace.virtual(centre.clock.now()), scenario.zone)
        self._token: int | None = None
        # The roster's latest word per agent (LOGIN, BREAK, BACK or LOGOUT).
        self.rostered: dict[str, int] = {}

    # --- roster ------------------------------------------------------------------------------
    def _load_day(self, midnight: datetime) -> None:
        end = next_midnight(midnight)
        lo, hi = midnight.timestamp(), end.timestamp()
        # Entries of shifts that cross midnight come back with both days; each day keeps its own.
        self._entries = [e for e in roster_entries(self._day, midnight)
                         if lo <= e.at < hi and e.agent_id in self.ids]
        self._next = 0
        self._day_end = end

    def start(self) -> None:
        """Pick up the simulated agents' open work, then put everyone where the roster says."""
        self._pick_up()
        now = self.pace.virtual(self.centre.clock.now())
        self._load_day(local_midnight(now, self._day.zone))
        self.rostered.clear()
        entries = self._entries
        while self._next < len(entries) and entries[self._next].at <= now:
            e = entries[self._next]
            self.rostered[e.agent_id] = e.action
            self._next += 1
        for agent_id in sorted(self.ids):
            self._reconcile(agent_id, self.rostered.get(agent_id, LOGOUT))
        self._schedule()

    def reschedule(self) -> None:
        self._schedule()

    def _schedule(self) -> None:
        self.timers.cancel(self._token)
        self._token = None
        if not self.ids:
            return
        for _ in range(3):  # a day without entries (all agents human): look one more ahead
            if self._next < len(self._entries):
                due = self._entries[self._next].at
                self._token = self.timers.at(self.pace.real(due), partial(self._roster, due),
                                             "roster")
                return
            self._load_day(self._day_end)

    def _roster(self, due: float) -> None:
        self._token = None
        # At least the entry this call was for, whatever the rounding of the clock.
        until = max(due, self.pace.virtual(self.centre.clock.now()))
        entries = self._entries
        try:
            while self._next < len(entries) and entries[self._next].at <= until:
                e = entries[self._next]
                self._next += 1
                self.rostered[e.agent_id] = e.action
                self._try(self._roster_command(e.agent_id, e.action), "roster")
        finally:  # the next entries stay scheduled even if the event log failed
            self._schedule()

    def _roster_command(self, agent_id: str, action: int) -> Command | None:
        """The twin's roster rules: act only where the agent's state fits the entry."""
        agent = self.centre.engine.agents.get(agent_id)
        if agent is None or agent.pending_logout:
            return None
        if action == LOGIN and agent.presence == OFFLINE:
            return LogIn(agent_id=agent_id, ready=True)
        if action == BREAK and agent.presence == READY:
            return SetPresence(agent_id=agent_id, ready=False, reason="break")
        if action == BACK and agent.presence == NOT_READY:
            return SetPresence(agent_id=agent_id, ready=True)
        if action == LOGOUT and agent.presence != OFFLINE:
            return LogOut(agent_id=agent_id)
        return None

    def _reconcile(self, agent_id: str, action: int) -> None:
        """Bring one agent to the roster's state at once (at start, or after a restart)."""
        agent = self.centre.engine.agents.get(agent_id)
        if agent is None or agent.pending_logout:
            return
        if action in (LOGIN, BACK):
            if agent.presence == OFFLINE:
                self._try(LogIn(agent_id=agent_id, ready=True), "log in")
            elif agent.presence == NOT_READY:
                self._try(SetPresence(agent_id=agent_id, ready=True), "ready")
        elif action == BREAK:
            if agent.presence == OFFLINE:
                self._try(LogIn(agent_id=agent_id, ready=False), "log in")
            if agent.presence != OFFLINE and agent.reason != "break":
                self._try(SetPresence(agent_id=agent_id, ready=False, reason="break"), "break")
        elif agent.presence != OFFLINE:
            self._try(LogOut(agent_id=agent_id), "log out")

    def _try(self, command: Command | None, what: str) -> None:
        if command is None:
            return
        try:
            self.centre.execute(command)
        except CoreError as exc:
            log.debug("demo floor: %s skipped: %s", what, exc)

    # --- work --------------------------------------------------------------------------------
    def _pick_up(self) -> None:
        """Open work of simulated agents from before a restart: finish it like new work."""
        engine = self.centre.engine
        for agent_id in sorted(self.ids):
            agent = engine.agents.get(agent_id)
            if agent is None:
                continue
            for cid, leg in list(agent.work.items()):
                contact = engine.contacts.get(cid)
                if leg.activity == RESERVED and contact is not None \
                        and contact.reservation_id is not None:
                    self._answer(contact.reservation_id)
                elif leg.activity in (CONNECTED, ON_HOLD) and contact is not None:
                    self._talk(cid, agent_id, contact.legs - 1)
                elif leg.activity == WRAP_UP:
                    self._wrap_up(cid, agent_id)

    def heard(self, e: ev.Event) -> None:
        if getattr(e, "agent_id", None) not in self.ids:
            return
        if isinstance(e, ev.ReservationCreated):
            if e.expires_at is not None:  # else the engine connects it at once (auto-accept)
                self._answer(e.reservation_id)
        elif isinstance(e, ev.ContactConnected):
            self._talk(e.contact_id, e.agent_id, e.leg)
        elif isinstance(e, ev.ContactEnded) or (isinstance(e, ev.ContactTransferred)
                                                and e.wrap_up_until is not None):
            self._wrap_up(e.contact_id, e.agent_id)
        elif isinstance(e, ev.PresenceChanged) and e.reason in MISSED:
            agent_id = e.agent_id
            self.timers.after(self._pick_up_delay(), lambda: self._back(agent_id), "ready")

    def _pick_up_delay(self) -> float:
        delay = max(MIN_ACCEPT_S, self.rng.uniform(*ACCEPT_S) / self.pace.speed)
        return min(delay, self.centre.engine.config.reservation_timeout_s / 2)

    def _answer(self, reservation_id: str) -> None:
        def accept() -> None:
            self.centre.execute(AcceptReservation(reservation_id=reservation_id))
            self.counters.accepted += 1

        self.timers.after(self._pick_up_delay(), accept, "accept")

    def _call(self, cid: str) -> Call:
        call = self.calls.get(cid)
        if call is None:
            contact = self.centre.engine.contacts.get(cid)
            call = self.default_call(dict(contact.attributes) if contact is not None else {})
            self.calls[cid] = call
        return call

    def _talk(self, cid: str, agent_id: str, leg: int) -> None:
        def end() -> None:
            contact = self.centre.engine.contacts.get(cid)
            # The same conversation still: not transferred away, nor back for a new leg.
            if contact is None or contact.agent_id != agent_id or contact.legs != leg + 1 \
                    or contact.state not in (CONNECTED, ON_HOLD):
                return
            self.centre.execute(EndContact(contact_id=cid))
            self.counters.ended += 1

        self.timers.after(self._call(cid).handle(), end, "end")

    def _wrap_up(self, cid: str, agent_id: str) -> None:
        call = self._call(cid)
        if call.wrap_up is not None:
            wrap = call.wrap_up()
        else:
            contact = self.centre.engine.contacts.get(cid)
            wrap = self.pace.scaled(contact.workflow.wrap_up_s) if contact is not None else 0.0
        code = self.rng.choices(DISPOSITIONS, DISPOSITION_WEIGHTS)[0]

        def complete() -> None:
            agent = self.centre.engine.agents.get(agent_id)
            leg = agent.work.get(cid) if agent is not None else None
            if leg is None or leg.activity != WRAP_UP:
                return  # the engine's wrap-up limit, or a supervisor, was first
            self.centre.execute(CompleteWrapUp(contact_id=cid, agent_id=agent_id,
                                               disposition=code))
            self.counters.wrapped_up += 1

        self.timers.after(wrap, complete, "wrap-up")

    def _back(self, agent_id: str) -> None:
        agent = self.centre.engine.agents.get(agent_id)
        if agent is None or agent.presence != NOT_READY or agent.reason not in MISSED \
                or agent.pending_logout or self.rostered.get(agent_id) not in (LOGIN, BACK):
            return
        self.centre.execute(SetPresence(agent_id=agent_id, ready=True))

    def logged_in(self) -> int:
        agents = self.centre.engine.agents
        return sum(1 for a in self.ids if a in agents and agents[a].presence != OFFLINE)
