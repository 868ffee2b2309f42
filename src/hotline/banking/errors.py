"""Errors of the banking package. Each names the field or item and the reason.

Messages never contain a PIN or a full card number: card numbers are masked, PINs are never
echoed, not even a wrong one.
"""

from __future__ import annotations


class BankingError(ValueError):
    """Base class: a banking command was rejected; the state is unchanged."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidInput(BankingError):
    """A field is malformed (amount not positive, PIN not 6 digits, naive datetime...)."""


class UnknownItem(BankingError):
    """A customer, account, card, payee or request does not exist (or is not the caller's)."""


class AuthenticationFailed(BankingError):
    """Credential and PIN do not match."""


class CredentialLocked(BankingError):
    """The telephone PIN is locked after consecutive failures."""


class CardFrozen(BankingError):
    """The card is frozen or reported lost: it cannot authenticate and its account cannot pay."""


class InsufficientFunds(BankingError):
    """The debit would take the account below its allowed minimum."""


class LimitExceeded(BankingError):
    """A daily limit per customer and channel, or a role's limit, would be exceeded."""


class IdempotencyConflict(BankingError):
    """The same idempotency key was reused for a request with different content."""


class UnbalancedPosting(BankingError):
    """A posting's debits and credits differ."""


class NotPermitted(BankingError):
    """The actor may not do this (wrong role, own approval, caller not verified...)."""


class ApprovalClosed(BankingError):
    """The approval request is no longer pending (approved, rejected or expired)."""
