"""Masking for display and logs: card numbers, account numbers, names.

>>> mask_pan("6228480012345671234")
'622848*********1234'
>>> mask_pan("6228480012345671234", last4_only=True)
'****1234'
>>> mask_name("张三丰"), mask_name("Wang Li")
('张**', 'W*** Li')
"""

from __future__ import annotations


def mask_pan(pan: str, *, last4_only: bool = False) -> str:
    """Show at most the first 6 and last 4 digits of a card number (PCI DSS display rule)."""
    digits = "".join(ch for ch in pan if ch.isdigit())
    if last4_only or len(digits) < 13:
        return "****" + digits[-4:] if len(digits) > 4 else "****"
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_account(number: str) -> str:
    """Show only the last 4 characters of an account number: `****5678`."""
    return "****" + number[-4:] if len(number) > 4 else "****"


def _mask_word(word: str) -> str:
    return word[:1] + "*" * (len(word) - 1)


def mask_name(name: str) -> str:
    """Keep the family name only: `张三` -> `张*`; `Wang Li` -> `W*** Li` (last word kept).

    Chinese names (no spaces) keep their first character; Latin names keep the last word (the
    family name in Western order) and the initial of the others.
    """
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return _mask_word(words[0]) if len(words[0]) > 1 else "*"
    return " ".join([*(_mask_word(w) for w in words[:-1]), words[-1]])
