"""The ``clippy`` command: serve, process a recording, database and admin tasks."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from clippy.config import Settings, get_settings

if TYPE_CHECKING:
    import asyncio

    from sqlalchemy.orm import Session, sessionmaker

    from clippy.jobs import Jobs

# How often ``clippy record`` asks the job layer whether its stream is processed.
_JOBS_POLL_S = 0.5


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from clippy.errors import ClippyError
    from clippy.transcribe import TranscriberError
    from clippy.web.app import create_app

    if args.no_worker:
        settings.run_jobs = False
    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    try:
        app = create_app(settings)
    except (TranscriberError, ClippyError) as exc:
        print(f"clippy: cannot start: {exc}", file=sys.stderr)
        return 2
    print(f"Clippy serving on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Room for one maximal segment plus its header; larger frames close with 1009.
        ws_max_size=settings.max_segment_bytes + 1024 * 1024,
        ws_ping_interval=20,
        ws_ping_timeout=60,
    )
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from clippy.errors import ClippyError
    from clippy.jobs import QUEUES, check_role, run_worker
    from clippy.transcribe import TranscriberError, check_transcriber
    from clippy.web.app import build_context

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else None
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        print(
            f"clippy: unknown queue(s) {', '.join(unknown)}; choose from {', '.join(QUEUES)}",
            file=sys.stderr,
        )
        return 2
    settings.run_jobs = False  # this process's runtime defers follow-up jobs; the worker runs
    try:
        check_role(settings, "worker")
        if settings.pipeline_enabled:
            check_transcriber(settings)
        rt = build_context(settings)
    except (TranscriberError, ClippyError) as exc:
        print(f"clippy: cannot start: {exc}", file=sys.stderr)
        return 2

    async def work() -> None:
        rt.hub.bind_loop(asyncio.get_running_loop())
        await rt.jobs.start()
        try:
            await run_worker(rt, rt.jobs, queues=queues, concurrency=args.concurrency)
        finally:
            await rt.jobs.stop()
            rt.engine.dispose()

    print(f"Clippy worker: queues {','.join(queues or QUEUES)}, {args.concurrency} at a time")
    asyncio.run(work())
    return 0


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from clippy.db import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    print("database is at the latest schema")
    return 0


def _retention_run(_args: argparse.Namespace, settings: Settings) -> int:
    from clippy.db import make_engine, make_session_factory
    from clippy.retention import demote_hot_segments, sweep_expired, sweep_orphans
    from clippy.storage import make_store

    _db_upgrade(_args, settings)
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    store = make_store(settings)
    archived = demote_hot_segments(factory, settings.hot_window_seconds)
    report = sweep_expired(factory, store)
    report.objects += sweep_orphans(factory, store)
    print(f"archived {archived} segments; {report}")
    return 0


def _spoken(args: argparse.Namespace, settings: Settings) -> Settings | None:
    """``settings`` recognising the ``--language`` asked for; ``None`` (after one line on
    stderr) when it names no language Whisper knows. A model that cannot serve it (tiny.en
    and German) is refused by the command's own model check, pointing to ``base``."""
    from clippy.transcribe import AUTO, UnsupportedLanguage, normalise

    if not args.language:
        return settings
    try:
        code = normalise(args.language)
    except UnsupportedLanguage as exc:
        print(f"clippy: --language: {exc}", file=sys.stderr)
        return None
    return settings.model_copy(update={"whisper_language": "" if code == AUTO else code})


def _process(args: argparse.Namespace, settings: Settings) -> int:
    from clippy.detect import InvalidPreferences, parse_key_phrases
    from clippy.pipeline import is_page_link, process_file, process_link

    try:
        phrases = parse_key_phrases(args.key_phrases)
    except InvalidPreferences as exc:
        print(f"clippy: --key-phrases: {exc}", file=sys.stderr)
        return 2
    spoken = _spoken(args, settings)
    if spoken is None:
        return 2
    # A page (a platform's video page, any page with a <video>) is resolved by yt-dlp first.
    run = process_link if is_page_link(args.input) else process_file
    return run(
        args.input,
        Path(args.out),
        spoken,
        as_json=args.json,
        progress=not args.json,
        chat_file=Path(args.chat) if args.chat else None,
        key_phrases=phrases,
    )


