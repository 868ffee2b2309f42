"""The demo's simulated callers: the scenario's traffic, on the demo's virtual clock.

Each traffic stream draws its arrivals like the twin (non-homogeneous Poisson with the
scenario's profile and weekday factors, from the day of the virtual time), one arrival pending
per stream. An arrival enters the IVR. With an IVR runner (``use_ivr``, as ``hotline demo`` has)
the caller walks the real flows (`hotline.live.demo_ivr`) and the flow's hand-over to agents is
routed here (``handle``): the stream's attributes, overridden by what the flow learnt, pick
the scenario's workflow. Without one a share ``to_agent`` of the arrivals leaves the IVR after
the IVR time and is offered to the stream's workflow, the rest is contained. A caller who is
not connected within their patience hangs up. A caller whose call an agent ended may answer
the survey (``SURVEY_SHARE``; with the runner, the flow's survey), a little later, through the
``survey`` sink. Every duration is drawn in
virtual seconds and runs ``speed`` times faster on the clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from hotline.channels.telephony import CallArrived
from hotline.core import events as ev
from hotline.core.commands import AbandonContact, OfferContact, RequestCallback
from hotline.core.errors import CoreError
from hotline.core.live import RESERVED, WAITING
from hotline.live.centre import LiveCentre
from hotline.live.demo_ivr import WalkingCallers
from hotline.live.demo_time import Pace, Timers, local_midnight, log
from hotline.live.ivr_runner import IvrRunner
from hotline.sim.scenario import Scenario, Traffic
from hotline.sim.traffic import TrafficModel

Value = str | int | float | bool

#: Share of callers who authenticated in the IVR before asking for an agent.
AUTHENTICATED_SHARE = 0.8
#: Share of callers who answer the survey after an agent ended their call, and their scores
#: 1–5: top two boxes 87 %, near the reference centre's published satisfaction (> 85 %).
SURVEY_SHARE = 0.35
SURVEY_WEIGHTS = (0.03, 0.03, 0.07, 0.25, 0.62)
#: Reason digits asked for scores of 3 and below, as in the bank-hotline flow: 1 waited too
#: long, 2 problem not solved, 3 menu too complicated, 4 other.
SURVEY_REASONS = ("1", "2", "3", "4")
SURVEY_REASON_WEIGHTS = (0.4, 0.35, 0.1, 0.15)
SURVEY_S = (8.0, 20.0)  # virtual seconds from the agent's hang-up to the last key
#: Where a survey answer goes: (contact_id, score, reason digit or None).
SurveySink = Callable[[str, int, str | None], object]


@dataclass(kw_only=True, slots=True)
class Call:
    """What the floor knows of a contact it offered: how long the caller talks and wraps up."""

    handle: Callable[[], float]  # clock seconds of conversation, drawn when connected
    wrap_up: Callable[[], float] | None  # clock seconds of wrap-up; None: the workflow's limit
    patience: int | None = None  # the pending hang-up, while the caller waits


@dataclass(kw_only=True, slots=True)
class Counters:
    offered: int = 0
    abandoned: int = 0
    ivr_entered: int = 0
    ivr_contained: int = 0
    accepted: int = 0
    ended: int = 0
    wrapped_up: int = 0


class _Stream:
    __slots__ = ("model", "next_at", "spec", "token")

    def __init__(self, spec: Traffic, model: TrafficModel) -> None:
        self.spec = spec
        self.model = model
        self.next_at = math.inf
        self.token: int | None = None


class Callers:
    """Arrivals, IVR, offers and hang-ups of the scenario's callers."""

    def __init__(self, centre: LiveCentre, scenario: Scenario, *, rng: random.Random,
                 pace: Pace, timers: Timers, counters: Counters, customers: Sequence[str],
                 vip_customers: Sequence[str], survey: SurveySink | None = None) -> None:
        self.centre = centre
        self.survey = survey
        self.rng = rng
        self.pace = pace
        self.timers = timers
        self.counters = counters
        self.customers = tuple(customers)
        self.vip_customers = tuple(vip_customers)
        # One day per traffic model: the next day's model is built when the day runs out.
        self._day = scenario.model_copy(update={"days": 1.0})
        self.calls: dict[str, Call] = {}
        self._numbers = 0
        now = pace.virtual(centre.clock.now())
        self._streams = [_Stream(t, self._model(t, now)) for t in scenario.traffic]
        self.ivr: IvrRunner | None = None
        self.walking: WalkingCallers | None = None
        self._in_ivr: dict[str, TrafficModel] = {}  # calls in the IVR: their stream
        self._ivr_agents = frozenset(("intent", "language", "authenticated", "segment",
                                      "customer_id", "card"))

    def use_ivr(self, runner: IvrRunner, walking: WalkingCallers) -> None:
        """Callers walk the real flows through ``runner`` (whose routing is this object)."""
        self.ivr, self.walking = runner, walking

    def _model(self, spec: Traffic, virtual_t: float) -> TrafficModel:
        return TrafficModel(spec, self._day, local_midnight(virtual_t, self._day.zone), self.rng)

    # --- arrivals ----------------------------------------------------------------------------
    def start(self) -> None:
        """Draw every stream's next arrival from the current virtual time."""
        now = self.pace.virtual(self.centre.clock.now())
        contacts = self.centre.engine.contacts
        # Calls that ended while the floor was stopped (it did not hear them end).
        for cid in [c for c in self.calls if c not in contacts]:
            del self.calls[cid]
        for s in self._streams:
            self.timers.cancel(s.token)
            s.model = self._model(s.spec, now)
            self._schedule(s, now)

    def reschedule(self) -> None:
        """After a change of speed: redraw the pending arrivals (exact, arrivals being
        memoryless) so the new rate applies at once."""
        now = self.pace.virtual(self.centre.clock.now())
        for s in self._streams:
            self.timers.cancel(s.token)
            self._schedule(s, now)

    def _schedule(self, s: _Stream, after: float) -> None:
        s.token = None
        for _ in range(8):  # a few days with no traffic at all, then the stream ends
            t = s.model.next_arrival(after)
            if t is not None:
                s.next_at = t
                s.token = self.timers.at(self.pace.real(t), lambda: self._arrive(s), "arrival")
                return
            after = max(after, s.model.origin + len(s.model.rates) * s.model.interval_s)
            s.model = self._model(s.spec, after)

    def _arrive(self, s: _Stream) -> None:
        # The next arrival first, so a refused offer cannot stop the stream.
        model = s.model
        self._schedule(s, s.next_at)
        self.counters.ivr_entered += 1
        if self.ivr is not None and self.walking is not None:
            self._ring(model, self.ivr, self.walking)
        elif self.rng.random() < model.to_agent:
            self.timers.after(self.pace.scaled(model.ivr_time()),
                              lambda: self._from_ivr(model), "offer")
        else:
            self.counters.ivr_contained += 1

    def _ring(self, model: TrafficModel, runner: IvrRunner, walking: WalkingCallers) -> None:
        cid = self._contact_id()
        segment, caller = walking.next_caller()
        self._in_ivr[cid] = model
        number = f"13{self.rng.randrange(10**9):09d}"
        runner.ring(CallArrived(call_id=cid, dialled_number=walking.number, caller_number=number),
                    caller, context=walking.settings.context, segment=segment)
        if cid in runner.live:
            return
        self._in_ivr.pop(cid, None)  # over at once (an error): nothing to route

    def ivr_ended(self, outcome: str, call_id: str) -> None:
        """The runner's word that a call's IVR part ended (``hotline.ivr.actions.IvrEnded``)."""
        self._in_ivr.pop(call_id, None)
        if outcome in ("completed", "abandoned"):
            self.counters.ivr_contained += 1

    def handle(self, command: OfferContact | RequestCallback, now: float) -> list[ev.Event]:
        """The IVR shell's routing in the demo: a flow's offer goes to the scenario's workflow
        for the caller's stream, the flow's attributes over the stream's (its intents in the
        scenario's words), and the caller will hang up after their patience."""
        if isinstance(command, RequestCallback):
            return [e for _, e in self.centre.execute(command)]
        model = self._in_ivr.pop(command.contact_id, None) or self._streams[0].model
        attrs = model.attributes()
        intents = self.walking.settings.intents if self.walking is not None else {}
        for name, value in command.attributes.items():
            if name in self._ivr_agents and isinstance(value, str) and value:
                attrs[name] = intents.get(value, value) if name == "intent" else value
        workflow, priority = model.route(attrs)
        caller = self._caller(model, attrs)
        caller.update(attrs)  # the IVR's customer and authentication, not drawn ones
        caller["authenticated"] = attrs.get("authenticated") == "true"
        return self.offer(channel=model.channel, workflow=workflow, priority=priority,
                          attributes=caller, call=self._call(model, model.handle_sampler(attrs)),
                          patience=self.pace.scaled(model.patience()),
                          contact_id=command.contact_id)[1]

    def _from_ivr(self, model: TrafficModel) -> None:
        attrs = model.attributes()
        workflow, priority = model.route(attrs)
        handle = model.handle_sampler(attrs)
        self.offer(channel=model.channel, workflow=workflow, priority=priority,
                   attributes=self._caller(model, attrs), call=self._call(model, handle),
                   patience=self.pace.scaled(model.patience()))

    def _call(self, model: TrafficModel, handle: Callable[[], float]) -> Call:
        pace, wrap = self.pace, model.wrap_up
        return Call(handle=lambda: pace.scaled(handle()),
                    wrap_up=None if wrap is None else (lambda: pace.scaled(wrap())))

    def _caller(self, model: TrafficModel, attrs: Mapping[str, str]) -> dict[str, Value]:
        """The stream's attributes plus what the IVR learnt: intent, authentication, customer."""
        out: dict[str, Value] = dict(attrs)
        out.setdefault("intent", model.spec.name)
        out["authenticated"] = self.rng.random() < AUTHENTICATED_SHARE
        pool = self.customers
        if attrs.get("segment") == "vip" and self.vip_customers:
            pool = self.vip_customers
        if pool:
            out["customer_id"] = pool[self.rng.randrange(len(pool))]
        out["caller_number"] = f"13{self.rng.randrange(10**9):09d}"
        return out

    # --- offers and hang-ups -----------------------------------------------------------------
    def _contact_id(self) -> str:
        self._numbers += 1
        # Unique across restarts: the clock's milliseconds, then a counter of this floor.
        return f"d{int(self.centre.clock.now() * 1000):x}-{self._numbers}"

    def offer(self, *, channel: str, workflow: str, priority: int,
              attributes: Mapping[str, Value], call: Call, patience: float,
              contact_id: str | None = None) -> tuple[str, list[ev.Event]]:
        """Offer one contact now; the caller hangs up after ``patience`` clock seconds unless
        connected by then. Returns the contact id and the offer's events."""
        cid = contact_id or self._contact_id()
        self.calls[cid] = call  # before the offer: an agent may connect within it
        try:
            batch = self.centre.execute(OfferContact(contact_id=cid, channel=channel,
                                                     workflow=workflow, priority=priority,
                                                     attributes=attributes))
        except CoreError:
            self.calls.pop(cid, None)
            raise
        self.counters.offered += 1
        contact = self.centre.engine.contacts.get(cid)
        if math.isfinite(patience) and contact is not None and contact.state in (WAITING,
                                                                                 RESERVED):
            call.patience = self.timers.after(patience, lambda: self._hang_up(cid), "abandon")
        return cid, [e for _, e in batch]

    def _hang_up(self, cid: str) -> None:
        call = self.calls.get(cid)
        if call is not None:
            call.patience = None
        contact = self.centre.engine.contacts.get(cid)
        if contact is None or contact.state not in (WAITING, RESERVED):
            return
        self.centre.execute(AbandonContact(contact_id=cid))
        self.counters.abandoned += 1

    def inject(self, *, workflow: str | None, attributes: Mapping[str, Value] | None,
               handle_s: float | None, patience_s: float | None) -> str:
        """One call of the first stream, offered now (see ``DemoFloor.inject_call``)."""
        for name, value in (("handle_s", handle_s), ("patience_s", patience_s)):
            if value is not None and not value >= 0:
                raise ValueError(f"{name}: must be ≥ 0 seconds, got {value!r}")
        model = self._streams[0].model
        sampled = model.attributes()
        given = dict(attributes or {})
        sampled.update((k, v) for k, v in given.items() if isinstance(v, str))
        routed, priority = model.route(sampled)
        caller = self._caller(model, sampled)
        caller.update(given)
        call = self._call(model, model.handle_sampler(sampled))
        if handle_s is not None:
            call.handle = lambda: handle_s
        return self.offer(channel=model.channel, workflow=workflow or routed,
                          priority=priority if workflow is None else 0, attributes=caller,
                          call=call, patience=math.inf if patience_s is None else patience_s)[0]

    def default_call(self, attributes: Mapping[str, object]) -> Call:
        """For a contact the floor did not offer (a restart, the IVR shell, a transfer)."""
        model = self._streams[0].model
        return self._call(model, model.handle_sampler(
            {k: v for k, v in attributes.items() if isinstance(v, str)}))

    # --- what the engine says ----------------------------------------------------------------
    def heard(self, e: ev.Event) -> None:
        """A caller who is connected, called back or gone no longer hangs up."""
        te = type(e)
        if te is ev.ContactConnected or te is ev.CallbackRequested:
            call = self.calls.get(e.contact_id)  # type: ignore[attr-defined]
            if call is not None:
                self.timers.cancel(call.patience)
                call.patience = None
        elif te in ev.TERMINAL:
            call = self.calls.pop(e.contact_id, None)  # type: ignore[attr-defined]
            if call is not None:
                self.timers.cancel(call.patience)
        elif te is ev.ContactEnded and self.survey is not None and self.ivr is None \
                and e.contact_id in self.calls:  # type: ignore[attr-defined]
            # With the IVR runner the caller answers the flow's own survey instead.
            self._survey(e.contact_id)  # type: ignore[attr-defined]

    def _survey(self, cid: str) -> None:
        """Maybe answer the survey, drawn now (so the floor stays deterministic), keyed later."""
        rng, sink = self.rng, self.survey
        if sink is None or rng.random() >= SURVEY_SHARE:
            return
        score = rng.choices(range(1, 6), SURVEY_WEIGHTS)[0]
        reason = rng.choices(SURVEY_REASONS, SURVEY_REASON_WEIGHTS)[0] if score <= 3 else None

        def answer() -> None:
            try:
                sink(cid, score, reason)
            except ValueError as exc:  # the sink's SurveyError: say, a contact it forgot
                log.debug("demo floor: survey skipped: %s", exc)

        self.timers.after(self.pace.scaled(rng.uniform(*SURVEY_S)), answer, "survey")

    def pending_arrivals(self) -> int:
        return sum(s.token is not None for s in self._streams)
