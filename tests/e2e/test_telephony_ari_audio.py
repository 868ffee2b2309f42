"""The ARI adapter with prompt audio: a prompt with a rendering plays as its file
(``sound:<dir>/<key>``), a per-call text is rendered while the call waits, and a prompt without
a rendering plays as before (tests/fixtures/ari/rendered_prompt*.jsonl)."""

from __future__ import annotations

import wave
from pathlib import Path

from hotline.channels.ari_client import ReplayTransport
from hotline.channels.prompt_audio import RATE, SAID, PromptAudio
from hotline.channels.telephony import CallArrived, CallHungUp, PromptPlayed
from hotline.channels.telephony_ari import AriTelephony
from hotline.ivr.library import shipped_flow
from tests.espeak import require_espeak

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ari"
ASTERISK_DIR = "/var/lib/hotline/prompts"  # where the recordings' Asterisk finds the files
FLOW = shipped_flow("bank-hotline")
WELCOME = FLOW.prompts["welcome"].fixed["en"].text
BALANCE = FLOW.prompts["balance_is"].render("en", {"balance": "1,234.50", "currency": "yuan"})


def call(name: str, audio: PromptAudio) -> tuple[AriTelephony, ReplayTransport, str]:
    """Open recording ``name`` and answer its call."""
    replay = ReplayTransport.load(FIXTURES / f"{name}.jsonl")
    tel = AriTelephony(replay, clock=replay.now, prompts=audio)
    arrived = [e for e in tel.poll(timeout_s=600) if isinstance(e, CallArrived)]
    assert len(arrived) == 1, arrived
    tel.answer(arrived[0].call_id)
    return tel, replay, arrived[0].call_id


def play_both_and_hang_up(tel: AriTelephony, replay: ReplayTransport, cid: str) -> None:
    tel.play(cid, prompt_id="welcome", text=WELCOME, language="en")
    tel.play(cid, prompt_id=BALANCE.prompt_id, text=BALANCE.text, language="en")
    tel.hang_up(cid)  # after both prompts finished (the recording says when)
    tel.poll(timeout_s=600)  # the recording's last events, as tests/e2e/test_telephony_ari
    tel.poll(timeout_s=600)
    replay.finish()
    assert [e.text for e in tel.played(cid)] == [WELCOME, BALANCE.text]
    assert tel.log.count(CallHungUp(call_id=cid, by="system")) == 1


def write_wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"\x10\x00\xf0\xff" * RATE)


def test_a_rendered_prompt_plays_as_its_file_and_one_without_plays_as_before(
    tmp_path: Path,
) -> None:
    # No espeak-ng: what is rendered plays, nothing new is rendered.
    audio = PromptAudio(tmp_path, espeak=None, asterisk_dir=ASTERISK_DIR)
    write_wav(audio.path_for("en", WELCOME))
    tel, replay, cid = call("rendered_prompt", audio)
    play_both_and_hang_up(tel, replay, cid)
    assert not (tmp_path / SAID).exists()
    assert all(isinstance(e, PromptPlayed) for e in tel.played(cid))


def test_a_text_said_during_the_call_is_rendered_while_the_call_waits(tmp_path: Path) -> None:
    audio = PromptAudio(tmp_path, espeak=require_espeak(), asterisk_dir=ASTERISK_DIR)
    assert not audio.render("en", WELCOME).cached  # the fixed prompt, rendered ahead
    tel, replay, cid = call("rendered_prompt_said", audio)
    play_both_and_hang_up(tel, replay, cid)
    said = audio.path_for("en", BALANCE.text, said=True)
    with wave.open(str(said), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, RATE)
        assert wav.getnframes() > RATE  # "Your balance is 1,234.50 yuan." takes over a second
