"""The base of every event: ``at``, seconds since the Unix epoch (see ``events``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

Attributes = Mapping[str, str | int | float | bool]


@dataclass(init=False, slots=True)
class Event:
    at: Final[float]

    def __init__(self, *, at: float) -> None:
        self.at = at
