"""`Flow`: a validated flow compiled into plain objects, ready for `step`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline.ivr.prompts import Prompt
from hotline.ivr.runtime import Step


@dataclass(frozen=True, kw_only=True, slots=True, eq=False)
class Flow:
    """One version of one flow. Built by `hotline.ivr.loader.load_flow`; never re-checked."""

    name: str
    version: int
    description: str
    languages: tuple[str, ...]
    default_language: str
    start: str
    numbers: frozenset[str]
    segments: frozenset[str]
    context: tuple[str, ...]
    nodes: Mapping[str, Step]
    prompts: Mapping[str, Prompt]

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, self.version)

    def __repr__(self) -> str:
        return f"<Flow {self.name} v{self.version}: {len(self.nodes)} nodes>"
