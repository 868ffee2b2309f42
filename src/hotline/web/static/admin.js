// The admin page: a list and a form per kind (agents, skills, queues, workflows, targets,
// codes, hours (js/admin_hours.js), users) over /api/v1/admin. A refusal that names a field (details.field, or each of
// details.errors) is shown under that field; anything else goes above the form's buttons.
// Supervisors see everything read-only.

import { ApiError, forgetCsrf, get, post, rememberCsrf, toLogin, whoAmI } from "./js/api.js";
import { $, esc, hideError, humanize, pageConfig, showError } from "./js/ui.js";
import { hoursSection } from "./js/admin_hours.js";

const API = "/api/v1/admin";
const CONFIG = pageConfig();
const CSRF_KEY = "hotline.csrf"; // where the login page keeps it (js/api.js)

const data = {
  skills: [], agents: [], queues: [], workflows: [], targets: [], metrics: [], ratios: [],
  board: { targets: {}, alerts: {} }, reason: [], wrap_up: [], users: [],
  hours: [], holidays: [], weekdays: [], opening: null,
};
let canEdit = false;

// --- talking to the API ---------------------------------------------------------------------
/** PUT and DELETE with the session's CSRF token (js/api.js has GET and POST only). */
async function change(method, path, body, retried = false) {
  let token = sessionStorage.getItem(CSRF_KEY);
  if (!token) {
    token = (await get("/api/v1/me")).csrf_token;
    rememberCsrf(token);
  }
  const headers = { Accept: "application/json", "X-CSRF-Token": token ?? "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const result = await response.json().catch(() => null);
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, result);
  }
  if (response.status === 403 && result?.error_id === "csrf_rejected" && !retried) {
    forgetCsrf(); // a token of an older session: ask for this one's
    return change(method, path, body, true);
  }
  if (!response.ok) throw new ApiError(response.status, result);
  return result;
}

const put = (path, body) => change("PUT", API + path, body);
const del = (path) => change("DELETE", API + path);
const part = (value) => encodeURIComponent(value);

/** A mistake found before asking the server, shown like the server's own. */
class FieldError extends Error {
  constructor(field, reason) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

async function loadAll() {
  const [skills, agents, queues, workflows, targets, reasons, wrapUps, users, hours] = await Promise.all([
    get(`${API}/skills`), get(`${API}/agents`), get(`${API}/queues`), get(`${API}/workflows`),
    get(`${API}/targets`), get(`${API}/reason-codes`), get(`${API}/wrap-up-codes`),
    get(`${API}/users`), get(`${API}/business-hours`),
  ]);
  Object.assign(data, {
    skills: skills.skills, agents: agents.agents, queues: queues.queues,
    workflows: workflows.workflows, targets: targets.targets, metrics: targets.metrics,
    ratios: targets.ratios, board: targets.wallboard, reason: reasons.codes,
    wrap_up: wrapUps.codes, users: users.users, hours: hours.hours, holidays: hours.holidays,
    weekdays: hours.weekdays, opening: hours.now,
  });
  for (const render of RENDERERS) render();
}

// --- forms: values in, errors out -----------------------------------------------------------
function box(form, field) {
  // "skills.cards" has its own box; "languages[1]" or "attributes.tier" fall back to the
  // box of the whole list or mapping.
  let name = field;
  while (name) {
    const found = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (found) return found;
    const shorter = name.replace(/(\[\d+\]|\.[^.[\]]+)$/, "");
    if (shorter === name) break;
    name = shorter;
  }
  return null;
}

function clearErrors(form) {
  for (const el of form.querySelectorAll(".f.bad")) el.classList.remove("bad");
  for (const el of form.querySelectorAll(".err")) el.textContent = "";
  const general = form.querySelector("[data-form-error]");
  general.hidden = true;
  general.textContent = "";
}

function showErrors(form, err) {
  clearErrors(form);
  let problems = [];
  if (err instanceof FieldError) problems = [{ field: err.field, reason: err.reason }];
  else if (err instanceof ApiError && Array.isArray(err.details.errors)) problems = err.details.errors;
  else if (err instanceof ApiError && err.details.field) {
    problems = [{ field: err.details.field, reason: err.details.reason ?? err.message }];
  }
  const unplaced = [];
  let first = null;
  for (const p of problems) {
    const target = box(form, p.field);
    if (!target) {
      unplaced.push(`${p.field}: ${p.reason}`);
      continue;
    }
    target.classList.add("bad");
    const slot = target.querySelector(":scope > .err");
    const shown = target.dataset.field === p.field ? p.reason : `${p.field}: ${p.reason}`;
    slot.textContent = slot.textContent ? `${slot.textContent}; ${shown}` : shown;
    first ??= target.querySelector("input, select, textarea");
  }
  if (!problems.length) unplaced.push(err?.message || String(err));
  if (unplaced.length) {
    const general = form.querySelector("[data-form-error]");
    general.textContent = unplaced.join(" · ");
    general.hidden = false;
  }
  first?.focus();
}

/** Run a form's action: errors beside their fields, success in the status line. */
async function submit(form, action) {
  clearErrors(form);
  hideError();
  const buttons = [...form.querySelectorAll("button")];
  buttons.forEach((b) => (b.disabled = true));
  try {
    const done = await action();
    if (done) status(done);
    await loadAll();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    if (err instanceof ApiError && err.status >= 500) showError(err.message);
    showErrors(form, err);
    return false;
  } finally {
    buttons.forEach((b) => (b.disabled = !canEdit));
  }
}

let statusTimer = null;
function status(text) {
  const el = $("adm-status");
  el.textContent = text;
  el.classList.add("on");
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => el.classList.remove("on"), 4000);
}

