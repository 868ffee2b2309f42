"""`Secret`: a string that never shows itself in `repr`/`str` (telephone PINs)."""

from __future__ import annotations

from typing import Final

MASK: Final = "******"


class Secret:
    """Wraps a secret value; only `reveal()` gives it back.

    >>> pin = Secret("246810")
    >>> pin
    Secret('******')
    >>> pin.reveal()
    '246810'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The clear value, for the one place that must send it (the bank adapter)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))
