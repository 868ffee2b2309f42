"""The Asterisk ARI adapter against recorded ARI sequences (tests/fixtures/ari/*.jsonl).

Each recording holds the events Asterisk sent and the REST requests the adapter must make, in
order; the replay fails a test on any other request, and each test plays its recording to the
end. Every test also checks that no PIN and no card number reached a log line or an event.
"""

from __future__ import annotations

import inspect
import json
import logging
import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from websockets.sync.server import ServerConnection, serve

from hotline.banking.demo import DemoBank, demo_bank
from hotline.banking.model import CardStatus, Segment
from hotline.channels import ari_adapter
from hotline.channels.ari_adapter import AriCore
from hotline.channels.ari_client import (
    AriRequestFailed,
    HttpAriTransport,
    Reconnected,
    ReplayMismatch,
    ReplayTransport,
    parse_timestamp,
)
from hotline.channels.ari_state import AriConfig, CollectSpec
from hotline.channels.errors import CallNotLive, ChannelError, NotAnswered
from hotline.channels.ivr_bank import IvrBank, SandboxDirectory
from hotline.channels.ivr_session import IvrShell
from hotline.channels.telephony import (
    CallAnswered,
    CallArrived,
    CallBridged,
    CallHungUp,
    CallOriginated,
    CallTransferred,
    CollectResult,
    CollectTimedOut,
    DigitsCollected,
    PromptPlayed,
    TelephonyEvent,
    TelephonyPort,
)
from hotline.channels.telephony_ari import AriTelephony, config_from_env
from hotline.channels.telephony_sim import Press, ScriptedCall, SimulatedTelephony
from hotline.ivr.library import shipped_registry
from tests.e2e.engines import engine_with

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ari"
PAN, PIN = "6222020200112233446", "480213"  # the keys in the hand-made recordings
CALLER = "13912345678"
CST = timezone(timedelta(hours=8))


class Recorded:
    """Opens recordings and keeps every adapter, to look for secrets at the end."""

    def __init__(self) -> None:
        self.adapters: list[AriTelephony] = []
        self.replays: list[ReplayTransport] = []
        self.secrets = {PAN, PIN}

    def open(self, name: str) -> tuple[AriTelephony, ReplayTransport]:
        replay = ReplayTransport.load(FIXTURES / f"{name}.jsonl")
        tel = AriTelephony(replay, clock=replay.now)
        self.adapters.append(tel)
        self.replays.append(replay)
        return tel, replay


@pytest.fixture
def recorded(caplog: pytest.LogCaptureFixture) -> Iterator[Recorded]:
    caplog.set_level(logging.DEBUG)
    rec = Recorded()
    yield rec
    records = [r.getMessage() for r in caplog.records]
    for tel in rec.adapters:
        records += [*map(repr, tel.log), *map(str, tel.log)]
    for record in records:
        leaked = [s for s in rec.secrets if s in record]
        assert not leaked, f"secret leaked into {record[:80]}"


def key_times(name: str) -> list[datetime]:
    """When the recording's keys were pressed."""
    lines = [json.loads(t) for t in (FIXTURES / f"{name}.jsonl").read_text("utf-8").splitlines()]
    events = [line["in"] for line in lines if "in" in line]
    return [
        parse_timestamp(e["timestamp"]) for e in events if e.get("type") == "ChannelDtmfReceived"
    ]


def poll_until(tel: AriTelephony, kind: type[TelephonyEvent]) -> list[TelephonyEvent]:
    """Poll until an event of ``kind`` comes; return everything polled."""
    events: list[TelephonyEvent] = []
    for _ in range(20):
        events += tel.poll(timeout_s=600)
        if any(isinstance(e, kind) for e in events):
            return events
    raise AssertionError(f"no {kind.__name__} in {events}")


def arrived(tel: AriTelephony) -> CallArrived:
    got = [e for e in poll_until(tel, CallArrived) if isinstance(e, CallArrived)]
    assert len(got) == 1, got
    return got[0]


def drain(tel: AriTelephony, replay: ReplayTransport) -> list[TelephonyEvent]:
    """Read the recording's last events, then check it was played to the end."""
    events = tel.poll(timeout_s=600)
    events += tel.poll(timeout_s=600)
    replay.finish()
    return events


