"""The bank operations a flow may ask for, with their arguments and results.

This is the IVR's side of the contract with the bank adapter in the shell: the adapter
turns a `BankRequest` into a call on the banking port and the port's answer into a
`BankReplied` whose ``data`` keys are the ``outputs`` below (they become call variables).
Every request also carries ``customer_id`` once the caller is authenticated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

VERIFY_PIN: Final = "verify_pin"
"""Authentication: arguments ``card`` or ``account``; the PIN travels as the secret."""

VERIFY_OUTPUTS: Final = ("customer_id", "segment", "account", "card")

FAILURE_CODES: Final = frozenset(
    {
        "wrong_pin",
        "locked",
        "card_frozen",
        "unknown_card",
        "unknown_account",
        "not_own_account",
        "insufficient_funds",
        "limit_exceeded",
        "unavailable",
        "not_authenticated",
    }
)
"""Every failure ``code`` a `BankReplied` may carry."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Operation:
    """One banking function: its argument names, defaults and result fields."""

    name: str
    arguments: tuple[str, ...]
    defaults: Mapping[str, str]
    outputs: tuple[str, ...]
    item_fields: tuple[str, ...] = ()


def _op(
    name: str,
    arguments: tuple[str, ...],
    defaults: dict[str, str],
    outputs: tuple[str, ...],
    item_fields: tuple[str, ...] = (),
) -> Operation:
    return Operation(
        name=name,
        arguments=arguments,
        defaults=MappingProxyType(defaults),
        outputs=outputs,
        item_fields=item_fields,
    )


OPERATIONS: Final[Mapping[str, Operation]] = MappingProxyType(
    {
        "balance": _op("balance", ("account",), {"account": "${account}"}, ("balance", "currency")),
        "transactions": _op(
            "transactions",
            ("account", "count"),
            {"account": "${account}", "count": "5"},
            ("count",),
            ("date", "amount", "description"),
        ),
        "transfer": _op(
            "transfer",
            ("from_account", "to_account", "amount"),
            {"from_account": "${account}"},
            ("reference", "balance"),
        ),
        "freeze_card": _op("freeze_card", ("card",), {"card": "${card}"}, ("reference",)),
        "repay_credit_card": _op(
            "repay_credit_card",
            ("credit_card", "from_account", "amount"),
            {"from_account": "${account}"},
            ("reference", "outstanding"),
        ),
    }
)
