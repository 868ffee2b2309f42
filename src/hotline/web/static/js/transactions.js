// Banking for the caller on the line (desktop) and the supervisors' approvals (wallboard).
// Money travels in fen (integers) and shows as yuan with 2 decimals. Every change carries an
// idempotency key made here: a retry after a lost answer reuses it, so money moves once.
// While a request waits for a supervisor the desktop re-reads every 2 s; the wallboard's
// approvals panel re-reads every 2 s.

import { act, ApiError, get, post } from "./api.js";
import { $, esc, fmtDuration, fmtTime, humanize, showError } from "./ui.js";

const POLL_MS = 2000;
const enc = encodeURIComponent;
const METHOD = { ivr_pin: "by the IVR (telephone PIN)", agent_questions: "by you (questions)" };
const KIND = { current: "Current", savings: "Savings", credit_card: "Credit card" };

/** Fen as "¥1,234.56" (as hotline.banking.money.format_fen). */
export function fmtFen(fen) {
  if (fen === null || fen === undefined) return "–";
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString("en-US");
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, "0")}`;
}

/** Yuan typed by a person ("2,500" or "2500.5") as whole fen, exactly; throws on bad input. */
export function toFen(text, label = "Amount") {
  const clean = String(text ?? "").replace(/[,\s¥]/g, "");
  const m = /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!m) throw new Error(`${label}: type yuan, e.g. 2500 or 2500.50`);
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  if (fen <= 0) throw new Error(`${label}: must be more than zero`);
  return fen;
}

/** A fresh idempotency key (getRandomValues works on plain http too, unlike randomUUID). */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- desktop -------------------------------------------------------------------------------

const bk = {
  cid: null,          // the contact shown
  activity: null,     // its activity on our agent (connected, on_hold, wrap_up)
  data: null,         // the last GET .../banking
  skew: 0,            // browser clock minus server clock, seconds
  outcome: null,      // what the last action answered
  keys: {},           // form -> idempotency key of a send not yet answered
  poll: null,
  off: false,         // no banking desk on this server
  accounts: "",       // account ids in the selects, to rebuild them only when they change
};

const onLine = () => bk.activity === "connected" || bk.activity === "on_hold";

/** Called by the desktop with its connected (or wrapping-up) contact, or null. */
export function showBanking(item) {
  const panel = $("banking-panel");
  if (!panel || bk.off) return;
  if (!item) {
    panel.hidden = true;
    reset();
    return;
  }
  panel.hidden = false;
  if (item.cid !== bk.cid) {
    reset();
    bk.cid = item.cid;
    bk.activity = item.activity;
    build();
    load();
  } else if (item.activity !== bk.activity) {
    bk.activity = item.activity;
    load();
  }
}

function reset() {
  clearInterval(bk.poll);
  Object.assign(bk, { cid: null, activity: null, data: null, outcome: null, keys: {}, poll: null,
    accounts: "" });
}

async function load() {
  const cid = bk.cid;
  if (!cid) return;
  try {
    const data = await get(`/api/v1/agent/contacts/${enc(cid)}/banking`);
    if (cid !== bk.cid) return;  // the agent moved on meanwhile
    bk.data = data;
    bk.skew = Date.now() / 1000 - data.now;
    render();
  } catch (err) {
    if (err.errorId === "banking_unavailable") {
      bk.off = true;
      $("banking-panel").hidden = true;
    } else if (err.status !== 401 && err.status !== 404) {
      showError(err.message);
    }
  }
  const waiting = (bk.data?.requests ?? []).some((r) => r.status === "pending");
  if (waiting && !bk.poll) bk.poll = setInterval(load, POLL_MS);
  if (!waiting && bk.poll) {
    clearInterval(bk.poll);
    bk.poll = null;
  }
}

function build() {
  $("banking").innerHTML = `
    <div class="bk-head">
      <span class="badge" id="bk-verified">…</span>
      <span class="muted" id="bk-customer"></span><span class="spacer"></span>
      <span class="muted" id="bk-limit"></span>
    </div>
    <form class="bk-form bk-verify" id="bk-verify" hidden>
      <p class="muted">Ask the caller; at least two answers must match the bank's records.</p>
      <label id="bk-cust-label">Customer id <input name="customer_id" size="10" autocomplete="off"></label>
      <label>Card, last 4 digits <input name="card_last4" size="5" maxlength="4" inputmode="numeric" autocomplete="off"></label>
      <label>Last transaction (yuan) <input name="last_amount" size="10" inputmode="decimal" autocomplete="off"></label>
      <label>Province <input name="province" size="8" autocomplete="off"></label>
      <button type="submit" class="btn btn-primary">Verify caller</button>
      <span class="muted" id="bk-attempts"></span>
    </form>
    <div class="bk-cols" id="bk-body" hidden>
      <div>
        <table class="grid bk-table"><thead><tr><th>Account</th><th>Kind</th>
          <th class="r">Balance</th><th class="r">Available</th></tr></thead>
          <tbody id="bk-accounts"></tbody></table>
        <table class="grid bk-table"><thead><tr><th>Card</th><th>Status</th><th></th></tr></thead>
          <tbody id="bk-cards"></tbody></table>
      </div>
      <div>
        <form class="bk-form" id="bk-transfer" data-form="transfer">
          <b>Transfer between own accounts</b>
          <label>From <select name="from_account"></select></label>
          <label>To <select name="to_account"></select></label>
          <label>Amount (yuan) <input name="amount" size="10" inputmode="decimal" autocomplete="off"></label>
          <button type="submit" class="btn btn-primary">Transfer</button>
        </form>
        <form class="bk-form" id="bk-payment" data-form="payment">
          <b>Pay a third party</b>
          <label>From <select name="from_account"></select></label>
          <label>Payee <input name="payee_name" size="8" autocomplete="off"></label>
          <label>Payee account <input name="payee_account" size="16" inputmode="numeric" autocomplete="off"></label>
          <label>Bank <input name="payee_bank" size="5" autocomplete="off"></label>
          <label>Amount (yuan) <input name="amount" size="10" inputmode="decimal" autocomplete="off"></label>
          <button type="submit" class="btn btn-primary">Pay</button>
        </form>
      </div>
    </div>
    <div class="bk-outcome" id="bk-outcome" hidden></div>
    <table class="grid bk-table" id="bk-history-table" hidden><thead><tr><th>When</th><th>Done</th>
      <th class="r">Amount</th><th>Reference</th><th>By</th><th>Approved by</th></tr></thead>
      <tbody id="bk-receipts"></tbody></table>`;
  $("bk-verify").addEventListener("submit", (event) => {
    event.preventDefault();
    verify(event.submitter);
  });
  for (const id of ["bk-transfer", "bk-payment"]) {
    $(id).addEventListener("submit", (event) => {
      event.preventDefault();
      move($(id), event.submitter);
    });
  }
  $("bk-cards").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-card]");
    if (button) card(button.dataset.card, button.dataset.act, button);
  });
}

function render() {
  const d = bk.data;
  if (!d) return;
  const badge = $("bk-verified");
  badge.className = `badge ${d.verified ? "badge-ok" : "badge-warn"}`;
  badge.textContent = d.verified ? `Verified ${METHOD[d.verification.method] ?? ""}` : "Not verified";
  $("bk-customer").textContent = d.customer_id ? `Customer ${d.customer_id}` : "Customer unknown";
  $("bk-limit").textContent = `Your limit alone: ${fmtFen(d.limit.alone)}; above it a supervisor approves`;
  $("bk-verify").hidden = d.verified;
  $("bk-body").hidden = !d.verified;
  $("bk-cust-label").hidden = Boolean(d.customer_id);
  $("bk-attempts").textContent = d.verified ? "" : `${d.attempts_left} attempt(s) left`;
  for (const el of $("bk-verify").elements) el.disabled = !onLine() || d.attempts_left === 0;
  $("bk-accounts").innerHTML = d.accounts.map((a) => `<tr data-account="${esc(a.account_id)}">
      <td class="mono">${esc(a.masked_number)}</td><td>${esc(KIND[a.kind] ?? humanize(a.kind))}</td>
      <td class="r">${esc(fmtFen(a.balance))}</td><td class="r">${esc(fmtFen(a.available))}</td></tr>`).join("");
  $("bk-cards").innerHTML = d.cards.map((c) => `<tr data-card-row="${esc(c.card_id)}">
      <td class="mono">${esc(c.masked_pan)}</td>
      <td><span class="bk-status" data-status="${esc(c.status)}">${esc(humanize(c.status))}</span></td>
      <td class="r">${cardAction(c, d.cards)}</td></tr>`).join("");
  fillAccounts(d.accounts);
  for (const form of [$("bk-transfer"), $("bk-payment")]) {
    for (const el of form.elements) el.disabled = !onLine();
  }
  renderOutcome();
  const receipts = [...d.receipts].reverse();
  $("bk-history-table").hidden = receipts.length === 0;
  $("bk-receipts").innerHTML = receipts.map((r) => `<tr data-receipt="${esc(r.receipt_id)}">
      <td>${esc(fmtTime(r.at))}</td><td>${esc(r.summary)}</td><td class="r">${r.amount ? esc(fmtFen(r.amount)) : "–"}</td>
      <td class="mono">${esc(r.reference)}</td><td>${esc(r.performed_by)}</td>
      <td>${esc(r.approved_by ?? "–")}</td></tr>`).join("");
}

/** A card's buttons: freeze or unfreeze, and report lost; a lost card the bank's replacement,
 * once. */
function cardAction(c, cards) {
  const off = onLine() ? "" : " disabled";
  if (c.status === "lost") {
    if (c.replaced_by) {
      const next = cards.find((n) => n.card_id === c.replaced_by);
      return `<span class="muted bk-replaced">Replaced by <span class="mono">${esc(next?.masked_pan ?? c.replaced_by)}</span></span>`;
    }
    return `<button type="button" class="btn btn-sm btn-primary" data-card="${esc(c.card_id)}"
      data-act="replace"${off} title="The bank issues a new card number on the same account">Order replacement</button>`;
  }
  const frozen = c.status === "frozen";
  return `<button type="button" class="btn btn-sm${frozen ? "" : " btn-danger"}"
    data-card="${esc(c.card_id)}" data-act="${frozen ? "unfreeze" : "freeze"}"${off}>
    ${frozen ? "Unfreeze" : "Freeze"}</button>
    <button type="button" class="btn btn-sm btn-danger" data-card="${esc(c.card_id)}"
    data-act="report-lost"${off} title="Frozen for good; then order the replacement">Report lost</button>`;
}

function fillAccounts(accounts) {
  const ids = accounts.map((a) => a.account_id).join(",");
  if (ids === bk.accounts) return;
  bk.accounts = ids;
  const options = accounts.map((a) => `<option value="${esc(a.account_id)}">${esc(a.masked_number)} · ${esc(KIND[a.kind] ?? a.kind)}</option>`).join("");
  for (const select of document.querySelectorAll("#banking select")) select.innerHTML = options;
  const to = $("bk-transfer").elements.to_account;
  if (to && to.options.length > 1) to.selectedIndex = 1;
}

function renderOutcome() {
  const box = $("bk-outcome");
  const out = bk.outcome;
  if (!out) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const live = out.request ? (bk.data.requests.find((r) => r.request_id === out.request.request_id) ?? out.request) : null;
  const receipt = live ? bk.data.receipts.find((r) => r.receipt_id === `${live.request_id}/receipt`) : out.receipt;
  const status = live ? live.status : "done";
  box.dataset.status = status;
  const left = live && status === "pending" ? live.expires_at - (Date.now() / 1000 - bk.skew) : null;
  const text = {
    done: `Done: ${receipt?.summary ?? ""} · reference ${receipt?.reference ?? ""}`,
    pending: `Waiting for supervisor approval: ${live?.summary} (request ${live?.request_id}` +
      `${left !== null ? `, expires in ${fmtDuration(left)}` : ""})`,
    approved: `Approved by ${live?.decided_by}: ${receipt?.summary ?? live?.summary} · reference ${receipt?.reference ?? live?.reference}`,
    rejected: `Rejected by ${live?.decided_by}: ${live?.reason}. Nothing was moved.`,
    expired: `No supervisor decided in time: ${live?.summary}. Nothing was moved.`,
  }[status] ?? humanize(status);
  box.textContent = text;
}

/** Send a change with the form's idempotency key; the key is dropped once the server answers. */
async function send(form, path, body, button) {
  const key = (bk.keys[form] ??= newKey());
  const result = await act(async () => {
    try {
      return await post(path, { ...body, idempotency_key: key });
    } catch (err) {
      if (err instanceof ApiError) delete bk.keys[form];  // answered: a new attempt is new
      throw err;
    }
  }, button);
  if (result) {
    delete bk.keys[form];
    bk.outcome = result;
  }
  await load();
  return result;
}

function move(form, button) {
  const f = form.elements;
  const kind = form.dataset.form;
  let body;
  try {
    body = kind === "transfer"
      ? { from_account: f.from_account.value, to_account: f.to_account.value, amount: toFen(f.amount.value) }
      : { from_account: f.from_account.value, payee_name: f.payee_name.value.trim(),
        payee_account: f.payee_account.value.replace(/\s/g, ""), payee_bank: f.payee_bank.value.trim(),
        amount: toFen(f.amount.value) };
  } catch (err) {
    showError(err.message);
    return;
  }
  const path = `/api/v1/agent/contacts/${enc(bk.cid)}/banking/${kind}`;
  send(kind, path, body, button).then((done) => {
    if (done) {
      f.amount.value = "";
      if (f.payee_account) f.payee_account.value = "";  // a third party's number stays no longer than needed
    }
  });
}

function card(cardId, action, button) {
  if (action === "report-lost" && !confirm("Report this card lost? It is frozen for good.")) return;
  const path = `/api/v1/agent/contacts/${enc(bk.cid)}/banking/cards/${enc(cardId)}/${action}`;
  send(`${action}:${cardId}`, path, {}, button);
}

async function verify(button) {
  const f = $("bk-verify").elements;
  const body = {};
  try {
    if (!bk.data.customer_id && f.customer_id.value.trim()) body.customer_id = f.customer_id.value.trim();
    if (f.card_last4.value.trim()) body.card_last4 = f.card_last4.value.trim();
    if (f.last_amount.value.trim()) body.last_amount = toFen(f.last_amount.value, "Last transaction");
    if (f.province.value.trim()) body.province = f.province.value.trim();
  } catch (err) {
    showError(err.message);
    return;
  }
  const done = await act(() => post(`/api/v1/agent/contacts/${enc(bk.cid)}/banking/verify`, body), button);
  if (done) $("bk-verify").reset();
  await load();
}

// --- wallboard: approvals ------------------------------------------------------------------

const ap = { me: null, skew: 0, shape: "", timer: null };

/** The approvals panel, for supervisors only; it re-reads every 2 s. */
export function startApprovals(user) {
  const panel = $("approvals-panel");
  if (!panel || user.role !== "supervisor") return;
  panel.hidden = false;
  loadApprovals();
  ap.timer = setInterval(loadApprovals, POLL_MS);
  setInterval(tickApprovals, 1000);
}

async function loadApprovals() {
  let data;
  try {
    data = await get("/api/v1/supervisor/approvals");
  } catch (err) {
    if (err.errorId === "banking_unavailable") {
      $("approvals-panel").hidden = true;
      clearInterval(ap.timer);
    }
    return;
  }
  ap.me = data.me;
  ap.skew = Date.now() / 1000 - data.now;
  renderApprovals(data);
}

function renderApprovals(data) {
  const panel = $("approvals-panel");
  panel.classList.toggle("has-pending", data.pending.length > 0);
  $("approvals-count").textContent = data.pending.length ? `${data.pending.length} waiting` : "";
  // Rebuilt only when the list changes, so a reason being typed is kept.
  const shape = JSON.stringify(data.pending.map((r) => r.request_id));
  if (shape !== ap.shape) {
    ap.shape = shape;
    const body = $("approvals").tBodies[0];
    body.innerHTML = data.pending.length ? data.pending.map((r) => {
      const own = r.requested_by === ap.me;
      return `<tr data-request="${esc(r.request_id)}">
        <td><b>${esc(r.requested_by)}</b><br><span class="muted">${esc(r.contact_id)} · ${esc(r.customer ?? r.customer_id)}</span></td>
        <td class="summary">${esc(r.summary)}</td>
        <td class="r"><span class="amount">${esc(fmtFen(r.amount))}</span><br>
          <span class="countdown-sm muted" data-expires="${r.expires_at}" title="Expires in">–</span></td>
        <td><div class="decide">
          <button type="button" class="btn btn-sm btn-approve" data-act="approve"${own ? " disabled title=\"Your own request: another supervisor decides\"" : ""}>Approve</button>
          <span class="reject-row"><input class="reason-in" placeholder="Reason" size="9" maxlength="200" aria-label="Reason to reject ${esc(r.request_id)}">
          <button type="button" class="btn btn-sm btn-danger" data-act="reject"${own ? " disabled" : ""}>Reject</button></span>
        </div></td></tr>`;
    }).join("") : `<tr><td colspan="4" class="muted">No request waits for approval.</td></tr>`;
    for (const tr of body.querySelectorAll("tr[data-request]")) {
      for (const button of tr.querySelectorAll("button[data-act]")) {
        button.addEventListener("click", () => decide(tr, button.dataset.act, button));
      }
    }
  }
  $("approvals-recent").innerHTML = data.recent.slice(0, 4).map((r) => `<li data-status="${esc(r.status)}">
      <b>${esc(humanize(r.status))}</b>${r.decided_by ? ` by ${esc(r.decided_by)}` : ""} ·
      ${esc(r.summary)} · for ${esc(r.requested_by)}${r.reason ? ` · “${esc(r.reason)}”` : ""}</li>`).join("");
  tickApprovals();
}

function tickApprovals() {
  const now = Date.now() / 1000 - ap.skew;
  for (const el of document.querySelectorAll("#approvals [data-expires]")) {
    const left = Number(el.dataset.expires) - now;
    el.textContent = fmtDuration(Math.max(0, left));
    el.classList.toggle("urgent", left < 60);
  }
}

async function decide(tr, action, button) {
  const id = tr.dataset.request;
  const path = `/api/v1/supervisor/approvals/${id.split("/").map(enc).join("/")}/${action}`;
  if (action === "reject") {
    const reason = tr.querySelector(".reason-in").value.trim();
    if (!reason) {
      showError("Reject: type a reason first.");
      tr.querySelector(".reason-in").focus();
      return;
    }
    await act(() => post(path, { reason }), button);
  } else {
    await act(() => post(path), button);
  }
  await loadApprovals();
}
