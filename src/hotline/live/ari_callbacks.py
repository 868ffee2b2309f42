"""Callbacks dialled out on the ARI line, and music on hold for its waiting callers.

`CallbackDialer`: a caller who booked a callback in the IVR (`RequestCallback`: the contact
keeps its place with the number to call) or left a voicemail (a ``callback`` contact with
``caller_number``) is called back when an agent accepts the contact. The line dials the
customer (``HOTLINE_ARI_OUTBOUND_ENDPOINT``, e.g. ``PJSIP/{number}@trunk``, showing
``HOTLINE_ARI_CALLER_ID``); once they answer they hear music on hold while the agent's phone
rings, and both join a bridge. From then on it is an agent call like an inbound one: the agent
ending the contact on the desktop hangs the customer up, the customer (or the agent's phone)
hanging up ends the contact.

A customer who is busy, does not answer within the dial timeout, or cannot be reached is dialled
once per acceptance, never again by itself: the contact ends and its wrap-up is completed with
the disposition ``callback_busy``, ``callback_no_answer`` or ``callback_failed`` and a note with
the masked number, so the agent sees the attempt in the desktop's history and is free for the
next contact at once. Calling again is the agent's (or the bank's retry policy's) decision.

`HoldMusic`: a caller whose IVR part ended in a queue hears music on hold (``mohClass``
``HOTLINE_ARI_MOH_CLASS``, ``default``) once the IVR's last words were said; the adapter stops
it when the agent answers, before the bridge, and a caller who hangs up takes it with them.

Phone numbers reach the log with their last four digits only (``****5678``).
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from dataclasses import dataclass

from hotline.banking.masking import mask_account
from hotline.channels.errors import ChannelError, LineStopped, NotAnswered
from hotline.channels.telephony_ari import AriTelephony
from hotline.core import events as ev
from hotline.core.channels import Channel
from hotline.core.commands import CompleteWrapUp, EndContact
from hotline.core.errors import CoreError
from hotline.core.live import CONNECTED, ON_HOLD, Contact
from hotline.live.ari_loop import OnLoop
from hotline.live.centre import LiveCentre

log = logging.getLogger(__name__)
_WHY = {"busy": "was busy", "no_answer": "did not answer"}


def callback_number(contact: Contact) -> str | None:
    """The number to call back for ``contact``; None when it is not a callback (``""`` for a
    callback without a number: a withheld caller id)."""
    if contact.callback_number is not None:
        return contact.callback_number
    if contact.channel is Channel.CALLBACK:
        number = contact.attributes.get("caller_number", "")
        return number if isinstance(number, str) else str(number)
    return None


@dataclass(kw_only=True, slots=True)
class _Callback:
    contact_id: str
    agent_id: str
    number: str
    channel: str = ""  # the customer's channel
    state: str = "dialling"  # dialling | ringing (the agent) | talking | waiting (agent missed)


class CallbackDialer:
    """Calls back the customers of callback contacts agents accept. ``heard`` runs on the
    event loop; ``tick`` and ``hung_up`` on the line's worker thread, which owns the rest."""

    def __init__(self, telephony: AriTelephony, centre: LiveCentre, on_loop: OnLoop,
                 caller_gone: Callable[[str], None]) -> None:
        self.telephony = telephony
        self.centre = centre
        self.on_loop = on_loop
        self.caller_gone = caller_gone  # on the loop: the contact of a customer who hung up
        self._jobs: queue.SimpleQueue[tuple[str, str, str, str]] = queue.SimpleQueue()
        self.calls: dict[str, _Callback] = {}  # contact id -> its callback (worker thread)

    # --- on the event loop ---------------------------------------------------------------
    def heard(self, event: ev.Event) -> bool:
        """Takes a callback contact's connection or end; False for anything else."""
        if type(event) is ev.ContactConnected:
            contact = self.centre.engine.contacts.get(event.contact_id)
            number = None if contact is None else callback_number(contact)
            if number is None:
                return False
            self._jobs.put(("accepted", event.contact_id, event.agent_id, number))
            return True
        if type(event) is ev.ContactEnded:
            # The worker knows whether it dialled this one; an inbound call ignores it there.
            self._jobs.put(("ended", event.contact_id, "", ""))
        return False

    def _not_reached(self, callback: _Callback, outcome: str) -> None:
        """End the contact the agent holds for a customer who was not reached."""
        contact_id, agent_id = callback.contact_id, callback.agent_id
        contact = self.centre.engine.contacts.get(contact_id)
        if contact is None or contact.state not in (CONNECTED, ON_HOLD) \
                or contact.agent_id != agent_id:
            return  # the agent ended or passed it on meanwhile: theirs to settle
        why = _WHY.get(outcome, "could not be reached")
        masked = mask_account(callback.number) if callback.number else "no number"
        log.info("callback %s: %s %s; ended for agent %s", contact_id, masked, why, agent_id)
        try:
            done = self.centre.execute(EndContact(contact_id=contact_id))
            if any(type(e) is ev.ContactEnded for _, e in done):  # in wrap-up: settle it
                self.centre.execute(CompleteWrapUp(
                    contact_id=contact_id, agent_id=agent_id, disposition=f"callback_{outcome}",
                    notes=f"Callback to {masked}: the customer {why}."))
        except CoreError as exc:
            log.warning("callback %s: not ended after the failed dial: %s", contact_id, exc)

    # --- on the worker thread ------------------------------------------------------------
    def tick(self) -> None:
        """Take the loop's jobs, then move every callback on as far as ARI says."""
        while True:
            try:
                kind, contact_id, agent_id, number = self._jobs.get_nowait()
            except queue.Empty:
                break
            if kind == "accepted":
                self._guarded(contact_id, self._accepted, contact_id, agent_id, number)
            else:
                self._guarded(contact_id, self._ended, contact_id)
        for contact_id in list(self.calls):
            self._guarded(contact_id, self._advance, self.calls[contact_id])

    def hung_up(self, channel: str) -> None:
        """A channel ended: a customer who had answered leaves their contact too."""
        found = next((c for c in self.calls.values() if c.channel == channel), None)
        if found is None or found.state == "dialling":
            return  # a dial that failed: `tick` reads why from its outcome
        del self.calls[found.contact_id]
        contact_id = found.contact_id
        self.on_loop.post(lambda: self.caller_gone(contact_id))

    def _accepted(self, contact_id: str, agent_id: str, number: str) -> None:
        tel = self.telephony
        callback = self.calls.get(contact_id)
        if callback is not None:  # passed on to another agent while the customer is on
            callback.agent_id = agent_id
            if callback.state != "dialling":
                tel.release(callback.channel)
                self._ring_agent(callback)
            return
        callback = _Callback(contact_id=contact_id, agent_id=agent_id, number=number)
        if not number:
            log.warning("callback %s: no number to call", contact_id)
            self._failed(callback, "failed")
            return
        self.calls[contact_id] = callback
        log.info("callback %s: dialling %s for agent %s", contact_id, mask_account(number),
                 agent_id)
        callback.channel = tel.begin_originate(number=number, caller_id=tel.config.caller_id)

    def _ended(self, contact_id: str) -> None:
        callback = self.calls.pop(contact_id, None)
        if callback is not None and callback.channel and not self.telephony.ended(
                callback.channel):
            self.telephony.begin_hang_up(callback.channel)  # the agent's leg goes with it

    def _advance(self, callback: _Callback) -> None:
        tel = self.telephony
        if callback.state == "dialling":
            outcome = tel.dial_outcome(callback.channel)
            if isinstance(outcome, NotAnswered):
                del self.calls[callback.contact_id]
                self._failed(callback, outcome.outcome)
            elif outcome:
                self._ring_agent(callback)
        elif callback.state == "ringing":
            got = tel.bridge_outcome(callback.channel)
            if got == "bridged":
                callback.state = "talking"
            elif isinstance(got, NotAnswered):
                callback.state = "waiting"
                log.warning("callback %s: agent %s did not answer; the customer holds and the "
                            "contact stays with the agent", callback.contact_id, callback.agent_id)

    def _ring_agent(self, callback: _Callback) -> None:
        # The customer answered: music while the agent's phone rings, stopped at the bridge.
        self.telephony.hold_music(callback.channel, on=True)
        self.telephony.begin_bridge(callback.channel, agent_id=callback.agent_id)
        callback.state = "ringing"

    def _failed(self, callback: _Callback, outcome: str) -> None:
        self.on_loop.post(lambda: self._not_reached(callback, outcome))

    def _guarded(self, contact_id: str, move: Callable[..., None], *args: object) -> None:
        """One callback's error ends that callback, not the line."""
        try:
            move(*args)
        except LineStopped:
            raise
        except ChannelError as exc:
            log.warning("callback %s ended on an error: %s", contact_id, type(exc).__name__)
            callback = self.calls.pop(contact_id, None)
            if callback is None:
                return
            if callback.state == "dialling":
                self._failed(callback, "failed")
            elif not self.telephony.ended(callback.channel):
                self.telephony.begin_hang_up(callback.channel)


class HoldMusic:
    """Callers waiting for an agent whose music starts once their prompts were said (worker)."""

    def __init__(self, telephony: AriTelephony) -> None:
        self.telephony = telephony
        self.waiting: set[str] = set()

    def wait(self, call_id: str) -> None:
        self.waiting.add(call_id)

    def cancel(self, call_id: str) -> None:
        """The agent (or the end) came first: no music to start."""
        self.waiting.discard(call_id)

    def due(self) -> list[str]:
        """The calls whose music starts now (their prompts are done); they leave the set."""
        tel = self.telephony
        done = [c for c in self.waiting if tel.ended(c) or not tel.playing(c)]
        self.waiting.difference_update(done)
        return [c for c in done if not tel.ended(c)]
