// Small shared helpers for the pages: escaping, formatting, the error banner, the live dot.

export const $ = (id) => document.getElementById(id);

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe to put inside HTML (attributes included). */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Seconds as m:ss, or h:mm:ss past an hour; "–" when unknown. */
export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A ratio as a whole percentage; "–" when there is no data yet. */
export function fmtPct(ratio) {
  return ratio === null || ratio === undefined ? "–" : `${Math.round(ratio * 100)}%`;
}

/** Epoch seconds as a local HH:MM:SS. */
export function fmtTime(epoch) {
  if (!epoch) return "–";
  return new Date(epoch * 1000).toLocaleTimeString("en-GB", { hour12: false });
}

/** Epoch seconds as a local "28 May 14:03". */
export function fmtWhen(epoch) {
  if (!epoch) return "–";
  const d = new Date(epoch * 1000);
  return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ` +
    d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false });
}

/** A code as words: "lost_card" -> "Lost card". */
export function humanize(code) {
  if (code === null || code === undefined || code === "") return "–";
  const words = String(code).replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

let bannerTimer = null;

/** Show a message in the red banner at the top (stays 12 s, or until dismissed). */
export function showError(message) {
  const banner = $("banner");
  if (!banner) return;
  $("banner-text").textContent = message;
  banner.hidden = false;
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(hideError, 12000);
}

export function hideError() {
  const banner = $("banner");
  if (banner) banner.hidden = true;
}

/** The live-stream indicator in the top bar: "on", "connecting" or "off". */
export function setLive(status) {
  const el = $("live");
  if (!el) return;
  el.dataset.status = status;
  el.textContent = { on: "live", connecting: "reconnecting…", off: "offline" }[status] ?? status;
}

document.addEventListener("DOMContentLoaded", () => {
  $("banner-close")?.addEventListener("click", hideError);
});

/** The JSON the server rendered into the page. */
export function pageConfig() {
  const el = $("config");
  return el ? JSON.parse(el.textContent) : {};
}
