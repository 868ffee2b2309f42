"""The directory on SQLite and PostgreSQL: round trips, validation messages, references."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine

from hotline.store.sql.directory import (
    AgentRecord,
    BusinessHoursRecord,
    CodeRecord,
    Directory,
    HolidayRecord,
    QueueRecord,
    SkillRecord,
    StepRecord,
    TargetRecord,
    WorkflowRecord,
)
from hotline.store.sql.errors import DirectoryError, InUse, NotFound

ANN = AgentRecord(id="a1", name="Ann Li", site="beijing", skills={"cards": 7, "vip": 2},
                  languages=("en", "zh"), capacity={"voice": 1, "email": 3},
                  attributes={"team": "t1", "senior": True, "grade": 3, "rating": 4.5},
                  auto_accept=True)
CARDS = QueueRecord(name="bj-cards", expression='skills.cards >= 3 and site == "beijing"',
                    selection="most_proficient", proficiency_skill="cards", site="beijing")
VIP = QueueRecord(name="vip", expression="skills.vip >= 1", ordering="strict")
FLOW = WorkflowRecord(name="cards", steps=(StepRecord(queue="bj-cards", timeout_s=30.0),
                                           StepRecord(queue="vip", timeout_s=60.0)),
                      fallback="callback", wrap_up_s=45.0)


@pytest.fixture
def directory(engine: Engine) -> Directory:
    d = Directory(engine)
    d.put_all(skills=[SkillRecord(name="cards", description="Bank cards"),
                      SkillRecord(name="vip")],
              queues=[CARDS, VIP], workflows=[FLOW], agents=[ANN])
    return d


def test_every_kind_round_trips(directory: Directory) -> None:
    d = directory
    assert d.list_skills() == [SkillRecord(name="cards", description="Bank cards"),
                               SkillRecord(name="vip")]
    assert d.get_agent("a1") == ANN
    assert d.list_queues() == [CARDS, VIP]
    assert d.get_workflow("cards") == FLOW
    reasons = [CodeRecord(code="lunch", label="Lunch"), CodeRecord(code="break", label="Break")]
    for r in reasons:
        d.put_reason_code(r)
    d.put_wrap_up_code(CodeRecord(code="resolved", label="Resolved"))
    target = TargetRecord(scope="vip", metric="service_level", target=0.9, warn=0.8)
    d.put_target(target)
    d.put_target(TargetRecord(scope="centre", metric="asa_s", target=20.0))
    hours = BusinessHoursRecord(site="beijing", weekday=6, opens="08:30", closes="24:00")
    d.put_business_hours(hours)
    holiday = HolidayRecord(day=date(2026, 10, 1), name="National Day")
    d.put_holiday(holiday)
    assert d.list_reason_codes() == sorted(reasons, key=lambda r: r.code)
    assert d.get_reason_code("lunch") == reasons[0]
    assert d.list_wrap_up_codes() == [CodeRecord(code="resolved", label="Resolved")]
    assert d.get_target("vip", "service_level") == target
    assert [t.metric for t in d.list_targets()] == ["asa_s", "service_level"]
    assert d.list_targets(scope="vip") == [target]
    assert d.get_business_hours("beijing", 6) == hours
    assert d.list_business_hours("shanghai") == []
    assert d.get_holiday(date(2026, 10, 1)) == holiday
    assert d.list_holidays() == [holiday]
    assert d.get_queue("nope") is None
    assert d.get_skill("nope") is None


def test_put_replaces(directory: Directory) -> None:
    changed = dataclasses.replace(ANN, skills={"cards": 10}, languages=("zh",), active=False,
                                  attributes={})
    directory.put_agent(changed)
    assert directory.get_agent("a1") == changed
    assert directory.list_agents(active_only=True) == []
    assert directory.list_agents() == [changed]
    wider = dataclasses.replace(VIP, expression="skills.vip >= 1 or skills.cards >= 9")
    directory.put_queue(wider)
    assert directory.get_queue("vip") == wider
    directory.put_skill(SkillRecord(name="cards", description="Cards and PINs"))
    assert directory.get_skill("cards") == SkillRecord(name="cards", description="Cards and PINs")


def test_delete_and_not_found(directory: Directory) -> None:
    directory.delete_workflow("cards")
    assert directory.get_workflow("cards") is None
    with pytest.raises(NotFound, match=r"^no workflow 'cards'$"):
        directory.delete_workflow("cards")
    directory.delete_agent("a1")
    assert directory.list_agents() == []
    with pytest.raises(NotFound, match=r"^no business hours 'beijing/1'$"):
        directory.delete_business_hours("beijing", 1)
    with pytest.raises(NotFound, match=r"^no holiday '2026-01-01'$"):
        directory.delete_holiday(date(2026, 1, 1))
    directory.put_target(TargetRecord(scope="vip", metric="waiting", target=5, warn=10))
    directory.delete_target("vip", "waiting")
    assert directory.list_targets() == []


def test_what_is_referred_to_cannot_be_deleted(directory: Directory) -> None:
    with pytest.raises(InUse) as info:
        directory.delete_skill("cards")
    assert str(info.value) == "skill 'cards' is used by agent 'a1', queue 'bj-cards'"
    with pytest.raises(InUse, match=r"^queue 'vip' is used by workflow 'cards'$"):
        directory.delete_queue("vip")
    directory.delete_workflow("cards")
    directory.put_target(TargetRecord(scope="vip", metric="service_level", target=0.8))
    with pytest.raises(InUse, match=r"^queue 'vip' is used by target 'vip/service_level'$"):
        directory.delete_queue("vip")
    directory.delete_target("vip", "service_level")
    directory.delete_queue("vip")
    with pytest.raises(InUse, match=r"^skill 'vip' is used by agent 'a1'$"):
        directory.delete_skill("vip")
    assert [q.name for q in directory.list_queues()] == ["bj-cards"]


def test_many_users_are_cut_short(directory: Directory) -> None:
    directory.put_all(agents=[dataclasses.replace(ANN, id=f"a{n}") for n in range(2, 9)])
    with pytest.raises(InUse) as info:
        directory.delete_skill("vip")
    assert str(info.value) == ("skill 'vip' is used by agent 'a1', agent 'a2', agent 'a3', "
                               "agent 'a4', agent 'a5', 4 more")  # a6-a8 and queue 'vip'


def test_put_all_is_all_or_nothing_and_names_the_record(directory: Directory) -> None:
    with pytest.raises(DirectoryError) as info:
        directory.put_all(
            skills=[SkillRecord(name="loans")],
            queues=[QueueRecord(name="loans", expression="skills.loans >= 1")],
            agents=[dataclasses.replace(ANN, id="a2"),
                    dataclasses.replace(ANN, id="a3", skills={"loans": 0})])
    assert str(info.value) == ("agents['a3'].skills.loans: proficiency must be between "
                               "1 and 10, got 0")
    assert directory.get_skill("loans") is None
    assert directory.get_queue("loans") is None
    assert directory.get_agent("a2") is None
    with pytest.raises(DirectoryError, match=r"^queues\['vip'\]: appears twice$"):
        directory.put_all(queues=[VIP, VIP])


def test_a_batch_may_refer_to_its_own_records(directory: Directory) -> None:
    directory.put_all(
        workflows=[WorkflowRecord(name="loans", steps=(StepRecord(queue="loans"),))],
        queues=[QueueRecord(name="loans", expression="skills.loans >= 1")],
        skills=[SkillRecord(name="loans")])
    assert directory.get_workflow("loans") is not None


def _agent(**changes: Any) -> AgentRecord:
    return dataclasses.replace(ANN, **changes)


def _queue(**changes: Any) -> QueueRecord:
    return dataclasses.replace(CARDS, **changes)


def _flow(*steps: tuple[str, float | None], **changes: Any) -> WorkflowRecord:
    return dataclasses.replace(FLOW, steps=tuple(StepRecord(queue=q, timeout_s=t)
                                                 for q, t in steps), **changes)


@pytest.mark.parametrize(("record", "message"), [
    (SkillRecord(name="credit cards"), "name: must be a name of letters, digits and '_' not "
                                       "starting with a digit (at most 64), got 'credit cards'"),
    (SkillRecord(name="9lives"), "name: must be a name of letters, digits and '_' not starting "
                                 "with a digit (at most 64), got '9lives'"),
    (_agent(skills={"cards": 12}), "skills.cards: proficiency must be between 1 and 10, got 12"),
    (_agent(skills={"cards": 2.5}),
     "skills.cards: proficiency must be between 1 and 10, got 2.5"),
    (_agent(skills={"cardz": 5}),
     "skills.cardz: unknown skill 'cardz' (add it to the skills first)"),
    (_agent(id=""), "id: must be 1–128 characters, got ''"),
    (_agent(id="a\n1"), "id: must be printable, without surrounding spaces, got 'a\\n1'"),
    (_agent(name="  "), "name: is empty"),
    (_agent(site=""), "site: must be 1–64 characters, got ''"),
    (_agent(languages=("zh", "zh")), "languages[1]: 'zh' appears twice"),
    (_agent(capacity={"sms": 1}), "capacity.sms: unknown channel (use voice, callback, "
                                  "outbound, email, fax, forum, chat)"),
    (_agent(capacity={"voice": -1}),
     "capacity.voice: must be a whole number between 0 and 100, got -1"),
    (_agent(attributes={"team name": "x"}), "attributes.team name: must be a name of letters, "
     "digits and '_' not starting with a digit (at most 64), got 'team name'"),
    (_agent(attributes={"tags": ["a"]}),
     "attributes.tags: must be text, a number or true/false, got ['a']"),
    (_agent(auto_accept="yes"), "auto_accept: must be true or false, got 'yes'"),
    (_queue(name="@a1"), "name: must not start with '@' (agents' own queues)"),
    (_queue(expression="skills.cards >= 3 )"), "expression: syntax error at column 19: "
                                               "unmatched ')'"),
    (_queue(expression="region == 'north'"), "expression: column 1: unknown name 'region' (use "
     "site, id, languages, channels, skills.NAME or attributes.NAME)"),
    (_queue(expression="skills.loans >= 1"),
     "expression: unknown skill 'loans' (add it to the skills first)"),
    (_queue(ordering="fifo"), "ordering: must be one of strict, blended, got 'fifo'"),
    (_queue(selection="random"), "selection: must be one of longest_idle, most_proficient, "
                                 "least_occupied, got 'random'"),
    (_queue(proficiency_skill=None),
     "proficiency_skill: is needed when selection is most_proficient"),
    (_queue(proficiency_skill="loans"),
     "proficiency_skill: unknown skill 'loans' (add it to the skills first)"),
    (_queue(priority_weight_s=-1.0), "priority_weight_s: must be a number ≥ 0, got -1.0"),
    (_flow(("bj-cards", 30.0), ("nope", None)), "steps[1].queue: no queue 'nope'"),
    (_flow(("vip", 30.0), ("vip", None), fallback=None),
     "steps[1].queue: queue 'vip' appears twice"),
    (_flow(("bj-cards", None), ("vip", 10.0)),
     "steps[0].timeout_s: every step but the last needs a timeout"),
    (_flow(("bj-cards", 0.0)), "steps[0].timeout_s: must be positive, got 0"),
    (_flow(("bj-cards", float("inf"))), "steps[0].timeout_s: must be a number ≥ 0, got inf"),
    (_flow(("bj-cards", 30.0), ("vip", None)),
     "steps[1].timeout_s: the last step needs a timeout for the fallback to happen"),
    (_flow(("bj-cards", 30.0), fallback="email"),
     "fallback: must be one of callback, voicemail, message, got 'email'"),
    (_flow(("bj-cards", 30.0), wrap_up_s=-5.0), "wrap_up_s: must be a number ≥ 0, got -5.0"),
    (dataclasses.replace(FLOW, steps=()), "steps: needs at least one step"),
    (CodeRecord(code="on break", label="x"),
     "code: must be 1–64 letters, digits, '_', '.' or '-', got 'on break'"),
    (CodeRecord(code="break", label=""), "label: is empty"),
    (TargetRecord(scope="nope", metric="service_level", target=0.8),
     "scope: must be 'centre' or a queue, got 'nope'"),
    (TargetRecord(scope="centre", metric="happiness", target=0.8),
     "metric: unknown metric 'happiness' (use abandon_rate, adherence, aht_s, answer_rate, "
     "asa_s, csat, ivr_containment, longest_wait_s, mean_wait_s, occupancy, reply_rate, "
     "service_level, utilisation, waiting)"),
    (TargetRecord(scope="centre", metric="service_level", target=80.0),
     "target: service_level is a ratio between 0 and 1, got 80.0"),
    (TargetRecord(scope="vip", metric="asa_s", target=20.0, warn=-1.0),
     "warn: must be a number ≥ 0, got -1.0"),
    (BusinessHoursRecord(site="beijing", weekday=7, opens="08:00", closes="18:00"),
     "weekday: must be 0 (Monday) to 6 (Sunday), got 7"),
    (BusinessHoursRecord(site="beijing", weekday=0, opens="8:00", closes="18:00"),
     "opens: must be HH:MM, got '8:00'"),
    (BusinessHoursRecord(site="beijing", weekday=0, opens="08:00", closes="24:30"),
     "closes: must be HH:MM, got '24:30'"),
    (BusinessHoursRecord(site="beijing", weekday=0, opens="18:00", closes="08:00"),
     "closes: must be after opens (18:00), got 08:00"),
    (HolidayRecord(day="2026-10-01", name="National Day"),  # type: ignore[arg-type]
     "day: must be a date, got '2026-10-01'"),
])
# Validation is the same code whatever the backend: SQLite is enough for the messages.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_invalid_records_are_refused_naming_field_and_reason(
        directory: Directory, record: Any, message: str) -> None:
    puts: dict[type, Callable[[Any], None]] = {
        SkillRecord: directory.put_skill, AgentRecord: directory.put_agent,
        QueueRecord: directory.put_queue, WorkflowRecord: directory.put_workflow,
        CodeRecord: directory.put_reason_code, TargetRecord: directory.put_target,
        BusinessHoursRecord: directory.put_business_hours, HolidayRecord: directory.put_holiday}
    put = puts[type(record)]
    before = (directory.list_skills(), directory.list_agents(), directory.list_queues(),
              directory.list_workflows())
    with pytest.raises(DirectoryError) as info:
        put(record)
    assert str(info.value) == message
    assert info.value.field == message.split(": ", 1)[0]
    assert (directory.list_skills(), directory.list_agents(), directory.list_queues(),
            directory.list_workflows()) == before


def test_is_empty(engine: Engine) -> None:
    d = Directory(engine)
    assert d.is_empty()
    d.put_reason_code(CodeRecord(code="lunch", label="Lunch"))
    assert d.is_empty()  # codes alone do not make a directory
    d.put_skill(SkillRecord(name="cards"))
    assert not d.is_empty()
