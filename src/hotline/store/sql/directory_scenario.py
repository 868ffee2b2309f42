"""A scenario's directory: what the twin configures its engine with, as directory records,
for a live centre that starts from a scenario (the demo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotline.sim.roster import agent_profiles
from hotline.sim.scenario import Scenario
from hotline.store.sql.errors import DirectoryError
from hotline.store.sql.records import (
    CENTRE,
    AgentRecord,
    CodeRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    TargetRecord,
    WorkflowRecord,
    expression_skills,
)

if TYPE_CHECKING:  # directory.py re-exports this module's names: no import at run time
    from hotline.store.sql.directory import Directory

# Not-ready reasons an agent can pick, and the ones the engine sets by itself.
DEFAULT_REASON_CODES = (
    CodeRecord(code="break", label="Break"),
    CodeRecord(code="lunch", label="Lunch"),
    CodeRecord(code="training", label="Training"),
    CodeRecord(code="meeting", label="Team meeting"),
    CodeRecord(code="coaching", label="Coaching"),
    CodeRecord(code="after_call_work", label="After-call work"),
    CodeRecord(code="logged_in", label="Just logged in (set by the system)"),
    CodeRecord(code="no_answer", label="Missed an offer (set by the system)"),
)
DEFAULT_WRAP_UP_CODES = (
    CodeRecord(code="resolved", label="Resolved"),
    CodeRecord(code="follow_up", label="Needs follow-up"),
    CodeRecord(code="transferred", label="Transferred"),
    CodeRecord(code="complaint", label="Complaint logged"),
    CodeRecord(code="card_blocked", label="Card blocked"),
    CodeRecord(code="information", label="Information given"),
    CodeRecord(code="sale", label="Product sold"),
)


def load_scenario_directory(directory: Directory, scenario: Scenario) -> None:
    """Fill an empty directory from a scenario, as the twin configures its engine.

    Skills are those the agents have and the queues name; queues, workflows and agents come
    over as they are (agent names are their ids); the scenario's service-level and answer-rate
    targets become centre targets; the default reason and wrap-up codes are added.
    """
    if not directory.is_empty():
        raise DirectoryError("directory", "is not empty; a scenario loads into an empty one")
    profiles = agent_profiles(scenario)
    skill_names = {s for p in profiles for s in p.skills}
    for q in scenario.queues:
        skill_names |= expression_skills(q.expression)
        if q.proficiency_skill:
            skill_names.add(q.proficiency_skill)
    directory.put_all(
        skills=[SkillRecord(name=name) for name in sorted(skill_names)],
        queues=[QueueRecord(name=q.name, expression=q.expression, ordering=q.ordering,
                            selection=q.selection, priority_weight_s=q.priority_weight_s,
                            proficiency_skill=q.proficiency_skill, site=q.site)
                for q in scenario.queues],
        workflows=[WorkflowRecord(name=w.name, fallback=w.fallback, wrap_up_s=w.wrap_up_s,
                                  steps=tuple(StepRecord(queue=s.queue, timeout_s=s.timeout_s)
                                              for s in w.steps))
                   for w in scenario.workflows],
        agents=[AgentRecord(id=p.agent_id, name=p.agent_id, site=p.site, skills=dict(p.skills),
                            languages=tuple(sorted(p.languages)), capacity=dict(p.capacity),
                            attributes={}, auto_accept=p.auto_accept)
                for p in profiles],
        targets=[TargetRecord(scope=CENTRE, metric="service_level",
                              target=scenario.kpi.service_level_target),
                 TargetRecord(scope=CENTRE, metric="answer_rate",
                              target=scenario.kpi.answer_rate_target)],
        reason_codes=DEFAULT_REASON_CODES,
        wrap_up_codes=DEFAULT_WRAP_UP_CODES,
    )
