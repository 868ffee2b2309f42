"""The agent desktop and the supervisor wallboard in Chromium against a live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, LiveServer, NewContext
from tests.browser.helpers import Watch, sign_in

pytestmark = pytest.mark.browser
CARD = "6222021234567890123"


def test_a_call_from_offer_to_wrap_up_while_the_supervisor_watches(
        live_server: LiveServer, new_context: NewContext) -> None:
    url = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk = sign_in(new_context(), url, "agent", "/desktop")
    board = sign_in(new_context(), url, "supervisor", "/wallboard")
    a1 = "#agents tr[data-agent='a1']"
    expect(board.locator(a1)).to_have_attribute("data-state", "offline")

    desk.click("#floor-login")
    expect(desk.locator("#presence-text")).to_have_text("Not ready · Logged in")
    desk.keyboard.press("F2")
    expect(desk.locator("#presence-text")).to_have_text("Ready")
    expect(board.locator(a1)).to_have_attribute("data-state", "ready_idle")

    # A caller arrives: the wallboard counts the call within a second of the engine taking it.
    waiting = Watch(board, "#queues tr[data-queue='cards'] td.waiting", "1")
    offered_at = live_server.offer("c1", customer_id="cust-9", segment="vip", province="Hebei",
                                   intent="lost_card", authenticated=True, card=CARD,
                                   language="zh")
    assert waiting.seen_at() - offered_at < 1.0

    offer = desk.locator(".call[data-activity='reserved']")
    expect(offer).to_be_visible()
    expect(offer.locator(".customer-name")).to_contain_text("W*** Li")
    expect(offer.locator(".badge-vip")).to_have_text("VIP")
    expect(offer.locator(".badge-ok")).to_have_text("Verified by IVR")
    for text in ("6222 **** **** 0123", "Hebei", "Lost card", "cards"):
        expect(offer).to_contain_text(text)
    countdown = offer.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"0:1[0-5]"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=2000)  # it counts down
    expect(desk.locator("#history")).to_contain_text("asked about the annual fee")
    assert CARD not in desk.content()
    desk.screenshot(path=str(SCREENSHOTS / "desktop-offer.png"))

    # A accepts: the wallboard shows the agent busy within a second of the connection.
    busy = Watch(board, a1, "busy", attr="data-state")
    desk.keyboard.press("a")
    expect(desk.locator(".call[data-activity='connected']")).to_be_visible()
    assert busy.seen_at() - live_server.when("ContactConnected", contact_id="c1") < 1.0

    desk.keyboard.press("h")
    expect(desk.locator(".call[data-activity='on_hold']")).to_be_visible()
    desk.keyboard.press("h")
    expect(desk.locator(".call[data-activity='connected']")).to_be_visible()
    desk.keyboard.press("e")
    wrap = desk.locator(".call[data-activity='wrap_up']")
    expect(wrap).to_be_visible()
    expect(wrap.locator(".countdown")).to_have_text(re.compile(r"0:[5]\d|1:00"))
    expect(board.locator(a1)).to_have_attribute("data-state", "wrap_up")
    wrap.locator("[data-field='disposition']").select_option("resolved")
    wrap.locator("[data-field='notes']").fill(f"card {CARD} blocked, new card sent")
    desk.screenshot(path=str(SCREENSHOTS / "desktop-wrapup.png"))
    wrap.locator("[data-field='notes']").press("Control+Enter")
    expect(desk.locator("#idle")).to_be_visible()
    steps = [e["type"] for _, e in live_server.published if e.get("contact_id") == "c1"
             and e["type"].startswith("Contact")]
    assert steps == ["ContactQueued", "ContactConnected", "ContactHeld", "ContactResumed",
                     "ContactEnded", "ContactCompleted"]
    done = next(e for _, e in live_server.published if e["type"] == "ContactCompleted")
    assert done["disposition"] == "resolved" and CARD not in done["notes"]
    expect(board.locator(a1)).to_have_attribute("data-state", "ready_idle")
    expect(board.locator(f"{a1} .handled")).to_have_text("1")

    # The supervisor forces the agent not ready: the desktop shows it, the audit log has it.
    row = board.locator(a1)
    row.locator("select").select_option("meeting")
    row.locator("button[data-act='not-ready']").click()
    expect(desk.locator("#presence-text")).to_have_text("Not ready · Meeting")
    expect(row.locator(".reason")).to_have_text("Meeting")
    entry = board.request.get(url + "/api/v1/supervisor/audit").json()["entries"][0]
    assert (entry["actor"], entry["action"], entry["target"]) == \
        ("supervisor", "force_presence", "a1")
    assert entry["details"] == {"ready": False, "reason": "meeting"}

    # A caller now waits with nobody ready: the board shows the call and how long it waits.
    live_server.offer("c9", customer_id="cust-7")
    expect(board.locator("#t-waiting")).to_have_text("1")
    expect(board.locator("#t-longest")).to_have_text(re.compile(r"0:0[1-9]"))
    expect(board.locator("#chart canvas").first).to_be_visible()
    board.screenshot(path=str(SCREENSHOTS / "wallboard.png"))


def test_an_agent_transfers_a_call_to_a_queue_and_to_an_agent(
        live_server: LiveServer, new_context: NewContext) -> None:
    desk = sign_in(new_context(), live_server.url, "agent2", "/desktop")
    desk.click("#floor-login")
    desk.keyboard.press("F2")
    expect(desk.locator("#presence-text")).to_have_text("Ready")

    live_server.offer("c2", customer_id="cust-7", intent="balance")
    desk.locator(".call[data-activity='reserved'] button[data-act='accept']").click()
    call = desk.locator(".call[data-activity='connected']")
    expect(call).to_be_visible()
    desk.keyboard.press("t")  # T puts the focus on the queue list
    expect(call.locator("select[data-field='toQueue']")).to_be_focused()
    options = call.locator("select[data-field='toQueue'] option").all_inner_texts()
    assert options == ["Queue…", "cards", "vip"]
    call.locator("select[data-field='toQueue']").select_option("vip")
    call.locator("button[data-act='transfer-queue']").click()
    wrap = desk.locator(".call[data-activity='wrap_up']")
    expect(wrap).to_be_visible()  # the workflow gives 60 s of wrap-up after a transfer
    queue = live_server.call(lambda: live_server.services.centre.engine.contacts["c2"].pool[-1])
    assert queue.name == "vip"
    wrap.locator("[data-field='disposition']").select_option("escalated")
    wrap.locator("button[type='submit']").click()
    expect(desk.locator("#idle")).to_be_visible()

    live_server.offer("c3", customer_id="cust-7")
    expect(desk.locator(".call[data-activity='reserved']")).to_be_visible()
    desk.keyboard.press("a")
    call = desk.locator(".call[data-activity='connected']")
    expect(call).to_be_visible()
    call.locator("button[data-act='transfer-agent']").click()  # no agent typed yet
    expect(desk.locator("#banner-text")).to_have_text("Transfer: type the agent's id first.")
    call.locator("input[data-field='toAgent']").fill("a1")
    call.locator("button[data-act='transfer-agent']").click()
    expect(desk.locator(".call[data-activity='wrap_up']")).to_be_visible()
    queue = live_server.call(lambda: live_server.services.centre.engine.contacts["c3"].pool[-1])
    assert queue.name == "@a1"


def test_the_desktop_resumes_the_stream_after_a_drop(
        live_server: LiveServer, new_context: NewContext) -> None:
    context = new_context()
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(live_server.url + "/login")
    page.fill("#username", "agent")
    page.fill("#password", "correct horse battery")
    page.press("#password", "Enter")
    expect(page.locator("#live")).to_have_attribute("data-status", "on")
    page.click("#floor-login")
    page.keyboard.press("F2")
    expect(page.locator("#presence-text")).to_have_text("Ready")
    seq = page.evaluate("window.hotline.live.seq")
    page.evaluate("window.hotline.live.drop()")
    live_server.offer("c4", customer_id="cust-9")  # while the stream is down
    expect(page.locator(".call[data-activity='reserved']")).to_be_visible()
    expect(page.locator("#live")).to_have_attribute("data-status", "on")
    assert sockets[0].endswith("/api/v1/stream")
    assert sockets[-1].endswith(f"/api/v1/stream?after={seq}")


def test_bad_password_analyst_read_only_and_errors_in_the_banner(
        live_server: LiveServer, new_context: NewContext) -> None:
    context = new_context()
    page = context.new_page()
    page.goto(live_server.url + "/desktop")
    expect(page).to_have_url(live_server.url + "/login?next=%2Fdesktop")  # 401 -> login
    page.fill("#username", "analyst")
    page.fill("#password", "wrong password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("wrong username or password")
    page.fill("#password", "correct horse battery")
    page.click("#login-submit")
    expect(page).to_have_url(live_server.url + "/wallboard")  # analysts have no desktop
    expect(page.locator("#agents tr[data-agent='a1']")).to_be_visible()
    expect(page.locator("#agents button")).to_have_count(0)
    expect(page.locator("#agents th.actions-col")).to_be_hidden()

    # An agent's refused action shows the API's message in the banner.
    desk = sign_in(new_context(), live_server.url, "agent", "/desktop")
    desk.click("#floor-login")
    expect(desk.locator("#presence-text")).to_have_text("Not ready · Logged in")
    desk.locator("#floor-logout").click()
    expect(desk.locator("#presence-text")).to_have_text("Offline")
    desk.goto(live_server.url + "/wallboard")
    expect(desk.locator("#banner-text")).to_contain_text("role 'agent' may not do this")