const value = (form, name) => form.elements[name].value.trim();
const orNull = (text) => (text === "" ? null : text);

function number(form, name, field = name) {
  const input = form.elements[name];
  if (input.validity?.badInput) throw new FieldError(field, "must be a number");
  return input.value.trim() === "" ? null : Number(input.value);
}

function key(form, name) {
  const text = value(form, name);
  if (!text) throw new FieldError(name, "is empty");
  return text;
}

function options(select, items, empty) {
  const keep = select.value;
  select.innerHTML = (empty ? `<option value="">${esc(empty)}</option>` : "") +
    items.map(([v, label]) => `<option value="${esc(v)}">${esc(label ?? v)}</option>`).join("");
  select.value = keep;
}

/** New (key editable) or editing ``key`` (key fixed, delete shown). */
function mode(form, editing) {
  form.dataset.editing = editing ?? "";
  form.querySelector("[data-title-new]")?.toggleAttribute("hidden", editing !== null);
  form.querySelector("[data-title-edit]")?.toggleAttribute("hidden", editing === null);
  const keyShown = form.querySelector("[data-key]");
  if (keyShown) keyShown.textContent = editing ?? "";
  for (const el of form.querySelectorAll("[data-key-input]")) {
    el.readOnly = editing !== null;
    if (el.tagName === "SELECT") el.disabled = editing !== null || !canEdit;
  }
  for (const el of form.querySelectorAll("[data-delete]")) el.hidden = editing === null || !canEdit;
  clearErrors(form);
}

function table(id, rows, columns, onPick, selected) {
  const body = $(id).tBodies[0];
  body.innerHTML = rows.length ? rows.map((row, i) =>
    `<tr data-i="${i}" class="${esc(columns.rowClass?.(row) ?? "")}` +
    `${selected?.(row) ? " picked" : ""}" tabindex="0">` +
    columns.cells.map((cell) => `<td class="${cell.cls ?? ""}">${cell.html(row)}</td>`).join("") +
    "</tr>").join("")
    : `<tr><td colspan="${columns.cells.length}" class="muted">None yet.</td></tr>`;
  body.onclick = (event) => {
    const tr = event.target.closest("tr[data-i]");
    if (tr) onPick(rows[Number(tr.dataset.i)]);
  };
  body.onkeydown = (event) => {
    const tr = event.target.closest("tr[data-i]");
    if (tr && event.key === "Enter") onPick(rows[Number(tr.dataset.i)]);
  };
}

