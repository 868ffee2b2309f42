"""What a prompt may say: a full card number never reaches the switch, the renderer or a log.

`speakable` masks anything that looks like a card number (13–19 digits passing the Luhn check)
the way the bank masks one (first six, last four); other figures, such as amounts or a phone
number, are said as they are.
"""

from __future__ import annotations

import re

from hotline.banking.masking import mask_pan

_NUMBER = re.compile(r"\d{13,19}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def speakable(text: str) -> str:
    """Mask anything that looks like a full card number (13–19 digits passing Luhn) before a
    prompt reaches the switch: a read-back must never say or log one.

    >>> speakable("to card 6228480012345671239 now")
    'to card 622848*********1239 now'
    """
    return _NUMBER.sub(lambda m: mask_pan(m[0]) if _luhn_ok(m[0]) else m[0], text)
