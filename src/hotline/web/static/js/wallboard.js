// The supervisor's wallboard. The figures come from the stream's "wallboard" messages (every
// second); agent states and waiting counts also follow the events as they come, so a change on
// the floor shows at once rather than at the next message.

import { act, get, post, whoAmI } from "./api.js";
import { startIvrPanel } from "./ivr_panel.js";
import { LiveStream } from "./live.js";
import { startApprovals } from "./transactions.js";
import { $, esc, fmtDuration, fmtPct, fmtTime, humanize, pageConfig, showError } from "./ui.js";
import { agentState, applyEvent, waitingByQueue } from "./view.js";

const config = pageConfig();
const STATES = ["ready_idle", "reserved", "busy", "wrap_up", "not_ready", "offline"];
const STATE_LABEL = { ready_idle: "Ready", reserved: "Ringing", busy: "Busy", wrap_up: "Wrap-up",
  not_ready: "Not ready", offline: "Offline" };
const STALE_AFTER_MS = 5000;
const FAR_PAST_S = 365 * 86400;  // "since" 0 means never logged in: no time in state to show

const wb = {
  board: null,       // the last wallboard message
  boardAt: 0,        // when it came (browser ms)
  view: null,        // the floor view: stream snapshot + events
  skew: 0,           // browser clock minus server clock, seconds
  canAct: false,
  rows: new Map(),   // agent id -> its <tr>
  chart: null,
  chartKey: "",
  uPlot: undefined,  // the charting module once loaded (null: not installed)
};
const serverNow = () => Date.now() / 1000 - wb.skew;

/** As hotline.live.wallboard._status: green on target, amber within 10 %, red beyond. */
export function status(value, target, higherIsBetter = true) {
  if (value === null || value === undefined || target === null || target === undefined) return "none";
  const gap = higherIsBetter ? value - target : target - value;
  if (gap >= 0) return "green";
  return Math.abs(gap) <= 0.1 * Math.max(Math.abs(target), 1e-9) ? "amber" : "red";
}

const answers = (n) => `${n} survey answer${n === 1 ? "" : "s"}`;
const pct = (value, state) => `<span class="kpi" data-status="${esc(state)}">${esc(fmtPct(value))}</span>`;

// --- figures -----------------------------------------------------------------------------

/** Waiting and longest wait per queue: from the live view when we have one. */
function waiting() {
  const board = wb.board;
  const out = {};
  const live = wb.view ? waitingByQueue(wb.view, serverNow()) : null;
  for (const q of board?.queues ?? []) {
    out[q.queue] = live ? (live[q.queue] ?? { waiting: 0, longest_wait_s: 0 })
      : { waiting: q.waiting, longest_wait_s: q.longest_wait_s };
  }
  return out;
}

function agentRows() {
  const byId = new Map((wb.board?.agents ?? []).map((a) => [a.agent_id, { ...a }]));
  for (const [id, agent] of Object.entries(wb.view?.agents ?? {})) {
    const row = byId.get(id) ?? { agent_id: id, handled_today: 0, aht_s: null, csat_today: null,
      csat_today_status: "none", surveys_today: 0 };
    Object.assign(row, { site: agent.site, state: agentState(agent), reason: agent.reason,
      since: agent.since, pending_logout: agent.pending_logout });
    byId.set(id, row);
  }
  return [...byId.values()].sort((a, b) => a.agent_id.localeCompare(b.agent_id));
}

// --- drawing -----------------------------------------------------------------------------

let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    render();
  }, 0);
}

function render() {
  if (!wb.board) return;
  const waits = waiting();
  const agents = agentRows();
  renderTiles(waits, agents);
  renderQueues(waits);
  renderSites(waits);
  renderAgents(agents);
  renderAlerts();
  renderChart();
  tick();
}

