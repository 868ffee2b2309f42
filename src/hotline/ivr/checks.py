"""Checks of a schema-valid flow: prompts, variables and the graph of nodes.

Each finding is a `FlowIssue` naming the path (``nodes.main_menu.options.3``) and the reason.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from hotline.ivr.errors import FlowIssue, segment
from hotline.ivr.operations import OPERATIONS, VERIFY_OUTPUTS
from hotline.ivr.prompts import parse
from hotline.ivr.schema import (
    TERMINAL,
    WAITS_FOR_CALLER,
    AuthenticateNode,
    BankNode,
    CollectNode,
    FlowHeader,
    LanguageNode,
    Node,
)

BUILTIN_VARIABLES = frozenset(
    {
        "language", "authenticated", "caller_number", "dialled_number", "intent",
        "auth_error", "bank_error", "estimated_minutes", "survey_score", *VERIFY_OUTPUTS,
    }
)  # fmt: skip
ENDINGS = ", ".join(sorted(TERMINAL))


def check_flow(header: FlowHeader, nodes: Mapping[str, Node]) -> list[FlowIssue]:
    """Every problem in a flow whose header and nodes passed the schema."""
    return [
        *_languages(header, nodes),
        *_prompts(header, nodes),
        *_variables(header, nodes),
        *_graph(header.start, nodes),
    ]


def _languages(header: FlowHeader, nodes: Mapping[str, Node]) -> Iterator[FlowIssue]:
    seen: set[str] = set()
    for i, language in enumerate(header.languages):
        if language in seen:
            yield FlowIssue(f"languages.{i}", f"language {language!r} is listed twice")
        seen.add(language)
    if header.default_language is not None and header.default_language not in seen:
        yield FlowIssue(
            "default_language", f"{header.default_language!r} is not one of the flow's languages"
        )
    for name, node in nodes.items():
        if isinstance(node, LanguageNode):
            for key, language in node.options.items():
                if language not in seen:
                    yield FlowIssue(
                        f"nodes.{name}.options.{key}",
                        f"{language!r} is not one of the flow's languages",
                    )


def _prompts(header: FlowHeader, nodes: Mapping[str, Node]) -> Iterator[FlowIssue]:
    languages = list(dict.fromkeys(header.languages))
    for prompt_id, texts in header.prompts.items():
        for language in texts:
            if language not in languages:
                yield FlowIssue(
                    f"prompts.{segment(prompt_id)}.{segment(language)}",
                    f"{language!r} is not one of the flow's languages",
                )
    for name, node in nodes.items():
        for field, prompt_id in node.prompt_ids():
            path = f"nodes.{name}.{field}"
            defined = header.prompts.get(prompt_id)
            if defined is None:
                yield FlowIssue(path, f"unknown prompt {prompt_id!r}")
                continue
            for language in languages:
                if language not in defined:
                    yield FlowIssue(path, f"prompt {prompt_id!r} has no {language!r} text")


def _variables(header: FlowHeader, nodes: Mapping[str, Node]) -> Iterator[FlowIssue]:
    secret = {n.into for n in nodes.values() if isinstance(n, CollectNode) and n.secret}
    known = set(BUILTIN_VARIABLES) | set(header.context)
    item_prompts: dict[str, set[str]] = {}
    for node in nodes.values():
        known |= node.produces()
        if isinstance(node, BankNode) and node.item_prompt is not None:
            fields = OPERATIONS[node.operation].item_fields
            item_prompts.setdefault(node.item_prompt, set()).update(fields)
    for name, node in nodes.items():
        for field, variable in node.uses():
            yield from _use(f"nodes.{name}.{field}", variable, known, secret)
    for prompt_id, texts in header.prompts.items():
        allowed = known | item_prompts.get(prompt_id, set())
        for language, text in texts.items():
            path = f"prompts.{segment(prompt_id)}.{segment(language)}"
            try:
                parts = parse(text)
            except ValueError as error:
                yield FlowIssue(path, str(error))
                continue
            for _, placeholder in parts:
                if placeholder is not None:
                    yield from _use(path, placeholder, allowed, secret)


def _use(path: str, variable: str, known: set[str], secret: set[str]) -> Iterator[FlowIssue]:
    if variable in secret:
        yield FlowIssue(path, f"secret variable {variable!r} may not be said or sent")
    elif variable not in known:
        yield FlowIssue(path, f"unknown variable {variable!r}")


def _graph(start: str, nodes: Mapping[str, Node]) -> Iterator[FlowIssue]:
    edges = {name: node.targets() for name, node in nodes.items()}
    if start not in nodes:
        yield FlowIssue("start", f"unknown target {start!r}")
    for name, located in edges.items():
        for field, target in located:
            if target not in nodes:
                yield FlowIssue(f"nodes.{name}.{field}", f"unknown target {target!r}")
    out = {name: [t for _, t in located if t in nodes] for name, located in edges.items()}
    if start in nodes:
        reached = _reach([start], out)
        for name in nodes:
            if name not in reached:
                yield FlowIssue(f"nodes.{name}", f"unreachable from start {start!r}")
        yield from _unauthenticated(start, nodes)
    yield from _dead_ends(nodes, out)
    yield from _silent_loops(nodes, out)


def _reach(roots: list[str], out: Mapping[str, list[str]]) -> set[str]:
    seen, todo = set(roots), deque(roots)
    while todo:
        for target in out[todo.popleft()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _dead_ends(nodes: Mapping[str, Node], out: Mapping[str, list[str]]) -> Iterator[FlowIssue]:
    into: dict[str, list[str]] = {name: [] for name in nodes}
    for name, targets in out.items():
        for target in targets:
            into[target].append(name)
    ending = [name for name, node in nodes.items() if node.type in TERMINAL]
    alive = _reach(ending, into)
    for name in nodes:
        if name not in alive:
            yield FlowIssue(f"nodes.{name}", f"dead end: no way from here to an ending ({ENDINGS})")


def _silent_loops(nodes: Mapping[str, Node], out: Mapping[str, list[str]]) -> Iterator[FlowIssue]:
    """Cycles of nodes none of which waits for the caller (Tarjan's SCC, iterative)."""
    silent = {n for n, node in nodes.items() if node.type not in WAITS_FOR_CALLER}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in nodes:
        if root not in silent or root in index:
            continue
        work = [(root, iter([t for t in out[root] if t in silent]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            name, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([t for t in out[child] if t in silent])))
                elif child in on_stack:
                    low[name] = min(low[name], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[name])
            if low[name] == index[name]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == name:
                        break
                if len(component) > 1 or name in out[name]:
                    members = sorted(component)
                    yield FlowIssue(
                        f"nodes.{members[0]}",
                        "loop without caller input through " + ", ".join(members),
                    )


def _unauthenticated(start: str, nodes: Mapping[str, Node]) -> Iterator[FlowIssue]:
    """Banking nodes that some path from the start reaches without passing authentication."""
    parent: dict[str, str | None] = {start: None}
    todo = deque([start])
    while todo:
        name = todo.popleft()
        node = nodes[name]
        if isinstance(node, BankNode):
            path = [name]
            while (up := parent[path[-1]]) is not None:
                path.append(up)
            yield FlowIssue(
                f"nodes.{name}",
                "banking without authentication: " + " -> ".join(reversed(path)),
            )
            continue
        authenticates = isinstance(node, AuthenticateNode)
        for field, target in node.targets():
            if authenticates and field == "next":
                continue
            if target in nodes and target not in parent:
                parent[target] = name
                todo.append(target)