const pairs = (mapping) => Object.entries(mapping ?? {}).map(([k, v]) => `${esc(k)} <b>${esc(v)}</b>`)
  .join(" · ") || '<span class="muted">–</span>';
const pct = (x) => `${Math.round(x * 1000) / 10} %`;

// --- agents ----------------------------------------------------------------------------------
const agentForm = $("agent-form");

function agentGrids(record) {
  const skills = new Set(data.skills.map((s) => s.name));
  for (const name of Object.keys(record?.skills ?? {})) skills.add(name);
  const row = (field, label, attrs, val) =>
    `<div class="f adm-kv-row" data-field="${esc(field)}"><label>${esc(label)}` +
    `<input type="number" ${attrs} value="${esc(val ?? "")}"></label><small class="err"></small></div>`;
  $("ag-skills").innerHTML = [...skills].sort().map((s) =>
    row(`skills.${s}`, s, `min="1" max="10" step="1" data-skill="${esc(s)}"`, record?.skills?.[s]))
    .join("") || '<span class="muted">No skills yet: add them under Skills.</span>';
  const capacity = record?.capacity ?? { voice: 1 };
  $("ag-capacity").innerHTML = CONFIG.channels.map((c) =>
    row(`capacity.${c}`, c, `min="0" max="100" step="1" data-channel="${esc(c)}"`, capacity[c]))
    .join("");
}

function fillAgent(record) {
  const f = agentForm;
  f.elements.id.value = record?.id ?? "";
  f.elements.name.value = record?.name ?? "";
  f.elements.site.value = record?.site ?? "";
  f.elements.languages.value = (record?.languages ?? []).join(", ");
  const attrs = record?.attributes ?? {};
  f.elements.attributes.value = Object.keys(attrs).length ? JSON.stringify(attrs) : "";
  f.elements.auto_accept.checked = record?.auto_accept ?? false;
  f.elements.active.checked = record?.active ?? true;
  agentGrids(record);
  mode(f, record ? record.id : null);
  if (record && !record.active) f.querySelector("[data-delete]").hidden = true;
  lockForms();
  renderAgents();
}

function readAgent() {
  const f = agentForm;
  const grid = (selector, attr, prefix) => {
    const out = {};
    for (const input of f.querySelectorAll(selector)) {
      const name = input.dataset[attr];
      if (input.validity.badInput) throw new FieldError(`${prefix}.${name}`, "must be a number");
      if (input.value.trim() !== "") out[name] = Number(input.value);
    }
    return out;
  };
  let attributes = {};
  const text = value(f, "attributes");
  if (text) {
    try {
      attributes = JSON.parse(text);
    } catch {
      throw new FieldError("attributes", 'must be a JSON object, e.g. {"tier": 2}');
    }
    if (attributes === null || typeof attributes !== "object" || Array.isArray(attributes)) {
      throw new FieldError("attributes", 'must be a JSON object, e.g. {"tier": 2}');
    }
  }
  return {
    name: f.elements.name.value, site: f.elements.site.value,
    skills: grid("[data-skill]", "skill", "skills"),
    languages: value(f, "languages").split(",").map((s) => s.trim()).filter(Boolean),
    capacity: grid("[data-channel]", "channel", "capacity"), attributes,
    auto_accept: f.elements.auto_accept.checked, active: f.elements.active.checked,
  };
}

agentForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(agentForm, async () => {
    const id = key(agentForm, "id");
    const r = await put(`/agents/${part(id)}`, readAgent());
    fillAgent(r.agent);
    return `${r.created ? "Added" : "Saved"} agent ${id}; the live floor has it now.`;
  });
});