function renderTiles(waits, agents) {
  const b = wb.board;
  const t = b.targets ?? {};
  const all = Object.values(waits);
  $("t-waiting").textContent = all.reduce((n, q) => n + q.waiting, 0);
  $("t-longest").dataset.wait = Math.max(0, ...all.map((q) => q.longest_wait_s));
  $("t-longest").textContent = fmtDuration(Number($("t-longest").dataset.wait));
  $("t-sl").innerHTML = pct(b.floor.service_level_today, status(b.floor.service_level_today, t.service_level));
  $("t-ar").innerHTML = pct(b.floor.answer_rate_today, status(b.floor.answer_rate_today, t.answer_rate));
  const csat = b.csat_today;
  $("t-csat").innerHTML = pct(csat?.csat ?? null, csat?.status ?? "none");
  $("t-csat").title = csat ? `${answers(csat.answers)} today, target ${fmtPct(csat.target)}` : "";
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const a of agents) counts[a.state] = (counts[a.state] ?? 0) + 1;
  $("t-states").innerHTML = STATES.map((s) =>
    `<div class="st" data-state="${s}"><b>${counts[s]}</b><span>${STATE_LABEL[s]}</span></div>`).join("");
}

function renderQueues(waits) {
  const alerting = new Set((wb.board.alerts ?? []).map((a) => a.queue));
  $("queues").tBodies[0].innerHTML = wb.board.queues.map((q) => {
    const w = waits[q.queue];
    const on = Object.entries(q.agents).filter(([s]) => s !== "offline").reduce((n, [, k]) => n + k, 0);
    return `<tr data-queue="${esc(q.queue)}" class="${alerting.has(q.queue) ? "alerting" : ""}">
      <th>${esc(q.queue)}</th><td class="l">${esc(q.site ?? "–")}</td>
      <td class="waiting${w.waiting ? " hot" : ""}">${w.waiting}</td>
      <td class="longest">${w.waiting ? fmtDuration(w.longest_wait_s) : "–"}</td><td>${on}</td>
      <td class="group">${q.offered_today}</td><td>${q.answered_today}</td><td>${q.abandoned_today}</td>
      <td class="sl-today">${pct(q.service_level_today, q.service_level_today_status)}</td>
      <td class="ar-today">${pct(q.answer_rate_today, q.answer_rate_today_status)}</td>
      <td class="group sl-interval">${pct(q.service_level_interval, q.service_level_interval_status)}</td>
      <td class="ar-interval">${pct(q.answer_rate_interval, q.answer_rate_interval_status)}</td></tr>`;
  }).join("") || `<tr><td colspan="12" class="muted">No queues.</td></tr>`;
}

function renderSites(waits) {
  const t = wb.board.targets ?? {};
  const live = {};
  for (const q of wb.board.queues) {
    const s = (live[q.site || "-"] ??= { waiting: 0, longest_wait_s: 0 });
    s.waiting += waits[q.queue].waiting;
    s.longest_wait_s = Math.max(s.longest_wait_s, waits[q.queue].longest_wait_s);
  }
  $("sites").tBodies[0].innerHTML = wb.board.sites.map((s) => {
    const w = live[s.site] ?? s;
    return `<tr data-site="${esc(s.site)}"><th>${esc(s.site)}</th>
      <td class="waiting${w.waiting ? " hot" : ""}">${w.waiting}</td><td>${w.waiting ? fmtDuration(w.longest_wait_s) : "–"}</td>
      <td>${pct(s.service_level_today, status(s.service_level_today, t.service_level))}</td>
      <td>${pct(s.answer_rate_today, status(s.answer_rate_today, t.answer_rate))}</td></tr>`;
  }).join("") || `<tr><td colspan="5" class="muted">No sites.</td></tr>`;
}

function reasonOptions() {
  return config.reasons.filter((r) => r.code !== "no_answer")
    .map((r) => `<option value="${esc(r.code)}">${esc(r.label)}</option>`).join("");
}

function newRow(id) {
  const tr = document.createElement("tr");
  tr.dataset.agent = id;
  tr.innerHTML = `<th>${esc(id)}</th><td class="site"></td>
    <td><span class="state-pill"></span></td><td class="reason"></td>
    <td class="r in-state tick"></td><td class="r handled"></td><td class="r aht"></td><td class="r csat"></td>
    <td class="actions-col">${wb.canAct ? `<span class="row-actions">
      <button type="button" class="btn btn-sm" data-act="ready">Force ready</button>
      <select class="sel-sm" aria-label="Reason for ${esc(id)}">${reasonOptions()}</select>
      <button type="button" class="btn btn-sm" data-act="not-ready">Force not ready</button>
      <button type="button" class="btn btn-sm btn-danger" data-act="logout">Log out</button></span>` : ""}</td>`;
  for (const button of tr.querySelectorAll("button[data-act]")) {
    button.addEventListener("click", () => force(id, button.dataset.act, tr, button));
  }
  return tr;
}

