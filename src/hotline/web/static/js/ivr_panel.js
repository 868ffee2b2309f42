// The wallboard's IVR panel: today's containment, authentication and the drop-out funnel,
// from GET /api/v1/supervisor/ivr. Polled: the figures move with every call that ends in the
// IVR, far more often than the panel needs to redraw.
import { get } from "./api.js";
import { $, esc, fmtPct } from "./ui.js";

const PERIOD_MS = 5000;

export function renderIvr(data) {
  const panel = $("ivr-panel");
  if (!data.enabled) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  const outcomes = data.outcomes || {};
  const contained = (outcomes.completed || 0) + (outcomes.abandoned || 0);
  $("ivr-entered").textContent = data.entered;
  $("ivr-containment").textContent = fmtPct(data.entered ? data.containment : null);
  $("ivr-contained").textContent = `${contained} of ${data.entered}`;
  $("ivr-agents").textContent = outcomes.enqueued || 0;
  $("ivr-auth").textContent = fmtPct(data.auth_calls ? data.auth_success_rate : null);
  $("ivr-auth-calls").textContent = `${data.auth_succeeded} of ${data.auth_calls}`;
  $("ivr-lockouts").textContent = data.lockouts;
  $("ivr-in").textContent = data.in_ivr ?? "–";
  $("ivr-funnel").querySelector("tbody").innerHTML = (data.funnel || []).map((step) =>
    `<tr><td class="l">${esc(step.node)}</td><td>${step.entered}</td><td>${step.dropped}</td>` +
    `<td>${fmtPct(step.drop_rate)}</td></tr>`).join("");
}

async function poll() {
  try {
    renderIvr(await get("/api/v1/supervisor/ivr?top=8"));
  } catch (err) {
    // The board goes on without the panel; the next poll tries again.
    console.warn("IVR panel:", err.message);
  }
}

export function startIvrPanel() {
  poll();
  setInterval(poll, PERIOD_MS);
}
