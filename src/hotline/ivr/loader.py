"""Load a flow document: YAML → schema → checks → compiled `Flow`.

Whatever the input, the loader either returns a `Flow` or raises `FlowInvalid` listing
every problem with its path; it never lets another exception out.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from hotline.ivr.checks import check_flow
from hotline.ivr.compiler import compile_flow
from hotline.ivr.errors import FlowInvalid, FlowIssue, segment
from hotline.ivr.flow import Flow
from hotline.ivr.schema import NAME, NODE_MODELS, FlowHeader, Node

NODE_TYPES = ", ".join(sorted(NODE_MODELS))
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: 10x faster
_REASONS = {"missing": "required field is missing", "extra_forbidden": "unknown field"}


def load_flow(text: str, source: str = "<flow>") -> Flow:
    """Parse and check a YAML flow document; ``source`` names it in errors."""
    try:
        document = yaml.load(text, Loader=_LOADER)  # a safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        raise FlowInvalid(source, [FlowIssue(where, f"not valid YAML: {error.problem}")]) from None
    # The YAML library raises a few kinds for malformed scalars (dates, numbers, base64).
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        raise FlowInvalid(source, [FlowIssue("(document)", f"not valid YAML: {error}")]) from None
    return build_flow(document, source)


def build_flow(document: object, source: str = "<flow>") -> Flow:
    """Check and compile an already parsed flow document (a mapping)."""
    if not isinstance(document, dict):
        reason = (
            "a flow is a mapping (flow, version, languages, start, prompts, nodes),"
            f" not {_kind(document)}"
        )
        raise FlowInvalid(source, [FlowIssue("(document)", reason)])
    issues: list[FlowIssue] = []
    header: FlowHeader | None = None
    try:
        header = FlowHeader.model_validate(document)
    except ValidationError as error:
        issues += _issues("", error)
    nodes = _nodes(document.get("nodes"), issues)
    if header is None or issues:
        raise FlowInvalid(source, issues)
    issues = check_flow(header, nodes)
    if issues:
        raise FlowInvalid(source, issues)
    return compile_flow(header, nodes)


def _nodes(raw_nodes: object, issues: list[FlowIssue]) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    if not isinstance(raw_nodes, dict):
        return nodes  # the header's own check names the problem
    for name, raw in raw_nodes.items():
        path = f"nodes.{segment(name)}"
        if not isinstance(name, str) or not NAME.match(name):
            issues.append(
                FlowIssue(path, "a node name is a letter or '_' then letters, digits or '_'")
            )
            continue
        if not isinstance(raw, dict):
            issues.append(FlowIssue(path, f"a node is a mapping with a type, not {_kind(raw)}"))
            continue
        kind = raw.get("type")
        model = NODE_MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            reason = f"unknown node type {kind!r}; expected one of {NODE_TYPES}"
            issues.append(FlowIssue(f"{path}.type", reason))
            continue
        try:
            nodes[name] = model.model_validate(raw)
        except ValidationError as error:
            issues += _issues(path, error)
    return nodes


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def _issues(prefix: str, error: ValidationError) -> list[FlowIssue]:
    found = []
    for detail in error.errors(include_url=False):
        loc = ".".join(segment(part) for part in detail["loc"])
        path = ".".join(part for part in (prefix, loc) if part) or "(document)"
        reason = _REASONS.get(detail["type"], detail["msg"]).removeprefix("Value error, ")
        found.append(FlowIssue(path, reason))
    return found