def collect(
    tel: AriTelephony,
    call_id: str,
    *,
    max_digits: int = 1,
    min_digits: int = 1,
    terminator: str = "#",
    timeout_s: float = 5.0,
) -> CollectResult:
    return tel.collect(
        call_id,
        max_digits=max_digits,
        min_digits=min_digits,
        terminator=terminator,
        timeout_s=timeout_s,
        secret=True,
    )


def test_the_adapter_has_the_ports_methods_with_the_same_signatures() -> None:
    port: TelephonyPort = AriTelephony(ReplayTransport.load(FIXTURES / "garbled.jsonl"))
    names = [n for n in vars(TelephonyPort) if not n.startswith("_")]
    assert {"answer", "play", "collect", "bridge", "transfer", "hang_up", "originate"} <= set(names)
    for name in names:
        want = inspect.signature(getattr(TelephonyPort, name))
        got = inspect.signature(getattr(AriTelephony, name))
        assert list(got.parameters) == list(want.parameters), name
        assert got.return_annotation == want.return_annotation, name
    assert port is not None


# -- inbound calls, prompts and keys ------------------------------------------------------------


def test_answer_prompt_card_with_terminator_pin_by_max_digits(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    tel, replay = recorded.open("answer_play_collect")
    call = arrived(tel)
    assert call == CallArrived(
        call_id="1772416800.101", dialled_number="95588", caller_number=CALLER
    )
    cid = call.call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="enter_card", text="Please enter your card number.", language="en")
    card = collect(tel, cid, max_digits=20, min_digits=16)
    assert card == DigitsCollected(call_id=cid, digits=PAN)  # the first key barged in
    assert tel.now() == key_times("answer_play_collect")[19]  # ended by the #
    tel.play(cid, prompt_id="enter_pin", text="Your PIN, please.", language="en")
    pin = collect(tel, cid, max_digits=6, min_digits=6, terminator="")
    # The 5 keyed after # and the DTMF A were dropped; the sixth key ends it, no timeout.
    assert pin == DigitsCollected(call_id=cid, digits=PIN)
    assert tel.now() == key_times("answer_play_collect")[-1]
    tel.play(cid, prompt_id="balance_is", text="Your balance is 12.00 CNY.", language="en")
    tel.hang_up(cid)  # after the prompt finished: a goodbye is never cut
    assert tel.log == [
        call,
        CallAnswered(call_id=cid),
        PromptPlayed(
            call_id=cid,
            prompt_id="enter_card",
            text="Please enter your card number.",
            language="en",
        ),
        card,
        PromptPlayed(call_id=cid, prompt_id="enter_pin", text="Your PIN, please.", language="en"),
        pin,
        PromptPlayed(
            call_id=cid, prompt_id="balance_is", text="Your balance is 12.00 CNY.", language="en"
        ),
        CallHungUp(call_id=cid, by="system"),
    ]
    assert drain(tel, replay) == tel.log[1:]  # what poll hands over after the arrival
    notes = caplog.text
    assert "ignored a key outside 0-9*#" in notes
    assert "dropped a key left over from the last entry" in notes


def test_silence_short_entry_and_inter_key_timeout(recorded: Recorded) -> None:
    tel, replay = recorded.open("collect_timeouts")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="main_menu", text="Press 1.", language="en")
    assert collect(tel, cid) == CollectTimedOut(call_id=cid)
    tel.play(cid, prompt_id="enter_account", text="Account number.", language="en")
    assert collect(tel, cid, max_digits=4, min_digits=4) == CollectTimedOut(call_id=cid)
    tel.play(cid, prompt_id="enter_amount", text="Amount.", language="en")
    before = tel.now()
    assert collect(tel, cid, max_digits=6) == DigitsCollected(call_id=cid, digits="100")
    # Three keys over the prompt and after it, then the 5 s inter-key timeout.
    assert timedelta(seconds=5) <= tel.now() - before < timedelta(seconds=15)
    tel.play(cid, prompt_id="goodbye", text="Goodbye.", language="en")
    tel.hang_up(cid)
    drain(tel, replay)
    assert tel.ended(cid)


