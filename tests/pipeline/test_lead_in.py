"""Live segments hear the end of the previous one again: a word across the join is not lost
and not doubled (real Whisper tiny.en on synthesised speech over game noise)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from clippy.config import Settings
from clippy.pipeline.analysis import LeadIn, analyse_run
from clippy.pipeline.stages import PreviousSegment, lead_in_audio
from clippy.storage.local import LocalStore
from clippy.transcribe.base import Transcriber, Word
from clippy.transcribe.factory import make_transcriber
from tests.fixtures.speech import SR, SpeechSet
from tests.transcribe.speech import wer

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def whisper() -> Transcriber:
    return make_transcriber(Settings())


def _plain(words: list[Word]) -> list[str]:
    return [re.sub(r"[^a-z0-9']", "", w.text.lower()) for w in words]


def _heard(
    engine: Transcriber, audio: np.ndarray, start: float, lead_in: LeadIn | None, *, again: bool
) -> list[Word]:
    (analysis,) = analyse_run(
        [audio], [start], engine, chunk_id="t", lead_in=lead_in, end_heard_again=again
    )
    return [Word.from_json(w) for w in analysis.words]


@pytest.mark.parametrize("sentence", [4, 13, 26, 31])
def test_a_word_across_the_join_is_heard_once(
    whisper: Transcriber, speech_set: SpeechSet, sentence: int
) -> None:
    audio = speech_set.audio
    t0 = speech_set.starts[sentence]
    t1 = speech_set.starts[sentence + 1]
    whole = whisper.transcribe(audio[int(t0 * SR) : int(t1 * SR)], start_time=t0, chunk_id="w")
    # Cut in the middle of the sentence's longest word in its middle third.
    middle = whole.words[len(whole.words) // 3 : 2 * len(whole.words) // 3]
    cut_word = max(middle, key=lambda w: w.end - w.start)
    cut = round((cut_word.start + cut_word.end) / 2 * SR)
    a0 = int((t0 - 4) * SR)
    first = _heard(whisper, audio[a0:cut], a0 / SR, None, again=True)
    rest = audio[cut : cut + 8 * SR]
    second = _heard(whisper, rest, cut / SR, LeadIn(audio[cut - SR : cut], first), again=False)
    # Without the lead-in the second window lost the cut word in each of these (measured).
    joined = _plain([w for w in first + second if w.start >= t0 - 0.3])
    target = _plain([cut_word])[0]
    k = whole.words.index(cut_word)
    around = _plain(whole.words[k - 1 : k + 2])
    assert any(joined[i : i + 3] == around for i in range(len(joined))), (around, joined)
    reference = speech_set.references[sentence].split()
    assert joined.count(target) == reference.count(target)


def test_no_lead_in_when_the_previous_segment_is_gone_or_unreadable(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    previous = PreviousSegment("streams/1/segments/000001.webm", 1.0, [])
    assert lead_in_audio(store, previous) is None  # expired: recognised on its own, no error
    store.put_bytes(previous.key, b"not a webm file at all")
    assert lead_in_audio(store, previous) is None
    assert lead_in_audio(store, None) is None


def test_segments_heard_together_keep_every_word_in_its_own_segment(
    whisper: Transcriber, speech_set: SpeechSet
) -> None:
    """Three waiting 10 s segments recognised in one call (a pipeline catching up): each
    word is stored with the segment holding its middle, none twice, none lost at the joins."""
    audio, t0 = speech_set.audio, 30.0
    pieces = [audio[int((t0 + 10 * k) * SR) : int((t0 + 10 * k + 10) * SR)] for k in range(3)]
    starts = [t0, t0 + 10, t0 + 20]
    before = _heard(whisper, audio[int((t0 - 10) * SR) : int(t0 * SR)], t0 - 10, None, again=True)
    lead = LeadIn(audio[int((t0 - 2) * SR) : int(t0 * SR)], before)
    out = analyse_run(pieces, starts, whisper, chunk_id="t", lead_in=lead, end_heard_again=True)

    assert len(out) == 3 and all(a.features for a in out)
    per_piece = [[Word.from_json(w) for w in a.words] for a in out]
    for k, words in enumerate(per_piece):
        lo = starts[k] - (1.0 if k == 0 else 0.0)  # the lead-in's second half is the first's
        assert words and all(lo <= (w.start + w.end) / 2 < starts[k] + 10 for w in words), k
    heard = [w for words in per_piece for w in words]
    assert [w.start for w in heard] == sorted(w.start for w in heard)
    # Sentences wholly inside the three segments are heard as well as one window hears them.
    inside = [
        k
        for k in range(len(speech_set.starts) - 1)
        if speech_set.starts[k] >= t0 and speech_set.starts[k + 1] <= t0 + 30
    ]
    lo, hi = speech_set.starts[inside[0]], speech_set.starts[inside[-1] + 1]
    said = " ".join(re.sub(r"[^a-z0-9' ]", " ", speech_set.references[k].lower()) for k in inside)
    got = " ".join(_plain([w for w in heard if lo - 0.3 <= w.start < hi]))
    rate = wer([(" ".join(said.split()), got)])
    assert rate <= 0.12, (said, got)
