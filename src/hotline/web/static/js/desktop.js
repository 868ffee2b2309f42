// The agent desktop: presence, offers, the call, wrap-up, the customer's recent contacts.
// On every batch of events from the live stream it re-reads /api/v1/agent/state: simple, and
// always what the server holds.

import { act, get, post, whoAmI } from "./api.js";
import { LiveStream } from "./live.js";
import { showBanking } from "./transactions.js";
import { $, esc, fmtDuration, fmtTime, fmtWhen, humanize, pageConfig, showError } from "./ui.js";
import { agentState } from "./view.js";

const config = pageConfig();
const ACTIVITY = { reserved: "Incoming call", connected: "On call", on_hold: "On hold", wrap_up: "Wrap-up" };
const STATE = { offline: "Offline", ready_idle: "Ready", not_ready: "Not ready", reserved: "Ringing",
  busy: "On call", wrap_up: "Wrap-up" };

const desk = {
  data: null,         // the last /agent/state
  skew: 0,            // browser clock minus server clock, in seconds
  wrapUntil: {},      // contact id -> wrap-up deadline (from ContactEnded / ContactTransferred)
  connectedAt: {},    // contact id -> when the conversation began (from ContactConnected)
  drafts: {},         // contact id -> what the agent has typed or picked so far
  shape: "",          // what the work area shows, to redraw it only when that changes
  reasonsFilled: false,
};
let refreshing = null;  // the refresh under way, if any
let again = false;        // events came during it: read once more
let chain = Promise.resolve();

const serverNow = () => Date.now() / 1000 - desk.skew;

// --- reading the state -------------------------------------------------------------------

