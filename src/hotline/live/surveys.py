"""Post-call survey answers on the live server: checked at the edge, stored, counted into
today's CSAT by queue, agent and site.

``Surveys`` hears the centre's events, so it knows of each recent contact the queue it was
answered from, the agent who talked last, and whether that agent's leg has ended; the site is
the agent's (else the queue's). ``answer(contact_id, score, reason)`` takes what the caller
keyed after the agent left (the IVR shell's survey, or the demo's simulated callers), refuses
it with a ``SurveyError`` naming the field (``contact_id``, ``score``, ``reason``), stores it
through a ``SurveyPort`` (SQL in the server, ``InMemorySurveyStore`` in tests) and counts it.
Today starts at local midnight in the centre's zone; ``load`` reads today's answers back from
the store after a restart.

>>> from zoneinfo import ZoneInfo
>>> from hotline.core import events as ev
>>> surveys = Surveys(InMemorySurveyStore(), zone=ZoneInfo("Asia/Shanghai"),
...                   clock=lambda: 1_780_000_000.0)
>>> surveys.learn(ev.ContactEnded(at=1_779_999_990.0, contact_id="c1", agent_id="a1",
...                               wrap_up_until=1_780_000_050.0))
>>> surveys.answer("c1", 4)
Traceback (most recent call last):
...
hotline.metrics.csat.SurveyError: contact_id: no agent has talked with contact 'c1' lately
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from hotline.core import events as ev
from hotline.live.centre import Batch
from hotline.live.today import day_start
from hotline.metrics.csat import (
    AlreadySurveyed,
    CsatCounter,
    SurveyAnswer,
    SurveyError,
    check_reason,
    check_score,
)

#: Recent contacts remembered for their survey; a caller answers within minutes of the call.
KEEP_CONTACTS = 50_000


class SurveyPort(Protocol):
    """Where answers are kept (``hotline.store.sql.surveys.SurveyStore`` in the server).

    ``record`` raises ``AlreadySurveyed`` for a second, different answer of a contact and
    returns the stored answer for the same one again."""

    def record(self, *, contact_id: str, agent_id: str | None, queue: str | None,
               site: str | None, score: int, reason: str | None, at: datetime
               ) -> SurveyAnswer: ...

    def since(self, at: datetime) -> list[SurveyAnswer]: ...


class InMemorySurveyStore:
    """The port in memory, with the SQL store's rules, for tests and the simulator."""

    def __init__(self) -> None:
        self.answers: dict[str, SurveyAnswer] = {}

    def record(self, *, contact_id: str, agent_id: str | None, queue: str | None,
               site: str | None, score: int, reason: str | None, at: datetime
               ) -> SurveyAnswer:
        answer = SurveyAnswer(contact_id=contact_id, agent_id=agent_id, queue=queue, site=site,
                              score=score, reason=reason, at=at.astimezone(UTC))
        stored = self.answers.setdefault(contact_id, answer)
        if stored != answer:
            raise AlreadySurveyed(contact_id)
        return stored

    def since(self, at: datetime) -> list[SurveyAnswer]:
        return sorted((a for a in self.answers.values() if a.at >= at),
                      key=lambda a: (a.at, a.contact_id))


class _Handled:
    __slots__ = ("agent_id", "ended", "queue")

    def __init__(self, queue: str, agent_id: str) -> None:
        self.queue = queue
        self.agent_id = agent_id
        self.ended = False


