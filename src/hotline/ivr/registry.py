"""`FlowRegistry`: the flows in service, by name and version, replaceable while running.

Publishing version 2 makes new calls start on it; calls already in progress keep asking
for the version they started on (`flow_for(state)`) until they end.
"""

from __future__ import annotations

from hotline.ivr.errors import RegistryError
from hotline.ivr.flow import Flow
from hotline.ivr.interpreter import new_call
from hotline.ivr.state import CallState


class FlowRegistry:
    """Flows by name and version; the newest version of each name is current."""

    def __init__(self, flows: tuple[Flow, ...] = ()) -> None:
        self._versions: dict[str, dict[int, Flow]] = {}
        self._current: dict[str, Flow] = {}
        for flow in flows:
            self.register(flow)

    def register(self, flow: Flow) -> None:
        """Publish ``flow``; it becomes current for its name. Versions only go up."""
        label = f"{flow.name} v{flow.version}"
        current = self._current.get(flow.name)
        if current is not None and flow.version <= current.version:
            raise RegistryError(f"{label}: version must exceed the current v{current.version}")
        for other in self._current.values():
            if other.name == flow.name:
                continue
            for number in sorted(flow.numbers & other.numbers):
                raise RegistryError(f"{label}: number {number} already reaches {other.name}")
            for segment in sorted(flow.segments & other.segments):
                raise RegistryError(f"{label}: segment {segment!r} already reaches {other.name}")
        self._versions.setdefault(flow.name, {})[flow.version] = flow
        self._current[flow.name] = flow

    def current(self, name: str) -> Flow:
        """The version new calls start on."""
        flow = self._current.get(name)
        if flow is None:
            raise RegistryError(f"{name}: no such flow (known: {', '.join(self.names())})")
        return flow

    def get(self, name: str, version: int) -> Flow:
        flow = self._versions.get(name, {}).get(version)
        if flow is None:
            raise RegistryError(f"{name} v{version}: no such flow version")
        return flow

    def flow_for(self, state: CallState) -> Flow:
        """The exact version a call in progress runs on."""
        return self.get(state.flow, state.version)

    def select(self, dialled_number: str, segment: str = "") -> Flow:
        """The current flow for a new call: a known segment (a VIP recognised by the caller
        number) wins over the dialled number."""
        flows = sorted(self._current.values(), key=lambda f: f.name)
        for flow in flows:
            if segment and segment in flow.segments:
                return flow
        for flow in flows:
            if dialled_number in flow.numbers:
                return flow
        raise RegistryError(f"dialled number {dialled_number}: no flow answers it")

    def start(self, dialled_number: str, segment: str = "") -> tuple[Flow, CallState]:
        """Select the flow for a new call and pin the call to its current version."""
        flow = self.select(dialled_number, segment)
        return flow, new_call(flow)

    def retire(self, name: str, version: int) -> None:
        """Forget an old version once no call runs on it; the current one stays."""
        flow = self.get(name, version)
        if self._current[name] is flow:
            raise RegistryError(f"{name} v{version}: the current version cannot be retired")
        del self._versions[name][version]

    def names(self) -> list[str]:
        return sorted(self._current)

    def versions(self, name: str) -> list[int]:
        return sorted(self._versions.get(name, {}))
