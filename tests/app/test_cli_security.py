"""The CLI against hostile or careless input (issue 16): every bad input is one line on stderr,
exit code 2, no traceback; a file never stands in for a preset; outputs follow the umask."""
from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

import pactlab as pl

from .cli_runner import run_cli

PRESET_DIR = Path(pl.__file__).parent / "inputs" / "terms" / "presets"


def run(capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args)


def one_line_error(capsys, *args: str) -> str:
    """Run a command that must fail: exit 2, nothing on stdout, one line, no traceback."""
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("flag,key", [("--term", "schedule.annual_cap"), ("--set", "fx.sudden_stop_prob")])
def test_a_3000_deep_value_is_one_line(capsys, flag: str, key: str) -> None:
    line = one_line_error(capsys, "evaluate", "korea-final-2025-11", "--paths", "10",
                          flag, f"{key}={deep(3000)}")
    assert f"{flag} {key}: nested too deeply" in line


def test_a_moderately_deep_term_value_is_one_short_line(capsys) -> None:
    line = one_line_error(capsys, "evaluate", "korea-final-2025-11", "--paths", "10",
                          "--term", f"schedule.annual_cap={deep(200)}")
    assert "--term schedule.annual_cap: nested too deeply" in line and len(line) < 300


@pytest.mark.parametrize("name", ["k" * 300, "k" * 300 + ".toml", "./" + "k" * 300])
def test_a_300_character_pact_name_is_one_line(capsys, name: str) -> None:
    line = one_line_error(capsys, "evaluate", name, "--paths", "10")
    assert "k" * 20 in line and "k" * 100 not in line and len(line) < 400


def test_a_boolean_term_or_setting_is_not_a_number(capsys) -> None:
    line = one_line_error(capsys, "evaluate", "korea-final-2025-11", "--paths", "10",
                          "--term", "schedule.annual_cap=true")
    assert line == ("error: --term (korea-final-2025-11): schedule.annual_cap: must be a number, "
                    "got true")
    line = one_line_error(capsys, "evaluate", "korea-final-2025-11", "--paths", "10",
                          "--set", "fx.sudden_stop_prob=true")
    assert line == "error: --set: fx.sudden_stop_prob: must be a number, got true"


def test_a_boolean_in_a_term_sheet_file_is_not_a_number(capsys, tmp_path: Path) -> None:
    sheet = tmp_path / "bool.toml"
    text = (PRESET_DIR / "korea-final-2025-11.toml").read_text(encoding="utf-8")
    sheet.write_text(text.replace("annual_cap = 20.0", "annual_cap = true"), encoding="utf-8")
    line = one_line_error(capsys, "evaluate", str(sheet), "--paths", "10")
    assert line == "error: bool.toml: schedule.annual_cap: must be a number, got true"


def test_a_file_named_like_a_preset_does_not_replace_it(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("korea-final-2025-11").write_text(
        (PRESET_DIR / "japan-mou-2025.toml").read_text(encoding="utf-8"), encoding="utf-8")
    Path("japan-mou-2025").mkdir()
    Path("japan-mou-2025.toml").write_text("garbage = = 1", encoding="utf-8")
    code, out, err = run(capsys, "show", "korea-final-2025-11", "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "korea-final-2025-11"
    code, out, err = run(capsys, "show", "japan-mou-2025", "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "japan-mou-2025"
    code, out, _ = run(capsys, "show", "korea-final-2025-11", "--toml")
    assert code == 0 and out.startswith("# US–Korea MOU")            # the preset's own text
    code, out, err = run(capsys, "show", "./korea-final-2025-11", "--json")   # a path: the file
    assert code == 0, err
    assert json.loads(out)["name"] == "japan-mou-2025"
    code, out, _ = run(capsys, "show", "./korea-final-2025-11", "--toml")
    assert code == 0 and out == Path("korea-final-2025-11").read_text(encoding="utf-8")


def test_a_bare_name_that_is_no_preset_names_the_nearest(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("korea-final").write_text(
        (PRESET_DIR / "japan-mou-2025.toml").read_text(encoding="utf-8"), encoding="utf-8")
    line = one_line_error(capsys, "show", "korea-final")
    assert line == ("error: korea-final: not a preset; did you mean korea-final-2025-11? "
                    "(a file needs a path: ./korea-final or a .toml name)")
    code, _, err = run(capsys, "show", "./korea-final", "--json")
    assert code == 0, err


def test_a_fifo_or_a_device_is_refused_without_hanging(capsys, tmp_path: Path) -> None:
    fifo = tmp_path / "sheet.toml"
    os.mkfifo(fifo)
    result: dict[str, str] = {}

    def attempt() -> None:
        try:
            result["line"] = one_line_error(capsys, "show", str(fifo))
        except BaseException as exc:   # reported below, on the test's own thread
            result["failure"] = repr(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():               # unblock the reader so the thread ends, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(10)
        pytest.fail("reading a FIFO hung")
    assert "failure" not in result, result
    assert result["line"] == "error: sheet.toml: not a regular file (a FIFO)"
    line = one_line_error(capsys, "show", "/dev/zero")
    assert line == "error: zero: not a regular file (a device)"
    line = one_line_error(capsys, "evaluate", "korea-final-2025-11", "--assumptions", "/dev/zero")
    assert line == "error: zero: not a regular file (a device)"


def test_an_unreadable_or_huge_sheet_is_one_line(capsys, tmp_path: Path) -> None:
    (tmp_path / "folder.toml").mkdir()
    line = one_line_error(capsys, "show", str(tmp_path / "folder.toml"))
    assert line == "error: folder.toml: not a regular file (a folder)"
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# padding\n" * 200_000)           # 2 MB of comments
    line = one_line_error(capsys, "show", str(huge))
    assert line == "error: huge.toml: larger than 1 MiB; a term sheet is a few kB"


def test_a_byte_order_mark_is_accepted(capsys, tmp_path: Path) -> None:
    sheet = tmp_path / "bom.toml"
    text = (PRESET_DIR / "japan-mou-2025.toml").read_text(encoding="utf-8")
    sheet.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, err = run(capsys, "show", str(sheet), "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "japan-mou-2025"


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_follow_the_umask(capsys, tmp_path: Path, umask: int, mode: int) -> None:
    target = tmp_path / "out.toml"
    old = os.umask(umask)
    try:
        code, _, err = run(capsys, "show", "japan-mou-2025", "--toml", "-o", str(target))
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["out.toml"]      # no temporary file left


def test_the_report_follows_the_umask(capsys, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    old = os.umask(0o022)
    try:
        code, _, err = run(capsys, "report", "japan-mou-2025", "-o", str(target), "--paths", "20", "--no-robust")
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_300_character_file_name_for_input_or_output_is_one_line(capsys, tmp_path: Path) -> None:
    long = str(tmp_path / ("k" * 300 + ".toml"))
    line = one_line_error(capsys, "evaluate", "korea-final-2025-11", "--paths", "10",
                          "--assumptions", long)
    assert "File name too long" in line and len(line) < 200
    line = one_line_error(capsys, "show", "japan-mou-2025", "--toml", "-o", long)
    assert "File name too long" in line and len(line) < 200
    assert list(tmp_path.iterdir()) == []                               # nothing half written
