"""How events become rows of the event log and back, shared by every ``EventLog`` adapter.

``encode`` gives exactly the text of ``hotline.core.events.to_json`` (a test holds it to that)
in about a third of the time: it reads the fields directly instead of going through
``dataclasses.asdict``, which copies every value, and reuses one JSON encoder. Anything the
direct path cannot write falls back to ``to_json``, so the two never disagree.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from hotline.core.events import EVENT_TYPES, Event, from_dict, to_json
from hotline.store.errors import CorruptEvent, EventNotStorable, InvalidArgument

_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode
_FIELDS: dict[type[Event], tuple[str, tuple[str, ...]]] = {
    cls: (name, tuple(f.name for f in fields(cls))) for name, cls in EVENT_TYPES.items()
}


def encode(event: Event, index: int = 0) -> tuple[str, str]:
    """``(type name, to_json text)`` of ``event``, the ``index``-th of its batch.

    >>> from hotline.core.events import WakeUpRequested
    >>> encode(WakeUpRequested(at=1.5, key="k", due=2.0))
    ('WakeUpRequested', '{"at":1.5,"due":2.0,"key":"k","type":"WakeUpRequested"}')
    """
    spec = _FIELDS.get(type(event))
    if spec is None:
        raise EventNotStorable(index, type(event).__name__,
                               "not an event type of hotline.core.events.EVENT_TYPES")
    name, names = spec
    at = event.at
    # at - at is 0.0 for finite floats only (nan and inf give nan); the common case costs one
    # comparison, the rest goes through the full check.
    if type(at) is not float or at - at != 0.0:
        _check_at(at, index, name)
    data: dict[str, Any] = {n: getattr(event, n) for n in names}
    data["type"] = name
    try:
        return name, _ENCODE(data)
    except (TypeError, ValueError):
        pass
    try:
        return name, to_json(event)
    except (TypeError, ValueError, RecursionError) as exc:
        raise EventNotStorable(index, name, f"cannot be written as JSON ({exc})") from None


def _check_at(at: object, index: int, name: str) -> None:
    if isinstance(at, bool) or not isinstance(at, int | float):
        raise EventNotStorable(index, name, f"at: must be seconds since the epoch, got {at!r}")
    if not math.isfinite(at):
        raise EventNotStorable(index, name, f"at: must be finite, got {at!r}")


def iso_utc(at: float) -> str:
    """The instant as aware UTC ISO-8601 with microseconds, for people and SQL.

    Exactly ``datetime.fromtimestamp(at, UTC).isoformat(timespec="microseconds")`` (a test
    holds it to that), in a third of the time: the date and time of the whole second are
    computed once per second, and the microseconds rounded as ``datetime`` rounds them
    (half to even).

    >>> iso_utc(0.25)
    '1970-01-01T00:00:00.250000+00:00'
    """
    frac, whole = math.modf(at)
    micro = round(frac * 1e6)
    if micro >= 1_000_000:
        micro -= 1_000_000
        whole += 1.0
    elif micro < 0:
        micro += 1_000_000
        whole -= 1.0
    global _last_second
    second = int(whole)
    cached = _last_second
    if cached[0] != second:
        # One tuple, replaced whole: threads never see a second with another second's text.
        cached = _last_second = (
            second, datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    return f"{cached[1]}.{micro:06d}+00:00"


_last_second: tuple[int | None, str] = (None, "")


def decode(source: str, seq: int, kind: object, data: object) -> Event:
    """Rebuild the event of row ``seq``; a ``CorruptEvent`` naming the seq and the reason."""
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise CorruptEvent(source, seq, f"unknown event type {kind!r}")
    if not isinstance(data, str | bytes):
        raise CorruptEvent(source, seq, f"data is not text (got {type(data).__name__})")
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise CorruptEvent(source, seq, f"data is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise CorruptEvent(source, seq, "data is not a JSON object")
    if obj.get("type") != kind:
        raise CorruptEvent(source, seq,
                           f"data says type {obj.get('type')!r} but the row says {kind!r}")
    at = obj.get("at")
    if isinstance(at, bool) or not isinstance(at, int | float):
        raise CorruptEvent(source, seq, f"at: must be a number, got {at!r}")
    try:
        return from_dict(obj)
    except (TypeError, ValueError) as exc:
        raise CorruptEvent(source, seq, str(exc)) from None


def check_read(after: object, limit: object) -> None:
    """``after`` is a whole number ≥ 0; ``limit`` is None or a whole number ≥ 0."""
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise InvalidArgument("after", f"must be a whole number ≥ 0, got {after!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or limit < 0):
        raise InvalidArgument("limit", f"must be None or a whole number ≥ 0, got {limit!r}")