agentForm.querySelector("[data-delete]").addEventListener("click", () => {
  const id = agentForm.dataset.editing;
  if (!id || !confirm(`Deactivate agent ${id}? A logged-in agent is logged out at once.`)) return;
  submit(agentForm, async () => {
    const r = await del(`/agents/${part(id)}`);
    fillAgent(r.agent);
    return `Deactivated agent ${id}` + (r.seq !== null ? " and logged it out." : ".");
  });
});

function renderAgents() {
  const needle = $("agents-filter").value.trim().toLowerCase();
  const rows = data.agents.filter((a) => !needle ||
    [a.id, a.name, a.site, ...Object.keys(a.skills)].some((s) => s.toLowerCase().includes(needle)));
  $("agents-count").textContent = `${data.agents.filter((a) => a.active).length} active of ${data.agents.length}`;
  table("agents-table", rows, {
    rowClass: (a) => (a.active ? "" : "inactive"),
    cells: [
      { html: (a) => `<b class="mono">${esc(a.id)}</b>` }, { html: (a) => esc(a.name) },
      { html: (a) => esc(a.site) }, { html: (a) => pairs(a.skills) },
      { html: (a) => esc(a.languages.join(", ")) || '<span class="muted">–</span>' },
      { html: (a) => pairs(a.capacity) },
      { html: (a) => `<span class="adm-presence" data-presence="${esc(a.presence ?? "none")}">` +
          `${esc(a.presence ? humanize(a.presence) : "not on floor")}</span>` },
      { html: (a) => (a.active ? "✓" : '<span class="muted">no</span>') },
    ],
  }, fillAgent, (a) => a.id === agentForm.dataset.editing);
}

$("agents-filter").addEventListener("input", renderAgents);

// --- skills ----------------------------------------------------------------------------------
const skillForm = $("skill-form");

function fillSkill(record) {
  skillForm.elements.name.value = record?.name ?? "";
  skillForm.elements.description.value = record?.description ?? "";
  mode(skillForm, record ? record.name : null);
  lockForms();
  renderSkills();
}

skillForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(skillForm, async () => {
    const name = key(skillForm, "name");
    const r = await put(`/skills/${part(name)}`, { description: skillForm.elements.description.value });
    fillSkill(r.skill);
    return `Saved skill ${name}.`;
  });
});

skillForm.querySelector("[data-delete]").addEventListener("click", () => {
  const name = skillForm.dataset.editing;
  if (!name || !confirm(`Delete skill ${name}?`)) return;
  submit(skillForm, async () => {
    await del(`/skills/${part(name)}`);
    fillSkill(null);
    return `Deleted skill ${name}.`;
  });
});

function renderSkills() {
  $("skills-count").textContent = String(data.skills.length);
  table("skills-table", data.skills, {
    cells: [
      { html: (s) => `<b class="mono">${esc(s.name)}</b>` },
      { html: (s) => esc(s.description) || '<span class="muted">–</span>' },
      { cls: "r", html: (s) => String(data.agents.filter((a) => a.active && s.name in a.skills).length) },
    ],
  }, fillSkill, (s) => s.name === skillForm.dataset.editing);
}

// --- queues ----------------------------------------------------------------------------------
const queueForm = $("queue-form");

function fillQueue(record) {
  const f = queueForm;
  f.elements.name.value = record?.name ?? "";
  f.elements.expression.value = record?.expression ?? "";
  f.elements.ordering.value = record?.ordering ?? "blended";
  f.elements.selection.value = record?.selection ?? "longest_idle";
  f.elements.priority_weight_s.value = record?.priority_weight_s ?? 60;
  f.elements.proficiency_skill.value = record?.proficiency_skill ?? "";
  f.elements.site.value = record?.site ?? "";
  mode(f, record ? record.name : null);
  lockForms();
  renderQueues();
}

queueForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(queueForm, async () => {
    const f = queueForm;
    const name = key(f, "name");
    const r = await put(`/queues/${part(name)}`, {
      expression: f.elements.expression.value, ordering: f.elements.ordering.value,
      selection: f.elements.selection.value, priority_weight_s: number(f, "priority_weight_s") ?? 60,
      proficiency_skill: orNull(f.elements.proficiency_skill.value), site: orNull(value(f, "site")),
    });
    fillQueue(r.queue);
    return `${r.created ? "Added" : "Saved"} queue ${name}; routing uses it now.`;
  });
});

function renderQueues() {
  $("queues-count").textContent = String(data.queues.length);
  table("queues-table", data.queues, {
    cells: [
      { html: (q) => `<b class="mono">${esc(q.name)}</b>` },
      { html: (q) => `<code>${esc(q.expression)}</code>` },
      { html: (q) => esc(humanize(q.ordering)) },
      { html: (q) => esc(humanize(q.selection)) +
          (q.proficiency_skill ? ` <span class="muted">(${esc(q.proficiency_skill)})</span>` : "") },
      { cls: "r", html: (q) => `${esc(q.priority_weight_s)} s` },
      { html: (q) => esc(q.site ?? "") || '<span class="muted">any</span>' },
    ],
  }, fillQueue, (q) => q.name === queueForm.dataset.editing);
}

// --- workflows -------------------------------------------------------------------------------
const workflowForm = $("workflow-form");

function stepRow(step) {
  const li = document.createElement("li");
  li.className = "adm-step";
  li.innerHTML =
    '<div class="f" data-step="queue"><select aria-label="Queue"></select><small class="err"></small></div>' +
    '<div class="f" data-step="timeout_s"><input type="number" min="0" step="any" ' +
    'placeholder="timeout, s" aria-label="Timeout in seconds"><small class="err"></small></div>' +
    '<button type="button" class="btn btn-quiet btn-sm" data-remove data-edit title="Remove step">✕</button>';
  const select = li.querySelector("select");
  options(select, data.queues.map((q) => [q.name]));
  select.value = step?.queue ?? data.queues[0]?.name ?? "";
  li.querySelector("input").value = step?.timeout_s ?? "";
  li.querySelector("[data-remove]").onclick = () => {
    li.remove();
    numberSteps();
  };
  return li;
}

function numberSteps() {
  [...$("wf-steps").children].forEach((li, i) => {
    for (const el of li.querySelectorAll("[data-step]")) el.dataset.field = `steps[${i}].${el.dataset.step}`;
  });
}

function fillWorkflow(record) {
  const f = workflowForm;
  f.elements.name.value = record?.name ?? "";
  f.elements.fallback.value = record?.fallback ?? "";
  f.elements.wrap_up_s.value = record?.wrap_up_s ?? "";
  $("wf-steps").replaceChildren(...(record?.steps ?? [null]).map(stepRow));
  numberSteps();
  mode(f, record ? record.name : null);
  lockForms();
  renderWorkflows();
}

$("wf-add-step").addEventListener("click", () => {
  $("wf-steps").append(stepRow(null));
  numberSteps();
});

workflowForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(workflowForm, async () => {
    const f = workflowForm;
    const name = key(f, "name");
    const steps = [...$("wf-steps").children].map((li, i) => {
      const input = li.querySelector("input");
      if (input.validity.badInput) throw new FieldError(`steps[${i}].timeout_s`, "must be a number");
      return { queue: li.querySelector("select").value,
        timeout_s: input.value.trim() === "" ? null : Number(input.value) };
    });
    const r = await put(`/workflows/${part(name)}`, {
      steps, fallback: orNull(f.elements.fallback.value), wrap_up_s: number(f, "wrap_up_s"),
    });
    fillWorkflow(r.workflow);
    return `${r.created ? "Added" : "Saved"} workflow ${name}; new contacts follow it now.`;
  });
});

