"""The flow document's shape (pydantic v2), node by node.

Validation only: `loader` turns these models into the plain objects the interpreter runs.
Each node model lists its targets, prompts and variables so `checks` can walk the graph.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hotline.ivr.operations import FAILURE_CODES, OPERATIONS
from hotline.ivr.schema_values import check_keys, digit_keys, text_values

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Name = Annotated[str, Field(pattern=NAME.pattern)]
Retries = Annotated[int, Field(ge=0, le=9)]
Seconds = Annotated[float, Field(gt=0, le=120)]
Located = list[tuple[str, str]]  # (path relative to the node, value)


class Node(BaseModel):
    """Fields every node has."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    intent: str | None = None  # sets the call's `intent` when the node is entered

    def targets(self) -> Located:
        return []

    def prompt_ids(self) -> Located:
        return [
            (name, value)
            for name in type(self).model_fields
            if name.endswith("prompt") and isinstance(value := getattr(self, name), str)
        ]

    def produces(self) -> set[str]:
        return set()

    def uses(self) -> Located:
        return []

    def _edges(self, *names: str) -> Located:
        found = ((name, getattr(self, name)) for name in names)
        return [(name, target) for name, target in found if isinstance(target, str)]


class Asking(Node):
    """A node that waits for keys, with retries on junk keys and timeouts."""

    retries: Retries = 2
    timeout_s: Seconds = 5.0
    retry_prompt: str | None = None


class PlayNode(Node):
    type: Literal["play"]
    prompt: str
    next: str

    def targets(self) -> Located:
        return self._edges("next")


class MenuNode(Asking):
    type: Literal["menu"]
    prompt: str
    options: dict[str, str] = Field(min_length=1)
    invalid: str
    timeout: str | None = None  # defaults to `invalid`

    _keys = field_validator("options", mode="before")(digit_keys)
    _check = field_validator("options")(check_keys)

    def targets(self) -> Located:
        return [(f"options.{key}", target) for key, target in self.options.items()] + self._edges(
            "invalid", "timeout"
        )


class CollectNode(Asking):
    type: Literal["collect"]
    prompt: str
    into: Name
    min_digits: int = Field(default=1, ge=1, le=32)
    max_digits: int = Field(default=1, ge=1, le=32)
    terminator: Literal["#", "*", ""] = "#"
    secret: bool = False
    next: str
    invalid: str
    timeout: str | None = None

    @model_validator(mode="after")
    def _lengths(self) -> CollectNode:
        if self.min_digits > self.max_digits:
            raise ValueError(f"min_digits {self.min_digits} exceeds max_digits {self.max_digits}")
        return self

    def targets(self) -> Located:
        return self._edges("next", "invalid", "timeout")

    def produces(self) -> set[str]:
        return {self.into}


class LanguageNode(Asking):
    type: Literal["language"]
    prompt: str
    options: dict[str, str] = Field(min_length=1)
    next: str

    _keys = field_validator("options", mode="before")(digit_keys)
    _check = field_validator("options")(check_keys)

    def targets(self) -> Located:
        return self._edges("next")


class ConfirmNode(Asking):
    type: Literal["confirm"]
    prompt: str
    confirm_key: str = "1"
    cancel_key: str = "2"
    next: str
    cancel: str

    _keys = field_validator("confirm_key", "cancel_key", mode="before")(text_values)

    @model_validator(mode="after")
    def _distinct(self) -> ConfirmNode:
        check_keys({self.confirm_key: 0, self.cancel_key: 0})
        if self.confirm_key == self.cancel_key:
            raise ValueError(f"confirm_key and cancel_key are both {self.confirm_key!r}")
        return self

    def targets(self) -> Located:
        return self._edges("next", "cancel")


class AuthenticateNode(Asking):
    type: Literal["authenticate"]
    method: Literal["card", "account"]
    id_prompt: str
    pin_prompt: str
    wrong_pin_prompt: str | None = None
    id_min_digits: int = Field(default=16, ge=4, le=32)
    id_max_digits: int = Field(default=19, ge=4, le=32)
    pin_digits: int = Field(default=6, ge=4, le=12)
    attempts: int = Field(default=3, ge=1, le=9)
    timeout_s: Seconds = 10.0
    next: str
    locked: str
    failed: str

    @model_validator(mode="after")
    def _lengths(self) -> AuthenticateNode:
        if self.id_min_digits > self.id_max_digits:
            raise ValueError(
                f"id_min_digits {self.id_min_digits} exceeds id_max_digits {self.id_max_digits}"
            )
        return self

    def targets(self) -> Located:
        return self._edges("next", "locked", "failed")


