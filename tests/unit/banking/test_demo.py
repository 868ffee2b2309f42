import random
from collections import Counter

import pytest

from hotline.banking.demo import PROVINCES, demo_bank, luhn_complete
from hotline.banking.errors import InvalidInput
from hotline.banking.model import AccountKind, Segment
from hotline.banking.sandbox import SandboxBank
from tests.unit.banking.helpers import T0, ctx


def test_luhn() -> None:
    assert luhn_complete("7992739871") == "79927398713"
    assert luhn_complete("411111111111111") == "4111111111111111"


def test_same_seed_same_bank_and_the_credentials_work() -> None:
    one = demo_bank(random.Random(3), customers=300, opened_at=T0)
    two = demo_bank(random.Random(3), customers=300, opened_at=T0)
    assert one.bank.state.snapshot() == two.bank.state.snapshot()
    assert one.credentials == two.credentials
    other = demo_bank(random.Random(4), customers=300, opened_at=T0)
    assert other.bank.state.snapshot() != one.bank.state.snapshot()
    bank = one.bank
    for cred in one.credentials[:5]:
        assert bank.authenticate(credential=cred.pan, pin=cred.pin, ctx=ctx()).customer_id == (
            cred.customer_id)
        assert bank.authenticate(credential=cred.account_number, pin=cred.pin,
                                 ctx=ctx()).customer_id == cred.customer_id
    shown = repr(one.credentials[0])
    assert "pin=" not in shown and "pan=" not in shown and "account_number=" not in shown


def test_a_few_thousand_customers_with_vips_across_china() -> None:
    demo = demo_bank(random.Random(7), customers=3000, opened_at=T0)
    state = demo.bank.state
    segments = Counter(c.segment for c in state.customers.values())
    provinces = Counter(c.province for c in state.customers.values())
    assert len(state.customers) == 3000
    assert 40 <= segments[Segment.VIP] <= 150
    assert set(provinces) <= set(PROVINCES) and len(provinces) >= 28
    assert provinces.most_common(1)[0][0] == "广东"
    assert sum(state.ledger.balances.values()) == 0
    for account in state.accounts.values():
        floor = account.minimum_balance
        assert floor is None or state.ledger.balance(account.account_id) >= floor
    kinds = Counter(a.kind for a in state.accounts.values())
    assert kinds[AccountKind.CURRENT] == 3000 and kinds[AccountKind.CREDIT_CARD] > 1000
    assert len({c.pan for c in demo.credentials}) == 3000
    rebuilt = SandboxBank.replay(demo.bank.events, hasher=demo.bank.hasher)
    assert rebuilt.state.snapshot() == state.snapshot()


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInput, match=r"^customers: must be at least 1, got 0$"):
        demo_bank(random.Random(1), customers=0, opened_at=T0)
    with pytest.raises(InvalidInput, match=r"^vip_share: must be within 0..1, got 2"):
        demo_bank(random.Random(1), vip_share=2.0, opened_at=T0)
