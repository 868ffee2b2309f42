"""Prompt audio: the IVR flows' prompt texts rendered to WAV files with espeak-ng.

A rendering is keyed by a hash of (voice, text), so a prompt whose text did not change is
never rendered twice, and a new version of a flow renders only the texts it changed. Files are
8 kHz 16-bit mono WAV, what Asterisk's ``wav`` format reads (it refuses espeak-ng's own
22.05 kHz). The layout of the directory::

    DIR/<key>.wav        fixed prompts, rendered ahead by `hotline ivr render-prompts`
    DIR/said/<key>.wav   texts rendered while a call waits (a balance, a date): purgeable

Texts are masked before they are rendered (`speakable.speakable`; a PIN is a `Secret` and
never reaches a text), so no card number lands in a file. Where espeak-ng is missing,
`PromptAudio.media` still finds the files already rendered and otherwise answers None: the
adapter then plays what it played before.

>>> audio = PromptAudio.installed(Path("out/prompts"))         # doctest: +SKIP
>>> audio.render("en", "Welcome to the bank.").seconds          # doctest: +SKIP
1.52
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hotline.channels.errors import EspeakMissing, RenderFailed
from hotline.channels.speakable import speakable
from hotline.ivr.flow import Flow

_LOG = logging.getLogger("hotline.channels.prompt_audio")

ESPEAK = "espeak-ng"
INSTALL = "apt install espeak-ng"
#: espeak-ng voices by flow language. ``cmn`` reads Latin letters as English, which the
#: bilingual language menu ("普通话服务请按1，For English, press 2.") needs.
VOICES: Mapping[str, str] = {"zh": "cmn", "en": "en"}
#: Asterisk's ``.wav`` is 8 kHz signed linear; the telephone network carries no more.
RATE = 8000
#: Part of every key: change it when the rendering changes, so old files are not reused.
FORMAT = "espeak-ng/8k-s16-mono/1"
SAID = "said"
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TIMEOUT_S = 60.0


def voice_for(language: str, text: str = "") -> str:
    """The espeak-ng voice for ``text`` in ``language``; raises `RenderFailed` naming an
    unknown language. The English voice spells Han characters out one by one ("Chinese
    letter …"), so an English text that holds any (the language menu) gets ``cmn``.

    >>> voice_for("zh"), voice_for("en", "Welcome"), voice_for("en", "普通话请按1, English 2")
    ('cmn', 'en', 'cmn')
    """
    voice = VOICES.get(language)
    if voice is None:
        known = ", ".join(sorted(VOICES))
        raise RenderFailed(f"language {language!r}", f"no espeak-ng voice for it (known: {known})")
    return VOICES["zh"] if voice == VOICES["en"] and _HAN.search(text) else voice


def audio_key(voice: str, text: str) -> str:
    """The file name (without ``.wav``) of ``text`` said by ``voice``."""
    return hashlib.sha256(f"{FORMAT}\0{voice}\0{text}".encode()).hexdigest()


def find_espeak(path: str | None = None) -> str:
    """The espeak-ng program on ``path`` (default: ``PATH``); raises `EspeakMissing` saying
    how to install it."""
    found = shutil.which(ESPEAK, path=path)
    if found is None:
        raise EspeakMissing(
            ESPEAK,
            f"not found on PATH; install it (`{INSTALL}`) to render prompts to audio."
            " Until then the switch plays its recorded prompt files (Asterisk: sound:hotline/"
            "<prompt_id>) and the simulator the text.",
        )
    return found


@dataclass(frozen=True, kw_only=True, slots=True)
class PromptText:
    """One fixed prompt text of a flow, in one language."""

    flow: str
    prompt_id: str
    language: str
    text: str


def fixed_texts(flows: Iterable[Flow]) -> list[PromptText]:
    """Every prompt text of ``flows`` without placeholders, in flow and prompt order.
    Texts with placeholders are rendered per call, once their values are known."""
    return [
        PromptText(flow=flow.name, prompt_id=prompt.id, language=language, text=play.text)
        for flow in flows
        for prompt in flow.prompts.values()
        for language, play in prompt.fixed.items()
    ]


@dataclass(frozen=True, kw_only=True, slots=True)
class Rendered:
    """A rendering on disk: ``cached`` when it was there before this call asked."""

    path: Path
    key: str
    seconds: float
    cached: bool


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


class PromptAudio:
    """Renders prompt texts into ``directory`` and names them for the switch.

    ``espeak`` is the program (None: render nothing, use what is there). ``asterisk_dir`` is
    the same directory as Asterisk sees it, when it is mounted elsewhere there.
    """

    def __init__(
        self, directory: Path, *, espeak: str | None = None, asterisk_dir: str | None = None
    ) -> None:
        self.directory = directory
        self.espeak = espeak
        self.asterisk_dir = (asterisk_dir or str(directory.resolve())).rstrip("/")

    @classmethod
    def installed(cls, directory: Path, *, asterisk_dir: str | None = None) -> PromptAudio:
        """With espeak-ng from ``PATH``; raises `EspeakMissing` where it is not installed."""
        return cls(directory, espeak=find_espeak(), asterisk_dir=asterisk_dir)

    def path_for(self, language: str, text: str, *, said: bool = False) -> Path:
        key = audio_key(voice_for(language, text), speakable(text))
        return (self.directory / SAID if said else self.directory) / f"{key}.wav"

    def render(self, language: str, text: str, *, said: bool = False) -> Rendered:
        """The rendering of ``text`` (masked first), made now unless it is already there.
        ``said``: a text of one call, kept apart (`SAID`) so it can be purged."""
        text = speakable(text)
        voice = voice_for(language, text)
        key = audio_key(voice, text)
        path = (self.directory / SAID if said else self.directory) / f"{key}.wav"
        if path.exists():
            return Rendered(path=path, key=key, seconds=wav_seconds(path), cached=True)
        # Not found at start: look again (raises with the install hint if still missing).
        espeak = self.espeak or find_espeak()
        path.parent.mkdir(parents=True, exist_ok=True)
        samples = _speak(espeak, voice, text, key, path.parent)
        _write_wav(path, samples)
        return Rendered(path=path, key=key, seconds=len(samples) / RATE, cached=False)

    def media(self, prompt_id: str, text: str, language: str) -> str | None:
        """The ``sound:`` URI of the prompt's rendering for Asterisk (the file name without
        its extension, which Asterisk adds), rendering a per-call text now where espeak-ng is
        installed; None where there is no rendering, so the caller keeps its old media."""
        try:
            fixed = self.path_for(language, text)
            if fixed.exists():
                return f"sound:{self.asterisk_dir}/{fixed.stem}"
            if self.espeak is None:
                return None
            rendered = self.render(language, text, said=True)
        except (RenderFailed, EspeakMissing, OSError) as error:
            # Never the text: it may hold a balance. The call goes on with the old media.
            _LOG.warning("prompt %s (%s): no audio, playing the default: %s", prompt_id,
                         language, error)  # fmt: skip
            return None
        return f"sound:{self.asterisk_dir}/{SAID}/{rendered.key}"


def _speak(espeak: str, voice: str, text: str, key: str, where: Path) -> np.ndarray:
    with tempfile.TemporaryDirectory(dir=where, prefix=".espeak-") as scratch:
        raw = Path(scratch) / f"{key}.wav"
        # Text on stdin, never as an argument: a text starting with "-" is no option.
        command = [espeak, "-v", voice, "-b", "1", "-w", str(raw), "--stdin"]
        try:
            done = subprocess.run(
                command, input=text.encode(), capture_output=True, timeout=_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderFailed(f"voice {voice}", f"{ESPEAK} did not run: {error}") from None
        if done.returncode != 0 or not raw.exists():
            reason = done.stderr.decode(errors="replace").strip()[:200] or "no output file"
            raise RenderFailed(f"voice {voice}", f"{ESPEAK} exited {done.returncode}: {reason}")
        return _read_resampled(raw, voice)


def _read_resampled(path: Path, voice: str) -> np.ndarray:
    """Mono 16-bit samples of ``path`` at `RATE`."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise RenderFailed(f"voice {voice}", f"{ESPEAK} wrote no valid WAV: {error}") from None
    if width != 2 or channels != 1:
        raise RenderFailed(
            f"voice {voice}", f"{ESPEAK} wrote {channels} channels of {8 * width} bits, not mono 16"
        )
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    if samples.size == 0:
        raise RenderFailed(f"voice {voice}", f"{ESPEAK} wrote no audio")
    if rate != RATE:
        from scipy.signal import resample_poly  # only here: scipy takes a while to import

        common = math.gcd(rate, RATE)
        # Polyphase filtering low-passes before decimating: no aliasing above 4 kHz.
        samples = resample_poly(samples, RATE // common, rate // common)
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2")


def _write_wav(path: Path, samples: np.ndarray) -> None:
    """Write then rename, so a reader (Asterisk, another renderer) never sees half a file."""
    fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".wav")
    try:
        with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(samples.tobytes())
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


ENV_DIR, ENV_ASTERISK_DIR = "HOTLINE_PROMPT_AUDIO_DIR", "HOTLINE_PROMPT_AUDIO_ASTERISK_DIR"


def prompt_audio_from_env(env: Mapping[str, str]) -> PromptAudio | None:
    """`PromptAudio` on ``HOTLINE_PROMPT_AUDIO_DIR`` (None when unset), as Asterisk sees it at
    ``HOTLINE_PROMPT_AUDIO_ASTERISK_DIR`` (default: the same path). Without espeak-ng it
    warns once and plays only what was rendered before."""
    directory = env.get(ENV_DIR)
    if not directory:
        return None
    try:
        espeak: str | None = find_espeak(env.get("PATH"))
    except EspeakMissing as missing:
        _LOG.warning("%s (prompts rendered before are still played from %s)", missing, directory)
        espeak = None
    return PromptAudio(Path(directory), espeak=espeak, asterisk_dir=env.get(ENV_ASTERISK_DIR))
