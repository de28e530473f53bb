"""The sweep store against careless use: a run's identity covers the files it reads (a changed
pact or assumptions file refuses to resume), one run at a time per folder (a lock, taken over
when stale), every chunk checked on resume and on load, and pool workers that end with their
run."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import pactlab as pl
from pactlab._version import __version__
from pactlab.analysis.explore import Spec, explore, load_results, load_spec
from pactlab.analysis.explore.lock import FolderLock
from pactlab.analysis.explore.points import run_chunk
from pactlab.analysis.explore.spec import input_digests
from pactlab.inputs.terms import source_toml

PRESET = "korea-final-2025-11"
HOST = socket.gethostname()


def ishigami(tmp_path: Path, seed: int = 3, name: str = "spec.toml") -> Path:
    """40 points in a few milliseconds: for what does not need the pact model."""
    factor = "{ low = -3.14, high = 3.14 }"
    path = tmp_path / name
    path.write_text(f'name = "ishigami"\nmodel = "ishigami"\noutcomes = ["y"]\n[uncertainties]\n'
                    f"x1 = {factor}\nx2 = {factor}\nx3 = {factor}\n"
                    f'[sampler]\npoints = 40\nseed = {seed}\n', encoding="utf-8")
    return path


def files_spec(tmp_path: Path, points: int = 4, pact: str = "korea.toml") -> Path:
    """A spec that reads a pact file and an assumptions file beside it."""
    (tmp_path / "korea.toml").write_text(source_toml(PRESET), encoding="utf-8")
    (tmp_path / "assume.toml").write_text("[fx]\nsudden_stop_size = 0.24\n", encoding="utf-8")
    path = tmp_path / "spec.toml"
    path.write_text(textwrap.dedent(f"""
        name = "files"
        pacts = ["{pact}"]
        assumptions = "assume.toml"
        outcomes = ["investor_gain_mean"]
        [uncertainties]
        "fx.sudden_stop_prob" = {{ low = 0.01, high = 0.15 }}
        [sampler]
        points = {points}
        paths = 50
        seed = 1
        """), encoding="utf-8")
    return path


EDITS = {"korea.toml": ("amount = 200.0", "amount = 100.0"),
         "assume.toml": ("sudden_stop_size = 0.24", "sudden_stop_size = 0.30")}


def edit(tmp_path: Path, name: str, undo: bool = False) -> None:
    old, new = EDITS[name][::-1] if undo else EDITS[name]
    file = tmp_path / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


# --- 11. the run's identity: the spec, every file it reads, the pactlab version -------------

def test_the_manifest_records_the_digest_of_every_file_the_run_reads(tmp_path: Path) -> None:
    explore(files_spec(tmp_path), tmp_path / "run", chunk_size=2)
    m = manifest(tmp_path / "run")
    assert m["inputs"] == {"korea.toml": sha(tmp_path / "korea.toml"),
                           "assume.toml": sha(tmp_path / "assume.toml")}
    assert m["pactlab_version"] == __version__ and len(m["run_id"]) == 16
    preset = Spec.model_validate({**m["spec"], "pacts": [PRESET]})
    digest = hashlib.sha256(source_toml(PRESET).encode()).hexdigest()
    assert input_digests(preset, tmp_path) == {f"{PRESET} (preset)": digest,
                                               "assume.toml": sha(tmp_path / "assume.toml")}


@pytest.mark.parametrize("changed", ["korea.toml", "assume.toml"])
def test_resume_refuses_when_a_file_the_spec_names_changed(tmp_path: Path, changed: str) -> None:
    spec = files_spec(tmp_path)
    folder = tmp_path / "run"
    explore(spec, folder, chunk_size=2)
    (folder / "chunk-000001.parquet").unlink()                  # as if killed half way
    before = sha(tmp_path / changed)
    edit(tmp_path, changed)
    with pytest.raises(pl.PactError) as info:
        explore(spec, folder, resume=True)
    assert str(info.value) == (f"{folder}: cannot resume: {changed} changed since the run "
                               f"started (sha256 {before[:8]}… → {sha(tmp_path / changed)[:8]}…); "
                               "use a new folder")
    assert sorted(p.name for p in folder.iterdir()) == ["chunk-000000.parquet", "manifest.json"]
    edit(tmp_path, changed, undo=True)                          # the same files again: resumes
    explore(spec, folder, resume=True)
    explore(spec, tmp_path / "whole", chunk_size=4)
    pd.testing.assert_frame_equal(load_results(folder), load_results(tmp_path / "whole"))


def test_a_new_run_reads_the_edited_file_not_a_cached_copy(tmp_path: Path) -> None:
    spec = files_spec(tmp_path, points=2)
    explore(spec, tmp_path / "before")
    edit(tmp_path, "korea.toml")
    explore(spec, tmp_path / "after")                           # same process, same spec
    before, after = load_results(tmp_path / "before"), load_results(tmp_path / "after")
    assert (before["investor_gain_mean"] != after["investor_gain_mean"]).all()
    assert manifest(tmp_path / "after")["inputs"]["korea.toml"] == sha(tmp_path / "korea.toml")


def test_a_worker_refuses_a_file_that_changed_during_the_run(tmp_path: Path) -> None:
    spec = load_spec(files_spec(tmp_path))
    inputs = input_digests(spec, tmp_path)
    edit(tmp_path, "assume.toml")
    with pytest.raises(pl.PactError) as info:
        run_chunk((spec, str(tmp_path), 0, (0,), False, inputs))
    assert str(info.value) == ("assume.toml: changed while the run was going on; start it "
                               "again in a new folder")


def test_resume_refuses_another_pactlab_version(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    explore(spec, folder, chunk_size=5)
    monkeypatch.setattr("pactlab.analysis.explore.store.__version__", "0.2.1")
    with pytest.raises(pl.PactError) as info:
        explore(spec, folder, resume=True)
    assert str(info.value) == (f"{folder}: cannot resume: the run was started with pactlab "
                               f"{__version__}, this is pactlab 0.2.1; use a new folder")


def test_resume_refuses_a_run_that_recorded_no_digests(tmp_path: Path) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    explore(spec, folder, chunk_size=5)
    m = manifest(folder)
    del m["inputs"], m["run_id"]
    (folder / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(pl.PactError) as info:
        explore(spec, folder, resume=True)
    assert str(info.value) == (f"{folder}: cannot resume: the manifest records no input digests "
                               f"(made by pactlab {__version__}); use a new folder")
    assert len(load_results(folder)) == 40                      # still readable


def test_a_missing_or_special_input_file_is_one_line(tmp_path: Path) -> None:
    spec = files_spec(tmp_path)
    (tmp_path / "korea.toml").unlink()
    with pytest.raises(pl.PactError, match=r"^korea\.toml: no such file$"):
        explore(spec, tmp_path / "run")
    os.mkfifo(tmp_path / "korea.toml")                          # would hang a reader
    with pytest.raises(pl.PactError, match=r"^korea\.toml: not a regular file$"):
        explore(spec, tmp_path / "run")
    assert not (tmp_path / "run").exists()


# --- 12. one run at a time in a folder ----------------------------------------------------

def write_lock(folder: Path, owner: dict) -> None:
    folder.mkdir(exist_ok=True)
    (folder / ".lock").write_text(json.dumps(owner) + "\n")


@pytest.mark.parametrize("resume", [False, True])
def test_a_folder_in_use_refuses_a_second_run(tmp_path: Path, resume: bool) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    if resume:
        explore(spec, folder, chunk_size=5)
        (folder / "chunk-000003.parquet").unlink()
    write_lock(folder, {"pid": os.getpid(), "host": HOST})      # a live owner
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(pl.PactError) as info:
        explore(spec, folder, chunk_size=5, resume=resume)
    assert str(info.value) == (f"{folder}: another run (pid {os.getpid()} on {HOST}) is writing "
                               f"this folder; wait for it to end, or delete {folder}/.lock if "
                               "that run is gone")
    assert sorted(p.name for p in folder.iterdir()) == before   # nothing written or removed


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("owner", ["dead", "reused pid", "unreadable"])
def test_a_stale_lock_is_taken_over_and_said(tmp_path: Path, owner: str) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    pid = dead_pid() if owner == "dead" else os.getpid()
    if owner == "unreadable":
        folder.mkdir()
        (folder / ".lock").write_text("")                       # cut short before its owner
    else:                                                       # a reused pid starts later
        write_lock(folder, {"pid": pid, "host": HOST, "start": "1"})
    said: list[str] = []
    explore(spec, folder, chunk_size=5, notice=said.append)
    who = "an unreadable owner" if owner == "unreadable" else f"pid {pid}"
    assert said == [f"{folder}: took over the lock of a run that is no longer running ({who})"]
    assert len(load_results(folder)) == 40 and not (folder / ".lock").exists()


def test_by_default_a_notice_is_one_warning_line_on_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "run"
    pid = dead_pid()
    write_lock(folder, {"pid": pid, "host": HOST})
    explore(ishigami(tmp_path), folder, chunk_size=5)
    assert capsys.readouterr().err == (f"warning: {folder}: took over the lock of a run that is "
                                       f"no longer running (pid {pid})\n")


def test_the_lock_is_held_for_the_run_and_released_on_an_interrupt(tmp_path: Path) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    seen: list[dict] = []

    def progress(done: int, total: int) -> None:
        seen.append(json.loads((folder / ".lock").read_text()))
        if done >= 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        explore(spec, folder, chunk_size=5, progress=progress)
    assert [o["pid"] for o in seen] == [os.getpid()] * 3 and seen[0]["host"] == HOST
    assert not (folder / ".lock").exists()
    said: list[str] = []
    explore(spec, folder, resume=True, notice=said.append)      # no stale lock to take over
    assert said == [] and len(load_results(folder)) == 40


@pytest.mark.slow
def test_two_cli_runs_in_one_folder(tmp_path: Path) -> None:
    """A second run is refused while the first runs; the lock a kill -9 leaves is stale."""
    spec, folder = files_spec(tmp_path, points=400), tmp_path / "run"
    cmd = [sys.executable, "-m", "pactlab.app.cli", "explore", str(spec), "-o", str(folder),
           "--chunk-size", "1"]
    first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not list(folder.glob("chunk-*.parquet")):
            time.sleep(0.05)
        second = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=120)
        overlapped = first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert second.stderr.strip() == (
        f"error: {folder}: another run (pid {first.pid} on {HOST}) is writing this folder; wait "
        f"for it to end, or delete {folder}/.lock if that run is gone")
    assert second.returncode == 2 and overlapped
    ids = load_results(folder)["point_id"]
    assert list(ids) == list(range(len(ids))) and 1 <= len(ids) < 400
    assert json.loads((folder / ".lock").read_text())["pid"] == first.pid
    said: list[str] = []
    with FolderLock(folder, said.append):
        pass
    assert said == [f"{folder}: took over the lock of a run that is no longer running "
                    f"(pid {first.pid})"]


# --- 13. every chunk checked: on resume (recomputed) and on load (refused) ----------------

def spoil(folder: Path, other: Path) -> None:
    """Chunk 1 truncated, 2 empty, 3 another run's, 4 a copy of 5, 5 written without a run id,
    7 missing, and an extra chunk 8 (a copy of 0)."""
    c = {i: folder / f"chunk-{i:06d}.parquet" for i in range(9)}
    c[1].write_bytes(c[1].read_bytes()[:300])
    c[2].write_bytes(b"")
    shutil.copy(other / c[3].name, c[3])
    shutil.copy(c[5], c[4])
    pd.read_parquet(c[5]).to_parquet(c[5], index=False)
    c[7].unlink()
    shutil.copy(c[0], c[8])


def test_resume_recomputes_every_chunk_that_fails_the_check(tmp_path: Path) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    explore(spec, folder, chunk_size=5)
    explore(ishigami(tmp_path, seed=4, name="other.toml"), tmp_path / "other", chunk_size=5)
    spoil(folder, tmp_path / "other")
    said, progress = [], []
    explore(spec, folder, resume=True, notice=said.append,
            progress=lambda done, total: progress.append((done, total)))
    assert said == [f"{folder}: 6 chunk(s) failed the check and are recomputed (or removed, "
                    "where not the run's): chunk-000001 (unreadable), chunk-000002 (empty), "
                    "chunk-000003 (another run), chunk-000004 (other point ids), chunk-000005 "
                    "(no run id), chunk-000008 (not one of the run's 8 chunks)"]
    assert progress == [(10, 40), (15, 40), (20, 40), (25, 40), (30, 40), (35, 40), (40, 40)]
    assert sorted(p.name for p in folder.iterdir()) == [
        *(f"chunk-{i:06d}.parquet" for i in range(8)), "manifest.json"]
    explore(spec, tmp_path / "whole", chunk_size=40)
    pd.testing.assert_frame_equal(load_results(folder), load_results(tmp_path / "whole"))
    said.clear()
    progress.clear()
    explore(spec, folder, resume=True, notice=said.append,      # nothing left to do
            progress=lambda done, total: progress.append((done, total)))
    assert said == [] and progress == [(40, 40)]


@pytest.mark.parametrize("chunk,reason", [
    (1, "unreadable"), (2, "empty"), (3, "another run"), (4, "other point ids"),
    (5, "no run id"), (8, "not one of the run's 8 chunks"), (6, "not a file"),
])
def test_load_results_refuses_a_chunk_that_fails_the_check(tmp_path: Path, chunk: int,
                                                           reason: str) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    explore(spec, folder, chunk_size=5)
    explore(ishigami(tmp_path, seed=4, name="other.toml"), tmp_path / "other", chunk_size=5)
    spoil(folder, tmp_path / "other")
    for other in {1, 2, 3, 4, 5, 8} - {chunk}:                  # only `chunk` is bad
        (folder / f"chunk-{other:06d}.parquet").unlink()
    if chunk == 6:                                              # a folder where a chunk goes
        (folder / "chunk-000006.parquet").unlink()
        (folder / "chunk-000006.parquet").mkdir()
    with pytest.raises(pl.PactError) as info:
        load_results(folder)
    assert str(info.value) == (f"{folder}/chunk-{chunk:06d}.parquet: fails the check ({reason}); "
                               "its points would be missing or repeated: resume the run "
                               "(pactlab explore --resume) to recompute it")


@pytest.mark.parametrize("text,reason", [
    (b"", "not JSON: Expecting value: line 1 column 1 (char 0)"),
    (b'{"points": 4', "not JSON: Expecting ',' delimiter: line 1 column 13 (char 12)"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[]", "spec is missing or of the wrong type"),
    (b'{"spec": {}, "spec_sha256": "x", "points": "4"}', "points is missing or of the wrong type"),
])
def test_a_corrupt_manifest_is_one_line(tmp_path: Path, text: bytes, reason: str) -> None:
    spec, folder = ishigami(tmp_path), tmp_path / "run"
    explore(spec, folder, chunk_size=5)
    (folder / "manifest.json").write_bytes(text)
    expected = f"{folder}/manifest.json: not a readable run manifest ({reason})"
    for call in (lambda: load_results(folder), lambda: explore(spec, folder, resume=True)):
        with pytest.raises(pl.PactError) as info:
            call()
        assert str(info.value) == expected
    assert not (folder / ".lock").exists()


def test_chunks_and_manifest_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        explore(ishigami(tmp_path), tmp_path / "run", chunk_size=20)
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "run").iterdir()}
    assert modes == {"chunk-000000.parquet": 0o640, "chunk-000001.parquet": 0o640,
                     "manifest.json": 0o640}


# --- 14. pool workers end with their run ----------------------------------------------------

def children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out |= {int(c) for c in (task / "children").read_text().split()}
    return out


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_pool_workers_exit_when_the_run_is_killed(tmp_path: Path) -> None:
    spec, folder = files_spec(tmp_path, points=40), tmp_path / "run"
    script = (f"from pactlab.analysis.explore import explore\n"
              f"explore({str(spec)!r}, {str(folder)!r}, executor='processes', workers=2, "
              f"chunk_size=1)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not list(folder.glob("chunk-*.parquet")):
            time.sleep(0.05)
        workers = {c for c in children(parent.pid)
                   if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()}
        assert len(workers) == 2 and parent.poll() is None
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(running(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if running(w)]
    for w in left:                                              # don't leave them behind
        os.kill(w, signal.SIGKILL)
    assert left == []
