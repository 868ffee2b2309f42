"""Bad flow documents never crash the loader: only `FlowInvalid` with paths and reasons."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.ivr import Flow, FlowInvalid, build_flow, load_flow
from hotline.ivr.library import SHIPPED, shipped_flow_text
from hotline.ivr.schema import NODE_MODELS

SHIPPED_DOCS = {name: yaml.safe_load(shipped_flow_text(name)) for name in SHIPPED}
FIELDS = sorted({f for model in NODE_MODELS.values() for f in model.model_fields})

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["main_menu", "goodbye", "${amount}", "{x}", "zh"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(0, 9)), inner, max_size=4),
    ),
    max_leaves=20,
)


def explained(invalid: FlowInvalid) -> None:
    """Every problem has a path and a reason, and prints as ``path: reason``."""
    assert invalid.issues, "an invalid flow names at least one problem"
    for issue in invalid.issues:
        assert issue.path and issue.path == issue.path.strip() and "\n" not in issue.path
        assert issue.reason and str(issue) == f"{issue.path}: {issue.reason}"


def loads_or_explains(document: Any) -> None:
    try:
        flow = build_flow(document, "fuzz.yaml")
    except FlowInvalid as invalid:
        explained(invalid)
    else:
        assert isinstance(flow, Flow)


@given(st.text(max_size=200))
def test_any_text(text: str) -> None:
    try:
        load_flow(text, "fuzz.yaml")
    except FlowInvalid as invalid:
        explained(invalid)


@given(values)
def test_any_yaml_value(document: Any) -> None:
    loads_or_explains(document)


node_docs = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(NODE_MODELS))},
    optional={field: values for field in FIELDS if field != "type"},
)
flow_docs = st.fixed_dictionaries(
    {
        "flow": st.one_of(st.just("f"), scalars),
        "version": st.one_of(st.just(1), scalars),
        "languages": st.one_of(st.just(["zh", "en"]), values),
        "start": st.one_of(st.just("a"), scalars),
        "nodes": st.dictionaries(
            st.sampled_from(["a", "b", "c", "main_menu"]), node_docs, max_size=4
        ),
    },
    optional={"prompts": values, "entry": values, "context": values, "default_language": values},
)


@given(flow_docs)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_flow_shaped_documents(document: dict[str, Any]) -> None:
    loads_or_explains(document)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += paths(inner, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    name = draw(st.sampled_from(SHIPPED))
    document = copy.deepcopy(SHIPPED_DOCS[name])
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(document)))
        parent = document
        for key in where[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["delete", "replace", "retarget"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[where[-1]]
        elif action == "retarget":
            parent[where[-1]] = draw(st.sampled_from(["nowhere", "goodbye", "welcome", "menu"]))
        else:
            parent[where[-1]] = draw(values)
    return document, draw(st.sampled_from(["dict", "yaml"]))


@given(mutated())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_shipped_flows(case: tuple[dict[str, Any], str]) -> None:
    document, form = case
    if form == "dict":
        loads_or_explains(document)
        return
    try:
        load_flow(yaml.dump(document, Dumper=yaml.CSafeDumper, allow_unicode=True), "fuzz.yaml")
    except FlowInvalid as invalid:
        explained(invalid)


@given(st.data())
def test_a_broken_target_is_named_by_its_path(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(SHIPPED))
    document = copy.deepcopy(SHIPPED_DOCS[name])
    node_name = data.draw(st.sampled_from(sorted(document["nodes"])))
    node = build_flow(SHIPPED_DOCS[name]).nodes[node_name]
    fields = [
        f for f in ("next", "invalid", "timeout", "cancel", "locked", "failed", "error",
                    "accepted", "otherwise")
        if isinstance(document["nodes"][node_name].get(f), str)
    ]  # fmt: skip
    if not fields:
        assert node.edges == () or node.kind in {"menu", "branch", "bank", "language"}
        return
    field = data.draw(st.sampled_from(fields))
    document["nodes"][node_name][field] = "nowhere"
    try:
        build_flow(document, "broken.yaml")
    except FlowInvalid as invalid:
        assert f"nodes.{node_name}.{field}: unknown target 'nowhere'" in invalid.messages
    else:
        raise AssertionError("a broken target must not load")
