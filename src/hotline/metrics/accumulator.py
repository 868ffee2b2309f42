"""Streams events into per-interval KPI counters, so the twin need not keep its events.

Contacts are counted in the interval in which they entered their first queue, by that queue
and their channel; agent time is split at interval boundaries, by the agent's site.

>>> acc = KpiAccumulator(KpiDefinitions(), origin=0.0)
>>> for event in events: acc.consume(event)      # doctest: +SKIP
>>> acc.report().totals["service_level"]         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hotline.core import events as ev
from hotline.metrics.counts import AgentTime, ContactCounts
from hotline.metrics.definitions import KpiDefinitions
from hotline.metrics.report import KpiReport, build_report

OFFLINE, NOT_READY, READY = 0, 1, 2


class _AgentClock:
    __slots__ = ("legs", "presence", "since", "site")

    def __init__(self, site: str) -> None:
        self.site = site
        self.presence = OFFLINE
        self.legs = 0
        self.since = 0.0


class KpiAccumulator:
    def __init__(self, definitions: KpiDefinitions, origin: float,
                 count_from: float | None = None) -> None:
        self.definitions = definitions
        self.origin = origin
        # Contacts that entered before this instant (a warm-up) are not counted.
        self.count_from = origin if count_from is None else count_from
        self._discard = ContactCounts()
        self.interval_s = float(definitions.interval_s)
        self.threshold = definitions.service_level_s
        self.short = definitions.short_abandon_s
        self.contacts: dict[tuple[int, str, str], ContactCounts] = {}
        self.agent_time: dict[tuple[int, str], AgentTime] = {}
        self.queue_sites: dict[str, str | None] = {}
        self.agents: dict[str, _AgentClock] = {}
        self._consumers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.ContactQueued: self._queued,
            ev.ContactConnected: self._connected,
            ev.ContactCompleted: self._completed,
            ev.WrapUpEnded: self._wrap_up_ended,
            ev.ContactAbandoned: self._abandoned,
            ev.ContactDiverted: self._diverted,
            ev.CallbackRequested: self._callback,
            ev.ContactTransferred: self._transferred,
            ev.ReservationCreated: self._reserved,
            ev.ReservationRejected: self._offer_ended,
            ev.ReservationTimedOut: self._offer_ended,
            ev.ReservationRevoked: self._offer_ended,
            ev.QueueDefined: self._queue_defined,
            ev.AgentRegistered: self._agent_registered,
            ev.AgentUpdated: self._agent_registered,
            ev.AgentLoggedIn: self._presence,
            ev.PresenceChanged: self._presence,
            ev.AgentLoggedOut: self._logged_out,
        }
        # The counts slot of every live contact, found by its id (no key to build).
        self._open: dict[str, ContactCounts] = {}

    def consume(self, event: ev.Event) -> None:
        # The contact events of every call first, by direct call; the rest by table.
        if isinstance(event, ev.ContactConnected):
            self._connected(event)
        elif isinstance(event, ev.ContactCompleted):
            self._completed(event)
        elif isinstance(event, ev.ContactQueued):
            self._queued(event)
        elif isinstance(event, ev.ReservationCreated):
            self._reserved(event)
        elif isinstance(event, ev.ContactAbandoned):
            self._abandoned(event)
        else:
            fn = self._consumers.get(type(event))
            if fn is not None:
                fn(event)

    def consume_all(self, events: Iterable[ev.Event]) -> None:
        for event in events:
            self.consume(event)

    # --- contacts ----------------------------------------------------------------------------
    def _slot(self, queued_at: float, queue: str, channel: str) -> ContactCounts:
        if queued_at < self.count_from:
            return self._discard
        key = (int((queued_at - self.origin) // self.interval_s), queue, channel)
        counts = self.contacts.get(key)
        if counts is None:
            counts = self.contacts[key] = ContactCounts()
        return counts

    def _queued(self, e: ev.ContactQueued) -> None:
        counts = self._slot(e.at, e.queue, e.channel)
        counts.offered += 1
        self._open[e.contact_id] = counts

    def _counts(self, contact_id: str, queued_at: float, queue: str, channel: str
                ) -> ContactCounts:
        """The slot a live contact counts in: where it entered (a callback keeps the channel
        it arrived on). Contacts queued before the stream began are found by their fields."""
        counts = self._open.get(contact_id)
        return counts if counts is not None else self._slot(queued_at, queue, channel)

    def _connected(self, e: ev.ContactConnected) -> None:
        if e.leg:
            return
        counts = self._counts(e.contact_id, e.queued_at, e.first_queue, e.channel)
        wait = e.at - e.queued_at
        counts.answered += 1
        counts.wait_s += wait
        if wait > 0:
            counts.delayed += 1
        if wait <= self.threshold:
            counts.answered_within += 1

    def _completed(self, e: ev.ContactCompleted) -> None:
        counts = self._open.pop(e.contact_id, None)
        if counts is None:
            counts = self._slot(e.queued_at, e.first_queue, e.channel)
        counts.handled += 1
        counts.handle_s += e.at - e.connected_at
        counts.hold_s += e.hold_s
        self._leg_ended(e.agent_id, e.at)

    def _wrap_up_ended(self, e: ev.WrapUpEnded) -> None:
        counts = self._open.get(e.contact_id)
        if counts is not None:
            counts.handled += 1
            counts.handle_s += e.at - e.connected_at
        self._leg_ended(e.agent_id, e.at)

    def _abandoned(self, e: ev.ContactAbandoned) -> None:
        counts = self._open.pop(e.contact_id, None)
        if counts is None:
            counts = self._slot(e.queued_at, e.first_queue, e.channel)
        if e.agent_id is not None:
            self._leg_ended(e.agent_id, e.at)
        if e.legs:
            # Answered before, then lost while waiting after a transfer: not an abandon of
            # the offered contact (it was answered), but counted as lost after transfer.
            counts.transfer_abandoned += 1
            return
        wait = e.at - e.queued_at
        counts.abandoned += 1
        counts.abandon_wait_s += wait
        if wait <= self.short:
            counts.short_abandoned += 1
        if wait <= self.threshold:
            counts.abandoned_within += 1

    def _diverted(self, e: ev.ContactDiverted) -> None:
        counts = self._open.pop(e.contact_id, None)
        if counts is None:
            counts = self._slot(e.queued_at, e.first_queue, e.channel)
        counts.diverted += 1

    def _callback(self, e: ev.CallbackRequested) -> None:
        counts = self._open.get(e.contact_id)
        if counts is not None:
            counts.callbacks += 1

    def _transferred(self, e: ev.ContactTransferred) -> None:
        counts = self._open.get(e.contact_id)
        if counts is not None:
            counts.transfers += 1
            if e.wrap_up_until is None:
                counts.handled += 1
                counts.handle_s += e.at - e.connected_at
        if e.wrap_up_until is None:
            self._leg_ended(e.agent_id, e.at)

    # --- agent time --------------------------------------------------------------------------
    def _queue_defined(self, e: ev.QueueDefined) -> None:
        self.queue_sites[e.queue] = e.site

    def _agent_registered(self, e: ev.AgentRegistered) -> None:
        clock = self.agents.get(e.agent_id)
        if clock is None:
            clock = self.agents[e.agent_id] = _AgentClock(e.site)
            clock.since = e.at
        else:
            self._close(clock, e.at)
            clock.site = e.site

    def _close(self, clock: _AgentClock, at: float) -> None:
        """Book the time since the agent's last change to the state they were in."""
        start = clock.since
        clock.since = at
        if clock.presence == OFFLINE or at <= start:
            return
        if clock.legs:
            field = "busy_s"
        elif clock.presence == READY:
            field = "ready_idle_s"
        else:
            field = "not_ready_s"
        size = self.interval_s
        origin = self.origin
        while start < at:
            index = int((start - origin) // size)
            end = min(at, origin + (index + 1) * size)
            key = (index, clock.site)
            slot = self.agent_time.get(key)
            if slot is None:
                slot = self.agent_time[key] = AgentTime()
            setattr(slot, field, getattr(slot, field) + (end - start))
            start = end

    def _presence(self, e: ev.AgentLoggedIn | ev.PresenceChanged) -> None:
        clock = self.agents[e.agent_id]
        self._close(clock, e.at)
        clock.presence = READY if e.ready else NOT_READY

    def _logged_out(self, e: ev.AgentLoggedOut) -> None:
        clock = self.agents[e.agent_id]
        self._close(clock, e.at)
        clock.presence = OFFLINE
        clock.legs = 0

    def _reserved(self, e: ev.ReservationCreated) -> None:
        clock = self.agents[e.agent_id]
        self._close(clock, e.at)
        clock.legs += 1

    def _offer_ended(self, e: ev.ReservationRejected | ev.ReservationTimedOut
                     | ev.ReservationRevoked) -> None:
        self._leg_ended(e.agent_id, e.at)

    def _leg_ended(self, agent_id: str, at: float) -> None:
        clock = self.agents[agent_id]
        self._close(clock, at)
        clock.legs -= 1

    def finish(self, at: float) -> None:
        """Book every agent's time up to ``at`` (the end of the run or 'now')."""
        for clock in self.agents.values():
            self._close(clock, at)

    def report(self, *, queue_filter: Callable[[str], bool] | None = None) -> KpiReport:
        return build_report(self, queue_filter=queue_filter)
