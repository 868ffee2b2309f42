// The login form: cookie session + CSRF token (kept in sessionStorage), then the role's page.

import { ApiError, homeFor, post, rememberCsrf } from "./api.js";
import { $ } from "./ui.js";

const form = $("login-form");
const error = $("login-error");
const next = new URLSearchParams(location.search).get("next");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) {
    error.textContent = !username ? "Enter your username." : "Enter your password.";
    error.hidden = false;
    return;
  }
  const button = $("login-submit");
  button.disabled = true;
  try {
    const result = await post("/api/v1/auth/login", { username, password });
    rememberCsrf(result.csrf_token);
    location.assign(homeFor(result.user.role, next));
  } catch (err) {
    error.textContent = err instanceof ApiError ? err.message : `Cannot reach the server (${err})`;
    error.hidden = false;
    $("password").select();
  } finally {
    button.disabled = false;
  }
});
