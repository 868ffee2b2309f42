"""Signing in through the login page, and timing when the DOM shows a change."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PASSWORD

# Records, in the page, the wall time (ms) at which an element first shows a value: a
# MutationObserver sees the change as the page makes it, with no polling delay.
_WATCH = """([key, selector, attr, value]) => {
  window.__seen = window.__seen || {};
  const check = () => {
    if (window.__seen[key]) return;
    const el = document.querySelector(selector);
    if (!el) return;
    const got = attr ? el.getAttribute(attr) : el.textContent.trim();
    if (got === value) window.__seen[key] = Date.now();
  };
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
  check();
  return window.__seen[key] || null;
}"""


def sign_in(context: BrowserContext, url: str, username: str, lands_on: str) -> Page:
    """Sign in through the login form; returns the page on the role's home."""
    page = context.new_page()
    page.goto(url + "/")
    expect(page).to_have_url(url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(url + lands_on)
    expect(page.locator("#live")).to_have_attribute("data-status", "on")
    return page


class Watch:
    """When an element of ``page`` shows ``value`` (its text, or ``attr``), in wall seconds."""

    def __init__(self, page: Page, selector: str, value: str, attr: str | None = None) -> None:
        self.page = page
        self.key = f"{selector}|{attr}|{value}"
        already = page.evaluate(_WATCH, [self.key, selector, attr, value])
        assert already is None, f"{selector} already shows {value!r} before the change"

    def seen_at(self, timeout_ms: float = 3000) -> float:
        handle = self.page.wait_for_function("k => window.__seen && window.__seen[k]",
                                             arg=self.key, timeout=timeout_ms)
        ms: Any = handle.json_value()
        return float(ms) / 1000.0
