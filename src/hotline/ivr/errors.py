"""Errors of the IVR: bad flow documents and inputs a call cannot take.

Each names the item (a node path such as ``nodes.main_menu.options.3``) and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PLAIN = re.compile(r"^[\w*#$-]+$")


def segment(key: object) -> str:
    """One step of a path: plain keys as they are, anything else quoted.

    >>> segment("main_menu"), segment(3), segment("a b")
    ('main_menu', '3', "'a b'")
    """
    text = str(key)
    return text if _PLAIN.match(text) else repr(text)


class IvrError(ValueError):
    """Base class of every IVR error."""


class FlowIssue(IvrError):
    """One problem in a flow document, at ``path`` (``nodes.menu.options.3``)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class FlowInvalid(IvrError):
    """A flow document failed validation; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: Sequence[FlowIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: flow is invalid ({count} {noun}):\n{lines}")

    @property
    def messages(self) -> list[str]:
        """The issues as ``path: reason`` strings, in document order."""
        return [str(issue) for issue in self.issues]


class CallError(IvrError):
    """An input the call in its present state cannot take; the state is left unchanged."""


class RegistryError(IvrError):
    """A flow cannot be registered, found or retired."""
