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
