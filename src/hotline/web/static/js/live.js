// The live stream (/api/v1/stream): snapshot, then events; resumes with ?after=<last seq>.

import { toLogin } from "./api.js";
import { setLive } from "./ui.js";

const PING_EVERY_MS = 25000;
const MAX_BACKOFF_MS = 10000;

/**
 * Keeps one WebSocket open. Handlers: ``snapshot(msg)``, ``events(list, msg)``,
 * ``wallboard(msg)``, ``resumed(msg)``. After a drop it reconnects with the last sequence number
 * it saw, so the server replays exactly what was missed.
 */
export class LiveStream {
  constructor(handlers) {
    this.handlers = handlers;
    this.seq = null;
    this.socket = null;
    this.backoff = 500;
    this.connects = 0;
    this.pinger = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
    return this;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const after = this.seq === null ? "" : `?after=${this.seq}`;
    return `${scheme}//${location.host}/api/v1/stream${after}`;
  }

  connect() {
    setLive("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    this.connects += 1;
    socket.onopen = () => {
      this.backoff = 500;
      setLive("on");
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
    };
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = (event) => this.closed(socket, event);
  }

  send(data) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(data));
  }

  receive(msg) {
    const h = this.handlers;
    if (msg.type === "snapshot") {
      this.seq = msg.seq;
      h.snapshot?.(msg);
    } else if (msg.type === "events") {
      if (msg.events.length) this.seq = msg.events[msg.events.length - 1].seq;
      h.events?.(msg.events, msg);
    } else if (msg.type === "resumed") {
      this.seq = msg.seq;
      h.resumed?.(msg);
    } else if (msg.type === "wallboard") {
      h.wallboard?.(msg);
    }
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    clearInterval(this.pinger);
    this.socket = null;
    setLive("connecting");
    if (this.stopped) {
      setLive("off");
      return;
    }
    if (event.code === 1008 && /not authenticated/.test(event.reason)) {
      toLogin();
      return;
    }
    if (event.code === 1008 && /^after:/.test(event.reason)) {
      // The server's log does not reach our sequence number (it was reset): start afresh.
      this.seq = null;
    }
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    setTimeout(() => this.connect(), wait);
  }

  /** Close the socket as a network drop would (the stream reconnects by itself). */
  drop() {
    this.socket?.close(4000, "dropped");
  }

  stop() {
    this.stopped = true;
    this.socket?.close(1000, "bye");
  }
}
