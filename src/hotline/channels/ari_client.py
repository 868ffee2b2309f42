"""Transport to Asterisk's ARI: REST requests out, WebSocket event frames in.

`AriTransport` is the seam. `HttpAriTransport` talks to a live Asterisk (httpx for REST, a
synchronous websockets client for ``/ari/events``, reconnecting when the socket drops);
`ReplayTransport` plays a recorded ``.jsonl`` sequence and checks that the adapter makes
exactly the recorded requests. Frames are handed over raw (text): parsing, and deciding what
a garbled frame means, is the adapter's job.

Recording format, one JSON object per line (``tests/fixtures/ari/*.jsonl``)::

    {"in": {...an ARI event as Asterisk sends it...}}
    {"in_raw": "text of a frame that is not JSON"}
    {"in_reconnect": {"at": "2026-03-02T10:00:09.000+0800"}}   # the socket dropped and came back
    {"out": {"method": "POST", "path": "/ari/channels/1.2/answer", "params": {}},
     "status": 204, "body": null}                                 # a request and its reply
    {"note": "free text for the reader"}

Time in a recording is Asterisk's: an event arrives at its ``timestamp``; a request takes no
time; an event recorded after a request is not delivered before that request was made.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

from hotline.channels.errors import ChannelError

_LOG = logging.getLogger("hotline.channels.ari_client")
# websockets logs every frame at DEBUG, and a frame may carry a keyed digit: its logger for
# our socket never goes below INFO, whatever the application's logging level.
_WS_LOG = logging.getLogger("hotline.channels.ari_client.websocket")
_WS_LOG.setLevel(logging.INFO)

#: Environment variables that point Hotline at an Asterisk (see docs/asterisk.md).
ENV_URL, ENV_USER, ENV_PASSWORD, ENV_APP = (
    "HOTLINE_ARI_URL",
    "HOTLINE_ARI_USER",
    "HOTLINE_ARI_PASSWORD",
    "HOTLINE_ARI_APP",
)


@dataclass(frozen=True, slots=True)
class Reconnected:
    """The event stream dropped and is open again: events in between were lost."""


Frame = str | Reconnected


class AriRequestFailed(ChannelError):
    """Asterisk refused a REST request; ``status`` is the HTTP status."""

    def __init__(self, item: str, status: int, message: str) -> None:
        super().__init__(item, f"Asterisk answered {status}: {message}")
        self.status = status


class ReplayMismatch(ChannelError):
    """The adapter did something other than what the recording holds."""


class AriTransport(Protocol):
    """What the adapter needs of ARI. ``path`` is below ``/ari`` (``/channels/1.2/answer``)."""

    def request(self, method: str, path: str, params: Mapping[str, str]) -> object:
        """Send one REST request; return the decoded JSON body (None when empty), or raise
        `AriRequestFailed` for a status of 400 or more."""
        ...

    def receive(self, timeout_s: float) -> Frame | None:
        """The next event frame, `Reconnected` after a drop, or None after ``timeout_s``."""
        ...


def _message(body: object, fallback: str) -> str:
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return fallback


# -- the live transport ------------------------------------------------------------------------


class HttpAriTransport:
    """ARI over HTTP: ``url`` is the REST root, e.g. ``http://pbx:8088/ari``."""

    def __init__(
        self,
        *,
        url: str,
        user: str,
        password: str,
        app: str = "hotline",
        http: httpx.Client | None = None,
        retry_s: float = 2.0,
    ) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                f"{ENV_URL}: {url!r} is not an http(s) URL such as http://pbx:8088/ari"
            )
        self._url = urlunsplit(parts)
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        self.events_url = urlunsplit((ws_scheme, parts.netloc, f"{parts.path}/events", "", ""))
        self._app = app
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        # Basic auth in a header, not api_key in the URL: URLs end up in logs.
        self._auth_header = {"Authorization": f"Basic {token}"}
        self._http = http or httpx.Client(auth=(user, password), timeout=10.0)
        self._retry_s = retry_s
        self._ws: ClientConnection | None = None
        self._socket = ExitStack()
        self._dropped = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpAriTransport:
        """Build from ``HOTLINE_ARI_URL``, ``_USER``, ``_PASSWORD`` and ``_APP`` (default
        ``hotline``); a missing variable is named in the error."""
        missing = [k for k in (ENV_URL, ENV_USER, ENV_PASSWORD) if not env.get(k)]
        if missing:
            raise ValueError(f"{', '.join(missing)}: not set (see docs/asterisk.md)")
        return cls(
            url=env[ENV_URL],
            user=env[ENV_USER],
            password=env[ENV_PASSWORD],
            app=env.get(ENV_APP) or "hotline",
        )

    def request(self, method: str, path: str, params: Mapping[str, str]) -> object:
        response = self._http.request(method, f"{self._url}{path}", params=dict(params))
        body: object = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        if response.status_code >= 400:
            raise AriRequestFailed(
                f"{method} {path}", response.status_code, _message(body, response.reason_phrase)
            )
        return body

    def receive(self, timeout_s: float) -> Frame | None:
        if self._ws is None:
            if not self._open(timeout_s):
                return None
            if self._dropped:
                self._dropped = False
                return Reconnected()
        assert self._ws is not None
        try:
            frame = self._ws.recv(timeout=max(timeout_s, 0.0))
        except TimeoutError:
            return None
        except ConnectionClosed:
            _LOG.warning("ARI event stream closed; reconnecting")
            self._socket.close()
            self._ws, self._dropped = None, True
            return None
        return frame if isinstance(frame, str) else frame.decode("utf-8", errors="replace")

    def _open(self, timeout_s: float) -> bool:
        url = f"{self.events_url}?app={self._app}"
        try:
            self._ws = self._socket.enter_context(
                connect(
                    url,
                    additional_headers=self._auth_header,
                    open_timeout=max(timeout_s, 1.0),
                    logger=_WS_LOG,
                )
            )
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            _LOG.warning("ARI event stream %s: cannot connect (%s)", self.events_url, exc)
            self._dropped = True
            time.sleep(min(self._retry_s, max(timeout_s, 0.0)))
            return False
        _LOG.info("ARI event stream open for app %s", self._app)
        return True

    def close(self) -> None:
        self._socket.close()
        self._ws = None
        self._http.close()


