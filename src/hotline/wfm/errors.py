"""Errors of the workforce-management maths. Each names the item and the reason."""


class WfmError(ValueError):
    """Base class: bad input to a WFM calculation."""


class ShiftTemplateError(WfmError):
    """A shift template or one of its breaks is inconsistent."""


class TourRuleError(WfmError):
    """Weekly tour rules (days on, days off) are inconsistent or admit no pattern."""


class ContractError(WfmError):
    """An agent contract is inconsistent (hours, availability)."""


class RequirementError(WfmError):
    """A staffing requirement series is malformed (negative, wrong length, misaligned)."""


class ScheduleSolveError(WfmError):
    """The scheduling solver returned no usable solution."""


class BreakReoptimisationError(WfmError):
    """Intraday break input is inconsistent (break outside its window or shift, naive time)."""


class QueueInputError(WfmError):
    """A queue input (calls, AHT, patience, agents) is missing, negative or zero.

    The message names the field and, for a series, the interval index:
    ``interval 3: calls must be zero or more (got -5.0)``.
    """

    def __init__(self, field: str, reason: str, *, index: int | None = None) -> None:
        self.field = field
        self.index = index
        self.reason = reason
        where = f"interval {index}: " if index is not None else ""
        super().__init__(f"{where}{field} {reason}")


class TargetError(WfmError):
    """A staffing target is malformed (out of range, or needs a model input it lacks)."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(f"target {target}: {reason}")


class ImpossibleTargetError(TargetError):
    """A staffing target that no finite number of agents can meet."""


class HistoryError(WfmError):
    """A history of interval volumes is unusable: names the row or field and the reason."""


class CalendarError(WfmError):
    """A calendar (weekend, special days, country) is malformed: names the item and the reason."""


class ForecastError(WfmError):
    """A forecast cannot be made from the given input: names the parameter and the reason."""


class ScheduleInputError(WfmError):
    """A scheduling input file is malformed; the message names the file, the field and why."""
