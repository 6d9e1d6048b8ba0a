"""Pure parts of publishing: TikTok's chunk plan, token encryption, metadata checks."""

from __future__ import annotations

import pytest

from clippy.publish import (
    PublishInvalid,
    TokenBox,
    TokensUnreadable,
    VideoMeta,
    check_meta,
    chunk_plan,
)
from clippy.publish.tiktok import caption
from clippy.publish.youtube import short_description

MB = 1024 * 1024


def test_chunk_plan_follows_tiktoks_rules() -> None:
    assert chunk_plan(3 * MB, 10 * MB) == [(0, 3 * MB)]  # smaller than a chunk: whole
    plan = chunk_plan(25 * MB + 7, 10 * MB)
    assert plan == [(0, 10 * MB), (10 * MB, 25 * MB + 7)]  # floor count, last takes the rest
    assert chunk_plan(20 * MB, 10 * MB) == [(0, 10 * MB), (10 * MB, 20 * MB)]


def test_tokens_are_encrypted_and_bound_to_the_secret() -> None:
    box = TokenBox("a" * 40)
    sealed = box.seal({"access_token": "ya29.secret", "refresh_token": "1//r"})
    assert "ya29" not in sealed
    assert box.open(sealed)["refresh_token"] == "1//r"
    with pytest.raises(TokensUnreadable, match="connect the account again"):
        TokenBox("b" * 40).open(sealed)


def test_meta_checks_refuse_what_platforms_refuse() -> None:
    check_meta("youtube", VideoMeta("ok"))
    for platform, meta, message in [
        ("vimeo", VideoMeta("x"), "unknown platform"),
        ("youtube", VideoMeta("  "), "title is needed"),
        ("youtube", VideoMeta("x" * 101), "at most 100"),
        ("youtube", VideoMeta("a <b>"), "< or >"),
        ("tiktok", VideoMeta("x", privacy="friends"), "privacy"),
        ("tiktok", VideoMeta("x", "a\x00b"), "NUL"),
    ]:
        with pytest.raises(PublishInvalid, match=message):
            check_meta(platform, meta)


def test_shorts_tag_and_tiktok_caption() -> None:
    assert short_description("gg") == "gg\n\n#Shorts"
    assert short_description("gg #shorts") == "gg #shorts"
    assert caption(VideoMeta("T", "", ("boss fight",))) == "T\n#bossfight"
