"""The centre's opening hours as the live IVR hears them: each call's context when it arrives.

`OpeningHours` keeps the directory's business hours and holidays in memory (``load``: at
start-up, and after every admin change, so the next call hears the change without a restart)
and answers ``context(arrived)`` with ``business_hours`` and ``holiday`` at the centre's clock
(`hotline.ivr.opening` has the rules).

Which site's hours a call hears: the site its dialled number is listed under in ``sites``
(e.g. ``{"95588-1": "beijing"}``, a number that rings one site), else ``site``; ``None``, the
default, is the whole centre, open while any site with hours is. The shipped flows take every
caller on one national number and route to a site only after the IVR, so by default a caller
hears "closed" only when no site is working. No hours at all: always open.

Thread-safe for readers: the ARI line asks from its worker thread, and ``load`` swaps one
tuple, which the worker reads whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from hotline.channels.telephony import CallArrived
from hotline.ivr.opening import Holiday, Hours, Opening, opening


class OpeningHours:
    """Business hours and holidays in memory; ``context`` at the moment a call arrives."""

    def __init__(self, zone: ZoneInfo, clock: Callable[[], float], *,
                 sites: Mapping[str, str] | None = None, site: str | None = None) -> None:
        self.zone = zone
        self.clock = clock
        self.sites = MappingProxyType(dict(sites or {}))
        self.site = site
        self._records: tuple[tuple[Hours, ...], tuple[Holiday, ...]] = ((), ())

    def load(self, hours: Iterable[Hours], holidays: Iterable[Holiday]) -> None:
        """Take the directory's records (all of them: the previous ones are forgotten)."""
        self._records = (tuple(hours), tuple(holidays))

    def site_of(self, dialled_number: str) -> str | None:
        """The site whose hours a call to ``dialled_number`` hears (None: the centre)."""
        return self.sites.get(dialled_number, self.site)

    def now(self, site: str | None) -> Opening:
        """Open or not, holiday or not, for ``site`` (None: the centre) on the clock."""
        hours, holidays = self._records
        at = datetime.fromtimestamp(self.clock(), UTC)
        return opening(hours, holidays, site=site, zone=self.zone, at=at)

    def context(self, arrived: CallArrived) -> dict[str, str]:
        """The flows' ``business_hours`` and ``holiday`` for a call that just arrived."""
        return self.now(self.site_of(arrived.dialled_number)).context()
