"""Value fixes for flow documents: YAML reads keys and texts as numbers and booleans."""

from __future__ import annotations

from typing import Any

KEYS = "0123456789*#"


def text_values(value: Any) -> Any:
    """YAML reads ``1``/``true`` as numbers and booleans; flows mean the text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def digit_keys(value: Any) -> Any:
    """Menu keys ``1: balance`` arrive as integers; turn them back into keys."""
    if isinstance(value, dict):
        return {
            (str(k) if isinstance(k, int) and not isinstance(k, bool) else k): v
            for k, v in value.items()
        }
    return value


def check_keys(value: dict[str, Any]) -> dict[str, Any]:
    for key in value:
        if len(key) != 1 or key not in KEYS:
            raise ValueError(f"key {key!r} is not one telephone key (0-9, * or #)")
    return value
