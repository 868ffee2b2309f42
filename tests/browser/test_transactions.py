"""Dual control in Chromium: an agent's transfer above their limit waits on the desktop until a
supervisor approves it on the wallboard; the desktop then shows the receipt. A card freezes at
once, and a card the caller reported lost is replaced from its row, the new card shown masked."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from hotline.banking.desk import AgentDesk
from hotline.banking.roles import Role, RoleLimits
from hotline.banking.sandbox import SandboxBank
from tests.browser.conftest import SCREENSHOTS, LiveServer, NewContext
from tests.browser.helpers import Watch, sign_in
from tests.unit.banking.helpers import NUMBER_A, PAN_A, PAN_A_CC, PIN_A, balance, ctx, make_bank

pytestmark = pytest.mark.browser
LIMITS = RoleLimits(alone={Role.AGENT: 100_000, Role.SENIOR_AGENT: 300_000,
                           Role.SUPERVISOR: 500_000}, ceiling=900_000)
CUSTOMERS = {"A": {"name": "张**", "province": "北京", "card": "622848*********1234"}}


def test_a_transfer_above_the_limit_is_approved_live_on_the_wallboard(
        live_server: LiveServer, new_context: NewContext) -> None:
    url = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bank = make_bank()

    def install() -> None:
        # The caller reported the credit card lost in the IVR before asking for an agent.
        bank.report_lost_card(customer_id="A", card_id="A-CC1", ctx=ctx())
        live_server.services.extra["desk"] = AgentDesk(bank, limits=LIMITS)
        live_server.services.customers = CUSTOMERS.get

    live_server.call(install)
    desk = sign_in(new_context(), url, "agent", "/desktop")
    board = sign_in(new_context(), url, "supervisor", "/wallboard")
    expect(board.locator("#approvals-panel")).to_be_visible()
    expect(board.locator("#approvals")).to_contain_text("No request waits for approval.")

    desk.click("#floor-login")
    desk.keyboard.press("F2")
    expect(desk.locator("#presence-text")).to_have_text("Ready")
    live_server.offer("c1", customer_id="A", authenticated=True, intent="transfer",
                      language="zh")
    desk.locator(".call[data-activity='reserved'] button[data-act='accept']").click()
    expect(desk.locator(".call[data-activity='connected']")).to_be_visible()

    panel = desk.locator("#banking-panel")
    expect(panel.locator("#bk-verified")).to_have_text("Verified by the IVR (telephone PIN)")
    expect(panel.locator("#bk-accounts tr[data-account='A-CUR']")).to_contain_text("¥10,000.00")
    expect(panel.locator("#bk-cards")).to_contain_text("622848*********1234")
    expect(panel.locator("#bk-limit")).to_contain_text("¥1,000.00")

    # 2,500 yuan: above the agent's 1,000; it waits for a supervisor and nothing moves.
    form = panel.locator("#bk-transfer")
    form.locator("[name='from_account']").select_option("A-CUR")
    form.locator("[name='to_account']").select_option("A-SAV")
    form.locator("[name='amount']").fill("2,500")
    listed = Watch(board, "#approvals tr[data-request]", "c1/R1", attr="data-request")
    sent = time.time()
    form.locator("button[type='submit']").click()
    outcome = panel.locator("#bk-outcome")
    expect(outcome).to_have_attribute("data-status", "pending")
    expect(outcome).to_contain_text("Waiting for supervisor approval")
    assert live_server.call(lambda: balance(bank, "A-CUR")) == 1_000_000
    assert listed.seen_at(timeout_ms=4000) - sent < 2.5  # the wallboard reads every 2 s

    row = board.locator("#approvals tr[data-request='c1/R1']")
    expect(row).to_contain_text("transfer ¥2,500.00 A-CUR -> A-SAV")
    expect(row).to_contain_text("张**")
    expect(board.locator("#approvals-panel")).to_have_class("panel approvals-panel has-pending")
    board.screenshot(path=str(SCREENSHOTS / "wallboard-approval.png"))

    approved = Watch(desk, "#bk-outcome", "approved", attr="data-status")
    clicked = time.time()
    row.locator("button[data-act='approve']").click()
    assert approved.seen_at(timeout_ms=4000) - clicked < 2.5  # the desktop reads every 2 s
    expect(outcome).to_contain_text("Approved by supervisor")
    receipt = panel.locator("#bk-receipts tr")
    expect(receipt).to_have_count(1)
    expect(receipt).to_contain_text("transfer ¥2,500.00 A-CUR -> A-SAV")
    expect(receipt).to_contain_text("supervisor")
    expect(panel.locator("#bk-accounts tr[data-account='A-CUR']")).to_contain_text("¥7,500.00")
    assert live_server.call(lambda: balance(bank, "A-CUR")) == 750_000
    expect(board.locator("#approvals")).to_contain_text("No request waits for approval.")
    expect(board.locator("#approvals-recent li").first).to_contain_text("Approved by supervisor")
    desk.screenshot(path=str(SCREENSHOTS / "desktop-transaction.png"), full_page=True)

    # A small freeze runs at once, within the agent's limit.
    panel.locator("#bk-cards button[data-card='A-DC'][data-act='freeze']").click()
    expect(panel.locator("#bk-cards tr[data-card-row='A-DC'] .bk-status")).to_have_text("Frozen")
    expect(receipt).to_have_count(2)

    def frozen(sandbox: SandboxBank) -> str:
        return sandbox.state.card_status["A-DC"].value

    assert live_server.call(lambda: frozen(bank)) == "frozen"

    # The lost credit card: no freeze for it, but the bank's replacement, once.
    lost = panel.locator("#bk-cards tr[data-card-row='A-CC1']")
    expect(lost.locator(".bk-status")).to_have_text("Lost")
    order = lost.locator("button[data-act='replace']")
    expect(order).to_have_text("Order replacement")
    panel.screenshot(path=str(SCREENSHOTS / "desktop-card-lost.png"))
    order.click()
    expect(outcome).to_have_attribute("data-status", "done")

    def new_card(sandbox: SandboxBank) -> tuple[str, str, str]:
        card = sandbox.state.cards[sandbox.state.replaced_by["A-CC1"]]
        return card.card_id, card.masked_pan, card.pan

    card_id, masked, new_pan = live_server.call(lambda: new_card(bank))
    expect(outcome).to_contain_text(f"card A-CC1 replaced by {masked}")
    expect(lost).to_contain_text(f"Replaced by {masked}")
    expect(lost.locator("button")).to_have_count(0)
    row = panel.locator(f"#bk-cards tr[data-card-row='{card_id}']")
    expect(row).to_contain_text(masked)
    expect(row.locator(".bk-status")).to_have_text("Active")
    expect(receipt).to_have_count(3)
    expect(receipt.first).to_contain_text(card_id)
    desk.screenshot(path=str(SCREENSHOTS / "desktop-card-replacement.png"), full_page=True)
    for page in (desk, board):
        html = page.content()
        for secret in (PAN_A, PAN_A_CC, NUMBER_A, PIN_A, new_pan):
            assert secret not in html
