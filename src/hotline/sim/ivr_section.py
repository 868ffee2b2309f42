"""The scenario's ``ivr`` section: simulated callers walk the real IVR flows.

::

    ivr:
      mode: flows                 # or delay: each stream's ivr.duration and ivr.to_agent
      flow: bank-hotline          # a shipped flow, or the path of a flow YAML file
      vip_flow: bank-vip          # reached by callers recognised as VIP by their number
      vip_share: 0.04
      choices:                    # <flow>.<node>: {key or outcome: probability}, summing to 1
        bank-hotline.main_menu: {1: 0.4, 2: 0.2, 0: 0.1, timeout: 0.1, junk: 0.1, hangup: 0.1}
      authenticate_ok: 0.9        # each PIN keyed is right with this probability
      think_s: {kind: lognormal, mean: 3, sd: 2}

A caller chooses at the nodes that wait for keys: a menu or language option, a confirm or
cancel key, a survey score, the accept key of a callback offer (heard only when the engine's
estimated wait reaches the offer's threshold), ``enter`` (a well-formed number or PIN at a
collect or authenticate node), ``timeout`` (silence), ``junk`` (a key the node does not take;
at a callback offer, "any other key to hold") or ``hangup``. A node without choices gets a
default: ``enter`` at collect and authenticate, the confirm key, the flow's default language,
and silence at menus, surveys and callback offers (silence declines the callback).

`check_ivr` checks the section against the flows (``Scenario.check_references`` calls it); each
error names the field, e.g. ``ivr.choices.bank-hotline.main_menu: probabilities sum to 0.9,
not 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hotline.ivr.errors import FlowInvalid
from hotline.ivr.flow import Flow
from hotline.ivr.library import SHIPPED, shipped_flow
from hotline.ivr.loader import load_flow
from hotline.ivr.operations import FAILURE_CODES, VERIFY_PIN
from hotline.ivr.runtime import Step
from hotline.ivr.schema_values import digit_keys, text_values
from hotline.ivr.steps_bank import AuthenticateStep, BankStep
from hotline.ivr.steps_dialogue import (
    SCORES,
    CollectStep,
    ConfirmStep,
    LanguageStep,
    MenuStep,
    SurveyStep,
)
from hotline.ivr.steps_flow import BranchStep, CallbackStep
from hotline.sim.distributions import Distribution
from hotline.sim.errors import ScenarioError

Probability = Annotated[float, Field(ge=0, le=1)]
OUTCOMES = ("timeout", "junk", "hangup")
ENTER = "enter"
TOLERANCE = 1e-6
#: Keys tried, in order, as the junk a caller keys: the first one the node does not take.
JUNK_KEYS = "#*9876543210"


class IvrSettings(BaseModel):
    """How the twin's callers get through the IVR (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["flows", "delay"] = "flows"
    flow: str = Field(default="bank-hotline", min_length=1)
    vip_flow: str | None = None
    vip_share: Probability = 0.0
    # The segment of callers not recognised as VIP, where the flow learns none.
    segment: str = Field(default="retail", min_length=1)
    # What the switch knows before the caller speaks; every pooled walk gets the same.
    context: dict[str, str] = Field(
        default_factory=lambda: {"business_hours": "true", "holiday": "false"})
    choices: dict[str, dict[str, Probability]] = Field(default_factory=dict)
    authenticate_ok: Probability = 0.9
    # Bank answers per operation: {ok: p, <failure code>: p}; unlisted operations succeed.
    bank: dict[str, dict[str, Probability]] = Field(default_factory=dict)
    # The flows' intents -> the scenario's (routing rules and handle times use the latter).
    intents: dict[str, str] = Field(default_factory=dict)
    think_s: Distribution = Distribution(kind="lognormal", mean=3.0, sd=2.0)
    bank_s: float = Field(default=1.0, ge=0, le=60)
    # Speaking rate of the prompts, characters per second, per language.
    chars_per_s: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: {"zh": 4.5, "en": 14.0})
    # Walks drawn before the run, for the main flow and the VIP flow; arrivals sample them.
    pool: int = Field(default=20_000, ge=100, le=1_000_000)
    vip_pool: int = Field(default=5_000, ge=100, le=1_000_000)

    @field_validator("choices", "bank", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: digit_keys(v) for k, v in value.items()}
        return value

    @field_validator("context", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: text_values(v) for k, v in value.items()}
        return value


def resolve_flow(name: str, field: str, source: str) -> Flow:
    """A shipped flow by name, or a flow YAML file by path."""
    try:
        if name in SHIPPED:
            return shipped_flow(name)
        path = Path(name)
        if not path.is_file():
            raise ScenarioError(source, field, f"no flow '{name}' (shipped: "
                                f"{', '.join(SHIPPED)}; or the path of a flow YAML file)")
        return load_flow(path.read_text("utf-8"), str(path))
    except FlowInvalid as exc:
        raise ScenarioError(source, field, "; ".join(exc.messages)) from None


def walked_flows(settings: IvrSettings, source: str) -> dict[str, Flow]:
    """The flows the callers walk, by flow name: the main one first."""
    main = resolve_flow(settings.flow, "ivr.flow", source)
    flows = {main.name: main}
    if settings.vip_flow is not None:
        vip = resolve_flow(settings.vip_flow, "ivr.vip_flow", source)
        if vip.name == main.name:
            raise ScenarioError(source, "ivr.vip_flow", f"is the main flow '{main.name}' again")
        flows[vip.name] = vip
    return flows


