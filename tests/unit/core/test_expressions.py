"""Queue expressions: which agents belong to a queue, and clear errors for bad expressions."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from hotline.core.errors import InvalidDefinition
from hotline.core.expressions import AgentView, compile_expression

FIELD = "queue 'q'.expression"


def agent(*, id: str = "a1", site: str = "beijing", skills: Mapping[str, int] | None = None,
          languages: tuple[str, ...] = ("zh",), channels: tuple[str, ...] = ("voice",),
          attributes: Mapping[str, object] | None = None) -> AgentView:
    return AgentView(id=id, site=site, skills=dict(skills or {}),
                     languages=frozenset(languages), channels=frozenset(channels),
                     attributes=dict(attributes or {}))


def member(source: str, view: AgentView) -> bool:
    return compile_expression(source, FIELD)(view)


# --- membership ------------------------------------------------------------------------------
@pytest.mark.parametrize(("level", "expected"), [(2, False), (3, True), (9, True)])
def test_skill_proficiency_threshold(level: int, expected: bool) -> None:
    assert member("skills.cards >= 3", agent(skills={"cards": level})) is expected


def test_missing_skill_counts_as_proficiency_zero() -> None:
    view = agent(skills={"loans": 4})
    assert member("skills.cards >= 1", view) is False
    assert member("skills.cards == 0", view) is True


def test_skill_range_with_chained_comparison() -> None:
    assert member("2 <= skills.cards <= 6", agent(skills={"cards": 6})) is True
    assert member("2 <= skills.cards <= 6", agent(skills={"cards": 7})) is False
    assert member("2 <= skills.cards <= 6", agent(skills={"cards": 1})) is False


def test_languages_membership_and_negation() -> None:
    bilingual = agent(languages=("zh", "en"))
    mandarin = agent(languages=("zh",))
    assert member('"en" in languages', bilingual) is True
    assert member('"en" in languages', mandarin) is False
    assert member('"en" not in languages', mandarin) is True


def test_skill_and_language_combined() -> None:
    source = 'skills.cards >= 3 and "zh" in languages'
    assert member(source, agent(skills={"cards": 5}, languages=("zh",))) is True
    assert member(source, agent(skills={"cards": 5}, languages=("en",))) is False
    assert member(source, agent(skills={"cards": 2}, languages=("zh",))) is False


def test_site_and_id() -> None:
    assert member('site == "shanghai"', agent(site="shanghai")) is True
    assert member('site == "shanghai"', agent(site="beijing")) is False
    assert member('id in ["a1", "a2"]', agent(id="a2")) is True
    assert member('id in ["a1", "a2"]', agent(id="a3")) is False


def test_site_or_skill() -> None:
    source = 'site == "beijing" or skills.vip >= 5'
    assert member(source, agent(site="shanghai", skills={"vip": 6})) is True
    assert member(source, agent(site="shanghai", skills={"vip": 4})) is False
    assert member(source, agent(site="beijing")) is True


def test_channels_set() -> None:
    assert member('"email" in channels', agent(channels=("voice", "email"))) is True
    assert member('"email" in channels', agent(channels=("voice",))) is False


def test_attributes_equal_and_compare() -> None:
    senior = agent(attributes={"tier": "senior", "level": 4, "vip_desk": True})
    junior = agent(attributes={"tier": "junior", "level": 1})
    assert member('attributes.tier == "senior"', senior) is True
    assert member('attributes.tier == "senior"', junior) is False
    assert member("attributes.level >= 3", senior) is True
    assert member("attributes.level >= 3", junior) is False
    assert member("attributes.vip_desk == True", senior) is True
    assert member("attributes.vip_desk == True", junior) is False


def test_missing_attribute_is_not_a_member_even_for_ordering_comparisons() -> None:
    # None >= 3 would raise in Python; the expression says "not a member" instead.
    assert member("attributes.level >= 3", agent()) is False
    assert member('attributes.tier == "senior"', agent()) is False


def test_missing_attribute_comparison_is_false_locally_not_for_the_whole_expression() -> None:
    view = agent(site="beijing")
    assert member('site == "beijing" or attributes.level < 3', view) is True
    assert member('attributes.level < 3 or site == "beijing"', view) is True


def test_true_is_everyone() -> None:
    assert member("true", agent()) is True
    assert member("True", agent(site="anywhere")) is True


# --- errors ----------------------------------------------------------------------------------
def reject(source: str) -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as info:
        compile_expression(source, FIELD)
    assert info.value.field == FIELD
    assert str(info.value) == f"{FIELD}: {info.value.reason}"
    return info.value


def test_empty_expression() -> None:
    assert reject("   ").reason == "is empty"


@pytest.mark.parametrize(("source", "column"), [
    ("skills.cards = 3", 14),
    ("skills.cards >= 3 3", 19),
    ('site == "x" )', 13),
])
def test_syntax_error_names_the_column(source: str, column: int) -> None:
    error = reject(source)
    assert error.reason.startswith(f"syntax error at column {column}: ")
    assert "invalid syntax" in error.reason or "unmatched" in error.reason


def test_syntax_error_at_end_names_a_real_column() -> None:
    assert "column 0" not in reject("skills.cards >= ").reason


def test_unknown_name_names_the_column_and_the_allowed_names() -> None:
    error = reject('site == "beijing" and tier == 3')
    assert error.reason == ("column 23: unknown name 'tier' (use site, id, languages, "
                            "channels, skills.NAME or attributes.NAME)")


def test_unknown_group() -> None:
    assert reject("profile.age > 3").reason == (
        "column 1: unknown group 'profile' (use skills.NAME or attributes.NAME)")


@pytest.mark.parametrize(("source", "reason"), [
    ('__import__("os")', "column 1: '__import__('os')' is not allowed in a queue expression"),
    ("len(languages) > 1", "column 1: 'len(languages)' is not allowed in a queue expression"),
    ('skills.cards >= 1 and site.upper() == "X"',
     "column 23: 'site.upper()' is not allowed in a queue expression"),
    ("skills.cards.real > 1",
     "column 1: 'skills.cards.real' is not allowed in a queue expression"),
    ("skills.__class__.__name__ == 'dict'",
     "column 1: 'skills.__class__.__name__' is not allowed in a queue expression"),
    ('skills["cards"] > 1', "column 1: 'skills['cards']' is not allowed in a queue expression"),
    ("skills.cards + 1 > 2", "column 1: 'skills.cards + 1' is not allowed in a queue expression"),
    ("lambda: 1", "column 1: 'lambda: 1' is not allowed in a queue expression"),
    ("site is None", "column 1: operator Is is not allowed"),
    ("None", "column 1: unsupported constant None"),
    ('id in [site, "a2"]', "column 8: list items must be plain strings or numbers"),
])
def test_forbidden_constructs(source: str, reason: str) -> None:
    assert reject(source).reason == reason
