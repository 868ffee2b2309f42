"""A seeded demo data set for the demo and the twin: thousands of customers across China.

`demo_bank(random.Random(7))` always builds the same bank (PIN salts come from the same `rng`).
The credentials (card/account numbers and PINs) are returned so the twin's callers can use the
IVR; they are hidden from `repr`. A customer whose card was reported lost gets a new one from
`renew_credential`, and keys that from then on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime

from hotline.banking.errors import InvalidInput
from hotline.banking.model import (
    Account,
    AccountKind,
    Actor,
    ActorKind,
    Card,
    CardStatus,
    Channel,
    Customer,
    Payee,
    RequestContext,
    Segment,
)
from hotline.banking.money import require_aware
from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
from hotline.banking.replacement import luhn_complete
from hotline.banking.sandbox import SandboxBank

#: Mainland provincial-level divisions with rough population weights (millions, 2020 census).
PROVINCES: dict[str, int] = {
    "广东": 126, "山东": 102, "河南": 99, "江苏": 85, "四川": 84, "河北": 75, "湖南": 66,
    "浙江": 65, "安徽": 61, "湖北": 58, "广西": 50, "云南": 47, "江西": 45, "辽宁": 43,
    "福建": 41, "陕西": 40, "贵州": 39, "山西": 35, "重庆": 32, "黑龙江": 32, "新疆": 26,
    "上海": 25, "甘肃": 25, "内蒙古": 24, "吉林": 24, "北京": 22, "天津": 14, "海南": 10,
    "宁夏": 7, "青海": 6, "西藏": 4,
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = (
    "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
    "桂英华玉兰红建国志文海燕鹏飞婷雪琳晨浩宇欣怡"
)
DEBIT_BIN = "622848"
CREDIT_BIN = "518710"


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoCredential:
    customer_id: str
    segment: Segment
    card_id: str
    pan: str = field(repr=False)
    account_number: str = field(repr=False)
    pin: str = field(repr=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoBank:
    bank: SandboxBank
    credentials: tuple[DemoCredential, ...]


def _whole_yuan(fen: float) -> int:
    # Opening balances are whole yuan: simpler to read in the demo.
    return max(1, round(fen / 100)) * 100


def _unique(rng: random.Random, taken: set[str], make: str, digits: int) -> str:
    while True:
        body = make + "".join(rng.choice("0123456789") for _ in range(digits))
        number = luhn_complete(body)
        if number not in taken:
            taken.add(number)
            return number


def demo_bank(rng: random.Random, *, customers: int = 3000, vip_share: float = 0.03,
              opened_at: datetime, hasher: PinHasher | None = None) -> DemoBank:
    """Build a sandbox bank with `customers` customers (VIPs included) and opening balances."""
    require_aware("opened_at", opened_at)
    if customers < 1:
        raise InvalidInput("customers", f"must be at least 1, got {customers}")
    if not 0.0 <= vip_share <= 1.0:
        raise InvalidInput("vip_share", f"must be within 0..1, got {vip_share}")
    bank = SandboxBank(hasher=hasher or PinHasher(params=SANDBOX_PARAMS, salt=rng.randbytes))
    ctx = RequestContext(actor=Actor(kind=ActorKind.SYSTEM, actor_id="demo"),
                         channel=Channel.SYSTEM, contact_id=None, now=opened_at)
    provinces, weights = list(PROVINCES), list(PROVINCES.values())
    taken: set[str] = set()
    credentials: list[DemoCredential] = []
    for n in range(1, customers + 1):
        roll = rng.random()
        segment = (Segment.VIP if roll < vip_share else
                   Segment.AFFLUENT if roll < vip_share + 0.15 else Segment.MASS)
        province = rng.choices(provinces, weights)[0]
        language = ("yue" if province in ("广东", "广西") and rng.random() < 0.4
                    else "en" if rng.random() < 0.02 else "zh")
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        cid = f"C{n:06d}"
        pin = f"{rng.randrange(1_000_000):06d}"
        bank.enroll(customer=Customer(customer_id=cid, name=name, segment=segment,
                                      province=province, language=language),
                    pin=pin, now=opened_at)
        scale = {Segment.VIP: 200, Segment.AFFLUENT: 20, Segment.MASS: 1}[segment]
        current = Account(account_id=f"{cid}-CUR", number=_unique(rng, taken, "1", 15),
                          customer_id=cid, kind=AccountKind.CURRENT)
        bank.open_account(account=current, now=opened_at)
        card = Card(card_id=f"{cid}-DC", pan=_unique(rng, taken, DEBIT_BIN, 12),
                    customer_id=cid, account_id=current.account_id)
        bank.issue_card(card=card, now=opened_at)
        bank.deposit(customer_id=cid, account_id=current.account_id,
                     amount=_whole_yuan(rng.lognormvariate(11.5, 1.0) * scale),
                     idempotency_key=f"open/{cid}/CUR", ctx=ctx)
        if rng.random() < 0.6:
            savings = Account(account_id=f"{cid}-SAV", number=_unique(rng, taken, "2", 15),
                              customer_id=cid, kind=AccountKind.SAVINGS)
            bank.open_account(account=savings, now=opened_at)
            bank.deposit(customer_id=cid, account_id=savings.account_id,
                         amount=_whole_yuan(rng.lognormvariate(12.5, 1.2) * scale),
                         idempotency_key=f"open/{cid}/SAV", ctx=ctx)
        if rng.random() < 0.4 or segment is Segment.VIP:
            limit = rng.choice((1_000_000, 2_000_000, 5_000_000)) * min(scale, 10)
            credit = Account(account_id=f"{cid}-CC", number=_unique(rng, taken, "3", 15),
                             customer_id=cid, kind=AccountKind.CREDIT_CARD, credit_limit=limit)
            bank.open_account(account=credit, now=opened_at)
            bank.issue_card(card=Card(card_id=f"{cid}-CC1", pan=_unique(rng, taken, CREDIT_BIN, 9),
                                      customer_id=cid, account_id=credit.account_id),
                            now=opened_at)
            spent = _whole_yuan(rng.randrange(limit // 2))
            if rng.random() < 0.8:
                bank.pay(customer_id=cid, from_account=credit.account_id, amount=spent,
                         payee=Payee(name="京东商城", account_number="110000000001", bank="ICBC"),
                         idempotency_key=f"open/{cid}/CC", ctx=ctx)
        credentials.append(DemoCredential(customer_id=cid, segment=segment, card_id=card.card_id,
                                          pan=card.pan, account_number=current.number, pin=pin))
    return DemoBank(bank=bank, credentials=tuple(credentials))


def can_authenticate(bank: SandboxBank, credential: DemoCredential) -> bool:
    """Whether the bank lets this credential in: PIN not locked, card active."""
    pin = bank.state.pins.get(credential.customer_id)
    return (pin is None or not pin.locked) \
        and bank.state.card_status.get(credential.card_id) is CardStatus.ACTIVE


def renew_credential(bank: SandboxBank, credential: DemoCredential, *,
                     ctx: RequestContext) -> DemoCredential | None:
    """The bank replaces the customer's lost cards; the credential with the card that stands
    for its card now, or None if that is the same card.

    Each lost card's key is ``replace/{card_id}``, so asking again (or after a restart, when
    the credentials are the seed's again) issues nothing more: it finds the card issued before.
    """
    state = bank.state
    for account_id in state.accounts_of.get(credential.customer_id, ()):
        for card_id in list(state.cards_on.get(account_id, ())):
            if state.card_status[card_id] is CardStatus.LOST and card_id not in state.replaced_by:
                bank.replace_card(customer_id=credential.customer_id, card_id=card_id,
                                  idempotency_key=f"replace/{card_id}", ctx=ctx)
    current = state.current_card(credential.card_id)
    if current == credential.card_id:
        return None
    return replace(credential, card_id=current, pan=state.cards[current].pan)
