"""Schemathesis over the app's OpenAPI schema: no generated request ever gets a 5xx.

The app is the real one (``create_app``: REST, admin, pages) over the web tests' small centre
on a manual clock, with a SQLite directory in memory. Every operation gets valid and invalid
(negative) generated requests as an admin, as a supervisor who also works as an agent (so the
agent routes run in full), and with no credentials at all; at least 1,000 in total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi

from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import (
    DEFAULT_REASON_CODES,
    DEFAULT_WRAP_UP_CODES,
    AgentRecord,
    Directory,
    QueueRecord,
    SkillRecord,
    StepRecord,
    WorkflowRecord,
)
from hotline.web.app import create_app
from hotline.web.security import new_token, token_hash
from tests.unit.web.conftest import HASH, World, build_world

EXAMPLES = 8  # per operation and generation mode, each sent by the three callers
MINIMUM = 1000
CALLERS = ("admin", "sup-desk", None)  # None: no credentials


def directory() -> Directory:
    """A directory that says what the world's engine was built with."""
    engine = open_database("sqlite://")
    migrate(engine)
    d = Directory(engine)
    d.put_all(
        skills=[SkillRecord(name="cards"), SkillRecord(name="vip")],
        queues=[QueueRecord(name=n, expression=f"skills.{n} >= 1", site="bj")
                for n in ("cards", "vip")],
        workflows=[WorkflowRecord(name="cards", steps=(StepRecord(queue="cards"),),
                                  wrap_up_s=60.0)],
        agents=[AgentRecord(id=a, name=a, site="bj", skills={"cards": 5}, languages=("zh",))
                for a in ("a1", "a2")],
        reason_codes=DEFAULT_REASON_CODES, wrap_up_codes=DEFAULT_WRAP_UP_CODES)
    return d


def bearer(world: World, username: str) -> dict[str, str]:
    accounts = world.services.accounts
    user = accounts.user_by_name(username)
    assert user is not None
    raw = new_token()
    accounts.store_token(token_hash=token_hash(raw), user_id=user.id, kind="api", csrf=None,
                         expires_at=world.services.now() + 86400)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def world() -> Iterator[World]:
    w = build_world()
    w.services.extra["directory"] = directory()
    w.services.accounts.add_user(username="sup-desk", display_name="Sup", role="supervisor",
                                 agent_id="a2", password_hash=HASH)
    yield w
    asgi.shutdown_lifespans()  # schemathesis keeps an app's lifespan open until told


def test_no_generated_request_gets_a_server_error(world: World) -> None:
    app = create_app(lambda: world.services)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]
    for operation in operations:
        fuzz(world, operation, GenerationMode.POSITIVE, statuses, errors)
        if can_be_invalid(operation):
            fuzz(world, operation, GenerationMode.NEGATIVE, statuses, errors)
    total = sum(statuses.values())
    print(f"\n{total} requests over {len(operations)} operations; statuses {dict(statuses)}")
    assert not errors, "\n".join(errors[:10])
    assert total >= MINIMUM
    assert statuses[401] > 0 and statuses[200] > 0 and statuses[422] > 0


def can_be_invalid(operation: schemathesis.APIOperation) -> bool:
    """A body or a query parameter to get wrong (any string is a valid path segment, and
    Hypothesis would search long for an invalid one before giving up)."""
    return bool(operation.get_request_payload_content_types()) or any(
        p.location.value == "query" for p in operation.iter_parameters())


def fuzz(world: World, operation: schemathesis.APIOperation, mode: GenerationMode,
         statuses: Counter[int], errors: list[str]) -> None:
    """``EXAMPLES`` generated requests to ``operation``, each sent by every caller (with a
    fresh token: a generated logout revokes the one it was sent with)."""

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: schemathesis.Case) -> None:
        for who in CALLERS:
            response = case.call(headers=bearer(world, who) if who else {})
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                errors.append(f"{who or 'nobody'}, {mode.value}: {case.method} "
                              f"{case.formatted_path} -> {response.status_code} "
                              f"{response.text[:300]}\n  {case.as_curl_command()}")

    call()
