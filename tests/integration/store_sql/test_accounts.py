"""Users, tokens and login attempts on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text

from hotline.store.sql.accounts import KEEP, Accounts, token_hash
from hotline.store.sql.directory import AgentRecord, Directory, SkillRecord
from hotline.store.sql.errors import AccountError, Duplicate, NotFound

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def accounts(engine: Engine) -> Accounts:
    return Accounts(engine)


def test_users_round_trip(accounts: Accounts) -> None:
    ann = accounts.create_user("ann", password_hash="$argon2id$ann", role="supervisor",
                               display_name="Ann Li", now=T0)
    bob = accounts.create_user("bob", password_hash="$argon2id$bob", role="analyst",
                               now=T0.astimezone(BEIJING))
    assert ann.display_name == "Ann Li" and bob.display_name == "bob"
    assert bob.created_at == T0 and bob.created_at.tzinfo is UTC
    assert accounts.get_user(ann.id) == ann
    assert accounts.get_user_by_name("bob") == bob
    assert accounts.get_user_by_name("carl") is None
    assert accounts.list_users() == [ann, bob]
    accounts.set_password_hash(ann.id, "$argon2id$new")
    assert accounts.get_user(ann.id).password_hash == "$argon2id$new"  # type: ignore[union-attr]
    changed = accounts.update_user(bob.id, role="admin", disabled=True)
    assert (changed.role, changed.disabled, changed.display_name) == ("admin", True, "bob")
    assert accounts.update_user(bob.id) == changed  # nothing given, nothing changed
    with pytest.raises(Duplicate, match=r"^user 'ann' already exists$"):
        accounts.create_user("ann", password_hash="x", role="agent")
    with pytest.raises(NotFound, match=r"^no user '999'$"):
        accounts.set_password_hash(999, "x")
    with pytest.raises(NotFound, match=r"^no user '999'$"):
        accounts.update_user(999, role="agent")


def test_created_at_defaults_to_now_in_utc(accounts: Accounts) -> None:
    before = datetime.now(UTC)
    user = accounts.create_user("ann", password_hash="h", role="agent")
    assert before <= user.created_at <= datetime.now(UTC)
    assert user.created_at.tzinfo is UTC


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"username": "ann smith"}, "username: must be 1–64 letters, digits, '_', '.', '@' or '-', "
                                "got 'ann smith'"),
    ({"username": ""}, "username: must be 1–64 letters, digits, '_', '.', '@' or '-', got ''"),
    ({"role": "god"}, "role: must be one of agent, supervisor, analyst, admin, got 'god'"),
    ({"password_hash": ""}, "password_hash: is empty"),
    ({"agent_id": "a9"}, "agent_id: no agent 'a9'"),
    ({"now": datetime(2026, 1, 5, 9, 0)},  # noqa: DTZ001 - the naive datetime under test
     "now: must be an aware datetime, got datetime.datetime(2026, 1, 5, 9, 0)"),
])
def test_bad_users_are_refused(accounts: Accounts, kwargs: dict[str, object],
                               message: str) -> None:
    args: dict[str, object] = {"username": "ann", "password_hash": "h", "role": "agent", **kwargs}
    username = args.pop("username")
    with pytest.raises(AccountError) as info:
        accounts.create_user(username, **args)  # type: ignore[arg-type]
    assert str(info.value) == message
    assert accounts.list_users() == []


def test_a_user_linked_to_an_agent_is_unlinked_when_the_agent_goes(engine: Engine,
                                                                 accounts: Accounts) -> None:
    directory = Directory(engine)
    directory.put_skill(SkillRecord(name="cards"))
    directory.put_agent(AgentRecord(id="a1", name="Ann", site="beijing", skills={"cards": 5}))
    ann = accounts.create_user("ann", password_hash="h", role="agent", agent_id="a1")
    assert ann.agent_id == "a1"
    directory.delete_agent("a1")
    assert accounts.get_user(ann.id).agent_id is None  # type: ignore[union-attr]
    with pytest.raises(AccountError, match=r"^agent_id: no agent 'a1'$"):
        accounts.update_user(ann.id, agent_id="a1")
    assert accounts.update_user(ann.id, agent_id=None, display_name=KEEP).agent_id is None


def test_tokens_expire_and_follow_their_user(accounts: Accounts) -> None:
    ann = accounts.create_user("ann", password_hash="h", role="supervisor", now=T0)
    session, api = token_hash("session-token"), token_hash("api-token")
    stored = accounts.store_token(session, ann.id, "session", "csrf-1", T0 + timedelta(hours=8),
                                  now=T0)
    accounts.store_token(api, ann.id, "api", None, None, now=T0)
    assert stored.expires_at == T0 + timedelta(hours=8) and stored.last_used_at is None

    found = accounts.token_user(session, T0 + timedelta(hours=1))
    assert found is not None
    user, token = found
    assert user == ann
    assert (token.kind, token.csrf, token.last_used_at) == ("session", "csrf-1",
                                                            T0 + timedelta(hours=1))
    assert accounts.token_user(session, T0 + timedelta(hours=8)) is None  # expired at the end
    later = accounts.token_user(api, T0 + timedelta(days=400))  # no expiry
    assert later is not None and later[1].kind == "api"
    assert accounts.token_user(token_hash("never-issued"), T0) is None

    accounts.update_user(ann.id, disabled=True)
    assert accounts.token_user(api, T0) is None  # a disabled user's tokens are no good
    accounts.update_user(ann.id, disabled=False)
    assert accounts.revoke_token(api) is True
    assert accounts.revoke_token(api) is False
    assert accounts.token_user(api, T0) is None


def test_last_use_is_written_at_most_once_a_minute(accounts: Accounts) -> None:
    ann = accounts.create_user("ann", password_hash="h", role="agent", now=T0)
    h = token_hash("t")
    accounts.store_token(h, ann.id, "session", None, None, now=T0)
    accounts.token_user(h, T0 + timedelta(seconds=10))
    accounts.token_user(h, T0 + timedelta(seconds=40))
    assert accounts.list_tokens(ann.id)[0].last_used_at == T0 + timedelta(seconds=10)
    accounts.token_user(h, T0 + timedelta(seconds=75))
    assert accounts.list_tokens(ann.id)[0].last_used_at == T0 + timedelta(seconds=75)


def test_token_housekeeping(engine: Engine, accounts: Accounts) -> None:
    ann = accounts.create_user("ann", password_hash="h", role="agent", now=T0)
    bob = accounts.create_user("bob", password_hash="h", role="agent", now=T0)
    for n in range(3):
        accounts.store_token(token_hash(f"s{n}"), ann.id, "session", None,
                             T0 + timedelta(hours=n), now=T0)
    accounts.store_token(token_hash("api"), ann.id, "api", None, None, now=T0)
    accounts.store_token(token_hash("bob"), bob.id, "session", None, None, now=T0)
    assert accounts.purge_expired_tokens(T0 + timedelta(hours=1)) == 2
    assert accounts.revoke_user_tokens(ann.id, kind="session") == 1
    assert [t.kind for t in accounts.list_tokens(ann.id)] == ["api"]
    accounts.delete_user(ann.id)  # takes the user's tokens with it
    with engine.connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM auth_tokens")).scalar() == 1
    with pytest.raises(NotFound):
        accounts.delete_user(ann.id)


@pytest.mark.parametrize(("args", "message"), [
    (("raw-token-not-a-hash", 1, "session", None, None),
     "token_hash: must be the sha256 hex of the token (64 of 0-9a-f); tokens themselves are "
     "never stored"),
    ((token_hash("x"), 1, "cookie", None, None),
     "kind: must be one of session, api, got 'cookie'"),
    ((token_hash("x"), 1, "session", None, datetime(2026, 1, 1)),  # noqa: DTZ001
     "expires_at: must be an aware datetime, got datetime.datetime(2026, 1, 1, 0, 0)"),
])
def test_bad_tokens_are_refused(accounts: Accounts, args: tuple[object, ...],
                                message: str) -> None:
    with pytest.raises(AccountError) as info:
        accounts.store_token(*args)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_a_token_for_an_unknown_user_or_stored_twice(accounts: Accounts) -> None:
    with pytest.raises(NotFound, match=r"^no user '42'$"):
        accounts.store_token(token_hash("x"), 42, "session", None, None)
    ann = accounts.create_user("ann", password_hash="h", role="agent")
    accounts.store_token(token_hash("x"), ann.id, "session", None, None)
    with pytest.raises(Duplicate, match=r"^token '2d711642…' already exists$"):
        accounts.store_token(token_hash("x"), ann.id, "session", None, None)


def test_failures_count_since_a_time_and_since_the_last_success(accounts: Accounts) -> None:
    for minute, ok in [(0, False), (1, False), (2, True), (3, False), (4, False), (5, False)]:
        accounts.record_login_attempt("ann", ok, at=T0 + timedelta(minutes=minute),
                                      remote="10.0.0.7")
    accounts.record_login_attempt("bob", False, at=T0 + timedelta(minutes=4))
    assert accounts.recent_failures("ann", T0) == 3  # the two before the success do not count
    assert accounts.recent_failures("ann", T0 + timedelta(minutes=4)) == 2
    assert accounts.recent_failures("bob", T0) == 1
    assert accounts.recent_failures("carl", T0) == 0
    accounts.record_login_attempt("x" * 200, False, at=T0)  # any name is noted, cut short
    assert accounts.recent_failures("x" * 64, T0) == 1
    assert accounts.purge_login_attempts(T0 + timedelta(minutes=4)) == 5
    assert accounts.recent_failures("ann", T0) == 2
