"""Every ``$ .venv/bin/pactlab …`` line in README.md runs as written, in order, in a fresh folder
(the README's relative outputs, ``runs/kf``, ``my-deal.toml``, land there): ``serve`` is started,
asked for ``/`` and stopped; a line the README shows failing (an ``error:`` line below it) must
fail with exactly that line and exit code 2.

Only sizes are made small so the whole README runs in minutes: ``--paths``, negotiate's ``--n``
and robust's ``--points`` (added where the command takes them), and the example specs' points
and paths. ``.venv`` is a link to this checkout's, as ``make demo`` would have made it.
"""
from __future__ import annotations

import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import typer

from pactlab.app.cli import app

ROOT = Path(__file__).resolve().parents[1]
PROMPT = re.compile(r"^\$ (\.venv/bin/pactlab\b.*)$")
#: the sizes made small, by flag, and the commands each is added to when the line has none
SMALL = {"--paths": "60", "--n": "40", "--points": "8"}
#: the example specs' sizes, made small
SPEC_SIZES = {r"^points = \d+": "points = 12", r"^paths = \d+": "paths = 60"}
#: a preset with one term made invalid, as the README's error example edits it
BAD_SHEET = ("korea.toml", "korea-final-2025-11.toml", "{ investor_share = 0.1 }",
             "{ investor_share = 1.4 }")


def readme_commands() -> list[tuple[list[str], str | None]]:
    """Each command line (its words, the comment dropped) with the error line the README
    shows under it, if any."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        m = PROMPT.match(line)
        if m:
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            found.append((shlex.split(m.group(1), comments=True),
                          nxt.strip() if nxt.startswith("error:") else None))
    return found


def _options(command: str) -> set[str]:
    click = typer.main.get_command(app)
    return {o for p in click.commands[command].params for o in p.opts}     # type: ignore[attr-defined]


def small(argv: list[str]) -> list[str]:
    """`argv` with its sizes made small (added where the command takes them)."""
    argv = list(argv)
    known = _options(argv[1])
    for flag, value in SMALL.items():
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        elif flag in known and flag != "--n":
            argv += [flag, value]
    return argv


def _free_port(preferred: int = 8000) -> int | None:
    """None if `preferred` is free (the line runs as written), else another free port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return None
        except OSError:
            pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(argv: list[str], cwd: Path) -> str | None:
    """Start the server, GET / until it answers, stop it; None when it worked."""
    other = _free_port()
    port = 8000 if other is None else other
    if other is not None:
        argv = [*argv, "--port", str(port)]
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    body = r.read()
                    return None if r.status == 200 and b"<html" in body.lower() else f"GET / {r.status}"
            except OSError:
                if proc.poll() is not None:
                    return f"exited {proc.returncode}: {proc.stdout.read().decode()[-300:]}"
                time.sleep(0.5)
        return "no answer on / within 90 s"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fresh_clone(tmp: Path) -> None:
    """What a fresh clone has after ``make demo``, as the README's commands read it."""
    (tmp / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    shutil.copytree(ROOT / "examples", tmp / "examples")
    for spec in (tmp / "examples").glob("*.toml"):
        text = spec.read_text()
        for pattern, value in SPEC_SIZES.items():
            text = re.sub(pattern, value, text, flags=re.M)
        spec.write_text(text)
    name, preset, good, bad = BAD_SHEET
    text = (ROOT / "src/pactlab/inputs/terms/presets" / preset).read_text()
    assert good in text
    (tmp / name).write_text(text.replace(good, bad))


def test_the_readme_lists_the_commands() -> None:
    commands = readme_commands()
    names = {argv[1] for argv, _ in commands}
    assert {"evaluate", "compare", "explore", "negotiate", "serve", "assumptions"} <= names
    assert small([".venv/bin/pactlab", "robust", "x", "--points", "64"])[-4:] == [
        "--points", "8", "--paths", "60"]
    assert small([".venv/bin/pactlab", "negotiate", "x", "--n", "1000"])[3:5] == ["--n", "40"]


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    fresh_clone(tmp_path)
    failures = []
    for argv, expected_error in readme_commands():
        line = shlex.join(argv)
        if argv[1] == "serve":
            problem = _serve(argv, tmp_path)
            if problem:
                failures.append(f"{line}: {problem}")
            continue
        done = subprocess.run(small(argv), cwd=tmp_path, capture_output=True, text=True, timeout=600)
        if expected_error is not None:
            if done.returncode != 2 or done.stderr.strip() != expected_error:
                failures.append(f"{line}: expected {expected_error!r}, got {done.returncode} "
                                f"{done.stderr.strip()[:300]!r}")
        elif done.returncode != 0:
            failures.append(f"{line}: exit {done.returncode}: {done.stderr.strip()[-400:]}")
    assert not failures, "\n".join(failures)
    assert (tmp_path / "runs" / "kf" / "manifest.json").exists()
    assert (tmp_path / "runs" / "neg").is_dir() and (tmp_path / "report.html").stat().st_size > 1e5
    assert (tmp_path / "runs" / "kf" / "report.html").exists() and (tmp_path / "my-deal.toml").exists()
