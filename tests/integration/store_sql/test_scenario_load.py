"""The built-in bank-hotline scenario loaded into the directory gives the engine exactly the
queues, workflows and agents the twin gives it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from hotline.core.commands import DefineQueue, DefineWorkflow, RegisterAgent
from hotline.core.engine import Engine as RoutingEngine
from hotline.sim.scenario import load_scenario
from hotline.sim.twin import Twin
from hotline.store.sql.directory import (
    DEFAULT_REASON_CODES,
    DEFAULT_WRAP_UP_CODES,
    Directory,
    SkillRecord,
    TargetRecord,
    load_scenario_directory,
    to_agent_profile,
    to_queue_spec,
    to_workflow,
)
from hotline.store.sql.errors import DirectoryError


def test_bank_hotline_loads_as_the_twin_configures_it(engine: Engine) -> None:
    scenario = load_scenario("bank-hotline")
    twin = Twin(scenario)
    twin._configure()
    expected = twin.engine

    directory = Directory(engine)
    load_scenario_directory(directory, scenario)
    # The engine a server would build from the directory, fed in the directory's order.
    built = RoutingEngine()
    for queue in directory.list_queues():
        built.handle(DefineQueue(queue=to_queue_spec(queue)), 0.0)
    for workflow in directory.list_workflows():
        built.handle(DefineWorkflow(workflow=to_workflow(workflow)), 0.0)
    for agent in directory.list_agents():
        built.handle(RegisterAgent(profile=to_agent_profile(agent)), 0.0)

    assert {n: q.spec for n, q in built.shared_queues.items()} == \
        {n: q.spec for n, q in expected.shared_queues.items()}
    assert built.workflows == expected.workflows
    assert {a.id: a.profile for a in built.agents.values()} == \
        {a.id: a.profile for a in expected.agents.values()}
    assert len(built.agents) > 200
    # Queue membership follows from the above; checked anyway, as the router sees it.
    assert {n: set(q.members) for n, q in built.shared_queues.items()} == \
        {n: set(q.members) for n, q in expected.shared_queues.items()}

    skills = {s for a in directory.list_agents() for s in a.skills}
    assert directory.list_skills() == [SkillRecord(name=s) for s in sorted(skills)]
    assert directory.list_targets() == [
        TargetRecord(scope="centre", metric="answer_rate",
                     target=scenario.kpi.answer_rate_target),
        TargetRecord(scope="centre", metric="service_level",
                     target=scenario.kpi.service_level_target)]
    assert {c.code for c in directory.list_reason_codes()} == \
        {c.code for c in DEFAULT_REASON_CODES}
    assert {c.code for c in directory.list_wrap_up_codes()} == \
        {c.code for c in DEFAULT_WRAP_UP_CODES}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_scenario_loads_only_into_an_empty_directory(engine: Engine) -> None:
    directory = Directory(engine)
    directory.put_skill(SkillRecord(name="cards"))
    with pytest.raises(DirectoryError) as info:
        load_scenario_directory(directory, load_scenario("mmc"))
    assert str(info.value) == "directory: is not empty; a scenario loads into an empty one"
    assert directory.list_queues() == []
