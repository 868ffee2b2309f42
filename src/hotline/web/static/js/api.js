// Talking to /api/v1: JSON both ways, the CSRF header on every change, 401 -> /login.

import { $, showError } from "./ui.js";

const CSRF_KEY = "hotline.csrf";
const HOMES = { agent: "/desktop", supervisor: "/wallboard", analyst: "/wallboard", admin: "/wallboard" };
const PAGES = { agent: ["/desktop"], supervisor: ["/wallboard", "/desktop", "/admin"],
  analyst: ["/wallboard"], admin: ["/wallboard", "/admin"] };

/** A refusal from the API: ``message`` is for people, ``errorId`` is stable. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.errorId = body?.error_id ?? "http_error";
    this.details = body?.details ?? {};
  }
}

export function rememberCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
}

export function forgetCsrf() {
  sessionStorage.removeItem(CSRF_KEY);
}

/** Where a user of this role starts; ``next`` wins when the role may use that page. */
export function homeFor(role, next) {
  if (next && (PAGES[role] ?? []).includes(next)) return next;
  return HOMES[role] ?? "/wallboard";
}

/** Off to the login page, coming back here afterwards. */
export function toLogin() {
  forgetCsrf();
  const here = location.pathname;
  location.assign(here === "/login" ? "/login" : `/login?next=${encodeURIComponent(here)}`);
}

async function csrfToken() {
  let token = sessionStorage.getItem(CSRF_KEY);
  if (!token) {
    // A new tab has no token yet: the session (cookie) tells it.
    token = (await get("/api/v1/me")).csrf_token;
    rememberCsrf(token);
  }
  return token;
}

async function request(method, path, body, retried = false) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // Logging in is the one change made without a session, so without a token.
  if (method !== "GET" && path !== "/api/v1/auth/login") {
    headers["X-CSRF-Token"] = await csrfToken();
  }
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.status === 401 && !path.startsWith("/api/v1/auth/")) {
    toLogin();
    throw new ApiError(401, data);
  }
  if (response.status === 403 && data?.error_id === "csrf_rejected" && !retried) {
    // The stored token belongs to an older session (signed in again elsewhere): ask again.
    forgetCsrf();
    return request(method, path, body, true);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body = {}) => request("POST", path, body);

/**
 * Run an action from a button or a key: errors go to the banner, and the buttons given are
 * disabled meanwhile (so a double click does not send twice). Returns the result or null.
 */
export async function act(fn, ...buttons) {
  buttons.forEach((b) => b && (b.disabled = true));
  try {
    return await fn();
  } catch (err) {
    if (err.status !== 401) showError(err.message || String(err));
    return null;
  } finally {
    buttons.forEach((b) => b && (b.disabled = false));
  }
}

/** Who is signed in: fills the top bar (name, role's pages, sign out); 401 -> /login. */
export async function whoAmI() {
  const me = await get("/api/v1/me");
  rememberCsrf(me.csrf_token);
  const user = me.user;
  $("who").textContent = `${user.display_name} · ${user.role}` + (user.agent_id ? ` · ${user.agent_id}` : "");
  const nav = $("nav");
  let shown = 0;
  for (const link of nav.querySelectorAll("a")) {
    const ok = link.dataset.roles.split(" ").includes(user.role);
    link.hidden = !ok;
    if (link.getAttribute("href") === location.pathname) link.classList.add("here");
    shown += ok ? 1 : 0;
  }
  nav.hidden = shown < 2;
  const signout = $("signout");
  signout.hidden = false;
  signout.onclick = () => act(async () => {
    await post("/api/v1/auth/logout");
    forgetCsrf();
    location.assign("/login");
  }, signout);
  return user;
}