function renderWorkflows() {
  $("workflows-count").textContent = String(data.workflows.length);
  table("workflows-table", data.workflows, {
    cells: [
      { html: (w) => `<b class="mono">${esc(w.name)}</b>` },
      { html: (w) => w.steps.map((s) => esc(s.queue) +
          (s.timeout_s !== null ? ` <span class="muted">${esc(s.timeout_s)} s</span>` : "")).join(" → ") },
      { html: (w) => esc(w.fallback ? humanize(w.fallback) : "") || '<span class="muted">–</span>' },
      { cls: "r", html: (w) => (w.wrap_up_s ? `${esc(w.wrap_up_s)} s` : '<span class="muted">–</span>') },
    ],
  }, fillWorkflow, (w) => w.name === workflowForm.dataset.editing);
}

// --- targets ---------------------------------------------------------------------------------
const targetForm = $("target-form");
const targetKey = (t) => `${t.scope}/${t.metric}`;
const amount = (metric, x) => (x === null || x === undefined ? '<span class="muted">–</span>'
  : data.ratios.includes(metric) ? pct(x) : esc(x));

function fillTarget(record) {
  const f = targetForm;
  f.elements.scope.value = record?.scope ?? "centre";
  f.elements.metric.value = record?.metric ?? "service_level";
  f.elements.target.value = record?.target ?? "";
  f.elements.warn.value = record?.warn ?? "";
  mode(f, record ? targetKey(record) : null);
  ratioHint();
  lockForms();
  renderTargets();
}

function ratioHint() {
  const metric = targetForm.elements.metric.value;
  targetForm.querySelector("[data-ratio-hint]").textContent =
    data.ratios.includes(metric) ? "ratio 0–1, e.g. 0.8" : "seconds or a count";
}
targetForm.elements.metric.addEventListener("change", ratioHint);

targetForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(targetForm, async () => {
    const f = targetForm;
    const where = `${part(f.elements.scope.value)}/${part(f.elements.metric.value)}`;
    const r = await put(`/targets/${where}`, { target: number(f, "target"), warn: number(f, "warn") });
    fillTarget(r.target);
    return `Saved target ${targetKey(r.target)}.`;
  });
});

targetForm.querySelector("[data-delete]").addEventListener("click", () => {
  const which = targetForm.dataset.editing;
  if (!which || !confirm(`Remove target ${which}?`)) return;
  const [scope, metric] = which.split("/");
  submit(targetForm, async () => {
    await del(`/targets/${part(scope)}/${part(metric)}`);
    fillTarget(null);
    return `Removed target ${which}.`;
  });
});

function renderTargets() {
  $("targets-count").textContent = String(data.targets.length);
  options(targetForm.elements.scope, [["centre", "centre (whole floor)"], ...data.queues.map((q) => [q.name])]);
  options(targetForm.elements.metric, data.metrics.map((m) => [m, humanize(m)]));
  table("targets-table", data.targets, {
    cells: [
      { html: (t) => esc(t.scope) }, { html: (t) => esc(humanize(t.metric)) },
      { cls: "r", html: (t) => amount(t.metric, t.target) },
      { cls: "r", html: (t) => amount(t.metric, t.warn) },
    ],
  }, fillTarget, (t) => targetKey(t) === targetForm.dataset.editing);
  const { targets, alerts } = data.board;
  const part2 = (label, x) => (x === undefined ? `${label} –` : `${label} ${pct(x)}`);
  $("targets-board").textContent = "The wallboard now uses: " +
    [part2("service level", targets.service_level), part2("answer rate", targets.answer_rate),
      part2("alert below", alerts.service_level_below)].join(" · ") + ".";
}

// --- reason and wrap-up codes ----------------------------------------------------------------
const CODE_KINDS = { reason: "/reason-codes", wrap_up: "/wrap-up-codes" };

