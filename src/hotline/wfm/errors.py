"""Errors of the workforce-management maths. Each names the item and the reason."""


class WfmError(ValueError):
    """Base class: bad input to a WFM calculation."""
