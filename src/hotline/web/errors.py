"""API errors: every refusal is ``{error_id, message, details}`` with a status code.

``details`` names the field when one is to blame, so a form can show the message beside it.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal the API reports as JSON. ``error_id`` is stable; ``message`` is for people."""

    def __init__(self, status: int, error_id: str, message: str,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.details = details or {}

    def body(self) -> dict[str, Any]:
        return {"error_id": self.error_id, "message": self.message, "details": self.details}


class NotAuthenticated(ApiError):
    def __init__(self, reason: str = "log in first") -> None:
        super().__init__(401, "not_authenticated", reason)


class Forbidden(ApiError):
    def __init__(self, role: str, allowed: tuple[str, ...]) -> None:
        super().__init__(403, "forbidden",
                         f"role '{role}' may not do this; allowed: {', '.join(allowed)}",
                         {"role": role, "allowed": list(allowed)})


class CsrfRejected(ApiError):
    def __init__(self) -> None:
        super().__init__(403, "csrf_rejected",
                         "missing or wrong X-CSRF-Token header for a cookie session",
                         {"field": "X-CSRF-Token"})


class TooManyAttempts(ApiError):
    def __init__(self, username: str, retry_after_s: int) -> None:
        super().__init__(429, "too_many_attempts",
                         f"too many failed logins for '{username}'; "
                         f"try again in {retry_after_s} s",
                         {"field": "username", "retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s


class BadCredentials(ApiError):
    def __init__(self) -> None:
        super().__init__(401, "bad_credentials", "wrong username or password",
                         {"field": "password"})


class NotFound(ApiError):
    def __init__(self, kind: str, item_id: str) -> None:
        super().__init__(404, "not_found", f"unknown {kind} '{item_id}'",
                         {"kind": kind, "id": item_id})


class Invalid(ApiError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(422, "invalid", f"{field}: {reason}", {"field": field, "reason": reason})


class Conflict(ApiError):
    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(409, "conflict", message, details)


class NotAnAgent(ApiError):
    def __init__(self, username: str) -> None:
        super().__init__(403, "not_an_agent", f"user '{username}' is not linked to an agent")


class SettingsError(ValueError):
    """A server setting that cannot be used (at start, not a request's fault); names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