class Surveys:
    """Today's survey answers of one centre; see the module docstring."""

    def __init__(self, store: SurveyPort, *, zone: ZoneInfo, clock: Callable[[], float],
                 interval_minutes: int = 30, keep: int = KEEP_CONTACTS) -> None:
        self.store = store
        self.zone = zone
        self.clock = clock
        self.interval_minutes = interval_minutes
        self.keep = keep
        self._handled: dict[str, _Handled] = {}
        self._agent_site: dict[str, str] = {}
        self._queue_site: dict[str, str | None] = {}
        self._start(day_start(clock(), zone))

    def _start(self, start: float) -> None:
        origin = datetime.fromtimestamp(start, self.zone)
        self.start = start
        self.end = datetime.combine(origin.date() + timedelta(days=1), datetime.min.time(),
                                    tzinfo=self.zone).timestamp()
        self.counter = CsatCounter(origin=origin, interval_minutes=self.interval_minutes)

    def today(self, now: float) -> CsatCounter:
        """Today's counter as of ``now`` (a new, empty one from local midnight on)."""
        if now >= self.end:
            self._start(day_start(now, self.zone))
        return self.counter

    def report(self, now: float) -> dict[str, Any]:
        """Today's CSAT as plain data: totals, by queue, agent, site and interval."""
        counter = self.today(now)
        return {"day_start": counter.origin.astimezone(UTC).isoformat(), **counter.report()}

    # --- what happened to contacts -----------------------------------------------------------
    def learn(self, e: ev.Event) -> None:
        t = type(e)
        if t is ev.ContactConnected:
            c: ev.ContactConnected = e  # type: ignore[assignment]
            self._handled.pop(c.contact_id, None)  # a new leg: to the end of the line
            self._handled[c.contact_id] = _Handled(c.queue, c.agent_id)
            if len(self._handled) > self.keep:
                del self._handled[next(iter(self._handled))]
        elif t is ev.ContactEnded or t is ev.ContactCompleted:
            handled = self._handled.get(e.contact_id)  # type: ignore[attr-defined]
            if handled is not None:
                handled.ended = True
        elif t is ev.ContactTransferred or t is ev.ContactAbandoned:
            # Waiting again, or gone while waiting: nobody to ask (until an agent ends it).
            handled = self._handled.get(e.contact_id)  # type: ignore[attr-defined]
            if handled is not None:
                handled.ended = False
        elif t is ev.AgentRegistered or t is ev.AgentUpdated:
            self._agent_site[e.agent_id] = e.site  # type: ignore[attr-defined]
        elif t is ev.QueueDefined:
            q: ev.QueueDefined = e  # type: ignore[assignment]
            self._queue_site[q.queue] = q.site

    def learning(self, events: Iterable[ev.Event]) -> Iterator[ev.Event]:
        """Pass ``events`` on, learning from each (one read of the log serves two readers)."""
        for e in events:
            self.learn(e)
            yield e

    def heard(self, batch: Batch) -> None:
        for _, e in batch:
            self.learn(e)

    def load(self) -> int:
        """Count today's answers from the store (at start-up); returns how many."""
        counter = self.today(self.clock())
        answers = self.store.since(counter.origin)
        for answer in answers:
            if answer.contact_id not in counter.contacts:
                counter.add(answer)
        return len(answers)

    # --- answers -----------------------------------------------------------------------------
    def answer(self, contact_id: object, score: object, reason: object = None, *,
               at: float | None = None) -> SurveyAnswer:
        """Record a caller's answer about ``contact_id`` (now, unless ``at`` is given)."""
        if not isinstance(contact_id, str) or not contact_id:
            raise SurveyError("contact_id", f"must be a non-empty text, got {contact_id!r}")
        score, reason = check_score(score), check_reason(reason)
        handled = self._handled.get(contact_id)
        if handled is None:
            raise SurveyError("contact_id",
                              f"no agent has talked with contact {contact_id!r} lately")
        if not handled.ended:
            raise SurveyError("contact_id", f"contact {contact_id!r} is not done with an agent "
                                            f"(with or waiting for {handled.agent_id!r})")
        when = self.clock() if at is None else at
        counter = self.today(when)
        if contact_id in counter.contacts:
            raise AlreadySurveyed(contact_id)
        site = self._agent_site.get(handled.agent_id) or self._queue_site.get(handled.queue)
        answer = self.store.record(
            contact_id=contact_id, agent_id=handled.agent_id, queue=handled.queue, site=site,
            score=score, reason=reason, at=datetime.fromtimestamp(when, UTC))
        if when >= counter.origin.timestamp():
            counter.add(answer)
        return answer