/** Re-read the state; resolves once the page shows the state as of (at least) this call. */
function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        again = false;
        desk.data = await get("/api/v1/agent/state");
        learnSkew(desk.data);
        render();
      } while (again);
    } catch (err) {
      if (err.status !== 401) showError(err.message);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** Run the agent's actions one after another, each seeing the state the one before left: a
 * key pressed right after a click acts on what the click did, not on the state before it. */
function serial(fn) {
  const next = chain.then(fn);
  chain = next.catch(() => undefined);
  return next;
}

function learnSkew(data) {
  // The server's "now" at the response: a contact's queued_at plus the time it has waited.
  for (const c of Object.values(data.contacts)) {
    desk.skew = Date.now() / 1000 - (c.queued_at + c.waited_s);
    return;
  }
}

function onEvents(events) {
  for (const { event: e } of events) {
    if (e.type === "ContactEnded" || (e.type === "ContactTransferred" && e.wrap_up_until !== null)) {
      desk.wrapUntil[e.contact_id] = e.wrap_up_until;
    } else if (e.type === "ContactConnected") {
      desk.connectedAt[e.contact_id] = e.at;
    }
  }
  refresh();
}

// --- drawing -----------------------------------------------------------------------------

function me() {
  return desk.data?.view.agents[desk.data.agent_id] ?? null;
}

function render() {
  const agent = me();
  if (!agent) return;
  renderPresence(agent);
  renderWork(agent);
  tick();
}

function renderPresence(agent) {
  // The pill says what the agent is doing (on a call, wrap-up) before what it is set to.
  const state = agentState(agent);
  $("presence-pill").dataset.state = state;
  const held = state === "busy" && Object.values(agent.work).every((a) => a !== "connected");
  $("presence-text").textContent = (held ? "On hold" : STATE[state]) +
    (state === "not_ready" && agent.reason ? ` · ${reasonLabel(agent.reason)}` : "");
  const idle = state === "ready_idle" || state === "not_ready";
  $("presence-since").dataset.since = idle && agent.since ? agent.since : "";
  $("floor-out").hidden = agent.presence !== "offline";
  $("floor-in").hidden = agent.presence === "offline";
  $("pending-logout").hidden = !agent.pending_logout;
  $("go-ready").classList.toggle("on", agent.presence === "ready");
  $("go-not-ready").classList.toggle("on", agent.presence === "not_ready");
  if (!desk.reasonsFilled) {
    const reasons = desk.data.reasons.filter((r) => r.code !== "no_answer");
    $("reason").innerHTML = reasons.map((r) => `<option value="${esc(r.code)}">${esc(r.label)}</option>`).join("");
    desk.reasonsFilled = true;
  }
}

function reasonLabel(code) {
  return desk.data?.reasons.find((r) => r.code === code)?.label ?? humanize(code);
}

/** The agent's contacts in a stable order: offers first, then calls, then wrap-ups. */
function items(agent) {
  const order = { reserved: 0, connected: 1, on_hold: 1, wrap_up: 2 };
  const reservations = Object.entries(desk.data.view.reservations);
  return Object.entries(agent.work)
    .map(([cid, activity]) => ({
      cid, activity, context: desk.data.contacts[cid] ?? null,
      reservation: reservations.find(([, r]) => r.contact_id === cid) ?? null,
    }))
    .sort((a, b) => order[a.activity] - order[b.activity] || a.cid.localeCompare(b.cid));
}

function renderWork(agent) {
  const list = items(agent);
  const shape = JSON.stringify(list.map((i) => [i.cid, i.activity, i.reservation?.[0] ?? null]));
  if (shape !== desk.shape) {
    desk.shape = shape;
    $("work").innerHTML = list.length
      ? list.map(card).join("")
      : `<div class="panel idle" id="idle"><p class="muted">${agent.presence === "ready"
        ? "No calls. Waiting for the next one…" : "No calls."}</p></div>`;
    wire(list);
  }
  renderHistory(list.find((i) => i.context)?.context ?? null);
  showBanking(list.find((i) => ["connected", "on_hold", "wrap_up"].includes(i.activity)) ?? null);
}

function card(item) {
  const c = item.context;
  const id = esc(item.cid);
  const head = `<div class="call-head"><span class="call-state" data-activity="${esc(item.activity)}">${esc(ACTIVITY[item.activity] ?? item.activity)}</span>` +
    `<span class="call-id">${id}</span><span class="spacer"></span>${timer(item)}</div>`;
  return `<section class="panel call" data-contact="${id}" data-activity="${esc(item.activity)}">${head}` +
    `${c ? customer(c) : ""}${actions(item)}</section>`;
}

function timer(item) {
  if (item.activity === "reserved") {
    const expires = item.reservation?.[1].expires_at;
    return expires ? `<span class="countdown" data-until="${expires}">–</span>` : "";
  }
  if (item.activity === "wrap_up") {
    const until = desk.wrapUntil[item.cid];
    return until ? `<span class="countdown" data-until="${until}">–</span>`
      : `<span class="muted">wrap-up</span>`;
  }
  const since = desk.connectedAt[item.cid];
  return since ? `<span class="tick big" data-since="${since}">–</span>` : "";
}

function customer(c) {
  const who = c.customer ?? {};
  const attrs = c.attributes ?? {};
  const card = who.card ?? attrs.card ?? attrs.pan ?? null;
  const badges = [
    c.vip ? `<span class="badge badge-vip">VIP</span>` : "",
    c.authenticated ? `<span class="badge badge-ok">Verified by IVR</span>`
      : `<span class="badge badge-warn">Not verified</span>`,
  ].join("");
  const ringing = c.state === "reserved" || c.state === "waiting";
  const field = (label, value, extra = "") => `<div class="field${extra}"><span>${label}</span><b>${value}</b></div>`;
  return `<div class="customer">
    <div class="customer-name"><b>${esc(who.name ?? "Unknown caller")}</b>${badges}</div>
    <div class="fields">
      ${field("Card", esc(card ?? "–"), " mono")}
      ${field("Intent (IVR)", esc(humanize(c.intent)))}
      ${field("Province", esc(c.province ?? "–"))}
      ${field("Language", esc(c.language ?? "–"))}
      ${field("Queue", esc(c.queue))}
      ${ringing ? field("Waited", `<span class="tick" data-since="${c.queued_at}">–</span>`)
        : field("Queued at", esc(fmtTime(c.queued_at)))}
    </div></div>`;
}

function actions(item) {
  const id = esc(item.cid);
  if (item.activity === "reserved") {
    return `<div class="actions">
      <button type="button" class="btn btn-primary" data-act="accept">Accept <kbd>A</kbd></button>
      <button type="button" class="btn" data-act="reject">Reject <kbd>R</kbd></button></div>`;
  }
  if (item.activity === "connected" || item.activity === "on_hold") {
    const held = item.activity === "on_hold";
    const queues = (desk.data.queues ?? config.queues ?? [])
      .map((q) => `<option value="${esc(q)}">${esc(q)}</option>`).join("");
    return `<div class="actions">
      <button type="button" class="btn${held ? " btn-primary" : ""}" data-act="hold">${held ? "Resume" : "Hold"} <kbd>H</kbd></button>
      <span class="transfer">
        <select data-field="toQueue" id="transfer-queue-${id}" aria-label="Transfer to queue">
          <option value="">Queue…</option>${queues}</select>
        <button type="button" class="btn" data-act="transfer-queue">Transfer <kbd>T</kbd></button>
        <input data-field="toAgent" placeholder="Agent id" size="9" aria-label="Transfer to agent">
        <button type="button" class="btn" data-act="transfer-agent">To agent</button>
      </span>
      <span class="spacer"></span>
      <button type="button" class="btn btn-danger" data-act="end">End <kbd>E</kbd></button></div>`;
  }
  const codes = desk.data.dispositions
    .map((d) => `<option value="${esc(d.code)}">${esc(d.label)}</option>`).join("");
  return `<form class="wrapup" data-act="wrap-up">
      <label>Disposition <select data-field="disposition" required>
        <option value="">Choose…</option>${codes}</select></label>
      <label class="grow">Notes <textarea data-field="notes" rows="3" maxlength="2000"
        placeholder="What was done. Card numbers are masked when saved."></textarea></label>
      <button type="submit" class="btn btn-primary">Finish wrap-up <kbd>Ctrl</kbd>+<kbd>Enter</kbd></button>
    </form>`;
}

function wire(list) {
  for (const item of list) {
    const el = document.querySelector(`[data-contact="${CSS.escape(item.cid)}"]`);
    if (!el) continue;
    const draft = (desk.drafts[item.cid] ??= {});
    for (const input of el.querySelectorAll("[data-field]")) {
      if (draft[input.dataset.field] !== undefined) input.value = draft[input.dataset.field];
      input.addEventListener("input", () => (draft[input.dataset.field] = input.value));
      input.addEventListener("change", () => (draft[input.dataset.field] = input.value));
    }
    for (const button of el.querySelectorAll("button[data-act]")) {
      button.addEventListener("click", () => run(button.dataset.act, item.cid, button));
    }
    el.querySelector("form[data-act]")?.addEventListener("submit", (event) => {
      event.preventDefault();
      run("wrap-up", item.cid, event.submitter ?? null);
    });
  }
  const first = document.querySelector(".wrapup [data-field=disposition]");
  if (first && !first.value) first.focus();
}

function renderHistory(context) {
  const rows = context?.recent_contacts ?? [];
  $("history-panel").hidden = !context;
  $("history").innerHTML = rows.length ? rows.map((r) => `<tr>
      <td>${esc(fmtWhen(r.offered_at))}</td><td>${esc(r.channel ?? "–")}</td>
      <td>${esc(r.queue ?? "–")}</td><td>${esc(r.agent_id ?? "–")}</td>
      <td>${esc(humanize(r.outcome))}</td><td>${esc(humanize(r.disposition))}</td>
      <td class="notes">${esc(r.notes || "")}</td></tr>`).join("")
    : `<tr><td colspan="7" class="muted">No earlier contacts.</td></tr>`;
}

/** Countdowns and running times, four times a second, without redrawing anything else. */
function tick() {
  const now = serverNow();
  for (const el of document.querySelectorAll("[data-until]")) {
    const left = Number(el.dataset.until) - now;
    el.textContent = fmtDuration(Math.max(0, left));
    el.classList.toggle("urgent", left < 10);
  }
  for (const el of document.querySelectorAll("[data-since]")) {
    el.textContent = el.dataset.since ? fmtDuration(now - Number(el.dataset.since)) : "";
  }
}

// --- acting ------------------------------------------------------------------------------

function current(activities) {
  const agent = me();
  return agent ? items(agent).find((i) => activities.includes(i.activity)) ?? null : null;
}

const enc = encodeURIComponent;

function run(action, cid, button = null) {
  return serial(() => perform(action, cid, button));
}

async function perform(action, cid, button) {
  const item = items(me() ?? { work: {} }).find((i) => i.cid === cid);
  if (!item) return;
  const draft = desk.drafts[cid] ?? {};
  const base = `/api/v1/agent/contacts/${enc(cid)}`;
  const rid = item.reservation?.[0];
  const calls = {
    accept: () => post(`/api/v1/agent/reservations/${enc(rid)}/accept`),
    reject: () => post(`/api/v1/agent/reservations/${enc(rid)}/reject`),
    hold: () => post(`${base}/${item.activity === "on_hold" ? "resume" : "hold"}`),
    end: () => post(`${base}/end`),
    "transfer-queue": () => draft.toQueue ? post(`${base}/transfer`, { to_queue: draft.toQueue })
      : Promise.reject(new Error("Transfer: pick a queue first.")),
    "transfer-agent": () => draft.toAgent?.trim()
      ? post(`${base}/transfer`, { to_agent: draft.toAgent.trim() })
      : Promise.reject(new Error("Transfer: type the agent's id first.")),
    "wrap-up": () => draft.disposition
      ? post(`${base}/wrap-up`, { disposition: draft.disposition, notes: draft.notes ?? "" })
      : Promise.reject(new Error("Wrap-up: choose a disposition first.")),
  };
  if (!calls[action]) return;
  const done = await act(calls[action], button);
  if (done && action === "wrap-up") delete desk.drafts[cid];
  if (done) await refresh();
}

/** F2 / F3 and their buttons: an agent still off the floor is logged in first. */
function presence(ready) {
  return serial(async () => {
    const agent = me();
    if (!agent) return;
    const buttons = [$("go-ready"), $("go-not-ready"), $("floor-login")];
    if (agent.presence === "offline") {
      if (!(await act(() => post("/api/v1/agent/login", { ready }), ...buttons))) return;
      if (ready) return refresh();
    }
    const body = ready ? { ready: true } : { ready: false, reason: $("reason").value };
    if (await act(() => post("/api/v1/agent/presence", body), ...buttons)) await refresh();
  });
}

function floor(path, button) {
  return serial(async () => {
    if (await act(() => post(path, path.endsWith("/login") ? { ready: false } : {}), button)) {
      await refresh();
    }
  });
}

$("floor-login").addEventListener("click", () => floor("/api/v1/agent/login", $("floor-login")));
$("floor-logout").addEventListener("click", () => floor("/api/v1/agent/logout", $("floor-logout")));
$("go-ready").addEventListener("click", () => presence(true));
$("go-not-ready").addEventListener("click", () => presence(false));

document.addEventListener("keydown", (event) => {
  const key = event.key;
  if (key === "Enter" && (event.ctrlKey || event.metaKey)) {
    const item = current(["wrap_up"]);
    if (item) {
      event.preventDefault();
      run("wrap-up", item.cid);
    }
    return;
  }
  if (key === "F2" || key === "F3") {
    event.preventDefault();  // F3 would open the browser's find bar
    presence(key === "F2");
    return;
  }
  const typing = event.target.closest?.("input, textarea, select");
  if (typing || event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
  const letter = key.toLowerCase();
  const action = { a: "accept", r: "reject", h: "hold", e: "end", t: "transfer" }[letter];
  if (!action) return;
  event.preventDefault();
  // Which contact is decided when the key's turn comes (after any action still under way).
  serial(async () => {
    const item = current(action === "accept" || action === "reject" ? ["reserved"] : ["connected", "on_hold"]);
    if (!item) return;
    if (action === "transfer") document.getElementById(`transfer-queue-${item.cid}`)?.focus();
    else await perform(action, item.cid, null);
  });
});

// --- start -------------------------------------------------------------------------------

async function start() {
  try {
    const user = await whoAmI();
    if (!user.agent_id) {
      showError(`User '${user.username}' is not linked to an agent: the desktop needs one.`);
      return;
    }
  } catch (err) {
    if (err.status !== 401) showError(err.message);
    return;
  }
  await refresh();
  const live = new LiveStream({ snapshot: refresh, resumed: refresh, events: onEvents }).start();
  window.hotline = { live, desk, refresh };  // for people debugging, and for the browser tests
  setInterval(tick, 250);
}

start();
