"""FlowRegistry: replacing a flow while calls run on the old version."""

from __future__ import annotations

import pytest

from hotline.ivr import FlowRegistry, RegistryError, build_flow
from tests.unit.ivr.flows import tiny
from tests.unit.ivr.scripted import Caller


def version(n: int, greeting: str) -> dict:  # type: ignore[type-arg]
    doc = tiny()
    doc["version"] = n
    doc["entry"] = {"numbers": ["95588"]}
    doc["prompts"]["menu"] = {"zh": greeting, "en": greeting}
    return doc


def test_calls_in_progress_finish_on_their_version() -> None:
    registry = FlowRegistry((build_flow(version(1, "old menu")),))
    flow, state = registry.start("95588")
    old = Caller(flow, state=state).call()
    registry.register(build_flow(version(2, "new menu")))
    new_flow, new_state = registry.start("95588")
    new = Caller(new_flow, state=new_state).call()
    assert old.said[-1] == "old menu" and new.said[-1] == "new menu"
    # The old call keeps going: the registry hands back the version it started on.
    assert old.state is not None
    old.flow = registry.flow_for(old.state)
    old.keys("0")
    assert old.ended.outcome == "enqueued" and old.flow.version == 1
    assert registry.versions("tiny") == [1, 2]
    registry.retire("tiny", 1)
    assert registry.versions("tiny") == [2]


def test_registry_refuses_what_would_confuse_calls() -> None:
    registry = FlowRegistry((build_flow(version(2, "m")),))
    with pytest.raises(RegistryError, match="tiny v2: version must exceed the current v2"):
        registry.register(build_flow(version(2, "m")))
    with pytest.raises(RegistryError, match="tiny v1: version must exceed the current v2"):
        registry.register(build_flow(version(1, "m")))
    other = version(1, "m")
    other["flow"] = "other"
    with pytest.raises(RegistryError, match="other v1: number 95588 already reaches tiny"):
        registry.register(build_flow(other))
    with pytest.raises(RegistryError, match="tiny v2: the current version cannot be retired"):
        registry.retire("tiny", 2)
    with pytest.raises(RegistryError, match="dialled number 12345: no flow answers it"):
        registry.select("12345")
    with pytest.raises(RegistryError, match="tiny v7: no such flow version"):
        registry.get("tiny", 7)
