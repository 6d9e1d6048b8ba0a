"""``clippy process --chat FILE``: every accepted format reads to the same lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clippy.detect.chat import ChatLine
from clippy.pipeline.chat_files import ChatFileError, load_chat

EXPECTED = [ChatLine(1.5, "ann", "hello"), ChatLine(12.0, "mod", "!clip", ("moderator",))]


def test_json_list_of_time_user_text(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    path.write_text(
        json.dumps(
            [
                {"time": 12, "author": "mod", "text": "!clip", "badges": ["Moderator"]},
                {"time": 1.5, "user": "ann", "text": "hello"},
            ]
        )
    )
    assert load_chat(path) == EXPECTED


def test_twitchdownloader_replay(tmp_path: Path) -> None:
    path = tmp_path / "replay.json"
    comment = {
        "_id": "x",
        "content_offset_seconds": 12.0,
        "commenter": {"display_name": "mod", "name": "mod"},
        "message": {"body": "!clip", "user_badges": [{"_id": "moderator", "version": "1"}]},
    }
    plain = {
        "content_offset_seconds": 1.5,
        "commenter": {"display_name": "ann"},
        "message": {"body": "hello", "user_badges": []},
    }
    path.write_text(json.dumps({"streamer": {"name": "s"}, "comments": [comment, plain]}))
    assert load_chat(path) == EXPECTED


def test_chat_downloader_list(tmp_path: Path) -> None:
    path = tmp_path / "cd.json"
    path.write_text(
        json.dumps(
            [
                {"time_in_seconds": 1.5, "message": "hello", "author": {"name": "ann"}},
                {
                    "time_in_seconds": 12,
                    "message": "!clip",
                    "author": {"name": "mod", "badges": [{"name": "moderator", "title": "Mod"}]},
                },
            ]
        )
    )
    assert load_chat(path) == EXPECTED


def test_lightor_tsv(tmp_path: Path) -> None:
    path = tmp_path / "342 720000.csv"
    path.write_text("1\t342\tmod\t!clip\t0\t732400\n2\t342\tann\thello\t0\t721900\n")
    assert load_chat(path) == [ChatLine(1.0, "ann", "hello"), ChatLine(12.0, "mod", "!clip")]


def test_lightor_tsv_is_read_as_the_csv_writer_wrote_it(tmp_path: Path) -> None:
    """Lightor's files quote a message holding a quote, a tab or a line break (quotes
    doubled); each is one line of chat, its text as typed."""
    path = tmp_path / "342 720000.csv"
    path.write_text(
        '1\t342\tann\t"""nooooo"" ... ""noooooo"" lol"\t0\t721000\n'
        '2\t342\tbob\t"tab\there"\t0\t722000\n'
        '3\t342\tcid\t"two\nlines"\t0\t723000\n'
        "4\t342\tdan\tLUL\t0\t724000\n"
    )
    assert load_chat(path) == [
        ChatLine(1.0, "ann", '"nooooo" ... "noooooo" lol'),
        ChatLine(2.0, "bob", "tab\there"),
        ChatLine(3.0, "cid", "two\nlines"),
        ChatLine(4.0, "dan", "LUL"),
    ]


def test_lightor_tsv_written_by_hand_with_a_stray_quote(tmp_path: Path) -> None:
    """Without CSV quoting, a lone quote would swallow every later line; such a file is read
    line by line instead, an unquoted tab inside a message included."""
    path = tmp_path / "342 720000.csv"
    path.write_text('1\t342\tann\t"so true\t0\t721000\n2\t342\tbob\tgg\twp\t0\t722000\n')
    assert load_chat(path) == [ChatLine(1.0, "ann", '"so true'), ChatLine(2.0, "bob", "gg\twp")]


def test_one_broken_row_in_a_long_lightor_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "342 720000.csv"
    rows = [f"{i}\t342\tu{i}\thi\t0\t{720000 + 1000 * i}" for i in range(200)]
    rows[50] = "50\t342\tu50\tcut off mid-"
    path.write_text("\n".join(rows) + "\n")
    lines = load_chat(path)
    assert len(lines) == 199 and 50.0 not in {c.time for c in lines}
    # Many broken rows are no longer a few: the file is refused, naming the first.
    path.write_text("\n".join(rows[:40] + ["x\ty"] * 3) + "\n")
    with pytest.raises(ChatFileError, match=r":41: expected 6 tab-separated columns"):
        load_chat(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"messages": []}', "a list of {time, user, text} objects or a Twitch chat replay"),
        ('[{"user": "a", "text": "hi"}]', "item 0 has no 'time'"),
        ('[{"time": "soon", "text": "hi"}]', "time 'soon' is not a number"),
        ("[1, 2", "not valid JSON"),
        ("just some words\n", "expected 6 tab-separated columns"),
    ],
)
def test_unreadable_files_say_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(content)
    with pytest.raises(ChatFileError, match=message.replace("{", r"\{").replace("}", r"\}")):
        load_chat(path)


def test_process_refuses_a_bad_chat_file_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clippy.cli import main

    bad = tmp_path / "chat.json"
    bad.write_text('{"nope": 1}')
    code = main(["process", str(tmp_path / "missing.mp4"), "--chat", str(bad), "--json"])
    assert code == 2
    assert "--chat:" in capsys.readouterr().err
