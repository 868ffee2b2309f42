"""The flow loader: schema and graph checks, each error naming its path and reason."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.ivr import FlowInvalid, build_flow, load_flow
from tests.unit.ivr.flows import tiny


def problems(document: Any) -> list[str]:
    with pytest.raises(FlowInvalid) as caught:
        build_flow(document, "t.yaml")
    assert str(caught.value).startswith("t.yaml: flow is invalid")
    return caught.value.messages


def test_the_tiny_flow_loads() -> None:
    flow = build_flow(tiny())
    assert (flow.name, flow.version, flow.languages, flow.default_language) == (
        "tiny", 1, ("zh", "en"), "zh",
    )  # fmt: skip
    assert sorted(flow.nodes) == ["agent", "auth", "balance", "bye", "main_menu"]


def test_unknown_target_names_the_option() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"][3] = "balanc"
    assert problems(doc) == ["nodes.main_menu.options.3: unknown target 'balanc'"]


def test_unknown_start_and_unreachable_nodes() -> None:
    doc = tiny()
    doc["start"] = "mian"
    doc["nodes"]["lonely"] = {"type": "hangup"}
    assert problems(doc) == ["start: unknown target 'mian'"]
    doc["start"] = "main_menu"
    assert problems(doc) == ["nodes.lonely: unreachable from start 'main_menu'"]


def test_dead_end_has_no_way_to_an_ending() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"][2] = "trap"
    doc["nodes"]["trap"] = {
        "type": "menu", "prompt": "menu", "options": {1: "trap"}, "invalid": "trap",
    }  # fmt: skip
    assert problems(doc) == [
        "nodes.trap: dead end: no way from here to an ending "
        "(enqueue, hangup, transfer_out, voicemail)"
    ]


def test_loop_without_input() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"][2] = "a"
    doc["nodes"]["a"] = {"type": "play", "prompt": "bye", "next": "b"}
    doc["nodes"]["b"] = {
        "type": "branch", "cases": [{"when": {"intent": "x"}, "next": "bye"}], "otherwise": "a",
    }  # fmt: skip
    assert problems(doc) == ["nodes.a: loop without caller input through a, b"]


def test_self_loop_without_input() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"][2] = "s"
    doc["nodes"]["s"] = {"type": "set", "values": {"intent": "x"}, "next": "s"}
    found = problems(doc)
    assert "nodes.s: loop without caller input through s" in found


def test_missing_prompts_and_languages() -> None:
    doc = tiny()
    del doc["prompts"]["bye"]["en"]
    doc["nodes"]["main_menu"]["prompt"] = "mnu"
    assert problems(doc) == [
        "nodes.main_menu.prompt: unknown prompt 'mnu'",
        "nodes.bye.prompt: prompt 'bye' has no 'en' text",
    ]


def test_prompt_in_a_language_the_flow_lacks_and_bad_placeholders() -> None:
    doc = tiny()
    doc["prompts"]["bye"]["fr"] = "Au revoir"
    doc["prompts"]["balance"]["en"] = "Balance {balanse}"
    doc["prompts"]["menu"]["en"] = "Press {1"
    assert problems(doc) == [
        "prompts.bye.fr: 'fr' is not one of the flow's languages",
        "prompts.menu.en: expected '}' before end of string",
        "prompts.balance.en: unknown variable 'balanse'",
    ]


def test_banking_without_authentication_shows_the_path() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"][2] = "balance"
    assert problems(doc) == ["nodes.balance: banking without authentication: main_menu -> balance"]


def test_secret_variables_may_not_be_said_or_sent() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"][2] = "code"
    doc["nodes"]["code"] = {
        "type": "collect", "prompt": "menu", "into": "code", "secret": True, "next": "say",
        "invalid": "bye",
    }  # fmt: skip
    doc["nodes"]["say"] = {"type": "play", "prompt": "said", "next": "bye"}
    doc["prompts"]["said"] = {"zh": "{code}", "en": "{code}"}
    assert problems(doc) == [
        "prompts.said.zh: secret variable 'code' may not be said or sent",
        "prompts.said.en: secret variable 'code' may not be said or sent",
    ]


def test_schema_errors_name_the_field() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["retries"] = -1
    doc["nodes"]["main_menu"]["nxt"] = "x"
    doc["nodes"]["auth"]["method"] = "face"
    doc["nodes"]["balance"]["type"] = "balanse"
    del doc["nodes"]["bye"]["type"]
    doc["version"] = 0
    assert problems(doc) == [
        "version: Input should be greater than or equal to 1",
        "nodes.main_menu.retries: Input should be greater than or equal to 0",
        "nodes.main_menu.nxt: unknown field",
        "nodes.auth.method: Input should be 'card' or 'account'",
        "nodes.balance.type: unknown node type 'balanse'; expected one of authenticate, bank, "
        "branch, collect, confirm, enqueue, hangup, language, menu, offer_callback, play, set, "
        "survey, transfer_out, voicemail",
        "nodes.bye.type: unknown node type None; expected one of authenticate, bank, branch, "
        "collect, confirm, enqueue, hangup, language, menu, offer_callback, play, set, survey, "
        "transfer_out, voicemail",
    ]


def test_node_level_rules() -> None:
    doc = tiny()
    doc["nodes"]["main_menu"]["options"]["12"] = "bye"
    doc["nodes"]["balance"]["on_error"] = {"insufficent_funds": "bye"}
    doc["nodes"]["balance"]["arguments"] = {"acount": "1"}
    doc["nodes"]["agent"] = {"type": "transfer_out", "number": "abc"}
    assert problems(doc) == [
        "nodes.main_menu.options: key '12' is not one telephone key (0-9, * or #)",
        "nodes.balance.on_error: unknown bank failure code 'insufficent_funds'",
        "nodes.agent.number: String should match pattern '^\\+?[0-9]{3,20}$'",
    ]


def test_bank_arguments_are_checked_against_the_operation() -> None:
    doc = tiny()
    doc["nodes"]["balance"]["arguments"] = {"acount": "1"}
    assert problems(doc) == ["nodes.balance: balance takes no argument 'acount'"]
    doc["nodes"]["balance"].update(operation="transfer", arguments={"amount": "${amount}"})
    assert problems(doc) == ["nodes.balance: transfer needs argument 'to_account'"]
    doc["nodes"]["balance"]["arguments"] = {"amount": "${amont}", "to_account": "1"}
    assert problems(doc) == ["nodes.balance.arguments.amount: unknown variable 'amont'"]


def test_language_options_and_default_must_be_flow_languages() -> None:
    doc = tiny()
    doc["default_language"] = "fr"
    doc["languages"] = ["zh", "en", "zh"]
    found = problems(doc)
    assert found[:2] == [
        "languages.2: language 'zh' is listed twice",
        "default_language: 'fr' is not one of the flow's languages",
    ]


MAPPING = "(document): a flow is a mapping (flow, version, languages, start, prompts, nodes)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("flow: [a", "line 2, column 1: not valid YAML: "),
        ("- just\n- a list\n", MAPPING + ", not list"),
        ("", MAPPING + ", not nothing"),
        ("nodes: {3: {type: hangup}}", "flow: required field is missing"),
    ],
)
def test_text_that_is_not_a_flow(text: str, expected: str) -> None:
    with pytest.raises(FlowInvalid) as caught:
        load_flow(text, "x.yaml")
    assert caught.value.messages[0].startswith(expected)


def test_yaml_syntax_error_says_where_and_what() -> None:
    with pytest.raises(FlowInvalid) as caught:
        load_flow("flow: x\nnodes: [a\n", "x.yaml")
    (message,) = caught.value.messages
    assert message.startswith("line 3, column 1: not valid YAML: ")
    assert "expected ',' or ']'" in message  # libyaml and pure-Python word it differently


def test_node_names_must_be_identifiers() -> None:
    doc = tiny()
    doc["nodes"][3] = {"type": "hangup"}
    assert problems(doc) == ["nodes.3: a node name is a letter or '_' then letters, digits or '_'"]
