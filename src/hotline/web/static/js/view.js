// The floor view in the browser: the same rules as hotline.live.view.apply_event, event for
// event (tests/browser/test_view_contract.py holds the two to it), plus the wallboard's
// derived figures (agent state, waiting per queue) as hotline.metrics.realtime counts them.

const DIGITS_MASKED_FROM = 12;

/** As hotline.banking.masking.mask_pan: first 6 and last 4 digits at most. */
export function maskPan(pan) {
  const digits = String(pan).replace(/\D/g, "");
  if (digits.length < 13) return digits.length > 4 ? "****" + digits.slice(-4) : "****";
  return digits.slice(0, 6) + "*".repeat(digits.length - 10) + digits.slice(-4);
}

/** Attributes for display: a value that looks like a card number is masked. */
export function safeAttributes(attributes) {
  const out = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    out[key] = typeof value === "string" && /^\d+$/.test(value) && value.length >= DIGITS_MASKED_FROM
      ? maskPan(value) : value;
  }
  return out;
}

export function emptyView() {
  return { agents: {}, contacts: {}, reservations: {} };
}

const agentOf = (view, e) => view.agents[e.agent_id];

function registered(view, e) {
  const old = view.agents[e.agent_id];
  if (old === undefined) {
    view.agents[e.agent_id] = { site: e.site, presence: "offline", reason: "", since: 0.0,
      pending_logout: false, work: {} };
  } else {
    old.site = e.site;
  }
}

function presence(view, e) {
  const agent = agentOf(view, e);
  if (agent) Object.assign(agent, { presence: e.ready ? "ready" : "not_ready", reason: e.reason, since: e.at });
}

function logoutRequested(view, e) {
  const agent = agentOf(view, e);
  if (agent) agent.pending_logout = true;
}

function loggedOut(view, e) {
  const agent = agentOf(view, e);
  if (agent) Object.assign(agent, { presence: "offline", reason: "", pending_logout: false, since: e.at });
}

function queued(view, e) {
  view.contacts[e.contact_id] = {
    state: "waiting", channel: e.channel, queue: e.queue, first_queue: e.queue,
    priority: e.priority, queued_at: e.at, agent_id: null, attributes: safeAttributes(e.attributes),
  };
}

function overflowed(view, e) {
  const contact = view.contacts[e.contact_id];
  if (contact) contact.queue = e.queue;
}

function reserved(view, e) {
  const contact = view.contacts[e.contact_id];
  if (contact) Object.assign(contact, { state: "reserved", agent_id: e.agent_id });
  const agent = agentOf(view, e);
  if (agent) agent.work[e.contact_id] = "reserved";
  view.reservations[e.reservation_id] = {
    contact_id: e.contact_id, agent_id: e.agent_id, expires_at: e.expires_at,
  };
}

function backToWaiting(view, e) {
  delete view.reservations[e.reservation_id];
  const contact = view.contacts[e.contact_id];
  if (contact) Object.assign(contact, { state: "waiting", agent_id: null });
  const agent = agentOf(view, e);
  if (agent) delete agent.work[e.contact_id];
}

function activity(state) {
  return (view, e) => {
    if (e.reservation_id !== undefined && e.reservation_id !== null) delete view.reservations[e.reservation_id];
    const contact = view.contacts[e.contact_id];
    if (contact) contact.state = state;
    const agent = agentOf(view, e);
    if (agent && e.contact_id in agent.work) agent.work[e.contact_id] = state;
  };
}

function transferred(view, e) {
  const agent = agentOf(view, e);
  if (agent) {
    if (e.wrap_up_until === null) delete agent.work[e.contact_id];
    else agent.work[e.contact_id] = "wrap_up";
  }
  const contact = view.contacts[e.contact_id];
  if (contact) {
    const target = e.to_queue !== null ? e.to_queue : "@" + e.to_agent;
    Object.assign(contact, { state: "waiting", agent_id: null, queue: target });
  }
}

function wrapUpEnded(view, e) {
  const agent = agentOf(view, e);
  if (agent) delete agent.work[e.contact_id];
}

function gone(view, e) {
  const contact = view.contacts[e.contact_id];
  delete view.contacts[e.contact_id];
  for (const [rid, res] of Object.entries(view.reservations)) {
    if (res.contact_id === e.contact_id) delete view.reservations[rid];
  }
  const agentId = e.agent_id || (contact ?? {}).agent_id;
  const agent = view.agents[agentId];
  if (agent) delete agent.work[e.contact_id];
}

function callback(view, e) {
  const contact = view.contacts[e.contact_id];
  if (contact) contact.channel = "callback";
}

const APPLY = {
  AgentRegistered: registered, AgentUpdated: registered,
  AgentLoggedIn: presence, PresenceChanged: presence,
  AgentLogoutRequested: logoutRequested, AgentLoggedOut: loggedOut,
  ContactQueued: queued, ContactOverflowed: overflowed,
  ReservationCreated: reserved, ReservationRejected: backToWaiting,
  ReservationTimedOut: backToWaiting, ReservationRevoked: backToWaiting,
  ContactConnected: activity("connected"), ContactHeld: activity("on_hold"),
  ContactResumed: activity("connected"), ContactTransferred: transferred,
  ContactEnded: activity("wrap_up"), WrapUpEnded: wrapUpEnded,
  ContactCompleted: gone, ContactAbandoned: gone, ContactDiverted: gone,
  CallbackRequested: callback,
};

/** Change ``view`` in place by one event; events the view does not show change nothing. */
export function applyEvent(view, event) {
  const apply = APPLY[event.type];
  if (apply) apply(view, event);
}

/** As hotline.metrics.realtime.agent_state: offline, busy, reserved, wrap_up, ready_idle, not_ready. */
export function agentState(agent) {
  if (agent.presence === "offline") return "offline";
  const activities = new Set(Object.values(agent.work));
  for (const a of activities) if (a !== "reserved" && a !== "wrap_up") return "busy";
  if (activities.has("reserved")) return "reserved";
  if (activities.has("wrap_up")) return "wrap_up";
  return agent.presence === "ready" ? "ready_idle" : "not_ready";
}

/** Waiting (or reserved) contacts per queue they entered first, with their longest wait. */
export function waitingByQueue(view, now) {
  const out = {};
  for (const contact of Object.values(view.contacts)) {
    if (contact.state !== "waiting" && contact.state !== "reserved") continue;
    const q = (out[contact.first_queue] ??= { waiting: 0, longest_wait_s: 0 });
    q.waiting += 1;
    q.longest_wait_s = Math.max(q.longest_wait_s, now - contact.queued_at);
  }
  return out;
}
