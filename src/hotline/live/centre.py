"""The live centre: one engine in real time, every event persisted before anyone hears of it.

``execute(command)`` runs the command on the engine at the clock's ``now``, appends the events
to the event log, arms the timers they ask for, and only then tells the listeners (the
WebSocket streams, the KPI counters, the demo floor). A rejected command raises the engine's
typed error and changes nothing. If the log refuses the events, the engine is rebuilt from the
log, so memory never runs ahead of what is stored, and the error goes to the caller.

After a crash, ``LiveCentre(log=…)`` replays the log: agents, waiting contacts (in their
order), reservations and timers come back as they were; timers already due fire at once (a
reservation that expired while the process was down times out, so no agent stays reserved).

>>> from hotline.live.clock import ManualClock
>>> from hotline.store.eventlog_memory import InMemoryEventLog
>>> from hotline.core.commands import DefineQueue
>>> from hotline.core.definitions import QueueSpec
>>> centre = LiveCentre(log=InMemoryEventLog(), clock=ManualClock(0.0))
>>> cards = QueueSpec(name="cards", expression="skills.cards >= 1")
>>> [seq for seq, _ in centre.execute(DefineQueue(queue=cards))]
[1]
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from hotline.banking.masking import mask_pan
from hotline.core import events as ev
from hotline.core.commands import Command, OfferContact, TimerFired
from hotline.core.engine import Engine, EngineConfig
from hotline.core.errors import CoreError
from hotline.core.live import reservation_timer, step_timer, wrap_up_timer
from hotline.core.ports import EventLog
from hotline.live.clock import Cancel, Clock

Batch = Sequence[tuple[int, ev.Event]]
_CARD_DIGITS = 12  # a run of this many digits may be a card number
Listener = Callable[[Batch], None]

log = logging.getLogger(__name__)


class LiveCentre:
    """Owns the engine. One caller at a time: the server calls it from the event loop only."""

    def __init__(self, *, log: EventLog, clock: Clock, config: EngineConfig | None = None) -> None:
        self.log = log
        self.clock = clock
        self.config = config
        self._listeners: list[Listener] = []
        self._timers: dict[str, Cancel] = {}
        self.engine = Engine.replay((e for _, e in log.read()), config)
        self.seq = log.last_seq()
        self._rearm()

    # --- commands ----------------------------------------------------------------------------
    def execute(self, command: Command) -> list[tuple[int, ev.Event]]:
        """Run ``command`` now; return its events with their sequence numbers (maybe none)."""
        if type(command) is OfferContact:
            command = masked_offer(command)
        events = self.engine.handle(command, self.clock.now())
        if not events:
            return []
        try:
            last = self.log.append(events)
        except Exception:
            self._rebuild()
            raise
        first = last - len(events) + 1
        batch = [(first + i, e) for i, e in enumerate(events)]
        self.seq = last
        for e in events:
            if type(e) is ev.WakeUpRequested:
                self._arm(e.key, e.due)
        if self._timers:
            self._disarm_moot(events)
        for listener in tuple(self._listeners):
            try:
                listener(batch)
            except Exception:  # a broken listener must not undo a persisted command
                log.exception("listener failed on events %d..%d", first, last)
        return batch

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every batch of events from now on; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # --- timers ------------------------------------------------------------------------------
    def _arm(self, key: str, due: float) -> None:
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        self._timers[key] = self.clock.call_at(due, lambda: self._fire(key))

    def _disarm_moot(self, events: Sequence[ev.Event]) -> None:
        """Cancel the timers these events made moot: the engine no longer holds their key (an
        accepted offer's timeout, a connected contact's step, a finished wrap-up's limit).
        Fired, such a timer changes nothing, but until then (tens of seconds) it kept a handle
        and its callback alive through young collections, three per call. Only the keys that
        the events' ids name are looked at, so this costs the same on any floor."""
        armed, held = self._timers, self.engine.timers
        for e in events:
            contact_id: str | None = getattr(e, "contact_id", None)
            if contact_id is None:
                continue
            keys = [step_timer(contact_id)]
            reservation_id: str | None = getattr(e, "reservation_id", None)
            if reservation_id is not None:
                keys.append(reservation_timer(reservation_id))
            agent_id: str | None = getattr(e, "agent_id", None)
            if agent_id is not None:
                keys.append(wrap_up_timer(agent_id, contact_id))
            for key in keys:
                if key in armed and key not in held:
                    armed.pop(key).cancel()

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        try:
            self.execute(TimerFired(key=key))
        except CoreError:
            log.exception("timer %r refused", key)

    def _rearm(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for key, due in sorted(self.engine.timers.items(), key=lambda kv: (kv[1], kv[0])):
            self._arm(key, due)

    def _rebuild(self) -> None:
        log.error("event log refused a batch; rebuilding the engine from the log")
        self.engine = Engine.replay((e for _, e in self.log.read()), self.config)
        self.seq = self.log.last_seq()
        self._rearm()

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._listeners.clear()


def masked_offer(command: OfferContact) -> OfferContact:
    """The offer with any attribute that looks like a card number masked: whatever a channel
    passes along, a full card number never reaches the event log."""
    attributes = command.attributes
    if not any(isinstance(v, str) and len(v) >= _CARD_DIGITS and v.isdigit()
               for v in attributes.values()):
        return command
    return OfferContact(
        contact_id=command.contact_id, channel=command.channel, workflow=command.workflow,
        priority=command.priority,
        attributes={k: mask_pan(v) if isinstance(v, str) and len(v) >= _CARD_DIGITS
                    and v.isdigit() else v for k, v in attributes.items()})
