"""Errors of the digital twin. A bad scenario names the file, the field and the reason."""


class ScenarioError(ValueError):
    def __init__(self, source: str, field: str, reason: str) -> None:
        super().__init__(f"{source}: {field}: {reason}")
        self.source = source
        self.field = field
        self.reason = reason
