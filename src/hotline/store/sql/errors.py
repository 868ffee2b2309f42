"""Typed errors of the SQL store. Each message names the field or item and the reason.

>>> str(DirectoryError("skills.cards", "proficiency must be between 1 and 10, got 12"))
'skills.cards: proficiency must be between 1 and 10, got 12'
>>> str(NotFound("queue", "bj-retail"))
"no queue 'bj-retail'"
"""

from __future__ import annotations

from hotline.store.errors import StoreError


class DatabaseConfigError(StoreError):
    """The database URL or setting is unusable (unknown scheme, empty path)."""

    error_id = "database_config"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidRecord(StoreError):
    """A record to store is invalid; names the field and the reason."""

    error_id = "invalid_record"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DirectoryError(InvalidRecord):
    """A directory record (skill, agent, queue, workflow, code, target, hours) is invalid."""

    error_id = "invalid_directory_record"


class AccountError(InvalidRecord):
    """A user, token or login attempt is invalid (bad username, unknown role, raw token)."""

    error_id = "invalid_account"


class NotFound(StoreError):
    """The record to read, change or delete does not exist."""

    error_id = "not_found"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} '{key}'")
        self.kind = kind
        self.key = key


class Duplicate(StoreError):
    """A record that must be unique exists already (a username)."""

    error_id = "duplicate"

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} '{key}' already exists")
        self.kind = kind
        self.key = key


class InUse(StoreError):
    """The record cannot be deleted while others refer to it."""

    error_id = "in_use"

    def __init__(self, kind: str, key: str, users: list[str]) -> None:
        super().__init__(f"{kind} '{key}' is used by {', '.join(users)}")
        self.kind = kind
        self.key = key
        self.users = users
