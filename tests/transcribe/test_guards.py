"""The guards against invented text, on the segment measures Whisper reports (pure)."""

from __future__ import annotations

from clippy.transcribe.base import Word
from clippy.transcribe.guards import DecodedSegment, drop_loops, segment_is_trusted, trusted_words


def _words(text: str, t: float = 0.0) -> list[Word]:
    return [Word(w, t + k * 0.3, t + k * 0.3 + 0.25) for k, w in enumerate(text.split())]


def _seg(
    text: str, logprob: float = -0.2, no_speech: float = 0.05, ratio: float = 1.4
) -> DecodedSegment:
    return DecodedSegment(text, logprob, no_speech, ratio, _words(text))


def test_confident_speech_is_kept() -> None:
    assert segment_is_trusted(_seg("we are going to win this game today"))
    assert segment_is_trusted(_seg("Thank you.", no_speech=0.05))  # said clearly: kept


def test_unsure_or_silent_segments_are_dropped() -> None:
    assert not segment_is_trusted(_seg("the the the", ratio=2.9))  # repetitive: a loop
    assert not segment_is_trusted(_seg("something unclear", logprob=-1.3))
    assert not segment_is_trusted(_seg("words on silence", logprob=-0.7, no_speech=0.8))
    assert not segment_is_trusted(_seg("Thanks for watching!", no_speech=0.4))  # outro on music


def test_repeated_phrase_loops_keep_one_copy() -> None:
    loop = _words("i am here " * 6 + "now")
    assert [w.text for w in drop_loops(loop)] == ["i", "am", "here", "now"]
    # Said three times on purpose is speech, not a loop.
    assert [w.text for w in drop_loops(_words("no no no way"))] == ["no", "no", "no", "way"]


def test_trusted_words_combines_both() -> None:
    segs = [_seg("hello there"), _seg("invented", logprob=-2.0), _seg("go go go go go")]
    assert [w.text for w in trusted_words(segs)] == ["hello", "there", "go"]