def answers(node: Step) -> tuple[str, ...] | None:
    """What a caller may choose at ``node``; None where callers do not choose."""
    if isinstance(node, MenuStep | LanguageStep):
        keys: tuple[str, ...] = tuple(sorted(node.options))
    elif isinstance(node, ConfirmStep):
        keys = (node.confirm_key, node.cancel_key)
    elif isinstance(node, SurveyStep):
        keys = tuple(sorted(SCORES))
    elif isinstance(node, CollectStep | AuthenticateStep):
        keys = (ENTER,)
    elif isinstance(node, CallbackStep):
        keys = (node.accept_key,)
    else:
        return None
    return (*keys, *OUTCOMES)


def junk_key(node: Step) -> str | None:
    """A key ``node`` does not take (None: it takes every key)."""
    if isinstance(node, CollectStep | AuthenticateStep):
        return "*"  # not a digit: numbers and PINs are digits only
    taken = set(answers(node) or ())
    return next((k for k in JUNK_KEYS if k not in taken), None)


def default_choice(flow: Flow, node: Step) -> str:
    """What a caller does at a node the scenario gives no choices for."""
    if isinstance(node, CollectStep | AuthenticateStep):
        return ENTER
    if isinstance(node, ConfirmStep):
        return node.confirm_key
    if isinstance(node, LanguageStep):
        keys = [k for k, lang in sorted(node.options.items()) if lang == flow.default_language]
        return keys[0] if keys else "timeout"
    return "timeout"


def _check_mix(mix: dict[str, float], field: str, source: str) -> None:
    if not mix:
        raise ScenarioError(source, field, "give at least one choice")
    total = sum(mix.values())
    if abs(total - 1.0) > TOLERANCE:
        raise ScenarioError(source, field, f"probabilities sum to {total:g}, not 1")


def _check_choices(settings: IvrSettings, flows: dict[str, Flow], source: str) -> None:
    for path, mix in settings.choices.items():
        field = f"ivr.choices.{path}"
        flow_name, dot, node_name = path.rpartition(".")
        if not dot or not flow_name:
            raise ScenarioError(source, field,
                                "name a node as <flow>.<node>, e.g. bank-hotline.main_menu")
        flow = flows.get(flow_name)
        if flow is None:
            raise ScenarioError(source, field, f"flow '{flow_name}' is not walked "
                                f"(walked: {', '.join(flows)})")
        node = flow.nodes.get(node_name)
        if node is None:
            raise ScenarioError(source, field, f"flow {flow_name} has no node '{node_name}'")
        allowed = answers(node)
        if allowed is None:
            raise ScenarioError(source, field, f"'{node_name}' is a {node.kind} node; callers "
                                "choose only at menu, language, confirm, survey, collect, "
                                "authenticate and offer_callback nodes")
        for key in mix:
            if key not in allowed:
                raise ScenarioError(source, f"{field}.{key}", f"'{key}' is not a choice at "
                                    f"{node.kind} {node_name} (choices: {', '.join(allowed)})")
        if mix.get("junk", 0.0) > 0 and junk_key(node) is None:
            raise ScenarioError(source, f"{field}.junk", f"every key is an option of {node_name}")
        _check_mix(mix, field, source)


def _check_bank(settings: IvrSettings, flows: dict[str, Flow], source: str) -> None:
    asked = sorted({n.operation for f in flows.values() for n in f.nodes.values()
                    if isinstance(n, BankStep)})
    for operation, mix in settings.bank.items():
        field = f"ivr.bank.{operation}"
        if operation == VERIFY_PIN:
            raise ScenarioError(source, field, "PIN checks succeed with authenticate_ok")
        if operation not in asked:
            raise ScenarioError(source, field, f"no node of the flows asks the bank for "
                                f"'{operation}' (asked: {', '.join(asked) or 'none'})")
        for code in mix:
            if code != "ok" and code not in FAILURE_CODES:
                raise ScenarioError(source, f"{field}.{code}", "not a bank answer (ok or one "
                                    f"of {', '.join(sorted(FAILURE_CODES))})")
        _check_mix(mix, field, source)


def _check_context(settings: IvrSettings, flows: dict[str, Flow], source: str) -> None:
    known = {name for f in flows.values() for name in f.context}
    for name in settings.context:
        if name not in known:
            raise ScenarioError(source, f"ivr.context.{name}", "not a context variable of the "
                                f"flows (context: {', '.join(sorted(known))})")
    for flow in flows.values():
        for node in flow.nodes.values():
            if not isinstance(node, BranchStep):
                continue
            for conditions, _ in node.cases:
                for variable, _values in conditions:
                    if variable in flow.context and variable not in settings.context:
                        raise ScenarioError(
                            source, "ivr.context", f"flow {flow.name} branches on "
                            f"'{variable}' at node '{node.name}': give its value (the walks "
                            "are pooled, so every call gets the same)")


def check_ivr(settings: IvrSettings, source: str) -> dict[str, Flow]:
    """Check the section against its flows; return the flows, main first."""
    if settings.vip_share > 0 and settings.vip_flow is None:
        raise ScenarioError(source, "ivr.vip_flow",
                            f"vip_share is {settings.vip_share:g} but no vip_flow is given")
    flows = walked_flows(settings, source)
    for flow in flows.values():
        for language in flow.languages:
            if language not in settings.chars_per_s:
                raise ScenarioError(source, "ivr.chars_per_s", f"no speaking rate for "
                                    f"language '{language}' of flow {flow.name}")
    _check_choices(settings, flows, source)
    _check_bank(settings, flows, source)
    _check_context(settings, flows, source)
    set_intents = sorted({n.intent for f in flows.values() for n in f.nodes.values()
                          if n.intent is not None})
    for intent in settings.intents:
        if intent not in set_intents:
            raise ScenarioError(source, f"ivr.intents.{intent}", "no node of the flows sets "
                                f"this intent (set: {', '.join(set_intents)})")
    return flows
