"""Replacing a lost card: a new card number on the same account, planned as a `CardReplaced`.

Only a card reported lost is replaced. A frozen card is not: freezing is the customer's
temporary stop and can be undone, so replacing it would leave two cards that may both become
active; a customer who wants a new card for a frozen one reports it lost first (allowed from
frozen). A lost card is replaced once; its replacement, once lost, gets its own.

The new number keeps the old one's BIN (the first 6 digits, so the same product) and length,
ends in a Luhn check digit, and takes its other digits from `entropy` (``secrets.token_bytes``
unless a seeded one is injected), never from the old number: whoever found the lost card must
not be able to work out the new one.

>>> luhn_complete("7992739871"), luhn_valid("79927398713"), luhn_valid("79927398710")
('79927398713', True, False)
>>> import random
>>> pan = replacement_pan("6228480012345671234", taken=set(), entropy=random.Random(1).randbytes)
>>> pan[:6], len(pan), luhn_valid(pan), pan != "6228480012345671234"
('622848', 19, True, True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container

from hotline.banking.errors import IdempotencyConflict, InvalidInput, NotPermitted
from hotline.banking.events import CardReplaced
from hotline.banking.model import Card, CardStatus, RequestContext
from hotline.banking.money import require_aware
from hotline.banking.state import BankState

BIN_LENGTH = 6
_SUCCESSOR = re.compile(r"(.+)-R(\d+)")

Entropy = Callable[[int], bytes]


def luhn_complete(body: str) -> str:
    """Append the Luhn check digit: `luhn_complete("7992739871") == "79927398713"`."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return len(number) > 1 and number.isdigit() and luhn_complete(number[:-1]) == number


def replacement_pan(old_pan: str, *, taken: Container[str], entropy: Entropy) -> str:
    """A new number with `old_pan`'s BIN and length, not in `taken`, Luhn-valid."""
    free = len(old_pan) - BIN_LENGTH - 1  # between the BIN and the check digit
    if free < 1 or not old_pan.isdigit():
        raise InvalidInput("pan", "is not a card number with a BIN and a check digit")
    while True:
        # 8 bytes per draw: the modulo bias over at most 12 digits is below 1e-7.
        digits = int.from_bytes(entropy(8), "big") % 10**free
        pan = luhn_complete(f"{old_pan[:BIN_LENGTH]}{digits:0{free}d}")
        if pan != old_pan and pan not in taken:
            return pan


def successor_id(state: BankState, card_id: str) -> str:
    """`C000001-DC` -> `C000001-DC-R1`; `C000001-DC-R1` -> `C000001-DC-R2` (first free)."""
    match = _SUCCESSOR.fullmatch(card_id)
    base, n = (match[1], int(match[2]) + 1) if match else (card_id, 1)
    while f"{base}-R{n}" in state.cards:
        n += 1
    return f"{base}-R{n}"


def earlier_replacement(state: BankState, *, customer_id: str, card_id: str,
                        idempotency_key: str) -> CardReplaced | None:
    """The replacement this key already made, or None; the key used otherwise conflicts."""
    key = idempotency_key
    if not key or not key.strip():
        raise InvalidInput("idempotency_key", "must not be empty")
    earlier = state.replacements_by_key.get(key)
    if key in state.moves_by_key or (earlier is not None and (
            earlier.card.customer_id, earlier.card_id) != (customer_id, card_id)):
        raise IdempotencyConflict("idempotency_key", f"{key} was already used for a "
                                                     "different request")
    return earlier


def plan_replacement(state: BankState, *, customer_id: str, card_id: str,
                     idempotency_key: str, ctx: RequestContext,
                     entropy: Entropy) -> CardReplaced:
    """Check the card may be replaced and build the event; nothing changes here."""
    now = require_aware("now", ctx.now)
    old = state.own_card(customer_id, card_id)
    status = state.card_status[card_id]
    if status is not CardStatus.LOST:
        raise NotPermitted("card_id", f"card {old.masked_pan} is {status.value}: only a card "
                                      "reported lost is replaced")
    successor = state.replaced_by.get(card_id)
    if successor is not None:
        raise NotPermitted("card_id", f"card {old.masked_pan} was already replaced by "
                                      f"{successor}")
    card = Card(card_id=successor_id(state, card_id),
                pan=replacement_pan(old.pan, taken=state.card_by_pan, entropy=entropy),
                customer_id=old.customer_id, account_id=old.account_id)
    return CardReplaced(card_id=card_id, card=card, idempotency_key=idempotency_key,
                        by=ctx.actor, at=now)
