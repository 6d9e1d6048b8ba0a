"""Planted-moment streams: generated speech with moments of known kinds at known times.

A stream is calm speech (espeak-ng) with a steady trickle of chat, and some of these planted:
- ``shout``: the streamer shouts a hype line (loud, high, fast);
- ``hype``: a hype phrase said at normal volume ("oh my god no way that was insane");
- ``laughter``: a laughing fit ("ha ha ha ...", a little louder than speech);
- ``chat``: nothing on the audio, and viewers burst into LUL/OMEGALUL 8-20 s later;
- ``trap``: a loud game sound (an explosion: noise, no voice) that is *not* a moment.
``plan_stream`` is pure (seeded); ``render_stream`` makes the audio with espeak-ng and ffmpeg
and writes ``truth.json`` and ``chat.json`` beside it.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

from clippy.eval.voice import speak
from clippy.media.ffmpeg import ffmpeg
from clippy.media.source import generated, media_input

KINDS = ("shout", "hype", "laughter", "chat", "trap")
CALM = (
    "today we are going to talk about the weather and the plans for the week",
    "the game starts in a few minutes so let me set up the camera",
    "i think the best strategy is to wait and see how the other team plays",
    "yesterday we had a long day and everyone is a little tired",
    "let me check the settings before we continue with the next round",
    "the map is quite large and there are many places to explore",
    "i will read some messages from the chat in a moment",
    "this part of the level is usually pretty quiet",
    "we need more wood and some stone before the night comes",
    "my plan is to build a small house near the river",
)
SHOUT = "oh my god no way lets go"
HYPE = "oh my god no way that was insane"
LAUGH = " ".join(["ha"] * 20)
GAP = 0.8  # seconds between spoken lines
FIRST_MOMENT = 40.0  # the detector's baselines need this much calm stream first
SPACING = 45.0  # seconds between planted moments (clips of neighbours must not touch)


@dataclass(frozen=True)
class Planted:
    """A planted event ``[start, end]`` (stream seconds); a ``trap`` must not be clipped."""

    kind: str
    start: float
    end: float


@dataclass
class StreamScript:
    """What to render: spoken lines (time, kind, text), sounds (time, seconds), chat, truth."""

    seed: int
    seconds: float
    lines: list[tuple[float, str, str]] = field(default_factory=list)
    sounds: list[tuple[float, float]] = field(default_factory=list)
    chat: list[tuple[float, str, str]] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)


def _speech_seconds(text: str, kind: str) -> float:
    """Rough espeak-ng duration, for planning (rendering measures the real one)."""
    rate = {"shout": 3.2, "laughter": 5.0}.get(kind, 2.5)  # words per second
    return len(text.split()) / rate + 0.3


def plan_stream(seed: int, seconds: float, kinds: tuple[str, ...] = KINDS) -> StreamScript:
    """Where each moment goes (random order and jitter by ``seed``), the calm speech around
    them and the chat; as many moments as fit ``SPACING`` apart, cycling through ``kinds``."""
    rnd = random.Random(seed)
    order = list(kinds)
    rnd.shuffle(order)
    script = StreamScript(seed, seconds)
    slots = []
    t = FIRST_MOMENT + rnd.uniform(0, 10)
    while t < seconds - 30:
        slots.append(t)
        t += SPACING + rnd.uniform(0, 15)
    planned = {s: order[k % len(order)] for k, s in enumerate(slots)}
    t, i = 0.5, rnd.randrange(len(CALM))
    pending = sorted(planned)
    while t < seconds - 4:
        if pending and t >= pending[0]:
            kind = planned[pending.pop(0)]
            t = _plant(script, kind, t, rnd) + GAP
        else:
            text = CALM[i % len(CALM)]
            script.lines.append((round(t, 2), "calm", text))
            t += _speech_seconds(text, "calm") + GAP
            i += 1
    script.chat = sorted(_chatter(rnd, seconds) + script.chat)
    return script


def _plant(script: StreamScript, kind: str, t: float, rnd: random.Random) -> float:
    """Add one moment at ``t``; returns when it is over."""
    if kind in ("shout", "hype", "laughter"):
        text = {"shout": SHOUT, "hype": HYPE, "laughter": LAUGH}[kind]
        end = t + _speech_seconds(text, kind)
        script.lines.append((round(t, 2), kind, text))
    elif kind == "trap":
        end = t + 2.5
        script.sounds.append((round(t, 2), 2.5))
    elif kind == "chat":
        end = t + 3.0  # something happened on screen; the streamer says nothing
        react = t + rnd.uniform(8, 20)
        script.chat += [
            (round(react + rnd.uniform(0, 10), 2), f"fan{k}", rnd.choice(("LUL", "OMEGALUL LUL")))
            for k in range(25)
        ]
    else:
        raise ValueError(f"unknown planted kind {kind!r}; kinds are {', '.join(KINDS)}")
    script.planted.append(Planted(kind, round(t, 2), round(end, 2)))
    return end


def _chatter(rnd: random.Random, seconds: float) -> list[tuple[float, str, str]]:
    out: list[tuple[float, str, str]] = []
    t = 0.0
    while True:
        t += rnd.expovariate(0.4)
        if t >= seconds:
            return out
        text = rnd.choice(("hi", "nice", "what game is this", "hello from france", "gg"))
        out.append((round(t, 2), f"viewer{rnd.randint(1, 60)}", text))


def render_stream(script: StreamScript, out_dir: Path) -> Path:
    """``stream.wav`` (48 kHz mono), ``chat.json`` and ``truth.json`` in ``out_dir``.

    The real spoken durations replace the planned ones in the truth.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs: list[str] = []
    filters: list[str] = []
    ends: dict[float, float] = {}
    for k, (t, kind, text) in enumerate(script.lines):
        wav = out_dir / f"line{k:03d}.wav"
        speed, amp, pitch, gain = {
            "shout": (190, 200, 80, 12.0),
            "laughter": (260, 120, 70, 6.0),
        }.get(kind, (150, 60, 50, 0.0))
        d = speak(text, wav, speed=speed, amplitude=amp, pitch=pitch)
        ends[t] = t + d
        inputs += media_input(wav).input_args()
        ms = int(t * 1000)
        filters.append(f"[{k}:a]volume={gain}dB,adelay={ms}|{ms}[a{k}]")
    for j, (t, dur) in enumerate(script.sounds):
        k = len(script.lines) + j
        # An explosion: brown noise that bursts and dies away, far louder than the voice.
        inputs += generated(f"anoisesrc=color=brown:amplitude=0.9:duration={dur}").input_args()
        ms = int(t * 1000)
        filters.append(f"[{k}:a]afade=t=out:st=0.3:d={dur - 0.3},adelay={ms}|{ms}[a{k}]")
    n = len(script.lines) + len(script.sounds)
    mix = "".join(f"[a{k}]" for k in range(n))
    filters.append(f"{mix}amix=inputs={n}:normalize=0,apad,atrim=0:{script.seconds}[mix]")
    out = out_dir / "stream.wav"
    ffmpeg(
        [
            *inputs,
            "-filter_complex",
            ";".join(filters),
            "-map",
            "[mix]",
            "-ar",
            "48000",
            "-ac",
            "1",
            str(out),
        ],
        what="mixing the planted stream",
    )
    for wav in out_dir.glob("line*.wav"):
        wav.unlink()
    truth = [Planted(p.kind, p.start, round(ends.get(p.start, p.end), 2)) for p in script.planted]
    (out_dir / "truth.json").write_text(
        json.dumps(
            {"seed": script.seed, "seconds": script.seconds, "planted": [asdict(p) for p in truth]},
            indent=2,
        )
        + "\n"
    )
    (out_dir / "chat.json").write_text(
        json.dumps([{"time": t, "user": u, "text": x} for t, u, x in script.chat]) + "\n"
    )
    return out


def load_truth(out_dir: Path) -> list[Planted]:
    """The planted events written beside a rendered stream."""
    data = json.loads((out_dir / "truth.json").read_text())
    return [Planted(**p) for p in data["planted"]]


def make_planted(out_dir: Path, seed: int, seconds: float, kinds: tuple[str, ...] = KINDS) -> Path:
    """Render a planted stream into ``out_dir`` unless it is already there (a cache)."""
    if (out_dir / "truth.json").is_file() and (out_dir / "stream.wav").is_file():
        return out_dir / "stream.wav"
    return render_stream(plan_stream(seed, seconds, kinds), out_dir)
