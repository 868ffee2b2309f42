"""Typed errors of the routing core. A rejected command leaves the state unchanged.

Every message names the item and the reason, e.g. ``agent 'a7' is not logged in``.
"""


class CoreError(ValueError):
    """Base class of every rejected command."""

    error_id = "core_error"


class UnknownItem(CoreError):
    """A command names an agent, queue, workflow, contact or reservation that does not exist."""

    error_id = "unknown_item"

    def __init__(self, kind: str, item_id: str) -> None:
        super().__init__(f"unknown {kind} '{item_id}'")
        self.kind = kind
        self.item_id = item_id


class DuplicateItem(CoreError):
    error_id = "duplicate_item"

    def __init__(self, kind: str, item_id: str) -> None:
        super().__init__(f"{kind} '{item_id}' already exists")
        self.kind = kind
        self.item_id = item_id


class InvalidDefinition(CoreError):
    """A queue, workflow or agent definition is malformed; names the field and the reason."""

    error_id = "invalid_definition"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class IllegalState(CoreError):
    """The command does not fit the current state of the agent, contact or reservation."""

    error_id = "illegal_state"


class ReservationNotLive(IllegalState):
    error_id = "reservation_not_live"

    def __init__(self, reservation_id: str) -> None:
        super().__init__(
            f"reservation '{reservation_id}' is not live "
            "(it expired, was answered, rejected or withdrawn)"
        )
        self.reservation_id = reservation_id


class AgentOverCapacity(IllegalState):
    error_id = "agent_over_capacity"

    def __init__(self, agent_id: str, channel: str, load: int, capacity: int) -> None:
        super().__init__(
            f"agent '{agent_id}' has no free {channel} capacity ({load} of {capacity} in use)"
        )
        self.agent_id = agent_id
        self.channel = channel