def test_silence_times_out_after_the_prompt_not_before(recorded: Recorded) -> None:
    tel, replay = recorded.open("collect_timeouts")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="main_menu", text="Press 1.", language="en")
    begun = tel.now()
    assert collect(tel, cid) == CollectTimedOut(call_id=cid)
    # The menu lasts 9.2 s: a timeout counted from the collect would end at 5 s.
    assert tel.now() - begun >= timedelta(seconds=14)
    with pytest.raises(ReplayMismatch, match="not played to the end"):
        replay.finish()


def test_caller_hanging_up_mid_prompt_ends_the_collect(recorded: Recorded) -> None:
    tel, replay = recorded.open("hangup_mid_prompt")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="welcome", text="Welcome.", language="en")
    tel.play(cid, prompt_id="choose_language", text="1 or 2.", language="en")
    assert collect(tel, cid) == CallHungUp(call_id=cid, by="caller")
    assert tel.ended(cid)
    with pytest.raises(CallNotLive, match=f"call {cid}: is over"):
        tel.play(cid, prompt_id="main_menu", text="Menu.", language="en")
    drain(tel, replay)
    assert [type(e) for e in tel.log].count(CallHungUp) == 1


def test_a_channel_gone_at_a_request_is_the_caller_hanging_up(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    tel, replay = recorded.open("channel_gone")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="welcome", text="Welcome.", language="zh")  # 404
    assert tel.log[-1] == CallHungUp(call_id=cid, by="caller")
    # The shell has not been told yet: commands are dropped, not refused.
    tel.play(cid, prompt_id="choose_language", text="1 or 2.", language="zh")
    assert collect(tel, cid) == CallHungUp(call_id=cid, by="caller")
    with pytest.raises(CallNotLive, match=f"call {cid}: is over"):
        tel.play(cid, prompt_id="main_menu", text="Menu.", language="zh")
    assert "found no channel" in caplog.text and "dropped, the caller hung up" in caplog.text
    second = arrived(tel).call_id
    with pytest.raises(AriRequestFailed, match="answered 412: Channel in invalid state") as err:
        tel.answer(second)  # any other refusal is an error for the shell
    assert err.value.status == 412
    assert f"POST /channels/{second}/answer" in str(err.value)
    drain(tel, replay)
    assert not any(isinstance(e, PromptPlayed) for e in tel.log)


# -- agents, transfers ------------------------------------------------------------------------


def test_bridge_rings_the_agent_then_bridges_and_cleans_up_after_the_caller(
    recorded: Recorded,
) -> None:
    tel, replay = recorded.open("bridge_to_agent")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="connecting_agent", text="Connecting you.", language="en")
    tel.bridge(cid, agent_id="rm1")
    assert tel.log[-1] == CallBridged(call_id=cid, agent_id="rm1")
    later = poll_until(tel, CallHungUp)
    assert later[-1] == CallHungUp(call_id=cid, by="caller")
    drain(tel, replay)  # the recording holds the DELETEs of the agent's leg and the bridge
    with pytest.raises(CallNotLive, match="is over"):
        tel.hang_up(cid)


def test_a_busy_agent_fails_the_bridge_and_the_call_goes_on(recorded: Recorded) -> None:
    tel, replay = recorded.open("bridge_agent_busy")
    cid = arrived(tel).call_id
    tel.answer(cid)
    with pytest.raises(NotAnswered, match=f"call {cid}: agent rm2 was busy") as err:
        tel.bridge(cid, agent_id="rm2")
    assert err.value.outcome == "busy"
    tel.hang_up(cid)
    drain(tel, replay)
    assert not any(isinstance(e, CallBridged) for e in tel.log)


def test_blind_transfer_continues_in_the_dialplan_after_the_notice(recorded: Recorded) -> None:
    tel, replay = recorded.open("blind_transfer")
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="transfer_notice", text="Transferring you.", language="en")
    tel.transfer(cid, number="95566")
    assert tel.log[-1] == CallTransferred(call_id=cid, number="95566")
    assert tel.ended(cid)
    with pytest.raises(CallNotLive, match=f"call {cid}: is over"):
        tel.play(cid, prompt_id="x", text="x", language="en")
    drain(tel, replay)  # the StasisEnd that follows is not a hang-up
    assert not any(isinstance(e, CallHungUp) for e in tel.log)


# -- outbound -----------------------------------------------------------------------------------