# -- the replay transport ----------------------------------------------------------------------

#: A replay gives up when the adapter waits this long (recorded time) for nothing.
REPLAY_PATIENCE = timedelta(hours=1)


def parse_timestamp(text: str) -> datetime:
    """Asterisk writes ``2026-03-02T10:00:00.123+0800``."""
    return datetime.fromisoformat(text)


@dataclass(frozen=True, kw_only=True, slots=True)
class _Line:
    number: int
    kind: str  # in | in_raw | in_reconnect | out
    payload: object = None
    at: datetime | None = None
    #: For ``out`` lines: the recorded request, the reply's status and body.
    request: Mapping[str, object] | None = None
    status: int = 200
    body: object = None

    def describe(self) -> str:
        if self.request is None:
            return f"line {self.number}: an event ({self.kind})"
        return f"line {self.number}: a request {self.request['method']} {self.request['path']}"


def _parse_line(number: int, data: Mapping[str, object], where: str) -> _Line | None:
    kinds = [k for k in ("in", "in_raw", "in_reconnect", "out", "note") if k in data]
    if len(kinds) != 1:
        raise ValueError(
            f"{where}:{number}: needs exactly one of in, in_raw, in_reconnect, out, note"
        )
    kind = kinds[0]
    payload = data[kind]
    if kind == "note":
        return None
    if kind == "out":
        if not isinstance(payload, dict) or not {"method", "path"} <= payload.keys():
            raise ValueError(f"{where}:{number}: out needs method and path")
        status = data.get("status", 200)
        if not isinstance(status, int):
            raise ValueError(f"{where}:{number}: status must be an integer")
        return _Line(
            number=number, kind=kind, request=payload, status=status, body=data.get("body")
        )
    at: datetime | None = None
    stamp = payload.get("timestamp") if kind == "in" and isinstance(payload, dict) else None
    if kind == "in_reconnect" and isinstance(payload, dict):
        stamp = payload.get("at")
    if isinstance(stamp, str):
        at = parse_timestamp(stamp)
    if kind == "in_raw" and not isinstance(payload, str):
        raise ValueError(f"{where}:{number}: in_raw must be a string")
    return _Line(number=number, kind=kind, payload=payload, at=at)


