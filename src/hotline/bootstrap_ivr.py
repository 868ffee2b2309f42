"""The composition root's IVR part: the demo's callers walking the flows, calls from Asterisk,
today's IVR figures and the wait estimates their callback offers hear (``bootstrap`` calls it).
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from hotline.banking.demo import can_authenticate, renew_credential
from hotline.banking.masking import mask_pan
from hotline.web.services import Services

if TYPE_CHECKING:
    from hotline.channels.telephony_ari import AriTelephony
    from hotline.live.ivr_today import IvrToday
    from hotline.live.waits import LiveWaits

logger = logging.getLogger(__name__)


def demo_ivr(services: Services, floor: Any, scenario: Any, bank: Any,
              credentials: Any, rng: random.Random) -> None:
    """The demo's callers walk the scenario's flows through the IVR runner (``ivr.mode:
    flows``); the bank is the stored one, and today's IVR figures go to the wallboard."""
    from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
    from hotline.channels.ivr_session import IvrShell
    from hotline.live.demo_ivr import WalkingCallers
    from hotline.live.ivr_runner import IvrRunner, NullLine, shell_clock

    settings = scenario.ivr
    if settings is None or settings.mode != "flows":
        return
    centre = services.centre
    from hotline.banking.model import Actor, ActorKind, Channel, RequestContext
    from hotline.ivr.actions import LockedOut

    def usable(credential: Any) -> bool:
        return can_authenticate(bank, credential)

    def renew(credential: Any) -> Any:
        # A lost card is replaced when its customer next calls, so the callers who can get
        # past the PIN do not dwindle as the IVR's lost-card reports add up.
        return renew_credential(bank, credential, ctx=RequestContext(
            actor=Actor(kind=ActorKind.SYSTEM, actor_id="demo-card-office"),
            channel=Channel.SYSTEM, contact_id=None, now=shell.clock()))

    walking = WalkingCallers(settings, rng, credentials, source=scenario.name, usable=usable,
                             renew=renew)
    line = NullLine(random.Random(f"{scenario.name}-voicemail"))
    shell = IvrShell(telephony=line, registry=walking.registry,
                     bank=IvrBank(bank, SandboxDirectory(bank)), engine=floor.callers,
                     clock=shell_clock(centre), estimate_wait=waits(services).estimate,
                     surveys=services.extra["surveys"].answer)
    today = ivr_today(services)
    callers = floor.callers

    def ended(result: Any, caller: Any) -> None:
        callers.ivr_ended(result.outcome, result.call_id)
        # A caller locked out is put through to an agent, who unlocks the PIN once they know
        # who is calling: else the stored bank would lock the demo's customers one by one.
        customer = getattr(caller, "customer_id", None)
        if customer and result.outcome == "enqueued" \
                and any(isinstance(e, LockedOut) for e in result.ivr_events):
            pin = bank.state.pins.get(customer)
            if pin is not None and pin.locked:
                bank.unlock_pin(customer_id=customer, ctx=RequestContext(
                    actor=Actor(kind=ActorKind.AGENT, actor_id="demo-floor"),
                    channel=Channel.AGENT, contact_id=result.call_id,
                    now=shell.clock()))

    runner = IvrRunner(shell, centre, today=today, timers=floor.timers, scale=floor.pace.scaled,
                       rates=settings.chars_per_s, ended=ended,
                       opening=services.extra["opening"].context)
    callers.use_ivr(runner, walking)
    services.extra["ivr_today"] = today
    services.extra["ivr_runner"] = runner


def ivr_today(services: Services) -> IvrToday:
    """Today's IVR figures, read back from the database on a restart the same day and written
    to it every `FLUSH_S` seconds when they changed (and when the server stops)."""
    from hotline.live.ivr_today import FLUSH_S, IvrToday
    from hotline.store.sql.ivr_days import IvrDayStore

    centre = services.centre
    today = IvrToday(services.today.zone, centre.clock.now,
                     days=IvrDayStore(services.extra["database"]))

    def flush() -> None:
        try:
            today.flush()
        except Exception:  # the next round tries again; the wallboard goes on meanwhile
            logger.exception("IVR figures flush failed")
        services.extra["ivr_flush"] = centre.clock.call_at(centre.clock.now() + FLUSH_S, flush)

    services.extra["ivr_flush"] = centre.clock.call_at(centre.clock.now() + FLUSH_S, flush)
    return today


def waits(services: Services) -> LiveWaits:
    """The centre's wait estimates (one per server: the IVR's callback offers ask it)."""
    from hotline.live.waits import LiveWaits

    found = services.extra.get("waits")
    if not isinstance(found, LiveWaits):
        found = services.extra["waits"] = LiveWaits(services.centre)
        services.centre.subscribe(found.heard)
    return found


def start_ari(services: Services, telephony: AriTelephony) -> None:
    """Calls from Asterisk walk the shipped flows (docs/asterisk.md) against the stored sandbox
    bank (whatever this database holds: empty on a fresh one, so nobody authenticates); agent
    requests and callbacks become contacts on the centre, with the customer's masked card."""
    import asyncio

    from hotline.banking.pins import SANDBOX_PARAMS, PinHasher
    from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
    from hotline.ivr.library import shipped_registry
    from hotline.live.ivr_ari import AriLine
    from hotline.live.ivr_runner import CentreRouting
    from hotline.store.sql.bank import BankStore
    from hotline.store.sql.bank_persistent import PersistentBank

    centre = services.centre
    bank = PersistentBank.open(BankStore(services.extra["database"]),
                               hasher=PinHasher(params=SANDBOX_PARAMS))

    def masked_card(gathered: Any) -> dict[str, Any]:
        state = bank.state
        # The customer's first card through the bank's indexes (no scan of every card).
        first = next((card_id for account_id in state.accounts_of.get(
            gathered.get("customer_id", ""), ()) for card_id in state.cards_on.get(account_id, ())),
            None)
        if first is None:
            return {}
        # A lost card's replacement stands for it now.
        return {"card": mask_pan(state.cards[state.current_card(first)].pan)}

    today = ivr_today(services)
    line = AriLine(telephony, centre, registry=shipped_registry(),
                   bank=IvrBank(bank, SandboxDirectory(bank)),
                   routing=CentreRouting(centre, enrich=masked_card), today=today,
                   loop=asyncio.get_running_loop(), surveys=services.extra["surveys"].answer,
                   estimate_wait=waits(services).estimate,
                   opening=services.extra["opening"].context)
    services.extra["ivr_today"] = today
    services.extra["ari_line"] = line
    services.extra.setdefault("ivr_runner", line)  # its figures on /supervisor/ivr
    line.start()