function codeSection(kind) {
  const form = $(`${kind}-form`);
  const words = kind === "reason" ? "reason" : "wrap-up code";
  const fill = (record) => {
    form.elements.code.value = record?.code ?? "";
    form.elements.label.value = record?.label ?? "";
    mode(form, record ? record.code : null);
    lockForms();
    render();
  };
  const render = () => {
    $(`${kind}-count`).textContent = String(data[kind].length);
    table(`${kind}-table`, data[kind], {
      cells: [{ html: (c) => `<b class="mono">${esc(c.code)}</b>` }, { html: (c) => esc(c.label) }],
    }, fill, (c) => c.code === form.dataset.editing);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, async () => {
      const code = key(form, "code");
      const r = await put(`${CODE_KINDS[kind]}/${part(code)}`, { label: form.elements.label.value });
      fill(r.code);
      return `Saved ${words} ${code}; agents see it now.`;
    });
  });
  form.querySelector("[data-delete]").addEventListener("click", () => {
    const code = form.dataset.editing;
    if (!code || !confirm(`Delete ${words} ${code}?`)) return;
    submit(form, async () => {
      await del(`${CODE_KINDS[kind]}/${part(code)}`);
      fill(null);
      return `Deleted ${words} ${code}.`;
    });
  });
  form.querySelector("[data-new]").addEventListener("click", () => fill(null));
  return render;
}

// --- users -----------------------------------------------------------------------------------
const userForm = $("user-form");
$("us-password-hint").textContent = `at least ${CONFIG.min_password} characters`;
options(userForm.elements.role, CONFIG.roles.map((r) => [r, humanize(r)]));

/** Pick a user to edit (``null``: a new one). The username cannot change. */
function fillUser(record) {
  const f = userForm;
  f.elements.username.value = record?.username ?? "";
  f.elements.display_name.value = record?.display_name ?? "";
  f.elements.role.value = record?.role ?? CONFIG.roles[0];
  f.elements.agent_id.value = record?.agent_id ?? "";
  f.elements.password.value = "";
  f.elements.disabled.checked = record?.disabled ?? false;
  for (const el of f.querySelectorAll("[data-title-new], [data-title-edit]")) {
    el.hidden = el.hasAttribute("data-title-new") === Boolean(record);
  }
  f.querySelector("[data-edit-only]").hidden = !record;
  mode(f, record ? record.username : null);
  lockForms();
  renderUsers();
}

/** The fields of ``user`` that the form changes, as the PATCH body. */
function userChanges(f, user) {
  const now = {
    display_name: value(f, "display_name"), role: f.elements.role.value,
    agent_id: orNull(f.elements.agent_id.value), disabled: f.elements.disabled.checked,
  };
  return Object.fromEntries(Object.entries(now).filter(([k, v]) => v !== user[k]));
}

userForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(userForm, async () => {
    const f = userForm;
    const editing = f.dataset.editing;
    const password = f.elements.password.value;
    if (!editing) {
      const r = await post(`${API}/users`, {
        username: value(f, "username"), display_name: value(f, "display_name"),
        role: f.elements.role.value, agent_id: orNull(f.elements.agent_id.value), password,
      });
      fillUser(null);
      return `Created user ${r.user.username} (${r.user.role}).`;
    }
    const user = data.users.find((u) => u.username === editing);
    const changes = userChanges(f, user);
    const done = [];
    if (Object.keys(changes).length) {
      const r = await change("PATCH", `${API}/users/${part(editing)}`, changes);
      done.push(`saved ${Object.keys(changes).join(", ").replaceAll("_", " ")}` +
        (r.sessions_ended ? ` (${r.sessions_ended} session(s) ended)` : ""));
      if (password) await loadAll(); // saved even if the password is then refused
    }
    if (password) {
      await post(`${API}/users/${part(editing)}/password`, { password });
      f.elements.password.value = "";
      done.push("set a new password");
    }
    return done.length ? `User ${editing}: ${done.join("; ")}.` : `User ${editing}: nothing changed.`;
  });
});

