"""Prompt audio: the shipped flows' prompts rendered by espeak-ng into real WAV files, the
cache by voice and text, texts said during a call, and what happens without espeak-ng."""

from __future__ import annotations

import logging
import re
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from hotline.channels.errors import EspeakMissing, RenderFailed
from hotline.channels.prompt_audio import (
    RATE,
    SAID,
    VOICES,
    PromptAudio,
    PromptText,
    audio_key,
    find_espeak,
    fixed_texts,
    prompt_audio_from_env,
    voice_for,
    wav_seconds,
)
from hotline.cli import app
from hotline.ivr.library import SHIPPED, shipped_flow, shipped_flow_text
from tests.espeak import require_espeak

runner = CliRunner()
PAN = "6228480012345671239"  # passes Luhn: speakable masks it


def summary(output: str, row: str) -> int:
    found = re.search(rf"{row}\s*│\s*(\d+)", output)
    assert found, f"no {row} in {output}"
    return int(found[1])


def render(*args: str) -> str:
    result = runner.invoke(app, ["ivr", "render-prompts", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[PromptText]]]:
    """The shipped flows rendered once through the command (the slow part, ~7 s)."""
    require_espeak()
    out = tmp_path_factory.mktemp("prompts")
    output = render("--out", str(out))
    texts = fixed_texts(shipped_flow(name) for name in SHIPPED)
    assert summary(output, "rendered") + summary(output, "cached") == len(texts)
    assert summary(output, "rendered") == len(list(out.glob("*.wav")))
    yield out, texts


def samples(path: Path) -> tuple[wave._wave_params, np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        return wav.getparams(), np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def test_every_fixed_prompt_is_a_telephone_wav_in_mandarin_and_english(
    rendered: tuple[Path, list[PromptText]],
) -> None:
    out, texts = rendered
    audio = PromptAudio(out)
    assert {t.language for t in texts} == {"zh", "en"}
    for text in texts:
        params, data = samples(audio.path_for(text.language, text.text))
        where = f"{text.flow} {text.prompt_id} {text.language}"
        assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE), where
        assert params.nframes / params.framerate > 0.5, where
        # Speech, not silence: espeak-ng's voices peak well above a thousandth of full scale.
        assert np.sqrt(np.mean(data.astype(np.float64) ** 2)) > 300, where
    voices = {voice_for(t.language, t.text) for t in texts}
    assert voices == {"cmn", "en"}


def test_a_longer_text_gives_longer_audio(rendered: tuple[Path, list[PromptText]]) -> None:
    out, texts = rendered
    audio = PromptAudio(out)
    for language in ("zh", "en"):
        # The language's own voice: the bilingual menu is said by cmn in both.
        mine = [t for t in texts if t.language == language and voice_for(language, t.text)
                == VOICES[language]]  # fmt: skip
        lengths = [len(t.text) for t in mine]
        seconds = [wav_seconds(audio.path_for(language, t.text)) for t in mine]
        longest, shortest = lengths.index(max(lengths)), lengths.index(min(lengths))
        assert seconds[longest] > 2 * seconds[shortest], language
        assert spearmanr(lengths, seconds).statistic > 0.7, language


def test_a_second_run_renders_nothing_and_leaves_the_files_alone(
    rendered: tuple[Path, list[PromptText]],
) -> None:
    out, texts = rendered
    before = {p: p.stat().st_mtime_ns for p in out.glob("*.wav")}
    output = render("--out", str(out), *SHIPPED)
    assert summary(output, "rendered") == 0
    assert summary(output, "cached") == len(texts)
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.wav")} == before


def test_a_new_flow_version_renders_only_the_prompts_it_changed(
    rendered: tuple[Path, list[PromptText]], tmp_path: Path
) -> None:
    out, _ = rendered
    text = shipped_flow_text("bank-vip").replace("version: 1", "version: 2", 1)
    old = "Welcome to the private banking line."
    assert old in text
    v2 = tmp_path / "bank-vip-v2.yaml"
    v2.write_text(text.replace(old, "Welcome to your private banking line."), encoding="utf-8")
    output = render("--out", str(out), str(v2))
    assert "bank-vip v2" in output
    assert summary(output, "rendered") == 1
    assert summary(output, "cached") == len(fixed_texts([shipped_flow("bank-vip")])) - 1


