"""The wallboard's CSAT tile and agent column follow the callers' survey answers live."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from hotline.core import events as ev
from hotline.core.commands import AcceptReservation, CompleteWrapUp, EndContact, LogIn
from hotline.live.surveys import InMemorySurveyStore, Surveys
from tests.browser.conftest import SCREENSHOTS, LiveServer, NewContext
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def wire_surveys(server: LiveServer) -> Surveys:
    def run() -> Surveys:
        svc = server.services
        surveys = Surveys(InMemorySurveyStore(), zone=ZoneInfo("Asia/Shanghai"),
                          clock=svc.centre.clock.now)
        svc.centre.subscribe(surveys.heard)
        svc.extra["surveys"] = surveys
        svc.centre.execute(LogIn(agent_id="a1", ready=True))
        return surveys
    return server.call(run)


def handled(server: LiveServer, contact_id: str) -> None:
    """a1 takes the call, ends it and wraps up at once (ready for the next)."""
    server.offer(contact_id)

    def run() -> None:
        centre = server.services.centre
        offer = next(e for _, e in centre.log.read()
                     if isinstance(e, ev.ReservationCreated) and e.contact_id == contact_id)
        centre.execute(AcceptReservation(reservation_id=offer.reservation_id))
        centre.execute(EndContact(contact_id=contact_id))
        centre.execute(CompleteWrapUp(contact_id=contact_id, agent_id="a1",
                                      disposition="resolved"))
    server.call(run)


def test_the_csat_tile_and_column_follow_the_answers(live_server: LiveServer,
                                                     new_context: NewContext) -> None:
    surveys = wire_surveys(live_server)
    board = sign_in(new_context(), live_server.url, "supervisor", "/wallboard")
    tile = board.locator("#t-csat .kpi")
    expect(tile).to_have_text("–")
    expect(tile).to_have_attribute("data-status", "none")
    cell = board.locator("#agents tr[data-agent='a1'] td.csat")
    expect(cell).to_have_text("–")

    handled(live_server, "c1")
    live_server.call(lambda: surveys.answer("c1", 5))
    expect(tile).to_have_text("100%")
    expect(tile).to_have_attribute("data-status", "green")
    expect(cell.locator(".kpi")).to_have_text("100%")
    expect(cell).to_have_attribute("title", "1 survey answer today")

    handled(live_server, "c2")
    live_server.call(lambda: surveys.answer("c2", 2, "1"))
    expect(tile).to_have_text("50%")
    expect(tile).to_have_attribute("data-status", "red")  # against the default 85 %
    expect(board.locator("#t-csat")).to_have_attribute("title",
                                                       "2 survey answers today, target 85%")
    expect(cell.locator(".kpi")).to_have_attribute("data-status", "red")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    board.screenshot(path=str(SCREENSHOTS / "wallboard-csat.png"))
