"""The demo's IVR callers: lost cards are replaced when their customer next calls, so the
callers who can get past the PIN do not dwindle; the same seed, the same callers and cards."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from hotline.banking.demo import (
    DemoBank,
    DemoCredential,
    can_authenticate,
    demo_bank,
    renew_credential,
)
from hotline.banking.events import CardReplaced
from hotline.banking.model import Actor, ActorKind, CardStatus, Channel, RequestContext
from hotline.banking.replacement import luhn_valid
from hotline.live.demo_ivr import WalkingCallers
from hotline.sim.ivr_section import IvrSettings
from hotline.sim.scenario import load_scenario

OPENED = datetime(2026, 1, 1, tzinfo=UTC)
CARD_OFFICE = Actor(kind=ActorKind.SYSTEM, actor_id="demo-card-office")


@pytest.fixture(scope="module")
def settings() -> IvrSettings:
    ivr = load_scenario("bank-hotline").ivr
    assert ivr is not None
    return ivr


def small_bank(seed: int = 4) -> DemoBank:
    built = demo_bank(random.Random(seed), customers=12, opened_at=OPENED)
    built.bank.pan_entropy = random.Random(f"{seed}/cards").randbytes
    return built


def at(call: int) -> RequestContext:
    return RequestContext(actor=CARD_OFFICE, channel=Channel.SYSTEM, contact_id=None,
                          now=OPENED + timedelta(hours=call))


def calls(settings: IvrSettings, built: DemoBank, *, count: int, lost_share: float,
          renew: bool) -> list[tuple[str, str, bool]]:
    """`count` callers drawn as the demo draws them; a share of them report their card lost
    in the IVR. Returns who called with which card, and whether the bank let them in."""
    bank, clock = built.bank, [0]

    def renewed(credential: DemoCredential) -> DemoCredential | None:
        return renew_credential(bank, credential, ctx=at(clock[0])) if renew else None

    usable: Callable[[DemoCredential], bool] = lambda c: can_authenticate(bank, c)  # noqa: E731
    callers = WalkingCallers(settings, random.Random(9), built.credentials, usable=usable,
                             renew=renewed)
    reports = random.Random(11)
    seen: list[tuple[str, str, bool]] = []
    for clock[0] in range(count):
        _, caller = callers.next_caller()
        credential = caller.credential
        assert credential is not None
        let_in = can_authenticate(bank, credential)
        seen.append((credential.customer_id, credential.card_id, let_in))
        if let_in and reports.random() < lost_share:
            ivr = RequestContext(actor=Actor(kind=ActorKind.IVR, actor_id="ivr"),
                                 channel=Channel.IVR, contact_id=f"K{clock[0]}", now=at(0).now)
            bank.report_lost_card(customer_id=credential.customer_id,
                                  card_id=credential.card_id, ctx=ivr)
    return seen


def pool(built: DemoBank) -> int:
    """Customers whose card (the latest one the bank issued them) still authenticates."""
    state = built.bank.state
    return sum(state.card_status[state.current_card(c.card_id)] is CardStatus.ACTIVE
               for c in built.credentials)


def test_without_replacement_the_pool_shrinks(settings: IvrSettings) -> None:
    built = small_bank()
    seen = calls(settings, built, count=300, lost_share=0.2, renew=False)
    assert pool(built) < len(built.credentials) // 2
    assert sum(let_in for *_, let_in in seen[-100:]) < 50
    assert not built.bank.state.replaced_by


def test_lost_cards_are_replaced_and_the_pool_does_not_shrink(settings: IvrSettings) -> None:
    built = small_bank()
    seen = calls(settings, built, count=300, lost_share=0.2, renew=True)
    state = built.bank.state
    lost = [c for c, s in state.card_status.items() if s is CardStatus.LOST]
    assert len(lost) > len(built.credentials), "cards were lost more than once per customer"
    # Every lost card but those reported on a customer's last call is replaced, once.
    replaced = [e for e in built.bank.events if isinstance(e, CardReplaced)]
    assert len(replaced) == len(state.replaced_by) >= len(lost) - len(built.credentials)
    for event in replaced:
        old = state.cards[event.card_id]
        assert (event.card.customer_id, event.card.account_id) == (old.customer_id,
                                                                   old.account_id)
        assert event.card.pan[:6] == old.pan[:6] and luhn_valid(event.card.pan)
    # Every drawn caller keyed a card the bank let in, on the last calls as on the first,
    # and the later callers are as many different customers as the first.
    assert all(let_in for *_, let_in in seen)
    assert len({c for c, *_ in seen[-100:]}) == len({c for c, *_ in seen[:100]})
    # Only a card lost on its customer's latest call waits for its replacement.
    assert pool(built) >= len(built.credentials) - len(lost) + len(replaced)
    assert pool(built) == len(built.credentials) - (len(lost) - len(replaced))


def test_the_same_seed_gives_the_same_callers_and_cards(settings: IvrSettings) -> None:
    one, two = small_bank(), small_bank()
    assert calls(settings, one, count=150, lost_share=0.2, renew=True) == \
        calls(settings, two, count=150, lost_share=0.2, renew=True)
    assert one.bank.state.cards == two.bank.state.cards


def test_renewing_again_issues_nothing_more() -> None:
    built = small_bank()
    credential = built.credentials[0]
    built.bank.report_lost_card(customer_id=credential.customer_id, card_id=credential.card_id,
                                ctx=at(0))
    renewed = renew_credential(built.bank, credential, ctx=at(48))
    assert renewed is not None and renewed.card_id == f"{credential.card_id}-R1"
    assert renewed.pan == built.bank.state.cards[renewed.card_id].pan != credential.pan
    assert (renewed.pin, renewed.account_number) == (credential.pin, credential.account_number)
    events = len(built.bank.events)
    # The seed's credential again (as after a restart): the same new card, nothing issued.
    assert renew_credential(built.bank, credential, ctx=at(72)) == renewed
    assert renew_credential(built.bank, renewed, ctx=at(72)) is None
    assert len(built.bank.events) == events
    assert can_authenticate(built.bank, renewed) and not can_authenticate(built.bank, credential)
