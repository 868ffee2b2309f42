"""The composition root's contact history on SQLite: every handled contact gets its row."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hotline.bootstrap import ServerConfig, build_services
from hotline.core.commands import (
    AcceptReservation,
    CompleteWrapUp,
    DefineQueue,
    DefineWorkflow,
    EndContact,
    LogIn,
    OfferContact,
    RegisterAgent,
)
from hotline.core.definitions import AgentProfile, QueueSpec, Workflow, WorkflowStep
from hotline.live.clock import ManualClock
from hotline.web.services import Services

START = 1_780_000_000.0


def services(tmp_path: Path, wrap_up_s: float = 60.0) -> Services:
    svc = build_services(ServerConfig(database_url=f"sqlite:///{tmp_path / 'h.sqlite'}",
                                      fast_hashes=True, clock=lambda: ManualClock(START)))
    centre = svc.centre
    centre.execute(DefineQueue(queue=QueueSpec(name="cards", expression="skills.cards >= 1")))
    centre.execute(DefineWorkflow(workflow=Workflow(
        name="cards", steps=(WorkflowStep(queue="cards", timeout_s=None),),
        wrap_up_s=wrap_up_s)))
    centre.execute(RegisterAgent(profile=AgentProfile(agent_id="a1", site="bj",
                                                      skills={"cards": 5})))
    centre.execute(LogIn(agent_id="a1", ready=True))
    return svc


def handle(svc: Services, contact_id: str, notes: str | None, **attributes: str) -> None:
    """Offer, accept, end and (unless ``notes`` is None: no wrap-up) wrap up one contact."""
    centre = svc.centre
    centre.execute(OfferContact(contact_id=contact_id, channel="voice", workflow="cards",
                                attributes=attributes))
    centre.execute(AcceptReservation(reservation_id=f"{contact_id}/1"))
    centre.execute(EndContact(contact_id=contact_id))
    if notes is not None:
        centre.execute(CompleteWrapUp(contact_id=contact_id, agent_id="a1",
                                      disposition="resolved", notes=notes))


def listener_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "listener failed" in r.getMessage()]


def test_a_contact_wrapped_up_with_notes_gets_its_history_row(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    svc = services(tmp_path)
    with caplog.at_level(logging.ERROR, logger="hotline.live.centre"):
        handle(svc, "c1", "card blocked", customer_id="cust-1")
    assert listener_failures(caplog) == []
    (row,) = svc.history.recent_for_customer("cust-1", 5)
    assert (row["contact_id"], row["outcome"], row["disposition"], row["notes"]) == \
        ("c1", "completed", "resolved", "card blocked")


def test_a_contact_wrapped_up_without_notes_gets_its_history_row(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    svc = services(tmp_path)
    with caplog.at_level(logging.ERROR, logger="hotline.live.centre"):
        handle(svc, "c1", "", customer_id="cust-1")
    assert listener_failures(caplog) == []
    (row,) = svc.history.recent_for_customer("cust-1", 5)
    assert (row["outcome"], row["disposition"]) == ("completed", "resolved")


def test_a_contact_without_a_customer_breaks_no_listener(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    svc = services(tmp_path)
    with caplog.at_level(logging.ERROR, logger="hotline.live.centre"):
        handle(svc, "c1", "walk-in")
    assert listener_failures(caplog) == []


def test_a_contact_without_wrap_up_gets_its_history_row(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    svc = services(tmp_path, wrap_up_s=0.0)
    with caplog.at_level(logging.ERROR, logger="hotline.live.centre"):
        handle(svc, "c1", None, customer_id="cust-1")
    assert listener_failures(caplog) == []
    (row,) = svc.history.recent_for_customer("cust-1", 5)
    assert row["outcome"] == "completed"
