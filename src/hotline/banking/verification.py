"""How a caller on a contact was verified: by the IVR (telephone PIN) or by the agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class VerificationMethod(StrEnum):
    #: The IVR checked card/account number and telephone PIN through the banking port.
    IVR_PIN = "ivr_pin"
    #: The agent asked verification questions (ID number digits, recent transactions...).
    AGENT_QUESTIONS = "agent_questions"


@dataclass(frozen=True, kw_only=True, slots=True)
class Verification:
    contact_id: str
    customer_id: str
    method: VerificationMethod
    #: `ivr` or the agent's user id.
    verified_by: str
    at: datetime
    #: e.g. `3 of 3 questions` or the masked credential used in the IVR.
    detail: str