def test_originate_answered_is_a_live_answered_call(recorded: Recorded) -> None:
    tel, replay = recorded.open("originate_answered")
    cid = tel.originate(number=CALLER, caller_id="95588")
    assert cid == "hotline-out-1"
    assert tel.log == [CallOriginated(call_id=cid, number=CALLER)]
    tel.play(cid, prompt_id="callback_greeting", text="Hello, this is your bank.", language="en")
    assert collect(tel, cid) == DigitsCollected(call_id=cid, digits="1")
    tel.hang_up(cid)
    drain(tel, replay)


@pytest.mark.parametrize(
    ("name", "number", "outcome", "reason", "by"),
    [
        ("originate_busy", "13700001111", "busy", "13700001111 was busy (cause 17)", "caller"),
        (
            "originate_no_answer",
            "13600002222",
            "no_answer",
            "13600002222 did not answer (cause 19)",
            "system",
        ),
    ],
)
def test_originate_not_answered_raises_with_the_outcome(
    recorded: Recorded, name: str, number: str, outcome: str, reason: str, by: str
) -> None:
    tel, replay = recorded.open(name)
    with pytest.raises(NotAnswered) as err:
        tel.originate(number=number, caller_id="95588")
    assert err.value.outcome == outcome
    assert str(err.value) == f"call hotline-out-1: {reason}"
    assert tel.log == [
        CallOriginated(call_id="hotline-out-1", number=number),
        CallHungUp(call_id="hotline-out-1", by=by),
    ]
    with pytest.raises(CallNotLive, match="is over"):
        tel.play("hotline-out-1", prompt_id="x", text="x", language="en")
    drain(tel, replay)


# -- the event stream ---------------------------------------------------------------------------


