"""The admin page's Hours tab: set a site's hours and a holiday, a refusal beside its field,
and the line that says what a call arriving now hears."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from hotline.live.opening_hours import OpeningHours
from tests.browser.conftest import SCREENSHOTS, LiveServer, NewContext
from tests.browser.helpers import sign_in
from tests.browser.test_admin_users import wire_directory

pytestmark = pytest.mark.browser
ZONE = ZoneInfo("Asia/Shanghai")


def test_an_admin_sets_hours_and_a_holiday_and_the_next_call_hears_them(
        live_server: LiveServer, new_context: NewContext) -> None:
    wire_directory(live_server)
    services = live_server.services
    opening = OpeningHours(ZONE, services.centre.clock.now)
    live_server.call(lambda: services.extra.__setitem__("opening", opening))
    today = datetime.fromtimestamp(live_server.call(services.centre.clock.now), UTC) \
        .astimezone(ZONE)
    page = sign_in(new_context(), live_server.url, "admin", "/wallboard")
    page.goto(live_server.url + "/admin#hours")
    expect(page.locator("#hours-now")).to_contain_text("centre open")
    form = page.locator("#hours-form")
    form.locator("input[name=site]").fill("bj")
    form.locator("select[name=weekday]").select_option(str((today.weekday() + 1) % 7))
    form.locator("input[name=opens]").fill("18:00")
    form.locator("input[name=closes]").fill("09:00")
    form.locator("button[type=submit]").click()
    # Refused beside the field it names, nothing stored.
    expect(form.locator("[data-field=closes] .err")).to_contain_text("must be after opens")
    form.locator("input[name=opens]").fill("00:00")
    form.locator("input[name=closes]").fill("24:00")
    form.locator("button[type=submit]").click()
    expect(page.locator("#adm-status")).to_contain_text("Saved bj on")
    expect(page.locator("#hours-table")).to_contain_text("24:00")
    # Only tomorrow has hours: a call now finds the centre closed.
    expect(page.locator("#hours-now")).to_contain_text("centre closed")
    assert opening.now(None).context() == {"business_hours": "false", "holiday": "false"}

    holiday = page.locator("#holiday-form")
    holiday.locator("input[name=day]").fill(today.date().isoformat())
    holiday.locator("input[name=name]").fill("   ")
    holiday.locator("button[type=submit]").click()
    expect(holiday.locator("[data-field=name] .err")).not_to_be_empty()
    holiday.locator("input[name=name]").fill("Bank holiday")
    holiday.locator("button[type=submit]").click()
    expect(page.locator("#holidays-table")).to_contain_text("Bank holiday")
    expect(page.locator("#hours-now")).to_contain_text("holiday")
    page.screenshot(path=str(SCREENSHOTS / "admin-hours.png"), full_page=True)
    assert opening.now(None).context()["holiday"] == "true"
    actions = [e["action"] for e in live_server.call(services.audit.recent)]
    assert actions[:2] == ["put_holiday", "put_business_hours"]