def test_texts_said_during_a_call_are_rendered_apart_with_card_numbers_masked(
    rendered: tuple[Path, list[PromptText]],
) -> None:
    out, texts = rendered
    audio = PromptAudio(out, espeak=require_espeak(), asterisk_dir="/srv/prompts/")
    welcome = next(t for t in texts if t.prompt_id == "welcome" and t.language == "en")
    key = audio.path_for("en", welcome.text).stem
    assert audio.media("welcome", welcome.text, "en") == f"sound:/srv/prompts/{key}"

    balance = "Your balance is 1,234.50 yuan."
    media = audio.media("balance_is", balance, "en")
    said = out / SAID / f"{audio_key('en', balance)}.wav"
    assert media == f"sound:/srv/prompts/{SAID}/{said.stem}"
    params, _ = samples(said)
    assert (params.nchannels, params.framerate) == (1, RATE) and params.nframes > RATE

    with_card = f"Transferring to card {PAN}."
    masked = audio.render("en", with_card, said=True)
    assert masked.key == audio_key("en", "Transferring to card 622848*********1239.")
    assert PAN not in masked.key and not masked.cached
    assert audio.render("en", with_card, said=True).cached


def test_without_espeak_the_error_says_which_program_and_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with nothing on it
    with pytest.raises(EspeakMissing) as missing:
        find_espeak()
    assert str(missing.value).startswith("espeak-ng: not found on PATH")
    assert "apt install espeak-ng" in str(missing.value)
    result = runner.invoke(app, ["ivr", "render-prompts", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "espeak-ng: not found on PATH" in result.output
    assert "apt install espeak-ng" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def write_wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tone = (3000 * np.sin(np.arange(int(RATE * seconds)) * 0.3)).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(tone.tobytes())


def test_without_espeak_renderings_there_play_and_the_rest_keep_the_old_media(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert prompt_audio_from_env({}) is None
    with caplog.at_level(logging.WARNING):
        audio = prompt_audio_from_env({"HOTLINE_PROMPT_AUDIO_DIR": str(tmp_path)})
    assert audio is not None and audio.espeak is None
    assert "apt install espeak-ng" in caplog.text
    write_wav(audio.path_for("zh", "欢迎致电。"), 1.0)
    there = audio.media("welcome", "欢迎致电。", "zh")
    assert there == f"sound:{tmp_path.resolve()}/{audio.path_for('zh', '欢迎致电。').stem}"
    assert audio.media("balance_is", "您的账户余额为12元。", "zh") is None
    with pytest.raises(EspeakMissing):
        audio.render("zh", "您的账户余额为12元。")
    assert audio.render("zh", "欢迎致电。").cached


def test_a_language_without_a_voice_is_named() -> None:
    with pytest.raises(RenderFailed, match=r"language 'fr': no espeak-ng voice for it \(known"):
        voice_for("fr", "Bonjour")
    assert voice_for("en", "普通话服务请按1，For English, press 2.") == "cmn"
    assert audio_key("en", "a") != audio_key("cmn", "a") != audio_key("en", "b")


def test_a_flow_that_is_neither_shipped_nor_a_good_file_is_named(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    result = runner.invoke(app, ["ivr", "render-prompts", "bank-nope", "--out", out])
    assert result.exit_code == 2
    assert "bank-nope: neither a shipped flow (bank-hotline, bank-vip) nor a flow file" in (
        result.output
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(shipped_flow_text("bank-vip").replace("version: 1", "version: one"), "utf-8")
    result = runner.invoke(app, ["ivr", "render-prompts", str(bad), "--out", out])
    assert result.exit_code == 2 and f"{bad}: flow is invalid" in result.output
    assert "version" in result.output and "Traceback" not in result.output