def test_reconnect_resyncs_ends_lost_calls_and_resubscribes_live_ones(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    tel, replay = recorded.open("reconnect")
    a = arrived(tel).call_id
    b = arrived(tel).call_id
    for cid in (a, b):
        tel.answer(cid)
    tel.play(a, prompt_id="enter_pin", text="PIN.", language="en")
    tel.play(b, prompt_id="main_menu", text="Menu.", language="en")
    # Three keys before the drop, three after: the entry survives the reconnect.
    pin = collect(tel, a, max_digits=6, min_digits=6, terminator="", timeout_s=10)
    assert pin == DigitsCollected(call_id=a, digits=PIN)
    assert CallHungUp(call_id=b, by="system") in tel.log
    assert collect(tel, b) == CallHungUp(call_id=b, by="system")
    assert "reconnected: resyncing" in caplog.text
    tel.hang_up(a)
    drain(tel, replay)


def test_garbled_and_unknown_frames_are_logged_and_skipped(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    tel, replay = recorded.open("garbled")
    call = arrived(tel)
    assert call.call_id == "1772423100.301"
    assert tel.log == [call]  # nothing else became an event
    text = caplog.text
    assert "ignored an ARI frame that is not JSON (64 characters)" in text
    assert "ignored ARI event ChannelTeleported" in text
    assert "ignored an ARI message without a type" in text
    assert "ignored a StasisStart without a channel id" in text
    assert "ignored an ARI frame that is not a JSON object" in text
    tel.answer(call.call_id)
    tel.hang_up(call.call_id)
    drain(tel, replay)


def test_replay_refuses_a_request_that_is_not_the_recorded_one() -> None:
    replay = ReplayTransport.load(FIXTURES / "blind_transfer.jsonl")
    tel = AriTelephony(replay, clock=replay.now)
    cid = arrived(tel).call_id
    with pytest.raises(ReplayMismatch, match=r"expected POST /ari/channels/.*/answer"):
        tel.hang_up(cid)


def test_replay_does_not_deliver_an_event_before_the_request_it_follows() -> None:
    replay = ReplayTransport.load(FIXTURES / "originate_busy.jsonl")
    assert replay.receive(60) is None  # the Dial events come after POST /channels
    with pytest.raises(ReplayMismatch, match="waited"):
        for _ in range(100):
            replay.receive(60)


# -- errors for misuse, same as the simulator -----------------------------------------------


def test_misuse_raises_what_the_simulator_raises() -> None:
    replay = ReplayTransport.load(FIXTURES / "garbled.jsonl")
    tel = AriTelephony(replay, clock=replay.now)
    sim = SimulatedTelephony(start=replay.now())
    for port in (tel, sim):
        with pytest.raises(CallNotLive, match="call x: never rang"):
            port.answer("x")
    cid = arrived(tel).call_id
    sim.ring(ScriptedCall(call_id=cid, dialled_number="95588"))
    for port in (tel, sim):
        with pytest.raises(CallNotLive, match=f"call {cid}: is not answered"):
            port.play(cid, prompt_id="p", text="hi", language="en")


def test_core_refuses_a_second_bridge_and_leaves_the_call_as_it_was() -> None:
    core = AriCore(AriConfig())
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    core.event({"type": "StasisStart", "channel": {"id": "c1", "caller": {"number": "1"}}}, now)
    core.answer("c1")
    step = core.bridge("c1", agent_id="a1", now=now)
    assert [r.describe() for r in step.requests] == ["POST /channels"]
    with pytest.raises(ChannelError, match="call c1: is already bridged to agent a1"):
        core.bridge("c1", agent_id="a2", now=now)
    assert core.bridge_outcome("c1") == ""  # still ringing a1


def test_core_collect_spec_typeahead_counts_for_the_next_entry() -> None:
    core = AriCore()
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    core.event({"type": "StasisStart", "channel": {"id": "c1"}}, now)
    core.answer("c1")
    for key in "12":
        core.event({"type": "ChannelDtmfReceived", "digit": key, "channel": {"id": "c1"}}, now)
    spec = CollectSpec(max_digits=2, min_digits=1, terminator="#", timeout_s=5)
    step = core.collect("c1", spec, now)
    assert step.events == (DigitsCollected(call_id="c1", digits="12"),)


# -- the IVR shell over the adapter: a drop-in for the simulated switch ---------------------


def _shell(telephony: TelephonyPort, clock: Callable[[], datetime]) -> tuple[IvrShell, DemoBank]:
    opened = datetime(2026, 3, 1, tzinfo=CST)
    demo = demo_bank(random.Random(20260302), customers=60, vip_share=0.1, opened_at=opened)
    engine = engine_with("general", "vip")
    shell = IvrShell(
        telephony=telephony,
        registry=shipped_registry(),
        bank=IvrBank(demo.bank, SandboxDirectory(demo.bank)),
        engine=engine,
        clock=clock,
        estimate_wait=lambda workflow: 30.0,
    )
    return shell, demo


OPEN_HOURS = {"business_hours": "true", "holiday": "false"}


def test_ivr_shell_runs_a_lost_card_call_over_ari_as_over_the_simulator(
    recorded: Recorded,
) -> None:
    tel, replay = recorded.open("banking_call")
    shell, demo = _shell(tel, tel.now)
    cred = next(c for c in demo.credentials if c.segment is Segment.MASS)
    recorded.secrets |= {cred.pan, cred.pin}
    call = arrived(tel)
    result = shell.run_call(call, context=OPEN_HOURS)
    drain(tel, replay)
    assert result.outcome == "completed" and result.flow == "bank-hotline"
    assert demo.bank.state.card_status[cred.card_id] is CardStatus.LOST
    # The same caller on the simulated switch hears the same prompts and ends the same way.
    sim = SimulatedTelephony(start=tel.now())
    sim_shell, _ = _shell(sim, sim.now)
    moves = ("2", "4", cred.pan + "#", cred.pin, "9", "5")
    sim_call = sim.ring(
        ScriptedCall(
            call_id=call.call_id,
            dialled_number="95588",
            caller_number=call.caller_number,
            script=tuple(Press(keys=k) for k in moves),
        )
    )
    sim_result = sim_shell.run_call(sim_call, context=OPEN_HOURS)
    assert tel.log == sim.log
    assert result.outcome == sim_result.outcome
    assert [type(e) for e in result.ivr_events] == [type(e) for e in sim_result.ivr_events]


# -- secrets ----------------------------------------------------------------------------------


def test_keys_reach_the_shell_but_never_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    replay = ReplayTransport.load(FIXTURES / "answer_play_collect.jsonl")
    tel = AriTelephony(replay, clock=replay.now)
    cid = arrived(tel).call_id
    tel.answer(cid)
    tel.play(cid, prompt_id="enter_card", text="Card.", language="en")
    got = [collect(tel, cid, max_digits=20, min_digits=16)]
    tel.play(cid, prompt_id="enter_pin", text="PIN.", language="en")
    got.append(collect(tel, cid, max_digits=6, min_digits=6, terminator=""))
    assert [g.digits for g in got if isinstance(g, DigitsCollected)] == [PAN, PIN]
    everything = caplog.text + "".join(f"{e!r}{e}" for e in tel.log)
    assert "<19 masked>" in everything and "<6 masked>" in everything
    for secret in (PAN, PIN, PAN[:6] + PAN[-4:]):
        assert secret not in everything
    ws_logger = logging.getLogger("hotline.channels.ari_client.websocket")
    assert ws_logger.getEffectiveLevel() >= logging.INFO  # no frame dumps, ever


# -- the live transport, against a loopback stand-in for Asterisk ----------------------------


def test_http_transport_rest_auth_errors_and_websocket_reconnect() -> None:
    seen: list[httpx.Request] = []

    def rest(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/answer"):
            return httpx.Response(204)
        return httpx.Response(404, json={"message": "Channel not found"})

    connections: list[str] = []

    def events(ws: ServerConnection) -> None:
        assert ws.request is not None
        connections.append(f"{ws.request.path} {ws.request.headers.get('Authorization')}")
        ws.send('{"type": "StasisStart"}' if len(connections) == 1 else '{"type": "StasisEnd"}')
        if len(connections) == 1:
            ws.close()  # Asterisk restarting
            return
        for _ in ws:  # hold the socket open until the client leaves
            pass

    with serve(events, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        http = httpx.Client(transport=httpx.MockTransport(rest), auth=("hotline", "s3cret"))
        transport = HttpAriTransport(
            url=f"http://127.0.0.1:{port}/ari", user="hotline", password="s3cret", http=http
        )
        try:
            assert transport.request("POST", "/channels/c1/answer", {}) is None
            with pytest.raises(AriRequestFailed, match="404: Channel not found") as err:
                transport.request("POST", "/channels/c2/play", {"media": "sound:x"})
            assert err.value.status == 404
            frames = [transport.receive(2.0) for _ in range(4)]
        finally:
            transport.close()
            server.shutdown()
    assert seen[1].url.params["media"] == "sound:x"
    assert seen[0].headers["Authorization"].startswith("Basic ")
    assert frames[0] == '{"type": "StasisStart"}'
    assert frames[1] is None  # the close is noticed
    assert frames[2] == Reconnected()
    assert frames[3] == '{"type": "StasisEnd"}'
    assert connections[0].startswith("/ari/events?app=hotline Basic ")
    assert len(connections) == 2


def test_environment_names_what_is_missing_or_wrong() -> None:
    with pytest.raises(ValueError, match="HOTLINE_ARI_URL, HOTLINE_ARI_PASSWORD: not set"):
        HttpAriTransport.from_env({"HOTLINE_ARI_USER": "hotline"})
    with pytest.raises(ValueError, match="HOTLINE_ARI_URL: 'pbx:8088' is not an http"):
        HttpAriTransport(url="pbx:8088", user="u", password="p")
    transport = HttpAriTransport.from_env(
        {"HOTLINE_ARI_URL": "https://pbx:8089/ari/", "HOTLINE_ARI_USER": "u",
         "HOTLINE_ARI_PASSWORD": "p"}
    )  # fmt: skip
    assert transport.events_url == "wss://pbx:8089/ari/events"
    transport.close()
    config = config_from_env(
        {"HOTLINE_ARI_APP": "bank", "HOTLINE_ARI_AGENT_ENDPOINT": "SIP/{agent_id}"}
    )
    assert (config.app, config.agent_endpoint) == ("bank", "SIP/{agent_id}")
    assert config.id_prefix.startswith("hotline-") and config.id_prefix != AriConfig().id_prefix


def test_core_forgets_the_oldest_ended_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ari_adapter, "KEEP_ENDED", 4)
    core = AriCore()
    now = datetime(2026, 3, 2, 10, tzinfo=UTC)
    for n in range(10):
        core.event({"type": "StasisStart", "channel": {"id": f"c{n}"}}, now)
        core.hang_up(f"c{n}")
    core.event({"type": "StasisStart", "channel": {"id": "last"}}, now)
    with pytest.raises(CallNotLive, match="call c0: never rang"):
        core.answer("c0")
    with pytest.raises(CallNotLive, match="call c9: is over"):
        core.answer("c9")