function renderUsers() {
  $("users-count").textContent = String(data.users.length);
  options(userForm.elements.agent_id,
    data.agents.filter((a) => a.active).map((a) => [a.id, `${a.id} · ${a.name}`]), "— none —");
  table("users-table", data.users, {
    rowClass: (u) => (u.disabled ? "inactive" : ""),
    cells: [
      { html: (u) => `<b class="mono">${esc(u.username)}</b>` }, { html: (u) => esc(u.display_name) },
      { html: (u) => `<span class="adm-role" data-role="${esc(u.role)}">${esc(u.role)}</span>` },
      { html: (u) => esc(u.agent_id ?? "") || '<span class="muted">–</span>' },
      { html: (u) => (u.disabled ? "disabled" : "active") },
    ],
  }, fillUser, (u) => u.username === userForm.dataset.editing);
}

// --- the page --------------------------------------------------------------------------------
function renderChoices() {
  options(queueForm.elements.ordering, CONFIG.orderings.map((o) => [o, humanize(o)]));
  options(queueForm.elements.selection, CONFIG.selections.map((s) => [s, humanize(s)]));
  options(queueForm.elements.proficiency_skill, data.skills.map((s) => [s.name]), "— none —");
  options(workflowForm.elements.fallback, CONFIG.fallbacks.map((x) => [x, humanize(x)]), "— none —");
  for (const select of $("wf-steps").querySelectorAll("select")) {
    options(select, data.queues.map((q) => [q.name]));
  }
  if (!agentForm.dataset.editing) agentGrids(readAgentSafely());
}

function readAgentSafely() {
  try {
    return readAgent();
  } catch {
    return null;
  }
}

const RENDERERS = [renderChoices, renderAgents, renderSkills, renderQueues, renderWorkflows,
  renderTargets, codeSection("reason"), codeSection("wrap_up"),
  hoursSection({ data, put, del, submit, table, mode, key, value, lockForms, esc, part, FieldError, $ }),
  renderUsers, lockForms];

/** Supervisors read: every control of every form is disabled, and the buttons hidden. */
function lockForms() {
  if (canEdit) return;
  for (const form of document.querySelectorAll(".adm-form")) {
    for (const el of form.querySelectorAll("input, select, textarea, button")) el.disabled = true;
    for (const el of form.querySelectorAll("[data-edit], [data-new]")) el.hidden = true;
  }
}

function showTab(name) {
  const tab = document.querySelector(`[data-tab="${CSS.escape(name)}"]`) ?? document.querySelector("[data-tab]");
  for (const t of document.querySelectorAll("[data-tab]")) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    $(`sec-${t.dataset.tab}`).hidden = !on;
  }
  if (location.hash !== `#${tab.dataset.tab}`) history.replaceState(null, "", `#${tab.dataset.tab}`);
}

for (const tab of document.querySelectorAll("[data-tab]")) {
  tab.addEventListener("click", () => showTab(tab.dataset.tab));
}
window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));

for (const [form, fill] of [[agentForm, fillAgent], [skillForm, fillSkill], [queueForm, fillQueue],
  [workflowForm, fillWorkflow], [targetForm, fillTarget], [userForm, fillUser]]) {
  form.querySelector("[data-new]").addEventListener("click", () => fill(null));
}

async function start() {
  const me = await whoAmI();
  if (!["supervisor", "admin"].includes(me.role)) {
    $("adm-denied").hidden = false;
    return;
  }
  canEdit = me.role === "admin";
  const live = $("live");
  if (live) live.hidden = true; // this page does not follow the live stream
  $("adm-mode").hidden = canEdit;
  $("adm").hidden = false;
  showTab(location.hash.slice(1) || "agents");
  await loadAll();
  fillAgent(null);
  fillSkill(null);
  fillQueue(null);
  fillWorkflow(null);
  fillTarget(null);
  fillUser(null);
}

start().catch((err) => {
  if (!(err instanceof ApiError && err.status === 401)) showError(err.message || String(err));
});
