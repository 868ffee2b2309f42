"""The flows shipped with Hotline (package data under ``hotline/ivr/flows``)."""

from __future__ import annotations

from importlib import resources

from hotline.ivr.errors import RegistryError
from hotline.ivr.flow import Flow
from hotline.ivr.loader import load_flow
from hotline.ivr.registry import FlowRegistry

SHIPPED = ("bank-hotline", "bank-vip")


def shipped_flow_text(name: str) -> str:
    """The YAML text of a shipped flow."""
    if name not in SHIPPED:
        raise RegistryError(f"{name}: not a shipped flow (shipped: {', '.join(SHIPPED)})")
    return (
        resources.files("hotline.ivr").joinpath("flows").joinpath(f"{name}.yaml").read_text("utf-8")
    )


def shipped_flow(name: str) -> Flow:
    return load_flow(shipped_flow_text(name), f"{name}.yaml")


def shipped_registry() -> FlowRegistry:
    """A registry holding every shipped flow."""
    return FlowRegistry(tuple(shipped_flow(name) for name in SHIPPED))
