"""Errors of the channel adapters; each names the call or item and the reason."""

from __future__ import annotations


class ChannelError(RuntimeError):
    """Base class: a channel adapter refused a request."""

    def __init__(self, item: str, reason: str) -> None:
        super().__init__(f"{item}: {reason}")
        self.item = item
        self.reason = reason


class CallNotLive(ChannelError):
    """The call is unknown, not answered yet, or already over."""


class NotAnswered(ChannelError):
    """A dialled party did not take the call; ``outcome`` is busy, no_answer or failed."""

    def __init__(self, item: str, reason: str, outcome: str) -> None:
        super().__init__(item, reason)
        self.outcome = outcome


class EspeakMissing(ChannelError):
    """The text-to-speech program is not installed: prompts cannot be rendered to audio."""


class RenderFailed(ChannelError):
    """The text-to-speech program ran but gave no usable audio for a prompt."""


class LineStopped(ChannelError):
    """The adapter was told to stop (the server is shutting down): what waited on it ends."""