class ReplayTransport:
    """Plays a recording; every request must equal the next recorded one."""

    def __init__(self, lines: Sequence[Mapping[str, object]], *, name: str = "recording") -> None:
        self.name = name
        parsed = [_parse_line(i, line, name) for i, line in enumerate(lines, start=1)]
        self._lines = [line for line in parsed if line is not None]
        stamps = [line.at for line in self._lines if line.at is not None]
        if not stamps:
            raise ValueError(f"{name}: no event has a timestamp")
        self._now = stamps[0]
        self._used = [False] * len(self._lines)
        self._waited = timedelta(0)

    @classmethod
    def load(cls, path: Path) -> ReplayTransport:
        lines = [
            json.loads(text)
            for text in path.read_text(encoding="utf-8").splitlines()
            if text.strip()
        ]
        return cls(lines, name=path.name)

    def now(self) -> datetime:
        """Recorded time: the timestamp of the last event delivered, plus waits since."""
        return self._now

    def request(self, method: str, path: str, params: Mapping[str, str]) -> object:
        index = next(
            (i for i, ln in enumerate(self._lines) if ln.kind == "out" and not self._used[i]), None
        )
        sent = f"{method} /ari{path} {dict(sorted(params.items()))}"
        if index is None:
            raise ReplayMismatch(self.name, f"unexpected request {sent}: the recording has no more")
        line = self._lines[index]
        recorded = line.request or {}
        raw_params = recorded.get("params") or {}
        assert isinstance(raw_params, dict)
        params_recorded = {str(k): str(v) for k, v in raw_params.items()}
        want = f"{recorded['method']} {recorded['path']} {dict(sorted(params_recorded.items()))}"
        if want != sent:
            raise ReplayMismatch(f"{self.name}:{line.number}", f"expected {want}, got {sent}")
        self._used[index] = True
        if line.status >= 400:
            raise AriRequestFailed(f"{method} {path}", line.status, _message(line.body, "error"))
        return line.body

    def receive(self, timeout_s: float) -> Frame | None:
        step = timedelta(seconds=max(timeout_s, 0.0))
        index = next(
            (i for i, ln in enumerate(self._lines) if ln.kind != "out" and not self._used[i]), None
        )
        blocked = index is None or any(
            ln.kind == "out" and not self._used[i] for i, ln in enumerate(self._lines[:index])
        )
        if index is not None and not blocked:
            line = self._lines[index]
            at = line.at or self._now
            if at <= self._now + step:
                self._used[index] = True
                self._now = max(self._now, at)
                self._waited = timedelta(0)
                return self._frame(line)
        self._now += step
        self._waited += step
        if self._waited > REPLAY_PATIENCE:
            raise ReplayMismatch(self.name, f"the adapter waited {self._waited} for {self._next()}")
        return None

    @staticmethod
    def _frame(line: _Line) -> Frame:
        if line.kind == "in_reconnect":
            return Reconnected()
        if line.kind == "in_raw":
            return str(line.payload)
        return json.dumps(line.payload)

    def _next(self) -> str:
        left = [ln for i, ln in enumerate(self._lines) if not self._used[i]]
        if not left:
            return "nothing: the recording is over"
        return left[0].describe()

    def finish(self) -> None:
        """Raise `ReplayMismatch` unless every recorded line was used."""
        if not all(self._used):
            raise ReplayMismatch(self.name, f"not played to the end; next is {self._next()}")


__all__ = [
    "ENV_APP",
    "ENV_PASSWORD",
    "ENV_URL",
    "ENV_USER",
    "AriRequestFailed",
    "AriTransport",
    "Frame",
    "HttpAriTransport",
    "Reconnected",
    "ReplayMismatch",
    "ReplayTransport",
    "parse_timestamp",
]
