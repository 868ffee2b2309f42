"""The survey after the agent leg: a scripted caller is bridged to an agent, the agent hangs
up, the caller keys the survey, and the answer reaches the live survey sink."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from hotline.channels.errors import ChannelError
from hotline.channels.ivr_session import CallResult
from hotline.channels.telephony import CallBridged, CallHungUp
from hotline.channels.telephony_sim import Leave, Move, Press, Silent
from hotline.core.commands import EndContact, LogIn, RegisterAgent
from hotline.core.definitions import AgentProfile
from hotline.ivr.actions import SurveyAnswered
from hotline.ivr.library import shipped_flow_text
from hotline.ivr.loader import load_flow
from hotline.live.surveys import InMemorySurveyStore, Surveys
from tests.e2e.test_ivr_calls import ENGLISH, START, World, _build

# English, then silence at the main menu: the flow hands the caller to the general queue.
TO_AGENT = (ENGLISH, Silent(), Silent(), Silent())


@pytest.fixture
def world() -> World:
    return _build()


@pytest.fixture
def surveys(world: World) -> Surveys:
    """The live sink, hearing the engine's events, and agent g1 ready for the general queue."""
    s = Surveys(InMemorySurveyStore(), zone=ZoneInfo("Asia/Shanghai"),
                clock=lambda: world.sim.now().timestamp())
    world.shell.surveys = s.answer
    now = START.timestamp()
    for command in (RegisterAgent(profile=AgentProfile(
            agent_id="g1", site="beijing", skills={"general": 5}, auto_accept=True)),
                    LogIn(agent_id="g1", ready=True)):
        for e in world.engine.handle(command, now):
            s.learn(e)
    return s


def talked_then_agent_left(world: World, surveys: Surveys, call_id: str,
                           *after: Move) -> CallResult:
    """The caller reaches agent g1 through the IVR; the agent ends the call."""
    result = world.call(call_id, *TO_AGENT, *after)
    assert result.outcome == "enqueued"
    assert CallBridged(call_id=call_id, agent_id="g1") in world.sim.log
    ended = world.engine.handle(EndContact(contact_id=call_id), world.sim.now().timestamp())
    for e in [*result.engine_events, *ended]:
        surveys.learn(e)
    return result


def test_a_low_score_and_its_reason_digit_are_recorded(world: World, surveys: Surveys) -> None:
    result = talked_then_agent_left(world, surveys, "s1", Press(keys="2"), Press(keys="1"))
    leg = world.shell.survey_after_agent(result)
    assert leg is not None
    # The flow names its reasons (1: long_wait); the sink gets the digit keyed.
    assert [e for e in leg.ivr_events if isinstance(e, SurveyAnswered)] == [
        SurveyAnswered(node="survey", score=2, reason="long_wait")]
    [answer] = surveys.store.since(START)
    assert (answer.contact_id, answer.score, answer.reason) == ("s1", 2, "1")
    assert (answer.agent_id, answer.queue, answer.site) == ("g1", "general", "beijing")
    said = world.said("s1")
    assert said[-3:] == ["survey", "survey_reason", "goodbye"]
    assert world.text("s1", "survey").startswith("Please rate this call")  # in English
    assert world.sim.log[-1] == CallHungUp(call_id="s1", by="system")
    assert world.sim.left("s1") == 0


def test_a_four_needs_no_reason_on_the_shipped_flow(world: World, surveys: Surveys) -> None:
    result = talked_then_agent_left(world, surveys, "s2", Press(keys="4"), Press(keys="2"))
    world.shell.survey_after_agent(result)
    assert [(a.score, a.reason) for a in surveys.store.since(START)] == [(4, None)]
    assert world.sim.left("s2") == 1  # the 2 was never asked for


def test_pressing_4_then_2_where_the_flow_asks_a_reason_at_4(world: World,
                                                             surveys: Surveys) -> None:
    text = shipped_flow_text("bank-hotline").replace("version: 1\n", "version: 2\n", 1)
    text = text.replace("    reason_prompt: survey_reason\n",
                        "    reason_prompt: survey_reason\n    reason_at_or_below: 4\n", 1)
    world.shell.registry.register(load_flow(text, "bank-hotline v2"))
    result = talked_then_agent_left(world, surveys, "s3", Press(keys="4"), Press(keys="2"))
    assert result.version == 2
    world.shell.survey_after_agent(result)
    [answer] = surveys.store.since(START)
    assert (answer.contact_id, answer.score, answer.reason) == ("s3", 4, "2")
    report = surveys.report(world.sim.now().timestamp())
    assert report["by_agent"]["g1"]["csat"] == 1.0 and report["reasons"] == {"2": 1}


def test_silence_or_a_hang_up_records_nothing(world: World, surveys: Surveys) -> None:
    quiet = talked_then_agent_left(world, surveys, "q1", Silent(), Silent())
    gone = talked_then_agent_left(world, surveys, "q2", Leave())
    for result in (quiet, gone):
        leg = world.shell.survey_after_agent(result)
        assert leg is not None and not [e for e in leg.ivr_events
                                        if isinstance(e, SurveyAnswered)]
    assert surveys.store.since(START) == []
    assert surveys.report(world.sim.now().timestamp())["answers"] == 0


def test_a_flow_without_a_survey_node_asks_nothing(world: World, surveys: Surveys) -> None:
    result = talked_then_agent_left(world, surveys, "s4", Press(keys="5"))
    state = result.state
    assert state is not None
    vip = CallResult(call_id="s4", flow="bank-vip", version=1, state=replace(
        state, flow="bank-vip", version=1))
    assert world.shell.survey_after_agent(vip) is None
    assert world.sim.left("s4") == 1


def test_the_hook_refuses_a_call_it_cannot_resume(world: World, surveys: Surveys) -> None:
    with pytest.raises(ChannelError, match=r"^call x: has not been through the IVR$"):
        world.shell.survey_after_agent(CallResult(call_id="x", flow="bank-hotline", version=1))
    result = talked_then_agent_left(world, surveys, "s5")
    with pytest.raises(ChannelError, match="flow bank-hotline has no survey node 'goodbye'"):
        world.shell.survey_after_agent(result, node="goodbye")


def test_without_a_sink_the_survey_is_asked_and_not_recorded(world: World,
                                                             surveys: Surveys) -> None:
    world.shell.surveys = None
    result = world.call("n1", *TO_AGENT, Press(keys="5"))
    world.engine.handle(EndContact(contact_id="n1"), world.sim.now().timestamp())
    leg = world.shell.survey_after_agent(result)
    assert leg is not None and world.shell.surveys is None
    assert [e.score for e in leg.ivr_events if isinstance(e, SurveyAnswered)] == [5]
    assert surveys.report(world.sim.now().timestamp())["answers"] == 0
