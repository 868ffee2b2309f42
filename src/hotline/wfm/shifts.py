"""Shift templates: when a shift may start, how long it lasts, and where its breaks may go.

All times are minutes: start times from midnight of the working day, break offsets from the
shift's start. A template with ``earliest_start=360, latest_start=480, start_step=30`` offers
starts at 06:00, 06:30, … 08:00.

    >>> lunch = BreakRule(name="lunch", minutes=60, earliest=210, latest=300, paid=False)
    >>> day = ShiftTemplate(name="day", earliest_start=360, latest_start=480, length=540,
    ...                     breaks=(lunch,))
    >>> day.paid_minutes, day.starts()
    (480, (360, 390, 420, 450, 480))
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.wfm.errors import ShiftTemplateError

MINUTES_PER_DAY = 1440


def hhmm(minutes: int) -> str:
    """Format minutes as ``H:MM`` (``hhmm(570) == '9:30'``)."""
    return f"{minutes // 60}:{minutes % 60:02d}"


@dataclass(frozen=True, kw_only=True, slots=True)
class BreakRule:
    """One break of a shift: ``minutes`` long, starting between ``earliest`` and ``latest``
    minutes after the shift's start (both inclusive), paid or not."""

    name: str
    minutes: int
    earliest: int
    latest: int
    paid: bool = True


@dataclass(frozen=True, kw_only=True, slots=True)
class ShiftTemplate:
    """A kind of shift; see the module docstring. ``cost_per_paid_hour`` prices it."""

    name: str
    earliest_start: int
    latest_start: int
    length: int
    start_step: int = 30
    breaks: tuple[BreakRule, ...] = ()
    break_step: int = 30
    cost_per_paid_hour: float = 1.0

    def __post_init__(self) -> None:
        _check_template(self)

    @property
    def paid_minutes(self) -> int:
        """Length less the unpaid breaks."""
        return self.length - sum(b.minutes for b in self.breaks if not b.paid)

    def starts(self) -> tuple[int, ...]:
        """Start times offered, minutes from midnight."""
        return tuple(range(self.earliest_start, self.latest_start + 1, self.start_step))

    def break_offsets(self, rule: BreakRule) -> tuple[int, ...]:
        """Offsets (from the shift's start) at which ``rule``'s break may start."""
        return tuple(range(rule.earliest, rule.latest + 1, self.break_step))


def _check_template(t: ShiftTemplate) -> None:
    def fail(reason: str) -> ShiftTemplateError:
        return ShiftTemplateError(f"shift {t.name!r}: {reason}")

    if not t.name:
        raise ShiftTemplateError("shift: name is empty")
    if not 0 <= t.earliest_start < MINUTES_PER_DAY:
        raise fail(f"earliest_start {t.earliest_start} min is not within the day (0–1439)")
    if not t.earliest_start <= t.latest_start < MINUTES_PER_DAY:
        raise fail(
            f"latest_start {hhmm(t.latest_start)} is before earliest_start "
            f"{hhmm(t.earliest_start)} or past the day's end"
        )
    if t.start_step <= 0:
        raise fail(f"start_step must be positive, got {t.start_step}")
    if t.break_step <= 0:
        raise fail(f"break_step must be positive, got {t.break_step}")
    if not 0 < t.length <= MINUTES_PER_DAY:
        raise fail(f"length must be between 1 and 1440 min, got {t.length}")
    if t.cost_per_paid_hour < 0:
        raise fail(f"cost_per_paid_hour must not be negative, got {t.cost_per_paid_hour}")
    names: set[str] = set()
    previous: BreakRule | None = None
    for b in t.breaks:
        where = f"break {b.name!r}"
        if b.name in names:
            raise fail(f"{where} is defined twice")
        names.add(b.name)
        if b.minutes <= 0:
            raise fail(f"{where}: minutes must be positive, got {b.minutes}")
        if b.earliest < 0:
            raise fail(f"{where}: window starts {b.earliest} min before the shift starts")
        if b.latest < b.earliest:
            raise fail(
                f"{where}: window latest {hhmm(b.latest)} is before earliest {hhmm(b.earliest)}"
            )
        if b.latest + b.minutes > t.length:
            raise fail(
                f"{where}: window ends {hhmm(b.latest + b.minutes)} after the shift's start, "
                f"outside the shift (length {hhmm(t.length)})"
            )
        # Windows in order and apart, so any choice of offsets gives an agent non-overlapping
        # breaks; this is what lets the plan count breaks per shift instead of per agent.
        if previous is not None and previous.latest + previous.minutes > b.earliest:
            raise fail(
                f"{where}: window overlaps the window of break {previous.name!r} "
                "(break windows must be in order and must not overlap)"
            )
        previous = b