class BankNode(Node):
    type: Literal["bank"]
    operation: Literal["balance", "transactions", "transfer", "freeze_card", "repay_credit_card"]
    arguments: dict[str, str] = Field(default_factory=dict)
    result_prompt: str | None = None
    item_prompt: str | None = None  # said once per item (transactions)
    next: str
    error: str
    on_error: dict[str, str] = Field(default_factory=dict)

    _text = field_validator("arguments", mode="before")(
        lambda v: {k: text_values(x) for k, x in v.items()} if isinstance(v, dict) else v
    )

    @field_validator("on_error")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if code not in FAILURE_CODES:
                raise ValueError(f"unknown bank failure code {code!r}")
        return value

    @model_validator(mode="after")
    def _arguments(self) -> BankNode:
        op = OPERATIONS[self.operation]
        for name in self.arguments:
            if name not in op.arguments:
                raise ValueError(f"{self.operation} takes no argument {name!r}")
        for name in op.arguments:
            if name not in self.arguments and name not in op.defaults:
                raise ValueError(f"{self.operation} needs argument {name!r}")
        return self

    def targets(self) -> Located:
        edges = [(f"on_error.{code}", target) for code, target in self.on_error.items()]
        return self._edges("next", "error") + edges

    def produces(self) -> set[str]:
        return set(OPERATIONS[self.operation].outputs)

    def uses(self) -> Located:
        op = OPERATIONS[self.operation]
        merged = {**op.defaults, **self.arguments}
        return [
            (f"arguments.{name}", m.group(1))
            for name, value in merged.items()
            if (m := re.fullmatch(r"\$\{(\w+)\}", value))
        ]


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: dict[Name, list[str]] = Field(min_length=1)
    next: str

    @field_validator("when", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {
            k: [text_values(x) for x in v] if isinstance(v, list) else [text_values(v)]
            for k, v in value.items()
        }


class BranchNode(Node):
    type: Literal["branch"]
    cases: list[Case] = Field(min_length=1)
    otherwise: str

    def targets(self) -> Located:
        edges = [(f"cases.{i}.next", case.next) for i, case in enumerate(self.cases)]
        return [*edges, ("otherwise", self.otherwise)]

    def uses(self) -> Located:
        return [(f"cases.{i}.when.{v}", v) for i, case in enumerate(self.cases) for v in case.when]


class SetNode(Node):
    type: Literal["set"]
    values: dict[Name, str] = Field(min_length=1)
    next: str

    _text = field_validator("values", mode="before")(
        lambda v: {k: text_values(x) for k, x in v.items()} if isinstance(v, dict) else v
    )

    def targets(self) -> Located:
        return self._edges("next")

    def produces(self) -> set[str]:
        return set(self.values)


class Handoff(Node):
    """A node that carries the call's attributes to agents."""

    attributes: list[Name] | None = None  # None: the default set

    def uses(self) -> Located:
        return [(f"attributes.{i}", name) for i, name in enumerate(self.attributes or [])]


class EnqueueNode(Handoff):
    type: Literal["enqueue"]
    workflow: str = Field(min_length=1)
    priority: int = Field(default=0, ge=0, le=100)
    prompt: str | None = None


class CallbackNode(Handoff):
    type: Literal["offer_callback"]
    workflow: str = Field(min_length=1)
    priority: int = Field(default=0, ge=0, le=100)
    threshold_s: float = Field(ge=0)
    prompt: str
    accept_key: str = "1"
    timeout_s: Seconds = 5.0
    accepted: str
    next: str

    _key = field_validator("accept_key", mode="before")(text_values)

    @field_validator("accept_key")
    @classmethod
    def _one_key(cls, value: str) -> str:
        check_keys({value: 0})
        return value

    def targets(self) -> Located:
        return self._edges("accepted", "next")


class VoicemailNode(Handoff):
    type: Literal["voicemail"]
    mailbox: str = Field(min_length=1)
    prompt: str | None = None


class SurveyNode(Asking):
    type: Literal["survey"]
    prompt: str
    reason_prompt: str | None = None
    reasons: dict[str, str] = Field(default_factory=dict)
    reason_at_or_below: int = Field(default=3, ge=1, le=5)
    next: str

    _keys = field_validator("reasons", mode="before")(digit_keys)
    _check = field_validator("reasons")(check_keys)

    @model_validator(mode="after")
    def _reasons(self) -> SurveyNode:
        if self.reasons and self.reason_prompt is None:
            raise ValueError("reasons need a reason_prompt")
        return self

    def targets(self) -> Located:
        return self._edges("next")


class TransferOutNode(Node):
    type: Literal["transfer_out"]
    number: str = Field(pattern=r"^\+?[0-9]{3,20}$")
    prompt: str | None = None

    _text = field_validator("number", mode="before")(text_values)


class HangupNode(Node):
    type: Literal["hangup"]
    prompt: str | None = None


NODE_MODELS: dict[str, type[Node]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        PlayNode, MenuNode, CollectNode, LanguageNode, ConfirmNode, AuthenticateNode,
        BankNode, BranchNode, SetNode, EnqueueNode, CallbackNode, VoicemailNode,
        SurveyNode, TransferOutNode, HangupNode,
    )
}  # fmt: skip
TERMINAL = frozenset({"enqueue", "voicemail", "transfer_out", "hangup"})
WAITS_FOR_CALLER = frozenset({"menu", "collect", "language", "confirm", "authenticate", "survey"})


class Entry(BaseModel):
    """How calls reach the flow: dialled numbers, or a segment known before the IVR."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    numbers: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)

    _text = field_validator("numbers", mode="before")(
        lambda v: [text_values(x) for x in v] if isinstance(v, list) else v
    )


class FlowHeader(BaseModel):
    """The document around the nodes; nodes are validated one by one (`NODE_MODELS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    description: str = ""
    languages: list[str] = Field(min_length=1)
    default_language: str | None = None
    entry: Entry = Field(default_factory=Entry)
    context: list[Name] = Field(default_factory=list)
    start: str
    prompts: dict[str, dict[str, str]] = Field(default_factory=dict)
    nodes: dict[Any, Any] = Field(min_length=1)
