"""The channels a contact can arrive on, and which of them take an agent's whole attention."""

from enum import StrEnum


class Channel(StrEnum):
    VOICE = "voice"
    CALLBACK = "callback"
    OUTBOUND = "outbound"
    EMAIL = "email"
    FAX = "fax"
    FORUM = "forum"
    CHAT = "chat"


# A contact on one of these holds the agent exclusively: while it is open the agent gets no
# other contact, and the agent gets one only when holding nothing else (a phone is one line).
EXCLUSIVE = frozenset({Channel.VOICE, Channel.CALLBACK, Channel.OUTBOUND})

# Callbacks and outbound calls use the agent's voice capacity unless it is set on its own.
VOICE_LIKE = (Channel.CALLBACK, Channel.OUTBOUND)


def parse_channel(value: str, field: str = "channel") -> Channel:
    """Channel from its name; a clear error naming the field otherwise."""
    from hotline.core.errors import InvalidDefinition

    try:
        return Channel(value)
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise InvalidDefinition(field, f"unknown channel '{value}' (one of {allowed})") from None
