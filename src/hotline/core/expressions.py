"""Queue expressions: which agents belong to a queue.

A small, safe language over an agent's attributes, parsed once with Python's own parser and
compiled to a closure. Names: ``site``, ``id``, ``languages`` (a set), ``channels`` (a set),
``skills.NAME`` (proficiency 1–10, 0 when absent), ``attributes.NAME`` (None when absent).

>>> member = compile_expression('skills.cards >= 3 and "zh" in languages')
>>> member(AgentView(id="a1", site="beijing", skills={"cards": 5}, languages=frozenset({"zh"}),
...                  channels=frozenset(), attributes={}))
True
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hotline.core.errors import InvalidDefinition


@dataclass(frozen=True, kw_only=True, slots=True)
class AgentView:
    """What a queue expression can see of an agent."""

    id: str
    site: str
    skills: Mapping[str, int]
    languages: frozenset[str]
    channels: frozenset[str]
    attributes: Mapping[str, object]


Predicate = Callable[[AgentView], Any]

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def compile_expression(source: str, field: str = "expression") -> Callable[[AgentView], bool]:
    """Compile ``source`` into a membership test; errors name ``field``, the column and why."""
    if not source.strip():
        raise InvalidDefinition(field, "is empty")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise InvalidDefinition(
            field, f"syntax error at column {max(1, exc.offset or 1)}: {exc.msg}"
        ) from None
    predicate = _compile(tree.body, field)

    def member(agent: AgentView) -> bool:
        try:
            return bool(predicate(agent))
        except TypeError:
            # Comparing a missing attribute (None) with a number means "not a member".
            return False

    return member


def _fail(node: ast.AST, field: str, reason: str) -> InvalidDefinition:
    return InvalidDefinition(field, f"column {getattr(node, 'col_offset', 0) + 1}: {reason}")


def _compile(node: ast.AST, field: str) -> Predicate:
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, field) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda a: all(p(a) for p in parts)
        return lambda a: any(p(a) for p in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _compile(node.operand, field)
        return lambda a: not inner(a)
    if isinstance(node, ast.Compare):
        return _compile_compare(node, field)
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool) or node.value is None:
            raise _fail(node, field, f"unsupported constant {node.value!r}")
        value = node.value
        return lambda a: value
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_constant(e, field) for e in node.elts]
        frozen = frozenset(items)
        return lambda a: frozen
    if isinstance(node, ast.Name):
        return _compile_name(node, field)
    if isinstance(node, ast.Attribute):
        return _compile_attribute(node, field)
    raise _fail(node, field, f"'{ast.unparse(node)}' is not allowed in a queue expression")


def _constant(node: ast.AST, field: str) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
        return node.value
    raise _fail(node, field, "list items must be plain strings or numbers")


def _compile_compare(node: ast.Compare, field: str) -> Predicate:
    left = _compile(node.left, field)
    steps: list[tuple[Callable[[Any, Any], bool], Predicate]] = []
    for op, right in zip(node.ops, node.comparators, strict=True):
        fn = _COMPARE.get(type(op))
        if fn is None:
            raise _fail(node, field, f"operator {type(op).__name__} is not allowed")
        steps.append((fn, _compile(right, field)))

    def compare(a: AgentView) -> bool:
        current = left(a)
        for fn, right_fn in steps:
            nxt = right_fn(a)
            try:
                if not fn(current, nxt):
                    return False
            except TypeError:
                # A missing attribute (None) compared with a number: this comparison is
                # false, the rest of the expression still counts.
                return False
            current = nxt
        return True

    return compare


def _compile_name(node: ast.Name, field: str) -> Predicate:
    name = node.id
    if name == "site":
        return lambda a: a.site
    if name == "id":
        return lambda a: a.id
    if name == "languages":
        return lambda a: a.languages
    if name == "channels":
        return lambda a: a.channels
    if name in {"true", "True"}:
        return lambda a: True
    raise _fail(node, field, f"unknown name '{name}' (use site, id, languages, channels, "
                "skills.NAME or attributes.NAME)")


def _compile_attribute(node: ast.Attribute, field: str) -> Predicate:
    if not isinstance(node.value, ast.Name):
        raise _fail(node, field, f"'{ast.unparse(node)}' is not allowed in a queue expression")
    group, key = node.value.id, node.attr
    if group == "skills":
        return lambda a: a.skills.get(key, 0)
    if group == "attributes":
        return lambda a: a.attributes.get(key)
    raise _fail(node, field, f"unknown group '{group}' (use skills.NAME or attributes.NAME)")
