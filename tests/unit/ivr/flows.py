"""Small flow documents for tests, as dicts to mutate."""

from __future__ import annotations

import copy
from typing import Any


def tiny() -> dict[str, Any]:
    """A valid two-language flow: menu → balance (after authentication) → goodbye."""
    return copy.deepcopy(
        {
            "flow": "tiny",
            "version": 1,
            "languages": ["zh", "en"],
            "start": "main_menu",
            "prompts": {
                "menu": {"zh": "余额请按1", "en": "Balance press 1"},
                "card": {"zh": "卡号", "en": "Card"},
                "pin": {"zh": "密码", "en": "PIN"},
                "balance": {"zh": "余额{balance}", "en": "Balance {balance}"},
                "bye": {"zh": "再见", "en": "Bye"},
            },
            "nodes": {
                "main_menu": {
                    "type": "menu",
                    "prompt": "menu",
                    "options": {1: "auth", 0: "agent"},
                    "invalid": "agent",
                },
                "auth": {
                    "type": "authenticate",
                    "method": "card",
                    "id_prompt": "card",
                    "pin_prompt": "pin",
                    "next": "balance",
                    "locked": "agent",
                    "failed": "agent",
                },
                "balance": {
                    "type": "bank",
                    "operation": "balance",
                    "result_prompt": "balance",
                    "next": "bye",
                    "error": "agent",
                },
                "agent": {"type": "enqueue", "workflow": "general"},
                "bye": {"type": "hangup", "prompt": "bye"},
            },
        }
    )
