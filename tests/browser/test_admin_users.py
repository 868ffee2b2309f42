"""The admin page's users tab: pick a user, change the role, disable, reset the password."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hotline.store.sql.database import migrate, open_database
from hotline.store.sql.directory import AgentRecord, Directory
from tests.browser.conftest import PASSWORD, SCREENSHOTS, LiveServer, NewContext
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def wire_directory(server: LiveServer) -> None:
    def run() -> None:
        engine = open_database("sqlite://")
        migrate(engine)
        d = Directory(engine)
        d.put_all(agents=[AgentRecord(id=a, name=a.upper(), site="bj", skills={},
                                      languages=("zh",)) for a in ("a1", "a2")])
        server.services.extra["directory"] = d
    server.call(run)


def test_an_admin_edits_a_user_and_the_change_is_shown_and_audited(
        live_server: LiveServer, new_context: NewContext) -> None:
    wire_directory(live_server)
    page = sign_in(new_context(), live_server.url, "admin", "/wallboard")
    page.goto(live_server.url + "/admin#users")
    row = page.locator("#users-table tr", has_text="analyst")
    row.click()
    form = page.locator("#user-form")
    expect(form.locator("[data-title-edit] [data-key]")).to_have_text("analyst")
    expect(form.locator("input[name=username]")).to_have_js_property("readOnly", True)
    form.locator("select[name=role]").select_option("supervisor")
    form.locator("input[name=display_name]").fill("Lin the Analyst")
    form.locator("button[type=submit]").click()
    expect(page.locator("#adm-status")).to_contain_text("User analyst: saved")
    expect(row).to_contain_text("supervisor")
    expect(row).to_contain_text("Lin the Analyst")

    form.locator("input[name=disabled]").check()
    form.locator("input[name=password]").fill("too short")
    form.locator("button[type=submit]").click()
    # The PATCH went through; the password was refused beside its field and nothing else.
    expect(form.locator("[data-field=password] .err")).to_contain_text("at least 10 characters")
    expect(row).to_contain_text("disabled")
    page.screenshot(path=str(SCREENSHOTS / "admin-users.png"), full_page=True)

    users = {u.username: u for u in live_server.call(live_server.services.accounts.list_users)}
    assert users["analyst"].role == "supervisor" and users["analyst"].disabled
    assert users["analyst"].password_hash == users["admin"].password_hash  # unchanged
    actions = [e["action"] for e in live_server.call(live_server.services.audit.recent)]
    assert actions[:1] == ["change_user"] and actions.count("change_user") == 2
    assert PASSWORD not in str(live_server.call(live_server.services.audit.recent))
