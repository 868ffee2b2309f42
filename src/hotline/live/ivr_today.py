"""Today's IVR figures in the live server, kept across a restart.

`IvrToday` counts every finished IVR part (and survey leg) since local midnight: containment,
the drop-out funnel per node, authentication successes and lockouts (`hotline.ivr.metrics`).
IVR calls are not in the event log (it holds what the routing engine did), so the day's
counts go to an `IvrDays` store instead: ``flush`` writes them when they changed (the server
calls it every 30 s and on stopping) and a restart on the same day reads them back, so the
wallboard does not start the day again at zero. A crash loses at most the last 30 s of calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from hotline.channels.ivr_call import CallResult
from hotline.ivr.actions import SurveyAnswered
from hotline.ivr.metrics import IvrReport, IvrTally
from hotline.live.today import day_start

FLUSH_S = 30.0


class IvrDays(Protocol):
    """Where each day's IVR counts are kept (``store.sql.ivr_days.IvrDayStore``)."""

    def load(self, day: str) -> Mapping[str, Any] | None: ...

    def save(self, day: str, tally: Mapping[str, Any]) -> None: ...


class MemoryIvrDays:
    """The in-memory `IvrDays`, for tests and a server without a database."""

    def __init__(self) -> None:
        self.days: dict[str, dict[str, Any]] = {}

    def load(self, day: str) -> Mapping[str, Any] | None:
        return self.days.get(day)

    def save(self, day: str, tally: Mapping[str, Any]) -> None:
        self.days[day] = dict(tally)


class IvrToday:
    """Today's IVR figures (since local midnight in ``zone``), read back from ``days``."""

    def __init__(self, zone: ZoneInfo, now: Callable[[], float], *,
                 days: IvrDays | None = None) -> None:
        self.zone = zone
        self._now = now
        self.days = days
        self._day = day_start(now(), zone)  # local midnight, as a timestamp
        self.tally = self._load()
        self.dirty = False

    def day(self) -> str:
        """Today's date, ISO (the key of its counts)."""
        return datetime.fromtimestamp(self._day, self.zone).date().isoformat()

    def _load(self) -> IvrTally:
        found = self.days.load(self.day()) if self.days is not None else None
        return IvrTally.from_json(found) if found is not None else IvrTally()

    def _roll(self) -> None:
        day = day_start(self._now(), self.zone)
        if day != self._day:
            self.flush()  # yesterday's last calls
            self._day = day
            self.tally = self._load()

    def add(self, result: CallResult, *, survey: bool = False) -> None:
        """Count a call's IVR part; of a survey leg only the answer (the leg ends the call
        again, which must not count as a second call ending in the IVR)."""
        self._roll()
        events = result.ivr_events
        self.tally.add_call([e for e in events if isinstance(e, SurveyAnswered)] if survey
                            else events)
        self.dirty = True

    def flush(self) -> bool:
        """Write the day's counts if they changed since the last flush; True if written."""
        if not self.dirty or self.days is None:
            return False
        self.days.save(self.day(), self.tally.to_json())
        self.dirty = False
        return True

    def report(self) -> IvrReport:
        self._roll()
        return self.tally.report()

    def to_dict(self, *, top: int = 12) -> dict[str, Any]:
        """JSON for the wallboard: outcomes, containment, authentication and the funnel's
        ``top`` nodes by calls reached, with their drop-outs."""
        r = self.report()
        return {
            "day": self.day(),
            "entered": r.entered, "outcomes": dict(r.outcomes),
            "containment": r.containment, "served_containment": r.served_containment,
            "auth_calls": r.auth_calls, "auth_succeeded": r.auth_succeeded,
            "auth_success_rate": r.auth_success_rate, "wrong_pins": r.wrong_pins,
            "lockouts": r.lockouts, "survey_answers": r.survey_answers, "csat": r.csat,
            "funnel": [{"node": s.node, "entered": s.entered, "dropped": s.dropped,
                        "drop_rate": s.drop_rate} for s in r.funnel[:top]],
        }
