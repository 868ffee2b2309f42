"""Turn validated node models into the plain `Step` objects `step` runs, once, at load time."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hotline.ivr.actions import Collect
from hotline.ivr.flow import Flow
from hotline.ivr.operations import OPERATIONS
from hotline.ivr.prompts import Prompt
from hotline.ivr.runtime import HANDOFF_ATTRIBUTES, Step
from hotline.ivr.schema import (
    AuthenticateNode,
    BankNode,
    BranchNode,
    CallbackNode,
    CollectNode,
    ConfirmNode,
    EnqueueNode,
    FlowHeader,
    Handoff,
    HangupNode,
    LanguageNode,
    MenuNode,
    Node,
    PlayNode,
    SetNode,
    SurveyNode,
    TransferOutNode,
    VoicemailNode,
)
from hotline.ivr.steps_bank import AuthenticateStep, BankStep
from hotline.ivr.steps_dialogue import (
    Ask,
    CollectStep,
    ConfirmStep,
    LanguageStep,
    MenuStep,
    SurveyStep,
)
from hotline.ivr.steps_flow import (
    BranchStep,
    CallbackStep,
    EnqueueStep,
    HangupStep,
    PlayStep,
    SetStep,
    TransferOutStep,
    VoicemailStep,
)

VARIABLE = re.compile(r"\$\{(\w+)\}")


def compile_flow(header: FlowHeader, nodes: Mapping[str, Node]) -> Flow:
    """Build the runnable `Flow` from a header and nodes that passed every check."""
    languages = tuple(dict.fromkeys(header.languages))
    prompts = {pid: Prompt(pid, texts) for pid, texts in header.prompts.items()}
    return Flow(
        name=header.flow,
        version=header.version,
        description=header.description,
        languages=languages,
        default_language=header.default_language or languages[0],
        start=header.start,
        numbers=frozenset(header.entry.numbers),
        segments=frozenset(header.entry.segments),
        context=tuple(header.context),
        nodes={name: _step(name, node, prompts) for name, node in nodes.items()},
        prompts=prompts,
    )


def _one_key(timeout_s: float) -> Collect:
    return Collect(max_digits=1, timeout_s=timeout_s)


def _step(name: str, node: Node, prompts: Mapping[str, Prompt]) -> Step:
    def p(prompt_id: str | None) -> Prompt | None:
        return None if prompt_id is None else prompts[prompt_id]

    def ask(prompt_id: str, collect: Collect, retries: int, retry: str | None) -> Ask:
        prompt = prompts[prompt_id]
        return Ask(prompt=prompt, collect=collect, retries=retries, retry_prompt=p(retry))

    def handoff(node: Handoff) -> tuple[str, ...]:
        return tuple(node.attributes) if node.attributes is not None else HANDOFF_ATTRIBUTES

    i = node.intent
    match node:
        case PlayNode():
            return PlayStep(name, i, prompts[node.prompt], node.next)
        case MenuNode():
            a = ask(node.prompt, _one_key(node.timeout_s), node.retries, node.retry_prompt)
            timeout = node.timeout or node.invalid
            return MenuStep(name, i, a, options=node.options, invalid=node.invalid, timeout=timeout)
        case CollectNode():
            collect = Collect(
                max_digits=node.max_digits,
                min_digits=node.min_digits,
                terminator=node.terminator,
                timeout_s=node.timeout_s,
                secret=node.secret,
            )
            return CollectStep(
                name,
                i,
                ask(node.prompt, collect, node.retries, node.retry_prompt),
                into=node.into,
                secret=node.secret,
                next=node.next,
                invalid=node.invalid,
                timeout=node.timeout or node.invalid,
            )
        case LanguageNode():
            a = ask(node.prompt, _one_key(node.timeout_s), node.retries, node.retry_prompt)
            return LanguageStep(name, i, a, options=node.options, next=node.next)
        case ConfirmNode():
            a = ask(node.prompt, _one_key(node.timeout_s), node.retries, node.retry_prompt)
            return ConfirmStep(
                name,
                i,
                a,
                confirm_key=node.confirm_key,
                cancel_key=node.cancel_key,
                next=node.next,
                cancel=node.cancel,
            )
        case SurveyNode():
            a = ask(node.prompt, _one_key(node.timeout_s), node.retries, node.retry_prompt)
            return SurveyStep(
                name,
                i,
                a,
                reason_prompt=p(node.reason_prompt),
                reasons=node.reasons,
                reason_at_or_below=node.reason_at_or_below,
                next=node.next,
            )
        case AuthenticateNode():
            return AuthenticateStep(
                name,
                i,
                method=node.method,
                id_prompt=prompts[node.id_prompt],
                id_collect=Collect(
                    max_digits=node.id_max_digits,
                    min_digits=node.id_min_digits,
                    terminator="#",
                    timeout_s=node.timeout_s,
                ),
                pin_prompt=prompts[node.pin_prompt],
                pin_collect=Collect(
                    max_digits=node.pin_digits,
                    min_digits=node.pin_digits,
                    timeout_s=node.timeout_s,
                    secret=True,
                ),
                wrong_pin_prompt=p(node.wrong_pin_prompt),
                retry_prompt=p(node.retry_prompt),
                attempts=node.attempts,
                retries=node.retries,
                next=node.next,
                locked=node.locked,
                failed=node.failed,
            )
        case BankNode():
            op = OPERATIONS[node.operation]
            merged = {**op.defaults, **node.arguments}
            arguments = tuple(
                (arg, m.group(1), True) if (m := VARIABLE.fullmatch(value)) else (arg, value, False)
                for arg, value in merged.items()
            )
            return BankStep(
                name,
                i,
                operation=node.operation,
                arguments=arguments,
                outputs=op.outputs,
                result_prompt=p(node.result_prompt),
                item_prompt=p(node.item_prompt),
                next=node.next,
                error=node.error,
                on_error=node.on_error,
            )
        case BranchNode():
            cases = tuple(
                (tuple((var, frozenset(values)) for var, values in case.when.items()), case.next)
                for case in node.cases
            )
            return BranchStep(name, i, cases, node.otherwise)
        case SetNode():
            return SetStep(name, i, tuple(node.values.items()), node.next)
        case EnqueueNode():
            return EnqueueStep(name, i, node.workflow, node.priority, handoff(node), p(node.prompt))
        case CallbackNode():
            return CallbackStep(
                name,
                i,
                workflow=node.workflow,
                priority=node.priority,
                threshold_s=node.threshold_s,
                prompt=prompts[node.prompt],
                accept_key=node.accept_key,
                timeout_s=node.timeout_s,
                attribute_names=handoff(node),
                accepted=node.accepted,
                next=node.next,
            )
        case VoicemailNode():
            return VoicemailStep(name, i, node.mailbox, handoff(node), p(node.prompt))
        case TransferOutNode():
            return TransferOutStep(name, i, node.number, p(node.prompt))
        case HangupNode():
            return HangupStep(name, i, p(node.prompt))
    raise TypeError(f"node {name!r}: no compiler for {type(node).__name__}")