function renderAgents(agents) {
  const body = $("agents").tBodies[0];
  const seen = new Set();
  let previous = null;
  for (const a of agents) {
    seen.add(a.agent_id);
    let tr = wb.rows.get(a.agent_id);
    if (!tr) {
      tr = newRow(a.agent_id);
      wb.rows.set(a.agent_id, tr);
    }
    // Keep rows in order without rebuilding them (a select in a row keeps its choice).
    const want = previous ? previous.nextSibling : body.firstChild;
    if (tr !== want) body.insertBefore(tr, want);
    previous = tr;
    tr.dataset.state = a.state;
    tr.querySelector(".site").textContent = a.site ?? "–";
    const pill = tr.querySelector(".state-pill");
    pill.dataset.state = a.state;
    pill.textContent = STATE_LABEL[a.state] ?? a.state;
    tr.querySelector(".reason").textContent =
      (a.state === "not_ready" || a.reason ? reasonLabel(a.reason) : "") + (a.pending_logout ? " · logging out" : "");
    const cell = tr.querySelector(".in-state");
    if (a.since !== undefined) {
      cell.dataset.since = a.since > FAR_PAST_S ? a.since : "";
    } else {
      cell.dataset.since = a.in_state_s < FAR_PAST_S ? serverNow() - a.in_state_s : "";
    }
    tr.querySelector(".handled").textContent = a.handled_today;
    tr.querySelector(".aht").textContent = fmtDuration(a.aht_s);
    const rated = tr.querySelector(".csat");
    rated.innerHTML = a.surveys_today ? pct(a.csat_today, a.csat_today_status) : "–";
    rated.title = a.surveys_today ? `${answers(a.surveys_today)} today` : "";
    for (const b of tr.querySelectorAll("button[data-act=ready], button[data-act=not-ready]")) {
      b.disabled = a.state === "offline";
    }
    const out = tr.querySelector("button[data-act=logout]");
    if (out) out.disabled = a.state === "offline" || a.pending_logout;
  }
  for (const [id, tr] of wb.rows) {
    if (!seen.has(id)) {
      tr.remove();
      wb.rows.delete(id);
    }
  }
  $("agent-count").textContent = `${agents.filter((a) => a.state !== "offline").length} on the floor of ${agents.length}`;
}

function reasonLabel(code) {
  if (!code) return "";
  return config.reasons.find((r) => r.code === code)?.label ?? humanize(code);
}

function renderAlerts() {
  const alerts = wb.board.alerts ?? [];
  $("alerts").innerHTML = alerts.length
    ? alerts.map((a) => `<li data-metric="${esc(a.metric)}" data-queue="${esc(a.queue)}">${esc(a.message)}</li>`).join("")
    : `<li class="muted">No alerts.</li>`;
}

// --- the chart (uPlot, installed by npm and served from /static/vendor) ---------------------

async function loadChartLibrary() {
  try {
    wb.uPlot = (await import("/static/vendor/uplot/uPlot.esm.js")).default;
  } catch {
    wb.uPlot = null;
    $("chart").innerHTML = `<p class="muted">Chart library missing: run frontend/build.sh.</p>`;
  }
  schedule();
}

/** The interval length: the smallest gap between intervals, else the usual 30 minutes. */
function intervalSeconds(starts) {
  let step = Infinity;
  for (let i = 1; i < starts.length; i++) step = Math.min(step, starts[i] - starts[i - 1]);
  return Number.isFinite(step) && step > 0 ? step : 1800;
}

/** uPlot's columns: bars at the middle of each interval, and an empty interval each side so
 * that the target line spans the chart even with one interval. */
function chartData() {
  const rows = wb.board.intervals.filter((r) => r.offered);
  const target = wb.board.targets?.service_level ?? null;
  const starts = rows.map((r) => Date.parse(r.start) / 1000);
  const step = intervalSeconds(starts);
  const xs = starts.map((x) => x + step / 2);
  if (!xs.length) return [[], [], [], []];
  const pad = (values) => [null, ...values, null];
  return [
    [xs[0] - step, ...xs, xs[xs.length - 1] + step],
    pad(rows.map((r) => r.offered)),
    pad(rows.map((r) => (r.service_level === null ? null : r.service_level * 100))),
    [xs[0] - step, ...xs, xs[xs.length - 1] + step].map(() => (target === null ? null : target * 100)),
  ];
}

