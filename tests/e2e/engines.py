"""The routing engine the IVR e2e tests hand their calls to."""

from __future__ import annotations

from hotline.core.commands import DefineQueue, DefineWorkflow
from hotline.core.definitions import QueueSpec, Workflow, WorkflowStep
from hotline.core.engine import Engine


def engine_with(*workflows: str, now: float = 0.0) -> Engine:
    """An engine with, for each name, a queue of the agents with that skill and a one-step
    workflow into it (the shipped flows enqueue into ``general`` and ``vip``)."""
    engine = Engine()
    for name in workflows:
        engine.handle(DefineQueue(queue=QueueSpec(name=name, expression=f"skills.{name} > 0")),
                      now)
        engine.handle(DefineWorkflow(workflow=Workflow(
            name=name, steps=(WorkflowStep(queue=name),))), now)
    return engine
