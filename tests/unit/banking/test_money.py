from datetime import datetime
from decimal import Decimal

import pytest

from hotline.banking.errors import InvalidInput
from hotline.banking.money import format_fen, require_amount, require_aware, yuan_to_fen


def test_yuan_parses_exactly() -> None:
    assert yuan_to_fen("12.34") == 1234
    assert yuan_to_fen(Decimal("0.01")) == 1
    assert yuan_to_fen("1000") == 100_000


def test_more_than_two_decimals_is_rejected() -> None:
    with pytest.raises(InvalidInput, match=r"^amount: must have at most 2 decimals, got 1.005$"):
        yuan_to_fen("1.005")
    with pytest.raises(InvalidInput, match=r"^amount: not a number: 'abc'$"):
        yuan_to_fen("abc")


def test_format() -> None:
    assert format_fen(123456) == "¥1,234.56"
    assert format_fen(-5) == "-¥0.05"


def test_amount_must_be_positive_int() -> None:
    assert require_amount("amount", 1) == 1
    with pytest.raises(InvalidInput, match=r"^amount: must be positive, got 0 fen$"):
        require_amount("amount", 0)
    with pytest.raises(InvalidInput, match=r"^amount: must be an integer number of fen, got float"):
        require_amount("amount", 1.5)
    with pytest.raises(InvalidInput, match="got bool"):
        require_amount("amount", True)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(InvalidInput, match=r"^now: must be an aware datetime$"):
        require_aware("now", datetime(2007, 1, 1))  # noqa: DTZ001