const hhmm = (epoch) => new Date(epoch * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

function renderChart() {
  if (!wb.uPlot) return;
  const data = chartData();
  const key = JSON.stringify(data);
  if (key === wb.chartKey) return;
  wb.chartKey = key;
  const box = $("chart");
  if (!data[0].length) {
    wb.chart?.destroy();
    wb.chart = null;
    box.innerHTML = `<p class="muted">No contacts yet today.</p>`;
    return;
  }
  if (!wb.chart) {
    box.innerHTML = "";
    wb.chart = new wb.uPlot(chartOptions(box), data, box);
  } else {
    wb.chart.setData(data);
  }
}

function chartOptions(box) {
  const U = wb.uPlot;
  const axis = { stroke: "#9aa4b2", grid: { stroke: "#2a3140", width: 1 }, ticks: { stroke: "#2a3140" },
    font: "11px system-ui, sans-serif" };
  return {
    width: Math.max(300, box.clientWidth), height: 150,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      n: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] },
      pct: { range: [0, 100] },
    },
    axes: [
      { ...axis, values: (u, splits) => splits.map(hhmm) },
      { ...axis, scale: "n", size: 36 },
      { ...axis, scale: "pct", side: 1, size: 42, grid: { show: false }, values: (u, v) => v.map((x) => `${x}%`) },
    ],
    series: [
      {},
      { label: "Offered", scale: "n", stroke: "#4c8dff", fill: "rgba(76,141,255,0.45)",
        paths: U.paths.bars({ size: [0.6, 48] }), points: { show: false } },
      { label: "Service level", scale: "pct", stroke: "#3fb950", width: 2, points: { show: true, size: 6 },
        spanGaps: false },
      { label: "Target", scale: "pct", stroke: "#d29922", width: 1, dash: [6, 4], points: { show: false } },
    ],
  };
}

function resizeChart() {
  if (wb.chart) wb.chart.setSize({ width: Math.max(300, $("chart").clientWidth), height: 150 });
}

// --- ticking -----------------------------------------------------------------------------

function tick() {
  const now = serverNow();
  for (const el of document.querySelectorAll("[data-since]")) {
    el.textContent = el.dataset.since ? fmtDuration(now - Number(el.dataset.since)) : "–";
  }
  $("board-clock").textContent = fmtTime(now);
  document.body.classList.toggle("stale", wb.boardAt > 0 && Date.now() - wb.boardAt > STALE_AFTER_MS);
}

// --- acting ------------------------------------------------------------------------------

async function force(agentId, action, tr, button) {
  const path = `/api/v1/supervisor/agents/${encodeURIComponent(agentId)}`;
  const reason = tr.querySelector("select")?.value ?? "";
  const calls = {
    ready: () => post(`${path}/presence`, { ready: true }),
    "not-ready": () => post(`${path}/presence`, { ready: false, reason }),
    // After the work in hand: a supervisor's click never cuts a caller off.
    logout: () => post(`${path}/logout`, { force: false }),
  };
  await act(calls[action], button);
}

// --- the stream --------------------------------------------------------------------------

function onBoard(msg) {
  wb.board = msg;
  wb.boardAt = Date.now();
  wb.skew = Date.now() / 1000 - msg.at;
  schedule();
}

function onSnapshot(msg) {
  wb.view = msg.view;
  schedule();
}

function onEvents(events) {
  if (!wb.view) return;
  for (const { event } of events) applyEvent(wb.view, event);
  render();  // at once: this is what makes a change on the floor show within the second
}

async function start() {
  let user;
  try {
    user = await whoAmI();
  } catch (err) {
    if (err.status !== 401) showError(err.message);
    return;
  }
  wb.canAct = user.role === "supervisor" || user.role === "admin";
  startApprovals(user);
  $("agents").classList.toggle("readonly", !wb.canAct);
  try {
    onBoard(await get("/api/v1/supervisor/wallboard"));
  } catch (err) {
    if (err.status !== 401) showError(err.message);
    return;
  }
  const live = new LiveStream({ wallboard: onBoard, snapshot: onSnapshot, events: onEvents }).start();
  window.hotline = { live, wb };  // for people debugging, and for the browser tests
  loadChartLibrary();
  startIvrPanel();
  setInterval(tick, 500);
  window.addEventListener("resize", resizeChart);
}

start();