def _record(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    return asyncio.run(_record_run(args, settings))


async def _record_run(args: argparse.Namespace, settings: Settings) -> int:
    """Record one channel in this process (pipeline included), printing clips as they come."""
    import asyncio
    import signal

    from sqlalchemy import select

    from clippy.db import Recording, User, session_scope
    from clippy.errors import ClippyError
    from clippy.record import RecordingKind, create_recording
    from clippy.web.app import create_app

    settings.record_resume = False  # a server on the same database resumes its own recordings
    app = create_app(settings)
    rt = app.state.ctx
    async with app.router.lifespan_context(app):
        # Made once this process runs: a server's watch finds it already claimed here, not
        # under way and free for the taking while this process starts up.
        try:
            with session_scope(rt.session_factory) as session:
                q = select(User).order_by(User.id)
                if args.user:
                    q = q.where(User.email == args.user.lower())
                users = list(session.scalars(q.limit(2)))
                if len(users) != 1:
                    print(
                        "clippy record: "
                        + (f"no user {args.user}" if args.user else "name the account with --user")
                        + " (create one with: clippy user create EMAIL --password ...)",
                        file=sys.stderr,
                    )
                    return 2
                kind = RecordingKind.CHANNEL
                rec = create_recording(
                    session,
                    users[0],
                    args.url,
                    kind,
                    chat=args.chat,
                    twitch_irc_url=settings.twitch_irc_url,
                )
                rec_id, user_id = rec.id, users[0].id
        except ClippyError as exc:
            print(f"clippy record: {exc}", file=sys.stderr)
            return 2
        recorders = rt.recorders
        recorders.start(rec_id, kind)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, recorders.stop, rec_id)
        print(f"recording {args.url} (recording {rec_id}); Ctrl-C stops", flush=True)
        async with rt.hub.subscribe(user_id) as sub:
            done = asyncio.create_task(recorders.wait(rec_id))
            while not done.done():
                get = asyncio.create_task(sub.queue.get())
                await asyncio.wait({get, done}, return_when=asyncio.FIRST_COMPLETED)
                if get.done():
                    _print_clip_event(get.result())
                else:
                    get.cancel()
            if rec_id in recorders.refused:
                print(f"clippy record: recording {rec_id} is run by another node", file=sys.stderr)
                return 1
            await _stream_jobs_done(rt.jobs, rec_id, rt.session_factory, sub.queue)
            while not sub.queue.empty():
                _print_clip_event(sub.queue.get_nowait())
        with session_scope(rt.session_factory) as session:
            row = session.get(Recording, rec_id)
            assert row is not None
            print(f"recording {rec_id} {row.status}: {row.error or 'done'}", flush=True)
            return 1 if row.status == "failed" else 0


async def _stream_jobs_done(
    jobs: Jobs,
    recording_id: int,
    session_factory: sessionmaker[Session],
    events: asyncio.Queue[dict[str, Any]],
) -> None:
    """Until the job layer has processed the recording's stream (its segments and its final
    detection pass), printing clips as they come."""
    import asyncio

    from clippy.db import Recording

    with session_factory() as session:
        rec = session.get(Recording, recording_id)
        stream_id = rec.stream_id if rec is not None else None
    if stream_id is None:
        return  # it failed before its stream started: no jobs
    while jobs.stream_jobs_pending(stream_id):
        with contextlib.suppress(TimeoutError):
            _print_clip_event(await asyncio.wait_for(events.get(), _JOBS_POLL_S))


def _print_clip_event(ev: dict[str, Any]) -> None:
    if ev.get("type") != "clip_created":
        return
    c = ev["clip"]
    print(
        f"clip {c['id']}: {c['start']:.1f}-{c['end']:.1f} s  {c['title']!r}  ({c['reason']})",
        flush=True,
    )


def _user_create(args: argparse.Namespace, settings: Settings) -> int:
    from clippy.accounts import register, set_plan
    from clippy.db import make_engine, make_session_factory, session_scope

    _db_upgrade(args, settings)
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    with session_scope(factory) as session:
        user = register(session, args.email, args.password)
        set_plan(session, user, args.plan)
        print(f"created user {user.id} <{user.email}> on the {args.plan} plan")
    return 0


