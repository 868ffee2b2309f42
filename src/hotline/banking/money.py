"""Money as integer fen (1 yuan = 100 fen); `Decimal` only at the edges."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from hotline.banking.errors import InvalidInput

FEN_PER_YUAN = 100


def require_amount(field: str, amount: object) -> int:
    """Return `amount` if it is a positive integer number of fen, else raise `InvalidInput`."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(field, f"must be an integer number of fen, got {type(amount).__name__}")
    if amount <= 0:
        raise InvalidInput(field, f"must be positive, got {amount} fen")
    return amount


def require_aware(field: str, when: datetime) -> datetime:
    """Return `when` if it is an aware datetime, else raise `InvalidInput`."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidInput(field, "must be an aware datetime")
    return when


def yuan_to_fen(text: str | Decimal) -> int:
    """Parse yuan exactly: `yuan_to_fen("12.34") == 1234`; more than 2 decimals is an error."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("amount", f"not a number: {text!r}") from None
    fen = value * FEN_PER_YUAN
    if not value.is_finite() or fen != fen.to_integral_value():
        raise InvalidInput("amount", f"must have at most 2 decimals, got {text}")
    return int(fen)


def format_fen(fen: int) -> str:
    """Format fen for display: `format_fen(-123456) == "-¥1,234.56"`."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{cents:02d}"
