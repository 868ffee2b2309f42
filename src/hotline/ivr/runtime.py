"""The working copy of one call during one `step`, and the base of compiled nodes.

A `Run` is mutable and lives for one step only; nodes move it along (`go`, `ask`,
`end`) and `Run.state()` freezes the result into the next `CallState`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from hotline.ivr.actions import Collect, IvrEnded, NodeEntered, Output
from hotline.ivr.inputs import BankReplied
from hotline.ivr.prompts import Prompt
from hotline.ivr.state import CallState, Value, Wait

if TYPE_CHECKING:
    from hotline.ivr.flow import Flow

HANDOFF_ATTRIBUTES = ("intent", "language", "authenticated", "segment", "province", "customer_id")
"""What `enqueue`, `offer_callback` and `voicemail` carry to agents unless told otherwise."""


class Run:
    """One call, being moved through its flow by one input."""

    __slots__ = (
        "_own",
        "attempts",
        "authenticated",
        "flow",
        "handoff",
        "language",
        "next",
        "node",
        "now",
        "out",
        "outcome",
        "phase",
        "started_at",
        "tries",
        "variables",
        "wait",
    )

    def __init__(self, flow: Flow, state: CallState, now: datetime) -> None:
        self.flow = flow
        self.now = now
        self.node = state.node
        self.phase = state.phase
        self.tries = state.tries
        self.attempts = state.attempts
        self.language = state.language
        self.variables = state.variables
        self._own = False
        self.authenticated = state.authenticated
        self.handoff = state.handoff
        self.started_at = state.started_at
        self.wait = state.wait
        self.outcome = state.outcome
        self.out: list[Output] = []
        self.next: str | None = None

    # -- variables -------------------------------------------------------------------------
    def set(self, name: str, value: Value) -> None:
        """Set a call variable (copy-on-write: the previous state keeps its own)."""
        if not self._own:
            self.variables = dict(self.variables)
            self._own = True
        self.variables[name] = value  # type: ignore[index]

    def get(self, name: str) -> str:
        """A plain variable's text, ``""`` if unset or secret."""
        value = self.variables.get(name, "")
        return value if isinstance(value, str) else ""

    def attributes(self, names: tuple[str, ...]) -> Mapping[str, str]:
        """The named plain variables that are set, for handing the call to agents."""
        return MappingProxyType({n: v for n in names if (v := self.get(n))})

    # -- moves -----------------------------------------------------------------------------
    def say(self, prompt: Prompt | None, extra: Mapping[str, str] | None = None) -> None:
        if prompt is not None:
            self.out.append(prompt.render(self.language, self.variables, extra))

    def go(self, target: str) -> None:
        """Leave the current node for ``target`` (entered by `settle`)."""
        self.next = target

    def ask(self, prompt: Prompt, collect: Collect, retry_prompt: Prompt | None = None) -> None:
        """Say ``retry_prompt`` (on a retry) and ``prompt``, then wait for keys."""
        if retry_prompt is not None:
            self.say(retry_prompt)
        self.out.append(prompt.render(self.language, self.variables))
        self.out.append(collect)
        self.wait = Wait.DIGITS

    def retry(self, retries: int) -> bool:
        """Count one junk entry or timeout; True while the caller may try again."""
        self.tries += 1
        return self.tries <= retries

    def end(self, outcome: str) -> None:
        """End the IVR part of the call; a callback already offered wins over ``outcome``."""
        final = self.handoff or outcome
        self.outcome = final
        self.wait = Wait.ENDED
        started = self.started_at if self.started_at is not None else self.now
        seconds = (self.now - started).total_seconds()
        self.out.append(IvrEnded(outcome=final, node=self.node, seconds=seconds))

    def settle(self) -> None:
        """Enter nodes until the call waits for something or ends."""
        nodes = self.flow.nodes
        while self.next is not None:
            node = nodes[self.next]
            self.next = None
            self.node = node.name
            self.phase = self.tries = self.attempts = 0
            self.out.append(node.entered)
            if node.intent is not None:
                self.set("intent", node.intent)
            node.enter(self)

    def state(self, previous: CallState) -> CallState:
        return CallState(
            flow=previous.flow,
            version=previous.version,
            wait=self.wait,
            node=self.node,
            phase=self.phase,
            tries=self.tries,
            attempts=self.attempts,
            language=self.language,
            variables=MappingProxyType(self.variables) if self._own else self.variables,
            authenticated=self.authenticated,
            handoff=self.handoff,
            started_at=self.started_at,
            outcome=self.outcome,
        )


class Step:
    """A compiled node. Subclasses answer the inputs they wait for."""

    __slots__ = ("edges", "entered", "intent", "kind", "name")
    kind_name = ""
    waits_for_caller = False

    def __init__(self, name: str, intent: str | None, edges: tuple[str, ...]) -> None:
        self.name = name
        self.kind = self.kind_name
        self.intent = intent
        self.edges = edges
        self.entered = NodeEntered(node=name)

    def enter(self, run: Run) -> None:
        raise NotImplementedError(self.kind)

    def on_digits(self, run: Run, digits: str) -> None:
        """Keys while this node waits for keys (only asking nodes wait for them)."""
        raise NotImplementedError(self.kind)

    def on_timeout(self, run: Run) -> None:
        raise NotImplementedError(self.kind)

    def on_bank(self, run: Run, reply: BankReplied) -> None:
        raise NotImplementedError(self.kind)

    def on_estimate(self, run: Run, seconds: float) -> None:
        raise NotImplementedError(self.kind)

    def __repr__(self) -> str:
        return f"<{self.kind} node {self.name!r}>"