def _user_plan(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from clippy.accounts import set_plan
    from clippy.db import User, make_engine, make_session_factory, session_scope

    factory = make_session_factory(make_engine(settings.resolved_database_url))
    with session_scope(factory) as session:
        user = session.scalar(select(User).where(User.email == args.email.lower()))
        if user is None:
            print(f"no user with e-mail {args.email}", file=sys.stderr)
            return 1
        set_plan(session, user, args.plan)
        print(f"{user.email} is now on the {args.plan} plan")
    return 0


def _user_requests(_args: argparse.Namespace, settings: Settings) -> int:
    from clippy.billing import pending_requests
    from clippy.db import make_engine, make_session_factory, session_scope

    factory = make_session_factory(make_engine(settings.resolved_database_url))
    with session_scope(factory) as session:
        requests = pending_requests(session)
    for r in requests:
        print(f"{r.at:%Y-%m-%d %H:%M} UTC  {r.email}  asks for {r.plan}")
    if not requests:
        print("no plan requests are waiting")
    return 0


def _models_download(args: argparse.Namespace, _settings: Settings) -> int:
    from clippy.transcribe import download_model

    path = download_model(args.name, Path(args.dir))
    print(
        f"model {args.name} is in {path}; set CLIPPY_TRANSCRIBER=faster-whisper "
        f"CLIPPY_WHISPER_MODEL_DIR={path}"
    )
    return 0


def _transcribe(args: argparse.Namespace, settings: Settings) -> int:
    from clippy.pipeline import transcribe_source

    spoken = _spoken(args, settings)
    if spoken is None:
        return 2
    return transcribe_source(
        args.input, spoken, fmt=args.format, out=Path(args.out) if args.out else None
    )


def _eval_lightor(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from clippy.eval import DatasetError, evaluate_lightor

    try:
        result = evaluate_lightor(Path(args.dir), args.game, args.split, settings)
    except DatasetError as exc:
        print(f"clippy eval lightor: {exc}", file=sys.stderr)
        return 2
    if args.report:
        from clippy.eval import write_lightor_report

        write_lightor_report(result, Path(args.report))
    if args.json:
        print(json.dumps(result.summary()))
    else:
        from clippy.eval import print_lightor_table

        print_lightor_table(result)
    return 0


def _eval_planted(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from clippy.eval import run_planted, score_planted

    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        minutes = [float(m) for m in args.minutes.split(",") if m.strip()]
    except ValueError:
        print(
            "clippy eval planted: --seeds and --minutes are comma-separated numbers",
            file=sys.stderr,
        )
        return 2
    if not seeds or not minutes or min(minutes) < 3:
        print("clippy eval planted: give seeds and lengths of at least 3 minutes", file=sys.stderr)
        return 2
    results = run_planted(Path(args.out), seeds, minutes, settings)
    summary = score_planted(results)
    if args.report:
        from clippy.eval import write_planted_report

        write_planted_report(results, summary, Path(args.report))
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))
    return 0


def _eval_memory(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from clippy.eval import evaluate_memory

    similarity = None
    if args.embeddings:
        from clippy.memory import EmbeddingsMissing, load_embedder

        try:
            similarity = load_embedder().similarity
        except EmbeddingsMissing as exc:
            print(f"clippy eval memory: {exc}", file=sys.stderr)
            return 2
    outcomes, summary = evaluate_memory(settings, similarity)
    if args.verbose:
        for o in outcomes:
            print(f"{o.name:12} {o.positive!s:5} clipped={o.clipped!s:5} {o.heard_now!r}")
    print(json.dumps(summary, indent=2))
    return 0


def _add_eval_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ev = sub.add_parser("eval", help="score the detector on labelled data").add_subparsers(
        dest="eval_command", required=True
    )
    li = ev.add_parser("lightor", help="Precision@K on a Lightor-layout chat/labels split")
    li.add_argument("dir", help="the folder holding dataset/<Game>/<split>/{chat,labels}")
    li.add_argument("--split", default="train", choices=["train", "test"])
    li.add_argument("--game", default="Dota2", choices=["Dota2", "LOL"])
    li.add_argument("--json", action="store_true", help="print one JSON object")
    li.add_argument("--report", default="", help="also write report.md/.json/.png here")
    li.set_defaults(func=_eval_lightor)
    pl = ev.add_parser("planted", help="recall and false clips on generated planted streams")
    pl.add_argument("--out", default="./planted", help="where streams are generated (reused)")
    pl.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    pl.add_argument("--minutes", default="5,10", help="comma-separated stream lengths")
    pl.add_argument("--json", action="store_true", help="print one JSON object")
    pl.add_argument("--report", default="", help="also write report.md/.json/.png here")
    pl.set_defaults(func=_eval_planted)
    me = ev.add_parser("memory", help="callback/prediction recall and precision (real speech)")
    me.add_argument("--embeddings", action="store_true", help="also match by sentence vectors")
    me.add_argument("--verbose", action="store_true", help="one line per scenario")
    me.set_defaults(func=_eval_memory)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    p = argparse.ArgumentParser(prog="clippy", description="Clip live streams automatically.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the server (API, ingest WebSocket, pipeline)")
    s.add_argument("--host", default="")
    s.add_argument("--port", type=int, default=0)
    s.add_argument(
        "--no-worker",
        action="store_true",
        help="ingest/API node: store and defer jobs, run none (CLIPPY_JOB_BACKEND=procrastinate)",
    )
    s.set_defaults(func=_serve)

    w = sub.add_parser("worker", help="run background jobs from PostgreSQL (procrastinate)")
    w.add_argument(
        "--queues", default="", help="comma-separated queues to serve (default: all of them)"
    )
    w.add_argument("--concurrency", type=_positive_int, default=1, help="jobs at a time")
    w.set_defaults(func=_worker)

    db = sub.add_parser("db", help="database tasks").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=_db_upgrade)

    ret = sub.add_parser("retention", help="retention tasks").add_subparsers(
        dest="ret_command", required=True
    )
    ret.add_parser("run", help="archive and delete expired data once").set_defaults(
        func=_retention_run
    )

    language_help = (
        "the language spoken: a code (en, de, es...) or auto (default: CLIPPY_WHISPER_LANGUAGE;"
        " other than English needs CLIPPY_WHISPER_MODEL=base)"
    )
    pr = sub.add_parser("process", help="find and cut clips in a recorded file or URL")
    pr.add_argument(
        "input",
        help="a file path, a URL ffmpeg reads (an HLS playlist, an .mp4) or a video page"
        " yt-dlp resolves (a YouTube or Twitch VOD, a page with a <video>)",
    )
    pr.add_argument("--out", default="./clips", help="output directory (default ./clips)")
    pr.add_argument("--json", action="store_true", help="print the clips as JSON on stdout")
    pr.add_argument(
        "--chat",
        default="",
        help="chat log: JSON list of {time, user, text}, a TwitchDownloader or chat-downloader "
        "replay JSON, or a Lightor TSV (see docs/detection.md)",
    )
    pr.add_argument(
        "--key-phrases",
        default="",
        help="comma-separated phrases that make a clip when said (like 'clip that')",
    )
    pr.add_argument("--language", default="", help=language_help)
    pr.set_defaults(func=_process)

    rc = sub.add_parser("record", help="record a live channel by URL until it ends (Ctrl-C stops)")
    rc.add_argument("url", help="a channel page streamlink knows (Twitch, YouTube, Kick) or .m3u8")
    rc.add_argument("--user", default="", help="the account it records for (its e-mail)")
    rc.add_argument(
        "--chat", default="", help="chat to read: irc://host:port/#channel (Twitch: automatic)"
    )
    rc.set_defaults(func=_record)

    us = sub.add_parser("user", help="accounts (admin)").add_subparsers(
        dest="user_command", required=True
    )
    uc = us.add_parser("create", help="create a user")
    uc.add_argument("email")
    uc.add_argument("--password", required=True)
    uc.add_argument("--plan", default="free", choices=["free", "pro", "business"])
    uc.set_defaults(func=_user_create)
    up = us.add_parser("set-plan", help="change a user's plan (the 'manual' billing provider)")
    up.add_argument("email")
    up.add_argument("plan", choices=["free", "pro", "business"])
    up.set_defaults(func=_user_plan)
    ur = us.add_parser("requests", help="list plan requests made on the billing page")
    ur.set_defaults(func=_user_requests)

    tr = sub.add_parser("transcribe", help="write the words of a recorded file or URL")
    tr.add_argument("input", help="a file path or any URL ffmpeg reads (e.g. an HLS playlist)")
    tr.add_argument("--format", default="json", choices=["json", "srt", "vtt", "txt"])
    tr.add_argument("--out", default="", help="output file (default: standard output)")
    tr.add_argument("--language", default="", help=language_help)
    tr.set_defaults(func=_transcribe)

    md = sub.add_parser("models", help="speech models").add_subparsers(
        dest="models_command", required=True
    )
    dl = md.add_parser("download", help="download a faster-whisper model (needs internet)")
    dl.add_argument("name", help="e.g. small.en, base, large-v3")
    dl.add_argument("--dir", required=True, help="target directory")
    dl.set_defaults(func=_models_download)
    _add_eval_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clippy`` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"clippy: {settings_error(exc)}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from sqlalchemy.exc import OperationalError

    try:
        result: int = args.func(args, settings)
    except KeyboardInterrupt:
        print("clippy: interrupted", file=sys.stderr)
        return 130
    except OperationalError as exc:
        # Down, unreachable or refusing us: the operator needs where and why, not a traceback
        # (kept in the debug log for whoever needs it).
        logging.getLogger("clippy").debug("database error", exc_info=True)
        print(f"clippy: {database_problem(settings, exc)}", file=sys.stderr)
        return 2
    return result


def database_problem(settings: Settings, exc: Exception) -> str:
    """One line: which database (password hidden) failed us, and the driver's reason."""
    from sqlalchemy.engine import make_url

    where = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"database {where}: {reason[0] if reason else type(exc).__name__}"


def settings_error(exc: ValidationError) -> str:
    """A bad ``CLIPPY_*`` environment variable as one line naming it and what is wrong."""
    problems = [
        f"CLIPPY_{str(e['loc'][0]).upper()}={e.get('input')!r}: {e['msg']}"
        if e["loc"]
        else e["msg"]
        for e in exc.errors()
    ]
    return "bad setting: " + "; ".join(problems)


if __name__ == "__main__":
    sys.exit(main())
